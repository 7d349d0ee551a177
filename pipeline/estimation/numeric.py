"""Numeric indicators (``kind: numeric``, e.g. commuting minutes): the mean and the median of an
item, overall and per level of every by-variable, design-based with CIs.

- mean: the engine's domain mean (``stat = "mean"``; R ``svymean``, t interval);
- median: :func:`pipeline.estimation.quantile.quantile_domains` (R ``svyquantile``, Woodruff).

The item's missing codes (and anything not a number) are missing values: a respondent without a
value is left out of the indicator, the design kept. One row per indicator x stat (``mean``,
``median``) x (overall | by, level): :data:`NUMERIC_COLUMNS`, written by the estimate stage as
``04_estimate/numeric_estimates.csv`` (``docs/run-contract.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from pipeline.estimation.config import EstimationConfig

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.estimation.design import Design

NUMERIC_COLUMNS: tuple[str, ...] = (
    "indicator",
    "variable",
    "stat",
    "by",
    "level",
    "n",
    "weighted_n",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "df",
    "flags",
)
NUMERIC_STATS: tuple[str, ...] = ("mean", "median")


def item_values(values: pd.Series, missing: Sequence[float]) -> np.ndarray:
    """An item's numbers with its missing codes (and non-numbers) as NaN."""
    import pandas as pd

    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    if len(missing):
        x = np.where(np.isin(x, np.asarray(missing, dtype=np.float64)), np.nan, x)
    return x


def numeric_estimates(
    df: pd.DataFrame,
    design: Design,
    indicators: Sequence[tuple[str, str]],
    by: Sequence[str] = (),
    *,
    missing: Sequence[float] = (),
    config: EstimationConfig | None = None,
) -> pd.DataFrame:
    """The mean and median of every ``(indicator, item column)`` (see the module docstring)."""
    import pandas as pd

    from pipeline.estimation.api import by_codes, estimate
    from pipeline.estimation.linearization import VarianceEngine
    from pipeline.estimation.quantile import quantile_domains

    cfg = config or EstimationConfig()
    rows: list[dict[str, object]] = []
    if not indicators:
        return pd.DataFrame(columns=list(NUMERIC_COLUMNS))
    values = pd.DataFrame(
        {name: item_values(df[col], missing) for name, col in indicators} | {b: df[b] for b in by},
        index=df.index,
    )
    means = estimate(values, design, [n for n, _ in indicators], by, stat="mean", config=cfg).table
    engine = VarianceEngine(design)
    layouts = [("", engine.layout(None, 1), [""])]
    for b in by:
        codes, labels = by_codes(values, b)
        layouts.append((b, engine.layout(codes, len(labels)), labels))
    for name, col in indicators:
        m = means[means["indicator"] == name]
        for b, lay, labels in layouts:
            mb = m[m["by"] == b].set_index("level")
            med = quantile_domains(engine, lay, values[name].to_numpy(), 0.5, cfg)
            for k, lv in enumerate(labels):
                r = mb.loc[lv]
                base = {"indicator": name, "variable": col, "by": b, "level": lv}
                rows.append(
                    base
                    | {"stat": "mean"}
                    | {
                        c: r[c]
                        for c in ("n", "weighted_n", "estimate", "se", "ci_low", "ci_high", "df")
                    }
                    | {"flags": r["flags"]}
                )
                rows.append(
                    base
                    | {
                        "stat": "median",
                        "n": int(med.n[k]),
                        "weighted_n": float(med.weighted_n[k]),
                        "estimate": float(med.estimate[k]),
                        "se": float(med.se[k]),
                        "ci_low": float(med.ci_low[k]),
                        "ci_high": float(med.ci_high[k]),
                        "df": float(med.df[k]),
                        "flags": r["flags"],  # the same respondents as the mean
                    }
                )
    return pd.DataFrame(rows, columns=list(NUMERIC_COLUMNS))
