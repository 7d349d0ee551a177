"""View-model pieces shared by every report kind: indicator rows (a group beside Flanders and the
previous wave), level rows of a breakdown, charts built from rows, and the facts of the methods
appendix. Pure functions of (estimates, questionnaire, context); no HTML here except the SVG the
chart module returns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline.reports import charts
from pipeline.reports.context import MODE_LABELS_NL, ReportContext
from pipeline.reports.estimates import DASH, Cell, Estimates, fmt_count, fmt_number, fmt_value
from pipeline.reports.labels import (
    domain_label,
    higher_good,
    indicator_label,
    is_module_indicator,
    level_labels,
    module_label,
)
from pipeline.reports.render import cell_key, fmt_field
from pipeline.rundata.columns import acute_column, band_column
from pipeline.rundata.levels import CROSS_SEP, crossed_domain, domain_variables

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.questionnaire.model import Questionnaire
    from pipeline.reports.waves import WaveCell
    from pipeline.rundata.fieldwork import FieldworkCounts


@dataclass(frozen=True)
class Row:
    """One line of a report table: a group's cells beside Flanders' and the previous wave's."""

    name: str
    label: str
    group: Cell | None  # the sector / occupational group / level (Flanders itself in the overview)
    flanders: Cell | None
    group_acute: Cell | None = None
    flanders_acute: Cell | None = None
    marked: bool | None = None  # significantly different from the rest of Flanders (None: no test)
    direction: str = ""  # "hoger" / "lager"
    wave: WaveCell | None = None  # the previous wave
    wave_marked: bool | None = None  # significant change since the previous wave
    wave_direction: str = ""  # "gestegen" / "gedaald"
    # what a significant difference means for workers: "gunstig" (better than the rest), "ongunstig"
    # (worse) or "" (no significant difference, or an indicator that is neither good nor bad)
    tone: str = ""
    wave_tone: str = ""  # the same for the change since the previous wave


def tone_of(direction: str, higher_good: bool | None) -> str:
    """ "gunstig" / "ongunstig" for a significant "hoger"/"gestegen" or "lager"/"gedaald" of an
    indicator whose higher values are good (True) or bad (False); "" otherwise."""
    if not direction or higher_good is None:
        return ""
    up = direction in ("hoger", "gestegen")
    return "gunstig" if up == higher_good else "ongunstig"


def direction(cell: Cell | None, ref: Cell | None) -> str:
    if cell is None or cell.suppressed:
        return ""
    if cell.diff is not None:
        return "hoger" if cell.diff > 0 else "lager"
    if ref is not None and cell.estimate is not None and ref.estimate is not None:
        return "hoger" if cell.estimate > ref.estimate else "lager"
    return ""


def make_row(
    est: Estimates,
    name: str,
    label: str,
    by: str,
    level: str,
    ctx: ReportContext,
    *,
    acute: bool = False,
    higher_good: bool | None = None,
) -> Row:
    """The row of indicator ``name`` for (by, level); ``higher_good`` (see
    :func:`pipeline.reports.labels.higher_good`) colours a significant difference."""
    cell = est.get(name, by, level)
    fl = est.overall(name)
    marked = cell.marked(ctx.alpha) if cell is not None and by else None
    wave = est.previous.get(name, by, level) if est.previous is not None else None
    wave_marked = (
        wave.marked(ctx.alpha)
        if wave is not None and cell is not None and not cell.suppressed
        else None
    )
    wave_dir = ""
    if wave_marked and wave is not None and wave.diff is not None:
        wave_dir = "gestegen" if wave.diff > 0 else "gedaald"
    dir_ = direction(cell, fl) if marked else ""
    return Row(
        name=name,
        label=label,
        group=cell,
        flanders=fl,
        group_acute=est.get(acute_column(name), by, level) if acute else None,
        flanders_acute=est.overall(acute_column(name)) if acute else None,
        marked=marked,
        direction=dir_,
        wave=wave,
        wave_marked=wave_marked,
        wave_direction=wave_dir,
        tone=tone_of(dir_, higher_good),
        wave_tone=tone_of(wave_dir, higher_good),
    )


