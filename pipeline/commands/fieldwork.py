"""``wbm fieldwork``: response, representativeness and mode effects of a run."""

from __future__ import annotations

from pathlib import Path

import click

HELP = """Fieldwork report of a run: response by mode and by register variable, R-indicators and
partial R-indicators (representativeness, with 95% CIs), mode effects (each mode weighted to the
same population; raw difference split into selection and a remaining, possibly measurement,
difference with CIs), item nonresponse, straightlining and completion time by mode.

\b
Writes fieldwork.json (every figure) and fieldwork.html (fieldwork.en.html with --lang en) into
--out (default RUN/06_fieldwork). The sample frame is --frame, else the frame of the wave the run
was made from (--wave DIR: DIR/frame.parquet).
"""


@click.command("fieldwork", help=HELP)
@click.option(
    "--run",
    "run_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Run directory.",
)
@click.option(
    "--frame",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Sample frame (docs/frame.md).",
)
@click.option(
    "--wave",
    "wave_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Wave directory whose frame.parquet to use (instead of --frame).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Output folder (default RUN/06_fieldwork).",
)
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Report language.",
)
@click.option(
    "--method",
    type=click.Choice(["calibration", "propensity"]),
    default="calibration",
    show_default=True,
    help="How each mode is weighted to the same population.",
)
@click.option(
    "--policy",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Disclosure policy for the breakdown by origin (default $WBM_POLICY, else the run's).",
)
@click.option(
    "--calls",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The agency's call records (CSV: id, attempt, interviewer, outcome, disposition on the "
    "last call): AAPOR RR1-RR4 per stratum from the calls and a summary per interviewer "
    "[default with --wave: its call_records.csv when there is one].",
)
def fieldwork(
    run_dir: Path,
    frame: Path | None,
    wave_dir: Path | None,
    out: Path | None,
    lang: str,
    method: str,
    policy: Path | None,
    calls: Path | None,
) -> None:
    from pipeline.errors import Problem, UsageError
    from pipeline.outpath import require_dir
    from pipeline.reports.fieldwork import write_fieldwork
    from pipeline.rundata.layout import tool_dir
    from pipeline.rundata.read import recorded_questionnaire, require_run_dir, run_manifest

    run = require_run_dir(run_dir)
    out_dir = require_dir(out or tool_dir(run, "fieldwork"))
    if frame is None:
        if wave_dir is None:
            raise UsageError(
                "no sample frame",
                [
                    Problem(
                        "give --frame FILE or --wave DIR",
                        hint="the frame lists every invited unit (docs/frame.md)",
                    )
                ],
                code="bad_option",
            )
        frame = wave_dir / "frame.parquet"
    if calls is None and wave_dir is not None and (wave_dir / "call_records.csv").is_file():
        calls = wave_dir / "call_records.csv"
    q = recorded_questionnaire(run, run_manifest(run))
    res, paths = write_fieldwork(
        run, frame, out_dir, q, lang=lang, method=method, policy=policy, calls=calls
    )
    r = res.representativeness
    click.echo(
        f"response {res.respondents:,} of {res.invited:,} ({100 * res.respondents / res.invited:.1f}%); R-indicator {r.r:.3f} (95% CI {r.ci_low:.3f} - {r.ci_high:.3f})"
    )
    for p in paths:
        click.echo(f"wrote {p}")
