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
example when earlier releases alone already determine it); a rejected group is cut off and the search
goes on, up to ``tries`` times. This covers every determined small group (differences of nested
cells, inclusion-exclusion, totals minus parts across releases), at the price of one MILP per check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

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


def find_small_group(
    cells: np.ndarray,
    counts: np.ndarray,
    max_n: int,
    reject: Callable[[np.ndarray], bool] | None = None,
    tries: int = 50,
    span: np.ndarray | None = None,
) -> np.ndarray | None:
    """A 0/1 vector over the atoms (columns of ``cells``, published cells x atoms) with
    ``1 <= counts @ x <= max_n`` in the row space of ``cells``, not rejected; None if there is none."""
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
    for _ in range(tries):
        cons = LinearConstraint(vstack(rows).tocsr(), np.concatenate(lo), np.concatenate(hi))
        res = milp(
            cost,
            constraints=cons,
            integrality=np.ones(s),
            bounds=Bounds(0, 1),
            options={"time_limit": TIME_LIMIT},
        )
        if res.status == 2:
            return None  # infeasible: no (further) small group is determined
        if res.status != 0 or res.x is None:  # never release on an unfinished search
            raise DisclosureError(
                f"the differencing search did not finish: {res.message}", code="group_search_failed"
            )
        chosen = np.flatnonzero(res.x > 0.5)
        x = np.zeros(n_atoms)
        x[small[chosen]] = 1.0
        if in_span(b, x) and not (reject and reject(x)):
            return x
        cut = -np.ones(s)  # no-good cut: not exactly this set of atoms again
        cut[chosen] = 1.0
        rows.append(csr_matrix(cut[None, :]))
        lo.append(np.array([-np.inf]))
        hi.append(np.array([float(len(chosen) - 1)]))
    return None
