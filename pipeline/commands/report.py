"""``wbm report``: render a wave's reports (HTML and/or PDF) from a run directory.

    wbm report --run RUNDIR --all                      every group + the Flanders overview
    wbm report --run RUNDIR --sector 3 --sector 5      those sectors (occupational groups for the self-employed)
    wbm report --run RUNDIR --overview --format pdf    the Flanders-wide report as PDF

Reads ``RUNDIR/04_estimate/estimates.parquet`` (or ``.csv``), the questionnaire named in
``RUNDIR/manifest.json`` and whatever the validation and weighting diagnostics say; writes to
``RUNDIR/05_outputs/reports`` unless ``--out`` says otherwise. A progress bar goes to stderr when
stderr is a terminal; the files written are listed on stdout.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline.commands.options import REPORTS_OUT, policy_option

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.sdc.publisher import Publisher
    from pipeline.tables.figures import FiguresRelease


@click.command("report")
@click.option(
    "--run",
    "run_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Run directory (with 04_estimate/estimates.parquet or .csv).",
)
@click.option(
    "--all",
    "all_groups",
    is_flag=True,
    help="Every sector (or occupational group) plus the Flanders overview; the enterprise survey's report.",
)
@click.option(
    "--sector",
    "codes",
    multiple=True,
    type=int,
    metavar="CODE",
    help="Only this sector (occupational group for the self-employed) code; repeatable.",
)
@click.option(
    "--overview", is_flag=True, help="The Flanders-wide overview (the enterprise survey's report)."
)
@click.option(
    "--format", "fmt", type=click.Choice(["html", "pdf", "both"]), default="html", show_default=True
)
@REPORTS_OUT
@click.option(
    "--questionnaire",
    default=None,
    help="Questionnaire id or YAML path, if the manifest names none.",
)
@click.option(
    "--previous",
    "previous_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The previous wave's estimates table (.parquet or .csv), to show beside this wave.",
)
@click.option(
    "--previous-wave",
    type=int,
    default=None,
    help="Year of the previous wave [default: from the questionnaire's mapping].",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 16),
    default=None,
    help="Processes for rendering [default: up to 2].",
)
@click.option(
    "--archive",
    "archive_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    envvar="WBM_ARCHIVE",
    help="The wave archive: show the earlier waves of the series (trend charts, change tests) "
    "[default: $WBM_ARCHIVE, else the archive the run was made with, if any].",
)
@policy_option(
    "The publisher's disclosure policy file; with 'protect_reports: true' the reports show "
    "only the figures its engine releases, logged as public releases [default: $WBM_POLICY, else "
    "the run's]."
)
def report(
    run_dir: Path,
    all_groups: bool,
    codes: tuple[int, ...],
    overview: bool,
    fmt: str,
    out_dir: Path | None,
    questionnaire: str | None,
    previous_path: Path | None,
    previous_wave: int | None,
    workers: int | None,
    archive_dir: Path | None,
    policy: str | None,
) -> None:
    """Render sector reports (HTML, PDF) from a run directory."""
    import sys
    from dataclasses import replace

    from pipeline.errors import UsageError
    from pipeline.outpath import require_dir
    from pipeline.reports.batch import ReportJob, default_workers, plan_reports, render_reports
    from pipeline.reports.rundir import load_run
    from pipeline.rundata.layout import REPORTS_DIR, outputs_dir
    from pipeline.rundata.read import read_estimates_file

    if out_dir is not None:
        require_dir(out_dir)

    if not (all_groups or codes or overview):
        raise UsageError(
            "which reports? give --all, --sector CODE (repeatable) or --overview", code="bad_option"
        )
    if all_groups and codes:
        raise UsageError("give --all or --sector, not both", code="bad_option")
    inputs = load_run(run_dir, questionnaire=questionnaire)
    ctx = inputs.context
    if previous_path is not None:
        ctx = replace(ctx, previous=read_estimates_file(previous_path), previous_wave=previous_wave)
    elif previous_wave is not None:
        ctx = replace(ctx, previous_wave=previous_wave)
    q = inputs.questionnaire
    estimates, figures = _protected_figures(
        inputs.estimates, run_dir, policy, ctx.min_n_publish, ctx.min_n_reliable, ctx.numeric
    )
    pub = _publisher(run_dir, policy) if _protects_reports(run_dir, policy) else None
    if pub is not None:
        from pipeline.reports.withheld import protect_report_inputs

        # the figures that do not come from the estimates table are left out (fail closed); the
        # numeric indicators' means and medians as their protection made them
        estimates, ctx = protect_report_inputs(
            estimates,
            ctx,
            None if figures is None else figures.numeric,
            0 if figures is None else figures.median_min_equal,
            None if figures is None else figures.employment,
            None if figures is None else figures.risk,
            0 if figures is None else figures.risk_min_count,
        )
    archive = archive_dir or _recorded_archive(run_dir)
    if archive is not None:
        from pipeline.reports.trend import with_trend

        # protected: this wave's figures as shown, an earlier wave's only where its ledger
        # released them
        ctx = with_trend(
            ctx, archive, run_dir, q, publisher=pub, estimates=None if pub is None else estimates
        )
    jobs = plan_reports(q, codes=codes, all_groups=all_groups, overview=overview)
    if pub is not None and all_groups:
        from pipeline.reports.batch import jobs_with_figures

        # protected: every group whose figures are published (one without respondents and one
        # under the minimum alike get no file); a group asked for by --sector is rendered anyway
        jobs = jobs_with_figures(jobs, estimates, q)
    if not jobs:
        raise UsageError(f"{q.study.id}: nothing to render with these options", code="bad_option")
    formats = ("html", "pdf") if fmt == "both" else (fmt,)
    out = out_dir or outputs_dir(run_dir, REPORTS_DIR)
    n_workers = workers or default_workers()
    show = sys.stderr.isatty()
    if show:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        # auto_refresh off: no refresh thread, so forking the worker processes is safe
        progress = Progress(
            TextColumn("[bold]rapporten"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=Console(stderr=True),
            auto_refresh=False,
            transient=False,
        )
        task = progress.add_task("", total=len(jobs))
        with progress:

            def done(job: ReportJob, _paths: tuple[Path, ...]) -> None:
                progress.update(task, advance=1, description=job.title)
                progress.refresh()

            paths = render_reports(
                estimates,
                q,
                out,
                jobs,
                context=ctx,
                formats=formats,
                workers=n_workers,
                on_done=done,
            )
    else:
        paths = render_reports(
            estimates, q, out, jobs, context=ctx, formats=formats, workers=n_workers
        )
    for p in paths:
        click.echo(str(p))
    click.echo(f"{len(jobs)} report(s), {len(paths)} file(s) in {out}", err=True)


def _recorded_archive(run_dir: Path) -> Path | None:
    """The archive the run was made with (``parameters.archive`` of its manifest, relative to it)."""
    from pipeline.rundata.layout import policy_file
    from pipeline.rundata.read import run_manifest, run_parameters

    ref = run_parameters(run_manifest(run_dir, lenient=True)).get("archive")
    return policy_file(ref, run_dir) if isinstance(ref, str) else None


def _publisher(run_dir: Path, policy: str | None) -> Publisher:
    """The publisher whose policy applies: ``--policy``, else ``$WBM_POLICY``, else the run's."""
    from pipeline.reports.publishing import run_publisher

    return run_publisher(run_dir, policy)


def _protects_reports(run_dir: Path, policy: str | None) -> bool:
    return _publisher(run_dir, policy).policy.policy.protect_reports


def _protected(
    estimates: pd.DataFrame,
    run_dir: Path,
    policy: str | None,
    min_n: int | None,
    min_n_reliable: int | None,
) -> pd.DataFrame:
    """The estimates as the reports may show them (:func:`_protected_figures`)."""
    return _protected_figures(estimates, run_dir, policy, min_n, min_n_reliable)[0]


def _protected_figures(
    estimates: pd.DataFrame,
    run_dir: Path,
    policy: str | None,
    min_n: int | None,
    min_n_reliable: int | None,
    numeric: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, FiguresRelease | None]:
    """The estimates as the reports may show them and the release of the figures
    (:func:`pipeline.reports.publishing.protected_figures`)."""
    from pipeline.reports.publishing import protected_figures

    return protected_figures(
        estimates, run_dir, _publisher(run_dir, policy), min_n, min_n_reliable, numeric
    )
