"""Reports per group of a domain: one self-contained Dutch HTML page per sector (employees) or per
occupational group (self-employed), from the tidy estimates table.

Content: a one-page summary (the werkbaarheidsgraad with its CI beside Flanders and the previous
wave; the four workability indicators as problem and acute), the risk profile against Flanders with
significant differences marked and explained, breakdowns within the group where the table has
crossed rows (``by`` "sector:sex"), the extra modules (``mod_*`` rows) and a methods appendix.
Numbers come only from the table (via :class:`~pipeline.reports.estimates.Estimates`, which drops
the numbers of suppressed cells); labels only from the questionnaire. The domain, the indicator
groups (six risks for employees, four for the self-employed) and the wording follow the
questionnaire. Same inputs, same bytes. Templates: ``reports/sector.html.j2``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import InputError, Problem, SpecError, UsageError, one_of
from pipeline.fileio import write_text
from pipeline.reports import rows as R
from pipeline.reports.context import ReportContext, ResponseInfo, WeightingSummary
from pipeline.reports.estimates import Estimates, estimates_for
from pipeline.reports.labels import (
    domain_label,
    higher_good,
    indicator_groups,
    indicator_label,
    population_noun,
)
from pipeline.reports.render import cell_key, fmt_field, render_page, slug
from pipeline.reports.riskprofile import profiles as risk_profiles
from pipeline.reports.trend import trend_section

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.questionnaire.model import Questionnaire

__all__ = [
    "ReportContext",
    "ResponseInfo",
    "WeightingSummary",
    "cell_key",
    "fmt_field",
    "render_domain_report",
    "render_sector_report",
    "report_domain",
    "report_filename",
    "write_domain_reports",
    "write_sector_reports",
    "slug",
]

SECTOR_DOMAIN = "sector"


def report_domain(q: Questionnaire) -> str:
    """The domain a questionnaire's group reports are made for: ``study.report_domain`` (a sectoral
    measurement: its subsectors), else its first domain (``sector`` for employees,
    ``occupation_group`` for the self-employed)."""
    if q.study.report_domain:
        return q.study.report_domain
    if not q.domains:
        raise SpecError(
            f"{q.study.id}: no domains, so no group reports can be made",
            [
                Problem(
                    "domains is empty",
                    path="domains",
                    hint="list the report domain first under domains",
                )
            ],
        )
    return q.domains[0]


def load_estimates(
    estimates: pd.DataFrame | Estimates, q: Questionnaire, ctx: ReportContext
) -> Estimates:
    """The checked table with the previous wave attached (from the table's wave columns or
    ``ctx.previous``). Convert once and pass the result when rendering many reports. Under the
    publisher's protection (``ctx.protected``) a figure the engine did not release is left out, as
    if its group had no respondents (:func:`pipeline.reports.withheld.published_rows`)."""
    if ctx.protected:
        from pipeline.reports.withheld import published_rows

        if ctx.previous is not None:
            ctx = replace(ctx, previous=published_rows(ctx.previous))
        if not isinstance(estimates, Estimates):
            estimates = published_rows(estimates)
    if isinstance(estimates, Estimates):
        if estimates.previous is None and ctx.previous is not None:
            from pipeline.reports import waves

            return estimates.with_previous(
                waves.from_table(estimates, ctx.previous, q, ctx.previous_wave)
            )
        return estimates
    return estimates_for(estimates, q, previous=ctx.previous, previous_wave=ctx.previous_wave)


def _group_label(q: Questionnaire, domain: str, code: int) -> str:
    labels = {c.code: c.label.nl for c in q.choices_of(q.item(domain))}
    if code not in labels:
        raise UsageError(
            f"unknown {domain} code",
            [
                Problem(
                    one_of(code, sorted(labels)),
                    column=domain,
                    hint=f"use a code of the questionnaire's {domain} list",
                )
            ],
        )
    return labels[code]


def _breakdowns(
    est: Estimates,
    q: Questionnaire,
    domain: str,
    code: int,
    names: tuple[str, ...],
    risks: tuple[str, ...],
    ctx: ReportContext,
) -> tuple[R.Breakdown, ...]:
    """Every breakdown inside the group the table has crossed rows for (``sector:sex`` ...): the
    workability indicators and the risk factors per level, each with its CI and its test against the
    rest of the group."""
    out: list[R.Breakdown] = []
    for other in q.domains:
        if other == domain:
            continue
        found = R.crossed_by(est, domain, other)
        if found is None:
            continue
        by, pos = found
        work = R.level_table(
            est, q, [(n, indicator_label(q, n)) for n in names], by, pos, str(code), ctx
        )
        if not work.any_shown():
            continue  # the numbers do not allow this breakdown
        risk = R.level_table(
            est, q, [(n, indicator_label(q, n)) for n in risks], by, pos, str(code), ctx
        )
        label = domain_label(q, other)
        tested = any(
            c.group is not None and c.group.p_value is not None
            for t in (work, risk)
            for _l, cells in t.rows
            for c in cells
        )
        out.append(R.Breakdown(other, label, work, risk, "", tested))
    return tuple(out)


def _with_chart(b: R.Breakdown, ctx: ReportContext, axis_max: float | None) -> R.Breakdown:
    """The breakdown with its chart (the first workability indicator per level) on the report's scale."""
    from dataclasses import replace

    chart = R.chart(
        f"grafiek-{slug(b.domain)}",
        f"Werkbaarheidsgraad naar {b.label}",
        b.first_rows,
        "werkbaarheidsgraad",
        ctx,
        axis_max=axis_max,
    )
    return replace(b, chart=chart)


