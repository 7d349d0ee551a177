"""Sector reports: one self-contained Dutch HTML page per sector from the tidy estimates table.

Content: the werkbaarheidsgraad beside Flanders, the four workability indicators (problem incl.
acute, and acute), the risk indicators tested against the rest of Flanders, breakdowns within the
sector when the table has crossed rows (``by`` "sector:sex"), and a methods appendix. Numbers come
only from the table (via :class:`~pipeline.outputs.estimates.Estimates`, which drops the numbers of
suppressed cells); labels only from the questionnaire. The page is deterministic: same inputs, same
bytes. Templates and CSS live in ``reports/`` (``sector.html.j2`` extends ``base.html.j2``, which a
PDF renderer and other report kinds reuse).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import InputError, Problem, SpecError, UsageError, one_of
from pipeline.fileio import write_text
from pipeline.outputs import charts
from pipeline.outputs.context import MODE_LABELS_NL, ReportContext, ResponseInfo, WeightingSummary
from pipeline.outputs.estimates import (
    DASH,
    Cell,
    Estimates,
    estimates_for,
    fmt_diff,
    fmt_number,
    fmt_value,
)
from pipeline.outputs.labels import (
    ACUTE_SUFFIX,
    CROSS_SEP,
    domain_label,
    indicator_groups,
    indicator_label,
    level_labels,
    split_cross,
)
from pipeline.paths import REPORTS_DIR

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.questionnaire.model import Indicator, Questionnaire

__all__ = ["ReportContext", "ResponseInfo", "WeightingSummary", "render_sector_report", "write_sector_reports"]

SECTOR_DOMAIN = "sector"
CSS_FILE = "wbm.css"


@dataclass(frozen=True)
class Row:
    """One indicator line of a report table: the sector's cells and Flanders' cells."""

    name: str
    label: str
    sector: Cell | None
    flanders: Cell | None
    sector_acute: Cell | None = None
    flanders_acute: Cell | None = None
    marked: bool | None = None  # significantly different from the rest of Flanders
    direction: str = ""  # "hoger" / "lager"


@dataclass(frozen=True)
class Breakdown:
    domain: str
    label: str
    indicators: tuple[tuple[str, str], ...]  # (name, label) columns
    rows: tuple[tuple[str, tuple[Cell | None, ...]], ...]  # (level label, cells per indicator)


# ---- jinja ----

@functools.lru_cache(maxsize=4)
def _env(templates_dir: str) -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.globals.update(fmt_value=fmt_value, fmt_diff=fmt_diff, fmt_number=fmt_number, DASH=DASH,
                       cell_key=cell_key, fmt_field=fmt_field)
    return env


def _render(template: str, **data: Any) -> str:
    import markupsafe

    css = (REPORTS_DIR / CSS_FILE).read_text(encoding="utf-8")
    return str(_env(str(REPORTS_DIR)).get_template(template).render(css=markupsafe.Markup(css), **data))


def cell_key(cell: Cell) -> str:
    """``indicator|by|level``: put on every number in the HTML so tests can trace it to the table."""
    return f"{cell.indicator}|{cell.by}|{cell.level}"


def fmt_field(cell: Cell, field: str) -> str:
    """The text of one number of a cell: estimate ("52,3", "(52,3)" when unreliable), value (always
    "52,3"), ci
    ("49,1 – 55,4"), diff ("+2,3") or n; a dash for anything a suppressed cell would show."""
    if field == "n":
        return str(cell.n)
    if cell.suppressed:
        return DASH
    if field == "value":  # the estimate without the unreliability parentheses (running text)
        return fmt_value(cell, cell.estimate)
    if field == "estimate":
        v = fmt_value(cell, cell.estimate)
        return f"({v})" if cell.unreliable and v != DASH else v
    if field == "ci":
        lo, hi = fmt_value(cell, cell.ci_low), fmt_value(cell, cell.ci_high)
        return DASH if DASH in (lo, hi) else f"{lo} – {hi}"
    if field == "diff":
        return fmt_diff(cell)
    raise ValueError(f"unknown field {field!r}")


# ---- view model ----

def _direction(cell: Cell | None, ref: Cell | None) -> str:
    if cell is None or cell.suppressed:
        return ""
    if cell.diff is not None:
        return "hoger" if cell.diff > 0 else "lager"
    if ref is not None and cell.estimate is not None and ref.estimate is not None:
        return "hoger" if cell.estimate > ref.estimate else "lager"
    return ""


def _row(est: Estimates, q: Questionnaire, ind: Indicator, domain: str, level: str, ctx: ReportContext,
         acute: bool = False) -> Row:
    cell = est.get(ind.name, domain, level)
    fl = est.overall(ind.name)
    marked = cell.marked(ctx.alpha) if cell is not None else None
    return Row(
        name=ind.name, label=indicator_label(q, ind.name), sector=cell, flanders=fl,
        sector_acute=est.get(ind.name + ACUTE_SUFFIX, domain, level) if acute else None,
        flanders_acute=est.overall(ind.name + ACUTE_SUFFIX) if acute else None,
        marked=marked, direction=_direction(cell, fl) if marked else "",
    )


def _pct(cell: Cell | None, v: float | None) -> float | None:
    if cell is None or cell.suppressed or v is None:
        return None
    return v * 100 if cell.is_share else v


def _bar(row: Row, acute: bool) -> charts.Bar:
    s = row.sector
    return charts.Bar(
        label=row.label, value=_pct(s, s.estimate if s else None),
        ci_low=_pct(s, s.ci_low if s else None), ci_high=_pct(s, s.ci_high if s else None),
        acute=_pct(row.sector_acute, row.sector_acute.estimate if row.sector_acute else None) if acute else None,
        reference=_pct(row.flanders, row.flanders.estimate if row.flanders else None),
        unreliable=bool(s and s.unreliable), marked=bool(row.marked),
    )


def _desc(rows: tuple[Row, ...], acute: bool) -> str:
    parts = []
    for r in rows:
        text = f"{r.label}: {_pct_text(r.sector)}"
        if acute and r.sector_acute is not None:
            text += f", waarvan acuut {_pct_text(r.sector_acute)}"
        text += f" (Vlaanderen {_pct_text(r.flanders)})"
        parts.append(text)
    return "; ".join(parts) + "."


def _pct_text(cell: Cell | None) -> str:
    v = fmt_value(cell, cell.estimate if cell else None)
    if v == DASH:
        return "niet gepubliceerd"
    return v + ("%" if cell is not None and cell.is_share else "")


def _chart(chart_id: str, title: str, rows: tuple[Row, ...], sector_label: str, acute: bool, ctx: ReportContext) -> str:
    if not rows:
        return ""
    spec = charts.BarChart(chart_id=chart_id, title=title, desc=_desc(rows, acute),
                           bars=tuple(_bar(r, acute) for r in rows), series_label=sector_label,
                           ci_label=f"{fmt_number(ctx.confidence * 100, 0)}%-BI")
    return charts.render_bar_chart(spec)


def _breakdowns(est: Estimates, q: Questionnaire, domain: str, code: int, names: tuple[str, ...]) -> tuple[Breakdown, ...]:
    out: list[Breakdown] = []
    bys = est.bys()
    for other in q.domains:
        if other == domain:
            continue
        for by in (f"{domain}{CROSS_SEP}{other}", f"{other}{CROSS_SEP}{domain}"):
            if by not in bys:
                continue
            parts = split_cross(by)
            pos_d, pos_o = parts.index(domain), parts.index(other)
            labels = level_labels(q, other)
            rows = []
            for level in est.levels(by):
                codes = level.split(CROSS_SEP)
                if len(codes) != 2 or codes[pos_d] != str(code):
                    continue
                ocode = codes[pos_o]
                cells = tuple(est.get(n, by, level) for n in names)
                rows.append((labels.get(int(ocode), ocode) if ocode.lstrip("-").isdigit() else ocode, cells))
            if any(c is not None and not c.suppressed for _l, cells in rows for c in cells):
                out.append(Breakdown(other, domain_label(q, other),
                                     tuple((n, indicator_label(q, n)) for n in names), tuple(rows)))
            break
    return tuple(out)


def _cutoffs(q: Questionnaire) -> list[dict[str, Any]]:
    rows = []
    for ind in q.indicators:
        if ind.kind != "traffic_light" or not ind.cutoffs:
            continue
        c = ind.cutoffs["default"]
        scale = q.scale(ind.scale).label.nl if ind.scale else ""
        op = "≥" if ind.problem_if == "high" else "≤"  # a score at or beyond the cut-off is a problem
        rows.append({"label": ind.label.nl, "scale": scale, "problem_if": "hoog" if ind.problem_if == "high" else "laag",
                     "problematisch": f"{op} {fmt_number(c.problematisch)}",
                     "acuut": f"{op} {fmt_number(c.acuut)}" if c.acuut is not None else DASH,
                     "status": ind.cutoff_status, "note": ind.cutoff_note or ""})
    return rows


def _sector_code(q: Questionnaire, domain: str, sector_code: int) -> str:
    labels = {c.code: c.label.nl for c in q.choices_of(q.item(domain))}
    if sector_code not in labels:
        raise UsageError(f"unknown {domain} code", [Problem(one_of(sector_code, sorted(labels)), column=domain,
                                                            hint=f"use a code of the questionnaire's {domain} list")])
    return labels[sector_code]


def render_sector_report(estimates: pd.DataFrame | Estimates, q: Questionnaire, sector_code: int, *,
                         context: ReportContext | None = None, domain: str = SECTOR_DOMAIN) -> str:
    """The HTML report of one sector (a complete, self-contained page)."""
    ctx = context or ReportContext()
    est = estimates_for(estimates, q)
    sector_label = _sector_code(q, domain, sector_code)
    level = str(sector_code)
    groups = indicator_groups(q)
    head = groups.headline
    if head is None:
        raise SpecError(f"{q.study.id}: a sector report needs a composite indicator with rule 'none_problem' "
                        "(werkbaar werk)", [Problem("no such indicator", path="indicators",
                                                    hint="add the composite indicator to the questionnaire")])
    head_cell = est.get(head.name, domain, level)
    published = head_cell is not None and not head_cell.suppressed
    work = tuple(_row(est, q, i, domain, level, ctx, acute=True) for i in groups.workability)
    risk = tuple(_row(est, q, i, domain, level, ctx) for i in groups.risk)
    headline = _row(est, q, head, domain, level, ctx)
    names = (head.name, *(i.name for i in groups.workability))
    breakdowns = _breakdowns(est, q, domain, sector_code, names) if published else ()
    wave = ctx.wave or q.study.wave
    sections = [("kerncijfer", "Werkbaarheidsgraad"), ("knelpunten", "Werkbaarheidsknelpunten"),
                ("risicos", "Risicofactoren in het werk")] if published else [("geen-cijfers", "Geen cijfers")]
    if breakdowns:
        sections.append(("uitsplitsingen", "Uitsplitsingen binnen de sector"))
    sections.append(("methoden", "Methoden en leeswijzer"))
    return _render(
        "sector.html.j2",
        title=f"Werkbaarheid in de sector {sector_label}", sector_label=sector_label, sector_code=sector_code,
        domain=domain, q=q, study_title=q.study.title.nl, wave=wave, ctx=ctx, published=published,
        headline=headline, work=work, risk=risk, breakdowns=breakdowns, sections=sections,
        has_tests=est.has_test_columns(),
        chart_work=_chart("grafiek-knelpunten", f"Werkbaarheidsknelpunten in de sector {sector_label} en in Vlaanderen",
                          work, sector_label, True, ctx) if published else "",
        chart_risk=_chart("grafiek-risicos", f"Risicofactoren in de sector {sector_label} en in Vlaanderen",
                          risk, sector_label, False, ctx) if published else "",
        cutoffs=_cutoffs(q), reference_cutoffs=any(i.cutoff_status == "reference" for i in q.indicators
                                                   if i.kind == "traffic_light"),
        modes=[(MODE_LABELS_NL.get(m, m), n) for m, n in ctx.counts_by_mode],
        response_rate=fmt_number(ctx.response.rate * 100) if ctx.response.rate is not None else None,
        kish=fmt_number(ctx.weighting.kish_deff, 2) if ctx.weighting.kish_deff is not None else None,
        weighting_margins=[domain_label(q, m) for m in (ctx.weighting.margins or q.weighting)],
        confidence=fmt_number(ctx.confidence * 100, 0), alpha=fmt_number(ctx.alpha, 2),
    )


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "x"


def report_filename(code: int, label: str, domain: str = SECTOR_DOMAIN) -> str:
    return f"{domain}-{code:02d}-{slug(label)}.html"


def write_sector_reports(estimates: pd.DataFrame | Estimates, q: Questionnaire, out_dir: str | Path,
                         context: ReportContext | None = None, *, domain: str = SECTOR_DOMAIN) -> list[Path]:
    """One report per code of the sector list (a sector too small gets a report that says so)."""
    est = estimates_for(estimates, q)
    if domain not in est.bys():
        raise InputError(f"{est.source}: no rows with by = {domain!r}, so no {domain} reports can be made",
                         [Problem(f"by holds only {sorted(b or '(overall)' for b in est.bys())}", column="by",
                                  expected=f"rows with by = {domain!r}", hint=f"estimate the indicators by {domain}")],
                         code="no_domain_rows")
    out = Path(out_dir)
    paths = []
    for choice in q.choices_of(q.item(domain)):
        html = render_sector_report(est, q, choice.code, context=context, domain=domain)
        paths.append(write_text(out / report_filename(choice.code, choice.label.nl, domain), html))
    return paths
