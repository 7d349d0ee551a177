"""Margins file format: loading, every check, round trip, shipped files, data coding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import SpecError, WeightingError
from pipeline.paths import WEIGHTS_DIR
from pipeline.weighting.coding import build_codes
from pipeline.weighting.margins import (
    dump_margins,
    load_margins,
    margins_from_rows,
)


def test_load_with_metadata_and_joint(tmp_path: Path, write_margins, META):
    p = write_margins(
        tmp_path / "m.csv",
        [
            ("sex", 1, 60),
            ("sex", 2, 40),
            ("sex*age_band", "1*1", 25),
            ("sex*age_band", "1*2", 35),
            ("sex*age_band", "2*1", 15),
            ("sex*age_band", "2*2", 25),
        ],
        META,
    )
    m = load_margins(p, require_meta=True)
    assert [x.name for x in m.margins] == ["sex", "sex*age_band"]
    assert m.variables == ("sex", "age_band")
    assert m.total == 100
    assert m.meta is not None and m.meta.synthetic and m.meta.unit == "persons"
    assert m.margin("sex*age_band").levels[1] == ("1", "2")


def test_every_line_problem_reported_at_once(tmp_path: Path):
    p = tmp_path / "bad.csv"
    p.write_text(
        "variable,level,total\n"
        "sex,1,50\n"
        "sex,2,-3\n"  # negative total
        "sex,1,10\n"  # duplicate
        "age band,1,10\n"  # bad variable name
        "sex*age_band,1,10\n"  # level does not match the joint variable
        "age_band,2,abc\n"  # not a number
        "age_band,3\n",  # wrong number of fields
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as exc:
        load_margins(p)
    codes = [(pr.line, pr.code) for pr in exc.value.problems]
    assert codes == [
        (8, "bad_line"),
        (3, "negative_total"),
        (4, "duplicate_level"),
        (5, "bad_variable"),
        (6, "bad_level"),
        (7, "bad_total"),
    ]
    assert all(pr.file == str(p) for pr in exc.value.problems)


def test_grand_totals_disagree(tmp_path: Path, write_margins):
    p = write_margins(
        tmp_path / "m.csv",
        [("sex", 1, 60), ("sex", 2, 40), ("age_band", 1, 50), ("age_band", 2, 51)],
    )
    with pytest.raises(SpecError) as exc:
        load_margins(p)
    assert exc.value.code == "margins_inconsistent"
    assert [pr.code for pr in exc.value.problems] == ["totals_disagree"]
    assert exc.value.problems[0].path == "age_band"


def test_joint_must_add_up_to_single_margin():
    with pytest.raises(SpecError) as exc:
        margins_from_rows(
            [
                ("sex", "1", 60),
                ("sex", "2", 40),
                ("sex*age_band", "1*1", 30),
                ("sex*age_band", "1*2", 20),
                ("sex*age_band", "2*1", 25),
                ("sex*age_band", "2*2", 25),
            ]
        )
    assert {pr.code for pr in exc.value.problems} == {"joint_inconsistent"}


def test_bad_metadata(tmp_path: Path, write_margins, META):
    meta = META.replace("unit: persons", "unit: people").replace("synthetic: true", "synthetic: 1")
    p = write_margins(tmp_path / "m.csv", [("sex", 1, 1)], meta + "colour: red\n")
    with pytest.raises(SpecError) as exc:
        load_margins(p)
    assert [pr.path for pr in exc.value.problems] == ["colour"]
    p = write_margins(tmp_path / "m.csv", [("sex", 1, 1)], meta)
    with pytest.raises(SpecError) as exc:
        load_margins(p)
    assert sorted(pr.path or "" for pr in exc.value.problems) == ["synthetic", "unit"]
    p2 = write_margins(tmp_path / "n.csv", [("sex", 1, 1)])
    with pytest.raises(SpecError) as exc:
        load_margins(p2, require_meta=True)
    assert exc.value.problems[0].code == "meta_missing"


def test_missing_file_and_bad_header(tmp_path: Path):
    with pytest.raises(SpecError) as exc:
        load_margins(tmp_path / "nope.csv")
    assert exc.value.code == "file_not_found"
    p = tmp_path / "h.csv"
    p.write_text("var,lvl,n\nsex,1,2\n", encoding="utf-8")
    with pytest.raises(SpecError) as exc:
        load_margins(p)
    assert exc.value.problems[0].line == 1


def test_round_trip(tmp_path: Path, write_margins, META):
    p = write_margins(
        tmp_path / "m.csv",
        [
            ("sex", 1, 60.5),
            ("sex", 2, 39.5),
            ("sex*age_band", "1*1", 30),
            ("sex*age_band", "1*2", 30.5),
            ("sex*age_band", "2*1", 20),
            ("sex*age_band", "2*2", 19.5),
        ],
        META + "collapse:\n  - {variable: age_band, min_count: 5}\n",
    )
    m = load_margins(p)
    dump_margins(m, tmp_path / "copy.csv")
    again = load_margins(tmp_path / "copy.csv")
    assert again == m
    assert (tmp_path / "copy.csv").read_text().startswith("# SYNTHETIC")


@pytest.mark.parametrize(
    "name", ["zelfstandigen-2023", "oe-2025-organisaties", "oe-2025-werkgelegenheid"]
)
def test_shipped_margins_load_and_say_synthetic(name: str):
    path = WEIGHTS_DIR / f"{name}.synthetic.csv"
    m = load_margins(path, require_meta=True)
    assert m.meta is not None and m.meta.synthetic
    assert "SYNTHETIC" in path.read_text(encoding="utf-8").splitlines()[0]


def test_employee_margins_file_if_present():
    path = WEIGHTS_DIR / "werknemers-2023.synthetic.csv"
    if not path.exists():
        pytest.skip("werknemers-2023.synthetic.csv is written by the synthetic generator")
    m = load_margins(path)
    assert {"sex", "age_band", "sector", "statute", "province"} <= set(m.variables)


# ---- coding data against margins --------------------------------------------------------------


def test_codes_from_float_and_string_columns(tmp_path: Path):
    m = margins_from_rows([("sex", "1", 60), ("sex", "2", 40), ("reg", "A", 70), ("reg", "B", 30)])
    df = pd.DataFrame({"sex": [1.0, 2.0, 2.0, 1.0], "reg": ["A", " B", "A", "B"]})
    mc = build_codes(df, m)
    assert mc.codes[0].tolist() == [0, 1, 1, 0]
    assert mc.codes[1].tolist() == [0, 1, 0, 1]


def test_level_mismatch_both_ways_and_missing_values():
    m = margins_from_rows(
        [
            ("sex", "1", 60),
            ("sex", "2", 40),
            ("age_band", "1", 50),
            ("age_band", "2", 25),
            ("age_band", "3", 25),
        ]
    )
    df = pd.DataFrame({"sex": [1, 2, 3, 3], "age_band": [1, 2, 1, 2]})
    with pytest.raises(WeightingError) as exc:
        build_codes(df, m)
    assert [(p.code, p.column, p.value) for p in exc.value.problems] == [
        ("level_not_in_margins", "sex", "3")
    ]
    df = pd.DataFrame({"sex": [1, 2, 1, 2], "age_band": [1, 2, 1, 2]})
    with pytest.raises(WeightingError) as exc:
        build_codes(df, m)
    assert exc.value.code == "empty_cell"
    assert exc.value.problems[0].path == "age_band=3"
    df = pd.DataFrame({"sex": [1, np.nan, np.nan, 2], "age_band": [1, 2, 3, 2]})
    with pytest.raises(WeightingError) as exc:
        build_codes(df, m)
    assert exc.value.code == "missing_values"
    assert "2 row(s)" in exc.value.problems[0].message
    with pytest.raises(WeightingError) as exc:
        build_codes(pd.DataFrame({"sex": [1, 2]}), m)
    assert exc.value.problems[0].code == "missing_column"


def test_joint_combination_missing_from_margins():
    m = margins_from_rows([("sex*age_band", "1*1", 50), ("sex*age_band", "2*2", 50)])
    df = pd.DataFrame({"sex": [1, 2, 1], "age_band": [1, 2, 2]})
    with pytest.raises(WeightingError) as exc:
        build_codes(df, m)
    assert exc.value.problems[0].path == "sex*age_band=1*2"


def test_margins_given_as_proportions_are_refused(tmp_path: Path, write_margins, META):
    """Issue 16: shares would give weights summing to 1 and totals that are shares; refused."""
    p = write_margins(
        tmp_path / "m.csv",
        [("sex", 1, 0.48), ("sex", 2, 0.52), ("age_band", 1, 0.3), ("age_band", 2, 0.7)],
        META,
    )
    with pytest.raises(SpecError) as ei:
        load_margins(p)
    assert "margins_are_shares" in {q.code for q in ei.value.problems}


def test_margins_as_percentages_weigh_with_a_notice(tmp_path: Path, write_margins, META):
    """Issue 16: totals adding up to 100 with fractional levels are probably percentages: the
    weights are made (a population of 100 is legal) but a notice says so."""
    import pandas as pd

    from pipeline.weighting.api import weight_frame

    p = write_margins(tmp_path / "m.csv", [("sex", 1, 48.5), ("sex", 2, 51.5)], META)
    m = load_margins(p)
    df = pd.DataFrame({"sex": [1, 1, 2, 2, 2]})
    res = weight_frame(df, m)
    assert "margins_look_like_percentages" in {n.code for n in res.notices}
    counts = write_margins(tmp_path / "c.csv", [("sex", 1, 4850), ("sex", 2, 5150)], META)
    assert "margins_look_like_percentages" not in {
        n.code for n in weight_frame(df, load_margins(counts)).notices
    }
