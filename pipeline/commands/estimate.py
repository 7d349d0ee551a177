"""``wbm estimate``: weighted estimates with design-based intervals for any survey file.

    wbm estimate --data FILE --weight COLUMN --indicators A,B,... --by COLUMN --out FILE.csv
                 [--strata COL] [--psu COL] [--fpc COL]
                 [--margins FILE --base-weight COLUMN [--method M] [--bounds LO,HI]
                  [--trim-cap X | --trim-median-k K]]
                 [--variance linearization|bootstrap --replicates R --seed S]

With ``--margins`` the base weights are calibrated to the margins first (``pipeline.weighting``:
raking, linear, logit or post-stratification, optionally bounded and trimmed, exactly as ``wbm
weight`` does) and the standard errors account for the calibration, whatever the distance, bounds or
trimming (calibration-aware linearization with g = final / base weight, as R ``survey`` stores any
``calibrate()``: golden tests in ``tests/estimation/golden/runmodel/``); ``--weight`` is then optional and, when given, must hold the
same raked weights (a check that the file's weights and the margins agree).

The CSV is the tidy estimates table of :mod:`pipeline.estimation.api` (columns ``indicator, by,
level, n, weighted_n, estimate, se, ci_low, ci_high, deff, flags, stat, ci_method, df, variance``),
one row per indicator and level plus one overall row per indicator with empty ``by`` and ``level``;
``--compare-out`` adds each level against the rest of the population.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from pipeline.errors import EstimationError, Problem, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.estimation.design import Calibration

WEIGHT_RTOL = 1e-6


def _split(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for v in values:
        out += [x.strip() for x in v.split(",") if x.strip()]
    return out


def calibration_from_weighting(info: Any) -> Calibration:
    """Adapt ``pipeline.weighting.api.CalibrationInfo`` to the estimation engine's spec."""
    from pipeline.estimation.design import make_calibration

    return make_calibration(
        list(info.codes),
        info.base_weights,
        n_levels=[len(lv) for lv in info.labels],
        names=list(info.names),
        targets=list(info.targets),
    )


def _rake(
    df: pd.DataFrame,
    margins_path: str,
    base_weight: str | None,
    weight: str | None,
    data_path: str,
    *,
    method: str = "raking",
    bounds: tuple[float, float] | None = None,
    trim: Any = None,
) -> tuple[Any, Calibration]:
    import numpy as np

    from pipeline.weighting.api import weight_frame
    from pipeline.weighting.margins import load_margins

    margins = load_margins(margins_path)
    res = weight_frame(
        df,
        margins,
        base_weight=base_weight,
        method=method,
        bounds=bounds,
        trim=trim,
        file=data_path,
    )
    for n in res.notices:
        click.echo(f"Warning [{n.code}]: {n.message}", err=True)
    if not res.converged:
        raise EstimationError(
            f"calibrating to {margins_path} did not converge (largest relative margin error "
            f"{res.max_error:.3g}); standard errors would not be valid",
            code="not_converged",
        )
    w = np.asarray(res.weight, dtype=np.float64)
    if weight is not None:
        from pipeline.estimation.api import numeric_column

        given = numeric_column(df, weight, data_path)
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.abs(given - w) / np.maximum(np.abs(w), 1e-300)
        bad = np.flatnonzero(~(rel <= WEIGHT_RTOL))
        if bad.size:
            raise EstimationError(
                f"column {weight!r} does not hold the weights obtained by "
                f"{'raking' if method == 'raking' else method + ' calibration of'} "
                f"{base_weight or 'equal weights'} "
                f"to {margins_path} ({bad.size} row(s) differ by more than {WEIGHT_RTOL:g} relative)",
                problems=tuple(
                    Problem(
                        "weight differs from the calibrated weight",
                        file=data_path,
                        row=int(i) + 1,
                        column=weight,
                        value=float(given[i]),
                        expected=repr(float(w[i])),
                        hint="drop --weight to use the raked weights, or fix the margins",
                    )
                    for i in bad[:5]
                ),
                code="weight_mismatch",
            )
    return w, calibration_from_weighting(res.calibration)


