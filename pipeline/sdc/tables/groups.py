"""Search for any small group of respondents whose count the published cells determine.

The published cells split the respondents into *atoms* (groups no published cell tells apart). A
group that is a union of atoms has a determined count exactly when its 0/1 vector over the atoms is a
linear combination of the published cells' vectors. The search is a small mixed-integer program
(HiGHS via ``scipy.optimize.milp``) that finds the smallest such group of 1 to ``max_n``
respondents. Atoms with ``n_a > max_n`` cannot be in such a group, so only the small atoms are 0/1
variables. A candidate is verified with an exact-enough rank test (SVD) and may be rejected by the
caller (for example when it is exactly a published cell); a rejected group is cut off and the search
goes on, up to ``tries`` times. This covers every determined small group (differences of nested
cells, inclusion-exclusion, totals minus parts across releases), at the price of one MILP per check.

**Only groups the earlier releases do not determine already** (``old``: the earlier releases'
cells): rejecting those one by one would not end on a long history (every union of two such groups
is one too), so the program excludes them exactly.

- If the new cells add no direction to the earlier cells' span (equal ranks), no such group exists:
  no program at all (the usual case for a table whose cells the reports or the datatool published).
- Else the **combination program**: variables ``x`` (small atoms, 0/1), ``alpha`` (one per
  independent earlier cell) and ``t`` (one per new cell outside the earlier span), free; sparse
  equality rows ``x = old' alpha + new' t`` over every atom (a large atom has ``x = 0``), so ``x`` is
  in the span of all cells. ``x`` is outside the earlier span iff ``t`` adds something, i.e. iff
  ``Z x != 0`` for ``d`` integer vectors ``Z`` of the null space of the earlier cells whose products
  with the new cells have rank ``d`` (the number of new directions): ``Z x = (Z new') t`` for every
  ``x`` of this form, and ``Z x`` is an integer for 0/1 ``x``, so the search is ``2 d`` programs,
  each with one more row, ``z_i . x >= 1`` or ``z_i . x <= -1`` (the smallest group of any of them;
  one program without earlier cells). The alternatives' linear relaxations are solved first, on one
  HiGHS model and each from the previous one's basis (:func:`_relaxation_feasible`): an alternative
  whose relaxation is infeasible has no solution, and most end there (on the reports' figures 4,802
  programs left 257 MILPs). The ``d`` vectors come from an integer elimination with
  +-1 pivots (exact, no rounding; checked in integers). This replaces dense null-space rows
  (thousands, when the reports' figures cut the respondents into thousands of atoms) and one big-M
  alternative per earlier null vector by sparse rows and a plain row per program: against the
  reports' figures a new table's search takes a fraction of a second to seconds where the dense
  program did not end in 10 min (the same with big-M switches took 7-20 s).
- If no exact integer vectors are found (a numerically hard matrix), the **null-space program**:
  ``Z_all x = 0`` with a basis of the null space of all cells, and the exclusion as alternatives:
  ``x`` not constant on some *old atom* (the atoms no earlier cell tells apart) or ``w_i . xbar !=
  0`` for a row of an integer null-space basis ``W`` of the earlier cells over the old atoms.

Both are compared with enumeration in tests/disclosure/test_disclosure_groups.py and
test_disclosure_history_restricted.py. **Budget**: ``NODE_LIMIT`` branch-and-bound nodes per program
(deterministic: the same outcome on a loaded machine as on a quiet one), with a generous wall-clock
guard; a search that does not finish raises ``group_search_failed`` (the caller refuses: never
release on an unfinished search).
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np

from pipeline.errors import DisclosureError

SPAN_TOL = 1e-8
NODE_LIMIT = 20_000  # branch-and-bound nodes per MILP: the budget, the same on any machine
TIME_LIMIT = 900.0  # seconds per MILP: a guard only (the node budget ends a search first)


def in_span(basis: np.ndarray, v: np.ndarray) -> bool:
    """``v`` lies in the row space spanned by the orthonormal rows of ``basis``."""
    if basis.shape[0] == 0:
        return not np.any(v)
    r = v - basis.T @ (basis @ v)
    return float(np.linalg.norm(r)) <= SPAN_TOL * 10 * max(1.0, float(np.linalg.norm(v)))


def in_span_rows(basis: np.ndarray, vs: np.ndarray, chunk: int = 256) -> np.ndarray:
    """:func:`in_span` for each row of ``vs`` (the same test, vectorised in chunks of rows: the
    checks test every small atom and every protected cell against the same span)."""
    out = np.zeros(vs.shape[0], dtype=bool)
    for lo in range(0, vs.shape[0], chunk):
        v = np.asarray(vs[lo : lo + chunk], dtype=float)
        norms = np.linalg.norm(v, axis=1)
        if basis.shape[0] == 0:
            out[lo : lo + chunk] = norms == 0
            continue
        r = v - (v @ basis.T) @ basis
        tol = SPAN_TOL * 10 * np.maximum(1.0, norms)
        out[lo : lo + chunk] = np.linalg.norm(r, axis=1) <= tol
    return out


def units_in_span(basis: np.ndarray, which: np.ndarray, chunk: int = 256) -> np.ndarray:
    """:func:`in_span` for the unit vectors ``e_a``, ``a`` in ``which`` (single atoms), without
    building them: the residual of ``e_a`` is ``e_a - basis' basis[:, a]``."""
    which = np.asarray(which, dtype=int)
    out = np.zeros(which.size, dtype=bool)
    if basis.shape[0] == 0:
        return out
    # the residual's squared norm is 1 - |basis[:, a]|^2 (orthonormal rows): only atoms with a
    # column norm near 1 can pass; those get the exact test
    near = np.flatnonzero(np.einsum("ij,ij->j", basis[:, which], basis[:, which]) > 0.5)
    for lo in range(0, near.size, chunk):
        pos = near[lo : lo + chunk]
        idx = which[pos]
        r = -(basis[:, idx].T @ basis)
        r[np.arange(idx.size), idx] += 1.0
        out[pos] = np.linalg.norm(r, axis=1) <= SPAN_TOL * 10
    return out


