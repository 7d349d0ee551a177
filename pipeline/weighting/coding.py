"""Turn a data frame's weighting variables into margin level codes, with clear errors.

For every margin, each row gets the index of its level (joint margins: of its combination of levels).
All problems are collected and raised together as one :class:`WeightingError`: a column missing, missing
values in a weighting variable (row count and examples), a data value that is not a level of the
margins, and a level with a positive population total but no row in the data (an empty cell).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pipeline.errors import Problem, WeightingError, did_you_mean, one_of, similar_first
from pipeline.rundata.levels import level_text
from pipeline.weighting.margins import Margins

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


@dataclass(frozen=True, eq=False)
class MarginCodes:
    """Row level codes and targets for the numerical core (one entry per margin)."""

    codes: tuple[np.ndarray, ...]
    targets: tuple[np.ndarray, ...]
    names: tuple[str, ...]  # margin names, e.g. "sex", "sex*age_band"
    variables: tuple[tuple[str, ...], ...]  # column names per margin
    labels: tuple[tuple[str, ...], ...]  # level names per margin, e.g. ("1*1", "1*2")
    n: int


def _variable_codes(
    col: pd.Series, levels: list[str], variable: str, problems: list[Problem]
) -> np.ndarray | None:
    """Index of each row's value in ``levels`` (-1 where it is none of them); None if missing values."""
    import pandas as pd

    isna = col.isna().to_numpy()
    if isna.any():
        rows = np.flatnonzero(isna)
        problems.append(
            Problem(
                f"{rows.size} row(s) have no value for weighting variable {variable!r}",
                column=variable,
                value=f"rows {', '.join(str(int(r)) for r in rows[:5])}"
                + (f" and {rows.size - 5} more" if rows.size > 5 else ""),
                expected="a value for every row",
                hint="impute or drop these rows before weighting",
                code="missing_values",
            )
        )
        return None
    numeric_levels: list[int] | None = []
    for lv in levels:
        try:
            numeric_levels.append(int(lv))  # type: ignore[union-attr]
        except ValueError:
            numeric_levels = None
            break
    values = col.to_numpy()
    if numeric_levels is not None and values.dtype.kind in "iub" and numeric_levels:
        lo, hi = min(numeric_levels), max(numeric_levels)
        if hi - lo < (1 << 22):  # integer data: a lookup table, no sorting
            lut = np.full(hi - lo + 1, -1, dtype=np.intp)
            lut[np.asarray(numeric_levels) - lo] = np.arange(len(numeric_levels))
            v = values.astype(np.int64, copy=False)
            inside = (v >= lo) & (v <= hi)
            return np.where(inside, lut[np.where(inside, v - lo, 0)], -1)
    if numeric_levels is not None and values.dtype.kind in "iufb":
        arr = values.astype(np.float64)
        lv_arr = np.asarray(numeric_levels, dtype=np.float64)
        order = np.argsort(lv_arr, kind="stable")
        srt = lv_arr[order]
        pos = np.searchsorted(srt, arr).clip(0, len(srt) - 1)
        ok = srt[pos] == arr
        return np.where(ok, order[pos], -1).astype(np.intp)
    text = pd.Series(values).map(level_text)
    idx = pd.Index(levels).get_indexer(text)
    return np.asarray(idx, dtype=np.intp)


def _raise(problems: list[Problem]) -> None:
    codes = {p.code for p in problems}
    code = codes.pop() if len(codes) == 1 and None not in codes else "level_mismatch"
    raise WeightingError("data and margins do not match", problems=tuple(problems), code=str(code))


