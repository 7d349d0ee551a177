"""Bootstrap replicate variance, with the weighting redone in every replicate.

Replicates follow the Rao-Wu(-Yue) rescaled bootstrap: in every stratum with ``n_h`` PSUs, draw
``n_h - 1`` PSUs with replacement (counts ``c``) and multiply the base weights of PSU u by
``1 - lambda_h + lambda_h * n_h / (n_h - 1) * c_u`` with ``lambda_h = sqrt(1 - f_h)`` (the finite
population correction; ``lambda = 1`` without fpc gives R's ``as.svrepdesign(type="subbootstrap")``).
Single-PSU strata (allowed by ``lonely_psu``) keep factor 1. When the design is calibrated, every
replicate's base weights are raked again to the same population totals (the weighting engineer's
:class:`pipeline.weighting.raking.RakePlan`, compressed once), so the variance reflects the raking.

Variance: ``sum_r (theta_r - mean_r theta_r)^2 / (R - 1)`` (R's default, ``mse=FALSE``), over the
replicates where the estimate exists (a domain can be empty in a replicate). Everything is driven by
one ``numpy.random.Generator`` seeded with ``seed``: same seed, same replicates, same output.
Replicates are generated and consumed in blocks, so memory stays at ``n x block`` weights.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from pipeline.errors import EstimationError, Notice, WeightingError
from pipeline.estimation.design import Design
from pipeline.estimation.linearization import Layout

BLOCK = 25


@dataclass(frozen=True, eq=False)
class Task:
    """One indicator over one layout: replicate weighted counts and sums per domain are wanted."""

    layout: Layout
    y: np.ndarray  # per design row, NaN = missing


@dataclass(frozen=True, eq=False)
class ReplicateSums:
    """Per task: weighted count ``W`` and weighted sum ``S`` per domain and replicate (D x R)."""

    W: tuple[np.ndarray, ...]
    S: tuple[np.ndarray, ...]
    replicates: int
    seed: int
    notices: tuple[Notice, ...]


def _unit_factors(design: Design, rng: np.random.Generator, R: int) -> np.ndarray:
    """Rao-Wu rescaling factors, (units x R)."""
    U = design.n_psu
    f = np.ones((U, R))
    ustr = design.psu_stratum
    order = np.argsort(ustr, kind="stable")
    n_h = np.bincount(ustr, minlength=design.n_strata)
    starts = np.concatenate([[0], np.cumsum(n_h)])
    for h in range(design.n_strata):
        nh = int(n_h[h])
        if nh < 2:
            continue
        units = order[starts[h] : starts[h + 1]]
        counts = rng.multinomial(nh - 1, np.full(nh, 1.0 / nh), size=R).T  # (nh, R)
        lam = np.sqrt(max(0.0, 1.0 - float(design.sampling_fraction[h])))
        f[units] = 1.0 - lam + lam * nh / (nh - 1.0) * counts
    return f


def replicate_weight_blocks(
    design: Design,
    replicates: int,
    seed: int,
    *,
    block: int = BLOCK,
    notices: list[Notice] | None = None,
) -> Iterator[np.ndarray]:
    """Yield final replicate weights in blocks of (n x <= block) columns."""
    if replicates < 2:
        raise EstimationError(
            f"bootstrap needs at least 2 replicates (found {replicates})", code="bad_option"
        )
    rng = np.random.default_rng(seed)
    cal = design.calibration
    plan = None
    if cal is not None:
        from pipeline.weighting.raking import prepare

        targets = cal.targets
        if targets is None:
            targets = tuple(
                np.bincount(c, weights=design.weights, minlength=L)
                for c, L in zip(cal.codes, cal.n_levels, strict=True)
            )
        plan = prepare(list(cal.codes), list(targets), names=list(cal.names) or None)
        base = np.asarray(cal.base_weights, dtype=np.float64)
    else:
        base = design.weights
    not_conv = 0
    done = 0
    while done < replicates:
        b = min(block, replicates - done)
        fac = _unit_factors(design, rng, b)[design.psu]  # (n, b)
        wb = base[:, None] * fac
        if plan is not None:
            for j in range(b):
                try:
                    res = plan.rake(wb[:, j])
                except WeightingError as exc:
                    raise EstimationError(
                        f"bootstrap replicate {done + j + 1}: raking failed ({exc.message})",
                        problems=exc.problems,
                        code="replicate_raking_failed",
                    ) from exc
                if not res.converged:
                    not_conv += 1
                wb[:, j] = res.weights
        done += b
        yield wb
    if not_conv and notices is not None:
        notices.append(
            Notice(
                "replicate_not_converged",
                f"raking did not converge in {not_conv} of {replicates} replicates",
                {"replicates": not_conv},
            )
        )


def _task_matrix(tasks: Sequence[Task], n: int) -> tuple[sp.csr_matrix, list[int]]:
    """Stack, for every task, rows [r*1{d}] then [r*y*1{d}] into one (sum 2 D) x n sparse matrix."""
    rows_l, cols_l, data_l, offsets = [], [], [], []
    off = 0
    for t in tasks:
        lay = t.layout
        y = np.asarray(t.y, dtype=np.float64)
        r = np.isfinite(y)
        idx = np.arange(n) if lay.rows is None else lay.rows
        keep = r[idx]
        ii, dd = idx[keep], lay.dom[keep]
        D = lay.n_domains
        rows_l += [off + dd, off + D + dd]
        cols_l += [ii, ii]
        data_l += [np.ones(ii.size), y[ii]]
        offsets.append(off)
        off += 2 * D
    mat = sp.csr_matrix(
        (np.concatenate(data_l), (np.concatenate(rows_l), np.concatenate(cols_l))), shape=(off, n)
    )
    return mat, offsets


def replicate_sums(
    design: Design, tasks: Sequence[Task], replicates: int, seed: int
) -> ReplicateSums:
    notices: list[Notice] = []
    mat, offsets = _task_matrix(tasks, design.n)
    parts = [
        np.asarray(mat @ wb)
        for wb in replicate_weight_blocks(design, replicates, seed, notices=notices)
    ]
    allv = np.hstack(parts)
    W, S = [], []
    for t, off in zip(tasks, offsets, strict=True):
        D = t.layout.n_domains
        W.append(allv[off : off + D])
        S.append(allv[off + D : off + 2 * D])
    return ReplicateSums(tuple(W), tuple(S), replicates, seed, tuple(notices))


def replicate_variance(theta: np.ndarray) -> np.ndarray:
    """Per row of ``theta`` (D x R): variance over the replicates where it is finite."""
    ok = np.isfinite(theta)
    k = ok.sum(axis=1)
    t0 = np.where(ok, theta, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = t0.sum(axis=1) / k
        dev = np.where(ok, theta - mean[:, None], 0.0)
        v = (dev * dev).sum(axis=1) / (k - 1.0)
    return np.where(k >= 2, v, np.nan)


def replicate_estimates(W: np.ndarray, S: np.ndarray, stat: str) -> np.ndarray:
    if stat == "total":
        return S
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(W > 0, S / W, np.nan)