def render_domain_report(
    estimates: pd.DataFrame | Estimates,
    q: Questionnaire,
    code: int,
    *,
    context: ReportContext | None = None,
    domain: str | None = None,
    embed_css: bool = True,
) -> str:
    """The HTML report of one group (a complete, self-contained page)."""
    ctx = context or ReportContext()
    est = load_estimates(estimates, q, ctx)
    domain = domain or report_domain(q)
    label = _group_label(q, domain, code)
    noun = domain_label(q, domain)
    level = str(code)
    groups = indicator_groups(q)
    head = groups.headline
    if head is None:
        raise SpecError(
            f"{q.study.id}: a group report needs a composite indicator with rule 'none_problem' "
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
        domain,
        level,
        ctx,
        higher_good=higher_good(q, head.name),
    )
    published = R.shown(headline.group)
    work = tuple(
        R.make_row(est, i.name, i.label.nl, domain, level, ctx, acute=True, higher_good=False)
        for i in groups.workability
    )
    risk = tuple(
        R.make_row(est, i.name, i.label.nl, domain, level, ctx, higher_good=False)
        for i in groups.risk
    )
    modules = R.module_rows(est, q, domain, level, ctx) if published else ()
    problems = R.band_rows(est, q, domain, level, ctx) if published else ()
    profiles = risk_profiles(ctx.risk_profiles, est, q, domain, level) if published else ()
    names = (head.name, *(i.name for i in groups.workability))
    risks = tuple(i.name for i in groups.risk)
    breakdowns = _breakdowns(est, q, domain, code, names, risks, ctx) if published else ()
    # one scale for every percent chart of the report (the breakdowns' bars included)
    axis = R.common_axis(work, risk, modules, problems, *(b.first_rows for b in breakdowns))
    breakdowns = tuple(_with_chart(b, ctx, axis) for b in breakdowns)
    sections = (
        [("samenvatting", "Samenvatting"), ("risicoprofiel", "Risicoprofiel")]
        if published
        else [("geen-cijfers", "Geen cijfers")]
    )
    if problems:
        sections.insert(1, ("aantal-knelpunten", "Aantal knelpunten"))
    if profiles:
        sections.append(("risico-per-knelpunt", "Risicoprofiel per knelpunt"))
    if breakdowns:
        sections.append(("uitsplitsingen", f"Uitsplitsingen binnen de {noun}"))
    if modules:
        sections.append(("modules", "Extra thema's"))
    trend = (
        trend_section(
            ctx.trend, q, domain=domain, level=level, group_label=label, protected=ctx.protected
        )
        if published
        else None
    )
    if trend is not None:
        sections.insert(1, ("evolutie", f"Evolutie {trend.first}–{trend.now}"))
    sections.append(("methoden", "Methoden en leeswijzer"))
    series = f"{noun} {label}"
    return render_page(
        "sector.html.j2",
        embed_css=embed_css,
        body_class=f"report group-report {slug(domain)}",
        title=f"Werkbaarheid in de {noun} {label}",
        group_label=label,
        noun=noun,
        code=code,
        domain=domain,
        population=population_noun(q),
        unit_noun="respondenten",
        q=q,
        study_title=q.study.title.nl,
        wave=ctx.wave or q.study.wave,
        ctx=ctx,
        published=published,
        headline=headline,
        work=work,
        risk=risk,
        problems=problems,
        profiles=profiles,
        chart_problems=R.chart(
            "grafiek-aantal-knelpunten",
            f"Aantal knelpunten in de {series} en in Vlaanderen",
            problems,
            series,
            ctx,
            axis_max=axis,
        )
        if problems
        else "",
        risk_higher=[r for r in risk if r.marked and r.direction == "hoger"],
        risk_lower=[r for r in risk if r.marked and r.direction == "lager"],
        breakdowns=breakdowns,
        modules=modules,
        sections=sections,
        prev_source=R.prev_source(est),
        chart_work=R.chart(
            "grafiek-knelpunten",
            f"Werkbaarheidsknelpunten in de {series} en in Vlaanderen",
            work,
            series,
            ctx,
            acute=True,
            axis_max=axis,
        )
        if published
        else "",
        chart_risk=R.chart(
            "grafiek-risicos",
            f"Risicofactoren in de {series} en in Vlaanderen",
            risk,
            series,
            ctx,
            axis_max=axis,
        )
        if published
        else "",
        module_groups=tuple(
            replace(
                g,
                chart=R.chart(
                    f"grafiek-{g.slug}",
                    f"{g.title or R.MODULES_TITLE} in de {series} en in Vlaanderen",
                    g.rows,
                    series,
                    ctx,
                    axis_max=axis,
                ),
            )
            for g in R.module_groups(modules, q, R.numeric_summaries(q, ctx, domain, level, label))
        ),
        trend=trend,
        **R.methods_data(q, ctx, est),
    )


