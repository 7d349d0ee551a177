"""``wbm run``: run (or rerun) pipeline stages on a wave, writing a run directory."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.rundata.layout import STAGES


@click.command("run")
@click.option(
    "--wave",
    "wave_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="A wave directory (as written by 'wbm synth'): questionnaire, inputs and margins from its wave.json.",
)
@click.option(
    "--questionnaire", default=None, help="Questionnaire id or YAML path (instead of --wave)."
)
@click.option(
    "--input",
    "inputs",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Raw data file (instead of --wave); repeatable. Prefix with MODE: to declare the mode, e.g. paper:forms.csv.",
)
@click.option(
    "--dialect",
    "dialects",
    multiple=True,
    metavar="[FILE=]NAME",
    help="Import dialect of the --input files (default: detected; docs/deliveries.md).",
)
@click.option(
    "--mapping",
    "mappings",
    multiple=True,
    metavar="[FILE=]MAP.yaml",
    help="Mapping of source columns and codes of the --input files (repeatable).",
)
@click.option(
    "--margins",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Population margins file (instead of --wave).",
)
@click.option(
    "--frame",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Sample frame (every invited unit with its register variables, docs/frame.md); "
    "with --wave, the wave's own frame is used unless this is given.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Run directory.",
)
@click.option(
    "--stage",
    "stages",
    multiple=True,
    type=click.Choice(STAGES),
    help="Run only these stages (repeatable); default all, in order.",
)
@click.option(
    "--min-n",
    type=int,
    default=30,
    show_default=True,
    help="Suppress estimates below this unweighted n.",
)
@click.option(
    "--min-n-reliable",
    type=int,
    default=50,
    show_default=True,
    help="Mark estimates below this n as 'to be read with care'.",
)
@click.option(
    "--policy",
    type=click.Path(dir_okay=False),
    default=None,
    help="The publisher's disclosure policy (thresholds, registry, ledger) for the outputs stage "
    "[default: $WBM_POLICY].",
)
@click.option(
    "--archive",
    type=click.Path(file_okay=False),
    default=None,
    envvar="WBM_ARCHIVE",
    help="The wave archive: the reports show the earlier waves of this wave's series "
    "(trend charts, change tests) [default: $WBM_ARCHIVE, else none].",
)
@click.option(
    "--method",
    type=click.Choice(["raking", "linear", "logit", "poststratify"]),
    default="raking",
    show_default=True,
    help="Calibration method of the weight stage (as 'wbm weight --method').",
)
@click.option(
    "--bounds",
    default=None,
    metavar="LO,HI",
    help="Bounds on g = weight / base weight (bounded raking, logit), as 'wbm weight --bounds'.",
)
@click.option(
    "--trim-cap", type=float, default=None, help="Largest allowed weight (trim and re-calibrate)."
)
@click.option(
    "--trim-median-k",
    type=float,
    default=None,
    help="Cap the weights at K x the median weight (trim and re-calibrate).",
)
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Language of the validation and weighting reports (run configuration key 'language').",
)
def run(
    wave_dir: Path | None,
    questionnaire: str | None,
    inputs: tuple[Path, ...],
    dialects: tuple[str, ...],
    mappings: tuple[str, ...],
    margins: Path | None,
    frame: Path | None,
    out_dir: Path,
    stages: tuple[str, ...],
    min_n: int,
    min_n_reliable: int,
    policy: str | None,
    archive: str | None,
    method: str,
    bounds: str | None,
    trim_cap: float | None,
    trim_median_k: float | None,
    lang: str,
) -> None:
    """Run pipeline stages; each stage writes its own folder in the run directory."""
    from pipeline.errors import UsageError
    from pipeline.outpath import require_dir
    from pipeline.rundata.layout import policy_reference
    from pipeline.runner import InputSpec, Run, RunConfig, run_stages

    require_dir(out_dir)
    policy_file = None if policy is None else policy_reference(policy, out_dir)
    from pipeline.commands.weight import _bounds

    opts: dict[str, object] = {"min_n": min_n, "min_n_reliable": min_n_reliable, "language": lang}
    # the weight stage's calibration (recorded in 02_weight/calibration.json; every SE follows it)
    opts.update(
        method=method, bounds=_bounds(bounds), trim_cap=trim_cap, trim_median_k=trim_median_k
    )
    # a bad cap is refused before any stage runs (as the weight stage's TrimSpec would)
    if (trim_cap is not None and not trim_cap > 0) or (
        trim_median_k is not None and not trim_median_k > 1
    ):
        raise UsageError(
            f"--trim-cap must be > 0 and --trim-median-k > 1 (found {trim_cap}, {trim_median_k})",
            code="bad_option",
        )
    if policy_file is not None:
        opts["policy"] = policy_file
    if frame is not None:
        opts["frame"] = frame
    if archive is not None:
        opts["archive"] = policy_reference(archive, out_dir)
    if wave_dir is not None:
        if dialects or mappings:
            raise UsageError(
                "--dialect and --mapping go with --input; in a wave directory, give them per "
                'input in wave.json ("dialect", "mapping")'
            )
        cfg = RunConfig.from_wave_dir(wave_dir, **opts)
    else:
        if not (questionnaire and inputs and margins):
            raise UsageError("give --wave DIR, or all of --questionnaire, --input and --margins")
        from pipeline.ingest.inputs import InputFile, per_input_options

        files = per_input_options(
            [InputFile.from_arg(str(raw)) for raw in inputs], dialects, mappings
        )
        specs = [
            InputSpec(path=f.path, mode=f.mode, dialect=f.dialect, mapping=f.mapping) for f in files
        ]
        cfg = RunConfig(
            questionnaire=questionnaire,
            inputs=tuple(specs),
            margins=margins,
            frame=frame,
            min_n=min_n,
            min_n_reliable=min_n_reliable,
            method=method,
            bounds=_bounds(bounds),
            trim_cap=trim_cap,
            trim_median_k=trim_median_k,
            language=lang,  # type: ignore[arg-type]
            policy=policy_file,
            archive=None if archive is None else policy_reference(archive, out_dir),
        )
    r = Run(out_dir, cfg)
    results = run_stages(
        r, stages or STAGES, progress=lambda s: click.echo(f"[wbm] stage {s} ...", err=True)
    )
    for res in results:
        click.echo(
            f"{res.stage:>9}: "
            + ", ".join(f"{k}={v}" for k, v in res.rows.items() if not isinstance(v, (dict, list)))
        )
    click.echo(f"run directory: {out_dir}")