def prev_source(est: Estimates) -> str:
    """The data-source of previous-wave numbers (see macros.html.j2); "" without a previous wave."""
    if est.previous is None:
        return ""
    return "previous" if est.previous.kind == "table" else "previous-columns"


def shown(cell: Cell | None) -> bool:
    return cell is not None and not cell.suppressed and cell.estimate is not None


def any_shown(rows: Sequence[Row]) -> bool:
    return any(shown(r.group) for r in rows)


# ---- charts ----


def _scaled(cell: Cell | None, v: float | None) -> float | None:
    if not shown(cell) or v is None:
        return None
    assert cell is not None
    return v * 100 if cell.is_share else v


def reference_cell(row: Row, reference: str) -> Cell | None:
    """The cell behind the reference mark: "flanders", "previous" (the previous wave) or "" (none)."""
    if reference == "flanders":
        return row.flanders
    if reference == "previous" and row.wave is not None:
        return row.wave.previous
    return None


def bar(row: Row, *, acute: bool, reference: str = "flanders") -> charts.Bar:
    g = row.group
    ref = reference_cell(row, reference)
    text = ""
    if shown(g):
        assert g is not None
        text = fmt_field(g, "value")
    return charts.Bar(
        label=row.label,
        value=_scaled(g, g.estimate if g else None),
        ci_low=_scaled(g, g.ci_low if g else None),
        ci_high=_scaled(g, g.ci_high if g else None),
        acute=_scaled(row.group_acute, row.group_acute.estimate if row.group_acute else None)
        if acute
        else None,
        reference=_scaled(ref, ref.estimate if ref else None),
        unreliable=bool(g and g.unreliable),
        marked=bool(row.marked),
        tone=row.tone,
        value_text=text,
        unit="%" if g is not None and g.is_share else "",
        key=cell_key(g) if g is not None and text else "",
    )


def pct_text(cell: Cell | None) -> str:
    v = fmt_value(cell, cell.estimate if cell else None)
    if v == DASH:
        return "niet gepubliceerd"
    return v + ("%" if cell is not None and cell.is_share else "")


def describe(
    rows: Sequence[Row],
    *,
    acute: bool,
    reference: str = "flanders",
    reference_label: str = "Vlaanderen",
) -> str:
    parts = []
    for r in rows:
        text = f"{r.label}: {pct_text(r.group)}"
        if r.group is not None and r.group.unreliable:
            text += " (onbetrouwbaar)"
        if acute and r.group_acute is not None:
            text += f", waarvan acuut {pct_text(r.group_acute)}"
        if reference:
            ref = reference_cell(r, reference)
            text += (
                f" ({reference_label} {pct_text(ref) if ref is not None else 'niet beschikbaar'})"
            )
        if r.marked:
            text += f", significant {r.direction}"
        parts.append(text)
    return "; ".join(parts) + "."


def chart(
    chart_id: str,
    title: str,
    rows: Sequence[Row],
    series_label: str,
    ctx: ReportContext,
    *,
    acute: bool = False,
    reference: str = "flanders",
    reference_label: str = "Vlaanderen",
    axis_max: float | None = None,
) -> str:
    """An SVG bar chart of the rows ("" when no row has a number to show); ``axis_max`` (percent
    charts): the report's common scale (:func:`common_axis`)."""
    if not rows or not any_shown(rows):
        return ""
    first = next(r.group for r in rows if shown(r.group))
    assert first is not None
    spec = charts.BarChart(
        chart_id=chart_id,
        title=title,
        desc=describe(rows, acute=acute, reference=reference, reference_label=reference_label),
        bars=tuple(bar(r, acute=acute, reference=reference) for r in rows),
        series_label=series_label,
        reference_label=reference_label,
        ci_label=f"{fmt_number(ctx.confidence * 100, 0)}%-BI",
        percent=first.is_share,
        axis_max=axis_max if first.is_share else None,
    )
    return charts.render_bar_chart(spec)


