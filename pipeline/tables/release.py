"""Protect a request's tables and log the release: primary and secondary suppression, differencing
against every earlier release on the same data version, the ledger entry.

The rules are the publisher's policy (:mod:`pipeline.sdc.policy`), made stricter where the request
asks; the requester must be an organisation of the publisher's registry; the history is every
release on the wave's data version in the publisher's ledger(s) (:mod:`pipeline.sdc.publisher`),
whoever it went to: the run's standard table and reports (requester ``public``) and every custom
table, on whichever copy of the data it was made.

Per wave (one data version each) every indicator's table goes through
:func:`pipeline.sdc.tables.protect.protect`. A request is released as a whole or refused as a
whole: if any table is refused, nothing is published and the refusal is logged with its reasons.
Protecting and logging are separate steps (:func:`protect_request`, :func:`record_request`) so that a
release is logged only when its files are written (:func:`pipeline.tables.api.publish_request`).

The ledger entry holds the request hash, data version, rules, decision, reasons and every cell's
definition, kind, status, n and weighted N, with a SHA-256 of its members' *row numbers*: no
answers and no respondent ids (a digest of a small cell's ids could be reversed by trying ids).

A request with a benchmark of Flanders or the rest (:mod:`pipeline.tables.benchmark`) has one more
cell per indicator, the reference cell (the wave's population with the indicator answered): it is
protected first, against the history, and then every table of the request against the history and
it; it is logged with the tables' cells. So the reference is a published cell like any other, and
a table cell whose difference with it is a small group is suppressed by the differencing checks.

Reasons come in two forms: :attr:`WaveRelease.reasons` name the cells and group sizes (for the
analyst's console and the internal ledger), :meth:`TableRelease.public_reasons` only say which earlier
releases were involved (for the workbook: a group size is itself a disclosure).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from pipeline.sdc.policy import effective_rules
from pipeline.sdc.publisher import Publisher
from pipeline.sdc.registry import PUBLIC
from pipeline.sdc.tables.history import ReleasedCell
from pipeline.sdc.tables.ledger import Ledger, prior
from pipeline.sdc.tables.protect import HistoryPolicy, Protected, protect
from pipeline.sdc.tables.rules import PrimaryRules, is_suppressed, public_flag
from pipeline.tables.benchmark import (
    BenchmarkNumbers,
    benchmark_numbers,
    needs_reference,
    reference_table,
)
from pipeline.tables.compute import IndicatorTable, calibrated_design, compute_wave
from pipeline.tables.request import ResolvedRequest
from pipeline.tables.source import WaveData, disclosure_columns

__all__ = ["PUBLIC", "TableRelease", "WaveRelease", "protect_request", "record_request"]

Decision = Literal["release", "suppress", "refuse"]


@dataclass(frozen=True)
class ProtectedTable:
    numbers: IndicatorTable
    protected: Protected
    logged: tuple[ReleasedCell, ...]  # every cell as the ledger logs it (suppressed ones too)
    benchmark: BenchmarkNumbers | None = None  # the request's benchmark of every cell
    reference: ProtectedTable | None = None  # the reference cell (benchmark flanders or rest)

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
    references: tuple[ProtectedTable, ...] = ()  # the benchmark's reference cells (logged too)

    @property
    def wave(self) -> int:
        return self.data.wave


@dataclass(frozen=True)
class TableRelease:
    request: ResolvedRequest
    waves: tuple[WaveRelease, ...]  # in the request's wave order
    rules: PrimaryRules  # the policy's, made stricter where the request asked
    on_disclosure: Literal["suppress", "refuse"]
    policy: dict[str, object]  # the policy as the workbook states it (id, version, values)
    requester_name: str = ""  # the registered organisation's name (the notes say it, not the id)

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
        if lang == "en":
            return (
                f"Further cells are not published: together with figures released earlier ({len(earlier)} "
                "release(s), to anyone) they would allow a figure that is not published to be derived.",
            )
        return (
            f"Extra cellen zijn niet gepubliceerd: samen met eerder vrijgegeven cijfers ({len(earlier)} "
            "vrijgave(n), aan wie ook) zouden ze een niet-gepubliceerd cijfer laten afleiden.",
        )


def _fold(decisions: Iterable[Decision]) -> Decision:
    """The decision of several tables or waves: refused if one is, else further suppressed if one is."""
    ds = set(decisions)
    return "refuse" if "refuse" in ds else "suppress" if "suppress" in ds else "release"


def _earlier(p: Protected) -> tuple[str, ...]:
    out = []
    for f in p.findings:
        for label in f.involved:
            rid = label.split(": ", 1)[0]
            if rid not in ("new", "this request"):
                out.append(rid)
    return tuple(dict.fromkeys(out))


def protect_wave(
    resolved: ResolvedRequest,
    data: WaveData,
    ledgers: Sequence[Ledger],
    rules: PrimaryRules,
    on_disclosure: Literal["suppress", "refuse"] = "suppress",
) -> WaveRelease:
    """Compute and protect one wave's tables of a request against every earlier release on that
    data version in ``ledgers``; not logged."""
    req = resolved.request
    columns = disclosure_columns(data)
    wave = resolved.wave(data.wave)
    design = calibrated_design(data)
    numbers = compute_wave(resolved, wave, data, columns, design)
    before = prior(ledgers, data.data_version, req.requester, req.hash())  # one read
    history = list(before.history)
    # a re-issue never shows a cell its first issue hid (the ledger is what was published)
    first = before.first
    hidden = set() if first is None else {c.cell.key for c in first.cells if not c.published}

    def protected(t: IndicatorTable, label: str) -> ProtectedTable:
        """``t`` protected against the history, which then holds it too."""
        units = None if t.unit_values is None else {t.variable: t.unit_values}
        table = t.table_data()

        def run(forced: Sequence[int] = ()) -> Protected:
            return protect(
                table,
                rules=rules,
                history=history,
                columns=columns,
                policy=HistoryPolicy(on_disclosure=on_disclosure),
                unit_values=units,
                forced_cells=forced,
            )

        p = run()
        again = [
            i
            for i, c in enumerate(table.cells or ())
            if c.key in hidden and not is_suppressed(p.statuses[i])
        ]
        if again:  # protected otherwise now (another engine or policy): hidden as it was
            p = run(again)
        pt = ProtectedTable(t, p, p.released_cells(table))
        history.extend(replace(c, release=f"this request: {label}") for c in pt.logged)
        return pt

    refs: dict[str, ProtectedTable] = {}
    for t in numbers:  # the benchmark's reference cells first: a table is checked against them
        if needs_reference(resolved, t.indicator):
            ref = reference_table(resolved, wave, data, columns, t.indicator, design)
            refs[t.indicator] = protected(ref, f"{t.indicator} (benchmark)")
    done: list[ProtectedTable] = []
    for t in numbers:  # each table also against the request's tables protected before it
        pt = protected(t, t.indicator)
        ref_pt = refs.get(t.indicator)
        bench = benchmark_numbers(
            resolved, t, None if ref_pt is None else ref_pt.numbers, data, design
        )
        done.append(replace(pt, benchmark=bench, reference=ref_pt))
    every = [*refs.values(), *done]
    decision = _fold(pt.protected.decision for pt in every)
    reasons = tuple(
        dict.fromkeys(f"{pt.numbers.indicator}: {r}" for pt in every for r in pt.protected.reasons)
    )
    earlier = tuple(dict.fromkeys(e for pt in every for e in _earlier(pt.protected)))
    notices = tuple(dict.fromkeys(n for pt in every for n in pt.protected.notices))
    return WaveRelease(
        data, tuple(done), decision, reasons, earlier, notices, None, tuple(refs.values())
    )


def _record(ledger: Ledger, release: TableRelease, w: WaveRelease, logged_at: str | None) -> str:
    """Log one wave's release (a refusal without cells); returns the entry's id."""
    req = release.request.request
    refused = w.decision == "refuse"  # a refusal is logged without cells
    logged = (*w.references, *w.tables)  # the benchmark's reference cells are published cells
    cells = [] if refused else [c for pt in logged for c in pt.logged]
    sums = [] if refused else [d for pt in logged for d in pt.numbers.digests]
    rel = ledger.record(
        req.requester,
        request_hash=req.hash(),
        data_version=w.data.data_version,
        cells=cells,
        digests=sums,
        decision=w.decision,
        reasons=w.reasons,
        label=req.id,
        rules=release.rules.describe(),
        logged_at=logged_at,
    )
    return rel.id


def protect_request(
    resolved: ResolvedRequest, data: Mapping[int, WaveData], publisher: Publisher
) -> TableRelease:
    """Every wave of a request (request order), protected under the publisher's policy, not logged.
    The requester must be registered. If one wave is refused, the request is refused as a whole:
    every wave becomes a refusal, so nothing is released."""
    req = resolved.request
    org = publisher.registry.organisation(req.requester)
    rules, on = effective_rules(
        publisher.policy,
        req.disclosure.asked(),
        resolved.file,
        sensitive=resolved.sensitive_variables(),
    )
    ledgers = publisher.ledgers
    trial = [protect_wave(resolved, data[w], ledgers, rules, on) for w in req.waves]
    if any(t.decision == "refuse" for t in trial):
        trial = [
            replace(
                t,
                decision="refuse",
                reasons=t.reasons or ("another wave of the request was refused",),
            )
            for t in trial
        ]
    return TableRelease(
        resolved, tuple(trial), rules, on, publisher.policy.describe(), requester_name=org.name
    )


def record_request(
    release: TableRelease, publisher: Publisher, logged_at: str | None = None
) -> TableRelease:
    """Log every wave's release in each of the publisher's ledgers (a re-issue logged before adds
    nothing to that ledger); the release ids are those of the first ledger (the policy's)."""
    out = []
    for w in release.waves:
        ids = [_record(led, release, w, logged_at) for led in publisher.ledgers]
        out.append(replace(w, release_id=ids[0]))
    return replace(release, waves=tuple(out))
