"""The reports' trend section ("Evolutie"): werkbaar werk and the four workability indicators over
every wave of the series, for the group and for Flanders, as line charts with CIs and a table, with
the change since the previous and since the first wave tested, break markers, and (group reports)
the difference-in-differences against Flanders.

The numbers come only from :class:`pipeline.archive.trend.Trend` (the archive's estimates and this
run's); this module only lays them out and formats them in Dutch. Template:
``reports/trend.html.j2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.reports.estimates import DASH, dash_reason, fmt_number
from pipeline.reports.labels import indicator_groups, indicator_label
from pipeline.reports.linechart import LineChart, LinePoint, LineSeries, render_line_chart
from pipeline.reports.render import slug

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    import pandas as pd

    from pipeline.archive.trend import Change, Did, Line, Point, Trend
    from pipeline.questionnaire.model import Questionnaire
    from pipeline.reports.context import ReportContext
    from pipeline.sdc.publisher import Publisher

MODE_NL = {"paper": "papier", "web": "web", "cati": "telefonisch"}


@dataclass(frozen=True)
class TrendCell:
    wave: int
    text: str  # "52,3", "(52,3)" when unreliable, a dash when not published
    key: str  # data-key
    exact: str  # data-value (repr of the stored estimate), "" when not published
    ci: str  # "49,1 – 55,4" or ""
    n: int | None
    break_before: bool
    reason: str = ""  # why a dash (its title): :func:`pipeline.reports.estimates.dash_reason`


@dataclass(frozen=True)
class ChangeText:
    since: int
    value: str  # "+2,3" (percentage points for shares)
    ci: str
    verdict: str  # gestegen | gedaald | geen verschil | niet vergelijkbaar | niet beschikbaar
    significant: bool | None
    p_value: str


@dataclass(frozen=True)
class TrendRow:
    label: str  # "Vlaanderen" or the group
    cells: tuple[TrendCell | None, ...]  # one per wave of the section
    vs_previous: ChangeText | None
    vs_first: ChangeText | None


@dataclass(frozen=True)
class TrendIndicator:
    name: str
    label: str
    chart: str
    rows: tuple[TrendRow, ...]  # group first (group reports), then Flanders
    did: tuple[ChangeText, ...]  # group against Flanders since the previous / the first wave
    breaks: tuple[tuple[int, str], ...]  # (first wave after the break, why in Dutch)


@dataclass(frozen=True)
class TrendSection:
    years: tuple[int, ...]
    first: int
    previous: int | None
    now: int
    indicators: tuple[TrendIndicator, ...]
    group_table: tuple[tuple[str, TrendRow], ...]  # overview: the headline per group of the domain
    mode_note: str
    unit: str  # "procentpunt" or "" (means)
    sources: tuple[tuple[int, str, str], ...]  # (year, study id, data version)


def _value(p: Point | None, percent: bool) -> str:
    if p is None or p.estimate is None:
        return DASH
    v = fmt_number(p.estimate * 100 if percent else p.estimate, 1)
    return f"({v})" if "unreliable" in p.flags else v


def _cell(
    p: Point | None, key: str, percent: bool, protected: bool, missing: Point | None = None
) -> TrendCell | None:
    """The table cell of a point. ``missing``: under the publisher's protection, the whole
    population's point of a wave where the group has none (no respondents): shown as a figure not
    published, with the reason a hidden figure of that wave gets, so an empty group and one under
    the minimum look the same (issue 13)."""
    if p is None:
        if not protected or missing is None:
            return None
        return TrendCell(
            missing.wave,
            DASH,
            key,
            "",
            "",
            None,
            missing.break_before,
            dash_reason(True, missing.flags if not missing.shown else frozenset()),
        )
    ci = ""
    if p.estimate is not None and p.ci_low is not None and p.ci_high is not None:
        f = 100 if percent else 1
        ci = f"{fmt_number(p.ci_low * f, 1)} – {fmt_number(p.ci_high * f, 1)}"
    return TrendCell(
        p.wave,
        _value(p, percent),
        key,
        repr(p.estimate) if p.estimate is not None else "",
        ci,
        p.n,
        p.break_before,
        "" if p.estimate is not None else dash_reason(protected, p.flags),
    )


def _signed(x: float, percent: bool) -> str:
    s = fmt_number(x * 100 if percent else x, 1)
    return s if s.startswith("-") or s == "0,0" else "+" + s


def change_text(c: Change | Did | None, percent: bool) -> ChangeText | None:
    if c is None:
        return None
    value = c.diff
    if not c.comparable:
        return ChangeText(c.since, "", "", "niet vergelijkbaar", None, "")
    if value is None or c.significant is None or c.ci_low is None or c.ci_high is None:
        return ChangeText(c.since, "", "", "niet beschikbaar", None, "")
    verdict = ("gestegen" if value > 0 else "gedaald") if c.significant else "geen verschil"
    p = c.p_value
    return ChangeText(
        c.since,
        _signed(value, percent),
        f"{_signed(c.ci_low, percent)} tot {_signed(c.ci_high, percent)}",
        verdict,
        c.significant,
        "" if p is None else ("< 0,001" if p < 0.001 else fmt_number(p, 3)),
    )


def _row(
    label: str,
    line: Line | None,
    years: tuple[int, ...],
    percent: bool,
    *,
    protected: bool = False,
    whole: Line | None = None,
) -> TrendRow | None:
    """A row of the table; ``whole``: the whole population's line (Flanders) of a group's, which
    tells the waves the indicator was measured in (a group without a point there had no
    respondents)."""
    if line is None:
        return None
    key = f"{line.indicator}|{line.by}|{line.level}"
    measured = {} if whole is None or whole is line else {p.wave: p for p in whole.points}
    return TrendRow(
        label,
        tuple(_cell(line.point(y), key, percent, protected, measured.get(y)) for y in years),
        change_text(line.vs_previous, percent) if line.vs_previous is not None else None,
        change_text(line.vs_first, percent) if line.vs_first is not None else None,
    )


def _series(label: str, line: Line | None, percent: bool, reference: bool) -> LineSeries | None:
    if line is None:
        return None
    f = 100.0 if percent else 1.0
    pts = tuple(
        LinePoint(
            p.wave,
            None if p.estimate is None else p.estimate * f,
            None if p.ci_low is None else p.ci_low * f,
            None if p.ci_high is None else p.ci_high * f,
            p.segment,
            p.estimate,
            _value(p, percent),
        )
        for p in line.points
    )
    return LineSeries(label, f"{line.indicator}|{line.by}|{line.level}", pts, reference)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _desc(title: str, series: list[LineSeries], unit: str) -> str:
    parts = []
    for s in series:
        vals = ", ".join(
            f"{p.wave}: {p.text}{unit if p.value is not None else ''}" for p in s.points
        )
        parts.append(f"{s.label}: {vals}")
    return f"{title}. " + "; ".join(parts) + "."


def trend_section(
    trend: Trend | None,
    q: Questionnaire,
    *,
    domain: str | None = None,
    level: str | None = None,
    group_label: str | None = None,
    chart_prefix: str = "evolutie",
    protected: bool = False,
) -> TrendSection | None:
    """The section's view model (None without a trend). ``domain``/``level``/``group_label``: the
    group of a group report; without them (the overview) Flanders only, plus the headline per
    group of ``domain`` in a table. ``protected``: the publisher protects the reports' figures
    (a dash's reason says so; a group's missing wave is a dash like a hidden figure, and a group
    without a published figure in any wave is not in the table)."""
    if trend is None:
        return None
    groups = indicator_groups(q)
    names = ([groups.headline.name] if groups.headline else []) + [
        i.name for i in groups.workability
    ]
    years = trend.years
    shown = _capital(group_label or "")
    inds = []
    for name in names:
        flanders = trend.line(name)
        group = trend.line(name, domain, level) if domain and level is not None else None
        if flanders is None:
            continue
        stat = flanders.points[-1].stat if flanders.points else "proportion"
        percent = stat != "mean"
        label = indicator_label(q, name)
        series = [
            s
            for s in (
                _series(shown, group, percent, False) if group is not None else None,
                _series("Vlaanderen", flanders, percent, True),
            )
            if s is not None
        ]
        breaks = tuple(
            sorted({(b.wave, b.text_nl) for b in trend.breaks_of(name) if b.wave in years})
        )
        title = f"{_capital(label)}, {years[0]}–{years[-1]}" + (
            f": {group_label} en Vlaanderen" if group is not None else ": Vlaanderen"
        )
        chart = render_line_chart(
            LineChart(
                f"{chart_prefix}-{slug(name)}",
                title,
                _desc(title, series, "%" if percent else ""),
                years,
                tuple(series),
                tuple(w for w, _ in breaks),
                percent,
            )
        )
        rows = tuple(
            r
            for r in (
                _row(shown, group, years, percent, protected=protected, whole=flanders)
                if group is not None
                else None,
                _row("Vlaanderen", flanders, years, percent, protected=protected),
            )
            if r is not None
        )
        did: tuple[ChangeText, ...] = ()
        if group is not None and domain is not None and level is not None:
            did = tuple(
                t
                for since in dict.fromkeys(
                    x for x in (trend.previous, trend.first) if x is not None
                )
                if (t := change_text(trend.did(name, domain, level, since), percent)) is not None
            )
        inds.append(TrendIndicator(name, label, chart, rows, did, breaks))
    table: tuple[tuple[str, TrendRow], ...] = ()
    if domain and level is None and groups.headline is not None:
        from pipeline.reports.report import group_codes

        rows_ = []
        whole = trend.line(groups.headline.name)
        for code, lab in group_codes(q, domain):
            r = _row(
                _capital(lab),
                trend.line(groups.headline.name, domain, str(code)),
                years,
                True,
                protected=protected,
                whole=whole,
            )
            if r is not None and (not protected or any(c and c.exact for c in r.cells)):
                rows_.append((str(code), r))
        table = tuple(rows_)
    modes = {y: m for y, m in trend.modes}
    changes = [
        f"{y}: {' en '.join(MODE_NL.get(x, x) for x in modes[y])}"
        for prev, y in zip(years, years[1:], strict=False)
        if modes.get(y) != modes.get(prev)
    ]
    note = (
        "Wijziging in de manier van bevragen (geen breuk in de reeks): " + "; ".join(changes) + "."
        if changes
        else ""
    )
    return TrendSection(
        years,
        trend.first,
        trend.previous,
        years[-1],
        tuple(inds),
        table,
        note,
        "procentpunt",
        trend.waves,
    )


def with_trend(
    ctx: ReportContext,
    archive_dir: str | Path,
    run_dir: str | Path,
    q: Questionnaire,
    *,
    publisher: Publisher | None = None,
    estimates: pd.DataFrame | None = None,
) -> ReportContext:
    """``ctx`` with the trend of a finished run against the archive (the headline and the four
    workability indicators, by the report domain), and, unless ``ctx`` has one, the previous wave's
    estimates for the "previous wave" columns (without indicators that break between the waves).

    ``publisher`` (the reports' figures protected, ``protect_reports: true``): this wave's points
    are ``estimates`` (the protected figures), an earlier wave's figure is shown only where a
    release in that wave's ledger published it
    (:func:`pipeline.tables.figures.released_in_ledger`), and a change only between two shown
    figures (a function of released figures needs no protection of its own); what is then shown
    is no longer listed as withheld."""
    from dataclasses import replace

    from pipeline.archive.trend import Earlier, trend_for_run
    from pipeline.reports.report import report_domain
    from pipeline.reports.withheld import PREVIOUS, TREND

    earlier: Earlier | None = None
    if publisher is not None:
        from pipeline.tables.figures import released_in_ledger

        pub = publisher

        def earlier(data_version: str, est: pd.DataFrame) -> pd.DataFrame:
            return released_in_ledger(est, pub, data_version)

    groups = indicator_groups(q)
    names = ([groups.headline.name] if groups.headline else []) + [
        i.name for i in groups.workability
    ]
    domain = report_domain(q) if q.study.population != "ondernemingen" and q.domains else None
    trend = trend_for_run(
        archive_dir, run_dir, indicators=names, domain=domain, estimates=estimates, earlier=earlier
    )
    if trend is None:
        return ctx
    if ctx.previous is None and trend.previous_estimates is not None:
        ctx = replace(ctx, previous=trend.previous_estimates, previous_wave=trend.previous)
    if publisher is not None:
        shown = {TREND} | ({PREVIOUS} if ctx.previous is not None else set())
        ctx = replace(ctx, withheld=tuple(k for k in ctx.withheld if k not in shown))
    return replace(ctx, trend=trend)
