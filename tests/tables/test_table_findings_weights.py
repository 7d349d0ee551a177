"""Review finding 6 (issue 13), the attack as written, on the session's demo wave: the difference of
two weighted N was one respondent's weight, which is unique in the scientific-use file.

The attacker holds the scientific-use file (its ``weight`` column is the data's weights) and two
published weighted N whose respondent sets differ by one person. The differencing check refuses
such a pair (finding 1); here the weighted N themselves are checked as the second line: rounded to
the published base, their difference must fit at least ``min_n_count`` weights of the file.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.rundata import layout
from pipeline.sdc.tables.weights import candidates, rounded, safe_base
from pipeline.tables.api import make_table

from .tables_helpers import csv_rows, request_file

MIN_N_COUNT = 5  # the test registry's policy (the reference policy's values)


@pytest.fixture(scope="module")
def scored(small_run_dir) -> pd.DataFrame:
    return pd.read_parquet(layout.stage_file(small_run_dir, "score", layout.SCORED))


@pytest.fixture(scope="module")
def suf_weights(small_run_dir) -> np.ndarray:
    """The weight column of the scientific-use file the outputs stage released."""
    out = layout.stage_dir(small_run_dir, "outputs") / layout.MICRODATA_DIR
    (csv,) = out.glob("*-scientific-use.csv")
    return pd.read_csv(csv)["weight"].to_numpy(dtype=float)


def _matches(weights: np.ndarray, lo: float, hi: float) -> int:
    return int(((weights > lo) & (weights < hi)).sum())


def _rounded(x: float, base: int) -> float:
    """A weighted N as published, of a number (never NaN here)."""
    r = rounded(x, base)
    assert r is not None
    return r


def test_difference_of_two_weighted_n_no_longer_finds_the_record(
    run_copy, scored, suf_weights, tmp_path
):
    # the respondent with the largest weight: unique in the scientific-use file
    ok = scored[scored["werkstress"].notna()]
    r = ok["weight"].idxmax()
    w, sector = float(ok.at[r, "weight"]), int(ok.at[r, "sector"])
    assert _matches(suf_weights, w - 1e-6, w + 1e-6) == 1
    p = ok[ok["sector"] == sector]
    exact_p, exact_p_minus = float(p["weight"].sum()), float(p["weight"].sum()) - w
    # the attack as the review ran it: exact weighted N of P and P minus r -> one record
    d = exact_p - exact_p_minus
    assert _matches(suf_weights, d - 1e-6, d + 1e-6) == 1

    # what is published now: the weighted N of P, rounded to the base the table states
    req = request_file(
        tmp_path,
        name="n-of-p",
        indicators=["werkstress"],
        statistics=["n", "weighted_n"],
        rows=None,
        columns=None,
        filters=[{"variable": "sector", "levels": [sector]}],
    )
    out = make_table(req, [run_copy], tmp_path / "out")
    (row,) = csv_rows(out.files[1])
    base = json.loads(out.files[2].read_text(encoding="utf-8"))["weighted_n_base"]["2023"]
    assert base is not None and base % 100 == 0
    assert float(row["weighted_n"]) == rounded(exact_p, base)
    # even if P minus r were published beside it (the differencing check refuses it: finding 1),
    # the rounded difference fits at least min_n_count weights of the scientific-use file
    d = float(row["weighted_n"]) - _rounded(exact_p_minus, base)
    assert _matches(suf_weights, d - base, d + base) >= MIN_N_COUNT
    # and the policy's own base would not have been enough for this weight
    d100 = _rounded(exact_p, 100) - _rounded(exact_p_minus, 100)
    assert _matches(suf_weights, d100 - 100, d100 + 100) < MIN_N_COUNT
    # the pair itself: P minus r is suppressed (respondent sets differ by one)
    minus = request_file(
        tmp_path,
        name="n-of-p-minus-one",
        requester="fonds-b",
        indicators=["werkstress"],
        statistics=["n", "weighted_n"],
        rows=None,
        columns=None,
        filters=[
            {"variable": "sector", "levels": [sector]},
            {
                "variable": "age_band",
                "levels": [b for b in (1, 2, 3, 4, 5) if b != int(ok.at[r, "age_band"])],
            },
        ],
    )
    b = make_table(minus, [run_copy], tmp_path / "b")
    if (p["age_band"] == ok.at[r, "age_band"]).sum() < MIN_N_COUNT:
        assert [x["flag"] for x in csv_rows(b.files[1])] == ["suppressed"]


@settings(max_examples=60, deadline=None)
@given(
    weights=st.lists(
        st.floats(min_value=1.0, max_value=5_000.0, allow_nan=False), min_size=5, max_size=60
    ),
    base=st.sampled_from([1, 10, 100]),
    k=st.integers(min_value=2, max_value=5),
    data=st.data(),
)
def test_any_rounded_difference_fits_k_weights(weights, base, k, data):
    """Property: at the base :func:`safe_base` picks, for any group and any member of it, the
    difference of the two rounded weighted N fits at least k weights, or weighted N are left out."""
    w = np.array(weights)
    b = safe_base(w, base, k)
    if b is None:
        assert candidates(w, 20 * base).min() < k
        return
    assert b % base == 0
    members = data.draw(st.lists(st.integers(0, len(w) - 1), min_size=1, unique=True))
    i = data.draw(st.sampled_from(members))
    total = float(w[members].sum())
    d = _rounded(total, b) - _rounded(total - w[i], b)
    assert abs(d - w[i]) < b or np.isclose(abs(d - w[i]), b)
    assert _matches(w, d - b - 1e-9, d + b + 1e-9) >= k
