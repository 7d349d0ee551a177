"""Secondary (complementary) suppression: hide more cells so no primary cell can be recomputed.

Method (a greedy heuristic with an exact check, no MILP):

1. *closure*: every relation (row, column, margin, hierarchy node) that contains exactly one
   suppressed cell gets a second one -- otherwise that cell is the relation's published total minus
   its published parts;
2. *groups*: every relation whose total is published and whose suppressed parts together count
   0 < n < ``group_min_n`` respondents gets another part (otherwise the group of suppressed cells is
   itself a published small group: total minus published parts);
3. *audit*: the LP audit (:mod:`.audit`) computes the feasible interval of every suppressed cell for
   every published additive layer (unweighted n, weighted N, weighted numerator of a percentage);
   for each exposed cell another cell in one of its relations is suppressed; back to 1 until the audit
   passes. Suppressing everything always passes, so the loop ends.

Candidates are chosen by ``cost / (1 + relations it would close)``, then cost, then cell index
(deterministic). The default cost is ``n + 1``: the information lost plus a price per cell; empty
cells cost more than all others together (hiding a zero only lets it grow, which seldom protects
anything, and chains of such picks end up hiding whole tables). Cells in ``keep_published`` are never chosen (e.g. the grand total).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.errors import DisclosureError
from pipeline.sdc.tables.audit import (
    DEFAULT_PROTECTION,
    AuditResult,
    Protection,
    audit,
    components,
    exposed_cells,
    group_exposures,
)
from pipeline.sdc.tables.structure import TableStructure


@dataclass(frozen=True)
class SecondaryResult:
    suppressed: tuple[bool, ...]
    primary: tuple[int, ...]
    added: tuple[int, ...]  # secondary cells in the order they were chosen
    reasons: tuple[
        tuple[int, str], ...
    ]  # (cell, why it was added): closure:<r> | group:<r> | audit:<cell>
    audits: tuple[tuple[str, AuditResult], ...]  # final LP audit per layer (if audit_intervals)
    rounds: int
    cost: float  # total cost of the added cells


def suppress_secondary(
    table: TableStructure,
    layers: Mapping[str, Sequence[float]],
    primary: Sequence[bool],
    *,
    cost: Sequence[float] | None = None,
    protection: Protection = DEFAULT_PROTECTION,
    group_min_n: float | None = None,
    group_layer: str = "n",
    keep_published: Sequence[bool] | None = None,
    lower: float | None = 0.0,
    audit_intervals: bool = False,
) -> SecondaryResult:
    """Add complementary suppressions until every layer's audit passes.

    ``layers`` maps a name to one value per cell for every additive quantity the table publishes
    (e.g. ``{"n": ..., "weighted_n": ..., "numerator": ...}``); all share one suppression pattern.
    The loop uses the fast exact check :func:`~.audit.exposed_cells`; ``audit_intervals`` also runs
    the LP audit on the final pattern (every interval, for an audit report; 2 LPs per cell and layer).
    """
    n_cells = table.n_cells
    if len(primary) != n_cells:
        raise ValueError(f"primary has {len(primary)} entries, the table has {n_cells} cells")
    for name, vals in layers.items():
        if len(vals) != n_cells:
            raise ValueError(
                f"layer {name!r} has {len(vals)} values, the table has {n_cells} cells"
            )
    if group_min_n is not None and group_layer not in layers:
        raise ValueError(f"the group rule needs the layer {group_layer!r}")
    if (
        cost is None
    ):  # n + 1; an empty cell only as a last resort (it can only move up, so it rarely helps)
        base = [
            float(x)
            for x in layers.get("n", next(iter(layers.values())) if layers else [0.0] * n_cells)
        ]
        last = sum(abs(x) for x in base) + 2.0
        cost = [x + 1.0 if x != 0 else last for x in base]
    keep = list(keep_published) if keep_published is not None else [False] * n_cells
    sup = [bool(x) for x in primary]
    if any(s and k for s, k in zip(sup, keep, strict=True)):
        raise ValueError("a primary cell cannot be kept published")
    rels = table.relations
    rels_of = table.relations_of()
    added: list[int] = []
    reasons: list[tuple[int, str]] = []

    def n_sup(r: int) -> int:
        return sum(sup[c] for c in rels[r].cells)

    def pick(cands: Sequence[int]) -> int | None:
        free = [c for c in dict.fromkeys(cands) if not sup[c] and not keep[c]]
        if not free:
            return None

        def key(c: int) -> tuple[float, float, int]:
            closes = sum(1 for r in rels_of[c] if n_sup(r) == 1)
            return (cost[c] / (1 + closes), cost[c], c)

        return min(free, key=key)

    def add(c: int, why: str) -> None:
        sup[c] = True
        added.append(c)
        reasons.append((c, why))

    rounds = 0
    while True:
        rounds += 1
        _closure(rels, sup, n_sup, pick, add)
        if group_min_n is not None and _groups(
            table, layers[group_layer], sup, group_min_n, pick, add
        ):
            continue
        if lower == 0.0 and not audit_intervals:
            audits: tuple[tuple[str, AuditResult], ...] = ()
            exposed = list(exposed_cells(table, list(layers.values()), sup, protection))
        else:
            audits = tuple(
                (name, audit(table, vals, sup, protection, lower=lower))
                for name, vals in layers.items()
            )
            exposed = sorted({c for _, a in audits for c in a.exposed})
        if not exposed:
            break
        comp_of = {c: i for i, comp in enumerate(components(rels, sup)) for c in comp}
        handled: set[int] = set()
        for e in exposed:
            if comp_of.get(e) in handled:
                continue
            handled.add(comp_of.get(e, -1))
            c = pick([x for r in rels_of[e] for x in rels[r].cells])
            if c is None:  # every neighbour is suppressed: widen to the whole component's relations
                comp = [x for x, i in comp_of.items() if i == comp_of.get(e)]
                c = pick([x for y in comp for r in rels_of[y] for x in rels[r].cells])
            if c is None:
                c = pick(range(n_cells))
            if c is None:
                raise DisclosureError(
                    f"cell {table.keys[e]} cannot be protected: every other cell is suppressed or must stay published",
                    code="secondary_impossible",
                )
            add(c, f"audit:{e}")
    total_cost = float(sum(cost[c] for c in added))
    prim = tuple(i for i, p in enumerate(primary) if p)
    return SecondaryResult(
        tuple(sup), prim, tuple(added), tuple(reasons), audits, rounds, total_cost
    )


def _closure(rels, sup, n_sup, pick, add) -> None:
    changed = True
    while changed:
        changed = False
        for r, rel in enumerate(rels):
            if n_sup(r) == 1:
                c = pick(rel.cells)
                if c is None:
                    lone = next(x for x in rel.cells if sup[x])
                    raise DisclosureError(
                        f"cell {lone} cannot be protected: the other cells of its relation must stay published",
                        code="secondary_impossible",
                    )
                add(c, f"closure:{r}")
                changed = True


def _groups(
    table: TableStructure, n: Sequence[float], sup: list[bool], min_n: float, pick, add
) -> bool:
    """Add one part to each relation whose suppressed parts form a small published group."""
    changed = False
    for r in group_exposures(table, n, sup, min_n):
        rel = table.relations[r]
        if sup[rel.total]:
            continue  # an earlier addition in this pass already hid the total
        c = pick([p for p in rel.parts if n[p] > 0])
        if c is None:
            c = pick([rel.total])
        if c is None:
            raise DisclosureError(
                f"relation {r} cannot be protected: its cells must stay published",
                code="secondary_impossible",
            )
        add(c, f"group:{r}")
        changed = True
    return changed
