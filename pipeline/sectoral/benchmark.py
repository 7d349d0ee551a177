"""A sector's own sample beside a matched benchmark from the main wave.

1. The benchmark: the main wave's respondents in ``where`` (e.g. blue-collar workers in industry),
   with their weights.
2. Reweighted to the sector's composition: the benchmark weights are raked (the project's raking
   core) so that the benchmark's shares of each ``reweight`` variable (sex, age band) equal the
   sector's weighted shares; the benchmark's total stays its own. Levels absent from the sector are
   left out of the benchmark; a sector level without benchmark respondents is an error
   (``benchmark_empty``).
3. Benchmark estimates: proportions with the reweighted weights, linearised with the reweighting as
   a calibration (calibration-aware residuals on the ``reweight`` margins). The main wave's own
   raking is not repeated in this variance (its weighting variables sector and statute define the
   benchmark group, whose total it fixes).
4. The sector's estimates are its run's own (the estimates table, with its run's calibration
   model); the two samples are independent, so the difference has the variance
   ``se_sector^2 + se_benchmark^2`` (:func:`pipeline.estimation.compare.compare_waves`), tested at 5%.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pipeline.errors import EstimationError, Problem
from pipeline.sectoral.spec import BenchmarkSpec

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.estimation.config import EstimationConfig

BENCH_WEIGHT = "_benchmark_weight"
BASE = "_benchmark_base"


@dataclass(frozen=True)
class CompositionRow:
    variable: str
    level: str
    sector: float  # the sector's weighted share
    benchmark_before: float  # the benchmark's share with the main wave's weights
    benchmark_after: float  # after reweighting (equals ``sector``)


@dataclass(frozen=True, eq=False)
class BenchmarkResult:
    spec: BenchmarkSpec
    table: pd.DataFrame  # one row per indicator: see :data:`COLUMNS`
    composition: tuple[CompositionRow, ...]
    n_benchmark: int


COLUMNS = (
    "indicator",
    "n",
    "estimate",
    "ci_low",
    "ci_high",
    "se",
    "n_benchmark",
    "estimate_benchmark",
    "ci_low_benchmark",
    "ci_high_benchmark",
    "se_benchmark",
    "estimate_benchmark_unadjusted",
    "diff",
    "diff_se",
    "p_value",
    "significant",
    "flags",
)


def _shares(values: np.ndarray, w: np.ndarray) -> dict[float, float]:
    ok = np.isfinite(values)
    tot = float(w[ok].sum())
    return {float(lv): float(w[ok & (values == lv)].sum()) / tot for lv in np.unique(values[ok])}


def compare_to_benchmark(
    spec: BenchmarkSpec,
    sector_estimates: pd.DataFrame,
    sector_scored: pd.DataFrame,
    main_scored: pd.DataFrame,
    *,
    weight: str = "weight",
    config: EstimationConfig | None = None,
) -> BenchmarkResult:
    """See the module docstring. ``sector_estimates``: the sector run's estimates table;
    ``*_scored``: the runs' scored respondents with their ``weight``."""
    import pandas as pd

    from pipeline.estimation.api import DesignSpec, calibration_from_columns, estimate
    from pipeline.estimation.compare import compare_waves
    from pipeline.estimation.reliability import SUPPRESSED, has_flag
    from pipeline.rundata.levels import level_text
    from pipeline.weighting.raking import rake

    keep = np.ones(len(main_scored), dtype=bool)
    for var, codes in spec.where:
        keep &= main_scored[var].isin(codes).to_numpy()
    bench = main_scored.loc[keep].copy()
    w_sector = sector_scored[weight].to_numpy(dtype=np.float64)
    composition: list[CompositionRow] = []
    codes_list, targets = [], []
    for var in spec.reweight:
        target = _shares(sector_scored[var].to_numpy(dtype=np.float64), w_sector)
        bench = bench[bench[var].isin([lv for lv, s in target.items() if s > 0])]
    if bench.empty:
        raise EstimationError(
            f"no respondent of the main wave is in the benchmark {spec.label!r}",
            [Problem("empty benchmark", path="benchmark.where", file=spec.source or None)],
            code="benchmark_empty",
        )
    w0 = bench[weight].to_numpy(dtype=np.float64)
    total = float(w0.sum())
    for var in spec.reweight:
        target = {
            lv: s
            for lv, s in _shares(sector_scored[var].to_numpy(dtype=np.float64), w_sector).items()
            if s > 0
        }
        levels = sorted(target)
        v = bench[var].to_numpy(dtype=np.float64)
        present = set(np.unique(v[np.isfinite(v)]).tolist())
        missing = [lv for lv in levels if lv not in present]
        if missing:
            raise EstimationError(
                f"the benchmark has no respondents in {var} = "
                + ", ".join(level_text(m) for m in missing),
                [
                    Problem(
                        "sector level without benchmark respondents",
                        column=var,
                        value=[level_text(m) for m in missing],
                        hint="widen the benchmark (benchmark.where) or drop the variable from reweight",
                        code="benchmark_empty",
                    )
                ],
                code="benchmark_empty",
            )
        idx = {lv: i for i, lv in enumerate(levels)}
        codes_list.append(np.array([idx[x] for x in v], dtype=np.intp))
        targets.append(np.array([target[lv] * total for lv in levels]))
        before = _shares(v, w0)
        composition += [
            CompositionRow(var, level_text(lv), target[lv], before.get(lv, 0.0), target[lv])
            for lv in levels
        ]
    res = rake(codes_list, targets, w0, names=list(spec.reweight))
    if not res.converged:
        raise EstimationError(
            "the benchmark cannot be reweighted to the sector's composition",
            [Problem("raking did not converge", path="benchmark.reweight")],
            code="benchmark_empty",
        )
    bench[BENCH_WEIGHT] = res.weights
    bench[BASE] = w0
    inds = list(spec.indicators)
    cal = calibration_from_columns(bench, [[v] for v in spec.reweight], BASE)
    bt = estimate(
        bench, DesignSpec(weight=BENCH_WEIGHT), inds, config=config, calibration=cal
    ).table
    raw = estimate(bench, DesignSpec(weight=BASE), inds, config=config).table
    sec = sector_estimates[
        (sector_estimates["by"].fillna("").astype(str) == "")
        & sector_estimates["indicator"].isin(inds)
    ]
    cmp = compare_waves(sec, bt, config=config)
    cmp = cmp[cmp["indicator"].isin(inds)].set_index("indicator")
    s_idx, b_idx, r_idx = (t.set_index("indicator") for t in (sec, bt, raw))
    rows = []
    for ind in inds:
        if ind not in s_idx.index:
            continue
        s, b, c = s_idx.loc[ind], b_idx.loc[ind], cmp.loc[ind]
        suppressed = has_flag(s["flags"], SUPPRESSED) or has_flag(b["flags"], SUPPRESSED)
        rows.append(
            {
                "indicator": ind,
                "n": int(s["n"]),
                "estimate": float(s["estimate"]),
                "ci_low": float(s["ci_low"]),
                "ci_high": float(s["ci_high"]),
                "se": float(s["se"]),
                "n_benchmark": int(b["n"]),
                "estimate_benchmark": float(b["estimate"]),
                "ci_low_benchmark": float(b["ci_low"]),
                "ci_high_benchmark": float(b["ci_high"]),
                "se_benchmark": float(b["se"]),
                "estimate_benchmark_unadjusted": float(r_idx.loc[ind]["estimate"]),
                "diff": float(c["diff"]),
                "diff_se": float(c["diff_se"]),
                "p_value": float(c["p_value"]),
                "significant": bool(c["p_value"] < 0.05) and not suppressed,
                "flags": str(c["flags"] or ""),
            }
        )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    return BenchmarkResult(spec, table, tuple(composition), int(len(bench)))


def indicator_names(spec: BenchmarkSpec) -> Sequence[str]:
    return spec.indicators
