"""The by-variables of a run's estimates: each domain column with its non-substantive codes (< 0)
made missing, and the crossed domains within a sector (``sector:sex``, levels ``"3:1"`` in the text
form of :mod:`pipeline.rundata.levels`, ordered numerically)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.rundata.levels import CROSS_SEP, crossed_domain, crossed_level

#: The breakdowns inside a sector (those of them the questionnaire has as domains): each gets crossed
#: rows ``sector:<b>`` and a test of each level against the rest of its sector (``within.py``).
CROSSED_WITHIN_SECTOR = (
    "age_band",
    "sex",
    "statute",
    "occupation",
    "arbeidsregime",
    "education",
)


def domain_frame(
    df: pd.DataFrame,
    domains: list[str],
    *,
    crossed_with: str | None = "sector",
    within: tuple[str, ...] = CROSSED_WITHIN_SECTOR,
) -> tuple[pd.DataFrame, list[str]]:
    """Domain columns for estimation: non-substantive codes (< 0) become missing, and crossed
    domains ``sector:sex`` (levels ``"3:1"``, ordered numerically) are added."""
    cols: dict[str, pd.Series] = {}
    for d in domains:
        v = pd.to_numeric(df[d], errors="coerce")
        cols[d] = v.where(v >= 0)
    by = list(domains)
    if crossed_with and crossed_with in domains:
        a = cols[crossed_with]
        for other in within:
            if other not in cols or other == crossed_with:
                continue
            b = cols[other]
            ok = a.notna() & b.notna()
            pairs = sorted({(int(x), int(y)) for x, y in zip(a[ok], b[ok], strict=True)})
            cats = [crossed_level(p) for p in pairs]
            text = pd.Series(
                np.where(
                    ok,
                    a.fillna(0).astype(int).astype(str)
                    + CROSS_SEP
                    + b.fillna(0).astype(int).astype(str),
                    None,
                ),
                index=df.index,
            )
            name = crossed_domain((crossed_with, other))
            cols[name] = pd.Categorical(text, categories=cats)
            by.append(name)
    return pd.DataFrame(cols, index=df.index), by