def common_axis(*row_sets: Sequence[Row]) -> float | None:
    """One scale for every percent chart of a report: the axis maximum (percent, a multiple of 10)
    that fits the largest bar, CI and reference mark of all of them; None without a number."""
    top = 0.0
    seen = False
    for rows in row_sets:
        for r in rows:
            if not shown(r.group) or r.group is None or not r.group.is_share:
                continue
            seen = True
            for c in (r.group, r.flanders, r.wave.previous if r.wave is not None else None):
                if c is None or c.suppressed:
                    continue
                for v in (c.estimate, c.ci_high):
                    if v is not None:
                        top = max(top, v * 100)
    if not seen:
        return None
    return float(min(100.0, 10.0 * (int(top * 1.08 / 10.0) + 1)))


# ---- breakdowns ----


def level_label_of(q: Questionnaire, domain: str, level: str) -> str:
    labels = level_labels(q, domain)
    return labels.get(int(level), level) if re.fullmatch(r"-?\d+", level) else level


def level_rows(
    est: Estimates,
    q: Questionnaire,
    name: str,
    by: str,
    ctx: ReportContext,
    *,
    fixed: tuple[int, str] | None = None,
    acute: bool = False,
    higher_good: bool | None = None,
) -> tuple[Row, ...]:
    """One row per level of ``by`` for indicator ``name``. ``by`` may be crossed ("sector:sex");
    ``fixed`` = (position, code) keeps the levels whose part at that position is the code, and the
    row is labelled by the other part."""
    parts = domain_variables(by)
    out = []
    for level in est.levels(by):
        codes = level.split(CROSS_SEP)
        if len(codes) != len(parts):
            continue
        if fixed is not None:
            pos, code = fixed
            if codes[pos] != code:
                continue
            other = 1 - pos
            label = level_label_of(q, parts[other], codes[other])
        else:
            label = " × ".join(level_label_of(q, p, c) for p, c in zip(parts, codes, strict=True))
        out.append(make_row(est, name, label, by, level, ctx, acute=acute, higher_good=higher_good))
    return tuple(out)


@dataclass(frozen=True)
class LevelTable:
    """Levels of a breakdown (rows) x indicators (columns): each cell a :class:`Row` with the
    estimate, its CI and the test against the rest of the group."""

    indicators: tuple[tuple[str, str], ...]  # (name, label) columns
    rows: tuple[tuple[str, tuple[Row, ...]], ...]  # (level label, one row per indicator)

    def any_shown(self) -> bool:
        return any(shown(r.group) for _l, cells in self.rows for r in cells)


@dataclass(frozen=True)
class Breakdown:
    """One breakdown inside a group: the workability indicators and the risk factors per level
    (:class:`LevelTable`), with a chart of the first workability indicator."""

    domain: str
    label: str  # the domain's label ("leeftijdsgroep")
    work: LevelTable
    risk: LevelTable
    chart: str = ""
    has_tests: bool = False  # the crossed rows carry a test against the rest of the group

    @property
    def first_rows(self) -> tuple[Row, ...]:
        """The first workability indicator's row of every level (the chart's bars)."""
        return tuple(cells[0] for _l, cells in self.work.rows)


def level_table(
    est: Estimates,
    q: Questionnaire,
    names: Sequence[tuple[str, str]],
    by: str,
    pos: int,
    code: str,
    ctx: ReportContext,
) -> LevelTable:
    """The levels of crossed domain ``by`` whose part at ``pos`` is ``code``, x ``names``."""
    first = level_rows(est, q, names[0][0], by, ctx, fixed=(pos, code))
    rows = []
    for r in first:
        if r.group is None:
            continue
        level = r.group.level
        cells = tuple(
            make_row(est, n, r.label, by, level, ctx, higher_good=higher_good(q, n))
            for n, _label in names
        )
        rows.append((r.label, cells))
    return LevelTable(tuple(names), tuple(rows))


