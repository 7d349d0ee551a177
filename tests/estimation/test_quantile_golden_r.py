"""Design-based quantiles (the median) against R ``svyquantile``.

Recipe: ``tests/estimation/golden/quantile/quantile.R`` (R 4.2, survey 4.1-1) on the golden cases of
``golden.R`` (``apistrat``: stratified with fpc; ``apiclus1``: one-stage cluster sample;
``wbm_raked`` and ``wbm_raked_clustered``: raked with ``calibrate(calfun = "raking")``):
``svyquantile(~y, design, p, ci = TRUE, na.rm = TRUE)`` with survey's defaults (``qrule = "math"``,
the Woodruff interval ``interval.type = "mean"``), overall and on ``subset(design, by == level)``,
p = 0.5 and 0.25. Tolerance: the quantile and its interval bounds are data values, so exactly equal;
the SE (from the bounds and the t quantile) 1e-9 relative."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.estimation.api import by_codes
from pipeline.estimation.linearization import VarianceEngine
from pipeline.estimation.quantile import qrule_math, quantile_domains

from .estimation_golden import CASE_BY_NAME, build_design, load_data

GOLDEN = Path(__file__).parent / "golden" / "quantile" / "golden.csv"


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    return pd.read_csv(GOLDEN, keep_default_na=False, dtype={"by": str, "level": str})


@pytest.fixture(scope="module")
def results(golden: pd.DataFrame) -> dict[tuple[str, str, float, str, str], tuple]:
    out = {}
    for case_name in golden["case"].unique():
        case = CASE_BY_NAME[case_name]
        df = load_data(case)
        design = build_design(case, df)
        engine = VarianceEngine(design)
        g = golden[golden["case"] == case_name]
        for (var, p), rows in g.groupby(["variable", "p"]):
            x = pd.to_numeric(df[var], errors="coerce").to_numpy(dtype=np.float64)
            for b in [""] + sorted({str(v) for v in rows["by"] if v}):
                if b:
                    codes, labels = by_codes(df, b)
                    lay = engine.layout(codes, len(labels))
                else:
                    lay, labels = engine.layout(None, 1), [""]
                r = quantile_domains(engine, lay, x, float(p))
                for k, lv in enumerate(labels):
                    out[(case_name, str(var), float(p), b, lv)] = (
                        int(r.n[k]),
                        r.estimate[k],
                        r.ci_low[k],
                        r.ci_high[k],
                        r.se[k],
                    )
    return out


def test_every_case_is_compared(golden: pd.DataFrame) -> None:
    assert len(golden) == 96
    assert set(golden["case"]) == {"apistrat", "apiclus1", "wbm_raked", "wbm_raked_clustered"}


def test_quantiles_and_woodruff_intervals_equal_r(golden: pd.DataFrame, results) -> None:
    for g in golden.itertuples():
        n, est, lo, hi, se = results[(g.case, g.variable, float(g.p), g.by, g.level)]
        where = (g.case, g.variable, g.p, g.by, g.level)
        assert n == g.n, where
        assert est == float(g.estimate), where
        assert _same(lo, float(g.ci_low)) and _same(hi, float(g.ci_high)), where
        if np.isnan(float(g.se)):  # a bound below 0 or above 1: no interval, no SE (as in R)
            assert np.isnan(se), where
        else:
            assert se == pytest.approx(float(g.se), rel=1e-9), where


def _same(a: float, b: float) -> bool:
    return (np.isnan(a) and np.isnan(b)) or a == b


def test_qrule_math_on_small_cases() -> None:
    x = np.array([3.0, 1.0, 2.0, 4.0])
    w = np.ones(4)
    assert qrule_math(x, w, 0.5) == 2.0  # cumulative weight exactly p W: that value
    assert qrule_math(x, w, 0.6) == 3.0  # else the next value
    assert qrule_math(x, w, 0.1) == 2.0  # none at most p W: R takes the row after the first
    assert qrule_math(x, np.array([1.0, 0.0, 1.0, 1.0]), 1 / 3) == 2.0  # weight 0 left out
    assert np.isnan(qrule_math(x, np.zeros(4), 0.5))