_SVD_CACHE: dict[tuple[object, ...], tuple[np.ndarray, np.ndarray]] = {}
_SVD_CACHE_SIZE = 64


def _svd(a: np.ndarray, full: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(s, vt)`` of ``a``, remembered for the last few matrices: the tables of one request (and
    the report figures, one table per indicator) check the same respondent sets again and again."""
    a = np.ascontiguousarray(a, dtype=float)
    key = (a.shape, full, hashlib.sha256(a.tobytes()).digest())
    hit = _SVD_CACHE.get(key)
    if hit is None:
        try:
            _, s, vt = np.linalg.svd(a, full_matrices=full)
        except np.linalg.LinAlgError:  # LAPACK's divide and conquer did not converge (seen once on
            # the full-size wave's report figures): the slower QR iteration, which converges
            from scipy.linalg import svd

            _, s, vt = svd(a, full_matrices=full, lapack_driver="gesvd")
        s.setflags(write=False)
        vt.setflags(write=False)
        if len(_SVD_CACHE) >= _SVD_CACHE_SIZE:
            _SVD_CACHE.pop(next(iter(_SVD_CACHE)))
        hit = _SVD_CACHE[key] = (s, vt)
    return hit


def basis(a: np.ndarray) -> np.ndarray:
    """Orthonormal basis (rows) of the row space of ``a``."""
    if a.size == 0:
        return np.zeros((0, a.shape[1] if a.ndim == 2 else 0))
    s, vt = _svd(a, False)
    rank = int(np.sum(s > SPAN_TOL * max(1.0, float(s[0]) if s.size else 1.0)))
    return vt[:rank]


def integer_null_space(a: np.ndarray, max_den: int = 10**6) -> np.ndarray | None:
    """Integer rows spanning the null space of ``a`` (rows x columns, small integers), or None when
    the rational basis cannot be recovered and checked exactly. Free columns come from a QR with
    column pivoting; each basis vector (1 on one free column) is rationalised, scaled to integers and
    checked with exact integer arithmetic; their number is the columns minus the rank."""
    from math import lcm

    from scipy.linalg import qr

    n_cols = a.shape[1]
    if a.shape[0] == 0 or not np.any(a):
        return np.eye(n_cols, dtype=np.int64)
    _, r, perm = qr(a.astype(float), mode="economic", pivoting=True)
    rank = _qr_rank(r)
    if rank != basis(a).shape[0]:
        return None  # the two rank tests disagree: do not trust either
    piv, free = perm[:rank], perm[rank:]
    if free.size == 0:
        return np.zeros((0, n_cols), dtype=np.int64)
    exact = np.rint(a).astype(np.int64).astype(object)  # Python integers: no overflow
    out = []
    sub = a[:, piv].astype(float)
    for f in free:
        z, *_ = np.linalg.lstsq(sub, -a[:, f].astype(float), rcond=None)
        fr = [_rational(float(v), max_den) for v in z]
        m = lcm(*(q.denominator for q in fr)) if fr else 1
        w = [0] * n_cols
        w[int(f)] = m
        for j, q in zip(piv, fr, strict=True):
            w[int(j)] = int(q * m)
        if max(abs(v) for v in w) > 2**40 or any(exact.dot(np.asarray(w, dtype=object)) != 0):
            return None  # too large for the program's rows, or not exact
        out.append(w)
    g = np.asarray(out, dtype=object)
    if np.abs(g).max() > 2**40:
        return None
    return g.astype(np.int64)


def _qr_rank(r: np.ndarray, tol: float = SPAN_TOL) -> int:
    """The rank a pivoted QR's ``r`` shows: diagonal entries above ``tol`` times the largest."""
    d = np.abs(np.diag(r))
    return int(np.sum(d > tol * max(1.0, float(d[0]) if d.size else 1.0)))


def _rational(v: float, max_den: int) -> Fraction:
    """``v`` as a fraction with a denominator up to ``max_den``; a value within 1e-9 of an integer
    (most coefficients: 0, 1, -1) directly, without the continued-fraction search (the caller checks
    the result exactly either way)."""
    r = round(v)
    if abs(v - r) < 1e-9:
        return Fraction(int(r))
    return Fraction(v).limit_denominator(max_den)


def find_small_group(
    cells: np.ndarray,
    counts: np.ndarray,
    max_n: int,
    reject: Callable[[np.ndarray], bool] | None = None,
    tries: int = 50,
    span: np.ndarray | None = None,
    old: np.ndarray | None = None,
) -> np.ndarray | None:
    """A 0/1 vector over the atoms (columns of ``cells``, published cells x atoms) with
    ``1 <= counts @ x <= max_n`` in the row space of ``cells``, not rejected; None if there is none.
    With ``old`` (earlier cells x the same atoms): only vectors outside the row space of ``old``."""
    n_cells, n_atoms = cells.shape
    small = np.flatnonzero((counts >= 1) & (counts <= max_n))
    if max_n < 1 or n_cells == 0 or small.size == 0:
        return None
    b = basis(cells) if span is None else span
    earlier = np.zeros((0, n_atoms)) if old is None else np.asarray(old, dtype=float)
    earlier = earlier.reshape(-1, n_atoms)
    if old is not None and basis(earlier).shape[0] == b.shape[0]:
        return None  # the cells span nothing the earlier ones do not: no group outside their span
    program = _combination_program(cells, counts, max_n, small, earlier, b)
    if program is None:  # no exact integer dual: the null-space program of the module docstring
        program = _null_program(cells, counts, max_n, small, b, old)
    rows, lo, hi, cost, integrality, bounds, alternatives = program
    s = small.size
    n_var = cost.size
    # the alternatives whose linear relaxation is infeasible have no integer solution either: the
    # relaxations first, warm-started one after another (most end here, a fraction of the cost)
    live = _relaxation_feasible(program) if len(alternatives) > 1 else list(alternatives)
    for _ in range(tries):
        best: np.ndarray | None = None
        still = []
        for alt in live:  # one program per alternative; an infeasible one stays infeasible
            extra = [] if alt is None else [alt]
            x = _solve(
                [*rows, *(a[0] for a in extra)],
                [*lo, *(a[1] for a in extra)],
                [*hi, *(a[2] for a in extra)],
                cost,
                integrality,
                bounds,
            )
            if x is None:
                continue
            still.append(alt)
            if best is None or float(cost @ x) < float(cost @ best) - 0.5:
                best = x
        live = still
        if best is None:
            return None  # infeasible: no (further) small group is determined
        chosen = np.flatnonzero(best[:s] > 0.5)
        out = np.zeros(n_atoms)
        out[small[chosen]] = 1.0
        if in_span(b, out) and not (reject and reject(out)):
            return out
        cut = np.zeros(n_var)  # no-good cut: not exactly this set of atoms again
        cut[:s] = -1.0
        cut[chosen] = 1.0
        rows.append(cut[None, :])
        lo.append(np.array([-np.inf]))
        hi.append(np.array([float(len(chosen) - 1)]))
    # every candidate so far rejected and more may follow: never release on an unfinished search
    raise DisclosureError(
        f"the differencing search did not finish: {tries} candidate groups rejected",
        code="group_search_failed",
    )


def _relaxation_feasible(program: _Program) -> list[_Row | None]:
    """The alternatives of ``program`` whose linear relaxation (0 <= x <= 1) is not proven
    infeasible. One HiGHS model holds the common rows and every alternative's row (free); each
    alternative in turn gets its bounds and the LP is solved again from the previous basis (dual
    simplex, a few iterations), where a MILP per alternative starts from scratch. Only a proof of
    infeasibility drops an alternative; any other outcome keeps it for its MILP."""
    import highspy
    from scipy.sparse import csr_matrix, vstack

    rows, lo, hi, cost, _, bounds, alternatives = program
    alts = [a for a in alternatives if a is not None]
    if len(alts) < len(alternatives):
        return list(alternatives)  # an unconstrained alternative: nothing to screen
    a = vstack([csr_matrix(r) for r in rows] + [csr_matrix(x[0]) for x in alts]).tocsc()
    inf = highspy.kHighsInf
    n_common = a.shape[0] - len(alts)

    def finite(v: np.ndarray) -> np.ndarray:
        return np.clip(np.asarray(v, dtype=float), -inf, inf)

    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = cost.size, a.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = finite(np.broadcast_to(bounds.lb, cost.shape))
    lp.col_upper_ = finite(np.broadcast_to(bounds.ub, cost.shape))
    lp.row_lower_ = finite(np.concatenate([*lo, np.full(len(alts), -np.inf)]))
    lp.row_upper_ = finite(np.concatenate([*hi, np.full(len(alts), np.inf)]))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr
    lp.a_matrix_.index_ = a.indices
    lp.a_matrix_.value_ = a.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = cost.size, a.shape[0]
    quiet_highs()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve", "off")  # keep the basis from one alternative to the next
    h.setOptionValue("time_limit", TIME_LIMIT)
    h.passModel(lp)
    live: list[_Row | None] = []
    for k, alt in enumerate(alts):
        row = n_common + k
        h.changeRowBounds(row, float(finite(alt[1])[0]), float(finite(alt[2])[0]))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kInfeasible:
            live.append(alt)
        h.changeRowBounds(row, -inf, inf)
    return live


@functools.cache
def quiet_highs() -> None:
    """HiGHS prints a banner on the process's standard output (C level) when its first instance is
    made, whatever the options: made here once with that output sent to /dev/null (the pipeline's
    output, e.g. ``wbm table --json``, must carry nothing else)."""
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_Row = tuple[np.ndarray, np.ndarray, np.ndarray]  # one constraint row with its bounds
_Program = tuple[
    list[Any], list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray, Any, list[_Row | None]
]


def _solve(
    rows: list[Any],
    lo: list[np.ndarray],
    hi: list[np.ndarray],
    cost: np.ndarray,
    integrality: np.ndarray,
    bounds: Any,
) -> np.ndarray | None:
    """One MILP (HiGHS): the solution, or None if infeasible; an unfinished search (node or time
    budget spent) raises: never release on it."""
    from scipy.optimize import LinearConstraint, milp
    from scipy.sparse import csr_matrix, vstack

    cons = LinearConstraint(
        vstack([csr_matrix(r) for r in rows]).tocsr(), np.concatenate(lo), np.concatenate(hi)
    )
    res = milp(
        cost,
        constraints=cons,
        integrality=integrality,
        bounds=bounds,
        # no presolve: HiGHS 1.x's presolve did not return on some small programs with free
        # variables (time limit ignored; found by tests/disclosure/test_disclosure_groups.py's
        # comparison with enumeration); the programs are small enough without it
        options={"time_limit": TIME_LIMIT, "node_limit": NODE_LIMIT, "presolve": False},
    )
    if res.status == 2:
        return None
    if res.status != 0 or res.x is None:  # never release on an unfinished search
        raise DisclosureError(
            f"the differencing search did not finish: {res.message}", code="group_search_failed"
        )
    return np.asarray(res.x)


def _combination_program(
    cells: np.ndarray,
    counts: np.ndarray,
    max_n: int,
    small: np.ndarray,
    old: np.ndarray,
    b: np.ndarray,
) -> _Program | None:
    """The search as a combination of the cells (see the module docstring): variables ``x`` (the
    small atoms, 0/1), ``alpha`` (the earlier cells' coefficients) and ``t`` (the other cells');
    sparse rows ``x = old' alpha + new' t`` over every atom (a large atom has ``x = 0``). ``x`` lies
    outside the span of ``old`` iff ``Z x != 0`` for ``d`` integer vectors ``Z`` of the null space
    of ``old`` whose products with the new cells have rank ``d`` (the new directions);
    ``Z x = (Z new') t`` is an integer, so the alternatives ``z_i . x >= 1`` and ``z_i . x <= -1``,
    one program each (``2 d``; without earlier cells one program, ``x != 0`` is the count's
    ``>= 1``; an alternative whose ``z_i`` has no entry of its sign on a small atom is left out:
    ``x`` is 0 elsewhere). None when those vectors cannot be found exactly (the caller then uses the
    null-space program)."""
    from scipy.optimize import Bounds
    from scipy.sparse import coo_matrix, csr_matrix, hstack

    n_atoms = cells.shape[1]
    b_old = basis(old)
    kept_old = _independent(old)
    old = old[kept_old]
    resid = cells - (cells @ b_old.T) @ b_old if b_old.shape[0] else cells
    scale = np.maximum(1.0, np.linalg.norm(cells, axis=1))
    fresh = cells[np.linalg.norm(resid, axis=1) > SPAN_TOL * 10 * scale]
    fresh = fresh[_independent(fresh)] if fresh.shape[0] else fresh
    d = b.shape[0] - b_old.shape[0]
    if old.shape[0] == 0 or d <= 0:
        z = np.zeros((0, n_atoms), dtype=np.int64)  # nothing earlier: x != 0 is all it takes
    else:
        found = _dual_rows(old, fresh, d)
        if found is None:
            return None
        z = found
    s, k_o, k_n = small.size, old.shape[0], fresh.shape[0]
    n_var = s + k_o + k_n
    x_part = coo_matrix((np.ones(s), (small, np.arange(s))), shape=(n_atoms, s))
    span_rows = hstack([x_part, csr_matrix(-old.T), csr_matrix(-fresh.T)]).tocsr()
    cost = np.concatenate([counts[small].astype(float), np.zeros(k_o + k_n)])
    rows: list[Any] = [span_rows, cost[None, :]]
    lo = [np.zeros(n_atoms), np.array([1.0])]
    hi = [np.zeros(n_atoms), np.array([float(max_n)])]
    alternatives: list[_Row | None] = [None]
    if z.shape[0]:
        r = (z @ np.rint(fresh).astype(np.int64).T).astype(float)  # Z x = r t
        # x is 0 off the small atoms, so z_i . x >= 1 needs a positive entry of z_i on a small
        # atom (and <= -1 a negative one): an alternative without one has no solution
        on_small = z[:, small]
        alternatives = []
        for i in range(z.shape[0]):  # z_i . x >= 1, or <= -1: one program each
            row = np.zeros((1, n_var))
            row[0, s + k_o :] = r[i]
            if (on_small[i] > 0).any():
                alternatives.append((row, np.array([1.0]), np.array([np.inf])))
            if (on_small[i] < 0).any():
                alternatives.append((row, np.array([-np.inf]), np.array([-1.0])))
    free = np.full(k_o + k_n, np.inf)
    integrality = np.concatenate([np.ones(s), np.zeros(k_o + k_n)])
    bounds = Bounds(np.concatenate([np.zeros(s), -free]), np.concatenate([np.ones(s), free]))
    return rows, lo, hi, cost, integrality, bounds, alternatives


def _independent(a: np.ndarray) -> np.ndarray:
    """Indices of a maximal set of linearly independent rows of ``a`` (QR with column pivoting of
    its transpose)."""
    from scipy.linalg import qr

    if a.shape[0] == 0:
        return np.zeros(0, dtype=int)
    _, r, perm = qr(a.T.astype(float), mode="economic", pivoting=True)
    rank = _qr_rank(r)
    return np.sort(perm[:rank])


def _dual_rows(old: np.ndarray, fresh: np.ndarray, d: int) -> np.ndarray | None:
    """``d`` integer vectors in the null space of ``old`` (independent 0/1 rows) whose products
    with the rows of ``fresh`` have rank ``d``, checked exactly in integers; None if the elimination
    needs a pivot other than +-1 or the ranks disagree with ``d``.

    Integer elimination with +-1 pivots only (the cells' 0/1 rows nearly always allow it): every
    entry stays an integer, so the null vector of a free column ``f`` (1 on ``f``, minus the
    reduced entries on the pivots) is integer without any rounding; float null spaces of these
    matrices have huge denominators (a QR's basic solution needed more than 10**6)."""
    reduced = _unit_elimination(np.rint(old).astype(np.int64))
    if reduced is None:
        return None
    e, piv = reduced
    free = np.setdiff1d(np.arange(old.shape[1]), piv)
    sign = e[np.arange(piv.size), piv]  # +-1
    # null vector of free column f: w[f] = 1, w[piv[i]] = -sign[i] * e[i, f]
    coef = -(sign[:, None] * e[:, free])  # pivots x free columns
    fr = np.rint(fresh).astype(np.int64)
    prod = fr[:, free].T + coef.T @ fr[:, piv].T  # free columns x fresh rows (exact)
    from scipy.linalg import qr

    _, r2, perm2 = qr(prod.T.astype(float), mode="economic", pivoting=True)
    if _qr_rank(r2, 1e-7) != d:
        return None
    z = np.zeros((d, old.shape[1]), dtype=np.int64)
    for i, k in enumerate(perm2[:d]):
        z[i, free[k]] = 1
        z[i, piv] = coef[:, k]
    exact = np.rint(old).astype(np.int64)
    if np.abs(z).max() > 2**40 or np.any(exact @ z.T):
        return None
    if np.linalg.matrix_rank((z @ fr.T).astype(float)) != d:
        return None
    return z


def _unit_elimination(a: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Row-reduce the integer matrix ``a`` (independent rows) using +-1 pivots only: ``(e, piv)``
    with ``e`` integer, ``e[i, piv[i]] = +-1`` and 0 in the other rows of column ``piv[i]``; None
    when a row has no +-1 entry left (a fraction would be needed) or entries grow too large."""
    e = a.copy()
    m = e.shape[0]
    piv = np.full(m, -1)
    left = np.ones(m, dtype=bool)
    # the columns' nonzero counts and the +-1 entries, updated for the changed rows only
    nnz = np.count_nonzero(e, axis=0).astype(float)
    unit = np.abs(e) == 1
    for _ in range(m):
        # the +-1 entry (of a row not yet reduced) whose column is sparsest: keeps entries small
        # (the first in row order of the rows left, as over the whole matrix)
        rows = np.flatnonzero(left)
        score = np.where(unit[rows], nnz[None, :], np.inf)
        r, j = divmod(int(np.argmin(score)), e.shape[1])
        if not np.isfinite(score[r, j]):
            return None
        i = int(rows[r])
        s = e[i, j]
        others = np.flatnonzero(e[:, j])
        others = others[others != i]
        if others.size:
            nnz -= np.count_nonzero(e[others], axis=0)
            e[others] -= np.outer(e[others, j] * s, e[i])
            nnz += np.count_nonzero(e[others], axis=0)
            unit[others] = np.abs(e[others]) == 1
            if np.abs(e[others]).max() > 2**40:
                return None
        piv[i] = j
        left[i] = False
    return e, piv


def _null_program(
    cells: np.ndarray,
    counts: np.ndarray,
    max_n: int,
    small: np.ndarray,
    b: np.ndarray,
    old: np.ndarray | None,
) -> _Program:
    """The search over the small atoms with the null space of the cells as dense equality rows and,
    with ``old``, the exclusion of the earlier span by one alternative per earlier null vector."""
    from scipy.optimize import Bounds

    n_atoms = cells.shape[1]
    null = _svd(cells, True)[1][b.shape[0] :] if b.shape[0] < n_atoms else np.zeros((0, n_atoms))
    rows: list[Any] = [null[:, small], counts[small].astype(float)[None, :]]
    lo = [np.zeros(null.shape[0]), np.array([1.0])]
    hi = [np.zeros(null.shape[0]), np.array([float(max_n)])]
    cost = counts[small].astype(float)
    extra = _outside(old, small, n_atoms) if old is not None else None
    if extra is not None:
        e_rows, e_lo, e_hi, n_bin = extra
        rows = [np.hstack([np.asarray(r), np.zeros((r.shape[0], n_bin))]) for r in rows]
        rows.append(e_rows)
        lo.append(e_lo)
        hi.append(e_hi)
        cost = np.concatenate([cost, np.zeros(n_bin)])
    return rows, lo, hi, cost, np.ones(cost.size), Bounds(0, 1), [None]


def _outside(
    old: np.ndarray, small: np.ndarray, n_atoms: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int] | None:
    """Constraints (over the small atoms' x, then new binaries) saying "x is not in the row space
    of ``old``" (see the module docstring), or None without an exact integer null space."""
    old = np.asarray(old, dtype=float).reshape(-1, n_atoms)
    pattern = np.ascontiguousarray((old > 0.5).T)  # atoms x earlier cells
    _, first, which = np.unique(
        pattern.view(np.dtype((np.void, pattern.shape[1]))).ravel()
        if pattern.shape[1]
        else np.zeros(n_atoms, dtype=np.int8),
        return_index=True,
        return_inverse=True,
    )
    which = which.ravel()
    n_old = first.size
    w = integer_null_space(old[:, first] if old.shape[0] else np.zeros((0, n_old)))
    if w is None:
        return None
    pos = {int(a): i for i, a in enumerate(small)}
    s = small.size
    members = [np.flatnonzero(which == o) for o in range(n_old)]
    split = [
        o for o in range(n_old) if members[o].size >= 2 and any(int(a) in pos for a in members[o])
    ]
    rep = [next((pos[int(a)] for a in members[o] if int(a) in pos), -1) for o in range(n_old)]
    n_bin = len(split) + 2 * w.shape[0]
    r_rows: list[np.ndarray] = []
    r_lo: list[float] = []
    r_hi: list[float] = []
    pick = np.zeros(s + n_bin)  # at least one alternative holds
    for k, o in enumerate(split):  # D1: x is not constant on old atom o
        row = np.zeros(s + n_bin)
        for a in members[o]:
            if int(a) in pos:
                row[pos[int(a)]] = 1.0
        up = row.copy()
        row[s + k] = -1.0  # sum >= d
        r_rows.append(row)
        r_lo.append(0.0)
        r_hi.append(np.inf)
        up[s + k] = 1.0  # sum + d <= |o|
        r_rows.append(up)
        r_lo.append(-np.inf)
        r_hi.append(float(members[o].size))
        pick[s + k] = 1.0
    for i in range(w.shape[0]):  # D2: w_i . xbar >= 1 (e+) or <= -1 (e-)
        base = np.zeros(s + n_bin)
        for oo in np.flatnonzero(w[i]):
            if rep[int(oo)] >= 0:
                base[rep[int(oo)]] += float(w[i, oo])
        big = 1.0 + float(np.abs(w[i]).sum())
        kp, km = s + len(split) + 2 * i, s + len(split) + 2 * i + 1
        plus = base.copy()
        plus[kp] = -big  # w.x - M e+ >= 1 - M
        r_rows.append(plus)
        r_lo.append(1.0 - big)
        r_hi.append(np.inf)
        minus = base.copy()
        minus[km] = big  # w.x + M e- <= M - 1
        r_rows.append(minus)
        r_lo.append(-np.inf)
        r_hi.append(big - 1.0)
        pick[kp] = pick[km] = 1.0
    r_rows.append(pick)
    r_lo.append(1.0)
    r_hi.append(np.inf)
    return np.vstack(r_rows), np.asarray(r_lo), np.asarray(r_hi), n_bin