def crossed_by(est: Estimates, domain: str, other: str) -> tuple[str, int] | None:
    """The ``by`` of a crossed domain in the table and the position of ``domain`` in it."""
    bys = est.bys()
    for by in (crossed_domain((domain, other)), crossed_domain((other, domain))):
        if by in bys:
            return by, domain_variables(by).index(domain)
    return None


# ---- number of problems ----


def band_text(lo: int, hi: int) -> str:
    """ "geen knelpunt", "1 knelpunt", "2 knelpunten", "3 of 4 knelpunten", "3 tot 5 knelpunten"."""
    if lo == hi:
        return "geen knelpunt" if lo == 0 else "1 knelpunt" if lo == 1 else f"{lo} knelpunten"
    return f"{lo} {'of' if hi == lo + 1 else 'tot'} {hi} knelpunten"


def band_names(q: Questionnaire) -> tuple[tuple[str, str], ...]:
    """(column, label) of the bands of the questionnaire's first count indicator with ``bands``
    (the number of workability problems: 0 / 1 / 2 / 3-4); () when it has none."""
    for ind in q.indicators:
        if ind.kind == "count" and ind.bands:
            return tuple((band_column(ind.name, lo, hi), band_text(lo, hi)) for lo, hi in ind.bands)
    return ()


def band_rows(
    est: Estimates, q: Questionnaire, by: str, level: str, ctx: ReportContext
) -> tuple[Row, ...]:
    """The distribution of the number of problems for (by, level) beside Flanders; () when the
    table has no band rows for that group."""
    names = band_names(q)
    if not any(est.get(n, by, level) is not None for n, _l in names):
        return ()
    return tuple(
        make_row(est, n, label, by, level, ctx, higher_good=higher_good(q, n)) for n, label in names
    )


# ---- modules ----


def ordered(names: Sequence[str], q: Questionnaire) -> tuple[str, ...]:
    """A stable order that does not depend on the table's row order: the questionnaire's indicators
    in schema order, then the rest by name."""
    rank = {i.name: k for k, i in enumerate(q.indicators)}
    return tuple(sorted(names, key=lambda n: (0, rank[n], "") if n in rank else (1, 0, n)))


def module_names(
    est: Estimates, q: Questionnaire, by: str = "", level: str = ""
) -> tuple[str, ...]:
    """Module indicators (the schema's ``module`` group; ``mod_*`` rows) with a row for (by, level), in
    a stable order."""
    return ordered(
        [
            n
            for n in est.indicators(by)
            if is_module_indicator(n, q) and est.get(n, by, level) is not None
        ],
        q,
    )


def label_of(q: Questionnaire, name: str, ctx: ReportContext) -> str:
    """Any estimates-table indicator's label: module rows, questionnaire indicators, items."""
    if is_module_indicator(name, q):
        return module_label(q, name, dict(ctx.module_labels))
    label = indicator_label(q, name)
    return module_label(q, name, dict(ctx.module_labels)) if label == name else label


def module_rows(
    est: Estimates, q: Questionnaire, by: str, level: str, ctx: ReportContext
) -> tuple[Row, ...]:
    labels = dict(ctx.module_labels)
    return tuple(
        make_row(est, n, module_label(q, n, labels), by, level, ctx)
        for n in module_names(est, q, by, level)
    )


MODULES_TITLE = "Extra thema's"  # a module group's title when its items have no section


@dataclass(frozen=True)
class NumericCell:
    stat: str  # mean | median
    text: str  # "27,4"; "(27,4)" unreliable; a dash when not published
    ci: str  # "25,9 – 28,8" or ""
    key: str  # data-numeric: indicator|stat|by|level (a row of numeric_estimates.csv)
    exact: str  # data-value: repr of the stored estimate, "" when not published


