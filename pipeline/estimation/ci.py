"""Confidence intervals, vectorised over estimates.

- :func:`wald_t`: ``estimate +/- t(df) * se`` (means and totals; R's ``confint(..., df=degf(design))``).
- :func:`logit`: R's ``svyciprop(method="logit")``: the interval of an intercept-only quasibinomial
  ``svyglm`` on the logit scale, ``logit(p) +/- t(df) * se / (p (1 - p))``, transformed back. (The
  sandwich variance of that intercept is exactly the delta-method variance of ``p``.)
- :func:`korn_graubard`: R's ``svyciprop(method="beta")`` (Korn & Graubard 1998): a Clopper-Pearson
  interval on the effective sample size ``p (1 - p) / var``, scaled by ``(t(n - 1) / t(df))^2``.
  Where the variance is 0 (p = 0 or 1, where R gives NaN) the effective size is ``n``, as in the
  NCHS presentation standards; ``n`` is the domain's number of observations (R uses
  ``nrow(design)``, which for a domain of a calibrated design is the full sample size).

A non-positive or missing ``df`` gives a missing interval (R: ``qt(., 0)`` is NaN).
"""

from __future__ import annotations

import numpy as np
from scipy import special


def _tq(level: float, df: np.ndarray) -> np.ndarray:
    df = np.asarray(df, dtype=np.float64)
    alpha = 1.0 - level
    with np.errstate(invalid="ignore"):
        q = special.stdtrit(np.where(df > 0, df, np.nan), 1.0 - alpha / 2.0)
    return np.asarray(q, dtype=np.float64)


def wald_t(
    est: np.ndarray, se: np.ndarray, df: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    q = _tq(level, df)
    return est - q * se, est + q * se


def logit(
    p: np.ndarray, se: np.ndarray, df: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Logit interval; missing where p is 0 or 1 (use :func:`korn_graubard` there)."""
    p = np.asarray(p, dtype=np.float64)
    q = _tq(level, df)
    inside = (p > 0) & (p < 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        lp = np.where(inside, special.logit(np.where(inside, p, 0.5)), np.nan)
        half = q * se / (p * (1.0 - p))
    return special.expit(lp - half), special.expit(lp + half)


def korn_graubard(
    p: np.ndarray, se: np.ndarray, n: np.ndarray, df: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(p, dtype=np.float64)
    var = np.asarray(se, dtype=np.float64) ** 2
    n = np.asarray(n, dtype=np.float64)
    alpha = 1.0 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(var > 0, p * (1.0 - p) / var, n)
        df = np.asarray(df, dtype=np.float64)
        ratio = special.stdtrit(np.where(n > 1, n - 1.0, np.nan), alpha / 2.0) / special.stdtrit(
            np.where(df > 0, df, np.nan), alpha / 2.0
        )
        n_eff = n_eff * ratio**2
        x = n_eff * p
        lo = np.where(
            p > 0, special.betaincinv(np.where(p > 0, x, 1.0), n_eff - x + 1.0, alpha / 2.0), 0.0
        )
        hi = np.where(
            p < 1,
            special.betaincinv(x + 1.0, np.where(p < 1, n_eff - x, 1.0), 1.0 - alpha / 2.0),
            1.0,
        )
    bad = ~np.isfinite(n_eff) | (n_eff <= 0)
    lo = np.where(bad, np.nan, lo)
    hi = np.where(bad, np.nan, hi)
    return np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
