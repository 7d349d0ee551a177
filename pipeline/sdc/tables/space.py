"""Joint protection of a space of tables: many tables over the same respondents (one data version)
protected together, so that no published cell of one table can be recomputed from the others.

Used by the datatool's precomputed space (:mod:`pipeline.datatool.precompute`: every indicator by
every breakdown and filter of a wave) and by the reports' figures (:mod:`pipeline.tables.figures`:
every breakdown a run's reports show): one engine for both joint spaces.

- :class:`SpaceTable`   one table of the space (its structure, cells as respondent sets, counts,
  the cells forced suppressed) and, after protection, its statuses;
- :func:`space_rules`   the rules of such a space: the publisher's, an empty cell unsafe too;
- :func:`protect_space` primary and secondary suppression per table, the respondent-level checks
  within each table, margins alike across an indicator's tables and small differences between any
  two tables' cells and earlier releases, repeated until nothing changes;
- :func:`protect_issue`  the same for a release that may have been issued before: a re-issue
  publishes what its first issue published (its logged statuses), never more;
- :func:`logged_cells`  a protected table's cells as the ledger logs them, :func:`logged_rules` the
  rules its release logs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.errors import DisclosureError
from pipeline.sdc.tables.cells import CellDef, membership
from pipeline.sdc.tables.rules import PrimaryRules, TableKind, is_suppressed, primary_statuses

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.sdc.tables.history import Finding, ReleasedCell
    from pipeline.sdc.tables.ledger import Ledger, Prior, Release

#: the key a space's logged rules carry when the exact check (``protect_space(exact=True)``) ran
EXACT_CHECK = "exact_check"


@dataclass
class SpaceTable:
    """One table of a jointly protected space (one indicator, one breakdown). ``margins``: cells that
    must be suppressed alike in every table of the indicator, keyed by what they are; ``primary``:
    cells the caller's own primary rules hide, with their ``primary:`` status (kept as the cell's
    status, as the table's rules' own primary statuses are); ``statuses``: set by
    :func:`protect_space`."""

    indicator: str
    by: str
    kind: TableKind
    structure: Any
    data: Any  # TableData
    masks: np.ndarray
    num: dict[str, np.ndarray]
    n: list[int]
    margins: dict[str, int]  # what the cell is (filter node, respondent set's digest) -> its index
    forced: set[int] = field(default_factory=set)  # suppressed whatever the table's rules say
    # hidden by a primary rule of the caller's (e.g. dominance or p% on a share of employees): cell ->
    # its primary status, kept and logged as such (the history checks protect primary cells against
    # recomputation by later releases, plain "secondary" ones not)
    primary: dict[int, str] = field(default_factory=dict)
    differencing: set[int] = field(default_factory=set)  # of those: against a small difference
    statuses: tuple[str, ...] = ()
    # a magnitude table: every respondent's contribution (weight x value, 0 outside the cells), for
    # the dominance and p% rules of the respondent-level checks; its cells' own contributions are
    # ``data.contributions`` (the primary rules)
    unit_values: np.ndarray | None = field(default=None, compare=False, repr=False)


def logged_cells(t: SpaceTable) -> list[ReleasedCell]:
    """Every cell of a protected table with its status, as the ledger logs it (a new release)."""
    from pipeline.sdc.tables.history import ReleasedCell

    wn = t.data.layers["weighted_n"]
    return [
        ReleasedCell(c, t.kind.value, s, t.n[i], float(wn[i]), "new", i)
        for i, (c, s) in enumerate(zip(t.data.cells, t.statuses, strict=True))
    ]


def logged_rules(rules: PrimaryRules, exact: bool = False) -> dict[str, object]:
    """The rules a space's release logs: the rules' own description, and :data:`EXACT_CHECK` when
    the exact check ran (absent otherwise, so a release without it logs what it always did)."""
    described = rules.describe()
    return {**described, EXACT_CHECK: True} if exact else described


def recheck_hash(request_hash: str, rules: PrimaryRules, exact: bool = False) -> str:
    """The request hash a re-check of ``request_hash``'s release is logged under: the release
    protected again under other rules, or with the exact check newly asked for (the ledger keeps
    the first issue under the request's own hash). One per request and rules, so the re-check is
    made once."""
    import hashlib
    import json

    key = {"recheck_of": request_hash, "rules": logged_rules(rules, exact)}
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Issue:
    """What :func:`protect_issue` did: the reasons of the suppressions, and the release whose
    logged statuses the tables now have (None: protected here); ``logged_as``: the request hash the
    caller logs the release under (the request's own, or a re-check's :func:`recheck_hash`): this
    is the one place that decides it."""

    reasons: tuple[str, ...]
    logged_as: str
    first: Release | None = None

    def decision(self, tables: Sequence[SpaceTable]) -> str:
        """The release's decision: the first issue's, else ``suppress`` when a cell was forced
        (a finding across tables or releases), else ``release``."""
        if self.first is not None:
            return self.first.decision
        return "suppress" if any(t.forced for t in tables) else "release"


def protect_issue(
    tables: list[SpaceTable],
    rules: PrimaryRules,
    columns: Mapping[str, np.ndarray],
    ledgers: Sequence[Ledger],
    release: tuple[str, str, str],
    digests: Sequence[str],
    *,
    exact: bool = False,
    prior: Prior | None = None,
) -> Issue:
    """:func:`protect_space` for a release (``release``: requester, request hash, data version)
    that may have been issued before; ``digests``: the tables' cells' respondent-set digests, in
    order (as logged). A release is identified by its requests and data version, so a rerun of
    the same run, ``wbm report`` after the outputs stage and ``wbm benchmark`` after ``wbm
    report`` are re-issues, and **a re-issue publishes what its first issue published**:

    - the first issue holds these very cells (same order, respondent sets, kinds and counts) under
      the same rules, checked at least as strictly (the exact check if it is asked for now): its
      logged statuses are the tables' statuses, without protecting again (the first issue's
      protection is deterministic in the same inputs; the cost of protecting, minutes with the
      exact check, is paid once per release);
    - the same cells under other rules (the policy changed) or without the exact check asked for
      now: protected again against the releases before the first issue, and a cell the first issue
      hid stays hidden (hiding more publishes a subset of what is public, which opens nothing; the
      ledger keeps the first issue, which covers what is shown). This re-check is a release of its
      own (``Issue.logged_as``: :func:`recheck_hash`), so once it is logged the next re-issue
      under the same rules takes its statuses, as above, and pays the protection once;
    - other cells (another engine version computed them): :class:`DisclosureError`
      ``reissue_changed`` (the caller fails closed), never a report that the ledger does not hold.

    ``prior``: :func:`~pipeline.sdc.tables.ledger.prior` of the release, if the caller has read
    it already (the ledgers are read once). Returns the reasons (the first issue's when its
    statuses are taken) and that first issue."""
    from pipeline.sdc.tables.ledger import prior as read_prior

    requester, request_hash, version = release
    if prior is None:
        prior = read_prior(ledgers, version, requester, request_hash)
    issued = prior.first
    before = None if issued is None else _issued_statuses(tables, digests, issued)
    if issued is not None and before is None:
        raise DisclosureError(
            f"the ledger holds release {issued.id} of these figures with other cells than they "
            "have now: nothing of them is published (issued by another engine version?)",
            code="reissue_changed",
        )
    if issued is not None and before is not None and _as_strict(issued.rules, rules, exact):
        for t, statuses in zip(tables, before, strict=True):
            t.statuses = statuses
        return Issue(tuple(issued.reasons), request_hash, issued)
    again = None
    if before is not None:  # a re-check: made and logged before under these rules?
        from pipeline.sdc.tables.ledger import first_issue

        again = recheck_hash(request_hash, rules, exact)
        rechecked = first_issue(ledgers, version, requester, again)
        if rechecked is not None:
            done = _issued_statuses(tables, digests, rechecked)
            if done is None or not _as_strict(rechecked.rules, rules, exact):
                raise DisclosureError(
                    f"the ledger holds re-check {rechecked.id} of these figures with other cells "
                    "or rules than they have now: nothing of them is published",
                    code="reissue_changed",
                )
            for t, statuses in zip(tables, done, strict=True):
                t.statuses = statuses
            return Issue(tuple(rechecked.reasons), again, rechecked)
    reasons = protect_space(tables, rules, columns, prior.history, exact=exact)
    if before is not None:  # never show what the first issue hid
        for t, old in zip(tables, before, strict=True):
            t.statuses = tuple(
                o if is_suppressed(o) and not is_suppressed(s) else s
                for s, o in zip(t.statuses, old, strict=True)
            )
    return Issue(tuple(reasons), again or request_hash)


def _issued_statuses(
    tables: Sequence[SpaceTable], digests: Sequence[str], issued: Release
) -> list[tuple[str, ...]] | None:
    """Per table, the statuses ``issued`` logged for its cells; None unless it holds exactly these
    cells in this order (respondent sets, definitions, kinds and counts)."""
    if tuple(digests) != tuple(issued.digests):
        return None
    out: list[tuple[str, ...]] = []
    k = 0
    for t in tables:
        logged = issued.cells[k : k + len(t.data.cells)]
        if len(logged) != len(t.data.cells):
            return None
        for i, (c, cell) in enumerate(zip(logged, t.data.cells, strict=True)):
            if (c.cell.key, c.kind, c.n) != (cell.key, t.kind.value, t.n[i]):
                return None
        out.append(tuple(c.status for c in logged))
        k += len(t.data.cells)
    return out if k == len(issued.cells) else None


def _as_strict(logged: Mapping[str, object], rules: PrimaryRules, exact: bool) -> bool:
    """The logged rules of a release are these rules, checked at least as strictly (exactly, if
    ``exact``)."""
    import json

    def norm(d: Mapping[str, object]) -> str:
        return json.dumps({k: v for k, v in d.items() if k != EXACT_CHECK}, sort_keys=True)

    return norm(logged) == norm(json.loads(json.dumps(rules.describe()))) and (
        not exact or bool(logged.get(EXACT_CHECK))
    )


def space_rules(rules: PrimaryRules) -> PrimaryRules:
    """The rules of a space of tables published without being asked for (the reports' figures,
    the datatool): the publisher's, with an empty cell unsafe too (``zero_unsafe``). Such a space
    lists every group of a breakdown; were an empty group published (or safe to derive) while a
    group of 1 to ``min_n - 1`` is hidden and protected, a reader could tell the two apart, and a
    group's mere existence is itself a disclosure (issue 13). Both are now hidden and protected
    alike by the secondary suppression."""
    from dataclasses import replace

    return replace(rules, zero_unsafe=True)


def protect_space(
    tables: list[SpaceTable],
    rules: PrimaryRules,
    columns: Mapping[str, np.ndarray],
    history: Sequence[ReleasedCell] = (),
    max_rounds: int = 50,
    *,
    exact: bool = False,
) -> list[str]:
    """Primary and secondary suppression over the whole space of one data version, jointly:

    - every table (one indicator, one breakdown, every filter) gets the primary rules and the
      secondary suppression of :func:`pipeline.sdc.tables.secondary.suppress_secondary` over its
      structure (hierarchy of filters and margins), so no view can be recomputed from the others of
      its table;
    - every table through the engine's respondent-level checks
      (:func:`pipeline.sdc.tables.history.check_against_history`: small differences, recomputable
      cells, small derived groups); a cell that opens one is suppressed;
    - a filter's margin (the filter without breakdown) appears in every breakdown's table of an
      indicator: suppressed in one, it is suppressed in all (else the other table publishes it);
    - published cells of any two tables, and earlier releases on the data version, must not differ
      by a small group of respondents: as groups (every indicator, count threshold) and within one
      indicator (percentage threshold); the smaller cell of such a pair is suppressed;
    - once no pair does: every published cell of the space and the earlier releases together
      through the engine's direct checks (:func:`_joint_span`: recomputable protected cells and
      small atoms by rank tests over all tables at once, e.g. a figure hidden in one table that
      the Flemish total minus other sectors' totals minus the published parts of three other
      tables gives back); a cell a finding needs is suppressed;
    - with ``exact`` (the reports' figures): then the exact check of the whole space, search
      included, breakdown after breakdown (:func:`_sequential`);

    repeated until nothing changes. Statuses are set on the tables; returns the reasons."""
    from pipeline.sdc.tables.history import check_against_history
    from pipeline.sdc.tables.rules import PRIMARY_ZERO, SECONDARY, SECONDARY_HISTORY, is_primary
    from pipeline.sdc.tables.secondary import suppress_secondary

    reasons: list[str] = []
    contrib = _contributions(tables)
    by_ind: dict[str, list[SpaceTable]] = {}
    for t in tables:
        by_ind.setdefault(t.indicator, []).append(t)
    done: dict[int, frozenset[int]] = {}  # table -> the forced set its statuses were made with
    for _ in range(max_rounds):
        redone: list[SpaceTable] = []
        for k, t in enumerate(tables):
            if done.get(k) == frozenset(t.forced):
                continue
            done[k] = frozenset(t.forced)
            redone.append(t)
            primary = _primary(t, rules)
            mask = [is_primary(p) or i in t.forced for i, p in enumerate(primary)]
            empty = [p == PRIMARY_ZERO for p in primary]
            if any(empty):
                # an empty cell is no cover for a small one (a reader may know it is empty, and
                # then the small one is the margin minus the published parts): first the cells
                # with respondents are protected as if the empty ones were published, then the
                # empty ones on top of that (space_rules)
                first = suppress_secondary(
                    t.structure,
                    t.data.layers,
                    [m and not z for m, z in zip(mask, empty, strict=True)],
                    group_min_n=rules.min_n(t.kind),
                )
                mask = [m or f for m, f in zip(mask, first.suppressed, strict=True)]
            sec = suppress_secondary(
                t.structure, t.data.layers, mask, group_min_n=rules.min_n(t.kind)
            )
            t.statuses = tuple(
                p
                if is_primary(p)
                else SECONDARY_HISTORY
                if i in t.differencing
                else SECONDARY
                if sec.suppressed[i]
                else p
                for i, p in enumerate(primary)
            )
        changed = False
        for t in redone:  # the engine's respondent-level checks within the table
            for found_ in check_against_history(
                logged_cells(t), (), columns, rules, contributions=contrib
            ):
                if not found_.blocking:
                    continue
                cands = [i for i in found_.new_cells if not is_suppressed(t.statuses[i])]
                if cands:
                    i = min(cands, key=lambda i: (t.n[i], t.structure.is_total(i), i))
                    t.forced.add(i)
                    t.differencing.add(i)
                    reasons.append(f"{t.indicator} by {t.by}: [{found_.code}] {found_.message}")
                    changed = True
        for group in by_ind.values():  # margins alike in every table of an indicator
            hidden = {
                f for t in group for f, i in t.margins.items() if is_suppressed(t.statuses[i])
            }
            for t in group:
                for f in hidden:
                    at = t.margins.get(f)
                    if at is not None and not is_suppressed(t.statuses[at]):
                        t.forced.add(at)
                        changed = True
        if changed:
            continue
        found = _small_differences(tables, rules, columns, history)
        if not found:
            found = _joint_span(tables, rules, columns, history, contrib)
        if not found and exact:
            found = _sequential(tables, rules, columns, history, contrib)
        if not found:
            return reasons
        for t, i, why in found:
            t.forced.add(i)
            t.differencing.add(i)
            reasons.append(why)
    raise DisclosureError(
        f"the datatool's space did not settle in {max_rounds} rounds of suppression",
        code="datatool_protection",
    )


def _primary(t: SpaceTable, rules: PrimaryRules) -> tuple[str, ...]:
    """The table's primary statuses: its kind's rules on the cell counts, then the caller's
    (:attr:`SpaceTable.primary`) where the kind's rules let a cell pass."""
    from pipeline.sdc.tables.rules import is_primary

    bad = {i: s for i, s in t.primary.items() if not is_primary(s)}
    if bad:
        raise ValueError(f"not primary statuses for {t.indicator} by {t.by}: {bad}")
    return tuple(
        p if is_primary(p) else t.primary.get(i, p)
        for i, p in enumerate(primary_statuses(t.kind, t.n, rules, t.data.contributions))
    )


def _contributions(tables: Sequence[SpaceTable]) -> dict[str, np.ndarray] | None:
    """Every magnitude measure's contributions per respondent (its tables'
    :attr:`SpaceTable.unit_values`), for the respondent-level checks' dominance and p% rules on
    derived groups; None when the space has none (a space of percentages and means)."""
    out: dict[str, np.ndarray] = {}
    for t in tables:
        if t.unit_values is None:
            continue
        measure = t.data.cells[0].measure
        out[measure] = np.where(t.unit_values != 0, t.unit_values, out.get(measure, 0.0))
    return out or None


def _small_differences(
    tables: Sequence[SpaceTable],
    rules: PrimaryRules,
    columns: Mapping[str, np.ndarray],
    history: Sequence[ReleasedCell],
) -> list[tuple[SpaceTable, int, str]]:
    """Pairs of published cells (different tables, or a table and an earlier release) whose
    respondent sets differ by a few respondents: ``0 < |A xor B| < threshold``. Returns, per pair,
    the cell to suppress (the smaller; one per table cell)."""
    found: dict[tuple[int, int], tuple[SpaceTable, int, str]] = {}
    old = [c for c in history if not is_suppressed(c.status)]
    for level in ("groups", "values"):
        entries: list[tuple[int, int, CellDef, str]] = []  # (table, cell, set, measure)
        for ti, t in enumerate(tables):
            for i, c in enumerate(t.data.cells):
                if is_suppressed(t.statuses[i]) or t.n[i] == 0:
                    continue
                cell = _as_group(c) if level == "groups" else c
                entries.append((ti, i, cell, c.measure))
        for c in old:
            cell = _as_group(c.cell) if level == "groups" else c.cell
            entries.append((-1, c.index, cell, c.cell.measure))
        defs = sorted({e[2] for e in entries}, key=lambda d: d.key)
        col = {d: j for j, d in enumerate(defs)}
        limit = rules.min_n_count if level == "groups" else rules.min_n_percent
        bad, apart, sizes = close_pairs(membership(defs, columns), limit)
        owners: dict[int, list[tuple[int, int, str]]] = {}
        for ti, i, d, meas in entries:
            owners.setdefault(col[d], []).append((ti, i, meas))
        for (a, b), gap in zip(bad, apart, strict=True):
            pairs = [
                (oa, ob)
                for oa in owners[int(a)]
                for ob in owners[int(b)]
                if level == "groups" or oa[2] == ob[2]
            ]
            for oa, ob in pairs:
                # suppress the smaller set's cell (in a table of this space, never history)
                small, big = (oa, ob) if sizes[a] <= sizes[b] else (ob, oa)
                pick = small if small[0] >= 0 else big if big[0] >= 0 else None
                if pick is None:
                    continue
                t = tables[pick[0]]
                key = (pick[0], pick[1])
                if key not in found:
                    found[key] = (
                        t,
                        pick[1],
                        f"{t.indicator} by {t.by}: cell {pick[1]} differs from another published "
                        f"cell by {int(gap)} respondent(s) ({level})",
                    )
    return list(found.values())


def close_pairs(
    m: np.ndarray, limit: int, block: int = 512
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs ``(a, b)``, ``a < b``, of columns of the respondents x sets matrix ``m`` whose
    sets differ by 1 to ``limit - 1`` respondents (``0 < |A xor B| < limit``), in lexicographic
    order, with that difference; and every set's size. ``|A xor B| >= ||A| - |B||``, so the sets
    are taken in order of size, ``block`` at a time, each against the sets within ``limit`` of its
    sizes only: the same pairs as every set against every other (``m' m``), with memory bounded by
    the block (a whole space's ``m' m`` is sets squared) and less arithmetic where sizes spread."""
    mf = np.asarray(m, dtype=np.float32)  # 0/1 sums: integers, exact in float32 below 2**24
    sizes = mf.sum(axis=0)
    order = np.argsort(sizes, kind="stable")
    ranked = sizes[order]
    found_pairs, found_gaps = [], []
    for lo in range(0, order.size, block):
        rows = order[lo : lo + block]
        first = np.searchsorted(ranked, ranked[lo] - limit + 0.5, side="left")
        last = np.searchsorted(ranked, ranked[lo + rows.size - 1] + limit - 0.5, side="right")
        cols = order[first:last]
        gap = sizes[rows][:, None] + sizes[cols][None, :] - 2 * (mf[:, rows].T @ mf[:, cols])
        i, j = np.nonzero((gap > 0.5) & (gap < limit - 0.5))
        keep = rows[i] < cols[j]  # each pair once: from its first set's block
        found_pairs.append(np.stack([rows[i][keep], cols[j][keep]], axis=1))
        found_gaps.append(gap[i[keep], j[keep]])
    if not found_pairs:
        return np.zeros((0, 2), dtype=int), np.zeros(0, dtype=np.float32), sizes
    pairs, gaps = np.concatenate(found_pairs), np.concatenate(found_gaps)
    at = np.lexsort((pairs[:, 1], pairs[:, 0]))
    return pairs[at], gaps[at], sizes


def _pooled(
    tables: Sequence[SpaceTable], by: str | None = None
) -> tuple[list[ReleasedCell], list[tuple[int, int]]]:
    """The cells of the tables (of the breakdown ``by``; None: all) as one release (numbered in
    order), with each pooled cell's (table, cell)."""
    from dataclasses import replace

    cells: list[ReleasedCell] = []
    where: list[tuple[int, int]] = []
    for ti, t in enumerate(tables):
        if by is None or t.by == by:
            for c in logged_cells(t):
                cells.append(replace(c, index=len(where)))
                where.append((ti, c.index))
    return cells, where


def _to_hide(
    findings: Sequence[Finding], tables: Sequence[SpaceTable], where: Sequence[tuple[int, int]]
) -> list[tuple[SpaceTable, int, str]]:
    """Per blocking finding about pooled cells (``where``), the cells to suppress: the published
    cell the derivation needs that is nearest the recomputed cell (then the smallest, a total last),
    in every pooled table that shows its group. A finding no published cell can break fails."""
    found: dict[tuple[int, int], tuple[SpaceTable, int, str]] = {}
    for f in findings:
        if not f.blocking:
            continue
        cands = [
            where[k]
            for k in f.new_cells
            if not is_suppressed(tables[where[k][0]].statuses[where[k][1]])
        ]
        if not cands:
            raise DisclosureError(
                f"a derivation across the space's tables cannot be broken: [{f.code}] {f.message}",
                code="datatool_protection",
            )
        near = _closeness(f.target)
        pick = min(
            cands,
            key=lambda p: (
                near(tables[p[0]].data.cells[p[1]]),
                tables[p[0]].n[p[1]],
                tables[p[0]].structure.is_total(p[1]),
                p,
            ),
        )
        # the derivation names a respondent set, which every table showing it publishes (on the count
        # level, whatever the indicator): hide it in all of them at once, not one table per round
        group = _as_group(tables[pick[0]].data.cells[pick[1]])
        for ti, i in cands:
            t = tables[ti]
            if _as_group(t.data.cells[i]) == group:
                found.setdefault(
                    (ti, i), (t, i, f"{t.indicator} by {t.by}: [{f.code}] {f.message}")
                )
    return list(found.values())


def _joint_span(
    tables: Sequence[SpaceTable],
    rules: PrimaryRules,
    columns: Mapping[str, np.ndarray],
    history: Sequence[ReleasedCell],
    contributions: Mapping[str, np.ndarray] | None = None,
) -> list[tuple[SpaceTable, int, str]]:
    """Every table's cells as one release, checked with the earlier releases by the engine's direct
    checks (:func:`pipeline.sdc.tables.history.check_against_history` without the small-group
    search): a protected cell recomputable, or a small atom determined, by a combination of cells of
    any number of tables. Returns the cells to suppress (:func:`_to_hide`)."""
    from pipeline.sdc.tables.history import check_against_history

    cells, where = _pooled(tables)
    found = check_against_history(
        cells,
        history,
        columns,
        rules,
        contributions=contributions,
        exhaustive=False,
        search=False,
    )
    return _to_hide(found, tables, where)


def _sequential(
    tables: Sequence[SpaceTable],
    rules: PrimaryRules,
    columns: Mapping[str, np.ndarray],
    history: Sequence[ReleasedCell],
    contributions: Mapping[str, np.ndarray] | None = None,
) -> list[tuple[SpaceTable, int, str]]:
    """The exact check of the whole space, search included: the breakdowns' tables (``by``, in the
    order given) as releases one after another, each checked by
    :func:`pipeline.sdc.tables.history.check_against_history` against the earlier releases and the
    breakdowns before it, as a request is checked against the ledger. By induction no group under
    the threshold is determined by the whole space (a finding that needs no cell of the breakdown
    being checked was excluded when an earlier one was). Returns the cells to suppress for the first
    breakdown with a blocking finding (the caller protects again and checks from the start). The
    breakdowns' checks are independent within a pass: they run in worker processes
    (:func:`pipeline.sdc.tables.steps.findings_in_order`), their findings taken in order."""
    from contextlib import closing

    from pipeline.sdc.tables.steps import findings_in_order

    pooled = [(by, *_pooled(tables, by)) for by in dict.fromkeys(t.by for t in tables)]
    steps = [(f"space:{by or 'all'}", cells) for by, cells, _ in pooled]
    with closing(findings_in_order(steps, history, columns, rules, contributions)) as checked:
        for (_, _, where), findings in zip(pooled, checked, strict=True):
            found = _to_hide(findings, tables, where)
            if found:
                return found
    return []


def _closeness(target: CellDef | None) -> Callable[[CellDef], tuple[int, int]]:
    """Sort key: cells nearest the recomputed cell first (most conditions alike, then most variables
    alike): its siblings and the cells of its row and column, as a secondary suppression over the
    tables' common structure would choose (a sector's education figures, then another sector's),
    rather than any cell the combination happens to use (found one round at a time, each opening
    another route: 30 rounds on the full-size wave's figures)."""
    if target is None:
        return lambda c: (0, 0)
    conds = {x for x in target.conditions if x.levels is not None}
    names = {x.variable for x in conds}

    def key(c: CellDef) -> tuple[int, int]:
        own = [x for x in c.conditions if x.levels is not None]
        return (-sum(x in conds for x in own), -sum(x.variable in names for x in own))

    return key


def _as_group(c: CellDef) -> CellDef:
    """The group of respondents a cell describes, without "answered the indicator"."""
    return CellDef.of((x for x in c.conditions if x.levels is not None), "respondents")