def render_sector_report(
    estimates: pd.DataFrame | Estimates,
    q: Questionnaire,
    sector_code: int,
    *,
    context: ReportContext | None = None,
    domain: str = SECTOR_DOMAIN,
    embed_css: bool = True,
) -> str:
    """The HTML report of one sector (:func:`render_domain_report` for the ``sector`` domain)."""
    return render_domain_report(
        estimates, q, sector_code, context=context, domain=domain, embed_css=embed_css
    )


def report_filename(code: int, label: str, domain: str = SECTOR_DOMAIN, ext: str = "html") -> str:
    return f"{slug(domain)}-{code:02d}-{slug(label)}.{ext}"


def group_codes(q: Questionnaire, domain: str) -> tuple[tuple[int, str], ...]:
    """(code, label) of every group of the domain, in questionnaire order."""
    return tuple((c.code, c.label.nl) for c in q.choices_of(q.item(domain)))


def check_domain_rows(est: Estimates, domain: str) -> None:
    if domain not in est.bys():
        raise InputError(
            f"{est.source}: no rows with by = {domain!r}, so no {domain} reports can be made",
            [
                Problem(
                    f"by holds only {sorted(b or '(overall)' for b in est.bys())}",
                    column="by",
                    expected=f"rows with by = {domain!r}",
                    hint=f"estimate the indicators by {domain}",
                )
            ],
            code="no_domain_rows",
        )


def write_domain_reports(
    estimates: pd.DataFrame | Estimates,
    q: Questionnaire,
    out_dir: str | Path,
    context: ReportContext | None = None,
    *,
    domain: str | None = None,
    codes: tuple[int, ...] | None = None,
) -> list[Path]:
    """One HTML report per group (all codes of the domain's list, or ``codes``); a group too small
    gets a report that says so."""
    ctx = context or ReportContext()
    est = load_estimates(estimates, q, ctx)
    domain = domain or report_domain(q)
    check_domain_rows(est, domain)
    out = Path(out_dir)
    labels = dict(group_codes(q, domain))
    paths = []
    for code in codes if codes is not None else tuple(labels):
        html = render_domain_report(est, q, code, context=ctx, domain=domain)
        paths.append(
            write_text(out / report_filename(code, labels.get(code, str(code)), domain), html)
        )
    return paths


def write_sector_reports(
    estimates: pd.DataFrame | Estimates,
    q: Questionnaire,
    out_dir: str | Path,
    context: ReportContext | None = None,
    *,
    domain: str = SECTOR_DOMAIN,
) -> list[Path]:
    """One report per code of the sector list (kept for the run's outputs stage)."""
    return write_domain_reports(estimates, q, out_dir, context, domain=domain)
