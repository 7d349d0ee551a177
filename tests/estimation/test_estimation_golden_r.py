"""Our estimates against R's survey package (golden/golden.R; tolerances in golden/README.md).

Estimates to 1e-9 relative, standard errors, intervals and design effects to 1e-6 relative, n and
degrees of freedom exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.estimation import ci
from pipeline.estimation.api import compare_domains, estimate_table
from pipeline.estimation.config import EstimationConfig

from .estimation_golden import CASE_BY_NAME, CASES, Case, build_design, load_data, num

EST_RTOL = 1e-9
SE_RTOL = 1e-6


def assert_rel(r_values: pd.Series, ours: pd.Series | np.ndarray, rtol: float, what: str) -> None:
    a = (
        r_values.to_numpy(dtype=np.float64)
        if pd.api.types.is_numeric_dtype(r_values)
        else num(r_values)
    )
    b = np.asarray(ours, dtype=np.float64)
    assert a.shape == b.shape
    both_nan = np.isnan(a) & np.isnan(b)
    assert not (np.isnan(a) ^ np.isnan(b)).any(), f"{what}: missing in one of R / ours"
    ok = both_nan | np.isclose(b, a, rtol=rtol, atol=0.0)
    bad = np.flatnonzero(~ok)
    assert bad.size == 0, f"{what}: {bad.size} differ, e.g. R {a[bad[0]]!r} vs ours {b[bad[0]]!r}"


def _table(case: Case, stat: str, inds: tuple[str, ...], ci_method: str = "logit") -> pd.DataFrame:
    df = load_data(case)
    des = build_design(case, df)
    cfg = EstimationConfig(ci_method=ci_method)  # type: ignore[arg-type]
    return estimate_table(df, des, list(inds), list(case.by), stat=stat, config=cfg)


def _merged(
    golden: pd.DataFrame,
    case: Case,
    stat: str,
    ci_method: str,
    inds: tuple[str, ...],
    our_ci: str = "logit",
) -> pd.DataFrame:
    g = golden[
        (golden["case"] == case.name)
        & (golden["stat"] == stat)
        & (golden["ci_method"] == ci_method)
        & golden["indicator"].isin(inds)
    ]
    assert len(g) > 0
    t = _table(case, stat, inds, our_ci)
    m = g.merge(t, on=["indicator", "by", "level"], suffixes=("_r", ""))
    assert len(m) == len(g), "every R row has a row of ours"
    return m


def _inds(case: Case, stat: str) -> tuple[str, ...]:
    return {"mean": case.means, "proportion": case.props, "total": case.means + case.props}[stat]


@pytest.mark.parametrize(
    ("case", "stat"),
    [(c, s) for c in CASES for s in ("mean", "proportion", "total") if _inds(c, s)],
    ids=lambda x: getattr(x, "name", x),
)
def test_estimates_se_deff_against_r(golden: pd.DataFrame, case: Case, stat: str) -> None:
    inds = _inds(case, stat)
    m = _merged(golden, case, stat, "wald_t", inds)
    assert_rel(m["estimate_r"], m["estimate"], EST_RTOL, "estimate")
    assert_rel(m["se_r"], m["se"], SE_RTOL, "se")
    assert_rel(m["deff_r"], m["deff"], SE_RTOL, "deff")
    assert (m["n_r"].to_numpy() == m["n"].to_numpy()).all()
    assert (m["df_r"].to_numpy() == m["df"].to_numpy()).all()
    if stat != "proportion":  # t intervals: R's confint(..., df = degf(design))
        assert_rel(m["ci_low_r"], m["ci_low"], SE_RTOL, "ci_low")
        assert_rel(m["ci_high_r"], m["ci_high"], SE_RTOL, "ci_high")


@pytest.mark.parametrize("case", [c for c in CASES if c.props], ids=lambda c: c.name)
def test_logit_intervals_against_svyciprop(golden: pd.DataFrame, case: Case) -> None:
    m = _merged(golden, case, "proportion", "logit", case.props, "logit")
    # R's svyciprop estimate is expit(coef) of a glm fitted to 1e-8: compare the CI at 1e-6
    assert_rel(m["estimate_r"], m["estimate"], 1e-6, "estimate")
    assert_rel(m["se_r"], m["se"], SE_RTOL, "se")
    assert_rel(m["ci_low_r"], m["ci_low"], SE_RTOL, "ci_low")
    assert_rel(m["ci_high_r"], m["ci_high"], SE_RTOL, "ci_high")
    assert (m["ci_method"] == "logit").all()


@pytest.mark.parametrize("case", [c for c in CASES if c.props], ids=lambda c: c.name)
def test_korn_graubard_against_svyciprop_beta(golden: pd.DataFrame, case: Case) -> None:
    m = _merged(golden, case, "proportion", "korn_graubard", case.props, "korn_graubard")
    assert_rel(m["estimate_r"], m["estimate"], EST_RTOL, "estimate")
    # R puts nrow(design) in the (t(n-1)/t(df))^2 factor: the formula, given R's n, is R's
    lo, hi = ci.korn_graubard(
        m["estimate"].to_numpy(), m["se"].to_numpy(), m["kg_n"].to_numpy(), m["df"].to_numpy()
    )
    assert_rel(m["ci_low_r"], lo, SE_RTOL, "ci_low")
    assert_rel(m["ci_high_r"], hi, SE_RTOL, "ci_high")
    # the table uses the domain's n, which is R's nrow(design) except in domains of calibrated designs
    same_n = (m["kg_n"] == m["n"]).to_numpy()
    assert same_n.any()
    assert_rel(m.loc[same_n, "ci_low_r"], m.loc[same_n, "ci_low"], SE_RTOL, "table ci_low")
    assert_rel(m.loc[same_n, "ci_high_r"], m.loc[same_n, "ci_high"], SE_RTOL, "table ci_high")
    if not case.calibrated:
        assert same_n.all()


def test_known_apistrat_value() -> None:
    """The survey package's documented example: 662.29 (SE 9.409)."""
    case = CASE_BY_NAME["apistrat"]
    t = _table(case, "mean", ("api00",))
    row = t[(t["by"] == "")].iloc[0]
    assert round(row["estimate"], 2) == 662.29
    assert round(row["se"], 3) == 9.409


