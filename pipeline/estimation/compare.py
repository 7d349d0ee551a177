"""Differences and significance tests.

- Domain against the rest of the population (each sector against the rest of Flanders), in the same
  sample: the difference ``est_d - est_rest`` is one estimator of the full design, its influence is
  ``infl_d - infl_rest``, and its linearization variance therefore includes the covariance between the
  two (both share strata, PSUs and the calibration). Test: ``t = diff / se`` with the design's
  degrees of freedom, two-sided. "Rest" is every row not in the domain (including rows whose
  by-variable is missing) with the indicator observed.
- Any two domains of the same sample (:func:`contrast_pairs`): a cell against Flanders (the domain
  inside the reference), against the rest, or against another group of its breakdown. As above, the
  difference ``est_a - est_b`` is one estimator of the full design with influence
  ``infl_a - infl_b`` (the two may overlap or be nested), so its variance includes their covariance
  and the calibration; same test and degrees of freedom. For the rest of the population it gives
  :func:`contrast_domains`'s numbers (a test says so).
- Wave against wave (independent samples): ``diff = est_now - est_prev``,
  ``se = sqrt(se_now^2 + se_prev^2)``, two-sided z test.

``significant`` is ``p_value < alpha`` (default 0.05), and never true on a row flagged
``suppressed`` (either side below the publication threshold); flags are the union of both sides'
flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import special

from pipeline.errors import EstimationError
from pipeline.estimation.config import EstimationConfig, Stat
from pipeline.estimation.domains import observed, point_estimates
from pipeline.estimation.linearization import Columns, Layout, VarianceEngine
from pipeline.estimation.reliability import merge_flags, significant_unless_suppressed

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

WAVE_KEYS: tuple[str, ...] = ("indicator", "by", "level", "stat")


@dataclass(frozen=True, eq=False)
class DomainContrasts:
    """Domain-vs-rest comparisons of one indicator over one layout (arrays of length D)."""

    n: np.ndarray
    n_rest: np.ndarray
    estimate: np.ndarray
    estimate_rest: np.ndarray
    diff: np.ndarray
    diff_se: np.ndarray
    df: np.ndarray
    test_stat: np.ndarray
    p_value: np.ndarray
    significant: np.ndarray
    flags: np.ndarray


def finish_contrasts(
    n: np.ndarray,
    n_rest: np.ndarray,
    est: np.ndarray,
    est_rest: np.ndarray,
    diff: np.ndarray,
    var: np.ndarray,
    df: np.ndarray,
    config: EstimationConfig,
) -> DomainContrasts:
    se = np.sqrt(np.maximum(var, 0.0))
    df = np.asarray(df, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        tstat = diff / se
        p = 2.0 * special.stdtr(np.where(df > 0, df, np.nan), -np.abs(tstat))
    p = np.asarray(p, dtype=np.float64)
    no_var = ~np.isfinite(p)
    rules = config.reliability
    f_d = rules.flags(n, no_var)
    f_r = rules.flags(n_rest)
    flags = np.array([merge_flags(a, b) for a, b in zip(f_d, f_r, strict=True)], dtype=object)
    sig = significant_unless_suppressed(p, flags, config.alpha)
    return DomainContrasts(
        np.asarray(n, dtype=np.int64),
        np.asarray(n_rest, dtype=np.int64),
        est,
        est_rest,
        diff,
        se,
        df.astype(np.int64),
        tstat,
        p,
        sig.astype(bool),
        flags,
    )


def contrast_domains(
    engine: VarianceEngine,
    lay: Layout,
    lay_all: Layout,
    y: np.ndarray,
    stat: Stat,
    config: EstimationConfig,
) -> DomainContrasts:
    """Each domain of ``lay`` against the rest, linearization variance of the difference.

    ``lay_all``: the engine's overall layout (``engine.layout(None, 1)``).
    """
    r, yz = observed(y)
    pe = point_estimates(engine, lay, y, stat)
    w = engine.w
    W_all = float(np.sum(w * r))
    S_all = float(np.sum(w * r * yz))
    n_all = int(np.sum(r & (w > 0)))
    W_d, S_d = pe.weighted_n, pe.weighted_sum
    n_r = n_all - pe.n
    # an empty rest is empty by its count: the difference of two equal float sums need not be 0
    # (a rest of weight 1e-14 gave an estimate of -0.5 for nobody)
    W_r = np.where(n_r > 0, W_all - W_d, 0.0)
    S_r = np.where(n_r > 0, S_all - S_d, 0.0)
    rr, yr, dom = lay.take(r), lay.take(yz), lay.dom
    with np.errstate(divide="ignore", invalid="ignore"):
        if stat == "total":
            est_d, est_r = S_d, S_r
            phi_s = 2.0 * rr * yr
            a = np.ones_like(W_d)
            b = np.zeros_like(W_d)
            dense = np.column_stack([r * yz, r.astype(np.float64)])
        else:
            ybar = S_all / W_all
            est_d, est_r = S_d / W_d, S_r / W_r
            phi_s = rr * ((yr - est_d[dom]) / W_d[dom] + (yr - est_r[dom]) / W_r[dom])
            a = 1.0 / W_r
            b = (ybar - est_r) / W_r
            dense = np.column_stack([r * (yz - ybar), r.astype(np.float64)])
    phi_s = np.where(np.isfinite(phi_s), phi_s, 0.0)
    A = Columns(phi_s[:, None], lay)
    B = Columns(dense, lay_all)
    V = engine.covariance(A)[:, 0, 0]
    C = engine.covariance(A, B)[:, 0, :]
    Vd = engine.covariance(B)[0]
    ok = (W_d > 0) & (W_r > 0)
    a, b = np.where(ok, a, 0.0), np.where(ok, b, 0.0)  # no contrast without both (1 / 0 below)
    var = (
        V
        - 2 * a * C[:, 0]
        - 2 * b * C[:, 1]
        + a * a * Vd[0, 0]
        + b * b * Vd[1, 1]
        + 2 * a * b * Vd[0, 1]
    )
    var = np.where(ok, var, np.nan)
    df = np.full(lay.n_domains, engine.domain_degf(lay_all, r)[0])
    return finish_contrasts(pe.n, n_r, est_d, est_r, est_d - est_r, var, df, config)


PAIR_CHUNK = 16  # influence columns per variance call (memory: units x chunk^2 floats)


def contrast_pairs(
    engine: VarianceEngine,
    y: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    stat: Stat,
    config: EstimationConfig,
) -> DomainContrasts:
    """Domain ``a[:, k]`` against domain ``b[:, k]`` for every column k (boolean masks over the
    design's rows; rows with ``y`` missing are left out of both). ``stat``: ``mean`` or
    ``proportion`` (a domain mean: influence ``1_d w (y - est_d) / W_d``) or ``total``
    (``1_d w y``). ``n_rest``/``estimate_rest`` of the result are domain ``b``'s."""
    r, yz = observed(y)
    a = np.asarray(a, dtype=bool) & r[:, None]
    b = np.asarray(b, dtype=bool) & r[:, None]
    w = engine.w
    wy = w * yz
    W_a, W_b = w @ a, w @ b
    S_a, S_b = wy @ a, wy @ b
    n_a = ((w > 0)[:, None] & a).sum(axis=0)
    n_b = ((w > 0)[:, None] & b).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if stat == "total":
            est_a, est_b = S_a, S_b
        else:
            est_a, est_b = S_a / W_a, S_b / W_b
    lay_all = engine.layout(None, 1)
    K = a.shape[1]
    var = np.full(K, np.nan)
    for lo in range(0, K, PAIR_CHUNK):
        hi = min(K, lo + PAIR_CHUNK)
        with np.errstate(divide="ignore", invalid="ignore"):
            if stat == "total":
                phi = (a[:, lo:hi] * yz[:, None]) - (b[:, lo:hi] * yz[:, None])
            else:
                phi = a[:, lo:hi] * ((yz[:, None] - est_a[lo:hi]) / W_a[lo:hi]) - b[:, lo:hi] * (
                    (yz[:, None] - est_b[lo:hi]) / W_b[lo:hi]
                )
        phi = np.where(np.isfinite(phi), phi, 0.0)
        var[lo:hi] = engine.variance(Columns(phi, lay_all))[0]
    ok = (W_a > 0) & (W_b > 0)
    var = np.where(ok, var, np.nan)
    df = np.full(K, engine.domain_degf(lay_all, r)[0])
    return finish_contrasts(n_a, n_b, est_a, est_b, est_a - est_b, var, df, config)


def compare_waves(
    table_now: pd.DataFrame, table_prev: pd.DataFrame, *, config: EstimationConfig | None = None
) -> pd.DataFrame:
    """Each estimate of ``table_now`` against the same (indicator, by, level, stat) of
    ``table_prev`` (independent samples). Rows present in only one table are kept with missing
    differences and the flag ``only_now`` / ``only_prev``: nothing is dropped silently."""
    import pandas as pd

    cfg = config or EstimationConfig()
    need = {"indicator", "by", "level", "estimate", "se", "n", "flags"}
    for name, t in (("table_now", table_now), ("table_prev", table_prev)):
        missing = sorted(need - set(t.columns))
        if missing:
            raise EstimationError(
                f"{name} lacks columns {missing}; expected an estimates table",
                code="bad_estimates_table",
            )
    keys = [k for k in WAVE_KEYS if k in table_now.columns and k in table_prev.columns]
    cols = [*keys, "n", "estimate", "se", "flags"]
    now = table_now[cols].copy()
    prev = table_prev[cols].copy()
    for t in (now, prev):
        for k in keys:
            t[k] = t[k].fillna("").astype(str)
        if t.duplicated(keys).any():
            raise EstimationError(
                "an estimates table has duplicate (indicator, by, level) rows",
                code="bad_estimates_table",
            )
    left = now.merge(prev, on=keys, how="left", suffixes=("", "_prev"), indicator=True, sort=False)
    right = prev.merge(now[keys], on=keys, how="left", indicator=True, sort=False)
    right = right[right["_merge"] == "left_only"].drop(columns="_merge")
    right = right.rename(columns={c: f"{c}_prev" for c in ("n", "estimate", "se", "flags")})
    right["_merge"] = "right_only"
    m = pd.concat([left.astype({"_merge": object}), right], ignore_index=True)
    diff = m["estimate"].to_numpy(float) - m["estimate_prev"].to_numpy(float)
    se = np.sqrt(m["se"].to_numpy(float) ** 2 + m["se_prev"].to_numpy(float) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = diff / se
    p = 2.0 * special.ndtr(-np.abs(z))
    flags = []
    for f1, f2, side in zip(m["flags"], m["flags_prev"], m["_merge"], strict=True):
        extra = {"left_only": "only_now", "right_only": "only_prev"}.get(str(side), "")
        flags.append(merge_flags(f1, f2, extra))
    out = pd.DataFrame(
        {
            **{k: m[k] for k in keys},
            "n": m["n"].astype("Int64"),
            "n_prev": m["n_prev"].astype("Int64"),
            "estimate": m["estimate"],
            "estimate_prev": m["estimate_prev"],
            "diff": diff,
            "diff_se": se,
            "test_stat": z,
            "p_value": p,
            "significant": significant_unless_suppressed(
                p, np.array(flags, dtype=object), cfg.alpha
            ),
            "flags": flags,
        }
    )
    return out  # table_now's order, then rows found only in table_prev in its order
