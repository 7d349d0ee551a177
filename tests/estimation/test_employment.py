"""Shares of employees and magnitude totals of an organisation survey against R `survey`
(recipe and values beside this file: golden/employment.R -> golden/employment_golden.csv)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import EstimationError
from pipeline.estimation.employment import EMPLOYEES, ORGANISATIONS, employment_estimates

GOLDEN = Path(__file__).parent / "golden"
STRATA = ["sector_group", "size_class"]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(GOLDEN / "employment_data.csv")


def _table(df: pd.DataFrame) -> pd.DataFrame:
    return employment_estimates(
        df,
        weight="weight",
        size="employees",
        strata=STRATA,
        indicators=["beperkt_competentiebeleid", "geen_innovatie"],
        magnitudes=["employees", "tr_days"],
    )


def test_equals_r_svyratio_and_svytotal_on_a_stratified_fpc_design(data):
    got = _table(data).set_index(["indicator", "basis"])
    want = pd.read_csv(GOLDEN / "employment_golden.csv")
    for r in want.itertuples():
        row = got.loc[(r.indicator, r.basis)]
        assert row["estimate"] == pytest.approx(r.estimate, rel=1e-10), r.indicator
        assert row["se"] == pytest.approx(r.se, rel=1e-9), r.indicator


def test_share_of_employees_differs_from_share_of_organisations(data):
    """Large organisations have a competence policy more often: weighting by jobs lowers the share."""
    t = _table(data)
    emp = t[(t["indicator"] == "beperkt_competentiebeleid") & (t["basis"] == EMPLOYEES)]
    w = data["weight"]
    orgs = float((w * data["beperkt_competentiebeleid"]).sum() / w.sum())
    assert float(emp["estimate"].iloc[0]) < orgs - 0.1
    assert set(t["basis"]) == {EMPLOYEES, ORGANISATIONS}


@settings(max_examples=25, deadline=None)
@given(st.floats(min_value=0.01, max_value=1000))
def test_shares_do_not_depend_on_the_unit_of_size(data, factor):
    base = _table(data)
    scaled = data.assign(employees=data["employees"] * factor)
    t = employment_estimates(
        scaled,
        weight="weight",
        size="employees",
        strata=STRATA,
        indicators=["beperkt_competentiebeleid"],
    )
    b = base[base["indicator"] == "beperkt_competentiebeleid"].iloc[0]
    assert t["estimate"].iloc[0] == pytest.approx(b["estimate"], rel=1e-9)
    assert t["se"].iloc[0] == pytest.approx(b["se"], rel=1e-9)


def test_missing_or_negative_size_is_a_located_error(data):
    bad = data.assign(employees=data["employees"].astype(float))
    bad.loc[3, "employees"] = np.nan
    bad.loc[7, "employees"] = -2
    with pytest.raises(EstimationError) as ei:
        _table(bad)
    assert ei.value.code == "bad_design"
    assert [p.row for p in ei.value.problems] == [4, 8]


def test_the_recorded_design_columns_give_the_same_table(data):
    """The estimate stage passes the weight stage's design columns (stratum, fpc = N_h); for
    post-stratified weights they equal the strata joined and the sum of the weights."""
    d = data.assign(
        design_stratum=data["sector_group"].astype(str) + "*" + data["size_class"].astype(str),
    )
    d["design_fpc"] = d.groupby("design_stratum")["weight"].transform("sum")
    got = employment_estimates(
        d,
        weight="weight",
        size="employees",
        strata=STRATA,
        indicators=["beperkt_competentiebeleid"],
        magnitudes=["tr_days"],
        stratum_column="design_stratum",
        fpc_column="design_fpc",
    )
    want = _table(data)
    want = want[want["indicator"].isin(["beperkt_competentiebeleid", "tr_days"])]
    assert got["estimate"].tolist() == pytest.approx(want["estimate"].tolist(), rel=1e-12)
    assert got["se"].tolist() == pytest.approx(want["se"].tolist(), rel=1e-12)


def test_a_missing_code_is_left_out_of_a_total_never_summed(data):
    """The questionnaire's missing codes (-9 "geen antwoord" ...) in a magnitude item are no
    answers: the total is that of the organisations that answered, as with an empty cell (the
    estimate stage summed them as values: 215 organisations' -1/-7/-8/-9 on the demo)."""
    clean = data.assign(tr_days=data["tr_days"].where(data["tr_days"] >= 0))  # the file's codes
    coded = clean.copy()
    rows = coded.index[:7]
    coded.loc[rows, "tr_days"] = [-1, -7, -8, -9, -9, -9, -1]
    empty = clean.copy()
    empty.loc[rows, "tr_days"] = np.nan

    def total(df: pd.DataFrame, missing: tuple[float, ...]) -> float:
        t = employment_estimates(
            df,
            weight="weight",
            size="employees",
            strata=STRATA,
            indicators=[],
            magnitudes=["tr_days"],
            missing=missing,
        )
        return float(t["estimate"].iloc[0])

    want = total(empty, ())
    assert total(coded, (-1, -7, -8, -9)) == pytest.approx(want, rel=1e-12)
    assert total(coded, ()) < want  # summed as values, the codes lower the total