def build_codes(df: pd.DataFrame, margins: Margins, *, file: str | None = None) -> MarginCodes:
    """Level codes of every row for every margin of ``margins``; raises WeightingError listing every
    mismatch between data and margins."""
    problems: list[Problem] = []
    missing = [v for v in margins.variables if v not in df.columns]
    for v in missing:
        problems.append(
            Problem(
                f"the margins name a variable the data do not have ({margins.source_file or 'margins'})",
                file=file,
                column=v,
                expected=one_of(v, similar_first(v, [str(c) for c in df.columns])),
                hint=f"{did_you_mean(v, [str(c) for c in df.columns])} Rename the column or the "
                "margin variable",
                code="missing_column",
            )
        )
    if problems:
        _raise(problems)
    n = len(df)
    # per-variable level lists (union over the margins that use the variable, in file order)
    var_levels: dict[str, list[str]] = {}
    for m in margins.margins:
        for i, v in enumerate(m.variables):
            lst = var_levels.setdefault(v, [])
            for lv in m.levels:
                if lv[i] not in lst:
                    lst.append(lv[i])
    var_codes: dict[str, np.ndarray] = {}
    for v, levels in var_levels.items():
        codes = _variable_codes(df[v], levels, v, problems)
        if codes is None:
            continue
        bad = codes < 0
        if bad.any():
            vals = df[v].to_numpy()[bad]
            uniq, counts = np.unique(
                np.asarray([level_text(x) or str(x) for x in vals], dtype=object).astype(str),
                return_counts=True,
            )
            for u, c in zip(uniq[:10], counts[:10], strict=True):
                problems.append(
                    Problem(
                        f"value in the data is not a level of the margins ({int(c)} row(s))",
                        file=file,
                        column=v,
                        value=str(u),
                        expected=one_of(str(u), levels),
                        hint="recode the data, add the level to the margins, or set these rows aside",
                        code="level_not_in_margins",
                    )
                )
        var_codes[v] = codes
    if problems:
        _raise(problems)
    out_codes, out_targets = [], []
    for m in margins.margins:
        sizes = [len(var_levels[v]) for v in m.variables]
        key = np.zeros(n, dtype=np.int64)
        lut_key = np.zeros(len(m.levels), dtype=np.int64)
        for v, size, i in zip(m.variables, sizes, range(len(sizes)), strict=True):
            key *= size
            key += var_codes[v]
            lut_key *= size
            lut_key += np.asarray([var_levels[v].index(lv[i]) for lv in m.levels], dtype=np.int64)
        card = int(np.prod(sizes, dtype=np.int64))
        if card <= 4 * max(n, len(m.levels), 1 << 16):
            lut = np.full(card, -1, dtype=np.intp)
            lut[lut_key] = np.arange(len(m.levels))
            codes = lut[key]
        else:  # pragma: no cover - huge sparse joint margins
            srt = np.argsort(lut_key)
            pos = np.searchsorted(lut_key[srt], key).clip(0, len(srt) - 1)
            codes = np.where(lut_key[srt][pos] == key, srt[pos], -1).astype(np.intp)
        targets = np.asarray(m.totals, dtype=np.float64)
        bad = codes < 0
        if bad.any():
            combos = np.unique(key[bad])
            for ck in combos[:10]:
                parts, rest = [], int(ck)
                for v, size in zip(reversed(m.variables), reversed(sizes), strict=True):
                    rest, r = divmod(rest, size)
                    parts.append(var_levels[v][r])
                combo = "*".join(reversed(parts))
                problems.append(
                    Problem(
                        f"combination in the data is not a level of joint margin {m.name}",
                        file=file,
                        path=f"{m.name}={combo}",
                        value=int(np.sum(key[bad] == ck)),
                        expected="a row for it in the margins file (its total may be 0)",
                        code="level_not_in_margins",
                    )
                )
        else:
            counts = np.bincount(codes, minlength=len(m.levels))
            for j in np.flatnonzero((counts == 0) & (targets > 0)):
                problems.append(
                    Problem(
                        "empty cell: the margins have a population total here but the data has no rows",
                        file=file,
                        path=f"{m.name}={m.level_names[j]}",
                        value=0,
                        expected=f"respondents for a population of {targets[j]:g}",
                        hint="collapse the level with a neighbour (declare a collapse rule) or drop it",
                        code="empty_cell",
                    )
                )
        out_codes.append(codes)
        out_targets.append(targets)
    if problems:
        _raise(problems)
    return MarginCodes(
        codes=tuple(out_codes),
        targets=tuple(out_targets),
        names=tuple(m.name for m in margins.margins),
        variables=tuple(m.variables for m in margins.margins),
        labels=tuple(m.level_names for m in margins.margins),
        n=n,
    )
