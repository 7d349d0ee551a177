"""Risk profiles: how much more often a workability problem occurs among workers exposed to a risk
factor, adjusted for age and sex, and the share of the problem attributable to the exposure.

For one outcome ``y`` (0/1, e.g. werkstress), one exposure ``e`` (0/1, e.g. werkdruk_risico) and
adjustment factors (age band, sex) the design-based Poisson model with log link

    log E[y] = b0 + b1 e + (dummies of the adjustment factors)

is fitted by weighted IRLS on the rows of a domain (a sector, or everyone) with every variable
answered: the pseudo-likelihood estimator of R ``survey::svyglm(y ~ e + factor(age) + factor(sex),
family = quasipoisson())``. ``exp(b1)`` is the **prevalence ratio** (PR).

Variance: the sandwich of ``svyglm``. The influence of the coefficients is
``h_i = (X' W M X)^-1 x_i w_i (y_i - mu_i)`` (``M`` = diag(mu)); its covariance is computed by
:func:`~pipeline.estimation.linearization.recvar_reference` (calibration-aware, zero influence
outside the domain, as R's subsets of calibrated designs). The CI of the PR is Wald on the log
scale with the t quantile on ``df`` = design degrees of freedom of the rows used + 1 - number of
coefficients (R's ``confint`` for ``svyglm``, which uses the model's ``df.residual``); the p-value
of the exposure uses the same t.

**Population attributable fraction** (PAF; not in the published sector reports): the share of the
problem that would not occur if nobody were exposed and the PR held, from the fitted model:
``PAF = 1 - sum_i w_i mu0_i / sum_i w_i y_i`` with ``mu0_i`` the prediction with ``e = 0`` (the
adjusted "model-standardised" PAF; with an intercept ``sum w mu = sum w y``). Its influence is
``-(w_i mu0_i + D' h_i - (1 - PAF) w_i y_i) / sum w y`` with ``D = sum_i w_i mu0_i x0_i``; the CI is
Wald on ``log(1 - PAF)`` with the same t quantile.

Pure numpy: arrays in, :class:`RiskModel` out. Golden values from R ``svyglm`` are in
``tests/estimation/golden/riskprofile.R``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

from pipeline.estimation.design import Design
from pipeline.estimation.linearization import recvar_reference

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

MAX_ITER = 50
TOL = 1e-12


@dataclass(frozen=True)
class RiskModel:
    """One fitted model: outcome x exposure in a domain."""

    n: int  # rows used (domain, every variable answered)
    n_exposed: int
    converged: bool
    coef: float  # b1 (log PR)
    se: float  # SE of b1
    pr: float
    pr_low: float
    pr_high: float
    paf: float
    paf_se: float
    paf_low: float
    paf_high: float
    p_value: float  # Wald test of b1 = 0 (t on df)
    df: int

    @classmethod
    def empty(cls, n: int, n_exposed: int) -> RiskModel:
        nan = float("nan")
        return cls(n, n_exposed, False, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, 0)


def dummies(codes: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Treatment dummies (first observed level is the reference) of a factor, over ``keep`` rows;
    levels that do not occur among the kept rows get no column (R drops aliased columns)."""
    levels = np.unique(codes[keep])
    return (
        np.column_stack([(codes == lv).astype(np.float64) for lv in levels[1:]])
        if (levels.size > 1)
        else np.zeros((codes.shape[0], 0))
    )


