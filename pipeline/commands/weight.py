"""``wbm weight``: weight any survey file to population margins.

Output: every input row plus ``weight`` (sums to the population) and ``weight_normalised`` (sums to
n), in the format given by the output's extension (.csv, .parquet, .sav).
"""

from __future__ import annotations

import click

from pipeline.errors import ConvergenceError, UsageError


def _bounds(value: str | None) -> tuple[float, float] | None:
    if value is None:
        return None
    try:
        lo, hi = (float(x) for x in value.split(","))
    except ValueError:
        raise UsageError(
            f"--bounds must be LO,HI (two numbers), found {value!r}", code="bad_option"
        ) from None
    return lo, hi


@click.command("weight")
@click.option(
    "--data",
    "data_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Survey file (.csv, .parquet or .sav).",
)
@click.option(
    "--margins",
    "margins_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Margins CSV (variable,level,total) with optional .yaml metadata beside it.",
)
@click.option("--base-weight", default=None, help="Column with base (design) weights; default 1.")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Output file; format by extension (.csv, .parquet, .sav).",
)
@click.option(
    "--method",
    type=click.Choice(["raking", "linear", "logit", "poststratify"]),
    default="raking",
    show_default=True,
)
@click.option(
    "--bounds",
    default=None,
    metavar="LO,HI",
    help="Bounds on g = weight / (base weight scaled to the population), e.g. 0.3,3.",
)
@click.option("--trim-cap", type=float, default=None, help="Largest allowed weight (absolute).")
@click.option(
    "--trim-median-k",
    type=float,
    default=None,
    help="Largest allowed weight as a multiple of the median weight.",
)
@click.option("--max-iter", type=int, default=100, show_default=True)
@click.option(
    "--tol",
    type=float,
    default=1e-10,
    show_default=True,
    help="Largest accepted relative margin error.",
)
@click.option(
    "--diagnostics",
    "diag_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Write the diagnostics JSON here.",
)
@click.option(
    "--report",
    "report_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Write the HTML weighting report here.",
)
@click.option(
    "--keep-unconverged",
    is_flag=True,
    help="Write the output even when the weights did not converge (with a warning).",
)
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Language of the --report HTML (the --diagnostics JSON keeps its keys and codes).",
)
def weight(
    data_path: str,
    margins_path: str,
    base_weight: str | None,
    out_path: str,
    method: str,
    bounds: str | None,
    trim_cap: float | None,
    trim_median_k: float | None,
    max_iter: int,
    tol: float,
    diag_path: str | None,
    report_path: str | None,
    keep_unconverged: bool,
    lang: str,
) -> None:
    """Weight any survey file to population margins (raking, calibration, post-stratification)."""
    from pipeline.fileio import sha256_file, write_json
    from pipeline.outpath import require_file_target
    from pipeline.rundata.columns import WEIGHT, WEIGHT_COLUMNS, WEIGHT_NORMALISED
    from pipeline.weighting.api import weight_frame
    from pipeline.weighting.diagnostics import render_report, to_json
    from pipeline.weighting.frameio import read_frame, write_frame
    from pipeline.weighting.margins import load_margins
    from pipeline.weighting.trimming import TrimSpec

    for target, option in (
        (out_path, "--out"),
        (diag_path, "--diagnostics"),
        (report_path, "--report"),
    ):
        if target is not None:
            require_file_target(target, option=option)
    bnd = _bounds(bounds)
    trim = (
        TrimSpec(cap=trim_cap, median_k=trim_median_k)
        if (trim_cap is not None or trim_median_k is not None)
        else None
    )
    margins = load_margins(margins_path)
    frame = read_frame(data_path)
    for col in WEIGHT_COLUMNS:
        if col in frame.df.columns:
            raise UsageError(
                f"the data already has a column {col!r}; rename or drop it first",
                code="column_exists",
            )
    res = weight_frame(
        frame.df,
        margins,
        base_weight=base_weight,
        method=method,
        bounds=bnd,
        trim=trim,
        max_iter=max_iter,
        tol=tol,
        file=data_path,
    )
    inputs = {
        "data": data_path,
        "data_sha256": sha256_file(data_path),
        "margins": margins_path,
        "margins_sha256": sha256_file(margins_path),
        "base_weight": base_weight,
    }
    if diag_path:
        write_json(diag_path, to_json(res, inputs=inputs, margins_meta=margins.meta))
    if report_path:
        render_report(res, report_path, inputs=inputs, margins_meta=margins.meta, lang=lang)
    for n in res.notices:
        click.echo(f"Warning [{n.code}]: {n.message}", err=True)
    if not res.converged and not keep_unconverged:
        raise ConvergenceError(
            f"weighting did not converge after {res.iterations} iterations (largest relative "
            f"margin error {res.max_error:.3g}); nothing written to {out_path}. Raise --max-iter, "
            "loosen --tol or --bounds, collapse sparse levels, or pass --keep-unconverged."
        )
    out = frame.df.copy()
    out[WEIGHT] = res.weight
    out[WEIGHT_NORMALISED] = res.weight_normalised
    write_frame(out, out_path, sav_meta=frame.sav_meta)
    d = res.diagnostics
    click.echo(
        f"Weighted {d.n} rows with {method}: sum of weights {d.total:,.2f}, "
        f"{res.iterations} iteration(s), largest margin error {res.max_error:.2e}, "
        f"Kish deff {d.kish_deff:.3f}, effective n {d.effective_n:.1f} -> {out_path}"
    )
