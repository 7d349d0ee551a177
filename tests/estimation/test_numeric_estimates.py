"""Numeric indicators (``kind: numeric``): the mean is the engine's domain mean, the median R's
``svyquantile`` (the golden values of ``golden/quantile/``), and the item's missing codes are
missing values, not numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.estimation.api import estimate
from pipeline.estimation.numeric import NUMERIC_COLUMNS, numeric_estimates

from .estimation_golden import CASE_BY_NAME, build_design, load_data

GOLDEN = Path(__file__).parent / "golden" / "quantile" / "golden.csv"


@pytest.fixture(scope="module")
def wbm():
    case = CASE_BY_NAME["wbm_raked"]
    df = load_data(case)
    return df, build_design(case, df)


def test_mean_and_median_per_domain_equal_the_engine_and_r(wbm) -> None:
    df, design = wbm
    coded = df.assign(minutes=df["score"].fillna(-9))  # a missing code where the value is missing
    t = numeric_estimates(
        coded, design, [("mod_score", "minutes")], ["sector"], missing=(-1, -7, -8, -9)
    )
    assert tuple(t.columns) == NUMERIC_COLUMNS
    assert set(t["stat"]) == {"mean", "median"} and set(t["variable"]) == {"minutes"}
    means = estimate(df, design, ["score"], ["sector"], stat="mean").table
    got = t[t["stat"] == "mean"].reset_index(drop=True)
    for col in ("n", "weighted_n", "estimate", "se", "ci_low", "ci_high", "df"):
        assert np.allclose(
            got[col].to_numpy(float), means[col].to_numpy(float), rtol=1e-12, equal_nan=True
        ), col
    golden = pd.read_csv(GOLDEN, keep_default_na=False, dtype={"by": str, "level": str})
    g = golden[(golden["case"] == "wbm_raked") & (golden["variable"] == "score")]
    g = g[(g["p"] == 0.5) & g["by"].isin(["", "sector"])].set_index(["by", "level"])
    med = t[t["stat"] == "median"].set_index(["by", "level"])
    assert len(g) == len(med) == 1 + df["sector"].nunique()
    for key, r in g.iterrows():
        m = med.loc[key]
        assert m["n"] == r["n"] and m["estimate"] == float(r["estimate"]), key
        assert (m["ci_low"], m["ci_high"]) == (float(r["ci_low"]), float(r["ci_high"])), key
        assert m["se"] == pytest.approx(float(r["se"]), rel=1e-9), key


def test_missing_codes_are_not_numbers(wbm) -> None:
    df, design = wbm
    gone = np.arange(len(df)) % 7 == 0
    coded = df.assign(minutes=np.where(gone, -9.0, df["score"]))
    blank = df.assign(minutes=np.where(gone, np.nan, df["score"]))
    with_codes = numeric_estimates(coded, design, [("x", "minutes")], missing=(-9,))
    as_nan = numeric_estimates(blank, design, [("x", "minutes")])
    cols = ["n", "estimate", "ci_low", "ci_high"]
    assert with_codes[cols].equals(as_nan[cols])
    assert with_codes["n"].iloc[0] == int((~gone).sum())
    naive = numeric_estimates(coded, design, [("x", "minutes")])  # -9 read as minutes
    assert naive["n"].iloc[0] > with_codes["n"].iloc[0]
