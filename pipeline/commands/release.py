"""``wbm release``: build an anonymised microdata release from a finished run.

    wbm release --profile public-use --run RUNDIR --out DIR
    wbm release --profile my-profile.yaml --run RUNDIR --out DIR --lang en --no-pdf

``--profile`` is a YAML file or the name of a shipped profile (``releases/``: ``public-use``,
``scientific-use``). Reads ``RUNDIR/03_score/scored.parquet`` and ``RUNDIR/manifest.json`` (a run
stopped after scoring will do) and the questionnaire file the run recorded; writes
the .sav, .dta, CSV + datapackage.json, codebook (HTML, PDF), risk report, README and manifest.json
to ``DIR`` (see :mod:`pipeline.release.build`). Lists the files on stdout and a summary of the
disclosure control on stderr; never prints a respondent's answer.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.command("release")
@click.option(
    "--profile",
    "profile",
    required=True,
    metavar="FILE|NAME",
    help="Release profile: a YAML file, or public-use / scientific-use.",
)
@click.option(
    "--run",
    "run_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Run directory (with 03_score/scored.parquet and manifest.json).",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Directory for the release (created; must be empty or hold an earlier release).",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "nl"]),
    default="nl",
    show_default=True,
    help="Language of the documents (README, codebook, risk report) and of the SPSS/Stata "
    "variable and value labels; the CSV, JSON and manifest do not depend on it.",
)
@click.option(
    "--seed",
    type=click.IntRange(0),
    default=None,
    help="Seed of the release ids and PRAM [default: from the run's release_seed and the profile name].",
)
@click.option(
    "--pdf/--no-pdf",
    default=True,
    show_default=True,
    help="Also write the codebook as PDF (WeasyPrint).",
)
@click.option(
    "--recipient",
    default=None,
    metavar="ID",
    help="The registered recipient the release goes to (publisher's registry; required).",
)
@click.option(
    "--policy",
    "policy",
    default=None,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The publisher's policy file [default: $WBM_POLICY, then the policy the run recorded].",
)
@click.option(
    "--questionnaire",
    default=None,
    help="Questionnaire id or YAML path [default: the file the run recorded in its manifest].",
)
def release(
    profile: str,
    run_dir: Path,
    out_dir: Path,
    lang: str,
    seed: int | None,
    pdf: bool,
    questionnaire: str | None,
    recipient: str | None,
    policy: Path | None,
) -> None:
    """Build an anonymised microdata release (SPSS, Stata, CSV, codebook, README) from a run, for a
    registered recipient (checked against the publisher's release register)."""
    from pipeline.errors import Problem, UsageError
    from pipeline.outpath import require_dir
    from pipeline.release.build import build_release
    from pipeline.sdc.publisher import publisher

    require_dir(out_dir)
    if recipient is None:
        raise UsageError(
            "a microdata release goes to a registered recipient",
            [
                Problem(
                    "--recipient is missing",
                    expected="a recipient id of the publisher's registry (requesters.yaml)",
                    hint="wbm release --recipient ID ...; a second, linkable release of the same "
                    "data to the same organisation is refused",
                )
            ],
            code="no_recipient",
        )
    pub = publisher(policy, recorded=_recorded_policy(run_dir))
    b = build_release(
        run_dir,
        profile,
        out_dir,
        seed=seed,
        lang=lang,
        pdf=pdf,
        questionnaire=questionnaire,
        recipient=recipient,
        publisher=pub,
    )
    for p in b.files:
        click.echo(str(p))
    rep = b.result.report
    released = rep.stage("released")
    lines = [
        f"{rep.profile}: {len(b.table.frame):,} records, {len(b.table.variables)} variables in {b.out_dir}",
        f"k = {rep.k} on {', '.join(rep.keys)}: {rep.stage('recoded').violating:,} records violated it after the "
        f"recodes, {released.violating} after suppressing {rep.suppressed_total:,} values in {rep.records_suppressed:,} records",
    ]
    if rep.weight_linkage is not None and rep.weights is not None:
        wl = rep.weight_linkage
        lines.append(
            f"weights: {rep.weights.method}; {wl.recoverable_cells} of {wl.protected_cells} protected values of the "
            "weighting variables can be read back from the released weight"
        )
    lines += [f"notice {n.code}: {n.message}" for n in rep.notices]
    click.echo("\n".join(lines), err=True)


def _recorded_policy(run_dir: Path) -> str | None:
    """The policy the run recorded (None: none, or no readable manifest: the release's own reader
    then reports the damaged run with its located error)."""
    from pipeline.errors import PipelineError
    from pipeline.rundata.read import run_manifest
    from pipeline.tables.source import recorded_policy

    try:
        return recorded_policy(run_manifest(run_dir), run_dir)
    except PipelineError:
        return None
