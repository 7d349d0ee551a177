"""Special uniques (SUDA): risk over every combination of the attacker's variables (numpy only).

A profile's key variables are the combination an intruder is assumed to hold *together*. An intruder
may instead know a few other facts about a person (her education and weekly hours, her absence
days), so a record can be unique on a small combination of variables that no declared key set
contains. SUDA (Elliot, Manning and Ford 2002, "A computational algorithm for handling the special
uniques problem"; sdcMicro's ``suda2``) looks for exactly those:

- a **sample unique** on a set S of variables: no other record is *compatible* with it on S (the
  wildcard semantics of :mod:`pipeline.sdc.microdata.risk`: a missing or suppressed value matches
  anything, so a suppressed value never makes a record unique);
- a **minimal sample unique** (MSU): a sample unique on S that is not unique on any proper subset
  of S. Uniqueness is monotone (a record unique on S is unique on every superset), so S is minimal
  iff no subset with one variable fewer is unique;
- the **SUDA score** of a record: the sum over its MSUs of size s of ``prod_{i=s}^{M-1} (A - i)``
  (A: the number of variables, M: the largest MSU size searched), the weighting of Elliot et al.
  2002: an MSU on fewer variables weighs more (it is easier to know and has more supersets).
  sdcMicro also reports a DIS-SUDA score, which calibrates the SUDA score to a probability of a
  correct match with a sampling-fraction model; it is not computed here (the individual risk of
  :mod:`pipeline.sdc.microdata.risk` is the calibrated measure this engine uses).

:func:`msus` searches every combination of up to ``max_size`` variables, counting compatibilities
with the pattern engine :func:`pipeline.sdc.microdata.risk.frequencies`. ``k`` generalises
"unique" to "fewer than k compatible records" (the threshold local suppression enforces on each
combination, as sdcMicro's ``localSuppression(combs = ...)``).

sdcMicro is not installable here (no CRAN mirror), so the tests check this module against the
definition itself: a brute-force search over every record and every subset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from math import comb, prod

import numpy as np

from pipeline.sdc.microdata.risk import WILDCARD, _row_ids
from pipeline.sdc.microdata.suppress import Strategy, local_suppression

MAX_SIZE = 4  # the largest combination searched by default


@dataclass(frozen=True, eq=False)
class Msus:
    """The minimal risky combinations of one file."""

    variables: tuple[str, ...]
    max_size: int
    k: int  # a combination is risky for a record with fewer than k compatible records
    found: tuple[tuple[int, tuple[int, ...]], ...]  # (row, column indices of the MSU), by row
    combinations: int  # combinations searched
    score: np.ndarray  # SUDA score per record (0: no MSU)
    min_size: np.ndarray  # size of the smallest MSU per record (0: none)

    @property
    def records(self) -> int:
        """Records with at least one MSU."""
        return int(np.sum(self.min_size > 0))

    def by_size(self) -> tuple[tuple[int, int], ...]:
        """(size, records whose smallest MSU has that size)."""
        return tuple((s, int(np.sum(self.min_size == s))) for s in range(1, self.max_size + 1))

    def top_combinations(self, limit: int = 10) -> tuple[tuple[tuple[str, ...], int], ...]:
        """The combinations with the most records that are risky on them, most first."""
        count: dict[tuple[int, ...], int] = {}
        for _row, combo in self.found:
            count[combo] = count.get(combo, 0) + 1
        top = sorted(count.items(), key=lambda t: (-t[1], t[0]))[:limit]
        return tuple((tuple(self.variables[j] for j in c), n) for c, n in top)


def suda_weight(size: int, n_vars: int, max_size: int) -> int:
    """Elliot et al.'s weight of an MSU of ``size`` variables among ``n_vars``, searched up to
    ``max_size``: ``prod_{i=size}^{max_size-1} (n_vars - i)`` (1 for an MSU of the largest size)."""
    return prod(n_vars - i for i in range(size, max_size))


_DIRECT = 1 << 20  # mixed-radix ids up to this size are used as they are (no sort)


def _ids(sub: np.ndarray) -> np.ndarray:
    """Ids of the distinct rows of a small non-negative int matrix: the mixed-radix number itself
    when it stays small, else dense ids."""
    widths = sub.max(axis=0) + 1 if sub.shape[0] else np.ones(sub.shape[1], dtype=np.int64)
    if float(np.prod(widths.astype(np.float64))) > _DIRECT:
        return _row_ids(sub)
    ids = np.zeros(sub.shape[0], dtype=np.int64)
    for j in range(sub.shape[1]):
        ids = ids * int(widths[j]) + sub[:, j]
    return ids


def compatible_counts(codes: np.ndarray) -> np.ndarray:
    """``f_k`` per record with wildcard semantics (the same numbers as
    :func:`pipeline.sdc.microdata.risk.frequencies`, unweighted), for the few columns of one
    combination: records are grouped by wildcard pattern; for two patterns A and B, a record of A
    counts the records of B that agree with it on the variables known in both. The dense ids of
    each such intersection are computed once and shared by every pair of patterns with it."""
    n, p = codes.shape
    if p == 0 or n == 0:
        return np.full(n, n, dtype=np.int64)
    known = codes >= 0
    bits = (known.astype(np.int64) << np.arange(p, dtype=np.int64)).sum(axis=1)
    patterns, members = np.unique(bits, return_inverse=True)
    members = members.reshape(-1)
    shifted = codes + 1  # wildcards (-1) become 0: ids need non-negative codes
    if patterns.shape[0] == 1 and int(patterns[0]) == (1 << p) - 1:  # no wildcard: one grouping
        ids = _ids(shifted)
        return np.bincount(ids)[ids].astype(np.int64)
    rows = [np.flatnonzero(members == g) for g in range(patterns.shape[0])]
    ids_of: dict[int, np.ndarray] = {}
    fk = np.zeros(n, dtype=np.int64)
    for a, ra in zip(patterns.tolist(), rows, strict=True):
        for b, rb in zip(patterns.tolist(), rows, strict=True):
            shared = a & b
            if shared == 0:
                fk[ra] += rb.shape[0]
                continue
            if shared not in ids_of:
                cols = [j for j in range(p) if shared >> j & 1]
                ids_of[shared] = _ids(shifted[:, cols])
            ids = ids_of[shared]
            fk[ra] += np.bincount(ids[rb], minlength=int(ids.max()) + 1)[ids[ra]]
    return fk


def msus(
    codes: np.ndarray,
    variables: Sequence[str],
    *,
    max_size: int = MAX_SIZE,
    k: int = 2,
) -> Msus:
    """Every minimal combination of at most ``max_size`` of the columns of ``codes`` (n x p key
    codes, WILDCARD = -1) on which a record has fewer than ``k`` compatible records (``k = 2``:
    the minimal sample uniques of SUDA)."""
    codes = np.asarray(codes, dtype=np.int64)
    n, p = codes.shape
    if len(variables) != p:
        raise ValueError("one name per column")
    top = min(max_size, p)
    risky_prev: dict[tuple[int, ...], np.ndarray] = {}
    found: list[tuple[int, tuple[int, ...]]] = []
    score = np.zeros(n, dtype=np.float64)
    min_size = np.zeros(n, dtype=np.int64)
    searched = 0
    for size in range(1, top + 1):
        risky_now: dict[tuple[int, ...], np.ndarray] = {}
        weight = suda_weight(size, p, top)
        for combo in combinations(range(p), size):
            searched += 1
            fk = compatible_counts(codes[:, combo])
            risky = fk < k
            if not risky.any():
                continue
            risky_now[combo] = risky
            minimal = risky.copy()
            if size > 1:
                for drop in range(size):
                    sub = combo[:drop] + combo[drop + 1 :]
                    below = risky_prev.get(sub)
                    if below is not None:
                        minimal &= ~below
            rows = np.flatnonzero(minimal)
            if rows.shape[0] == 0:
                continue
            found.extend((int(r), combo) for r in rows)
            score[rows] += weight
            first = rows[min_size[rows] == 0]
            min_size[first] = size
        risky_prev = risky_now
    found.sort()
    assert searched == sum(comb(p, s) for s in range(1, top + 1))
    return Msus(tuple(variables), top, k, tuple(found), searched, score, min_size)


@dataclass(frozen=True, eq=False)
class CombinationSuppression:
    codes: np.ndarray  # after suppression (WILDCARD where suppressed)
    cells: tuple[tuple[int, int], ...]  # (row, column index) in suppression order
    combinations: int  # combinations checked
    fixed: int  # combinations that needed suppression


def suppress_combinations(
    codes: np.ndarray,
    weights: np.ndarray | None,
    *,
    k: int,
    max_size: int,
    importance: Sequence[int],
    covered: Sequence[int] = (),
    strategy: Strategy = "importance",
) -> CombinationSuppression:
    """Local suppression until every combination of at most ``max_size`` columns has at least
    ``k`` compatible records for every record (sdcMicro's ``localSuppression`` with ``combs``).

    Combinations are taken smallest first; each is made k-anonymous with
    :func:`pipeline.sdc.microdata.suppress.local_suppression` (``importance``: column indices, most
    important first; a combination suppresses its least important variables first). A suppression
    only adds wildcards, and a wildcard only adds compatible records, so a combination made safe
    stays safe: one pass suffices (the caller verifies with :func:`msus`). Combinations inside
    ``covered`` (the key variables, already k-anonymous as a whole) are skipped."""
    codes = np.array(codes, dtype=np.int64, copy=True)
    p = codes.shape[1]
    rank = {c: i for i, c in enumerate(importance)}
    inside = set(covered)
    cells: list[tuple[int, int]] = []
    checked = fixed = 0
    for size in range(1, min(max_size, p) + 1):
        for combo in combinations(range(p), size):
            if set(combo) <= inside:
                continue
            checked += 1
            sub = codes[:, combo]
            if bool((compatible_counts(sub) >= k).all()):
                continue
            fixed += 1
            order = sorted(range(size), key=lambda j: rank[combo[j]])
            res = local_suppression(sub, weights, k=k, importance=order, strategy=strategy)
            for row, j in res.cells:
                codes[row, combo[j]] = WILDCARD
                cells.append((row, combo[j]))
    return CombinationSuppression(codes, tuple(cells), checked, fixed)
