"""The calibration model a run records (``02_weight/calibration.json``) and that every estimate
reads (issue 16)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.rundata import layout
from pipeline.rundata.calibration import (
    model_from_dict,
    model_to_dict,
    read_calibration_model,
)
from pipeline.rundata.read import run_manifest

MODEL = layout.relative("weight", layout.CALIBRATION_MODEL)


def test_the_weight_stage_records_the_model_it_used(small_run_dir: Path) -> None:
    from pipeline.questionnaire.load import load_questionnaire

    model = read_calibration_model(small_run_dir)
    assert model is not None
    manifest = run_manifest(small_run_dir)
    outputs = {o["path"] for o in manifest["stages"]["weight"]["outputs"]}
    assert MODEL in outputs  # recorded, so readers verify it
    q = load_questionnaire(small_run_dir / layout.QUESTIONNAIRE)
    assert {v for g in model.margins for v in g.variables} == set(q.weighting)
    assert model.method == "raking" and model.base_weight is None and model.strata is None
    for g in model.margins:
        assert len(g.levels) == len(g.targets) > 0
    diag = json.loads((small_run_dir / layout.relative("estimate", layout.DIAGNOSTICS)).read_text())
    assert diag["variance"].startswith("linearization, calibration-aware (raking on ")
    assert "calibration_model_missing" not in {n["code"] for n in diag["notices"]}


def test_an_edited_model_is_refused(small_run_dir: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(small_run_dir, run)
    p = run / MODEL
    doc = json.loads(p.read_text())
    doc["margins"] = doc["margins"][:1]  # calibrated on fewer margins than the weights were
    p.write_text(json.dumps(doc))
    with pytest.raises(InputError) as err:
        read_calibration_model(run)
    assert err.value.code == "stage_output_changed"


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(kind="something-else"),
        lambda d: d.update(method="magic"),
        lambda d: d.update(margins=[]),
        lambda d: d["margins"][0].update(targets=[1.0]),
        lambda d: d.update(bounds=[1]),
    ],
)
def test_a_damaged_model_is_a_located_error(small_run_dir: Path, edit) -> None:
    doc = json.loads((small_run_dir / MODEL).read_text())
    edit(doc)
    with pytest.raises(InputError) as err:
        model_from_dict(doc, file="calibration.json")
    assert err.value.code == "bad_calibration_model"
    assert err.value.problems and err.value.problems[0].file == "calibration.json"


def test_the_model_round_trips(small_run_dir: Path) -> None:
    model = read_calibration_model(small_run_dir)
    assert model is not None
    assert model_from_dict(json.loads(json.dumps(model_to_dict(model)))) == model


def test_wbm_run_sets_the_bounds_and_trim_cap_of_the_weight_stage(tmp_path: Path) -> None:
    """``wbm run --method/--bounds/--trim-cap`` (as ``wbm estimate`` can): the weight stage
    calibrates with them and records them, so every SE follows them."""
    from click.testing import CliRunner

    from pipeline.cli import cli
    from pipeline.fileio import read_parquet
    from pipeline.synth.wave import generate_wave

    generate_wave(tmp_path / "wave", size=3000, seed=5)
    runs = {}
    for name, extra in (
        ("plain", []),
        ("bounded", ["--bounds", "0.5,2.5", "--trim-median-k", "3"]),
    ):
        out = tmp_path / name
        res = CliRunner().invoke(
            cli,
            ["run", "--wave", str(tmp_path / "wave"), "--out", str(out)]
            + ["--stage", "validate", "--stage", "weight", *extra],
        )
        assert res.exit_code == 0, res.output
        runs[name] = out
    model = read_calibration_model(runs["bounded"])
    assert model is not None and model.bounds == (0.5, 2.5)
    assert model.trim is not None and model.trim.median_k == 3
    plain = read_calibration_model(runs["plain"])
    assert plain is not None and plain.bounds is None and plain.trim is None
    w = read_parquet(runs["bounded"] / layout.relative("weight", layout.WEIGHTED))["weight"]
    w0 = read_parquet(runs["plain"] / layout.relative("weight", layout.WEIGHTED))["weight"]
    # g within [0.5, 2.5] of the (equal) base weights: max / min at most 5, which raking exceeds
    assert w.max() / w.min() <= 5 + 1e-6 < w0.max() / w0.min()