@dataclass(frozen=True)
class NumericLine:
    label: str  # the group, or "Vlaanderen"
    cells: tuple[NumericCell, ...]  # mean, median
    n: str


@dataclass(frozen=True)
class NumericSummary:
    """A numeric indicator (``kind: numeric``, e.g. commuting minutes) in the module section: its mean
    and median with CIs for the group and for Flanders (``numeric_estimates.csv``)."""

    name: str
    label: str
    unit: str
    lines: tuple[NumericLine, ...]


@dataclass(frozen=True)
class ModuleGroup:
    """The module rows of one theme: the questionnaire section their items are asked in (e.g.
    "Werktijden en verplaatsing"), so a report shows each theme as its own chart and table."""

    title: str  # the section's Dutch heading; "" for rows whose items have no section
    slug: str  # for element ids: "modules-1", "modules-2", ...
    rows: tuple[Row, ...]
    chart: str = ""
    numeric: tuple[NumericSummary, ...] = ()  # the theme's means and medians


def _numeric_cell(row: dict[str, Any] | None, key: str, stat: str) -> NumericCell:
    from pipeline.estimation.reliability import has_flag

    if row is None or has_flag(row.get("flags"), "suppressed"):
        return NumericCell(stat, DASH, "", key, "")
    x = row.get("estimate")
    if x is None or x != x:
        return NumericCell(stat, DASH, "", key, "")

    def f(v: float) -> str:
        return fmt_number(v, 0 if stat == "median" and float(v).is_integer() else 1)

    text = f(float(x))
    if has_flag(row.get("flags"), "unreliable"):
        text = f"({text})"
    lo, hi = row.get("ci_low"), row.get("ci_high")
    ok = lo is not None and hi is not None and lo == lo and hi == hi  # NaN: no interval
    ci = f"{f(float(lo))} – {f(float(hi))}" if ok else DASH  # type: ignore[arg-type]
    return NumericCell(stat, text, ci, key, repr(float(x)))


def numeric_summaries(
    q: Questionnaire, ctx: ReportContext, by: str = "", level: str = "", group: str = ""
) -> tuple[NumericSummary, ...]:
    """The questionnaire's numeric indicators with their rows of ``ctx.numeric``: the group (``by``,
    ``level``, labelled ``group``) first when given, then Flanders. () without the table."""
    table = ctx.numeric
    if table is None or not len(table):
        return ()
    lookup = {
        (str(r["indicator"]), str(r["stat"]), str(r["by"]), str(r["level"])): r
        for r in table.to_dict("records")
    }
    places = ([(group, by, level)] if by else []) + [("Vlaanderen", "", "")]
    out = []
    for ind in q.indicators:
        if ind.kind != "numeric" or ind.variable is None:
            continue
        lines = []
        for label, b, lv in places:
            cells = []
            n = None
            for stat in ("mean", "median"):
                key = f"{ind.name}|{stat}|{b}|{lv}"
                row = lookup.get((ind.name, stat, b, lv))
                cells.append(_numeric_cell(row, key, stat))
                if row is not None and n is None:
                    n = row.get("n")
            lines.append(NumericLine(label, tuple(cells), fmt_count(n) if n == n else DASH))
        item = q.item(ind.variable)
        out.append(NumericSummary(ind.name, ind.label.nl, item.unit or "", tuple(lines)))
    return tuple(out)


def _item_sections(q: Questionnaire) -> dict[str, str]:
    out: dict[str, str] = {}
    current = ""
    for it in q.items:
        if it.section is not None:
            current = it.section.nl
        out[it.name] = current
    return out


