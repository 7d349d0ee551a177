"""Unweighted and weighted frequencies of every released variable, for the codebook (and for the
check against PSPP: its ``WEIGHT BY`` + ``FREQUENCIES`` percentages must equal these).

Definitions as SPSS/PSPP's FREQUENCIES: *percent* is of all records, *valid percent* of the records
with a substantive value (not a declared missing code, not system-missing); weighted figures use
the release's weight. Categorical variables (nominal or ordinal, or with value labels) get one row
per labelled or occurring value; scale variables get summary statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.release.table import ReleaseTable, Variable

MAX_CATEGORIES = 60  # a scale variable with labels and more distinct values gets statistics instead


@dataclass(frozen=True)
class Row:
    code: float | None  # None: system-missing (empty)
    label: str
    missing: bool
    n: int
    percent: float
    valid_percent: float | None  # None for missing rows
    weighted: float | None  # weighted count (None: unweighted release)
    weighted_percent: float | None
    weighted_valid_percent: float | None


@dataclass(frozen=True)
class Summary:
    n_valid: int
    n_missing: int
    mean: float | None
    weighted_mean: float | None
    sd: float | None
    minimum: float | None
    p25: float | None
    median: float | None
    p75: float | None
    maximum: float | None


@dataclass(frozen=True)
class Frequencies:
    variable: str
    rows: tuple[Row, ...]  # categorical variables; for scale variables: the missing rows only
    summary: Summary | None  # scale variables


def _pct(a: float, b: float) -> float | None:
    return 100.0 * a / b if b > 0 else None


def categorical(v: Variable, x: np.ndarray) -> bool:
    if v.kind in ("id", "weight"):
        return False
    if v.measure != "scale":
        return True
    distinct = np.unique(x[~np.isnan(x)])
    return bool(v.values) and distinct.shape[0] <= MAX_CATEGORIES


def _rows(
    v: Variable, x: np.ndarray, w: np.ndarray | None, codes: np.ndarray, categorical_rows: bool
) -> list[Row]:
    n = x.shape[0]
    labels = dict(v.values)
    missing = dict(v.missing)
    valid = ~np.isnan(x) & ~np.isin(x, list(missing))
    n_valid, w_all = int(valid.sum()), (float(w.sum()) if w is not None else 0.0)
    w_valid = float(w[valid].sum()) if w is not None else 0.0
    out: list[Row] = []
    for c in codes:
        m = x == c
        is_missing = float(c) in missing
        if not categorical_rows and not is_missing:
            continue
        k = int(m.sum())
        label = (
            missing.get(int(c), "")
            if is_missing
            else labels.get(int(c), "")
            if float(c).is_integer()
            else ""
        )
        wk = float(w[m].sum()) if w is not None else None
        out.append(
            Row(
                float(c),
                label,
                is_missing,
                k,
                _pct(k, n) or 0.0,
                None if is_missing else _pct(k, n_valid),
                wk,
                None if wk is None else _pct(wk, w_all),
                None if wk is None or is_missing else _pct(wk, w_valid),
            )
        )
    sysmis = np.isnan(x)
    if sysmis.any():
        wk = float(w[sysmis].sum()) if w is not None else None
        out.append(
            Row(
                None,
                "",
                True,
                int(sysmis.sum()),
                _pct(int(sysmis.sum()), n) or 0.0,
                None,
                wk,
                None if wk is None else _pct(wk, w_all),
                None,
            )
        )
    return out


def _summary(x: np.ndarray, w: np.ndarray | None, valid: np.ndarray) -> Summary:
    xv = x[valid]
    if xv.shape[0] == 0:
        return Summary(0, int((~valid).sum()), None, None, None, None, None, None, None, None)
    q = np.quantile(xv, [0.25, 0.5, 0.75])
    wm = float(np.average(xv, weights=w[valid])) if w is not None and w[valid].sum() > 0 else None
    sd = float(np.std(xv, ddof=1)) if xv.shape[0] > 1 else None
    return Summary(
        int(xv.shape[0]),
        int((~valid).sum()),
        float(xv.mean()),
        wm,
        sd,
        float(xv.min()),
        float(q[0]),
        float(q[1]),
        float(q[2]),
        float(xv.max()),
    )


def frequencies(table: ReleaseTable, name: str) -> Frequencies:
    v = table.variable(name)
    x = table.values(name)
    w = table.values(table.weight) if table.weight is not None and v.kind != "weight" else None
    missing = [c for c, _ in v.missing]
    valid = ~np.isnan(x) & ~np.isin(x, missing)
    if categorical(v, x):
        codes = np.union1d(
            np.unique(x[~np.isnan(x)]), np.array([c for c, _ in v.values], dtype=np.float64)
        )
        codes = np.concatenate(
            [
                np.sort(codes[~np.isin(codes, missing)]),
                np.sort(codes[np.isin(codes, missing)])[::-1],
            ]
        )
        return Frequencies(name, tuple(_rows(v, x, w, codes, True)), None)
    codes = np.sort(np.unique(x[np.isin(x, missing)]))[::-1]
    return Frequencies(name, tuple(_rows(v, x, w, codes, False)), _summary(x, w, valid))


def all_frequencies(table: ReleaseTable) -> tuple[Frequencies, ...]:
    return tuple(frequencies(table, v.name) for v in table.variables if v.kind != "id")
