"""Helpers shared by the disclosure tests: tables built from inner (leaf) cells, brute-force oracles,
exact rational linear algebra (independent of the engine's floating-point rank tests)."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np

from pipeline.sdc.tables.structure import TOTAL, TableStructure, build, flat


def table_from_inner(inner: np.ndarray) -> tuple[TableStructure, list[float]]:
    """A flat table with margins on every dimension, values summed from the inner array."""
    st = build([flat(f"d{k}", range(s)) for k, s in enumerate(inner.shape)])
    return st, values_from_inner(st, inner)


def values_from_inner(st: TableStructure, inner: np.ndarray) -> list[float]:
    out = []
    for key in st.keys:
        idx = tuple(slice(None) if k == TOTAL else int(k) for k in key)
        out.append(float(np.sum(inner[idx])))
    return out


def cover_matrix(st: TableStructure, shape: tuple[int, ...]) -> np.ndarray:
    """cells x inner-cells 0/1 matrix: which inner cells each table cell sums."""
    inner_keys = list(itertools.product(*(range(s) for s in shape)))
    out = np.zeros((st.n_cells, len(inner_keys)), dtype=np.int64)
    for c, key in enumerate(st.keys):
        for j, ik in enumerate(inner_keys):
            if all(k == TOTAL or int(k) == x for k, x in zip(key, ik, strict=True)):
                out[c, j] = 1
    return out


def brute_intervals(
    st: TableStructure, inner: np.ndarray, suppressed: list[bool], limit: int = 2_000_000
) -> dict[int, tuple[int, int]]:
    """Exact integer bounds of each suppressed cell: enumerate (vectorised) all non-negative integer
    inner tables that agree with every published cell. Small tables only."""
    m = cover_matrix(st, inner.shape)
    x = inner.ravel().astype(np.int64)
    true = m @ x
    sup = np.asarray(suppressed, dtype=bool)
    leaf_of = {
        j: int(np.flatnonzero((m[:, j] == 1) & (m.sum(axis=1) == 1))[0]) for j in range(x.size)
    }
    free = [j for j in range(x.size) if sup[leaf_of[j]]]
    bounds = []
    for j in free:
        pub = [c for c in range(st.n_cells) if m[c, j] and not sup[c]]
        bounds.append(int(min((true[c] for c in pub), default=true.max())))
    total = int(np.prod([b + 1 for b in bounds], dtype=np.int64))
    if total > limit:
        raise ValueError(f"too many candidate tables to enumerate ({total})")
    grids = np.meshgrid(*[np.arange(b + 1) for b in bounds], indexing="ij")
    combos = (
        np.stack([g.ravel() for g in grids], axis=1) if free else np.zeros((1, 0), dtype=np.int64)
    )
    cand = np.repeat(x[None, :], combos.shape[0], axis=0)
    cand[:, free] = combos
    vals = cand @ m.T  # candidates x cells
    ok = np.all(vals[:, ~sup] == true[~sup], axis=1)
    feas = vals[ok]
    return {int(c): (int(feas[:, c].min()), int(feas[:, c].max())) for c in np.flatnonzero(sup)}


MAX_ATOMS = 18  # no_small_group enumerates all 2**atoms unions


def in_span_exact(rows: list[list[int]], v: list[int]) -> bool:
    """Is v a rational linear combination of rows? Gaussian elimination over Fractions."""
    basis: list[tuple[int, list[Fraction]]] = []  # (pivot, row)
    for r in rows:
        x = [Fraction(t) for t in r]
        for p, b in basis:
            if x[p]:
                f = x[p] / b[p]
                x = [xi - f * bi for xi, bi in zip(x, b, strict=True)]
        piv = next((i for i, t in enumerate(x) if t), None)
        if piv is not None:
            basis.append((piv, x))
    y = [Fraction(t) for t in v]
    changed = True
    while changed:  # reduce until no pivot of the basis is non-zero in y
        changed = False
        for p, b in basis:
            if y[p]:
                f = y[p] / b[p]
                y = [yi - f * bi for yi, bi in zip(y, b, strict=True)]
                changed = True
    return not any(y)


def nullspace_exact(rows: list[list[int]], n: int) -> list[list[int]]:
    """Integer basis of {z : rows @ z = 0} (reduced row echelon form over Fractions)."""
    m = [[Fraction(v) for v in r] for r in rows]
    pivots: list[int] = []
    r = 0
    for c in range(n):
        p = next((i for i in range(r, len(m)) if m[i][c] != 0), None)
        if p is None:
            continue
        m[r], m[p] = m[p], m[r]
        m[r] = [v / m[r][c] for v in m[r]]
        for i in range(len(m)):
            if i != r and m[i][c] != 0:
                f = m[i][c]
                m[i] = [a - f * b for a, b in zip(m[i], m[r], strict=True)]
        pivots.append(c)
        r += 1
    out = []
    for free in (c for c in range(n) if c not in pivots):
        z = [Fraction(0)] * n
        z[free] = Fraction(1)
        for i, pc in enumerate(pivots):
            z[pc] = -m[i][free]
        den = math.lcm(*(v.denominator for v in z))
        out.append([int(v * den) for v in z])
    return out


def atom_count(pub: np.ndarray) -> int:
    """The number of non-empty atoms (groups of respondents no published cell tells apart)."""
    if pub.size == 0:
        return 0
    patterns = np.unique(pub.T, axis=0)
    return int(patterns.any(axis=1).sum())


def no_small_group(pub: np.ndarray, min_n: int) -> None:
    """Enumerate every union of atoms; none in the row space may have 0 < n < min_n."""
    if pub.size == 0:
        return
    patterns, counts = np.unique(pub.T, axis=0, return_counts=True)  # atoms x cells
    keep = patterns.any(axis=1)
    patterns, counts = patterns[keep], counts[keep]
    n_atoms = len(counts)
    if n_atoms == 0:
        return
    assert n_atoms <= MAX_ATOMS, n_atoms  # every subset is enumerated
    z = np.array(nullspace_exact(patterns.T.astype(int).tolist(), n_atoms), dtype=np.int64).reshape(
        -1, n_atoms
    )
    subsets = ((np.arange(1 << n_atoms)[:, None] >> np.arange(n_atoms)) & 1).astype(np.int64)
    in_span = np.all(subsets @ z.T == 0, axis=1) if len(z) else np.ones(len(subsets), dtype=bool)
    sizes = subsets @ counts
    bad = in_span & (sizes > 0) & (sizes < min_n)
    assert not bad.any(), f"a derived group of {int(sizes[bad][0])} respondent(s)"
