"""What a released table publishes: the rows of the CSV and JSON (the contract) and the layout and
notes of the workbook, built from a :class:`~pipeline.tables.release.TableRelease`.

**The output contract** (CSV columns, in this order; the JSON's ``rows`` have the same keys):

=================  ==========================================================================
``wave``           the wave (year) of the data
``indicator``      the indicator's name as requested (e.g. ``werkstress``, ``werkstress_acuut``)
``indicator_label`` its label in the request's language
``unit``           ``percent`` (0-100), ``mean``, ``total`` (a weighted total: magnitude tables) or
                   ``count`` (a table that shows only n and weighted N: the count rule applies)
``row_variable``   the row breakdown's name ('' without row breakdown)
``row_level``      its level: a code (``"3"``), ``missing`` (no substantive answer) or '' (total)
``row_label``      the level's label ("Totaal" / "Total" for the total)
``column_variable``, ``column_level``, ``column_label``: the same for the column breakdown
``estimate``       the weighted percentage (100 x the engine's proportion), mean or total
``ci_low``         lower bound of the 95% confidence interval (same unit)
``ci_high``        upper bound
``n``              unweighted number of respondents (enterprises) with a value in the cell
``weighted_n``     their weighted number, rounded to a multiple of the policy's base (default 100; coarser
                   where the weights need it, :mod:`pipeline.sdc.tables.weights`; empty if left out)
``flag``           '' | ``unreliable`` | ``suppressed`` | ``empty`` (n = 0: no estimate)
``change_from``    a request of several waves: the earlier wave the change is against (the next
                   older requested wave, or the oldest with ``change: first``); '' otherwise
``change``         estimate minus the same cell in ``change_from`` (percentage points for
                   percentages); empty unless both cells are published
``change_ci_low``, ``change_ci_high``: its 95% confidence interval (independent samples)
``change_p_value`` two-sided z test of the change (:mod:`pipeline.tables.change`)
``change_significant``  true | false (p < 0.05); empty without a change
``change_flag``    '' | ``suppressed`` (either cell is) | ``empty`` | ``not_comparable`` (the
                   indicator's definition changed between the two waves)
``benchmark``      what the cell is compared with (the request's ``benchmark``): ``flanders``, ``rest``,
                   ``<variable>=<level>`` (a group of the same breakdown), or '' (no benchmark)
``benchmark_estimate``  the reference's estimate (same unit): Flanders, the rest of the population
                   (everyone not in the cell), or the reference group's cell
``benchmark_difference``  estimate minus benchmark_estimate (percentage points for percentages)
``benchmark_ci_low``, ``benchmark_ci_high``: its 95% confidence interval (with ``ci``)
``benchmark_p_value``  two-sided test of the difference, the run's design and calibration (with
                   the statistic ``p_value``; :mod:`pipeline.tables.benchmark`)
``benchmark_significant``  true | false (p < 0.05; with ``p_value`` or ``significance``)
``benchmark_flag`` '' | ``suppressed`` (the cell or its reference is not published) | ``empty``
                   (either has no respondents) | ``reference`` (the cell is its reference) |
                   ``not_applicable`` (a total over the reference group's breakdown; a magnitude table)
``suppression_reason``  a suppressed cell's reason where the published figures already imply it:
                   ``too_few_respondents`` | ``protects_another_cell`` | ``not_told`` (saying it
                   would reveal more; :mod:`pipeline.tables.reasons`); '' for a published cell
=================  ==========================================================================

A statistic the request does not ask for (``statistics``: ``percent`` or ``estimate``, ``ci``, ``n``,
``weighted_n``) is empty in every row; a suppressed cell
has every number empty. Rows come per wave (request order), indicator (request order), row level,
then column level; levels in questionnaire order, ``missing`` after them (only where someone is
missing), the total last. Numbers are the engine's doubles (the CSV writes the shortest text that
reads back to the same double).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from pipeline.reports.labels import domain_label
from pipeline.sdc.tables.rules import PrimaryRules, TableKind
from pipeline.sdc.tables.weights import rounded, safe_base
from pipeline.tables import notes as N
from pipeline.tables.change import CellChange, table_changes
from pipeline.tables.reasons import suppression_reasons
from pipeline.tables.release import ProtectedTable, TableRelease, WaveRelease
from pipeline.tables.request import MISSING_LEVEL, ResolvedRequest

COLUMNS: tuple[str, ...] = (
    "wave",
    "indicator",
    "indicator_label",
    "unit",
    "row_variable",
    "row_level",
    "row_label",
    "column_variable",
    "column_level",
    "column_label",
    "estimate",
    "ci_low",
    "ci_high",
    "n",
    "weighted_n",
    "flag",
    "change_from",
    "change",
    "change_ci_low",
    "change_ci_high",
    "change_p_value",
    "change_significant",
    "change_flag",
    "benchmark",
    "benchmark_estimate",
    "benchmark_difference",
    "benchmark_ci_low",
    "benchmark_ci_high",
    "benchmark_p_value",
    "benchmark_significant",
    "benchmark_flag",
    "suppression_reason",
)
UNITS: dict[TableKind, str] = {
    TableKind.percent: "percent",
    TableKind.mean: "mean",
    TableKind.magnitude: "total",
    TableKind.count: "count",
}
KIND = "wbm-table"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class PublishedCell:
    """One row of the contract (see the module docstring)."""

    wave: int
    indicator: str
    indicator_label: str
    unit: str
    row_variable: str
    row_level: str
    row_label: str
    column_variable: str
    column_level: str
    column_label: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    weighted_n: float | None
    flag: str
    change_from: int | None = None
    change: float | None = None
    change_ci_low: float | None = None
    change_ci_high: float | None = None
    change_p_value: float | None = None
    change_significant: bool | None = None
    change_flag: str = ""
    benchmark: str = ""
    benchmark_estimate: float | None = None
    benchmark_difference: float | None = None
    benchmark_ci_low: float | None = None
    benchmark_ci_high: float | None = None
    benchmark_p_value: float | None = None
    benchmark_significant: bool | None = None
    benchmark_flag: str = ""
    suppression_reason: str = ""

    def record(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in COLUMNS}


@dataclass(frozen=True)
class Axis:
    """A breakdown as laid out: its name, label and (level, label) pairs (total last)."""

    variable: str
    label: str
    levels: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Sheet:
    """One wave's table in the workbook: indicator blocks (rows) x column levels."""

    wave: int
    name: str
    subtitle: str
    rows: Axis | None
    columns: Axis | None
    indicators: tuple[tuple[str, str, str], ...]  # (name, label, unit)
    cells: tuple[PublishedCell, ...]


