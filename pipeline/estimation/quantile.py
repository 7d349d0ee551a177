"""Design-based quantiles (the median) per domain, with the Woodruff interval: R ``survey``'s
``svyquantile(~x, design, p, ci = TRUE, na.rm = TRUE)`` with its defaults (survey 4.x:
``qrule = "math"``, ``interval.type = "mean"``), per domain as on ``subset(design, domain)``.

For domain d and the rows with an observed value (weights ``w``, the final weights):

- ``q`` (``qrule_math``): sort the values; ``pos`` is the last row whose cumulative weight is at most
  ``p W`` (the first row when none is); ``q`` is that row's value when its cumulative weight is
  exactly ``p W``, else the next row's value (R's rule, also when no row is at most ``p W``). Rows
  of weight zero are left out. Cumulative weights and ``W`` are summed as R sums them (in long
  double, rounded to double): with equal weights a cumulative weight is then exactly ``p W`` where
  R finds it so.
- interval: ``F = svymean(x <= q)`` (the proportion at or below ``q``, with its linearised SE and the
  domain's design degrees of freedom, calibration-aware as every mean here); ``F +- t(df) SE(F)``,
  and the bounds are the ``qrule_math`` quantiles at those two probabilities (NaN when the
  probability falls below 0 or above 1).
- ``se``: ``(ci_high - ci_low) / (2 t(df))``, as R reports it.

Golden-tested against R (``tests/estimation/golden/quantile/quantile.R``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.estimation.config import EstimationConfig
from pipeline.estimation.domains import estimate_domains, observed
from pipeline.estimation.linearization import Layout, VarianceEngine


@dataclass(frozen=True, eq=False)
class QuantileEstimates:
    """One quantile of one variable in the domains of one layout (arrays of length D)."""

    p: float
    n: np.ndarray
    weighted_n: np.ndarray
    estimate: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    df: np.ndarray
    flags: np.ndarray


def qrule_math(x: np.ndarray, w: np.ndarray, p: float) -> float:
    """R survey's ``qrule_math`` (see the module docstring); NaN for no positive weight."""
    keep = w != 0
    x, w = x[keep], w[keep]
    if x.size == 0 or not np.isfinite(p):
        return float("nan")
    order = np.argsort(x, kind="stable")
    xs = x[order]
    # R's cumsum() and sum() accumulate in long double, rounding each partial sum to double
    acc = np.cumsum(w[order].astype(np.longdouble))
    cumw = acc.astype(np.float64)
    total = float(np.sum(w.astype(np.longdouble)))
    below = np.flatnonzero(cumw <= p * total)
    pos = int(below[-1]) if below.size else 0
    nxt = pos if pos == xs.size - 1 else pos + 1
    return float(xs[pos] if p - cumw[pos] / total == 0 else xs[nxt])


def quantile_domains(
    engine: VarianceEngine,
    lay: Layout,
    x: np.ndarray,
    p: float = 0.5,
    config: EstimationConfig | None = None,
) -> QuantileEstimates:
    """The ``p`` quantile of ``x`` (NaN = missing) in every domain of ``lay`` (see the module
    docstring)."""
    from scipy import stats

    cfg = config or EstimationConfig()
    x = np.asarray(x, dtype=np.float64)
    D = lay.n_domains
    r, _ = observed(x)
    xr, rr, dom, wr = lay.take(x), lay.take(r), lay.dom, lay.w_rows
    q = np.full(D, np.nan)
    for d in range(D):
        m = (dom == d) & rr
        q[d] = qrule_math(xr[m], wr[m], p)
    # the indicator x <= q of its own domain (every row lies in one domain of the layout)
    below = np.full(x.shape[0], np.nan)
    rows = np.arange(x.shape[0]) if lay.rows is None else lay.rows
    with np.errstate(invalid="ignore"):
        below[rows] = np.where(rr, (xr <= q[dom]).astype(np.float64), np.nan)
    F = estimate_domains(engine, lay, below, "proportion", cfg, observed(below))
    df = np.asarray(F.df, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        t = stats.t.ppf(1.0 - (1.0 - cfg.level) / 2.0, np.where(df > 0, df, np.nan))
    lo = np.full(D, np.nan)
    hi = np.full(D, np.nan)
    for d in range(D):
        m = (dom == d) & rr
        pl, pu = F.estimate[d] - t[d] * F.se[d], F.estimate[d] + t[d] * F.se[d]
        if np.isfinite(pl) and pl >= 0:
            lo[d] = qrule_math(xr[m], wr[m], float(pl))
        if np.isfinite(pu) and pu <= 1:
            hi[d] = qrule_math(xr[m], wr[m], float(pu))
    with np.errstate(invalid="ignore"):
        se = (hi - lo) / (2.0 * t)
    return QuantileEstimates(
        p, F.n, F.weighted_n, q, se, lo, hi, np.asarray(F.df), np.asarray(F.flags)
    )
