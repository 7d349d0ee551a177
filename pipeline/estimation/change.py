"""Change over waves: a group's gap to the whole population within a wave, and the
difference-in-differences between two waves ("has our sector moved differently from Flanders?").

Within one wave (one design), the gap ``g_d = est_d - est_all`` of domain d to the whole population
is one estimator; its influence is ``infl_d - infl_all``, so its linearization variance includes the
covariance of the two (the domain is part of the whole, and both share the calibration):
``V(g_d) = V_d - 2 C_d,all + V_all``. Two waves are independent samples with their own designs, so
for the difference-in-differences ``DiD_d = g_d(now) - g_d(then)``,
``V(DiD_d) = V(g_d, now) + V(g_d, then)``; the test is a two-sided z test, the interval
``DiD +/- z_(1-alpha/2) se``. The change of one estimate between two waves is
:func:`pipeline.estimation.compare.compare_waves` (same independence, same z test).

What R's ``survey`` gives on the two designs stacked (``strata = wave``, each wave calibrated to its
own margins): the nonlinear contrast of ``svytotal`` of the domain and population sums and counts per
wave (``svycontrast`` with the delta method), checked to 1e-6 in
``tests/estimation/golden/trend/`` (recipe beside the golden file).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import special

from pipeline.errors import UsageError
from pipeline.estimation.config import EstimationConfig, Stat
from pipeline.estimation.domains import observed, point_estimates
from pipeline.estimation.linearization import Columns, Layout, VarianceEngine
from pipeline.estimation.reliability import SUPPRESSED, has_flag, merge_flags

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.estimation.design import Design

DID_COLUMNS: tuple[str, ...] = (
    "indicator",
    "by",
    "level",
    "n_now",
    "n_then",
    "estimate_now",
    "estimate_then",
    "overall_now",
    "overall_then",
    "gap_now",
    "gap_then",
    "gap_se_now",
    "gap_se_then",
    "did",
    "did_se",
    "ci_low",
    "ci_high",
    "test_stat",
    "p_value",
    "significant",
    "flags",
)


@dataclass(frozen=True, eq=False)
class Gaps:
    """Each domain's gap to the whole population in one wave (arrays of length D)."""

    n: np.ndarray
    estimate: np.ndarray
    overall: float
    gap: np.ndarray
    variance: np.ndarray


def domain_gaps(engine: VarianceEngine, lay: Layout, lay_all: Layout, y: np.ndarray) -> Gaps:
    """Gap of each domain's mean (proportion) to the overall mean, with its linearization variance
    (see the module docstring). ``lay_all``: ``engine.layout(None, 1)``."""
    obs = observed(y)
    pe = point_estimates(engine, lay, y, "mean", obs)
    pa = point_estimates(engine, lay_all, y, "mean", obs)
    A = Columns(pe.phi, lay)
    B = Columns(pa.phi, lay_all)
    var = (
        engine.covariance(A)[:, 0, 0]
        - 2.0 * engine.covariance(A, B)[:, 0, 0]
        + engine.covariance(B)[0, 0, 0]
    )
    var = np.where(pe.weighted_n > 0, var, np.nan)
    return Gaps(pe.n, pe.estimate, float(pa.estimate[0]), pe.estimate - pa.estimate[0], var)


class _Wave:
    """One wave's engine and layouts, prepared once for every indicator."""

    def __init__(self, df: pd.DataFrame, design: Design, by: str) -> None:
        from pipeline.estimation.api import by_codes

        self.df = df
        self.engine = VarianceEngine(design)
        codes, self.labels = by_codes(df, by)
        self.lay = self.engine.layout(codes, len(self.labels))
        self.lay_all = self.engine.layout(None, 1)

    def gaps(self, indicator: str, stat: Stat, file: str | None) -> Gaps:
        from pipeline.estimation.api import indicator_values

        y = indicator_values(self.df, indicator, stat, file)
        return domain_gaps(self.engine, self.lay, self.lay_all, y)


def difference_in_differences(
    now: tuple[pd.DataFrame, Design],
    then: tuple[pd.DataFrame, Design],
    indicators: Sequence[str],
    by: str,
    *,
    stat: Stat = "proportion",
    config: EstimationConfig | None = None,
    levels: Sequence[str] | None = None,
    file: str | None = None,
) -> pd.DataFrame:
    """For each indicator (0/1, or any number with ``stat="mean"``) and level of ``by`` present in both waves: the
    difference-in-differences of the level's gap to the whole population between ``then`` and
    ``now`` (:data:`DID_COLUMNS`), each wave with its own design (frame, design)."""
    import pandas as pd

    cfg = config or EstimationConfig()
    if not indicators:
        raise UsageError("no indicators given", code="bad_option")
    if stat == "total":
        raise UsageError(
            "a gap to the whole population needs proportions or means", code="bad_option"
        )
    z = float(special.ndtri(1.0 - cfg.alpha / 2.0))
    rows: list[dict[str, object]] = []
    rules = cfg.reliability
    w1, w0 = _Wave(now[0], now[1], by), _Wave(then[0], then[1], by)
    lab1, lab0 = w1.labels, w0.labels
    pos0 = {lv: k for k, lv in enumerate(lab0)}
    for ind in indicators:
        g1, g0 = w1.gaps(ind, stat, file), w0.gaps(ind, stat, file)
        for k, lv in enumerate(lab1):
            if lv not in pos0 or (levels is not None and lv not in levels):
                continue
            j = pos0[lv]
            did = float(g1.gap[k] - g0.gap[j])
            var = float(g1.variance[k] + g0.variance[j])
            se = float(np.sqrt(var)) if np.isfinite(var) and var >= 0 else float("nan")
            with np.errstate(divide="ignore", invalid="ignore"):
                t = did / se if se > 0 else float("nan")
            p = float(2.0 * special.ndtr(-abs(t))) if np.isfinite(t) else float("nan")
            f1 = rules.flags(np.array([g1.n[k]]))[0]
            f0 = rules.flags(np.array([g0.n[j]]))[0]
            rows.append(
                {
                    "indicator": ind,
                    "by": by,
                    "level": lv,
                    "n_now": int(g1.n[k]),
                    "n_then": int(g0.n[j]),
                    "estimate_now": float(g1.estimate[k]),
                    "estimate_then": float(g0.estimate[j]),
                    "overall_now": g1.overall,
                    "overall_then": g0.overall,
                    "gap_now": float(g1.gap[k]),
                    "gap_then": float(g0.gap[j]),
                    "gap_se_now": float(np.sqrt(g1.variance[k])),
                    "gap_se_then": float(np.sqrt(g0.variance[j])),
                    "did": did,
                    "did_se": se,
                    "ci_low": did - z * se,
                    "ci_high": did + z * se,
                    "test_stat": t,
                    "p_value": p,
                    "significant": bool(np.isfinite(p) and p < cfg.alpha)
                    and not has_flag(merge_flags(f1, f0), SUPPRESSED),
                    "flags": merge_flags(f1, f0),
                }
            )
    return pd.DataFrame(rows, columns=list(DID_COLUMNS))
