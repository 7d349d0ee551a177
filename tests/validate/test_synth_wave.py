"""Integration: validate a small synthetic wave (``wbm synth --size 2000``) and find what was injected."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.ingest import InputFile
from pipeline.questionnaire.load import load_questionnaire
from pipeline.rundata import layout
from pipeline.validate import run_validation

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pipeline.synth.wave") is None, reason="pipeline.synth not built yet"
)


@pytest.fixture(scope="module")
def wave(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("wave")
    main(["synth", "--out", str(d), "--size", "2000", "--seed", "11"])
    return d


def test_synthetic_wave_validates(wave: Path) -> None:
    meta = json.loads((wave / "wave.json").read_text())
    q = load_questionnaire(meta["questionnaire"])
    inputs = [InputFile(wave / i["path"], mode=i["mode"]) for i in meta["inputs"]]
    s = run_validation(q, inputs, layout.stage_dir(wave, "validate"))
    assert s.balanced
    counts, injected = meta["counts"], meta["injected_errors"]
    assert s.rows_read == counts["paper_forms"] + counts["web_records"]
    assert s.issues("multiple_ticks") == injected["paper"]["multiple_ticks"]
    assert s.reasons("duplicate") == counts["both_modes"]
    assert s.reasons("outside_target_population") == counts["out_of_target"]
    assert s.issues("unparseable_value") == 0  # decimal commas are read, not rejected
    assert s.issues("routing_tool_error") == 0  # the web tool enforced routing
    edits = pd.read_parquet(layout.stage_file(wave, "validate", layout.EDITS))
    assert (edits["rule_id"] == "routing_not_applicable").sum() > 0
    assert set(edits["mode"]) <= {"paper", "web"}
    acc = pd.read_parquet(layout.stage_file(wave, "validate", layout.ACCEPTED))
    assert acc["sample_id"].is_unique
    assert (
        not acc[[v for v in q.variables() if v not in ("sample_id", "comment")]].isna().any().any()
    )
