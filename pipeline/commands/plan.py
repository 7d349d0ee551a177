"""``wbm plan``: invitations per domain for the next wave, simulated on the synthetic population."""

from __future__ import annotations

from pathlib import Path

import click

HELP = """Plan the next wave: the number of invitations per level of a register variable (e.g.
sector) so that every reported domain meets its precision target (at least N respondents and/or a
95% CI half-width of at most H points on the indicators, the design effect of weighting included)
at the lowest cost, from the response of the run's wave by domain and mode. A minimum-cost
allocation (Bethel/Chromy, SciPy); domains that cannot reach their target within the budget or the
population are named. On a synthetic wave the plan is simulated on the generator's population
(draw, respond, weight, estimate; --replications).

\b
The targets file: docs/plan.md. Writes plan.json (every figure), plan.csv (one row per domain)
and plan.html (plan.en.html with --lang en) into --out (default RUN/07_plan). The sample frame is
--frame, else --wave DIR's frame.parquet.
"""


@click.command("plan", help=HELP)
@click.option(
    "--run",
    "run_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Run directory of the last wave.",
)
@click.option(
    "--targets",
    "targets_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Targets file (docs/plan.md).",
)
@click.option(
    "--frame",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Sample frame of the last wave (docs/frame.md).",
)
@click.option(
    "--wave",
    "wave_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Wave directory (its frame.parquet; a synthetic wave's population for the simulation).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Output folder (default RUN/07_plan).",
)
@click.option(
    "--replications",
    type=click.IntRange(0, 10_000),
    default=200,
    show_default=True,
    help="Simulation replications on a synthetic wave (0: no simulation).",
)
@click.option("--seed", type=click.IntRange(0), default=20260, show_default=True)
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Summary language.",
)
def plan(
    run_dir: Path,
    targets_path: Path,
    frame: Path | None,
    wave_dir: Path | None,
    out: Path | None,
    replications: int,
    seed: int,
    lang: str,
) -> None:
    from pipeline.outpath import require_dir
    from pipeline.reports.plan import make_plan, need_frame, write_plan
    from pipeline.rundata.layout import tool_dir
    from pipeline.rundata.read import recorded_questionnaire, require_run_dir, run_manifest

    run = require_run_dir(run_dir)
    out_dir = require_dir(out or tool_dir(run, "plan"))
    frame_path = need_frame(frame, wave_dir)
    q = recorded_questionnaire(run, run_manifest(run))
    res = make_plan(
        run, frame_path, targets_path, q, wave_dir=wave_dir, replications=replications, seed=seed
    )
    p = res.plan
    click.echo(
        f"{p.invitations:,} invitations, expected cost {p.cost:,.0f} "
        f"(proportional for the same targets: {p.proportional_invitations:,}, {p.proportional_cost:,.0f})"
    )
    missed = [s.label for s in p.strata if s.target and not s.reached]
    if missed:
        click.echo(f"target out of reach: {', '.join(missed)}")
    if res.simulation is not None:
        click.echo(
            f"simulation: all reachable targets met in {100 * res.simulation.all_met_share:.1f}% "
            f"of {res.simulation.replications} replications"
        )
    for path in write_plan(res, out_dir, lang=lang):
        click.echo(f"wrote {path}")
