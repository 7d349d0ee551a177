"""``wbm synth``: generate a synthetic mixed-mode wave (the project's embedded default data)."""

from __future__ import annotations

from pathlib import Path

import click

DEFAULT_QUESTIONNAIRE = (
    "wbm-werknemers-2023"  # same as pipeline.synth.wave (kept here: no heavy import)
)


@click.command("synth")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Wave directory to write (created if needed; files in it are replaced).",
)
@click.option(
    "--size",
    type=click.IntRange(min=1),
    default=40_000,
    show_default=True,
    help="Number of employees invited (the 2023 wave invited 40,000).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=2023,
    show_default=True,
    help="Random seed: the same seed gives byte-identical files.",
)
@click.option(
    "--questionnaire",
    default=DEFAULT_QUESTIONNAIRE,
    show_default=True,
    help="Questionnaire id or YAML path whose items, routing and scales the answers follow.",
)
def synth(out_dir: Path, size: int, seed: int, questionnaire: str) -> None:
    """Generate a SYNTHETIC wave: paper forms as keyed (CSV), a web export (.sav), the population
    margins, the invited sample frame and the true population values."""
    from pipeline.outpath import require_dir
    from pipeline.synth.wave import generate_wave

    require_dir(out_dir)
    s = generate_wave(out_dir, size=size, seed=seed, questionnaire=questionnaire)
    rate = s.respondents / s.size if s.size else 0.0
    click.echo(
        f"SYNTHETIC wave written to {s.out_dir} (questionnaire {s.questionnaire}, seed {s.seed})"
    )
    click.echo(f"  invited      {s.size:>8,}")
    click.echo(f"  respondents  {s.respondents:>8,}  ({rate:.1%})")
    click.echo(f"  paper forms  {s.paper_forms:>8,}")
    click.echo(f"  web records  {s.web_records:>8,}")
    click.echo(
        f"  both modes   {s.both_modes:>8,}   out of target (working == 2): {s.out_of_target:,}"
    )
    if s.truth_werkbaar_werk is not None:
        click.echo(f"  true werkbaar werk in the synthetic population: {s.truth_werkbaar_werk:.1%}")
    click.echo("  files: " + ", ".join(p.name for p in s.files))
