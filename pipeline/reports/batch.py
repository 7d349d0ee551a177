"""A wave's reports from one call: which reports a questionnaire gets (:func:`plan_reports`), and
rendering them to HTML and/or PDF, in this process or in a small process pool
(:func:`render_reports`).

- employees / self-employed: one report per group of the report domain (sector, occupational
  group) and the Flanders-wide overview;
- enterprise survey: one report by sector group and size class.

Output files are named ``<domain>-<code>-<label>.html|pdf``, ``vlaanderen-overzicht.*`` and
``ondernemingen-overzicht.*``. The returned paths are in plan order whatever order the workers
finish in, and the bytes do not depend on the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pipeline.errors import Problem, UsageError, one_of
from pipeline.fileio import ensure_dir, write_text
from pipeline.reports.context import ReportContext
from pipeline.reports.estimates import Estimates
from pipeline.reports.report import (
    check_domain_rows,
    group_codes,
    load_estimates,
    report_domain,
    report_filename,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.questionnaire.model import Questionnaire

Kind = Literal["group", "overview", "enterprise"]
FORMATS: tuple[str, ...] = ("html", "pdf")


@dataclass(frozen=True)
class ReportJob:
    kind: Kind
    stem: str  # file name without extension
    title: str  # what the progress display shows
    code: int | None = None
    domain: str | None = None


def plan_reports(
    q: Questionnaire, *, codes: Sequence[int] = (), all_groups: bool = False, overview: bool = False
) -> tuple[ReportJob, ...]:
    """The reports to make. ``all_groups``: every group plus the overview (for the enterprise survey:
    its one report); ``codes``: those groups; ``overview``: the Flanders-wide report."""
    from pipeline.reports.enterprise import ENTERPRISE_FILENAME
    from pipeline.reports.overview import OVERVIEW_FILENAME

    if q.study.population == "ondernemingen":
        if codes:
            raise UsageError(
                "the enterprise survey has one report (by sector group and size class), not one per "
                "group",
                [
                    Problem(
                        "--sector given for an enterprise survey", hint="use --all or --overview"
                    )
                ],
                code="bad_option",
            )
        return (
            (ReportJob("enterprise", ENTERPRISE_FILENAME, "ondernemingen"),)
            if (all_groups or overview)
            else ()
        )
    domain = report_domain(q)
    known = dict(group_codes(q, domain))
    bad = [c for c in codes if c not in known]
    if bad:
        raise UsageError(
            f"unknown {domain} code(s): {', '.join(map(str, bad))}",
            [
                Problem(
                    one_of(c, sorted(known)), column=domain, hint=f"use a code of the {domain} list"
                )
                for c in bad
            ],
            code="bad_option",
        )
    chosen = tuple(known) if all_groups else tuple(dict.fromkeys(codes))
    jobs = [
        ReportJob(
            "group", report_filename(c, known[c], domain).removesuffix(".html"), known[c], c, domain
        )
        for c in chosen
    ]
    if overview or all_groups:
        jobs.append(ReportJob("overview", OVERVIEW_FILENAME, "Vlaanderen"))
    return tuple(jobs)


def jobs_with_figures(
    jobs: Sequence[ReportJob], estimates: pd.DataFrame, q: Questionnaire
) -> tuple[ReportJob, ...]:
    """Under the publisher's protection (``protect_reports: true``): the jobs but the group
    reports of groups whose headline figure (werkbaar werk) is not published in ``estimates`` (the
    protected figures). Such a report would have no figures, and writing it for a group with
    respondents but not for one without would tell the two apart (issue 13): whether a group gets
    a file is a function of the released figures only."""
    from pipeline.reports.labels import indicator_groups
    from pipeline.reports.withheld import published_rows
    from pipeline.rundata.levels import level_text

    head = indicator_groups(q).headline
    shown = published_rows(estimates)
    if head is None:
        return tuple(j for j in jobs if j.kind != "group")
    rows = shown[(shown["indicator"] == head.name) & shown["estimate"].notna()]
    published = set(
        zip(rows["by"].fillna("").astype(str), rows["level"].map(level_text), strict=True)
    )
    return tuple(
        j
        for j in jobs
        if j.kind != "group"
        or j.code is None
        or (str(j.domain or ""), level_text(j.code)) in published
    )


def render_html(
    job: ReportJob, est: Estimates, q: Questionnaire, ctx: ReportContext, *, embed_css: bool = True
) -> str:
    if job.kind == "group":
        from pipeline.reports.report import render_domain_report

        assert job.code is not None
        return render_domain_report(
            est, q, job.code, context=ctx, domain=job.domain, embed_css=embed_css
        )
    if job.kind == "overview":
        from pipeline.reports.overview import render_overview_report

        return render_overview_report(est, q, context=ctx, embed_css=embed_css)
    from pipeline.reports.enterprise import render_enterprise_report

    return render_enterprise_report(est, q, context=ctx, embed_css=embed_css)


def render_job(
    job: ReportJob,
    est: Estimates,
    q: Questionnaire,
    ctx: ReportContext,
    out_dir: Path,
    formats: Sequence[str],
) -> tuple[Path, ...]:
    """Write one report in the asked formats; returns the files written."""
    out: list[Path] = []
    if "html" in formats:
        out.append(write_text(out_dir / f"{job.stem}.html", render_html(job, est, q, ctx)))
    if "pdf" in formats:
        from pipeline.reports.pdf import shared_renderer

        html = render_html(job, est, q, ctx, embed_css=False)
        out.append(shared_renderer().write(html, out_dir / f"{job.stem}.pdf"))
    return tuple(out)


# ---- process pool: the state is set once per worker, each task is a job ----
_STATE: dict[str, Any] = {}


def _init_worker(
    est: Estimates, q: Questionnaire, ctx: ReportContext, out_dir: Path, formats: tuple[str, ...]
) -> None:
    _STATE.update(est=est, q=q, ctx=ctx, out_dir=out_dir, formats=formats)


def _run(job: ReportJob) -> tuple[Path, ...]:
    return render_job(
        job, _STATE["est"], _STATE["q"], _STATE["ctx"], _STATE["out_dir"], _STATE["formats"]
    )


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def render_reports(
    estimates: pd.DataFrame | Estimates,
    q: Questionnaire,
    out_dir: str | Path,
    jobs: Sequence[ReportJob],
    *,
    context: ReportContext | None = None,
    formats: Sequence[str] = ("html",),
    workers: int = 1,
    on_done: Callable[[ReportJob, tuple[Path, ...]], None] | None = None,
) -> list[Path]:
    """Render ``jobs`` into ``out_dir``; ``on_done`` is called in this process after each report
    (for a progress bar). ``workers`` > 1 uses a process pool (fork where available)."""
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise UsageError(f"--format {one_of(bad[0], (*FORMATS, 'both'))}", code="bad_option")
    ctx = context or ReportContext()
    est = load_estimates(estimates, q, ctx)
    for job in jobs:
        if job.kind == "group" and job.domain:
            check_domain_rows(est, job.domain)
            break
    out = ensure_dir(out_dir)
    results: dict[int, tuple[Path, ...]] = {}
    fmts = tuple(formats)
    if workers <= 1 or len(jobs) <= 1:
        for i, job in enumerate(jobs):
            results[i] = render_job(job, est, q, ctx, out, fmts)
            if on_done:
                on_done(job, results[i])
    else:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        with ProcessPoolExecutor(
            max_workers=min(workers, len(jobs)),
            mp_context=multiprocessing.get_context(method),
            initializer=_init_worker,
            initargs=(est, q, ctx, out, fmts),
        ) as pool:
            futures = {pool.submit(_run, job): i for i, job in enumerate(jobs)}
            for fut in as_completed(futures):
                i = futures[fut]
                results[i] = fut.result()
                if on_done:
                    on_done(jobs[i], results[i])
    return [p for i in range(len(jobs)) for p in results[i]]
