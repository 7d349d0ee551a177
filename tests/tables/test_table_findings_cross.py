"""Review finding 1 (issue 13), the attacks as written, on the session's demo wave: indicator X on
group P and a nested indicator (the acute share of X) on P minus one person; raw questionnaire items
as rows or filters (22 requests gave all 11 stress answers of one respondent)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.errors import SpecError
from pipeline.rundata import layout
from pipeline.tables.api import make_table

from .tables_helpers import csv_rows, request_file


@pytest.fixture(scope="module")
def scored(small_run_dir) -> pd.DataFrame:
    return pd.read_parquet(layout.stage_file(small_run_dir, "score", layout.SCORED))


def one_person_group(df: pd.DataFrame) -> tuple[int, int, int]:
    """(sector, statute, age band): P = sector x statute has at least 31 respondents answering
    werkstress, and exactly one of them is in the age band (P minus that band is P minus one)."""
    ok = df[df["werkstress"].notna() & df["werkstress_acuut"].notna()]
    for (sector, statute), g in ok.groupby(["sector", "statute"]):
        counts = g["age_band"].value_counts()
        if len(g) >= 31 and (counts == 1).any():  # P and P minus one both publishable alone
            return int(sector), int(statute), int(counts[counts == 1].index[0])
    raise AssertionError("the demo has no group with a single respondent in an age band")


def test_x_on_p_and_acute_x_on_p_minus_one_person(run_copy, scored, tmp_path):
    sector, statute, band = one_person_group(scored)
    others = [b for b in (1, 2, 3, 4, 5) if b != band]
    first = request_file(
        tmp_path,
        name="x-on-p",
        indicators=["werkstress"],
        rows=None,
        columns=None,
        filters=[
            {"variable": "sector", "levels": [sector]},
            {"variable": "statute", "levels": [statute]},
        ],
    )
    second = request_file(
        tmp_path,
        name="acute-x-on-p-minus-one",
        requester="fonds-b",  # another organisation, on purpose
        indicators=["werkstress_acuut"],
        rows=None,
        columns=None,
        filters=[
            {"variable": "sector", "levels": [sector]},
            {"variable": "statute", "levels": [statute]},
            {"variable": "age_band", "levels": others},
        ],
    )
    a = make_table(first, [run_copy], tmp_path / "a")
    assert a.decision == "release" and csv_rows(a.files[1])[0]["flag"] in ("", "unreliable")
    b = make_table(second, [run_copy], tmp_path / "b")
    assert b.decision == "suppress", b.release.reasons
    assert [r["flag"] for r in csv_rows(b.files[1])] == ["suppressed"]
    assert any("small_difference" in r and "1 respondent" in r for r in b.release.reasons)
    # refusing instead of suppressing: nothing is written
    c = make_table(
        request_file(tmp_path / "c", name="again", requester="fonds-b", **_fields(second)),
        [run_copy],
        tmp_path / "c",
    )
    assert c.decision == "refuse" and c.files == () and not (tmp_path / "c" / "again.csv").exists()


def _fields(path) -> dict[str, object]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        k: data[k] for k in ("indicators", "filters", "rows", "columns") if data.get(k) is not None
    } | {"rows": None, "columns": None, "disclosure": {"on_disclosure": "refuse"}}


@pytest.mark.parametrize("item", [f"pv{i:02d}" for i in range(1, 12)])
def test_raw_stress_items_are_refused_as_rows_and_filters(run_copy, scored, tmp_path, item):
    """The 22 requests of the review: each of the 11 stress items as a row and as a filter."""
    sector, statute, band = one_person_group(scored)
    as_row = request_file(tmp_path, name="row", indicators=["werkstress"], rows=item, columns=None)
    as_filter = request_file(
        tmp_path,
        name="filter",
        indicators=["werkstress"],
        rows=None,
        columns=None,
        filters=[{"variable": "sector", "levels": [sector]}, {"variable": item, "levels": [1]}],
    )
    for req in (as_row, as_filter):
        with pytest.raises(SpecError) as err:
            make_table(req, [run_copy], tmp_path / "o")
        assert [p.code for p in err.value.problems] == ["raw_item_not_allowed"]
    assert not (tmp_path / "o").exists()
