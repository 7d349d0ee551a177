"""The by-variables of a run's estimates (``pipeline.estimation.domainframe``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.estimation.domainframe import domain_frame


def test_missing_codes_become_missing_and_sector_is_crossed() -> None:
    df = pd.DataFrame(
        {
            "sector": [3, 3, 12, -9, 1],
            "sex": [1, 2, 1, 1, -8],
            "province": [1, -7, 2, 3, 4],
        }
    )
    dom, by = domain_frame(df, ["sector", "sex", "province"])
    assert by == ["sector", "sex", "province", "sector:sex"]
    assert dom["sector"].isna().tolist() == [False, False, False, True, False]
    assert dom["province"].isna().tolist() == [False, True, False, False, False]
    crossed = dom["sector:sex"]
    # levels ordered numerically (12 after 3), rows with a missing code in either are missing
    assert list(crossed.cat.categories) == ["3:1", "3:2", "12:1"]
    assert crossed.tolist()[:3] == ["3:1", "3:2", "12:1"]
    assert crossed.isna().tolist() == [False, False, False, True, True]


def test_no_crossing_without_sector() -> None:
    df = pd.DataFrame({"sex": [1, 2], "age_band": [1, 3]})
    dom, by = domain_frame(df, ["sex", "age_band"])
    assert by == ["sex", "age_band"] and list(dom.columns) == by


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(-9, 20), st.integers(-9, 3)), min_size=1, max_size=40))
def test_row_order_does_not_matter(rows: list[tuple[int, int]]) -> None:
    df = pd.DataFrame(rows, columns=["sector", "sex"])
    dom, _ = domain_frame(df, ["sector", "sex"])
    perm = np.random.default_rng(len(rows)).permutation(len(rows))
    again, _ = domain_frame(df.iloc[perm], ["sector", "sex"])
    assert (
        again["sector:sex"].astype(object).tolist()
        == dom["sector:sex"].astype(object).iloc[perm].tolist()
    )
    assert list(again["sector:sex"].cat.categories) == list(dom["sector:sex"].cat.categories)
