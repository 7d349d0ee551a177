"""``wbm fieldwork`` on the enterprise survey: the id variable is ``org_id``, the register variables
are the questionnaire's own (sector_group, size_class), and the frame's final call outcomes give
the AAPOR response rates in the report (as in the validation report)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli as main

from ..publisher_helpers import unprotected_demo


@pytest.fixture(scope="module")
def oe_fieldwork(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from pipeline.demo import run_demo

    out = tmp_path_factory.mktemp("oe")
    unprotected_demo(out)
    result = run_demo(out, size=None, seed=2025, survey="oe")
    dest = out / "fw"
    r = CliRunner().invoke(
        main,
        [
            "fieldwork",
            "--run",
            str(result.run_dir),
            "--wave",
            str(result.wave_dir),
            "--out",
            str(dest),
        ],
    )
    assert r.exit_code == 0, r.output
    return dest, result.run_dir


def test_enterprise_survey_links_by_org_id_and_models_its_own_variables(oe_fieldwork) -> None:
    dest, run_dir = oe_fieldwork
    d = json.loads((dest / "fieldwork.json").read_text(encoding="utf-8"))
    assert d["variables"] == ["sector_group", "size_class"]
    assert 0 < d["respondents"] < d["invited"]
    assert {n["code"] for n in d["notices"]} >= {"one_mode", "origin_absent"}


def test_aapor_rates_of_the_call_outcomes_agree_with_the_validation_report(oe_fieldwork) -> None:
    from pipeline.rundata.layout import stage_dir

    dest, run_dir = oe_fieldwork
    ap = json.loads((dest / "fieldwork.json").read_text(encoding="utf-8"))["aapor"]
    diag = json.loads(
        (stage_dir(run_dir, "validate") / "diagnostics.json").read_text(encoding="utf-8")
    )
    # with --wave the rates come from the wave's call records; they equal the validation
    # report's, which come from the frame's final disposition column
    assert ap["source"] == "calls" and ap["disagree_with_frame"] == 0
    assert {k: ap[k] for k in ("keys", "strata", "rows")} == {
        k: diag["frame"]["aapor"][k] for k in ("keys", "strata", "rows")
    }
    overall = ap["rows"][0]
    assert overall["rr1"] <= overall["rr2"] and overall["rr1"] <= overall["rr3"] <= overall["rr4"]
    html = (dest / "fieldwork.html").read_text(encoding="utf-8")
    assert "Responsgraden volgens AAPOR" in html and "RR4" in html
