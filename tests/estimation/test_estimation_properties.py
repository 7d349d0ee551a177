"""Invariants of the estimates table (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.estimation.api import (
    DesignSpec,
    calibration_from_columns,
    compare_domains,
    estimate_table,
    to_csv_text,
)

NUMERIC = ["n", "weighted_n", "estimate", "se", "ci_low", "ci_high", "deff", "df"]


def _frame(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "stratum": rng.integers(0, 3, n),
            "psu": rng.integers(0, 12, n),
            "sex": rng.integers(1, 3, n),
            "age": rng.integers(1, 4, n),
            "sector": rng.choice(["a", "b", "c", "d"], n),
            "w0": rng.uniform(1.0, 5.0, n),
        }
    )
    df["w"] = df["w0"] * np.exp(0.1 * df["sex"] - 0.05 * df["age"])
    y = (rng.random(n) < 0.3 + 0.1 * (df["sex"] == 2)).astype(float)
    y[rng.random(n) < 0.1] = np.nan
    df["y"] = y
    df["z"] = (rng.random(n) < 0.6).astype(float)
    return df


def _table(df: pd.DataFrame, calibrated: bool, **kw: object) -> pd.DataFrame:
    cal = calibration_from_columns(df, [["sex"], ["age"]], "w0") if calibrated else None
    return estimate_table(
        df,
        DesignSpec("w", strata="stratum", psu="psu"),
        ["y", "z"],
        ["sector", "sex"],
        calibration=cal,
        **kw,
    )


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(60, 200),
    calibrated=st.booleans(),
    perm_seed=st.integers(0, 10_000),
)
def test_row_order_does_not_change_the_table(seed, n, calibrated, perm_seed):
    df = _frame(seed, n)
    perm = np.random.default_rng(perm_seed).permutation(n)
    a = _table(df, calibrated)
    b = _table(df.iloc[perm].reset_index(drop=True), calibrated)
    pd.testing.assert_frame_equal(a.drop(columns=NUMERIC), b.drop(columns=NUMERIC))
    np.testing.assert_allclose(
        a[NUMERIC].to_numpy(float), b[NUMERIC].to_numpy(float), rtol=1e-9, atol=1e-15
    )


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(60, 200),
    factor=st.floats(0.01, 100.0),
    calibrated=st.booleans(),
)
def test_scaling_the_weights_leaves_proportions_and_their_ses(seed, n, factor, calibrated):
    df = _frame(seed, n)
    df2 = df.assign(w=df["w"] * factor, w0=df["w0"] * factor)
    a, b = _table(df, calibrated), _table(df2, calibrated)
    for c in ("estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(
            a[c].to_numpy(float), b[c].to_numpy(float), rtol=1e-8, atol=1e-14
        )
    np.testing.assert_allclose(b["weighted_n"], a["weighted_n"] * factor, rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(60, 200), calibrated=st.booleans())
def test_intervals_hold_the_estimate_and_stay_in_0_1(seed, n, calibrated):
    t = _table(_frame(seed, n), calibrated)
    ok = t["se"].notna() & t["ci_low"].notna()
    assert ok.any()
    s = t[ok]
    assert (s["ci_low"] <= s["estimate"] + 1e-12).all()
    assert (s["estimate"] <= s["ci_high"] + 1e-12).all()
    assert (s["ci_low"] >= 0).all() and (s["ci_high"] <= 1).all()
    assert (t["se"].dropna() >= 0).all()


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(60, 200), calibrated=st.booleans())
def test_domain_totals_add_up_to_the_overall_total(seed, n, calibrated):
    t = _table(_frame(seed, n), calibrated, stat="total")
    for ind in ("y", "z"):
        s = t[t["indicator"] == ind]
        overall = s[s["by"] == ""]["estimate"].iloc[0]
        for by in ("sector", "sex"):
            assert np.isclose(s[s["by"] == by]["estimate"].sum(), overall, rtol=1e-12)
            assert s[s["by"] == by]["n"].sum() == s[s["by"] == ""]["n"].iloc[0]


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(60, 200), calibrated=st.booleans())
def test_two_domains_against_each_other_are_mirror_images(seed, n, calibrated):
    df = _frame(seed, n)
    cal = calibration_from_columns(df, [["sex"], ["age"]], "w0") if calibrated else None
    c = compare_domains(
        df, DesignSpec("w", strata="stratum", psu="psu"), ["y"], ["sex"], calibration=cal
    )
    assert len(c) == 2
    a, b = c.iloc[0], c.iloc[1]
    assert np.isclose(a["diff"], -b["diff"], rtol=1e-12, atol=1e-15)
    assert np.isclose(a["diff_se"], b["diff_se"], rtol=1e-9)
    assert np.isclose(a["estimate"], b["estimate_rest"], rtol=1e-12)
    # significant: p < 0.05, never on a row flagged suppressed (either side below 30; issue 16)
    assert a["significant"] == (a["p_value"] < 0.05 and "suppressed" not in a["flags"])
    assert a["significant"] == b["significant"]


def test_csv_is_byte_identical_across_runs():
    df = _frame(1, 150)
    assert to_csv_text(_table(df, True)) == to_csv_text(_table(df.copy(), True))
