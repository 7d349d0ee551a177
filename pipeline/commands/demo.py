"""``wbm demo``: generate a synthetic wave and run every stage on it (the README's main command)."""

from __future__ import annotations

import time
from pathlib import Path

import click


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("demo-output"),
    show_default=True,
    help="Where the wave and the run directory are written.",
)
@click.option(
    "--survey",
    type=click.Choice(["werknemers", "zelfstandigen", "oe", "pc126", "all"]),
    default="werknemers",
    show_default=True,
    help="Which instrument: the employees, the self-employed, the enterprise survey (telephone), "
    "the sectoral measurement PC 126, or all of them in turn (the others in OUT/<survey>/).",
)
@click.option(
    "--size",
    type=click.IntRange(min=500),
    default=None,
    help="Number of units invited (default: the instrument's own; employees 40,000 as in 2023, "
    "self-employed 12,000, enterprise survey 3,900, PC 126 5,000). With --survey all it applies "
    "to the employees only.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=2023,
    show_default=True,
    help="Random seed of the synthetic wave.",
)
@click.option(
    "--history/--no-history",
    default=True,
    show_default=True,
    help="First generate, run and archive every past wave since 2004 (OUT/archive), so the "
    "reports show the series; sizes scale with --size.",
)
@click.option(
    "--datatool/--no-datatool",
    default=True,
    show_default=True,
    help="With the history: build the datatool's release over the archive (OUT/datatool; a "
    "reference subset of indicators and breakdowns, every wave) and print how to start it.",
)
@click.option(
    "--serve/--no-serve",
    default=False,
    show_default=True,
    help="At the end, start the datatool over the demo's release in the background (log and pid "
    "file in OUT), wait until its page answers and print its URL and how to stop it "
    "(scripts/demo.sh does).",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8000,
    envvar="WBM_DATATOOL_PORT",
    show_default=True,
    help="With --serve: the datatool's port (or WBM_DATATOOL_PORT); when it is busy the next "
    "free one is taken and said.",
)
def demo(
    out_dir: Path,
    survey: str,
    size: int | None,
    seed: int,
    history: bool,
    datatool: bool,
    serve: bool,
    port: int,
) -> None:
    """Generate a SYNTHETIC wave and run validate -> weight -> score -> estimate -> outputs on it,
    printing each headline beside the synthetic truth; for the employees with the history (default)
    the earlier waves since 2004 first, in a wave archive."""
    from pipeline.demo import run_demos
    from pipeline.outpath import require_dir

    require_dir(out_dir)
    t0 = time.perf_counter()
    results = run_demos(
        out_dir,
        survey,
        size=size,
        seed=seed,
        progress=lambda s: click.echo(f"[wbm] {s} ...", err=True),
        history=history,
        datatool=datatool,
    )
    click.echo("\n\n".join(r.render() for r in results))
    click.echo(f"finished in {time.perf_counter() - t0:.1f} s")
    built = [r for r in results if r.datatool is not None and r.archive is not None]
    if serve and built:
        from pipeline.datatool.launch import start

        r = built[-1]
        assert r.datatool is not None and r.archive is not None
        click.echo("[wbm] starting the datatool ...", err=True)
        running = start(r.archive, r.datatool.release, out_dir, port=port)
        click.echo("")
        click.echo("\n".join(running.render()))
    elif serve:
        click.echo("no datatool to start (it needs the history and --datatool)", err=True)
