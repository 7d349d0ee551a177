"""Risk profiles (prevalence ratio and PAF, adjusted for age and sex) against R ``svyglm``.

Recipe: ``tests/estimation/golden/riskprofile/riskprofile.R`` (R 4.2, survey 4.1-1) on
``data.csv`` (``make_data.py``): a stratified sample raked to sex and sector totals
(``calibrate(calfun = "raking")``), ``svyglm(y ~ e + factor(age) + factor(sex), family =
quasipoisson())`` in every domain (everyone, ``subset(sector == k)``). Tolerance: 1e-8 relative
on the coefficient, its SE, the PR and its CI, the PAF and its SE (IRLS and the calibration
residual agree to far better; the tolerance leaves room for BLAS differences)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.estimation.design import make_calibration, make_design
from pipeline.estimation.riskprofile import risk_model

HERE = Path(__file__).parent / "golden" / "riskprofile"
RTOL = 1e-8


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    d = pd.read_csv(HERE / "data.csv")
    w = pd.read_csv(HERE / "weights.csv")
    return d.merge(w, on="id", validate="one_to_one")


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    return pd.read_csv(HERE / "golden.csv")


def _design(d: pd.DataFrame):
    codes = [d["sex"].to_numpy() - 1, d["sector"].to_numpy() - 1]
    cal = make_calibration(codes, d["w0"].to_numpy(), names=("sex", "sector"))
    return make_design(d["weight"].to_numpy(), calibration=cal)


def test_golden_has_every_case(golden):
    assert len(golden) == 4 * 2 * 2  # 4 domains x 2 outcomes x 2 exposures


@pytest.mark.parametrize("k", range(16))
def test_prevalence_ratio_and_paf_equal_r_svyglm(data, golden, k):
    g = golden.iloc[k]
    design = _design(data)
    dom = None if g["domain"] == 0 else (data["sector"] == g["domain"]).to_numpy()
    m = risk_model(
        design,
        data[g["outcome"]].to_numpy(dtype=float),
        data[g["exposure"]].to_numpy(dtype=float),
        [data["age"].to_numpy(dtype=float), data["sex"].to_numpy(dtype=float)],
        dom,
    )
    assert m.converged
    assert (m.n, m.n_exposed) == (g["n"], g["n_exposed"])
    for field in ("coef", "se", "pr", "pr_low", "pr_high", "paf", "paf_se"):
        np.testing.assert_allclose(getattr(m, field), g[field], rtol=RTOL, err_msg=field)


def test_a_domain_without_exposed_rows_gives_no_numbers(data):
    design = _design(data)
    e = np.zeros(len(data))
    m = risk_model(design, data["y1"].to_numpy(dtype=float), e, [], None)
    assert np.isnan(m.pr) and m.n_exposed == 0 and not m.converged


def test_pr_is_one_when_the_exposure_does_not_matter():
    """Exposed and unexposed with the same prevalence in every age x sex cell: PR 1, PAF 0."""
    rng = np.random.default_rng(1)
    n = 400
    sex = np.tile([1.0, 2.0], n // 2)
    e = np.repeat([0.0, 1.0], n // 2)
    y = np.tile([1.0, 0.0, 0.0, 0.0], n // 4)
    w = rng.uniform(1, 3, n)
    w = np.where(e == 1, w, np.roll(w, n // 2))  # same weights pattern in both exposure groups
    m = risk_model(make_design(w), y, e, [sex])
    assert m.pr == pytest.approx(1.0, abs=1e-9)
    assert m.paf == pytest.approx(0.0, abs=1e-9)


def test_an_exposure_aliased_with_an_adjustment_factor_is_not_estimable():
    """The exposure is the same variable as a dummy of the adjustment (a small domain can make it
    so): the information matrix is singular; the model is not estimable, never a LinAlgError."""
    n = 200
    sex = np.tile([1.0, 2.0], n // 2)
    e = (sex == 2).astype(float)
    y = np.tile([1.0, 1.0, 0.0, 0.0], n // 4)
    m = risk_model(make_design(np.ones(n)), y, e, [sex])
    assert (m.n, m.n_exposed) == (n, n // 2)
    assert np.isnan(m.pr) and np.isnan(m.se) and not m.converged
