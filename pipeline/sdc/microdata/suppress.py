"""Local suppression to k-anonymity (and optionally an individual-risk ceiling) with few suppressed
cells, respecting an importance order of the key variables.

Semantics as sdcMicro: a suppressed value is a *wildcard* that matches any value when frequencies are
counted (:mod:`pipeline.sdc.microdata.risk`). The algorithm is greedy over records and exact per record:

1. compute ``f_k``/``F_k`` for every record;
2. take the records that violate (``f_k < k`` or risk above the ceiling), fewest ``f_k`` first, then
   highest risk, then row order;
3. for a violating record i, every other record j differs from i on a set ``m_j`` of key variables
   (known in both). Suppressing a set S of i's values makes j compatible iff ``m_j`` is a subset of S,
   so ``f_k(S) = #{j : m_j subset of S}``: one histogram of the ``m_j`` bitmasks and a subset-sum
   (zeta) transform give ``f_k`` and ``F_k`` for *every* S at once. Strategy ``importance``
   (default): among the sets S that fix i, the one that spares the most important variables
   (lexicographically) wins, then the smallest. Strategy ``fewest_cells``: the smallest S wins,
   importance breaks ties. Per record ``fewest_cells`` is minimal, but over the whole file
   ``importance`` needed about as many or fewer cells on the synthetic WBM data (suppressing the least
   important variable makes many records compatible with each other at once) and kept the important
   variables intact, hence the default;
4. ``f_k``/``F_k`` are updated exactly for i and for every record that became compatible with it;
5. repeat until no record violates.

Every suppression strictly adds a wildcard, so the loop ends; if the data have fewer than k records
no suppression can help and :class:`~pipeline.errors.DisclosureError` is raised first. The caller
verifies the final file with an independent frequency engine (:func:`verify`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from pipeline.errors import DisclosureError, Problem
from pipeline.sdc.microdata.risk import WILDCARD, frequencies, individual_risk

MAX_KEYS = 12
Strategy = Literal[
    "fewest_cells", "importance"
]  # the subset transform has 2**p cells per violating record


@dataclass(frozen=True, eq=False)
class Suppression:
    codes: np.ndarray  # key codes after suppression (WILDCARD where suppressed)
    cells: tuple[tuple[int, int], ...]  # (row, key column index) in suppression order
    fk: np.ndarray
    Fk: np.ndarray
    passes: int


def _violates(f: np.ndarray, F: np.ndarray, k: int, max_risk: float | None) -> np.ndarray:
    bad = np.asarray(f) < k
    if max_risk is not None:
        r, _ = individual_risk(np.atleast_1d(f), np.atleast_1d(F))
        bad = bad | (r.reshape(np.shape(bad)) > max_risk)
    return bad


def _subset_tables(
    p: int, importance: Sequence[int]
) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, int]]]:
    sets = np.arange(1 << p, dtype=np.int64)
    popcount = np.zeros(1 << p, dtype=np.int64)
    cost = np.zeros(1 << p, dtype=np.int64)
    for rank, col in enumerate(importance):  # rank 0: most important -> the highest cost
        has = (sets >> col) & 1
        popcount += has
        cost += has << (p - 1 - rank)
    steps = [(sets[(sets >> b) & 1 == 1], 1 << b) for b in range(p)]
    return popcount, cost, steps


def local_suppression(
    codes: np.ndarray,
    weights: np.ndarray | None,
    *,
    k: int,
    importance: Sequence[int],
    max_risk: float | None = None,
    strategy: Strategy = "importance",
) -> Suppression:
    """Suppress key codes (n x p, WILDCARD = -1) until every record meets k (and ``max_risk``).

    ``importance``: key column indices, most important (suppressed last) first. ``strategy``:
    ``fewest_cells`` takes the smallest suppression set of a record and uses importance to break ties;
    ``importance`` spares the most important variables first (lexicographically) and takes more cells
    if that is what it costs."""
    codes = np.array(codes, dtype=np.int64, copy=True)
    n, p = codes.shape
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    if sorted(importance) != list(range(p)):
        raise ValueError("importance must list every key column once")
    if p > MAX_KEYS:
        raise DisclosureError(
            f"local suppression supports at most {MAX_KEYS} key variables, got {p}",
            [
                Problem(
                    "too many key variables",
                    value=p,
                    hint="declare fewer key variables in the profile",
                )
            ],
            code="too_many_keys",
        )
    if n < k:
        raise DisclosureError(
            f"k-anonymity with k = {k} is impossible: the data have only {n} record(s)",
            [Problem("fewer records than k", value=n, expected=f"at least {k} records")],
            code="k_unreachable",
        )
    fk, Fk = frequencies(codes, w)
    if p == 0:
        return Suppression(codes, (), fk, Fk, 0)
    popcount, cost, steps = _subset_tables(p, importance)
    order_key = (
        popcount * (int(cost.max()) + 1) + cost
        if strategy == "fewest_cells"
        else cost * (p + 1) + popcount
    )
    bits = 1 << np.arange(p, dtype=np.int64)
    cells: list[tuple[int, int]] = []
    passes = 0
    while True:
        viol = np.flatnonzero(_violates(fk, Fk, k, max_risk))
        if viol.shape[0] == 0:
            break
        passes += 1
        r, _ = individual_risk(fk[viol], Fk[viol])
        viol = viol[np.lexsort((viol, -r, fk[viol]))]
        for i in viol:
            if not _violates(fk[i : i + 1], Fk[i : i + 1], k, max_risk)[0]:
                continue  # fixed meanwhile by another record's suppression
            ci = codes[i]
            known_i = ci >= 0
            mism = (codes != ci) & (codes >= 0) & known_i
            m = mism.astype(np.int64) @ bits
            f = np.bincount(m, minlength=1 << p).astype(np.int64)
            F = np.bincount(m, weights=w, minlength=1 << p)
            for idx, b in steps:  # zeta transform: f[S] = sum of hist over subsets of S
                f[idx] += f[idx ^ b]
                F[idx] += F[idx ^ b]
            kmask = int(known_i.astype(np.int64) @ bits)
            allowed = (np.arange(1 << p) & ~kmask) == 0
            ok = allowed & ~_violates(f, F, k, max_risk)
            if not ok.any():
                raise DisclosureError(
                    "local suppression cannot reach the target for a record",
                    [
                        Problem(
                            "no suppression pattern meets the target",
                            row=int(i) + 1,
                            hint="lower max_risk or use fewer key variables",
                        )
                    ],
                    code="target_unreachable",
                )
            S = int(np.flatnonzero(ok)[np.argmin(order_key[ok])])
            newly = (m != 0) & ((m & ~S) == 0)
            fk[newly] += 1
            Fk[newly] += w[i]
            fk[i], Fk[i] = f[S], F[S]
            for col in range(p):
                if S >> col & 1:
                    codes[i, col] = WILDCARD
                    cells.append((int(i), col))
    return Suppression(codes, tuple(cells), fk, Fk, passes)


def verify(
    codes: np.ndarray,
    weights: np.ndarray | None,
    *,
    k: int,
    max_risk: float | None,
    expected_fk: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Recount from scratch (the pattern engine, independent of the incremental counts of
    :func:`local_suppression`; the tests check it against the pairwise engine) and check the target;
    raises :class:`DisclosureError` if any record violates it."""
    fk, Fk = frequencies(codes, weights)
    problems = []
    if expected_fk is not None and not np.array_equal(fk, expected_fk):
        problems.append(
            Problem(
                "incremental and independent frequencies differ",
                value=int(np.sum(fk != expected_fk)),
                code="frequency_mismatch",
            )
        )
    bad = np.flatnonzero(_violates(fk, Fk, k, max_risk))
    problems += [
        Problem(
            "record violates the release target after suppression",
            row=int(i) + 1,
            value=int(fk[i]),
            expected=f"f_k >= {k}",
            code="k_violated",
        )
        for i in bad[:5]
    ]
    if problems:
        raise DisclosureError(
            f"the release does not meet its target ({bad.shape[0]} record(s) violate it)",
            problems,
            code="suppression_verification_failed",
        )
    return fk, Fk
