"""The Flanders-wide overview report of a WBM wave (employees or self-employed): the headline and the
workability indicators for Flanders beside the previous wave, the risk profile, every standard
breakdown of the questionnaire (sector, age band, sex, ...) with each group against the rest of
Flanders, and the extra modules. Same contracts as :mod:`pipeline.reports.report`; template
``reports/overview.html.j2``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from pipeline.errors import Problem, SpecError
from pipeline.reports import rows as R
from pipeline.reports.context import ReportContext
from pipeline.reports.estimates import Cell, Estimates
from pipeline.reports.labels import (
    domain_label,
    higher_good,
    indicator_groups,
    indicator_label,
    population_noun,
)
from pipeline.reports.render import render_page, slug
from pipeline.reports.report import load_estimates, report_domain
from pipeline.reports.riskprofile import profiles as risk_profiles
from pipeline.reports.trend import trend_section

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.questionnaire.model import Questionnaire

OVERVIEW_FILENAME = "vlaanderen-overzicht"


@dataclass(frozen=True)
class DomainSection:
    """One breakdown of Flanders: the headline per level (with its test against the rest of
    Flanders), the workability indicators per level, and (for the report domain) the risks."""

    domain: str
    label: str
    headline: tuple[R.Row, ...]  # one row per level
    work: tuple[tuple[str, str], ...]  # (name, label) of the workability columns
    work_cells: tuple[tuple[Cell | None, ...], ...]  # per level
    risk: tuple[tuple[str, str], ...]
    risk_cells: tuple[tuple[Cell | None, ...], ...]
    chart: str


def _domain_section(
    est: Estimates,
    q: Questionnaire,
    domain: str,
    head: str,
    work: tuple[str, ...],
    risk: tuple[str, ...],
    ctx: ReportContext,
    axis_max: float | None = None,
) -> DomainSection | None:
    if domain not in est.bys():
        return None
    rows = tuple(
        r
        for r in R.level_rows(est, q, head, domain, ctx, higher_good=higher_good(q, head))
        if r.group is not None
    )
    if not rows:
        return None
    label = domain_label(q, domain)
    levels = [r.group.level for r in rows if r.group is not None]
    work_cells = tuple(tuple(est.get(n, domain, lv) for n in work) for lv in levels)
    risk_cells = tuple(tuple(est.get(n, domain, lv) for n in risk) for lv in levels)
    chart = R.chart(
        f"grafiek-{slug(domain)}",
        f"Werkbaarheidsgraad naar {label}",
        rows,
        "werkbaarheidsgraad",
        ctx,
        axis_max=axis_max,
    )
    return DomainSection(
        domain,
        label,
        rows,
        tuple((n, indicator_label(q, n)) for n in work),
        work_cells,
        tuple((n, indicator_label(q, n)) for n in risk),
        risk_cells,
        chart,
    )


def render_overview_report(
    estimates: pd.DataFrame | Estimates,
    q: Questionnaire,
    *,
    context: ReportContext | None = None,
    embed_css: bool = True,
) -> str:
    """The Flanders-wide HTML report (a complete, self-contained page)."""
    ctx = context or ReportContext()
    est = load_estimates(estimates, q, ctx)
    groups = indicator_groups(q)
    head = groups.headline
    if head is None:
        raise SpecError(
            f"{q.study.id}: an overview report needs a composite indicator with rule 'none_problem' "
            "(werkbaar werk)",
            [
                Problem(
                    "no such indicator",
                    path="indicators",
                    hint="add the composite indicator to the questionnaire",
                )
            ],
        )
    headline = R.make_row(
        est,
        head.name,
        indicator_label(q, head.name),
        "",
        "",
        ctx,
        higher_good=higher_good(q, head.name),
    )
    work = tuple(
        R.make_row(est, i.name, i.label.nl, "", "", ctx, acute=True, higher_good=False)
        for i in groups.workability
    )
    risk = tuple(
        R.make_row(est, i.name, i.label.nl, "", "", ctx, higher_good=False) for i in groups.risk
    )
    modules = R.module_rows(est, q, "", "", ctx)
    problems = R.band_rows(est, q, "", "", ctx)
    profiles = risk_profiles(ctx.risk_profiles, est, q, "", "")
    main = report_domain(q) if q.domains else ""
    # one scale for every percent chart of the report: the levels' bars of every breakdown included
    axis = R.common_axis(
        work,
        risk,
        modules,
        problems,
        *(R.level_rows(est, q, head.name, d, ctx) for d in q.domains if d in est.bys()),
    )
    domains = []
    for d in q.domains:
        sec = _domain_section(
            est,
            q,
            d,
            head.name,
            tuple(i.name for i in groups.workability),
            tuple(i.name for i in groups.risk) if d == main else (),
            ctx,
            axis,
        )
        if sec is not None:
            domains.append(sec)
    published = R.shown(headline.group)
    sections = (
        [("samenvatting", "Samenvatting"), ("risicoprofiel", "Risicoprofiel")]
        if published
        else [("geen-cijfers", "Geen cijfers")]
    )
    if published and problems:
        sections.insert(1, ("aantal-knelpunten", "Aantal knelpunten"))
    if published and profiles:
        sections.append(("risico-per-knelpunt", "Risicoprofiel per knelpunt"))
    if published:
        sections += [(f"naar-{slug(s.domain)}", f"Naar {s.label}") for s in domains]
        if modules:
            sections.append(("modules", "Extra thema's"))
    trend = (
        trend_section(ctx.trend, q, domain=main or None, protected=ctx.protected)
        if published
        else None
    )
    if trend is not None:
        sections.insert(1, ("evolutie", f"Evolutie {trend.first}–{trend.now}"))
    sections.append(("methoden", "Methoden en leeswijzer"))
    m = R.methods_data(q, ctx, est)
    ref = "previous" if m["has_previous"] else ""
    ref_label = str(m["previous_wave"] or "vorige meting")
    population = population_noun(q)
    return render_page(
        "overview.html.j2",
        embed_css=embed_css,
        body_class="report overview",
        title=f"Werkbaarheid in Vlaanderen: {population}",
        q=q,
        study_title=q.study.title.nl,
        wave=ctx.wave or q.study.wave,
        ctx=ctx,
        population=population,
        unit_noun="respondenten",
        published=published,
        headline=headline,
        work=work,
        risk=risk,
        modules=modules,
        problems=problems if published else (),
        profiles=profiles if published else (),
        chart_problems=R.chart(
            "grafiek-aantal-knelpunten",
            "Aantal knelpunten in Vlaanderen",
            problems,
            "Vlaanderen",
            ctx,
            reference=ref,
            reference_label=ref_label,
            axis_max=axis,
        )
        if published and problems
        else "",
        domains=domains,
        main_domain=main,
        trend=trend,
        trend_domain_label=domain_label(q, main) if main else "",
        sections=sections,
        prev_source=R.prev_source(est),
        chart_work=R.chart(
            "grafiek-knelpunten",
            "Werkbaarheidsknelpunten in Vlaanderen",
            work,
            "Vlaanderen",
            ctx,
            acute=True,
            reference=ref,
            reference_label=ref_label,
            axis_max=axis,
        )
        if published
        else "",
        chart_risk=R.chart(
            "grafiek-risicos",
            "Risicofactoren in Vlaanderen",
            risk,
            "Vlaanderen",
            ctx,
            reference=ref,
            reference_label=ref_label,
            axis_max=axis,
        )
        if published
        else "",
        module_groups=tuple(
            replace(
                g,
                chart=R.chart(
                    f"grafiek-{g.slug}",
                    f"{g.title or R.MODULES_TITLE} in Vlaanderen",
                    g.rows,
                    "Vlaanderen",
                    ctx,
                    reference=ref,
                    reference_label=ref_label,
                    axis_max=axis,
                ),
            )
            for g in R.module_groups(modules, q, R.numeric_summaries(q, ctx))
        ),
        **m,
    )