@dataclass(frozen=True)
class PublishedTable:
    id: str
    title: str
    language: str
    statistics: tuple[str, ...]
    decision: str  # release | suppress
    sheets: tuple[Sheet, ...]
    notes: tuple[tuple[str, str], ...]  # the notes sheet: (key, text)
    meta: dict[str, object]  # request hash, data versions, rules (JSON header; workbook properties)

    @property
    def cells(self) -> tuple[PublishedCell, ...]:
        return tuple(c for s in self.sheets for c in s.cells)


def _value(x: float, scale: float = 1.0) -> float | None:
    return None if math.isnan(x) else x * scale


def weighted_n_base(release: TableRelease, wr: WaveRelease) -> int | None:
    """The base a wave's weighted N are rounded to: the policy's, or the smallest multiple of it at
    which the difference of two published weighted N fits at least ``min_n_count`` of the wave's
    weights (:func:`pipeline.sdc.tables.weights.safe_base`); ``None``: weighted N left out."""
    from pipeline.rundata.columns import WEIGHT

    base = _base(release)
    frame = wr.data.frame
    if WEIGHT not in frame.columns:
        return base
    return safe_base(frame[WEIGHT].to_numpy(dtype=float), base, release.rules.min_n_count)


_Bench = tuple[
    str, float | None, float | None, float | None, float | None, float | None, bool | None, str
]


def _cells(
    resolved: ResolvedRequest,
    wr: WaveRelease,
    pt: ProtectedTable,
    lang: str,
    base: int | None,
    changes: dict[tuple[int, str, int], CellChange],
    rules: PrimaryRules,
) -> list[PublishedCell]:
    t = pt.numbers
    q = resolved.wave(wr.wave).questionnaire
    stats = resolved.request.published_statistics()
    scale = 100.0 if t.kind == TableKind.percent else 1.0
    label = N.indicator_text(resolved.latest.questionnaire, t.indicator, lang)
    names = resolved.breakdowns()
    wave_names = [d.name for d in t.structure.dims]
    why = suppression_reasons(pt, rules, stats)
    out = []
    for i, key in enumerate(t.structure.keys):
        by = dict(zip(names, key, strict=True))
        axes: dict[str, tuple[str, str, str]] = {}
        for role in ("rows", "columns"):
            var = getattr(resolved.request, role)
            axes[role] = (
                ("", "", "")
                if var is None
                else (var, by[var], N.level_text(q, wave_names[names.index(var)], by[var], lang))
            )
        flag = pt.flag(i)
        hidden = flag == "suppressed"
        ch = changes.get((t.wave, t.indicator, i))
        change = (
            ()
            if ch is None
            else (
                ch.since,
                ch.change,
                ch.ci_low,
                ch.ci_high,
                ch.p_value,
                ch.significant,
                ch.flag,
            )
        )
        out.append(
            PublishedCell(
                t.wave,
                t.indicator,
                label,
                UNITS[t.kind],
                *axes["rows"],
                *axes["columns"],
                None if hidden or "estimate" not in stats else _value(t.estimate[i], scale),
                None if hidden or "ci" not in stats else _value(t.ci_low[i], scale),
                None if hidden or "ci" not in stats else _value(t.ci_high[i], scale),
                None if hidden or "n" not in stats else t.n[i],
                None
                if hidden or base is None or "weighted_n" not in stats
                else rounded(t.weighted_n[i], base),
                flag,
                *change,
            )
        )
        b = _benchmark(pt, i, flag, stats, scale, resolved.request.benchmark_name())
        out[-1] = replace(
            out[-1],
            benchmark=b[0],
            benchmark_estimate=b[1],
            benchmark_difference=b[2],
            benchmark_ci_low=b[3],
            benchmark_ci_high=b[4],
            benchmark_p_value=b[5],
            benchmark_significant=b[6],
            benchmark_flag=b[7],
            suppression_reason=why[i],
        )
    return out


