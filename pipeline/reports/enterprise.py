"""The Enterprise Survey (Ondernemingsenquête) report: every indicator of the estimates table for all
organisations, by each stratum variable (sector group, size class) against all organisations, and
by their crossing (``by`` "sector_group:size_class") where the table has it. Driven by the
questionnaire (domains, labels) and the table (which indicators); template ``reports/enterprise.html.j2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.errors import InputError, Problem
from pipeline.reports import rows as R
from pipeline.reports.context import ReportContext
from pipeline.reports.employment import (
    DASH_PROTECTED_MAGNITUDE,
    ShareRow,
    TotalRow,
    share_rows,
    total_rows,
)
from pipeline.reports.estimates import Cell, Estimates
from pipeline.reports.labels import domain_label, higher_good, population_noun
from pipeline.reports.render import render_page, slug
from pipeline.reports.report import load_estimates
from pipeline.rundata.columns import ACUTE_SUFFIX, acute_column
from pipeline.rundata.levels import CROSS_SEP, domain_variables

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.questionnaire.model import Questionnaire

ENTERPRISE_FILENAME = "ondernemingen-overzicht"
ALL_LABEL = "alle organisaties"


@dataclass(frozen=True)
class IndicatorBlock:
    """One indicator in one breakdown: a row per level and a chart."""

    name: str
    label: str
    rows: tuple[R.Row, ...]
    chart: str


@dataclass(frozen=True)
class DomainBlock:
    domain: str
    label: str
    blocks: tuple[IndicatorBlock, ...]


@dataclass(frozen=True)
class CrossRow:
    labels: tuple[str, str]
    cell: Cell | None
    acute: Cell | None


@dataclass(frozen=True)
class CrossBlock:
    by: str
    labels: tuple[str, str]  # the two domains' labels
    name: str
    label: str
    rows: tuple[CrossRow, ...]


def enterprise_indicators(est: Estimates, q: Questionnaire) -> tuple[str, ...]:
    """Indicators with an overall row (questionnaire order first), acute variants left out (they are
    shown beside their base)."""
    return R.ordered([n for n in est.indicators("") if not n.endswith(ACUTE_SUFFIX)], q)


def render_enterprise_report(
    estimates: pd.DataFrame | Estimates,
    q: Questionnaire,
    *,
    context: ReportContext | None = None,
    embed_css: bool = True,
) -> str:
    """The HTML report of an enterprise-survey wave (a complete, self-contained page)."""
    ctx = context or ReportContext()
    est = load_estimates(estimates, q, ctx)
    names = enterprise_indicators(est, q)
    if not names:
        raise InputError(
            f"{est.source}: no overall rows (empty by), so no enterprise report can be made",
            [
                Problem(
                    "no rows with an empty by",
                    column="by",
                    expected="overall estimates",
                    hint="estimate the indicators for all organisations too",
                )
            ],
            code="no_overall_rows",
        )
    overall = tuple(
        R.make_row(
            est, n, _label(est, q, n, ctx), "", "", ctx, acute=True, higher_good=higher_good(q, n)
        )
        for n in names
    )
    domains = []
    for d in q.domains:
        if d not in est.bys():
            continue
        blocks = []
        for r0 in overall:
            rows = tuple(
                r
                for r in R.level_rows(est, q, r0.name, d, ctx, higher_good=higher_good(q, r0.name))
                if r.group is not None
            )
            if not rows:
                continue
            label = domain_label(q, d)
            chart = R.chart(
                f"grafiek-{slug(d)}-{slug(r0.name)}",
                f"{r0.label} naar {label}",
                rows,
                r0.label,
                ctx,
                reference_label=ALL_LABEL,
            )
            blocks.append(IndicatorBlock(r0.name, r0.label, rows, chart))
        if blocks:
            domains.append(DomainBlock(d, domain_label(q, d), tuple(blocks)))
    crosses = _crosses(est, q, overall)
    published = any(R.shown(r.group) for r in overall)
    sections = [("samenvatting", "Samenvatting")]
    sections += [(f"naar-{slug(b.domain)}", f"Naar {b.label}") for b in domains]
    if crosses:
        sections.append(("kruising", f"Naar {crosses[0].labels[0]} en {crosses[0].labels[1]}"))
    shares_of_employees: tuple[ShareRow, ...] = ()
    totals: tuple[TotalRow, ...] = ()
    if ctx.employment is not None and published:
        cells = {r.name: (r.label, r.group) for r in overall}
        shares_of_employees = share_rows(cells, ctx.employment, ctx.protected)
        totals = total_rows(ctx.employment, q, ctx.protected)
        if shares_of_employees or totals:
            sections.append(("werknemers", "Organisaties en werknemers"))
    sections.append(("methoden", "Methoden en leeswijzer"))
    m = R.methods_data(q, ctx, est)
    population = population_noun(q)
    shares = [
        r for r in overall if r.group is None or r.group.is_share
    ]  # means have their own scale: table only
    return render_page(
        "enterprise.html.j2",
        embed_css=embed_css,
        body_class="report enterprise",
        title=f"{q.study.title.nl}: resultaten per sectorgroep en grootteklasse",
        q=q,
        study_title=q.study.title.nl,
        wave=ctx.wave or q.study.wave,
        ctx=ctx,
        population=population,
        unit_noun="organisaties",
        published=published,
        overall=overall,
        domains=domains,
        crosses=crosses,
        shares_of_employees=shares_of_employees,
        totals=totals,
        # under the policy, a dash of a share of employees or a total: its reason in a legend too
        employment_dash=DASH_PROTECTED_MAGNITUDE
        if any(r.employees_reason for r in shares_of_employees) or any(r.reason for r in totals)
        else "",
        sections=sections,
        prev_source=R.prev_source(est),
        all_label=ALL_LABEL,
        chart_overall=R.chart(
            "grafiek-overzicht",
            f"Indicatoren voor {ALL_LABEL}",
            shares,
            ALL_LABEL,
            ctx,
            acute=True,
            reference="previous" if m["has_previous"] else "",
            reference_label=str(m["previous_wave"] or "vorige meting"),
        ),
        **m,
    )


def _label(est: Estimates, q: Questionnaire, name: str, ctx: ReportContext) -> str:
    cell = est.overall(name)
    return R.label_of(q, name, ctx) + ("" if cell is None or cell.is_share else " (gemiddelde)")


def _crosses(
    est: Estimates, q: Questionnaire, overall: tuple[R.Row, ...]
) -> tuple[CrossBlock, ...]:
    out = []
    for by in sorted(b for b in est.bys() if CROSS_SEP in b):
        parts = domain_variables(by)
        if len(parts) != 2 or not all(p in q.domains for p in parts):
            continue
        labels = (domain_label(q, parts[0]), domain_label(q, parts[1]))
        for r0 in overall:
            rows = []
            for level in est.levels(by):
                cell = est.get(r0.name, by, level)
                if cell is None:
                    continue
                a, b = level.split(CROSS_SEP)
                rows.append(
                    CrossRow(
                        (R.level_label_of(q, parts[0], a), R.level_label_of(q, parts[1], b)),
                        cell,
                        est.get(acute_column(r0.name), by, level),
                    )
                )
            if rows:
                out.append(CrossBlock(by, labels, r0.name, r0.label, tuple(rows)))
    return tuple(out)
