"""Protect one table: primary rules -> secondary suppression -> differencing checks -> more suppression.

:func:`protect` is what ``wbm table`` calls for each table of a request. It returns the final status
of every cell, the decision (``release``, ``suppress`` = released with extra suppressions because of
earlier releases, or ``refuse``) and the reasons in words, naming the earlier releases involved.
The history is narrowed once per table to the earlier cells :func:`.history.connected` to it (exact
for every blocking finding); notices ("already derivable from earlier releases") then name only
derivations in that part of the history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from pipeline.sdc.tables.audit import DEFAULT_PROTECTION, Protection
from pipeline.sdc.tables.cells import CellDef, digest, members
from pipeline.sdc.tables.history import Finding, ReleasedCell, check_against_history, connected
from pipeline.sdc.tables.rules import (
    DEFAULT_RULES,
    OK,
    SECONDARY,
    SECONDARY_HISTORY,
    PrimaryRules,
    TableKind,
    is_primary,
    primary_statuses,
)
from pipeline.sdc.tables.secondary import SecondaryResult, suppress_secondary
from pipeline.sdc.tables.structure import TableStructure


@dataclass(frozen=True)
class TableData:
    """One table to protect. ``layers`` holds one value per cell for every additive quantity the
    table publishes; ``"n"`` (unweighted count) is required, typically also ``"weighted_n"`` and, for
    percentages, ``"numerator"`` (estimate x weighted N). ``cells`` (for the history checks) are the
    respondent-set definitions of the cells, in structure order."""

    structure: TableStructure
    kind: TableKind
    layers: Mapping[str, Sequence[float]]
    cells: tuple[CellDef, ...] | None = None
    contributions: Sequence[Sequence[float]] | None = None  # magnitude tables: per-cell unit values

    @property
    def n(self) -> tuple[int, ...]:
        return tuple(int(round(x)) for x in self.layers["n"])


@dataclass(frozen=True)
class HistoryPolicy:
    on_disclosure: Literal["suppress", "refuse"] = "suppress"
    max_rounds: int = 100


DEFAULT_POLICY = HistoryPolicy()


@dataclass(frozen=True)
class Protected:
    statuses: tuple[str, ...]
    decision: Literal["release", "suppress", "refuse"]
    reasons: tuple[str, ...]
    findings: tuple[Finding, ...]  # blocking findings met on the way (each resolved unless refused)
    notices: tuple[
        str, ...
    ]  # non-blocking: derivations earlier releases already allowed, versions skipped
    secondary: SecondaryResult
    rounds: int

    @property
    def suppressed(self) -> tuple[bool, ...]:
        return tuple(s.startswith(("primary:", "secondary")) for s in self.statuses)

    def released_cells(self, table: TableData) -> tuple[ReleasedCell, ...]:
        """The cells to log in the ledger (all of them, suppressed ones included)."""
        if table.cells is None:
            raise ValueError("the table has no cell definitions")
        wn = table.layers.get("weighted_n")
        return tuple(
            ReleasedCell(c, table.kind.value, s, n, None if wn is None else float(wn[i]), "new", i)
            for i, (c, s, n) in enumerate(zip(table.cells, self.statuses, table.n, strict=True))
        )


def protect(
    table: TableData,
    *,
    rules: PrimaryRules = DEFAULT_RULES,
    protection: Protection = DEFAULT_PROTECTION,
    history: Sequence[ReleasedCell] = (),
    columns: Mapping[str, object] | None = None,
    policy: HistoryPolicy = DEFAULT_POLICY,
    keep_published: Sequence[bool] | None = None,
    notices: Sequence[str] = (),
    unit_values: Mapping[str, np.ndarray] | None = None,
    forced_cells: Sequence[int] = (),
) -> Protected:
    """Statuses for every cell. Without ``columns`` (microdata) only the table itself is protected.
    ``unit_values`` (magnitude tables): per-respondent contributions per measure, so derived groups
    are also judged by the dominance and p% rules. ``forced_cells``: cells suppressed whatever the rules
    say (a re-issue's cells its first issue hid), with the secondary suppression they need."""
    st = table.structure
    if "n" not in table.layers:
        raise ValueError("a table needs the layer 'n' (unweighted counts)")
    primary = primary_statuses(table.kind, table.n, rules, table.contributions)
    if columns is not None and table.cells is not None and history:
        # only earlier cells linked to this table's by shared respondents can take part in a
        # derivation that needs this table (exact; see history.connected)
        everyone = [
            ReleasedCell(c, table.kind.value, OK, 0, None, "new", i)
            for i, c in enumerate(table.cells)
        ]
        history = connected(everyone, history, columns)
    forced: set[int] = set(forced_cells)
    found: list[Finding] = []
    notes = list(notices)
    rounds = 0
    while True:
        rounds += 1
        mask = [is_primary(p) or i in forced for i, p in enumerate(primary)]
        sec = suppress_secondary(
            st,
            table.layers,
            mask,
            protection=protection,
            group_min_n=rules.min_n(table.kind),
            keep_published=keep_published,
        )
        statuses = _statuses(primary, forced, sec)
        if columns is None or table.cells is None:
            break
        new = tuple(
            ReleasedCell(c, table.kind.value, s, n, None, "new", i)
            for i, (c, s, n) in enumerate(zip(table.cells, statuses, table.n, strict=True))
        )
        findings = check_against_history(
            new, history, columns, rules, contributions=unit_values, exhaustive=False
        )
        for f in findings:
            note = "already derivable from earlier releases: " + f.message
            if not f.blocking and note not in notes:
                notes.append(note)
        blocking = [f for f in findings if f.blocking]
        if not blocking:
            break
        known = {f.group for f in found}
        found.extend(f for f in blocking if f.group not in known)
        fixable = [f for f in blocking if any(not sec.suppressed[i] for i in f.new_cells)]
        if (
            policy.on_disclosure == "refuse"
            or len(fixable) < len(blocking)
            or rounds >= policy.max_rounds
        ):
            why = [_reason(f) for f in blocking]
            if policy.on_disclosure != "refuse" and len(fixable) < len(blocking):
                why.append("suppressing cells of this table cannot prevent it")
            return Protected(
                statuses, "refuse", tuple(why), tuple(found), tuple(notes), sec, rounds
            )
        n = table.n
        for f in fixable:
            cands = [
                i
                for i in f.new_cells
                if not sec.suppressed[i] and not (keep_published and keep_published[i])
            ]
            if not cands:
                return Protected(
                    statuses,
                    "refuse",
                    (_reason(f), "the cells involved must stay published"),
                    tuple(found),
                    tuple(notes),
                    sec,
                    rounds,
                )
            forced.add(min(cands, key=lambda i: (n[i], st.is_total(i), i)))
    decision: Literal["release", "suppress"] = "suppress" if forced else "release"
    reasons = tuple(_reason(f) for f in found)
    return Protected(statuses, decision, reasons, tuple(found), tuple(notes), sec, rounds)


def _statuses(primary: Sequence[str], forced: set[int], sec: SecondaryResult) -> tuple[str, ...]:
    out = []
    for i, p in enumerate(primary):
        if is_primary(p):
            out.append(p)
        elif i in forced:
            out.append(SECONDARY_HISTORY)
        elif sec.suppressed[i]:
            out.append(SECONDARY)
        else:
            out.append(p)
    return tuple(out)


def _reason(f: Finding) -> str:
    return f"[{f.code}] {f.message}"


def digests(
    cells: Sequence[CellDef], columns: Mapping[str, object], ids: Sequence[object] | None = None
) -> tuple[str, ...]:
    """Members' SHA-256 per cell, for the ledger."""
    return tuple(digest(members(c, columns), ids) for c in cells)


def numerator(
    estimate: Sequence[float], weighted_n: Sequence[float], *, percent: bool = True
) -> tuple[float, ...]:
    """The additive numerator layer of a percentage table (weighted count with the attribute)."""
    e = np.nan_to_num(np.asarray(estimate, dtype=float))
    w = np.asarray(weighted_n, dtype=float)
    return tuple(float(x) for x in (e / 100.0 if percent else e) * w)