@pytest.mark.parametrize(
    "name", sorted({"apistrat", "apiclus1", "wbm_raked", "wbm_raked_clustered"})
)
def test_domain_contrasts_against_r(golden_contrast_rows: pd.DataFrame, name: str) -> None:
    case = CASE_BY_NAME[name]
    df = load_data(case)
    des = build_design(case, df)
    g_all = golden_contrast_rows[golden_contrast_rows["case"] == name]
    for stat in sorted(g_all["stat"].unique()):
        g = g_all[g_all["stat"] == stat]
        inds = list(dict.fromkeys(g["indicator"]))
        bys = list(dict.fromkeys(g["by"]))
        t = compare_domains(df, des, inds, bys, stat=stat)
        m = g.merge(t, on=["indicator", "by", "level"], suffixes=("_r", ""))
        assert len(m) == len(g)
        assert_rel(m["estimate_r"], m["estimate"], EST_RTOL, "estimate")
        assert_rel(m["estimate_rest_r"], m["estimate_rest"], EST_RTOL, "estimate_rest")
        # a difference of nearly equal numbers: 1e-9 of the larger operand
        scale = np.maximum(num(m["estimate_r"]).__abs__(), num(m["estimate_rest_r"]).__abs__())
        assert np.all(np.abs(num(m["diff_r"]) - m["diff"].to_numpy()) <= EST_RTOL * scale)
        assert_rel(m["diff_se_r"], m["diff_se"], SE_RTOL, "diff_se")
        assert (m["df_r"].to_numpy() == m["df"].to_numpy()).all()


def test_raking_aware_se_differs_from_fixed_weights(golden: pd.DataFrame) -> None:
    """Raked weights treated as fixed give other SEs than the calibrated design (R agrees on both)."""
    g = golden[
        (golden["stat"] == "proportion")
        & (golden["ci_method"] == "wald_t")
        & golden["indicator"].isin(["stress", "werkbaar"])
        & golden["by"].isin(["", "sector"])
    ]
    fixed = g[g["case"] == "wbm_fixed_weights"].set_index(["indicator", "by", "level"])["se"]
    raked = g[g["case"] == "wbm_raked"].set_index(["indicator", "by", "level"])["se"]
    ratio = raked.loc[fixed.index].astype(float) / fixed.astype(float)
    assert (np.abs(ratio - 1.0) > 1e-4).any()
