"""``wbm archive``: the wave archive for trends (add, list, check, export, series).

    wbm archive add RUN [RUN ...] [--archive DIR] [--replace]
    wbm archive list [--archive DIR] [--json]
    wbm archive check [--archive DIR] [--repair]
    wbm archive export STUDY_ID --out DIR [--archive DIR]
    wbm archive series INDICATOR [--series S] [--by VAR] [--archive DIR] [--csv]

``--archive`` defaults to ``$WBM_ARCHIVE``, else ``./archive``. Layout and guarantees:
``docs/archive.md``. Exit codes: 0 fine, 2 bad usage, 3 a damaged archive.
"""

from __future__ import annotations

from pathlib import Path

import click

archive_option = click.option(
    "--archive",
    "archive_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("archive"),
    show_default=True,
    envvar="WBM_ARCHIVE",
    help="The archive folder (created by the first 'add'); also $WBM_ARCHIVE.",
)


@click.group("archive")
def archive() -> None:
    """The wave archive: every finished run in one place, harmonised for trends."""


@archive.command("add")
@click.argument("runs", nargs=-1, required=True, type=click.Path(path_type=Path, file_okay=False))
@archive_option
@click.option(
    "--replace",
    is_flag=True,
    help="Archive this run even if the wave is there with other data (the old copy is kept in superseded/).",
)
def add(runs: tuple[Path, ...], archive_dir: Path, replace: bool) -> None:
    """Add finished runs (scored data, estimates, questionnaire, design). Adding a run that is
    already in the archive changes nothing."""
    from pipeline.archive.store import add_run

    for run in runs:
        res = add_run(archive_dir, run, replace=replace)
        r = res.record
        what = {
            "added": "added",
            "unchanged": "already archived, unchanged",
            "replaced": "replaced",
        }
        click.echo(
            f"{r.id}: {what[res.status]} (wave {r.year}, {r.respondents:,} respondents, "
            f"data version {r.data_version[:12]}, series {res.series})"
        )


@archive.command("list")
@archive_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_(archive_dir: Path, as_json: bool) -> None:
    """List the archived waves by series, and any damage."""
    from pipeline.archive.store import list_waves
    from pipeline.archive.views import chains

    state = list_waves(archive_dir)
    series = chains(state.waves)
    if as_json:
        from pipeline.fileio import dumps_json

        click.echo(
            dumps_json(
                {
                    "archive": str(archive_dir),
                    "series": {
                        name: [w.model_dump(mode="json", exclude={"files"}) for w in reversed(c)]
                        for name, c in series.items()
                    },
                    "problems": [p.render() for p in state.problems],
                }
            ),
            nl=False,
        )
    else:
        if not series:
            click.echo(f"{archive_dir}: no waves yet (add one with 'wbm archive add RUN')")
        for name, chain in series.items():
            click.echo(f"{name} ({chain[0].population}): {len(chain)} wave(s)")
            for w in reversed(chain):
                synth = "  SYNTHETIC" if w.synthetic else ""
                click.echo(
                    f"  {w.year}  {w.id:<28} {w.respondents:>7,} respondents  "
                    f"data {w.data_version[:12]}{synth}"
                )
    if state.problems:
        from pipeline.archive.store import ArchiveError

        raise ArchiveError(
            f"{archive_dir}: the archive is damaged ({len(state.problems)} problem(s)); "
            "the waves above are intact",
            state.problems,
        )


@archive.command("check")
@archive_option
@click.option(
    "--repair",
    is_flag=True,
    help="Rebuild what is derived (views, a damaged archive.json); archived waves are never changed.",
)
def check(archive_dir: Path, repair: bool) -> None:
    """Verify every archived file's SHA-256 and the views; with --repair rebuild the views."""
    from pipeline.archive.store import ArchiveError, check_archive, locked, repair_archive

    if repair:
        rebuilt = repair_archive(archive_dir)
        click.echo(f"{archive_dir}: views rebuilt for {', '.join(rebuilt) or 'no series'}")
    with locked(archive_dir, exclusive=False):
        state = check_archive(archive_dir, deep=True)
    if state.problems:
        raise ArchiveError(f"{archive_dir}: {len(state.problems)} problem(s)", state.problems)
    click.echo(f"{archive_dir}: {len(state.waves)} wave(s), every file intact")


@archive.command("export")
@click.argument("study_id")
@archive_option
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to write the wave's run files into (byte-identical to the run's).",
)
def export(study_id: str, archive_dir: Path, out_dir: Path) -> None:
    """Write an archived wave's run files back (manifest, scored data, estimates, diagnostics and the
    questionnaire file), byte for byte."""
    from pipeline.archive.store import export_wave

    for p in export_wave(archive_dir, study_id, out_dir):
        click.echo(str(p))


@archive.command("series")
@click.argument("indicators", nargs=-1, required=True)
@archive_option
@click.option(
    "--series",
    "series_name",
    default=None,
    help="Series name [default: the only one, or wbm-werknemers].",
)
@click.option(
    "--by", default="", help="Breakdown variable (current name) [default: the whole population]."
)
@click.option(
    "--csv", "as_csv", is_flag=True, help="Write CSV (the series columns) instead of a table."
)
def series(
    indicators: tuple[str, ...], archive_dir: Path, series_name: str | None, by: str, as_csv: bool
) -> None:
    """Print a series: one row per wave (and level) with the estimate, CI, n and break markers."""
    from pipeline.archive.api import open_archive
    from pipeline.errors import Problem, UsageError

    a = open_archive(archive_dir)
    names = a.series_names()
    if series_name is None:
        if len(names) == 1:
            series_name = names[0]
        elif "wbm-werknemers" in names:
            series_name = "wbm-werknemers"
        else:
            raise UsageError(
                "which series? give --series",
                [Problem("several series", expected=", ".join(names))],
                code="bad_option",
            )
    table = a.series(series_name, list(indicators), by=by)
    if as_csv:
        from pipeline.estimation.api import to_csv_text

        click.echo(to_csv_text(table), nl=False)
        return
    for row in table.itertuples(index=False):
        mark = " | breuk" if row.break_before else ""
        level = f" {row.by}={row.level}" if row.by else ""
        click.echo(
            f"{row.indicator}{level} {row.wave}: {100 * row.estimate:5.1f}% "
            f"[{100 * row.ci_low:5.1f} - {100 * row.ci_high:5.1f}] n={row.n}{mark}"
        )