def module_theme(q: Questionnaire, name: str, sections: dict[str, str] | None = None) -> str:
    """The section (Dutch) of the first item, in questionnaire order, that a module indicator's
    condition reads; "" for an indicator the questionnaire does not define as a condition."""
    from pipeline.questionnaire.expr import try_parse

    try:
        ind = q.indicator(name)
    except KeyError:
        return ""
    if ind.kind == "numeric" and ind.variable is not None:
        return (_item_sections(q) if sections is None else sections).get(ind.variable, "")
    if ind.kind != "condition" or not ind.condition:
        return ""
    expr, _issue = try_parse(ind.condition)
    if expr is None:
        return ""
    secs = _item_sections(q) if sections is None else sections
    order = {it.name: k for k, it in enumerate(q.items)}
    names = [v for v in expr.variables if v in order]
    if not names:
        return ""
    return secs.get(min(names, key=order.__getitem__), "")


def module_groups(
    rows: Sequence[Row], q: Questionnaire, numeric: Sequence[NumericSummary] = ()
) -> tuple[ModuleGroup, ...]:
    """``rows`` (module rows in schema order) grouped by theme, in order of first appearance; each
    numeric summary joins the theme of its item (one without module rows of its theme is left
    out: a theme is shown with its shares)."""
    secs = _item_sections(q)
    themes: dict[str, list[Row]] = {}
    for r in rows:
        themes.setdefault(module_theme(q, r.name, secs), []).append(r)
    nums: dict[str, list[NumericSummary]] = {}
    for s in numeric:
        nums.setdefault(module_theme(q, s.name, secs), []).append(s)
    return tuple(
        ModuleGroup(title, f"modules-{k}", tuple(rs), numeric=tuple(nums.get(title, ())))
        for k, (title, rs) in enumerate(themes.items(), start=1)
    )


# ---- methods appendix ----

#: How a report names the status of a cut-off (``Indicator.cutoff_status``) for a Dutch reader.
CUTOFF_STATUS_NL = {"reference": "referentie", "official": "officieel", "user": "eigen keuze"}


def cutoffs(q: Questionnaire) -> list[dict[str, Any]]:
    rows = []
    for ind in q.indicators:
        if ind.kind != "traffic_light" or not ind.cutoffs:
            continue
        c = q.cutoffs_for(ind)
        scale = q.scale(ind.scale).label.nl if ind.scale else ""
        op = (
            "≥" if ind.problem_if == "high" else "≤"
        )  # a score at or beyond the cut-off is a problem
        rows.append(
            {
                "label": ind.label.nl,
                "scale": scale,
                "problem_if": "hoge" if ind.problem_if == "high" else "lage",
                "problematisch": f"{op} {fmt_number(c.problematisch)}",
                "acuut": f"{op} {fmt_number(c.acuut)}" if c.acuut is not None else DASH,
                "status": ind.cutoff_status,
                "status_label": CUTOFF_STATUS_NL.get(ind.cutoff_status, ind.cutoff_status),
                "note": ind.cutoff_note or "",
            }
        )
    return rows


def previous_wave_year(q: Questionnaire, ctx: ReportContext, est: Estimates) -> int | None:
    if est.previous is not None and est.previous.wave is not None:
        return int(est.previous.wave)
    if ctx.previous_wave is not None:
        return ctx.previous_wave
    if q.mapping is None:
        return None
    m = re.search(r"(19|20)\d\d", q.mapping.previous)
    return int(m.group(0)) if m else None


def _wave_fieldwork_rows(wave: int | None, counts: FieldworkCounts | None) -> list[dict[str, str]]:
    """One wave's rows: per mode the usable responses and their share of everyone invited, then
    the wave's total; a wave whose counts are not known (None) is one total row of dashes."""
    label = f"meting {wave}, totaal" if wave else "totaal"
    key = "" if wave is None else str(wave)
    if counts is None:
        return [
            {
                "label": label,
                "wave": key,
                "invited": DASH,
                "responded": DASH,
                "rate": DASH,
                "total": "yes",
                "missing": "yes",
            }
        ]
    invited = counts.invited
    rows = []
    for mode, n in counts.by_mode:
        rows.append(
            {
                "label": MODE_LABELS_NL.get(mode, mode),
                "wave": key,
                "invited": "",
                "responded": fmt_count(n),
                "rate": fmt_number(n / invited * 100) if invited else DASH,
                "total": "",
                "missing": "",
            }
        )
    responded = counts.responded
    if responded is None and counts.by_mode:
        responded = sum(n for _m, n in counts.by_mode)
    if rows or invited or wave is not None:
        rate = counts.rate
        rows.append(
            {
                "label": label,
                "wave": key,
                "invited": fmt_count(invited) if invited else DASH,
                "responded": fmt_count(responded) if responded is not None else DASH,
                "rate": fmt_number(rate * 100) if rate is not None else DASH,
                "total": "yes",
                "missing": "",
            }
        )
    return rows


