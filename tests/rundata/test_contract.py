"""The run-directory contract (pipeline.rundata): a real run holds what the layout says, the readers
give located errors, and no module outside pipeline.rundata spells a stage directory."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import InputError, UsageError
from pipeline.rundata import columns, layout
from pipeline.rundata.read import (
    find_estimates,
    questionnaire_id,
    questionnaire_reference,
    read_estimates,
    require_run_dir,
    run_manifest,
    run_parameters,
    stage_diagnostics,
)

ROOT = Path(__file__).resolve().parents[2]

EXPECTED = {
    "validate": layout.VALIDATE_FILES,
    "weight": (layout.WEIGHTED, layout.DIAGNOSTICS, layout.WEIGHTING_REPORT),
    "score": (layout.SCORED, layout.DIAGNOSTICS),
    "estimate": (
        layout.ESTIMATES,
        layout.ESTIMATES_CSV,
        layout.COMPARE_DOMAINS,
        layout.DIAGNOSTICS,
    ),
}


def test_a_run_holds_what_the_layout_says(small_run_dir: Path):
    assert layout.manifest_path(small_run_dir).is_file()
    for stage, names in EXPECTED.items():
        present = {p.name for p in layout.stage_dir(small_run_dir, stage).iterdir()}
        assert set(names) <= present, (stage, set(names) - present)
    for kind in (layout.REPORTS_DIR, layout.TABLES_DIR, layout.MICRODATA_DIR):
        assert any(layout.outputs_dir(small_run_dir, kind).iterdir())
    assert not (small_run_dir / "ledger").exists()  # releases are logged by the publisher
    recorded = {
        o["path"]
        for s in run_manifest(small_run_dir)["stages"].values()
        for o in s.get("outputs", [])
    }
    assert layout.relative("score", layout.SCORED) in recorded


def test_the_shared_columns_are_in_the_stage_files(small_run_dir: Path):
    accepted = pd.read_parquet(layout.stage_file(small_run_dir, "validate", layout.ACCEPTED))
    aside = pd.read_parquet(layout.stage_file(small_run_dir, "validate", layout.SET_ASIDE))
    assert set(columns.META_COLUMNS) <= set(accepted.columns)
    assert columns.REASONS not in accepted.columns and columns.REASONS in aside.columns
    weighted = pd.read_parquet(layout.stage_file(small_run_dir, "weight", layout.WEIGHTED))
    assert set(columns.WEIGHT_COLUMNS) <= set(weighted.columns)
    scored = pd.read_parquet(layout.stage_file(small_run_dir, "score", layout.SCORED))
    assert {
        columns.score_column("psychische_vermoeidheid"),
        columns.tl_column("werkstress"),
        columns.acute_column("werkstress"),
    } <= set(scored.columns)
    est, path = read_estimates(small_run_dir)
    assert path == layout.stage_file(small_run_dir, "estimate", layout.ESTIMATES)
    assert set(columns.ESTIMATE_KEYS) <= set(est.columns)
    crossed = est[est[columns.BY].str.contains(":", regex=False)]
    assert len(crossed) and crossed[columns.LEVEL].str.fullmatch(r"-?\d+:-?\d+").all()


def test_manifest_readers(small_run_dir: Path, tmp_path: Path):
    manifest = run_manifest(small_run_dir)
    assert questionnaire_id(manifest) == "wbm-werknemers-2023"
    assert questionnaire_reference(manifest) == run_parameters(manifest)["questionnaire"]
    assert run_manifest(tmp_path) == {}  # no manifest: nothing recorded
    layout.manifest_path(tmp_path).write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError) as err:
        run_manifest(tmp_path)
    assert err.value.code == "bad_json"
    assert err.value.problems[0].file == str(layout.manifest_path(tmp_path))
    assert run_manifest(tmp_path, lenient=True) == {}


def test_stage_diagnostics_are_lenient(small_run_dir: Path, tmp_path: Path):
    assert stage_diagnostics(small_run_dir, "weight")["method"] == "raking"
    assert stage_diagnostics(tmp_path, "weight") == {}
    layout.stage_dir(tmp_path, "weight").mkdir()
    layout.stage_file(tmp_path, "weight", layout.DIAGNOSTICS).write_text("[1, 2]")
    assert stage_diagnostics(tmp_path, "weight") == {}


def test_estimates_readers(small_run_dir: Path, tmp_path: Path):
    with pytest.raises(UsageError) as err:
        require_run_dir(tmp_path / "nope")
    assert err.value.code == "no_run_dir"
    with pytest.raises(UsageError) as err:
        find_estimates(tmp_path)
    assert err.value.code == "no_estimates"
    est_dir = layout.stage_dir(tmp_path, "estimate")
    est_dir.mkdir()
    shutil.copy2(layout.stage_file(small_run_dir, "estimate", layout.ESTIMATES_CSV), est_dir)
    assert find_estimates(tmp_path).name == layout.ESTIMATES_CSV  # the CSV when there is no parquet
    (est_dir / layout.ESTIMATES).write_bytes(b"PAR1 damaged")
    with pytest.raises(InputError) as bad:
        read_estimates(tmp_path)
    assert bad.value.code == "bad_estimates"


STAGE_DIR_LITERAL = re.compile(r"""["'/]0[1-5]_(validate|weight|score|estimate|outputs)\b""")


def test_no_module_but_rundata_spells_a_stage_directory():
    """Stage directory names are defined once (pipeline.rundata.layout); code and tests build paths
    with layout.stage_dir/stage_file (docstrings and help texts may show them)."""
    offenders = []
    for base in ("pipeline", "tests", "benchmarks"):
        for path in sorted((ROOT / base).rglob("*.py")):
            if path.parent.name == "rundata" and base == "pipeline":
                continue
            text = path.read_text(encoding="utf-8")
            code = re.sub(r'"""[\s\S]*?"""', "", text)  # docstrings may name the directories
            for n, line in enumerate(code.splitlines(), 1):
                if STAGE_DIR_LITERAL.search(line) and "help=" not in line:
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
