"""Differencing checks: does a new table, together with earlier releases, reveal a protected figure?

Every released cell is a set of respondents (:mod:`.cells`); its published counts (unweighted n,
weighted N, weighted numerator of a percentage) are sums over that set. The checks run on the
microdata of the data version the releases were made on and treat published cells of the new table
and of every earlier release on that data version (to anyone: tables, reports) alike, in two passes:

- **respondent sets, whatever the indicator** (count level): every published cell, of any measure,
  is a figure about the group of respondents its breakdowns and filters select. All cells together
  are checked on those groups with the count threshold: indicator X on group P and indicator Y on P
  minus one person give that person away, whichever X and Y are. The groups are taken without the
  cells' "answered the indicator" condition: cells of two indicators on the same group differ only by
  item non-response, which the requester does not choose and which reveals no answer (values of an
  indicator are only ever published on respondents who answered it, and are checked per measure);
  counting them as small groups would hide most of every table that shows two indicators;
- **per measure** (value level): cells of one indicator also publish weighted numerators, so groups
  derived from them are checked with the percentage threshold.

The first pass runs when cells of more than one indicator are linked to the new table by shared
respondents (:func:`connected`); cells of one indicator are checked on the answering respondents
(second pass), where their differences are.

Covered (exactly, on the respondent level):

1. **small differences** -- for every pair of published cells A, B (at least one of them new) with
   B a proper subset of A, the group A \\ B is derivable (A minus B); it must be publishable on its own
   (0 or at least the minimum n; dominance/p% for magnitudes). The typical attack: "PC 126" earlier,
   "PC 126 without arbeiders" now. Two cells that are not nested but whose sets differ by fewer than
   the threshold respondents in all (A \\ B and B \\ A together) are a disclosure too: their difference
   is the difference of a few respondents' values.
2. **linear recomputation** -- a primary-suppressed cell (of any release), or one hidden because of
   an earlier finding (``secondary:history``: recomputing it would re-open that finding), whose respondent set is a
   linear combination of published cells' sets (total minus parts, inclusion-exclusion, chains
   across several releases) has recomputable counts. Tested by a rank test (SVD, tolerance 1e-8) on
   the *atoms* (groups of respondents no cell tells apart).
3. **small determined groups** -- any group of respondents (a union of atoms) whose count is such a
   linear combination and is too small: single atoms by the rank test (e.g. "young arbeiders" =
   A + B - (A or B)), and every other union by an exhaustive MILP search (:mod:`.groups`), e.g. a
   total minus two parts published in different releases.

Cells hidden because of an earlier finding (``secondary:history``) are protected like primary cells:
recomputing one would re-open that finding (e.g. a hidden total that is the sum of its published
parts because one part is empty).

Non-negativity adds nothing here (unlike inside a table, where empty cells can pin others): the atoms
are the non-empty groups, so the checks already credit the attacker with knowing which combinations
are empty (conservative), and the true counts are interior points of the non-negativity constraints,
where a zero-width feasible interval is the same as linear determination (check 2).

Checks 2 and 3 run twice when a measure mixes kinds: on all published cells with the count threshold
(unweighted n is derivable from any cell), and on percentage/mean cells alone with the percentage
threshold (a derived percentage needs numerators, which only percentage cells publish).

**Scale.** :func:`pipeline.sdc.tables.protect.protect` checks a table against the earlier cells
:func:`connected` to it (chains of cells sharing respondents), not the whole history of the data
version: a derivation that needs the new table lies in that part (block argument in
:func:`connected`; tests/disclosure/test_disclosure_history_restricted.py compares both on random
histories). The small-group search excludes the groups earlier releases determine on their own
inside the MILP (:mod:`.groups`), so a long history does not make it reject candidates one by one.
One request against 1,000 logged releases: a median under a second (``benchmarks/bench_ledger.py``).

Not covered: releases on other data versions (another respondent set); dominance and p% for derived
groups found by the MILP search (differences and atoms do get them); inference from rounding or
confidence intervals short of exact recovery. Empty cells are not protected (they describe
nobody). Within a single table, the secondary suppression protects against the table's own totals
(LP audit, group rule); these checks then redo that on the respondent level.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from pipeline.sdc.tables.cells import CellDef, Condition, digest, members, membership
from pipeline.sdc.tables.groups import (
    SPAN_TOL,
    basis,
    find_small_group,
    in_span,
    in_span_rows,
    units_in_span,
)
from pipeline.sdc.tables.rules import (
    DEFAULT_RULES,
    OK,
    PRIMARY_DOMINANCE,
    PRIMARY_P_PERCENT,
    SECONDARY_HISTORY,
    PrimaryRules,
    TableKind,
    is_primary,
    is_suppressed,
    primary_status,
)

PERCENT_KINDS = frozenset({TableKind.percent.value, TableKind.mean.value})


@dataclass(frozen=True)
class ReleasedCell:
    """One cell as logged: its definition, kind, status and counts, and which release it belongs to."""

    cell: CellDef
    kind: str
    status: str
    n: int
    weighted_n: float | None = None
    release: str = "new"  # "new" for the table being checked; else the ledger's release id
    index: int = 0  # position in its table

    @property
    def published(self) -> bool:
        return not is_suppressed(self.status)

    @property
    def label(self) -> str:
        return f"{self.release}: {self.cell.key}"


@dataclass(frozen=True)
class Finding:
    """One way a protected figure can be derived. ``new_cells`` are the published cells of the new
    table whose suppression would break the derivation; ``blocking`` is False when earlier releases
    alone already allow it (the new table adds nothing)."""

    code: str  # small_difference | recomputable_cell | small_derived_group
    message: str
    new_cells: tuple[int, ...]
    involved: tuple[str, ...]
    group_n: int | None
    blocking: bool
    group: str = (
        ""  # SHA-256 of the derived group's respondents (row numbers): one finding per group
    )
    target: CellDef | None = None  # the protected cell a recomputable_cell finding recomputes


def _unsafe(n: int, kinds: frozenset[str], rules: PrimaryRules, contrib: np.ndarray | None) -> bool:
    if n <= 0:
        return False
    if kinds and kinds <= PERCENT_KINDS:
        return n < rules.min_n_percent
    if kinds == {TableKind.magnitude.value} and contrib is not None:
        return primary_status(TableKind.magnitude, n, rules, contrib) != OK
    return n < (
        rules.min_n_magnitude if kinds == {TableKind.magnitude.value} else rules.min_n_count
    )


# The checks' linear algebra is many small and medium products, decompositions and solves: with one
# BLAS thread each they take the same time on a quiet machine and do not collapse on a loaded one
# (measured on the full-size wave, standard table after the reports' figures, beside other jobs on 2
# cores: 118-216 s with the default threads, 16-22 s with one; benchmarks/README.md).
@threadpool_limits.wrap(limits=1, user_api="blas")
def check_against_history(
    new: Sequence[ReleasedCell],
    history: Sequence[ReleasedCell],
    columns: Mapping[str, object],
    rules: PrimaryRules = DEFAULT_RULES,
    *,
    contributions: Mapping[str, np.ndarray] | None = None,
    exhaustive: bool = True,
    search: bool = True,
) -> tuple[Finding, ...]:
    """All findings for the new table's cells against earlier releases (same data version): first on
    respondent sets over every measure (count level), then per measure (value level).

    ``exhaustive=False`` (what :func:`pipeline.sdc.tables.protect.protect` asks): once a direct check
    (small differences, recomputable cells, small atoms) has found a blocking finding, the
    small-group search (one MILP per pass, the expensive part) is skipped: the caller suppresses a
    cell and checks again, and the search runs on the round with no direct finding, the one whose
    cells are published. The findings are then some of the blocking ones, not all.

    ``history`` may be restricted to the cells :func:`connected` to the new table (as
    :func:`pipeline.sdc.tables.protect.protect` does): the blocking findings are the same as with the
    whole history (see there); the non-blocking ones are then those about that part of it.

    ``search=False``: the direct checks only, never the small-group search (the joint check of a
    whole space of tables, :func:`pipeline.sdc.tables.space.protect_space`)."""
    findings: list[Finding] = []

    def may_search() -> bool:  # the findings so far allow the search (constant within one measure)
        return search and (exhaustive or not any(f.blocking for f in findings))

    measures = sorted({c.cell.measure for c in new})
    pooled = [*history, *new]
    # the respondent-set pass is for cells of several indicators that can be combined: those linked
    # to the new table by shared respondents (not any other indicator anywhere in the history)
    if len({c.cell.measure for c in pooled}) > 1 and (
        len({c.cell.measure for c in (*connected(new, history, columns), *new)}) > 1
    ):
        findings.extend(_check_measure(_as_sets(pooled), columns, rules, None, may_search()))
    # and, for indicators with the very same respondents (the same items: a share and its acute
    # part, werkbaar werk and "no problem"), their cells as the respondent sets they count
    for same in _same_respondents(pooled, columns):
        findings.extend(_check_measure(same, columns, rules, None, may_search()))
    for measure in measures:
        cells = [c for c in (*history, *new) if c.cell.measure == measure]
        contrib = None if contributions is None else contributions.get(measure)
        findings.extend(_check_measure(cells, columns, rules, contrib, may_search()))
    seen: set[str] = set()
    out = []
    for f in findings:  # a group found on both levels: the first finding
        if f.group not in seen:
            seen.add(f.group)
            out.append(f)
    return tuple(out)


SETS = "respondents"  # the measure of a cell seen as a set of respondents (count level)


@functools.lru_cache(maxsize=1 << 16)
def _group(cell: CellDef) -> CellDef:
    """The group a cell's breakdowns and filters select (without "answered the indicator"); cached
    (a pure function of a frozen definition, asked again for every cell of the history per table)."""
    return CellDef.of((x for x in cell.conditions if x.levels is not None), SETS)


def _groups(cells: Sequence[ReleasedCell]) -> list[CellDef]:
    """:func:`_group` of each cell, computed once per distinct cell definition."""
    done: dict[CellDef, CellDef] = {}
    out = []
    for c in cells:
        g = done.get(c.cell)
        if g is None:
            g = done[c.cell] = _group(c.cell)
        out.append(g)
    return out


def connected(
    new: Sequence[ReleasedCell], history: Sequence[ReleasedCell], columns: Mapping[str, object]
) -> list[ReleasedCell]:
    """The earlier cells (published or suppressed) linked to the new table by a chain of cells that
    share respondents: the connected components of the new cells in the overlap graph of all cells,
    taken on groups (without "answered the indicator", so a superset of each measure's graph).

    Checking only these gives the same blocking findings as checking the whole history. Cells that
    share no respondent with this part (call them the rest) split the respondents into separate
    blocks: an atom lies in cells of one part only, so the cells x atoms matrix is block-diagonal,
    and every check decomposes by block:

    - a small difference needs two overlapping cells, one of them new (a pair with an empty cell is
      skipped: the difference is the other cell itself, judged by the primary rules);
    - a vector over the atoms lies in the span of the published cells exactly when each block's part
      lies in that block's span; the rest holds no new cell, so there the span of all cells is the
      span of the earlier ones. A protected cell of the rest is recomputable from the earlier
      releases alone whenever it is recomputable at all (a notice, never blocking); a protected
      cell of this part lies in this part's atoms. So a derivation that needs a new cell (blocking)
      is one in this part, with the same minimal-norm combination (the rest's coefficients are 0);
    - a determined small group that needs a new cell has a part in this part's atoms that is
      itself determined, needs a new cell and is no larger (its part in the rest is determined by
      earlier releases alone): the smallest such group lies in this part.

    The groups are found exactly from the microdata. To avoid evaluating every earlier cell, a cell is
    first skipped when one of its conditions admits no value the covered respondents have (it cannot
    overlap them); the others are evaluated. Over-inclusion (cells of other components taken along)
    changes no blocking finding either, by the same block argument."""
    if not history:
        return []
    first = next(iter(columns.values()), None)
    n_rows = len(first) if first is not None else 0  # type: ignore[arg-type]
    covered = np.zeros(n_rows, dtype=bool)
    for g in {_group(c.cell) for c in new}:
        covered |= members(g, columns, n_rows)
    groups: dict[CellDef, list[int]] = {}
    for i, g in enumerate(_groups(history)):
        groups.setdefault(g, []).append(i)
    todo = list(groups)
    keep: list[int] = []
    values: dict[str, set[float]] = {}
    masks: dict[CellDef, np.ndarray] = {}
    while todo and covered.any():
        values.clear()
        rest: list[CellDef] = []
        grew = False
        for g in todo:
            if not _may_meet(g, covered, columns, values):
                rest.append(g)
                continue
            mask = masks.get(g)
            if mask is None:
                mask = masks[g] = members(g, columns, n_rows)
            if (mask & covered).any():
                covered |= mask
                keep.extend(groups[g])
                grew = True
            else:
                rest.append(g)
        todo = rest
        if not grew:
            break
    return [history[i] for i in sorted(keep)]


def _may_meet(
    g: CellDef, covered: np.ndarray, columns: Mapping[str, object], values: dict[str, set[float]]
) -> bool:
    """False if some condition of ``g`` admits none of the values the covered respondents have
    (then ``g`` shares no respondent with them); ``values`` caches those values per variable."""
    for c in g.conditions:
        if c.levels is None:
            continue
        have = values.get(c.variable)
        if have is None:
            if c.variable not in columns:
                return True  # evaluating it gives the located error
            col = np.asarray(columns[c.variable], dtype=float)
            have = values[c.variable] = set(np.unique(col[covered]).tolist())
        if not have.intersection(c.levels):
            return False
    return True


def _as_sets(cells: Sequence[ReleasedCell]) -> list[ReleasedCell]:
    """Cells as the groups their breakdowns and filters select (without "answered the indicator"):
    one measure, the count rule. A suppressed cell keeps its status (a primary cell's group must not
    be derivable either, whatever its indicator)."""
    return [_as_set(c, g) for c, g in zip(cells, _groups(cells), strict=True)]


def _as_set(c: ReleasedCell, cell: CellDef) -> ReleasedCell:
    """``c`` as the respondent set ``cell`` on the count level (its status, n and release kept)."""
    return ReleasedCell(
        cell, TableKind.count.value, c.status, c.n, c.weighted_n, c.release, c.index
    )


def _same_respondents(
    cells: Sequence[ReleasedCell], columns: Mapping[str, object]
) -> list[list[ReleasedCell]]:
    """The cells of indicators that have exactly the same respondents (the same "answered" set),
    one list per such class of two or more indicators holding a new cell, each cell as the set of
    respondents it counts (its breakdowns and filters, and "answered" as the class's first
    indicator states it), checked as sets on the count level.

    The sets of :func:`_as_sets` leave "answered" out, so a difference that item non-response
    alone makes (an indicator on P and another with more missing answers on P) is no small group:
    it reveals no answer, and counting it hid most of a standard table. But two indicators with the
    same respondents can carry the same values (werkbaar werk and "no workability problem", a share
    and its acute part), and then X on P and Y on P' (P' inside P, the groups differing by five or
    more, all but one of whom did not answer) differ by that one respondent, whose answer the two
    figures give back. Within such a class no difference is made by non-response alone, so the
    respondent sets are judged as they are (pairs, combinations and the small-group search)."""
    first = next(iter(columns.values()), None)
    n_rows = len(first) if first is not None else 0  # type: ignore[arg-type]
    answered: dict[tuple[Condition, ...], bytes] = {}
    classes: dict[bytes, list[ReleasedCell]] = {}
    rep: dict[bytes, tuple[Condition, ...]] = {}
    for c in cells:
        conds = tuple(x for x in c.cell.conditions if x.levels is None)
        key = answered.get(conds)
        if key is None:
            key = answered[conds] = _key(members(CellDef.of(conds), columns, n_rows))
        classes.setdefault(key, []).append(c)
        rep.setdefault(key, conds)
    out: list[list[ReleasedCell]] = []
    for key, group in classes.items():
        if len({c.cell.measure for c in group}) < 2 or not any(c.release == "new" for c in group):
            continue
        out.append(
            [_as_set(c, CellDef.of((*_group(c.cell).conditions, *rep[key]), SETS)) for c in group]
        )
    return out


def _check_measure(
    cells: list[ReleasedCell],
    columns: Mapping[str, object],
    rules: PrimaryRules,
    contrib: np.ndarray | None,
    search: bool = True,
) -> list[Finding]:
    defs = sorted({c.cell for c in cells}, key=lambda d: d.key)
    col = {d: j for j, d in enumerate(defs)}
    m = membership(defs, columns)
    sizes = m.sum(axis=0)
    pub_new = [c for c in cells if c.published and c.release == "new"]
    pub_all = [c for c in cells if c.published]
    out: list[Finding] = []
    out.extend(_nested(pub_new, pub_all, m, col, sizes, rules, contrib))
    kinds_all = frozenset(c.kind for c in pub_all)
    passes = [(pub_all, kinds_all)]
    pct = [c for c in pub_all if c.kind in PERCENT_KINDS]
    if pct and not kinds_all <= PERCENT_KINDS:
        passes.append((pct, frozenset(PERCENT_KINDS)))
    # protected: primary cells, and cells hidden because of an earlier finding (recomputing one of
    # those re-opens that finding, e.g. a hidden total that is the sum of its parts when a part is empty)
    primary = [c for c in cells if is_primary(c.status) or c.status == SECONDARY_HISTORY]
    for pub, kinds in passes:
        go = search and not any(f.blocking for f in out)
        out.extend(_span_checks(pub, kinds, primary, m, col, sizes, rules, contrib, go))
    seen: set[str] = set()
    unique = []
    for f in out:  # the same group found by several checks: keep the first (most direct) finding
        if f.group not in seen:
            seen.add(f.group)
            unique.append(f)
    return unique


def _nested(pub_new, pub_all, m, col, sizes, rules, contrib) -> list[Finding]:
    out: list[Finding] = []
    mf = m.astype(np.float32)
    new_cols = sorted({col[c.cell] for c in pub_new})
    all_cols = sorted({col[c.cell] for c in pub_all})
    if not new_cols:
        return out
    inter = mf[:, new_cols].T @ mf[:, all_cols]  # |A and B|
    by_col: dict[int, list[ReleasedCell]] = {}
    for c in pub_all:
        by_col.setdefault(col[c.cell], []).append(c)
    seen = set()
    magnitude = frozenset({TableKind.magnitude.value})

    def unsafe(d: int, kinds: frozenset[str], x: int, y: int, both: bool) -> bool:
        # the group (x xor y if both sides, else x minus y) is only needed for dominance
        # (magnitudes with unit values)
        if contrib is not None and kinds == magnitude:
            grp = m[:, x] ^ m[:, y] if both else m[:, x] & ~m[:, y]
            return _unsafe(d, kinds, rules, contrib[grp])
        return _unsafe(d, kinds, rules, None)

    for i, a in enumerate(new_cols):
        # a disjoint pair tells nothing (with an empty cell: the difference is the other cell
        # itself, which the primary rules judged): only overlapping pairs
        near = np.flatnonzero(inter[i] > 0.5)
        for j in near:
            b = all_cols[j]
            if a == b:
                continue
            k = int(round(inter[i, j]))
            if k < min(sizes[a], sizes[b]) and (min(a, b), max(a, b)) not in seen:
                seen.add((min(a, b), max(a, b)))  # not nested: A and B differ on both sides
                d = int(sizes[a] + sizes[b] - 2 * k)
                kinds = _pair_kinds(by_col[a], by_col[b])
                if k > 0 and unsafe(d, kinds, a, b, True):
                    grp = m[:, a] ^ m[:, b]
                    ca, cb = by_col[a][0], by_col[b][0]
                    news = tuple(
                        sorted({x.index for x in by_col[a] + by_col[b] if x.release == "new"})
                    )
                    out.append(
                        Finding(
                            "small_difference",
                            f"{ca.label!r} and {cb.label!r} differ by {d} respondent(s) in all, below "
                            "the minimum for a published figure",
                            news,
                            (ca.label, cb.label),
                            d,
                            True,
                            digest(grp),
                        )
                    )
                continue
            for big, small in ((a, b), (b, a)):
                if k == sizes[small] and sizes[big] > k and (big, small) not in seen:
                    seen.add((big, small))
                    d = int(sizes[big] - k)
                    kinds = _pair_kinds(by_col[big], by_col[small])
                    if unsafe(d, kinds, big, small, False):
                        grp = m[:, big] & ~m[:, small]
                        cb, cs = by_col[big][0], by_col[small][0]
                        news = tuple(
                            sorted(
                                {x.index for x in by_col[big] + by_col[small] if x.release == "new"}
                            )
                        )
                        out.append(
                            Finding(
                                "small_difference",
                                f"{cb.label!r} minus {cs.label!r} describes a group of {d} respondent(s), below the "
                                "minimum for a published figure",
                                news,
                                (cb.label, cs.label),
                                d,
                                True,
                                digest(grp),
                            )
                        )
    return out


def _pair_kinds(a: list[ReleasedCell], b: list[ReleasedCell]) -> frozenset[str]:
    """A derived group gets percentages only if both cells publish percentages, else counts."""
    ka, kb = {x.kind for x in a}, {x.kind for x in b}
    if ka & PERCENT_KINDS and kb & PERCENT_KINDS:
        return frozenset(PERCENT_KINDS)
    if ka == kb == {TableKind.magnitude.value}:
        return frozenset({TableKind.magnitude.value})
    return frozenset({TableKind.count.value})


def _atoms(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique membership patterns (atoms x cells), their sizes, and each respondent's atom (-1: none)."""
    inside = m.any(axis=1)
    if not inside.any():
        return (
            np.zeros((0, m.shape[1]), dtype=bool),
            np.zeros(0, dtype=int),
            np.full(m.shape[0], -1),
        )
    packed = np.ascontiguousarray(np.packbits(m[inside], axis=1))
    rows = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()  # one byte string per row
    _, first, inv, counts = np.unique(
        rows, return_index=True, return_inverse=True, return_counts=True
    )
    patterns = np.unpackbits(packed[first], axis=1, count=m.shape[1]).astype(bool)
    which = np.full(m.shape[0], -1)
    which[inside] = inv.ravel()
    return patterns, counts, which


def _combination(a: np.ndarray, v: np.ndarray) -> np.ndarray:
    y, *_ = np.linalg.lstsq(a.T, v, rcond=None)
    return y


def _new_parts(
    a: np.ndarray,
    cols: Sequence[int],
    b_old: np.ndarray,
    v: np.ndarray,
    news_of: Mapping[int, set[int]],
) -> tuple[int, ...]:
    """The new table's cells a derivation of ``v`` cannot do without: solve with every vector taken
    modulo the span of the earlier releases, so a new cell whose value is already public (e.g. the
    same cell published before) is never blamed -- hiding it would change nothing."""
    idx = [i for i, j in enumerate(cols) if j in news_of]
    if not idx:
        return ()
    an, vv = a[idx], v
    if b_old.shape[0]:
        an = an - (an @ b_old.T) @ b_old
        vv = v - b_old.T @ (b_old @ v)
        # a new cell in the earlier span leaves only rounding noise, which lstsq would use
        # (with any coefficient): drop it, as in_span would judge it
        scale = np.maximum(1.0, np.linalg.norm(a[idx], axis=1))
        live = np.linalg.norm(an, axis=1) > SPAN_TOL * 10 * scale
        idx = [i for i, ok in zip(idx, live, strict=True) if ok]
        if not idx:
            return ()
        an = an[live]
    y, *_ = np.linalg.lstsq(an.T, vv, rcond=None)
    used = [cols[idx[k]] for k in np.flatnonzero(np.abs(y) > 1e-7)]
    return tuple(sorted({i for j in used for i in news_of[j]}))


def _span_checks(pub, kinds, primary, m, col, sizes, rules, contrib, search) -> list[Finding]:
    out: list[Finding] = []
    pub_cols = sorted({col[c.cell] for c in pub})
    old_cols = sorted({col[c.cell] for c in pub if c.release != "new"})
    if not pub_cols:
        return out
    patterns, counts, which = _atoms(m)
    a_all = patterns[:, pub_cols].T.astype(float)  # published cells x atoms
    a_old = patterns[:, old_cols].T.astype(float)
    b_all, b_old = basis(a_all), basis(a_old)
    news_of: dict[int, set[int]] = {}
    for c in pub:
        if c.release == "new":
            news_of.setdefault(col[c.cell], set()).add(c.index)
    labels = {col[c.cell]: c.label for c in pub}

    def used_labels(y: np.ndarray) -> tuple[str, ...]:  # y: a combination of the published cells
        used = [pub_cols[i] for i in np.flatnonzero(np.abs(y) > 1e-7)]
        used.sort(key=lambda j: (-(j in news_of), j))
        return tuple(labels[j] for j in used[:6])

    # respondent sets some published cell shows as it is (e.g. a group hidden for one indicator and
    # published for another, on the count level)
    shown = {_key(m[:, j]) for j in pub_cols}
    protected = []
    for u in primary:
        n_u = int(sizes[col[u.cell]])
        forced = u.status == SECONDARY_HISTORY
        # a cell hidden by the dominance or p% rule is protected whatever its n (the rule is about
        # its contributors, which a recomputation would expose)
        by_rule = u.status in (PRIMARY_DOMINANCE, PRIMARY_P_PERCENT)
        if (forced or by_rule) and _key(m[:, col[u.cell]]) in shown:
            # its set is published as it is: recomputing it adds nothing, and what the published cell
            # could open is checked on that cell (small differences, atoms, the search)
            continue
        if (
            forced
            or by_rule
            or _unsafe(n_u, kinds, rules, None if contrib is None else contrib[m[:, col[u.cell]]])
        ):
            protected.append(u)
    # the span tests in one pass (vectorised); the few cells in the span are looked at one by one
    vs = patterns[:, [col[u.cell] for u in protected]].T.astype(float)
    spanned = in_span_rows(b_all, vs) if protected else np.zeros(0, dtype=bool)
    found = [u for u, ok in zip(protected, spanned, strict=True) if ok]
    # one least-squares solve for all of them (several right-hand sides): the combinations named
    ys = _combination(a_all, vs[spanned].T) if found else np.zeros((0, 0))
    for k, (u, v) in enumerate(zip(found, vs[spanned], strict=True)):
        n_u = int(sizes[col[u.cell]])
        forced = u.status == SECONDARY_HISTORY
        hist = in_span(b_old, v)
        if forced and hist:
            continue  # hidden in vain (already public): the finding it answered is judged on its own
        used = used_labels(ys[:, k])
        out.append(
            Finding(
                "recomputable_cell",
                f"suppressed cell {u.label!r} ({n_u} respondents) can be recomputed from published cells: "
                + "; ".join(used),
                () if hist else _new_parts(a_all, pub_cols, b_old, v, news_of),
                (u.label, *used),
                n_u,
                not hist,
                digest(m[:, col[u.cell]]),
                u.cell,
            )
        )
    # small groups the published cells tell apart, that are linear combinations of them
    # (a group that is exactly a published cell is judged by the primary rules, a primary cell's by
    # the recomputation check above)
    cell_keys = shown | {_key(m[:, j]) for j in {col[c.cell] for c in primary}}
    p_patterns, p_counts, p_which = _atoms(m[:, pub_cols])
    pa = p_patterns.T.astype(float)
    pb_all = basis(pa)
    old_idx = [i for i, j in enumerate(pub_cols) if j in set(old_cols)]
    pb_old = basis(pa[old_idx]) if old_idx else np.zeros((0, pa.shape[1]))
    small = [
        a
        for a in range(p_patterns.shape[0])
        if _unsafe(
            int(p_counts[a]), kinds, rules, None if contrib is None else contrib[p_which == a]
        )
    ]
    small_atoms = np.asarray(small, dtype=int)
    for a in small_atoms[units_in_span(pb_all, small_atoms)]:
        n_a = int(p_counts[a])
        e = np.zeros(pa.shape[1])
        e[a] = 1.0
        grp = p_which == a
        if _key(grp) not in cell_keys:
            hist = in_span(pb_old, e)
            y, *_ = np.linalg.lstsq(pa.T, e, rcond=None)
            parts = [pub_cols[i] for i in np.flatnonzero(np.abs(y) > 1e-7)]
            news = _new_parts(pa, pub_cols, pb_old, e, news_of)
            out.append(
                Finding(
                    "small_derived_group",
                    f"a group of {n_a} respondent(s) can be derived from published cells: "
                    + "; ".join(labels[j] for j in parts[:6]),
                    () if hist else news,
                    tuple(labels[j] for j in parts[:6]),
                    n_a,
                    not hist,
                    digest(grp),
                )
            )
    # any other union of atoms that is determined and small (exhaustive search, one MILP)
    reported = {f.group for f in out}

    def reject(x: np.ndarray) -> bool:
        grp = np.isin(p_which, np.flatnonzero(x))
        return in_span(pb_old, x) or digest(grp) in reported or _key(grp) in cell_keys

    if not search or any(f.blocking for f in out):
        return out  # a direct finding first: the search runs once the table is checked again
    limit = _threshold(kinds, rules) - 1
    x = find_small_group(pa, p_counts, limit, reject, span=pb_all, old=pa[old_idx])
    if x is not None:
        grp = np.isin(p_which, np.flatnonzero(x))
        y, *_ = np.linalg.lstsq(pa.T, x, rcond=None)
        parts = [pub_cols[i] for i in np.flatnonzero(np.abs(y) > 1e-7)]
        n_g = int(grp.sum())
        out.append(
            Finding(
                "small_derived_group",
                f"a group of {n_g} respondent(s) can be derived from published cells: "
                + "; ".join(labels[j] for j in parts[:6]),
                _new_parts(pa, pub_cols, pb_old, x, news_of),
                tuple(labels[j] for j in parts[:6]),
                n_g,
                True,
                digest(grp),
            )
        )
    return out


def _threshold(kinds: frozenset[str], rules: PrimaryRules) -> int:
    """The minimum n of a derived group, as in :func:`_unsafe`."""
    if kinds and kinds <= PERCENT_KINDS:
        return rules.min_n_percent
    if kinds == {TableKind.magnitude.value}:
        return rules.min_n_magnitude
    return rules.min_n_count


def _key(mask: np.ndarray) -> bytes:
    """A respondent set as bytes (for set lookups: is this group exactly some cell?)."""
    return np.packbits(mask).tobytes()