def fieldwork_rows(ctx: ReportContext, wave: int | None = None) -> list[dict[str, str]]:
    """The fieldwork table of the methods appendix, one block per wave (the archive's earlier waves
    of the trend, oldest first, then this one): per mode the usable responses and their share of
    everyone invited (every invited person could choose the mode), then the wave's total with the
    number invited and the response rate. An earlier wave archived without its fieldwork counts
    has a row of dashes. [] when nothing is known (no modes, no number invited, no earlier wave)."""
    from pipeline.rundata.fieldwork import FieldworkCounts

    earlier = ctx.trend.fieldwork if ctx.trend is not None else ()
    rows = [r for year, counts in earlier for r in _wave_fieldwork_rows(year, counts)]
    now = FieldworkCounts(
        invited=ctx.response.invited,
        responded=ctx.response.responded,
        by_mode=ctx.counts_by_mode,
    )
    if now.by_mode or now.invited or rows:
        rows += _wave_fieldwork_rows(wave or ctx.wave, now)
    return rows


def methods_data(q: Questionnaire, ctx: ReportContext, est: Estimates) -> dict[str, Any]:
    """What the methods appendix (``methods.html.j2``) needs."""
    from pipeline.reports.withheld import PREVIOUS, WITHHELD_NL
    from pipeline.weighting.api import METHOD_LABELS_NL

    return {
        "cutoffs": cutoffs(q),
        "reference_cutoffs": any(
            i.cutoff_status == "reference" for i in q.indicators if i.kind == "traffic_light"
        ),
        "modes": [(MODE_LABELS_NL.get(m, m), n) for m, n in ctx.counts_by_mode],
        "fieldwork": fieldwork_rows(ctx, ctx.wave or q.study.wave),
        "fieldwork_waves": [y for y, _c in ctx.trend.fieldwork] if ctx.trend is not None else [],
        "fieldwork_missing": [y for y, c in ctx.trend.fieldwork if c is None]
        if ctx.trend is not None
        else [],
        "response_rate": fmt_number(ctx.response.rate * 100)
        if ctx.response.rate is not None
        else None,
        "kish": fmt_number(ctx.weighting.kish_deff, 2)
        if ctx.weighting.kish_deff is not None
        else None,
        "weighting_method": METHOD_LABELS_NL.get(ctx.weighting.method, ctx.weighting.method),
        "weighting_margins": [domain_label(q, m) for m in (ctx.weighting.margins or q.weighting)],
        "confidence": fmt_number(ctx.confidence * 100, 0),
        "alpha": fmt_number(ctx.alpha, 2),
        "has_tests": est.has_test_columns(),
        "previous_wave": previous_wave_year(q, ctx, est),
        "has_previous": est.previous is not None and len(est.previous) > 0,
        # figures left out under protect_reports: true (pipeline.reports.withheld), in Dutch
        "withheld": [WITHHELD_NL[k] for k in ctx.withheld if k in WITHHELD_NL],
        "previous_withheld": PREVIOUS in ctx.withheld,
        # under protect_reports: true, the rule for medians (pipeline.tables.numericfigures)
        "median_min_equal": ctx.median_min_equal if ctx.numeric is not None else 0,
        # and for the risk profiles' ratios (pipeline.tables.riskfigures)
        "risk_min_count": ctx.risk_min_count if ctx.risk_profiles is not None else 0,
    }
