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
    "--size",
    type=click.IntRange(min=500),
    default=40_000,
    show_default=True,
    help="Number of employees invited (the 2023 wave invited 40,000).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=2023,
    show_default=True,
    help="Random seed of the synthetic wave.",
)
def demo(out_dir: Path, size: int, seed: int) -> None:
    """Generate a SYNTHETIC wave and run validate -> weight -> score -> estimate -> outputs on it."""
    from pipeline.demo import run_demo
    from pipeline.outpath import require_dir

    require_dir(out_dir)
    t0 = time.perf_counter()
    res = run_demo(
        out_dir, size=size, seed=seed, progress=lambda s: click.echo(f"[wbm] {s} ...", err=True)
    )
    click.echo(res.render(elapsed=time.perf_counter() - t0))