def fit_poisson(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Weighted Poisson IRLS with log link (rows with w = 0 do not count). Returns coefficients,
    fitted means and whether it converged."""
    mu = np.where(w > 0, (y + y[w > 0].mean()) / 2, 1.0)
    mu = np.maximum(mu, 1e-4)
    eta = np.log(mu)
    beta = np.zeros(X.shape[1])
    dev_old = np.inf
    for _ in range(MAX_ITER):
        z = eta + (y - mu) / mu
        ww = w * mu
        XtW = X.T * ww
        beta = np.linalg.solve(XtW @ X, XtW @ z)
        eta = X @ beta
        mu = np.exp(eta)
        pos = (w > 0) & (y > 0)
        dev = 2 * float(np.sum(w[pos] * y[pos] * np.log(y[pos] / mu[pos]))) - 2 * float(
            np.sum(w * (y - mu))
        )
        if abs(dev - dev_old) / (abs(dev) + 0.1) < TOL:
            return beta, mu, True
        dev_old = dev
    return beta, mu, False


def risk_model(
    design: Design,
    outcome: np.ndarray,
    exposure: np.ndarray,
    adjust: Sequence[np.ndarray],
    domain: np.ndarray | None = None,
    *,
    confidence: float = 0.95,
) -> RiskModel:
    """Prevalence ratio and PAF of ``exposure`` for ``outcome`` in ``domain`` (boolean mask; None:
    every row), adjusted for the factors in ``adjust`` (integer codes; NaN = not answered)."""
    n_all = design.n
    y = np.asarray(outcome, dtype=np.float64)
    e = np.asarray(exposure, dtype=np.float64)
    keep = np.isfinite(y) & np.isfinite(e) & (design.weights > 0)
    facs = [np.asarray(a, dtype=np.float64) for a in adjust]
    for a in facs:
        keep &= np.isfinite(a)
    if domain is not None:
        keep &= np.asarray(domain, dtype=bool)
    n = int(keep.sum())
    n_exposed = int((keep & (e == 1)).sum())
    cases = keep & (y == 1)
    if n_exposed == 0 or n_exposed == n or not cases.any() or cases.sum() == n:
        return RiskModel.empty(n, n_exposed)
    w = np.where(keep, design.weights, 0.0)
    y0 = np.where(keep, y, 0.0)
    e0 = np.where(keep, e, 0.0)
    cols = [np.ones(n_all), e0]
    for a in facs:
        cols.append(dummies(np.where(keep, a, -1), keep))
    X = np.column_stack(cols)
    # drop columns without variation in the domain (an aliased dummy: R reports NA and drops it)
    sub = X[keep]
    ok = [0, 1] + [j for j in range(2, X.shape[1]) if 0 < sub[:, j].sum() < n]
    X = X[:, ok]
    try:
        # separation in a small domain drives fitted means to 0 or infinity: not estimable
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            beta, mu, converged = fit_poisson(X, y0, w)
        if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(mu[keep]))):
            return RiskModel.empty(n, n_exposed)
        mu = np.where(keep, mu, 0.0)
        info = (X.T * (w * mu)) @ X
        ainv = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        # a singular information matrix (the exposure aliased with the adjustment factors in a
        # small domain, or separation driving fitted means to zero): not estimable, never a crash
        return RiskModel.empty(n, n_exposed)
    h = (X * (w * (y0 - mu))[:, None]) @ ainv  # influence of the coefficients (n x p)
    X0 = X.copy()
    X0[:, 1] = 0.0
    mu0 = np.where(keep, np.exp(X0 @ beta), 0.0)
    t1 = float(np.sum(w * y0))
    t0 = float(np.sum(w * mu0))
    ratio = t0 / t1
    D = (X0 * (w * mu0)[:, None]).sum(axis=0)
    z_paf = -(w * mu0 + h @ D - ratio * w * y0) / t1
    V = recvar_reference(design, np.column_stack([h[:, 1], z_paf]))
    se = float(np.sqrt(V[0, 0]))
    paf_se = float(np.sqrt(V[1, 1]))
    used = keep & (w > 0)
    degf = int(np.unique(design.psu[used]).size - np.unique(design.strata[used]).size)
    df = max(degf + 1 - X.shape[1], 1)
    q = float(stats.t.ppf(0.5 + confidence / 2, df))
    b1 = float(beta[1])
    se_log = paf_se / ratio  # SE of log(1 - PAF)
    if not (np.isfinite(se) and np.isfinite(se_log)) or max(abs(b1) + q * se, q * se_log) > 700:
        # quasi-separation in a small domain: the CI limits overflow exp(); not estimable
        return RiskModel.empty(n, n_exposed)
    return RiskModel(
        n=n,
        n_exposed=n_exposed,
        converged=converged,
        coef=b1,
        se=se,
        pr=float(np.exp(b1)),
        pr_low=float(np.exp(b1 - q * se)),
        pr_high=float(np.exp(b1 + q * se)),
        paf=1.0 - ratio,
        paf_se=paf_se,
        paf_low=float(1.0 - ratio * np.exp(q * se_log)),
        paf_high=float(1.0 - ratio * np.exp(-q * se_log)),
        p_value=float(2 * stats.t.sf(abs(b1 / se), df)) if se > 0 else float("nan"),
        df=df,
    )


# ------------------------------------------------------------------------------ the table
RISK_PROFILE_COLUMNS: tuple[str, ...] = (
    "outcome",
    "exposure",
    "by",
    "level",
    "n",
    "n_exposed",
    "pr",
    "pr_low",
    "pr_high",
    "p_value",
    "significant",
    "paf",
    "paf_low",
    "paf_high",
    "df",
    "flags",
    "adjusted_for",
)
"""The risk-profile table (``04_estimate/risk_profiles.csv``): one row per outcome x exposure x
(overall | level of ``by``), numbers blank where ``flags`` holds ``suppressed`` or
``not_estimable``."""
MIN_EXPOSED = 10  # fewer exposed (or unexposed) respondents than this: "unreliable"


def risk_profile_table(
    data: pd.DataFrame,
    design: Design,
    outcomes: Sequence[str],
    exposures: Sequence[str],
    adjust: Sequence[str],
    by: str | None,
    *,
    min_n: int = 30,
    min_n_reliable: int = 50,
    confidence: float = 0.95,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Every outcome x exposure, overall and per level of ``by`` (levels in ascending numeric
    order, missing levels only in the overall rows). Rows: :data:`RISK_PROFILE_COLUMNS`."""
    import pandas as pd

    adj = [data[a].to_numpy(dtype=np.float64) for a in adjust]
    adj = [np.where(a >= 0, a, np.nan) for a in adj]  # non-substantive codes are missing
    domains: list[tuple[str, str, np.ndarray | None]] = [("", "", None)]
    if by:
        v = pd.to_numeric(data[by], errors="coerce").to_numpy(dtype=np.float64)
        for lv in np.unique(v[np.isfinite(v) & (v >= 0)]):
            domains.append((by, f"{lv:g}", v == lv))
    rows = []
    for outcome in outcomes:
        y = data[outcome].to_numpy(dtype=np.float64)
        for exposure in exposures:
            e = data[exposure].to_numpy(dtype=np.float64)
            for b, level, mask in domains:
                m = risk_model(design, y, e, adj, mask, confidence=confidence)
                flags = []
                if m.n < min_n:
                    flags.append("suppressed")
                elif not np.isfinite(m.pr) or not np.isfinite(m.se):
                    flags.append("not_estimable")
                elif m.n < min_n_reliable or min(m.n_exposed, m.n - m.n_exposed) < MIN_EXPOSED:
                    flags.append("unreliable")
                blank = bool({"suppressed", "not_estimable"} & set(flags))
                nan = float("nan")

                def val(x: float, blank: bool = blank, nan: float = nan) -> float:
                    return nan if blank else x

                rows.append(
                    {
                        "outcome": outcome,
                        "exposure": exposure,
                        "by": b,
                        "level": level,
                        "n": m.n,
                        "n_exposed": m.n_exposed,
                        "pr": val(m.pr),
                        "pr_low": val(m.pr_low),
                        "pr_high": val(m.pr_high),
                        "p_value": val(m.p_value),
                        "significant": None if blank else bool(m.p_value < alpha),
                        "paf": val(m.paf),
                        "paf_low": val(m.paf_low),
                        "paf_high": val(m.paf_high),
                        "df": m.df if not blank else 0,
                        "flags": ";".join(flags),
                        "adjusted_for": ";".join(adjust),
                    }
                )
    out = pd.DataFrame(rows, columns=list(RISK_PROFILE_COLUMNS))
    out["significant"] = out["significant"].astype("boolean")
    return out
