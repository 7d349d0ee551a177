"""A telephone survey's frame with AAPOR final dispositions: RR1-RR4 for all units and per stratum
in the validation diagnostics (the enterprise survey: sector group x size class)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.fieldwork.aapor import CODES, rates
from pipeline.frame.read import read_frame
from pipeline.questionnaire.load import load_questionnaire
from pipeline.validate.framelink import aapor_by_stratum


@pytest.fixture(scope="module")
def oe():
    return load_questionnaire("oe-2025")


def _frame(tmp: Path, rows: list[tuple[int, int, str]]) -> Path:
    df = pd.DataFrame(rows, columns=["sector_group", "size_class", "disposition"])
    df.insert(0, "sample_id", [f"O{i:04d}" for i in range(len(df))])
    path = tmp / "frame.csv"
    df.to_csv(path, index=False)
    return path


def test_rates_per_stratum_by_hand(oe, tmp_path: Path):
    # stratum 1*1: I I P R NC UH NE ; stratum 3*4: I R R UH
    rows = [(1, 1, c) for c in ("1.1", "1.1", "1.2", "2.10", "2.20", "3.10", "4.10")]
    rows += [(3, 4, c) for c in ("1.1", "2.10", "2.10", "3.10")]
    frame = read_frame(_frame(tmp_path, rows), oe)
    ap = aapor_by_stratum(frame, ("sector_group", "size_class"), {"size_class": {4: "groot"}})
    assert ap is not None and ap["strata"] == ["sector_group", "size_class"]
    all_, s11, s34 = cast("list[dict[str, Any]]", ap["rows"])
    assert all_["level"] == "" and all_["sampled"] == 11
    assert (s11["level"], s34["level"]) == ("1*1", "3*4")
    assert s34["label"] == "3 / groot"
    # 1*1: e = 5 / 6; RR1 = 2 / 6; RR2 = 3 / 6; RR3 = 2 / (5 + 5/6); RR4 = 3 / (5 + 5/6)
    assert s11["e"] == pytest.approx(5 / 6)
    assert s11["rr1"] == pytest.approx(2 / 6)
    assert s11["rr2"] == pytest.approx(3 / 6)
    assert s11["rr3"] == pytest.approx(2 / (5 + 5 / 6))
    assert s11["rr4"] == pytest.approx(3 / (5 + 5 / 6))
    # 3*4: no NE: e = 1, RR3 = RR1 = 1/4
    assert s34["e"] == 1.0 and s34["rr1"] == s34["rr3"] == pytest.approx(0.25)
    # the overall row is the rates of all counts together
    r = rates({"I": 3, "P": 1, "R": 3, "NC": 1, "UH": 2, "NE": 1})
    assert all_["rr3"] == pytest.approx(r.rr3) and all_["counts"]["I"] == 3
    assert sum(s11["counts"][k] for k in CODES) == 7


def test_no_dispositions_no_rates(oe, tmp_path: Path):
    df = pd.DataFrame({"sample_id": ["a", "b"], "sector_group": [1, 2], "size_class": [1, 1]})
    df.to_csv(tmp_path / "f.csv", index=False)
    assert aapor_by_stratum(read_frame(tmp_path / "f.csv", oe), ("sector_group",), {}) is None


def test_unknown_disposition_code_is_located(oe, tmp_path: Path):
    path = _frame(tmp_path, [(1, 1, "1.1"), (1, 2, "9.99"), (2, 1, "2.10")])
    with pytest.raises(InputError) as ei:
        read_frame(path, oe)
    p = ei.value.problems[0]
    assert p.code == "bad_disposition" and p.row == 2 and p.value == "9.99"
    assert str(path) in str(p.file)


def test_enterprise_validation_report_shows_rates_per_stratum(tmp_path: Path):
    from pipeline.rundata import layout
    from pipeline.runner import Run, RunConfig, run_stages
    from pipeline.synth.wave import generate_wave

    generate_wave(tmp_path / "w", questionnaire="oe-2025", size=800, seed=5)
    run_stages(Run(tmp_path / "r", RunConfig.from_wave_dir(tmp_path / "w")), ("validate",))
    html = (layout.stage_dir(tmp_path / "r", "validate") / "validation_report.html").read_text(
        encoding="utf-8"
    )
    assert "AAPOR-responsgraden" in html and "RR4" in html
    frame = pd.read_parquet(tmp_path / "w" / "frame.parquet")
    assert frame.groupby(["sector_group", "size_class"]).ngroups == 16
    # one row per stratum, labelled: the four size classes of industry
    assert html.count("industrie (incl. primaire sector) / ") == 4
