"""Tests inside a group: each level of a breakdown against the rest of the same group (a sector's
women against the sector's men, its part-timers against its full-timers).

The crossed rows of the estimates table (``sector:sex``, level ``"3:2"``) get their test from here:
the indicator is set missing outside the group (and where the breakdown is missing), so :func:`~pipeline.estimation.api.compare_domains`
compares the level with the rest of the group's respondents, with the full design kept (rows outside
the group have zero influence, as R's subsets of calibrated designs). Equal to the difference of two
domain means in ``subset(design, sector == k)`` and its linearised SE in R (golden:
``tests/estimation/golden/riskprofile/within.R``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from pipeline.rundata.levels import CROSS_SEP, crossed_domain

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.estimation.api import DesignSpec
    from pipeline.estimation.config import EstimationConfig
    from pipeline.estimation.design import Calibration, Design


def compare_within(
    df: pd.DataFrame,
    design: Design | DesignSpec,
    indicators: Sequence[str],
    group: str,
    by: Sequence[str],
    *,
    config: EstimationConfig | None = None,
    calibration: Calibration | None = None,
) -> pd.DataFrame:
    """Rows of :data:`~pipeline.estimation.api.COMPARE_COLUMNS` with ``by`` the crossed domain
    ``<group>:<b>`` and ``level`` ``"<group code>:<b code>"``: each level of ``b`` inside each
    group against the rest of that group (``n_rest``, ``estimate_rest`` are the group's rest)."""
    import pandas as pd

    from pipeline.estimation.api import compare_domains

    g = pd.to_numeric(df[group], errors="coerce")
    levels = {b: pd.to_numeric(df[b], errors="coerce") for b in by}
    frames = []
    for code in sorted(int(c) for c in g.dropna().unique() if c >= 0):
        inside = (g == code).to_numpy()
        # breakdowns answered by everyone in the group share one call; the others get their own
        # (the rest of the group is the rest among those who have a level of the breakdown)
        calls: list[list[str]] = []
        complete: list[str] = []
        for b in by:
            ok = inside & (levels[b] >= 0).to_numpy()
            if len(np.unique(levels[b][ok])) < 2:
                continue  # one level only: nothing to compare
            if ok.sum() == inside.sum():
                complete.append(b)
            else:
                calls.append([b])
        if complete:
            calls.insert(0, complete)
        for bs in calls:
            ok = inside.copy()
            for b in bs:
                ok &= (levels[b] >= 0).to_numpy()
            masked = df.copy()
            for ind in indicators:
                masked[ind] = np.where(ok, df[ind].to_numpy(dtype=np.float64), np.nan)
            cmp = compare_domains(
                masked, design, list(indicators), bs, config=config, calibration=calibration
            )
            cmp["level"] = f"{code}{CROSS_SEP}" + cmp["level"].astype(str)
            cmp["by"] = [crossed_domain((group, str(b))) for b in cmp["by"]]
            frames.append(cmp)
    if not frames:
        from pipeline.estimation.api import COMPARE_COLUMNS

        return pd.DataFrame(columns=list(COMPARE_COLUMNS))
    return pd.concat(frames, ignore_index=True)
