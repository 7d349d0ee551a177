"""Search for any small group of respondents whose count the published cells determine.

The published cells split the respondents into *atoms* (groups no published cell tells apart). A
group that is a union of atoms has a determined count exactly when its 0/1 vector over the atoms is a
linear combination of the published cells' vectors. The search is a small mixed-integer program
(HiGHS via ``scipy.optimize.milp``):

    find x in {0,1}^atoms  with  Z x = 0  and  1 <= sum_a n_a x_a <= max_n,  minimising sum_a n_a x_a,

where the rows of Z span the null space of the published cells (so Z x = 0 says x is a linear
combination of them). Atoms with ``n_a > max_n`` cannot be in such a group, so only the small atoms
are variables: the program is small even for long histories.
A candidate is verified with an exact-enough rank test (SVD) and may be rejected by the caller (for
example when it is exactly a published cell); a rejected group is cut off and the search goes on, up
to ``tries`` times. This covers every determined small group (differences of nested cells,
inclusion-exclusion, totals minus parts across releases), at the price of one MILP per check.

**Only groups the earlier releases do not determine already** (``old``: the earlier releases'
cells). Rejecting those one by one would not end on a long history (every union of two such groups
is one too), so the program excludes them exactly. A 0/1 vector ``x`` lies in the span of the earlier
cells iff (D1) it is constant on every *old atom* (the atoms no earlier cell tells apart) and (D2) its
vector over the old atoms, ``xbar``, satisfies ``W xbar = 0`` for a basis ``W`` of the null space of
the earlier cells over the old atoms. ``W`` is taken with integer entries (rational null space,
checked exactly in integers), so for 0/1 vectors ``w . xbar != 0`` means ``>= 1`` or ``<= -1``. The
program then asks, with one binary per alternative (big-M constraints), for at least one of: ``x``
is not constant on some old atom, or ``w_i . xbar >= 1``, or ``w_i . xbar <= -1``. Every feasible
point is outside the earlier span, and every small group outside it is feasible. If no integer
basis is found (a numerically hard matrix), the search falls back to rejecting candidates one by one.
A search that rejects ``tries`` candidates without an end raises ``group_search_failed`` (earlier it
returned "no group", which a long history could reach).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from fractions import Fraction

import numpy as np

from pipeline.errors import DisclosureError

SPAN_TOL = 1e-8
TIME_LIMIT = 60.0  # seconds per MILP; beyond it the check fails (refuse rather than guess)


def in_span(basis: np.ndarray, v: np.ndarray) -> bool:
    """``v`` lies in the row space spanned by the orthonormal rows of ``basis``."""
    if basis.shape[0] == 0:
        return not np.any(v)
    r = v - basis.T @ (basis @ v)
    return float(np.linalg.norm(r)) <= SPAN_TOL * 10 * max(1.0, float(np.linalg.norm(v)))


_SVD_CACHE: dict[tuple[object, ...], tuple[np.ndarray, np.ndarray]] = {}
_SVD_CACHE_SIZE = 64


def _svd(a: np.ndarray, full: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(s, vt)`` of ``a``, remembered for the last few matrices: the tables of one request (and
    the report figures, one table per indicator) check the same respondent sets again and again."""
    a = np.ascontiguousarray(a, dtype=float)
    key = (a.shape, full, hashlib.sha256(a.tobytes()).digest())
    hit = _SVD_CACHE.get(key)
    if hit is None:
        _, s, vt = np.linalg.svd(a, full_matrices=full)
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
    d = np.abs(np.diag(r))
    rank = int(np.sum(d > SPAN_TOL * max(1.0, float(d[0]) if d.size else 1.0)))
    if rank != basis(a).shape[0]:
        return None  # the two rank tests disagree: do not trust either
    piv, free = perm[:rank], perm[rank:]
    if free.size == 0:
        return np.zeros((0, n_cols), dtype=np.int64)
    exact = np.asarray(a, dtype=object)
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
        if any(exact.dot(np.asarray(w, dtype=object)) != 0):
            return None
        out.append(w)
    g = np.asarray(out, dtype=object)
    if np.abs(g).max() > 2**40:
        return None
    return g.astype(np.int64)


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
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csr_matrix, vstack

    n_cells, n_atoms = cells.shape
    small = np.flatnonzero((counts >= 1) & (counts <= max_n))
    if max_n < 1 or n_cells == 0 or small.size == 0:
        return None
    b = basis(cells) if span is None else span
    # x is in the row space iff it is orthogonal to the null space of ``cells``
    null = _svd(cells, True)[1][b.shape[0] :] if b.shape[0] < n_atoms else np.zeros((0, n_atoms))
    s = small.size
    rows = [csr_matrix(null[:, small]), csr_matrix(counts[small].astype(float)[None, :])]
    lo = [np.zeros(null.shape[0]), np.array([1.0])]
    hi = [np.zeros(null.shape[0]), np.array([float(max_n)])]
    cost = counts[small].astype(float)
    extra = _outside(old, small, n_atoms) if old is not None else None
    if extra is not None:
        e_rows, e_lo, e_hi, n_bin = extra
        rows = [csr_matrix(np.hstack([r.toarray(), np.zeros((r.shape[0], n_bin))])) for r in rows]
        rows.append(csr_matrix(e_rows))
        lo.append(e_lo)
        hi.append(e_hi)
        cost = np.concatenate([cost, np.zeros(n_bin)])
    n_var = cost.size
    for _ in range(tries):
        cons = LinearConstraint(vstack(rows).tocsr(), np.concatenate(lo), np.concatenate(hi))
        res = milp(
            cost,
            constraints=cons,
            integrality=np.ones(n_var),
            bounds=Bounds(0, 1),
            options={"time_limit": TIME_LIMIT},
        )
        if res.status == 2:
            return None  # infeasible: no (further) small group is determined
        if res.status != 0 or res.x is None:  # never release on an unfinished search
            raise DisclosureError(
                f"the differencing search did not finish: {res.message}", code="group_search_failed"
            )
        chosen = np.flatnonzero(res.x[:s] > 0.5)
        x = np.zeros(n_atoms)
        x[small[chosen]] = 1.0
        if in_span(b, x) and not (reject and reject(x)):
            return x
        cut = np.zeros(n_var)  # no-good cut: not exactly this set of atoms again
        cut[:s] = -1.0
        cut[chosen] = 1.0
        rows.append(csr_matrix(cut[None, :]))
        lo.append(np.array([-np.inf]))
        hi.append(np.array([float(len(chosen) - 1)]))
    # every candidate so far rejected and more may follow: never release on an unfinished search
    raise DisclosureError(
        f"the differencing search did not finish: {tries} candidate groups rejected",
        code="group_search_failed",
    )


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
