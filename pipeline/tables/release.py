"""Protect a request's tables and log the release: primary and secondary suppression, differencing
against earlier releases to the same requester (and the public tables), the ledger entry.

Per wave (one data version each) every indicator's table goes through
:func:`pipeline.sdc.tables.protect.protect` with the earlier releases on that data version as history.
A request is released as a whole or refused as a whole: if any table is refused, nothing is published
and the refusal is logged with its reasons. Releases to the requester ``public`` (the run's standard
table, see :mod:`pipeline.tables.standard`) are part of every requester's history: what everyone can
read can be subtracted by anyone.

Every release (and refusal) is logged in each ledger of its wave (:func:`ledgers_for`: the run's own
``RUNDIR/ledger``, and ``--ledger DIR`` when given), and the history is read from all of them, each
release once (:func:`pipeline.sdc.tables.ledger.merged_history`). Protecting and logging are separate
steps (:func:`protect_request`, :func:`record_request`) so that a release is logged only when its
files are written (:func:`pipeline.tables.api.publish_request`).

The ledger entry holds the request hash, data version, rules, decision, reasons and every cell's
definition, kind, status, n and weighted N, with a SHA-256 of its members' *row numbers* in the
scored file (to notice a changed file under one data version): no answers and no respondent ids (a
digest of a small cell's ids could be reversed by trying ids).

Reasons come in two forms: :attr:`WaveRelease.reasons` name the cells and group sizes (for the
analyst's console and the internal ledger), :meth:`TableRelease.public_reasons` only say which earlier
releases were involved (for the workbook: a group size is itself a disclosure).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from pipeline.errors import Problem, UsageError
from pipeline.sdc.tables.history import ReleasedCell
from pipeline.sdc.tables.ledger import Ledger, merged_history
from pipeline.sdc.tables.protect import Protected, protect
from pipeline.sdc.tables.rules import public_flag
from pipeline.tables.compute import IndicatorTable, calibrated_design, compute_wave
from pipeline.tables.request import ResolvedRequest
from pipeline.tables.source import WaveData, disclosure_columns

PUBLIC = "public"  # the requester of the published standard tables: in everyone's history

Decision = Literal["release", "suppress", "refuse"]


@dataclass(frozen=True)
class ProtectedTable:
    numbers: IndicatorTable
    protected: Protected
    logged: tuple[ReleasedCell, ...]  # every cell as the ledger logs it (suppressed ones too)

    def flag(self, i: int) -> str:
        """The public flag of cell ``i``: '' | 'unreliable' | 'suppressed' | 'empty' (n = 0, no estimate)."""
        f = public_flag(self.protected.statuses[i])
        if f != "suppressed" and self.numbers.n[i] == 0:
            return "empty"
        return f


@dataclass(frozen=True)
class WaveRelease:
    data: WaveData
    tables: tuple[ProtectedTable, ...]
    decision: Decision
    reasons: tuple[str, ...]  # detailed (cells, group sizes): console and ledger only
    earlier: tuple[str, ...]  # ids of the earlier releases the reasons involve
    notices: tuple[str, ...]
    release_id: str | None  # the ledger entry (None when not recorded)

    @property
    def wave(self) -> int:
        return self.data.wave


@dataclass(frozen=True)
class TableRelease:
    request: ResolvedRequest
    waves: tuple[WaveRelease, ...]  # in the request's wave order

    @property
    def decision(self) -> Decision:
        return _fold(w.decision for w in self.waves)

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(f"wave {w.wave}: {r}" for w in self.waves for r in w.reasons)

    def public_reasons(self, lang: str = "nl") -> tuple[str, ...]:
        earlier = sorted({e for w in self.waves for e in w.earlier})
        if self.decision == "release" or not earlier:
            return ()
        who = self.request.request.requester
        if lang == "en":
            return (
                f"Further cells are not published: together with earlier tables released to {who} or published "
                f"({', '.join(earlier)}) they would allow a figure that is not published to be derived.",
            )
        return (
            f"Extra cellen zijn niet gepubliceerd: samen met eerdere tabellen voor {who} of gepubliceerde tabellen "
            f"({', '.join(earlier)}) zouden ze een niet-gepubliceerd cijfer laten afleiden.",
        )


def _fold(decisions: Iterable[Decision]) -> Decision:
    """The decision of several tables or waves: refused if one is, else further suppressed if one is."""
    ds = set(decisions)
    return "refuse" if "refuse" in ds else "suppress" if "suppress" in ds else "release"


LedgersFor = Callable[[WaveData], tuple[Ledger, ...]]


def ledgers_for(directory: str | Path | None) -> LedgersFor:
    """Where a wave's releases are logged and its history is read: the run's own ledger
    (``RUNDIR/ledger``) and, with ``directory`` (``--ledger DIR``), also that directory. Data that do
    not come from a run directory have only ``directory``."""

    def pick(d: WaveData) -> tuple[Ledger, ...]:
        dirs = [
            p
            for p in (d.ledger_dir, None if directory is None else Path(directory))
            if p is not None
        ]
        if not dirs:
            raise UsageError(
                "no ledger directory for data that do not come from a run directory",
                [Problem("the release must be logged", hint="pass --ledger DIR")],
                code="no_ledger",
            )
        return tuple(Ledger(p) for p in dict.fromkeys(p.resolve() for p in dirs))

    return pick


def _history(
    ledgers: Sequence[Ledger], requester: str, d: WaveData, request_hash: str
) -> tuple[tuple[ReleasedCell, ...], tuple[str, ...]]:
    """The requester's earlier releases on this data version and the public ones, from every ledger
    (each release once)."""
    cells: list[ReleasedCell] = []
    notes: list[str] = []
    for who in dict.fromkeys((requester, PUBLIC)):
        c, n = merged_history(
            ledgers, who, d.data_version, request_hash if who == requester else None
        )
        cells.extend(c)
        notes.extend(n)
    return tuple(cells), tuple(dict.fromkeys(notes))


def _earlier(p: Protected) -> tuple[str, ...]:
    out = []
    for f in p.findings:
        for label in f.involved:
            rid = label.split(": ", 1)[0]
            if rid != "new":
                out.append(rid)
    return tuple(dict.fromkeys(out))


def protect_wave(
    resolved: ResolvedRequest, data: WaveData, ledgers: Sequence[Ledger]
) -> WaveRelease:
    """Compute and protect one wave's tables of a request against that data version's history (the
    requester's and the public releases in ``ledgers``); not logged."""
    req = resolved.request
    columns = disclosure_columns(data)
    numbers = compute_wave(
        resolved, resolved.wave(data.wave), data, columns, calibrated_design(data)
    )
    history, notes = _history(ledgers, req.requester, data, req.hash())
    done: list[ProtectedTable] = []
    for t in numbers:
        units = None if t.unit_values is None else {t.variable: t.unit_values}
        table = t.table_data()
        p = protect(
            table,
            rules=req.rules(),
            history=history,
            columns=columns,
            policy=req.policy(),
            notices=notes,
            unit_values=units,
        )
        done.append(ProtectedTable(t, p, p.released_cells(table)))
    decision = _fold(pt.protected.decision for pt in done)
    reasons = tuple(
        dict.fromkeys(f"{pt.numbers.indicator}: {r}" for pt in done for r in pt.protected.reasons)
    )
    earlier = tuple(dict.fromkeys(e for pt in done for e in _earlier(pt.protected)))
    notices = tuple(dict.fromkeys(n for pt in done for n in pt.protected.notices))
    return WaveRelease(data, tuple(done), decision, reasons, earlier, notices, None)


def _record(
    ledger: Ledger, resolved: ResolvedRequest, w: WaveRelease, logged_at: str | None
) -> str:
    """Log one wave's release (a refusal without cells); returns the entry's id."""
    req = resolved.request
    refused = w.decision == "refuse"  # a refusal is logged without cells
    cells = [] if refused else [c for pt in w.tables for c in pt.logged]
    sums = [] if refused else [d for pt in w.tables for d in pt.numbers.digests]
    rel = ledger.record(
        req.requester,
        request_hash=req.hash(),
        data_version=w.data.data_version,
        cells=cells,
        digests=sums,
        decision=w.decision,
        reasons=w.reasons,
        label=req.id,
        rules=req.rules().describe(),
        logged_at=logged_at,
    )
    return rel.id


def protect_request(
    resolved: ResolvedRequest, data: Mapping[int, WaveData], ledgers: LedgersFor
) -> TableRelease:
    """Every wave of a request (request order), protected, not logged. If one wave is refused, the
    request is refused as a whole: every wave becomes a refusal, so nothing is released."""
    trial = [protect_wave(resolved, data[w], ledgers(data[w])) for w in resolved.request.waves]
    if any(t.decision == "refuse" for t in trial):
        trial = [
            replace(
                t,
                decision="refuse",
                reasons=t.reasons or ("another wave of the request was refused",),
            )
            for t in trial
        ]
    return TableRelease(resolved, tuple(trial))


def record_request(
    release: TableRelease, ledgers: LedgersFor, logged_at: str | None = None
) -> TableRelease:
    """Log every wave's release in each of its ledgers (a re-issue logged before adds nothing to that
    ledger); the release ids are those of the first ledger (the run's own)."""
    out = []
    for w in release.waves:
        ids = [_record(led, release.request, w, logged_at) for led in ledgers(w.data)]
        out.append(replace(w, release_id=ids[0]))
    return replace(release, waves=tuple(out))
