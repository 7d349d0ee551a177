"""Domain estimation keeping the full design: proportions, means and totals per level of a
by-variable (or overall), with their influence values, design degrees of freedom, design effects,
intervals and flags.

A domain is a subpopulation: its rows keep their place in the design and every other row contributes
zero to the influence (R: a subset of a calibrated design sets the other rows' weights to zero). Rows
whose indicator is missing are handled the same way, so "dropped per indicator, the design kept".

Definitions (R ``survey`` names in brackets), for domain d and the rows with an observed indicator:

- ``n``: rows with weight > 0; ``weighted_n``: ``W_d = sum w``.
- proportion / mean: ``sum w y / W_d`` [svymean]; influence ``w (y - ybar_d) / W_d``.
- total: ``sum w y`` [svytotal]; influence ``w y``.
- ``df``: PSUs minus strata among the domain's rows [degf of the subset design].
- ``deff``: variance over the variance under simple random sampling without replacement of the
  same ``n`` [svymean(deff=TRUE)]: ``s2 (1/n - 1/W_d)`` for a mean, ``W_d^2`` times that for a
  total, with ``s2 = n/(n-1) sum w (y - ybar)^2 / W_d``. When ``W_d <= n`` (weights scaled to the
  sample, where R gives NA) the with-replacement ``s2 / n`` is used [deff="replace"].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.estimation import ci
from pipeline.estimation.config import EstimationConfig, Stat
from pipeline.estimation.linearization import Columns, Layout, VarianceEngine, weighted_bincount


@dataclass(frozen=True, eq=False)
class PointEstimates:
    """Point estimates of one indicator in the domains of one layout (arrays of length D)."""

    stat: Stat
    n: np.ndarray
    weighted_n: np.ndarray
    weighted_sum: np.ndarray
    estimate: np.ndarray
    s2: np.ndarray  # weighted element variance (for deff)
    phi: np.ndarray  # influence per layout row, divided by the weight: (rows, 1)


@dataclass(frozen=True, eq=False)
class DomainEstimates:
    """Everything the tidy table needs for one indicator x one layout (arrays of length D)."""

    stat: Stat
    n: np.ndarray
    weighted_n: np.ndarray
    estimate: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    ci_method: np.ndarray
    df: np.ndarray
    deff: np.ndarray
    flags: np.ndarray


def observed(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mask of observed values, values with missing set to 0)."""
    y = np.asarray(y, dtype=np.float64)
    r = np.isfinite(y)
    return r, np.where(r, y, 0.0)


def point_estimates(
    engine: VarianceEngine,
    lay: Layout,
    y: np.ndarray,
    stat: Stat,
    obs: tuple[np.ndarray, np.ndarray] | None = None,
) -> PointEstimates:
    """``obs``: :func:`observed` of ``y`` when already computed (saves two passes).

    Written with few temporaries: each fresh n-sized array costs page faults on some machines."""
    r, yz = obs if obs is not None else observed(y)
    D = lay.n_domains
    dom = lay.dom
    yr = lay.take(yz)
    all_obs = bool(r.all())
    rr = None if all_obs else lay.take(r)
    wr = lay.w_rows if rr is None else lay.w_rows * rr
    W = weighted_bincount(dom, wr, D)
    wy = wr * yr
    S = weighted_bincount(dom, wy, D)
    counted = lay.w_rows > 0
    if rr is not None:
        counted &= rr
    n = np.bincount(dom[counted] if not counted.all() else dom, minlength=D).astype(np.int64)
    est: np.ndarray
    with np.errstate(divide="ignore", invalid="ignore"):
        ybar = S / W
        ybar0 = np.where(W > 0, ybar, 0.0)  # an empty domain must not spread NaN
        dev = ybar0[dom]
        np.subtract(yr, dev, out=dev)
        if rr is not None:
            dev *= rr
        np.multiply(wr, dev, out=wy)  # wy is no longer needed: reuse it for w (y - ybar)
        wy *= dev
        s2 = weighted_bincount(dom, wy, D) / W * n / (n - 1.0)
        if stat == "total":
            est = S
            phi = (yr if rr is None else rr * yr)[:, None]
        else:
            est = ybar
            inv_w = np.where(W > 0, 1.0 / W, 0.0)
            phi = inv_w[dom]
            phi *= dev
            phi = phi[:, None]
    return PointEstimates(stat, n, W, S, est, s2, phi)


def srs_variance(pe: PointEstimates) -> np.ndarray:
    """Variance of the estimate under simple random sampling of the same n (for deff)."""
    n = pe.n.astype(np.float64)
    W = pe.weighted_n
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(n < W, pe.s2 * (1.0 / n - 1.0 / W), pe.s2 / n)
        if pe.stat == "total":
            v = v * W * W
    return np.asarray(v)


def finish(
    pe: PointEstimates, var: np.ndarray, df: np.ndarray, config: EstimationConfig
) -> DomainEstimates:
    """Standard errors, intervals, design effects and flags from a variance per domain."""
    var = np.asarray(var, dtype=np.float64)
    se = np.sqrt(var)
    est = pe.estimate
    D = est.shape[0]
    level = config.level
    method = np.empty(D, dtype=object)
    if pe.stat == "proportion":
        lo_l, hi_l = ci.logit(est, se, df, level)
        lo_k, hi_k = ci.korn_graubard(est, se, pe.n, df, level)
        if config.ci_method == "logit":
            use_kg = np.zeros(D, dtype=bool)
        elif config.ci_method == "korn_graubard":
            use_kg = np.ones(D, dtype=bool)
        else:
            e = config.kg_extreme
            use_kg = ~((est > e) & (est < 1.0 - e)) | ~np.isfinite(lo_l)
        lo = np.where(use_kg, lo_k, lo_l)
        hi = np.where(use_kg, hi_k, hi_l)
        method[:] = np.where(use_kg, "korn_graubard", "logit")
    else:
        lo, hi = ci.wald_t(est, se, df, level)
        method[:] = "wald_t"
    with np.errstate(divide="ignore", invalid="ignore"):
        deff = var / srs_variance(pe)
    no_var = ~np.isfinite(se) | ~np.isfinite(lo) | ~np.isfinite(hi) | (np.asarray(df) <= 0)
    flags = config.reliability.flags(pe.n, no_var)
    return DomainEstimates(
        pe.stat,
        pe.n,
        pe.weighted_n,
        est,
        se,
        lo,
        hi,
        method,
        np.asarray(df, dtype=np.int64),
        deff,
        flags,
    )


def estimate_domains(
    engine: VarianceEngine,
    lay: Layout,
    y: np.ndarray,
    stat: Stat,
    config: EstimationConfig,
    obs: tuple[np.ndarray, np.ndarray] | None = None,
) -> DomainEstimates:
    """Linearization estimates of one indicator in every domain of ``lay``."""
    obs = obs if obs is not None else observed(y)
    pe = point_estimates(engine, lay, y, stat, obs)
    var = engine.variance(Columns(pe.phi, lay))[:, 0]
    var = np.where(pe.weighted_n > 0, var, np.nan)
    df = engine.domain_degf(lay, obs[0])
    return finish(pe, var, df, config)
