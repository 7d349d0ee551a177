"""Custom tables over several waves: the change column and its test (pipeline.tables.change)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from scipy import special

from pipeline.tables.api import make_table

from .archive_helpers import copy_run

REQUEST = {
    "waves": [2019, 2023],
    "indicators": ["werkstress", "werkbaar_werk"],
    "rows": "age_band",
    "columns": "statute",
    "filters": [{"variable": "sector", "levels": [4, 5, 6]}],
}


def _table(tmp_path: Path, runs: list[Path], **fields: object) -> list[dict[str, str]]:
    from tests.tables.tables_helpers import csv_rows, request_file

    req = request_file(tmp_path / "req", "req", **{**REQUEST, **fields})
    out = make_table(
        req, [copy_run(r, tmp_path / f"run{i}") for i, r in enumerate(runs)], tmp_path / "out"
    )
    assert out.decision in ("release", "suppress")
    return csv_rows(next(f for f in out.files if f.suffix == ".csv"))


def test_each_cell_of_the_later_wave_gets_its_tested_change(
    tmp_path: Path, run_2019: Path, run_2023: Path, policy_file: Path
) -> None:
    rows = _table(tmp_path, [run_2019, run_2023])
    key = ("indicator", "row_level", "column_level")
    old = {tuple(r[k] for k in key): r for r in rows if r["wave"] == "2019"}
    assert all(r["change_from"] == "" and r["change"] == "" for r in old.values())
    checked = hidden = 0
    for r in (r for r in rows if r["wave"] == "2023"):
        assert r["change_from"] == "2019"
        o = old[tuple(r[k] for k in key)]
        if {"suppressed", "empty"} & {r["flag"], o["flag"]}:
            want = "suppressed" if "suppressed" in (r["flag"], o["flag"]) else "empty"
            assert r["change"] == "" and r["change_flag"] == want and r["change_p_value"] == ""
            hidden += 1
            continue
        change = float(r["change"])
        assert change == pytest.approx(float(r["estimate"]) - float(o["estimate"]), abs=1e-9)
        lo, hi = float(r["change_ci_low"]), float(r["change_ci_high"])
        assert lo < change < hi and (lo + hi) / 2 == pytest.approx(change, abs=1e-9)
        se = (hi - lo) / (2 * 1.959963984540054)
        p = float(r["change_p_value"])
        assert p == pytest.approx(2 * special.ndtr(-abs(change) / se), rel=1e-9)
        assert r["change_significant"] == ("true" if p < 0.05 else "false")
        checked += 1
    assert checked >= 10 and hidden >= 1


def test_change_none_and_first(
    tmp_path: Path, run_2019: Path, run_2023: Path, policy_file: Path
) -> None:
    rows = _table(tmp_path / "none", [run_2019, run_2023], change="none")
    assert all(r["change_from"] == "" and r["change_flag"] == "" for r in rows)
    one = _table(tmp_path / "one", [run_2023], waves=[2023])
    assert all(r["change"] == "" for r in one)
    first = _table(tmp_path / "first", [run_2019, run_2023], change="first")
    assert {r["change_from"] for r in first if r["wave"] == "2023"} == {"2019"}


def test_no_change_across_a_break(
    tmp_path: Path, run_2019: Path, run_2023: Path, policy_file: Path
) -> None:
    from pipeline.questionnaire.dump import save_questionnaire
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.questionnaire.model import Cutoffs

    from .archive_helpers import rewrite_questionnaire

    q19 = load_questionnaire("wbm-werknemers-2019")
    ind = q19.indicator("stress")
    assert ind.cutoffs is not None
    d = ind.cutoffs["default"]
    cut = {**ind.cutoffs, "default": Cutoffs(problematisch=d.problematisch + 5, acuut=d.acuut)}
    changed = q19.model_copy(
        update={
            "indicators": tuple(
                i.model_copy(update={"cutoffs": cut}) if i.name == "stress" else i
                for i in q19.indicators
            )
        }
    )
    run = copy_run(run_2019, tmp_path / "r19")
    rewrite_questionnaire(run, str(save_questionnaire(changed, tmp_path / "q19.yaml")))
    rows = _table(tmp_path, [run, run_2023])
    later = [r for r in rows if r["wave"] == "2023"]
    assert {r["change_flag"] for r in later} == {"not_comparable"}  # werkstress and werkbaar werk
    assert all(r["change"] == "" for r in later)
    assert not math.isnan(float(later[0]["estimate"] or "nan")) or later[0]["flag"] == "suppressed"
