"""Raking (iterative proportional fitting) on a compressed cell table.

Raked weights have the form ``w_i = b_i * prod_k f_k[code_k(i)]``: one multiplicative factor per
level of each margin. So the fit only needs the base-weight totals of the *occupied cells* of the
cross-classification of all margin codes (at most ``n`` cells, usually a few hundred or thousand):
the rows are compressed once (one ``np.bincount``), the iterations run on the cell table, and the
row weights are expanded once at the end. On 1,000,000 rows x 4 margins this is tens of
milliseconds (see ``benchmarks/bench_weighting.py``); the fixed point is the same as R survey's
``rake()`` / ``calibrate(calfun="raking")`` (golden cases in ``tests/weighting/golden``).

For bootstrap replicates, build a :class:`RakePlan` once with :func:`prepare` and call
:meth:`RakePlan.rake` for each replicate's base weights: the compression is done only once.

A joint margin (e.g. sex x age band) is just one more code array with the combined level index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from pipeline.errors import Notice, Problem, WeightingError
from pipeline.rundata.columns import BASE_WEIGHT
from pipeline.rundata.weights import CODE as WEIGHT_CODE
from pipeline.rundata.weights import summary as weights_summary
from pipeline.rundata.weights import weight_problems

#: Margins whose grand totals differ by less than this (relative) are treated as equal: the
#: difference is floating-point noise and each margin is rescaled to the first margin's total.
#: A larger difference is an error (raking cannot converge to inconsistent margins).
TOTAL_RTOL = 1e-9

_DENSE_LIMIT = (
    1 << 21
)  # largest cross-classification indexed densely before falling back to np.unique


@dataclass(frozen=True, eq=False)
class RakeResult:
    """Outcome of one raking fit. Arrays are read-only.

    ``history[i]`` is the largest relative margin error ``|achieved - target| / target`` after
    sweep ``i + 1`` (levels with target 0 are measured relative to the grand total).
    ``factors[k][j]`` is the multiplicative factor of level ``j`` of margin ``k``, so
    ``weights = base_weights * prod_k factors[k][codes[k]]``.
    """

    weights: np.ndarray
    converged: bool
    iterations: int
    history: tuple[float, ...]
    factors: tuple[np.ndarray, ...]
    notices: tuple[Notice, ...] = field(default=())

    @property
    def max_error(self) -> float:
        return self.history[-1] if self.history else float("inf")


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _name(names: Sequence[str] | None, k: int) -> str:
    return names[k] if names is not None else f"margin {k}"


def _label(labels: Sequence[Sequence[str]] | None, k: int, j: int) -> str:
    if labels is not None and j < len(labels[k]):
        return str(labels[k][j])
    return str(j)


def _check_inputs(
    codes: Sequence[np.ndarray], targets: Sequence[np.ndarray], names: Sequence[str] | None
) -> tuple[list[np.ndarray], list[np.ndarray], int]:
    if len(codes) == 0:
        raise WeightingError("raking needs at least one margin", code="no_margins")
    if len(codes) != len(targets):
        raise WeightingError(
            f"{len(codes)} code arrays but {len(targets)} target arrays",
            code="margin_count_mismatch",
        )
    cs = [np.asarray(c) for c in codes]
    ts = [np.asarray(t, dtype=np.float64) for t in targets]
    n = cs[0].shape[0] if cs[0].ndim == 1 else -1
    problems: list[Problem] = []
    for k, (c, t) in enumerate(zip(cs, ts, strict=True)):
        nm = _name(names, k)
        if c.ndim != 1 or c.shape[0] != n:
            problems.append(
                Problem(f"codes must be a 1-D array of length {n}", path=nm, value=c.shape)
            )
            continue
        if c.dtype.kind not in "iub":
            problems.append(Problem("codes must be integers", path=nm, value=str(c.dtype)))
            continue
        if t.ndim != 1 or t.shape[0] == 0:
            problems.append(
                Problem("targets must be a non-empty 1-D array", path=nm, value=t.shape)
            )
            continue
        if not np.all(np.isfinite(t)) or np.any(t < 0):
            bad = np.flatnonzero(~np.isfinite(t) | (t < 0))
            problems.append(
                Problem(
                    "negative or non-finite population totals",
                    path=nm,
                    value=[float(t[j]) for j in bad[:5]],
                    expected="totals >= 0",
                    code="negative_total",
                )
            )
        if n > 0:
            lo, hi = int(c.min()), int(c.max())
            if lo < 0 or hi >= t.shape[0]:
                problems.append(
                    Problem(
                        "level codes out of range",
                        path=nm,
                        value=(lo, hi),
                        expected=f"codes in 0..{t.shape[0] - 1}",
                        code="code_out_of_range",
                    )
                )
    if n == 0:
        problems.append(Problem("no rows to weight", code="no_rows"))
    if problems:
        raise WeightingError(
            "invalid raking input", problems=tuple(problems), code="invalid_rake_input"
        )
    return cs, ts, n


def _consistent_targets(ts: list[np.ndarray], names: Sequence[str] | None) -> list[np.ndarray]:
    totals = [float(t.sum()) for t in ts]
    ref = totals[0]
    problems = []
    for k, tot in enumerate(totals[1:], start=1):
        if abs(tot - ref) > TOTAL_RTOL * max(abs(ref), 1.0):
            problems.append(
                Problem(
                    "grand total differs from the first margin's",
                    path=_name(names, k),
                    value=tot,
                    expected=f"{ref!r} ({_name(names, 0)})",
                    hint="make every margin sum to the same population total",
                    code="totals_disagree",
                )
            )
    if problems:
        raise WeightingError(
            "margins have different grand totals", problems=tuple(problems), code="totals_disagree"
        )
    if ref <= 0:
        raise WeightingError("the population total is zero", code="zero_population")
    return [t if tot == ref else t * (ref / tot) for t, tot in zip(ts, totals, strict=True)]


def _compress(
    cs: list[np.ndarray], sizes: list[int], n: int
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Map rows to occupied cells of the cross-classification: (cell index per row, codes per cell)."""
    key = cs[0].astype(np.int64)
    card = sizes[0]
    recompressed = False
    for c, size in zip(cs[1:], sizes[1:], strict=True):
        if card * size > (1 << 62):
            _, key = np.unique(key, return_inverse=True)
            key = key.astype(np.int64, copy=False)
            card = int(key.max()) + 1
            recompressed = True
        key *= size
        key += c
        card *= size
    if card <= max(_DENSE_LIMIT, 2 * n):
        counts = np.bincount(key, minlength=card)
        present = np.flatnonzero(counts)
        remap = np.empty(card, dtype=np.intp)
        remap[present] = np.arange(present.size, dtype=np.intp)
        cell = remap[key]
    else:
        present, cell = np.unique(key, return_inverse=True)
        cell = cell.astype(np.intp, copy=False)
    if recompressed:
        cell_codes = []
        for c in cs:
            cc = np.empty(present.size, dtype=np.intp)
            cc[cell] = c
            cell_codes.append(cc)
    else:
        cell_codes = []
        rest = present.astype(np.int64)
        for size in reversed(sizes[1:]):
            rest, r = np.divmod(rest, size)
            cell_codes.append(r.astype(np.intp))
        cell_codes.append(rest.astype(np.intp))
        cell_codes.reverse()
    return cell, cell_codes


