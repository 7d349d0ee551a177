"""Helpers shared by the disclosure tests: tables built from inner (leaf) cells, brute-force oracles."""

from __future__ import annotations

import itertools

import numpy as np

from pipeline.disclosure.structure import TOTAL, TableStructure, build, flat


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


def brute_intervals(st: TableStructure, inner: np.ndarray, suppressed: list[bool],
                    limit: int = 2_000_000) -> dict[int, tuple[int, int]]:
    """Exact integer bounds of each suppressed cell: enumerate (vectorised) all non-negative integer
    inner tables that agree with every published cell. Small tables only."""
    m = cover_matrix(st, inner.shape)
    x = inner.ravel().astype(np.int64)
    true = m @ x
    sup = np.asarray(suppressed, dtype=bool)
    leaf_of = {j: int(np.flatnonzero((m[:, j] == 1) & (m.sum(axis=1) == 1))[0]) for j in range(x.size)}
    free = [j for j in range(x.size) if sup[leaf_of[j]]]
    bounds = []
    for j in free:
        pub = [c for c in range(st.n_cells) if m[c, j] and not sup[c]]
        bounds.append(int(min((true[c] for c in pub), default=true.max())))
    total = int(np.prod([b + 1 for b in bounds], dtype=np.int64))
    if total > limit:
        raise ValueError(f"too many candidate tables to enumerate ({total})")
    grids = np.meshgrid(*[np.arange(b + 1) for b in bounds], indexing="ij")
    combos = np.stack([g.ravel() for g in grids], axis=1) if free else np.zeros((1, 0), dtype=np.int64)
    cand = np.repeat(x[None, :], combos.shape[0], axis=0)
    cand[:, free] = combos
    vals = cand @ m.T  # candidates x cells
    ok = np.all(vals[:, ~sup] == true[~sup], axis=1)
    feas = vals[ok]
    return {int(c): (int(feas[:, c].min()), int(feas[:, c].max())) for c in np.flatnonzero(sup)}