@click.command("estimate")
@click.option(
    "--data",
    "data_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Survey file (.csv, .parquet or .sav).",
)
@click.option("--weight", default=None, help="Final weight column (optional with --margins).")
@click.option(
    "--indicators",
    multiple=True,
    required=True,
    help="Indicator columns, comma-separated or repeated (0/1 for proportions).",
)
@click.option("--by", multiple=True, help="Domain columns, comma-separated or repeated.")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Output CSV of the tidy estimates table.",
)
@click.option("--strata", default=None, help="Stratum column.")
@click.option("--psu", default=None, help="PSU (cluster) column; default: every row is a PSU.")
@click.option(
    "--fpc",
    default=None,
    help="Finite population correction column: population PSUs per stratum, or sampling fraction.",
)
@click.option(
    "--lonely-psu",
    type=click.Choice(["fail", "certainty", "remove", "adjust"]),
    default="fail",
    show_default=True,
    help="What a stratum with one PSU contributes.",
)
@click.option(
    "--margins",
    "margins_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Rake --base-weight to these margins first; SEs account for the raking.",
)
@click.option("--base-weight", default=None, help="Base (design) weight column for --margins.")
@click.option(
    "--method",
    type=click.Choice(["raking", "linear", "logit", "poststratify"]),
    default="raking",
    show_default=True,
    help="Calibration distance for --margins (as wbm weight).",
)
@click.option(
    "--bounds",
    default=None,
    metavar="LO,HI",
    help="Bounds on g for --margins, e.g. 0.3,3 (logit needs them).",
)
@click.option(
    "--trim-cap", type=float, default=None, help="With --margins: largest allowed weight."
)
@click.option(
    "--trim-median-k",
    type=float,
    default=None,
    help="With --margins: largest allowed weight as a multiple of the median weight.",
)
@click.option(
    "--variance",
    type=click.Choice(["linearization", "bootstrap"]),
    default="linearization",
    show_default=True,
)
@click.option(
    "--replicates",
    type=click.IntRange(min=2),
    default=200,
    show_default=True,
    help="Bootstrap replicates.",
)
@click.option("--seed", type=int, default=None, help="Bootstrap seed (default: a fixed seed).")
@click.option(
    "--stat",
    type=click.Choice(["proportion", "mean", "total"]),
    default="proportion",
    show_default=True,
)
@click.option(
    "--ci-method",
    type=click.Choice(["auto", "logit", "korn_graubard"]),
    default="auto",
    show_default=True,
    help="Proportion intervals; auto = logit, Korn-Graubard when extreme.",
)
@click.option(
    "--level",
    type=click.FloatRange(0.5, 1.0, min_open=True, max_open=True),
    default=0.95,
    show_default=True,
)
@click.option(
    "--min-n",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="Flag 'suppressed' below this unweighted n.",
)
@click.option(
    "--careful-n",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="Flag 'unreliable' below this unweighted n.",
)
@click.option(
    "--compare-out",
    default=None,
    type=click.Path(dir_okay=False),
    help="Also write each level against the rest of the population (CSV).",
)
def estimate(
    data_path: str,
    weight: str | None,
    indicators: tuple[str, ...],
    by: tuple[str, ...],
    out_path: str,
    strata: str | None,
    psu: str | None,
    fpc: str | None,
    lonely_psu: str,
    margins_path: str | None,
    base_weight: str | None,
    method: str,
    bounds: str | None,
    trim_cap: float | None,
    trim_median_k: float | None,
    variance: str,
    replicates: int,
    seed: int | None,
    stat: str,
    ci_method: str,
    level: float,
    min_n: int,
    careful_n: int,
    compare_out: str | None,
) -> None:
    """Weighted proportions, means or totals with design-based SEs, CIs and design effects."""
    from pipeline.estimation import api
    from pipeline.estimation.config import EstimationConfig
    from pipeline.estimation.design import make_design
    from pipeline.estimation.reliability import ReliabilityRules
    from pipeline.outpath import require_file_target
    from pipeline.weighting.frameio import read_frame

    require_file_target(out_path)
    if compare_out:
        require_file_target(compare_out, option="--compare-out")
    inds, bys = _split(indicators), _split(by)
    if not inds:
        raise UsageError("--indicators names no column", code="bad_option")
    if margins_path is None and weight is None:
        raise UsageError(
            "give --weight COLUMN (or --margins FILE with --base-weight COLUMN)", code="bad_option"
        )
    if margins_path is None and base_weight is not None:
        raise UsageError("--base-weight is only used with --margins", code="bad_option")
    calib_opts = {
        "--method": method != "raking",
        "--bounds": bounds is not None,
        "--trim-cap": trim_cap is not None,
        "--trim-median-k": trim_median_k is not None,
    }
    given = [k for k, v in calib_opts.items() if v]
    if margins_path is None and given:
        raise UsageError(
            f"{', '.join(given)}: only used with --margins (the weights are calibrated first)",
            code="bad_option",
        )
    if compare_out and not bys:
        raise UsageError("--compare-out needs --by", code="bad_option")
    if min_n > careful_n:
        raise UsageError(
            f"--min-n ({min_n}) must not exceed --careful-n ({careful_n})", code="bad_option"
        )
    cfg = EstimationConfig(
        level=level,
        ci_method=ci_method,  # type: ignore[arg-type]
        reliability=ReliabilityRules(min_n, careful_n),
    )
    frame = read_frame(data_path)
    df = frame.missing_as_nan([*inds, *bys])
    design_cols = [c for c in (weight, strata, psu, fpc, base_weight) if c]
    api.require_columns(df, [*design_cols, *inds, *bys], file=data_path)

    cal = None
    if margins_path is not None:
        from pipeline.commands.weight import _bounds
        from pipeline.weighting.trimming import TrimSpec

        trim = (
            TrimSpec(cap=trim_cap, median_k=trim_median_k)
            if (trim_cap is not None or trim_median_k is not None)
            else None
        )
        w, cal = _rake(
            df,
            margins_path,
            base_weight,
            weight,
            data_path,
            method=method,
            bounds=_bounds(bounds),
            trim=trim,
        )
    else:
        assert weight is not None
        w = api.numeric_column(df, weight, data_path)
    design = make_design(
        w,
        strata=df[strata].to_numpy() if strata else None,
        psu=df[psu].to_numpy() if psu else None,
        fpc=api.numeric_column(df, fpc, data_path) if fpc else None,
        calibration=cal,
        lonely_psu=lonely_psu,
    )
    kw: dict[str, Any] = {
        "stat": stat,
        "config": cfg,
        "variance": variance,
        "replicates": replicates,
        "seed": api.DEFAULT_SEED if seed is None else seed,
        "file": data_path,
    }
    res = api.estimate(df, design, inds, bys, **kw)
    for n in res.notices:
        click.echo(f"Note [{n.code}]: {n.message}", err=True)
    api.write_csv(res.table, out_path)
    if compare_out:
        api.write_csv(api.compare_domains(df, design, inds, bys, **kw), compare_out)
    flagged = int((res.table["flags"] != "").sum())
    click.echo(f"wrote {len(res.table)} estimates ({flagged} flagged) to {out_path}", err=True)