@dataclass(frozen=True, eq=False)
class RakePlan:
    """Rows compressed to cells once; :meth:`rake` fits any base weights to the same margins."""

    n: int
    targets: tuple[np.ndarray, ...]
    cell: np.ndarray  # cell index per row
    cell_codes: tuple[np.ndarray, ...]  # level index per cell, per margin
    names: tuple[str, ...] | None = None
    labels: tuple[tuple[str, ...], ...] | None = None

    @property
    def n_cells(self) -> int:
        return int(self.cell_codes[0].shape[0])

    def cell_weights(self, base_weights: np.ndarray | None = None) -> np.ndarray:
        """Sum of the base weights in each occupied cell."""
        return np.bincount(
            self.cell, weights=_check_base(base_weights, self.n), minlength=self.n_cells
        )

    def _other_targets(self, targets: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
        ts = [np.asarray(t, dtype=np.float64) for t in targets]
        if len(ts) != len(self.targets) or any(
            a.shape != b.shape for a, b in zip(ts, self.targets, strict=True)
        ):
            raise WeightingError("targets do not have the plan's shapes", code="invalid_rake_input")
        return tuple(_consistent_targets(ts, self.names))

    def rake(
        self,
        base_weights: np.ndarray | None = None,
        *,
        max_iter: int = 100,
        tol: float = 1e-10,
        targets: Sequence[np.ndarray] | None = None,
    ) -> RakeResult:
        """Rake ``base_weights`` (default: all 1) to the plan's targets (or to ``targets``, same
        shapes, e.g. the totals left after trimming fixed some units).

        Raises :class:`WeightingError` (code ``empty_cell``) when a level with a positive target has
        no sample weight; returns ``converged=False`` (never raises) when ``max_iter`` sweeps do not
        bring every margin within ``tol``.
        """
        b = _check_base(base_weights, self.n)
        cw = np.bincount(self.cell, weights=b, minlength=self.n_cells)
        tgts = self.targets if targets is None else self._other_targets(targets)
        K = len(tgts)
        notices: list[Notice] = []
        problems: list[Problem] = []
        for k in range(K):
            t = tgts[k]
            tot = np.bincount(self.cell_codes[k], weights=cw, minlength=t.shape[0])
            for j in np.flatnonzero((t > 0) & (tot <= 0)):
                problems.append(
                    Problem(
                        "empty cell: the population has units here but the sample has no weight",
                        path=f"{_name(self.names, k)}={_label(self.labels, k, int(j))}",
                        value=0.0,
                        expected=f"sample units for a target of {t[j]:g}",
                        hint="collapse this level with a neighbouring one or drop it from the margins",
                        code="empty_cell",
                    )
                )
            zero = np.flatnonzero((t == 0) & (tot > 0))
            if zero.size:
                notices.append(
                    Notice(
                        "zero_target_level",
                        f"{_name(self.names, k)}: {zero.size} level(s) with population total 0 hold "
                        "sample units; their weights become 0",
                        {
                            "margin": _name(self.names, k),
                            "levels": [_label(self.labels, k, int(j)) for j in zero],
                        },
                    )
                )
        if problems:
            raise WeightingError(
                "cannot rake: empty cells", problems=tuple(problems), code="empty_cell"
            )
        if max_iter < 1:
            raise WeightingError(
                f"max_iter must be at least 1 (found {max_iter})", code="bad_option"
            )

        grand = float(tgts[0].sum())
        safe_t = [np.where(t > 0, t, grand) for t in tgts]
        factors = [np.ones(t.shape[0]) for t in tgts]
        w = cw.copy()
        history: list[float] = []
        converged = False
        for _ in range(max_iter):
            for k in range(K):
                cc = self.cell_codes[k]
                tot = np.bincount(cc, weights=w, minlength=factors[k].shape[0])
                f = np.divide(tgts[k], tot, out=np.zeros_like(tot), where=tot > 0)
                w *= f[cc]
                factors[k] *= f
            err = 0.0
            for k in range(K):
                tot = np.bincount(self.cell_codes[k], weights=w, minlength=factors[k].shape[0])
                err = max(err, float(np.max(np.abs(tot - tgts[k]) / safe_t[k])))
            history.append(err)
            if err <= tol:
                converged = True
                break
        g_cell = factors[0][self.cell_codes[0]]
        for k in range(1, K):
            g_cell *= factors[k][self.cell_codes[k]]
        weights = b * g_cell[self.cell]
        if not converged:
            notices.append(
                Notice(
                    "not_converged",
                    f"raking did not converge in {max_iter} iterations "
                    f"(largest relative margin error {history[-1]:.3g} > tol {tol:g})",
                    {"iterations": max_iter, "max_error": history[-1], "tol": tol},
                )
            )
        return RakeResult(
            weights=_readonly(weights),
            converged=converged,
            iterations=len(history),
            history=tuple(history),
            factors=tuple(_readonly(f) for f in factors),
            notices=tuple(notices),
        )


def _check_base(base_weights: np.ndarray | None, n: int) -> np.ndarray:
    if base_weights is None:
        return np.ones(n)
    b = np.asarray(base_weights, dtype=np.float64)
    if b.shape != (n,):
        raise WeightingError(
            f"base weights must have shape ({n},), found {b.shape}", code="invalid_rake_input"
        )
    problems = weight_problems(b, column=BASE_WEIGHT)
    if problems:
        raise WeightingError(weights_summary(problems, BASE_WEIGHT), problems, code=WEIGHT_CODE)
    return b


def prepare(
    codes: Sequence[np.ndarray],
    targets: Sequence[np.ndarray],
    *,
    names: Sequence[str] | None = None,
    labels: Sequence[Sequence[str]] | None = None,
) -> RakePlan:
    """Check the margins and compress the rows once (reuse the plan across bootstrap replicates)."""
    cs, ts, n = _check_inputs(codes, targets, names)
    ts = _consistent_targets(ts, names)
    cell, cell_codes = _compress(cs, [t.shape[0] for t in ts], n)
    return RakePlan(
        n=n,
        targets=tuple(_readonly(t.copy()) for t in ts),
        cell=_readonly(cell),
        cell_codes=tuple(_readonly(c) for c in cell_codes),
        names=tuple(names) if names is not None else None,
        labels=tuple(tuple(str(x) for x in lv) for lv in labels) if labels is not None else None,
    )


def rake(
    codes: Sequence[np.ndarray],
    targets: Sequence[np.ndarray],
    base_weights: np.ndarray | None,
    *,
    max_iter: int = 100,
    tol: float = 1e-10,
    names: Sequence[str] | None = None,
    labels: Sequence[Sequence[str]] | None = None,
) -> RakeResult:
    """Rake ``base_weights`` so that, for every margin k, ``bincount(codes[k], weights) == targets[k]``.

    ``codes[k]``: int array (0..L_k-1) of each row's level in margin k (a joint margin is a combined
    code); ``targets[k]``: float array of length L_k. ``names``/``labels`` only improve messages.
    """
    plan = prepare(codes, targets, names=names, labels=labels)
    return plan.rake(base_weights, max_iter=max_iter, tol=tol)