def _benchmark(
    pt: ProtectedTable, i: int, flag: str, stats: tuple[str, ...], scale: float, name: str
) -> _Bench:
    """The benchmark fields of cell ``i``: numbers only where the cell and its reference are both
    published (:mod:`pipeline.tables.benchmark`)."""
    from pipeline.tables.benchmark import NO_REFERENCE, REFERENCE_CELL

    bench = pt.benchmark
    if bench is None:
        return (name, None, None, None, None, None, None, "not_applicable" if name else "")
    ref = bench.ref[i]
    ref_flag = (
        ""
        if ref == NO_REFERENCE
        else (pt.reference.flag(0) if pt.reference is not None else "suppressed")
        if ref == REFERENCE_CELL
        else pt.flag(ref)
    )
    if flag == "suppressed" or ref_flag == "suppressed":
        why = "suppressed"
    elif flag == "empty" or ref_flag == "empty":
        why = "empty"
    elif ref == NO_REFERENCE:
        why = "not_applicable"
    elif bench.same[i]:
        why = "reference"
    elif bench.n_reference[i] == 0:
        why = "empty"
    else:
        why = ""
    if why or math.isnan(bench.diff[i]):
        return (name, None, None, None, None, None, None, why or "empty")
    ci = "ci" in stats
    p = bench.p_value[i]
    tested = not math.isnan(p)
    return (
        name,
        bench.estimate[i] * scale,
        bench.diff[i] * scale,
        bench.ci_low[i] * scale if ci and tested else None,
        bench.ci_high[i] * scale if ci and tested else None,
        p if "p_value" in stats and tested else None,
        (p < 0.05) if tested and {"p_value", "significance"} & set(stats) else None,
        "",
    )


def _axis(resolved: ResolvedRequest, role: str, wr: WaveRelease, lang: str) -> Axis | None:
    var = getattr(resolved.request, role)
    if var is None:
        return None
    wave = resolved.wave(wr.wave)
    q, name = wave.questionnaire, wave.variables[var]
    levels = [str(c) for c in resolved.levels(var, wave)]
    k = resolved.breakdowns().index(var)
    if any(MISSING_LEVEL in t.numbers.structure.dims[k].levels for t in wr.tables):
        levels.append(MISSING_LEVEL)
    levels.append("")
    return Axis(
        var,
        domain_label(q, name, lang),
        tuple((lv, N.level_text(q, name, lv, lang)) for lv in levels),
    )


