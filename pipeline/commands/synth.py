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
    default=None,
    help="Number of units invited or selected (default: the model's; employees 2023: 40,000, "
    "self-employed 12,000, enterprise survey 3,900).",
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
    help="Questionnaire id or YAML path whose items, routing and scales the answers follow "
    "(every shipped questionnaire: see 'wbm questionnaire check').",
)
@click.option(
    "--model",
    "model",
    default=None,
    help="Synthetic model (name in pipeline/synth/models/ or YAML path); default: the one chosen "
    "for the questionnaire.",
)
def synth(
    out_dir: Path, size: int | None, seed: int, questionnaire: str, model: str | None
) -> None:
    """Generate a SYNTHETIC wave for any shipped instrument: keyed paper forms (CSV), a web export
    (.sav) or a telephone agency's export (.sav) with call records, the population margins, the
    sample frame and the true population values."""
    from pipeline.outpath import require_dir
    from pipeline.synth.wave import generate_wave

    require_dir(out_dir)
    s = generate_wave(out_dir, size=size, seed=seed, questionnaire=questionnaire, model_path=model)
    rate = s.respondents / s.size if s.size else 0.0
    click.echo(
        f"SYNTHETIC wave written to {s.out_dir} (questionnaire {s.questionnaire}, model {s.model}, "
        f"seed {s.seed})"
    )
    click.echo(f"  invited      {s.size:>8,}")
    click.echo(f"  respondents  {s.respondents:>8,}  ({rate:.1%})")
    if s.interviews:
        click.echo(f"  interviews   {s.interviews:>8,}  (telephone, incl. partial interviews)")
    else:
        click.echo(f"  paper forms  {s.paper_forms:>8,}")
        click.echo(f"  web records  {s.web_records:>8,}")
        click.echo(
            f"  both modes   {s.both_modes:>8,}   out of the target population: {s.out_of_target:,}"
        )
    if s.headline is not None and s.truth_headline is not None:
        click.echo(f"  true {s.headline} in the synthetic population: {s.truth_headline:.1%}")
    click.echo("  files: " + ", ".join(p.name for p in s.files))
