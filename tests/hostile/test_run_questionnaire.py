"""Every command that reads a run uses the run's own questionnaire (the review's finding: ``wbm report
--run`` labelled a run made with a customised questionnaire with the shipped one of the same id)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.paths import QUESTIONNAIRES_DIR
from pipeline.rundata import layout

SHIPPED = QUESTIONNAIRES_DIR / "wbm-werknemers-2023.yaml"
LABEL = "psychische vermoeidheid (werkstress)"
OWN = "werkstress volgens de eigen vragenlijst"


@pytest.fixture(scope="module")
def custom_run(small_demo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small run started again with a customised questionnaire (same id, another label), then
    scored and estimated; the customised file is then removed, as happens when a run is copied."""
    from pipeline.runner import Run, RunConfig, run_stages, start

    demo, _ = small_demo
    base = tmp_path_factory.mktemp("custom")
    text = SHIPPED.read_text(encoding="utf-8")
    assert text.count(LABEL) == 1
    qfile = base / "my-questionnaire.yaml"
    qfile.write_text(text.replace(LABEL, OWN), encoding="utf-8")
    run_dir = base / "run"
    shutil.copytree(
        demo.run_dir, run_dir, ignore=shutil.ignore_patterns(layout.STAGE_DIRS["outputs"])
    )
    cfg = RunConfig.from_wave_dir(demo.wave_dir).model_copy(update={"questionnaire": str(qfile)})
    run = Run(run_dir, cfg)
    start(run)
    run_stages(run, ["score", "estimate"])
    qfile.unlink()
    return run_dir


def test_report_uses_the_runs_own_questionnaire(custom_run, tmp_path):
    from pipeline.cli import main

    main(["report", "--run", str(custom_run), "--sector", "4", "--out", str(tmp_path)])
    html = next(tmp_path.glob("*.html")).read_text(encoding="utf-8")
    assert OWN in html and LABEL not in html


def test_table_and_release_use_it_too(custom_run):
    from pipeline.release.build import load_run_source
    from pipeline.tables.source import load_run

    assert load_run(custom_run).questionnaire.indicator("werkstress").label.nl == OWN
    src = load_run_source(custom_run)
    assert src.questionnaire.indicator("werkstress").label.nl == OWN


def test_stage_reruns_use_it(custom_run):
    from pipeline.rundata.read import run_manifest
    from pipeline.runner import Run, RunConfig

    cfg = RunConfig.model_validate(
        {**run_manifest(custom_run)["parameters"], "inputs": [], "margins": "x.csv"}
    )
    assert Run(custom_run, cfg).questionnaire().indicator("werkstress").label.nl == OWN