def published(release: TableRelease) -> PublishedTable:
    """The published form of a released (not refused) request."""
    if release.decision == "refuse":
        raise ValueError("a refused request publishes nothing")
    resolved = release.request
    req = resolved.request
    lang = req.language
    w = N.words(lang)
    title = req.title.get(lang) if req.title else req.id
    changes = table_changes(release)
    sheets = []
    bases = {wr.wave: weighted_n_base(release, wr) for wr in release.waves}
    for wr in release.waves:
        q = wr.data.questionnaire
        cells: list[PublishedCell] = []
        for pt in wr.tables:
            cells.extend(_cells(resolved, wr, pt, lang, bases[wr.wave], changes, release.rules))
        inds = tuple(
            (
                pt.numbers.indicator,
                N.indicator_text(resolved.latest.questionnaire, pt.numbers.indicator, lang),
                UNITS[pt.numbers.kind],
            )
            for pt in wr.tables
        )
        name = w["table"] if len(release.waves) == 1 else f"{w['table']} {wr.wave}"
        sub = f"{q.study.title.get(lang)}; {w['filters'].lower()}: {N.filter_text(resolved, lang)}"
        sheets.append(
            Sheet(
                wr.wave,
                name,
                sub,
                _axis(resolved, "rows", wr, lang),
                _axis(resolved, "columns", wr, lang),
                inds,
                tuple(cells),
            )
        )
    meta: dict[str, object] = {
        "request_id": req.id,
        "requester": req.requester,
        "request_hash": req.hash(),
        "language": lang,
        "data_versions": {str(wr.wave): wr.data.data_version for wr in release.waves},
        "questionnaires": {
            str(wr.wave): f"{wr.data.questionnaire.study.id} {wr.data.questionnaire.study.version}"
            for wr in release.waves
        },
        "rules": release.rules.describe(),
        "policy": release.policy,
        "weighted_n_base": {str(k): v for k, v in bases.items()},
        "decision": release.decision,
        "generated_by": N.GENERATED_BY,
    }
    return PublishedTable(
        req.id,
        title,
        lang,
        req.published_statistics(),
        release.decision,
        tuple(sheets),
        _notes(release, title, bases),
        meta,
    )


def _base(release: TableRelease) -> int:
    base = release.policy.get("weighted_n_base", 1)
    return int(base) if isinstance(base, int) else 1


def _notes(
    release: TableRelease, title: str, bases: dict[int, int | None]
) -> tuple[tuple[str, str], ...]:
    resolved = release.request
    req = resolved.request
    lang = req.language
    w = N.words(lang)
    q = resolved.latest.questionnaire
    rows: list[tuple[str, str]] = [(w["title"], title)]
    if any(wr.data.synthetic for wr in release.waves):
        rows.append((w["note"], w["synthetic"]))
    rows += [
        (w["request"], req.id),
        (w["requester"], N.requester_text(req.requester, release.requester_name, lang)),
        (w["population"], q.study.target_population.get(lang)),
        (w["filters"], N.filter_text(resolved, lang)),
        (w["waves"], ", ".join(str(wr.wave) for wr in release.waves)),
    ]
    for wr in release.waves:
        st = wr.data.questionnaire.study
        rows.append((f"{w['source']} {wr.wave}", f"{st.title.get(lang)} ({st.id}, {st.version})"))
    for role in ("rows", "columns"):
        var = getattr(req, role)
        rows.append((w[role], f"{domain_label(q, var, lang)} ({var})" if var else w["none"]))
    rows.append((w["figures"], N.figures_text(req.published_statistics(), lang)))
    first = release.waves[0].data
    rows.append(
        (w["method"], N.method_text(first.weighting, first.questionnaire, lang, first.method))
    )
    for name in req.indicators:
        rows.append(
            (
                f"{w['definition']}: {N.indicator_text(q, name, lang)}",
                N.definition(q, name, lang, resolved.latest.cutoff_population),
            )
        )
    magnitudes = any(
        pt.numbers.kind == TableKind.magnitude for wr in release.waves for pt in wr.tables
    )
    if req.change != "none" and len(release.waves) > 1:
        rows.append((w["change_note"], w["change_text"]))
    if req.benchmark is not None:
        bench = req.benchmark
        if isinstance(bench, str):
            what = w[f"benchmark_what_{bench}"]
        else:
            label = N.level_text(q, bench.variable, str(bench.level), lang)
            what = w["benchmark_what_group"].format(
                label=f"{domain_label(q, bench.variable, lang)} = {label}"
            )
        rows.append((w["benchmark_note"], w["benchmark_text"].format(what=what)))
    for symbol, text in N.legend_rows(release.rules, lang, magnitudes):
        rows.append((f"{w['legend']}: {symbol}", text))
    rows.append((w["reason_note"], w["reason_text"]))
    rows.append((w["rules"], N.rules_text(release.rules, lang, magnitudes)))
    rows.append((w["policy"], N.policy_text(release.policy, release.rules, lang)))
    if "weighted_n" in req.published_statistics():
        for wave, b in bases.items():
            if b != _base(release):
                rows.append((f"{w['weighted_n']} {wave}", N.weighted_n_text(b, lang)))
    decision = {
        "release": "vrijgegeven" if lang != "en" else "released",
        "suppress": "vrijgegeven met extra onderdrukking"
        if lang != "en"
        else "released with further suppression",
    }
    rows.append(
        (w["decision"], ". ".join((decision[release.decision], *release.public_reasons(lang))))
    )
    for wr in release.waves:
        rows.append((f"{w['data_version']} {wr.wave}", f"sha256:{wr.data.data_version}"))
    rows.append((w["request_hash"], req.hash()))
    rows.append((w["made_with"], N.GENERATED_BY))
    return tuple(rows)
