"""The numeric indicators' report figures under ``protect_reports: true`` (issue 13, finding 5):
the means and medians of ``numeric_estimates.csv`` (e.g. commuting minutes) as the reports may show
them after the joint protection of :mod:`pipeline.tables.figures`.

- **Mean**: a cell of the figures' space like every other (the numeric indicator is one more
  indicator of each breakdown's request: the weighted mean of the item over the respondents who
  answered it, :mod:`pipeline.tables.compute`), so it is protected jointly and logged with the
  report's release. Shown only where the engine released that very cell (same indicator,
  breakdown, level and n); otherwise a dash.
- **Median**: not linear, so the engine cannot check it as a combination of released cells. Under
  the ``svyquantile`` rule the estimate stage uses, a median *is* one of the answers given: in an
  odd group, one respondent's exact answer. It is shown only where (1) the mean cell of the same
  respondent set is released (so its set has at least the policy's minimum n of means and differs
  from every other released set by at least the threshold: no median on P beside one on P minus
  one) and (2) at least ``min_n_count`` respondents of that set (the policy's minimum for counts,
  5 in the reference policy) gave exactly the median's value: the value is then an answer of a
  group, not of one respondent. Otherwise a dash. Reasoning in ``docs/custom-tables.md``.

Fail closed: a row of a breakdown that was not protected (a crossed breakdown, which the reports do
not show, or one the engine could not compute), of an unknown indicator, or whose n differs from
the cell's is hidden. A hidden row loses its numbers and its n (the reports print the n of a
numeric line).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from pipeline.rundata.levels import level_text
from pipeline.sdc.tables.rules import PUBLIC_SUPPRESSED

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

#: (indicator, by, level) -> (public flag, respondent mask, item column) of a released figure
Released = Mapping[tuple[str, str, str], tuple[str, "np.ndarray", "np.ndarray"]]


def numeric_breakdowns(
    numeric: pd.DataFrame | None, names: Mapping[str, str]
) -> dict[str, list[str]]:
    """Per breakdown (``by``, '' = Flanders) the numeric indicators the table has rows of, among
    ``names`` (the questionnaire's numeric indicators), in the table's order."""
    out: dict[str, list[str]] = {}
    if numeric is None or not len(numeric):
        return out
    for ind, by in zip(
        numeric["indicator"].astype(str), numeric["by"].fillna("").astype(str), strict=True
    ):
        if ind in names and ind not in out.setdefault(by, []):
            out[by].append(ind)
    return out


def median_shown(values: np.ndarray, mask: np.ndarray, median: float, min_equal: int) -> bool:
    """Whether at least ``min_equal`` respondents of the set gave exactly the median's value."""
    import numpy as np

    return bool(np.count_nonzero(mask & (values == median)) >= min_equal)


def protected_numeric(numeric: pd.DataFrame, released: Released, min_equal: int) -> pd.DataFrame:
    """``numeric`` (rows of ``numeric_estimates.csv``) with every row the reports may not show
    flagged ``suppressed`` and its numbers and n removed (see the module docstring)."""
    import numpy as np

    from pipeline.tables.figures import NUMBERS, _add_flag

    out = numeric.copy()
    keys = list(
        zip(
            out["indicator"].astype(str),
            out["by"].fillna("").astype(str),
            out["level"].fillna("").astype(str).map(level_text),
            strict=True,
        )
    )
    hide = []
    for key, stat, n, est in zip(
        keys, out["stat"].astype(str), out["n"], out["estimate"], strict=True
    ):
        hit = released.get(key)
        ok = hit is not None and hit[0] != PUBLIC_SUPPRESSED and n == n
        if ok and hit is not None:
            flag, mask, values = hit
            ok = int(n) == int(mask.sum())  # the same respondents as the cell released
            if ok and stat == "median":
                ok = est == est and median_shown(values, mask, float(est), min_equal)
            elif stat != "mean":
                ok = False
        hide.append(not ok)
    mask_rows = np.asarray(hide, dtype=bool)
    if mask_rows.any():
        flags = out["flags"].fillna("").astype(str).tolist()
        out["flags"] = [_add_flag(f) if m else f for f, m in zip(flags, hide, strict=True)]
        for c in (*NUMBERS, "n", "df"):
            if c in out.columns:
                out[c] = out[c].astype("float64")
                out.loc[mask_rows, c] = np.nan
    return out
