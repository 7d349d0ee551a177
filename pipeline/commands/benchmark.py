"""``wbm benchmark``: a sectoral measurement's run beside its matched benchmark in the main wave's
run (``sectoral/<config>.yaml``), as a Dutch report (HTML, PDF) and a CSV of the comparison."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.commands.options import REPORTS_OUT, policy_option


@click.command("benchmark")
@click.option(
    "--run",
    "run_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="The sector's run directory (its own sample, e.g. PC 126).",
)
@click.option(
    "--main",
    "main_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="The run of the main WBM wave of employees the benchmark is taken from.",
)
@click.option(
    "--config",
    "config",
    default="pc126",
    show_default=True,
    help="The benchmark configuration: a YAML path or a shipped name (pc126, fonds323, pc200, "
    "pc140-03; sectoral/).",
)
@REPORTS_OUT
@click.option("--format", "fmt", type=click.Choice(["html", "pdf", "both"]), default="html")
@policy_option(
    "The publisher's disclosure policy file; with 'protect_reports: true' the report shows "
    "only the figures its engine releases: the sector's logged with its run's report figures, the "
    "benchmark's on the main wave [default: $WBM_POLICY, else the sector run's]."
)
def benchmark(
    run_dir: Path, main_dir: Path, config: str, out_dir: Path | None, fmt: str, policy: str | None
) -> None:
    """Set a SECTOR's measurement beside a matched benchmark from the main wave, reweighted to the
    sector's composition, with differences tested with both samples' designs."""
    from pipeline.reports.sectoral import benchmark_report

    written = benchmark_report(
        run_dir,
        main_dir,
        config,
        out_dir=out_dir,
        formats=("html", "pdf") if fmt == "both" else (fmt,),
        policy=policy,
    )
    for p in written:
        click.echo(str(p))
