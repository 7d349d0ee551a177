"""The benchmark statistics of ``wbm table`` (``contrast_pairs``) against R ``survey``: a cell against
Flanders, against the rest, against another group of its breakdown and a crossed cell against its
row, on the raked synthetic wave of the estimation goldens. Recipe: ``golden/benchmark.R`` (a route
without svyby: ratios of svytotal()s and svycontrast()); values ``golden/benchmark_golden.csv``.

Tolerances as the estimation goldens (tests/estimation/golden/README.md): estimates and differences
1e-9 relative (of the larger operand for a difference), standard errors and p-values 1e-6 relative,
degrees of freedom exact."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pytest

from pipeline.estimation.compare import contrast_pairs
from pipeline.estimation.config import EstimationConfig
from pipeline.estimation.linearization import VarianceEngine
from tests.estimation.estimation_golden import CASE_BY_NAME, build_design, load_data

GOLDEN = Path(__file__).resolve().parent / "golden" / "benchmark_golden.csv"
EST_RTOL, SE_RTOL = 1e-9, 1e-6


def _mask(df: pd.DataFrame, text: str) -> np.ndarray:
    if text == "flanders":
        return np.ones(len(df), dtype=bool)
    m = np.ones(len(df), dtype=bool)
    for part in text.split("&"):
        var, level = part.split("=")
        m &= (df[var] == int(level)).to_numpy()
    return m


def _pair(df: pd.DataFrame, label: str) -> tuple[np.ndarray, np.ndarray]:
    a_text, b_text = label.split(" vs ")
    a = _mask(df, a_text)
    return a, (~a if b_text == "rest" else _mask(df, b_text))


@pytest.mark.parametrize("indicator", ["stress", "score"])
def test_benchmark_contrasts_equal_r_survey(indicator: str) -> None:
    g = pd.read_csv(GOLDEN, dtype={"pair": str})
    g = g[g["indicator"] == indicator]
    assert len(g) == 18
    case = CASE_BY_NAME["wbm_raked"]
    df = load_data(case)
    engine = VarianceEngine(build_design(case, df))
    masks = [_pair(df, label) for label in g["pair"]]
    a = np.column_stack([m[0] for m in masks])
    b = np.column_stack([m[1] for m in masks])
    stat: Literal["proportion", "mean"] = "proportion" if indicator == "stress" else "mean"
    res = contrast_pairs(engine, df[indicator].to_numpy(float), a, b, stat, EstimationConfig())
    np.testing.assert_allclose(res.estimate, g["estimate_a"], rtol=EST_RTOL)
    np.testing.assert_allclose(res.estimate_rest, g["estimate_b"], rtol=EST_RTOL)
    scale = np.maximum(np.abs(g["estimate_a"]), np.abs(g["estimate_b"])).to_numpy()
    assert np.all(np.abs(res.diff - g["diff"].to_numpy()) <= EST_RTOL * scale)
    np.testing.assert_allclose(res.diff_se, g["diff_se"], rtol=SE_RTOL)
    np.testing.assert_allclose(res.p_value, g["p_value"], rtol=SE_RTOL)
    assert (res.df == g["df"].to_numpy()).all()


def test_against_the_rest_it_is_the_domain_contrast_of_the_estimate_stage() -> None:
    """contrast_pairs(cell, rest) is compare_domains' test (the reports' domain-vs-rest): one method."""
    from pipeline.estimation.api import compare_domains

    case = CASE_BY_NAME["wbm_raked"]
    df = load_data(case)
    des = build_design(case, df)
    levels = sorted(df["sector"].unique())
    a = np.column_stack([(df["sector"] == lv).to_numpy() for lv in levels])
    res = contrast_pairs(
        VarianceEngine(des), df["werkbaar"].to_numpy(float), a, ~a, "proportion", EstimationConfig()
    )
    t = compare_domains(df, des, ["werkbaar"], ["sector"])
    np.testing.assert_allclose(res.diff, t["diff"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(res.diff_se, t["diff_se"], rtol=1e-10)
    np.testing.assert_allclose(res.p_value, t["p_value"], rtol=1e-8)
