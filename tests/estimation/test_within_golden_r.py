"""Tests inside a group (a level of a breakdown against the rest of the same sector) against R.

Recipe: ``tests/estimation/golden/riskprofile/within.R`` on the risk-profile golden data and its
raked design (R 4.2, survey 4.1-1): the two domain means in ``subset(design, sector == k)`` and
their difference with its linearised SE (``svyglm(y ~ (b == j))`` on the subset). Tolerance 1e-9
relative."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.estimation.design import make_calibration, make_design
from pipeline.estimation.within import compare_within

HERE = Path(__file__).parent / "golden" / "riskprofile"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    d = pd.read_csv(HERE / "data.csv").merge(pd.read_csv(HERE / "weights.csv"), on="id")
    cal = make_calibration(
        [d["sex"].to_numpy() - 1, d["sector"].to_numpy() - 1], d["w0"].to_numpy()
    )
    design = make_design(d["weight"].to_numpy(), calibration=cal)
    return compare_within(d, design, ["y1", "y2"], "sector", ["sex", "age"])


def test_every_level_of_every_sector_against_the_rest_of_its_sector(table):
    g = pd.read_csv(HERE / "within.csv")
    assert len(g) == 42
    for r in g.itertuples():
        hit = table[
            (table["indicator"] == r.outcome)
            & (table["by"] == f"sector:{r.by}")
            & (table["level"] == f"{r.sector}:{r.level:g}")
        ]
        assert len(hit) == 1, r
        h = hit.iloc[0]
        for ours, theirs in (
            ("estimate", r.estimate),
            ("estimate_rest", r.estimate_rest),
            ("diff", r.diff),
            ("diff_se", r.diff_se),
        ):
            np.testing.assert_allclose(h[ours], theirs, rtol=1e-9, err_msg=f"{r} {ours}")


def test_the_rest_is_the_rest_of_the_same_sector(table):
    """Two levels: each is the other's rest, so the differences are opposite."""
    s = table[(table["by"] == "sector:sex") & (table["indicator"] == "y1")]
    one = s[s["level"] == "2:1"].iloc[0]
    two = s[s["level"] == "2:2"].iloc[0]
    assert one["estimate"] == pytest.approx(two["estimate_rest"], rel=1e-12)
    assert one["diff"] == pytest.approx(-two["diff"], rel=1e-9)
    assert one["p_value"] == pytest.approx(two["p_value"], rel=1e-9)
