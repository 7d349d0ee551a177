"""The pandas edge of the estimation engine: data frames in, the tidy estimates table out.

The **tidy estimates table** is the one source for reports, custom tables and the microdata checks.
One row per indicator x (overall | by-variable level), columns (:data:`TABLE_COLUMNS`):

``indicator, by, level, n, weighted_n, estimate, se, ci_low, ci_high, deff, flags, stat, ci_method,
df, variance``

Row order (documented, deterministic): indicators in the order asked; within an indicator first the
overall row (``by`` and ``level`` empty), then each by-variable in the order asked, its levels in
ascending order (numbers numerically, text by code point, pandas categoricals in category order).
Levels are written as text (``2.0`` becomes ``2``). Rows whose by-variable is missing are in the
overall row only; a :class:`~pipeline.errors.Notice` says how many.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from pipeline.errors import EstimationError, InputError, Notice, Problem, UsageError, one_of
from pipeline.estimation import bootstrap as boot
from pipeline.estimation.compare import DomainContrasts, contrast_domains, finish_contrasts
from pipeline.estimation.config import STATS, VARIANCE_METHODS, EstimationConfig, Stat
from pipeline.estimation.design import Calibration, Design, make_calibration, make_design
from pipeline.estimation.domains import (
    DomainEstimates,
    estimate_domains,
    finish,
    observed,
    point_estimates,
)
from pipeline.estimation.linearization import Layout, VarianceEngine
from pipeline.rundata.levels import level_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

TABLE_COLUMNS: tuple[str, ...] = (
    "indicator",
    "by",
    "level",
    "n",
    "weighted_n",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "deff",
    "flags",
    "stat",
    "ci_method",
    "df",
    "variance",
)
COMPARE_COLUMNS: tuple[str, ...] = (
    "indicator",
    "by",
    "level",
    "n",
    "n_rest",
    "estimate",
    "estimate_rest",
    "diff",
    "diff_se",
    "df",
    "test_stat",
    "p_value",
    "significant",
    "flags",
    "stat",
    "variance",
)
FLOAT_FORMAT = "%.12g"
DEFAULT_SEED = 20240601


@dataclass(frozen=True)
class DesignSpec:
    """Which columns of a data frame make the design (names only; no data)."""

    weight: str
    strata: str | None = None
    psu: str | None = None
    fpc: str | None = None
    lonely_psu: str = "fail"


@dataclass(frozen=True, eq=False)
class Estimates:
    table: pd.DataFrame
    notices: tuple[Notice, ...] = field(default=())


# ------------------------------------------------------------------------------------- helpers
def require_columns(
    df: pd.DataFrame, columns: Sequence[str], *, what: str = "data", file: str | None = None
) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        cols = list(map(str, df.columns))
        raise InputError(
            f"{what} has no column(s) {', '.join(map(repr, missing))}",
            problems=tuple(
                Problem(
                    one_of(c, cols, limit=50),
                    file=file,
                    column=c,
                    hint="check the spelling; available columns are listed",
                )
                for c in missing
            ),
            code="missing_column",
        )


def numeric_column(df: pd.DataFrame, col: str, file: str | None) -> np.ndarray:
    import pandas as pd

    s = df[col]
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        s = s.mask(
            s.map(lambda v: isinstance(v, str) and not v.strip())
        )  # a blank text cell is empty
        conv = pd.to_numeric(s, errors="coerce")
        bad = np.flatnonzero(conv.isna().to_numpy() & s.notna().to_numpy())
        if bad.size:
            raise InputError(
                f"column {col!r} has non-numeric values",
                problems=tuple(
                    Problem(
                        "not a number",
                        file=file,
                        row=int(i) + 1,
                        column=col,
                        value=_py(s.iloc[i]),
                        expected="a number or empty",
                    )
                    for i in bad[:5]
                ),
                code="non_numeric",
            )
        s = conv
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def indicator_values(df: pd.DataFrame, col: str, stat: Stat, file: str | None = None) -> np.ndarray:
    """Numeric values of an indicator (NaN = missing); proportions must be 0/1.

    Rows in messages are 1-based data rows (the header is not counted)."""
    y = numeric_column(df, col, file)
    if np.isinf(y).any():
        i = int(np.flatnonzero(np.isinf(y))[0])
        raise InputError(
            f"column {col!r} has infinite values",
            problems=(
                Problem("infinite value", file=file, row=i + 1, column=col, value=float(y[i])),
            ),
            code="bad_indicator",
        )
    if stat == "proportion":
        bad = np.flatnonzero(np.isfinite(y) & (y != 0) & (y != 1))
        if bad.size:
            raise InputError(
                f"indicator {col!r} is not 0/1: {bad.size} row(s) hold other values",
                problems=tuple(
                    Problem(
                        "value is not 0 or 1",
                        file=file,
                        row=int(i) + 1,
                        column=col,
                        value=_py(df[col].iloc[i]),
                        expected="0, 1 or empty",
                        hint="recode the indicator to 0/1, or use --stat mean",
                    )
                    for i in bad[:5]
                ),
                code="not_binary",
            )
    return y


def _py(v: object) -> object:
    """A plain Python value for messages (numpy scalars print as ``np.float64(...)``)."""
    return v.item() if isinstance(v, np.generic) else v


def by_codes(df: pd.DataFrame, col: str) -> tuple[np.ndarray, list[str]]:
    """(code per row, -1 = missing; level labels in the documented order)."""
    import pandas as pd

    s = df[col]
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy().astype(np.intp)
        return codes, [level_text(c) for c in s.cat.categories]
    miss = s.isna().to_numpy()
    vals = s.to_numpy()
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        levels, inv = np.unique(vals[~miss].astype(np.float64), return_inverse=True)
        labels = [level_text(v) for v in levels]
    else:
        levels, inv = np.unique(np.asarray(vals[~miss]).astype(str), return_inverse=True)
        labels = [str(v) for v in levels]
    codes = np.full(len(s), -1, dtype=np.intp)
    codes[~miss] = inv
    # distinct numeric values could print alike (1 and 1.0 cannot, 0.1+0.2 could): keep them apart
    if len(set(labels)) != len(labels):
        labels = [repr(v) for v in levels]
    return codes, labels


def design_from_frame(
    df: pd.DataFrame,
    spec: DesignSpec,
    *,
    calibration: Calibration | None = None,
    file: str | None = None,
) -> Design:
    cols = [c for c in (spec.weight, spec.strata, spec.psu, spec.fpc) if c]
    require_columns(df, cols, file=file)
    w = numeric_column(df, spec.weight, file)
    return make_design(
        w,
        strata=df[spec.strata].to_numpy() if spec.strata else None,
        psu=df[spec.psu].to_numpy() if spec.psu else None,
        fpc=numeric_column(df, spec.fpc, file) if spec.fpc else None,
        calibration=calibration,
        lonely_psu=spec.lonely_psu,
    )


def calibration_from_columns(
    df: pd.DataFrame,
    groups: Sequence[Sequence[str]],
    base_weight: str,
    *,
    targets: Sequence[np.ndarray] | None = None,
    file: str | None = None,
) -> Calibration:
    """A calibration whose margin groups are columns of ``df`` (a group of several columns is a
    joint margin). Targets default to the totals of the final weights per level."""
    require_columns(df, [c for g in groups for c in g] + [base_weight], file=file)
    codes, sizes, names = [], [], []
    for g in groups:
        key = np.zeros(len(df), dtype=np.int64)
        for c in g:
            cc, labels = by_codes(df, c)
            if (cc < 0).any():
                i = int(np.flatnonzero(cc < 0)[0])
                raise InputError(
                    f"margin variable {c!r} is missing in {int((cc < 0).sum())} row(s)",
                    problems=(Problem("missing margin value", file=file, row=i + 1, column=c),),
                    code="missing_margin_value",
                )
            key = key * max(len(labels), 1) + cc
        _, inv = np.unique(key, return_inverse=True)
        codes.append(inv.astype(np.intp))
        sizes.append(int(inv.max()) + 1)
        names.append("*".join(g))
    return make_calibration(
        codes, numeric_column(df, base_weight, file), n_levels=sizes, names=names, targets=targets
    )


def raking_calibration(
    df: pd.DataFrame, margins: Sequence[str], *, file: str | None = None
) -> Calibration:
    """The calibration of weights raked to one-variable ``margins`` (columns of ``df``) from base
    weight 1, for calibration-aware linearization: how the estimate stage and ``wbm table`` estimate
    from a run's raked weights (targets: the final weights' totals per level)."""
    base = "_base_weight"
    frame = df[list(margins)].assign(**{base: 1.0})
    return calibration_from_columns(frame, [[v] for v in margins], base, file=file)


# ------------------------------------------------------------------------------------ engine
def _check_args(stat: str, variance: str, by: Sequence[str], indicators: Sequence[str]) -> None:
    if stat not in STATS:
        raise UsageError(f"--stat {one_of(stat, STATS)}", code="bad_option")
    if variance not in VARIANCE_METHODS:
        raise UsageError(f"--variance {one_of(variance, VARIANCE_METHODS)}", code="bad_option")
    if not indicators:
        raise UsageError("no indicators given", code="bad_option")
    for what, seq in (("indicator", indicators), ("by-variable", by)):
        dup = sorted({x for x in seq if list(seq).count(x) > 1})
        if dup:
            raise UsageError(f"{what} listed twice: {', '.join(dup)}", code="bad_option")


@dataclass(frozen=True, eq=False)
class _Prepared:
    design: Design
    engine: VarianceEngine
    layouts: tuple[tuple[str, Layout, list[str]], ...]  # ("", overall) first
    values: tuple[np.ndarray, ...]
    notices: tuple[Notice, ...]


def _prepare(
    df: pd.DataFrame,
    design: Design | DesignSpec,
    indicators: Sequence[str],
    by: Sequence[str],
    stat: Stat,
    calibration: Calibration | None,
    file: str | None,
) -> _Prepared:
    require_columns(df, [*indicators, *by], file=file)
    if isinstance(design, Design) and calibration is not None:
        raise UsageError(
            "give the calibration inside the Design (make_design(..., calibration=...)), "
            "not beside it",
            code="bad_option",
        )
    des = (
        design
        if isinstance(design, Design)
        else design_from_frame(df, design, calibration=calibration, file=file)
    )
    if des.n != len(df):
        raise EstimationError(
            f"the design has {des.n} rows but the data {len(df)}", code="bad_design"
        )
    engine = VarianceEngine(des)
    notices: list[Notice] = []
    layouts: list[tuple[str, Layout, list[str]]] = [("", engine.layout(None, 1), [""])]
    for b in by:
        codes, labels = by_codes(df, b)
        miss = int((codes < 0).sum())
        if miss:
            notices.append(
                Notice(
                    "by_missing",
                    f"{b}: {miss} row(s) with no value are only in the overall rows",
                    {"by": b, "rows": miss},
                )
            )
        layouts.append((b, engine.layout(codes, len(labels)), labels))
    values = tuple(indicator_values(df, c, stat, file) for c in indicators)
    return _Prepared(des, engine, tuple(layouts), values, tuple(notices))


def _frame(cols: dict[str, list[np.ndarray]], order: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    data = {k: np.concatenate(cols[k]) if cols[k] else np.empty(0) for k in order}
    out = pd.DataFrame(data)
    for k in ("n", "df", "n_rest"):
        if k in out:
            out[k] = out[k].astype("int64")
    return out


def estimate(
    df: pd.DataFrame,
    design: Design | DesignSpec,
    indicators: Sequence[str],
    by: Sequence[str] = (),
    *,
    stat: Stat = "proportion",
    config: EstimationConfig | None = None,
    variance: str = "linearization",
    replicates: int = 200,
    seed: int = DEFAULT_SEED,
    calibration: Calibration | None = None,
    file: str | None = None,
) -> Estimates:
    """The tidy estimates table (see the module docstring) with notices."""
    cfg = config or EstimationConfig()
    _check_args(stat, variance, by, indicators)
    prep = _prepare(df, design, indicators, by, stat, calibration, file)
    results: list[DomainEstimates] = []
    notices = list(prep.notices)
    if variance == "linearization":
        for y in prep.values:
            obs = observed(y)
            for _, lay, _ in prep.layouts:
                results.append(estimate_domains(prep.engine, lay, y, stat, cfg, obs))
    else:
        tasks = [boot.Task(lay, y) for y in prep.values for _, lay, _ in prep.layouts]
        rs = boot.replicate_sums(prep.design, tasks, replicates, seed)
        notices.extend(rs.notices)
        for t, W, S in zip(tasks, rs.W, rs.S, strict=True):
            pe = point_estimates(prep.engine, t.layout, t.y, stat)
            var = boot.replicate_variance(boot.replicate_estimates(W, S, stat))
            df_ = prep.engine.domain_degf(t.layout, np.isfinite(t.y))
            results.append(finish(pe, var, df_, cfg))
    cols: dict[str, list[np.ndarray]] = {k: [] for k in TABLE_COLUMNS}
    it = iter(results)
    for ind in indicators:
        for b, _lay, labels in prep.layouts:
            r = next(it)
            D = len(labels)
            cols["indicator"].append(np.full(D, ind, dtype=object))
            cols["by"].append(np.full(D, b, dtype=object))
            cols["level"].append(np.array(labels, dtype=object))
            for k in (
                "n",
                "weighted_n",
                "estimate",
                "se",
                "ci_low",
                "ci_high",
                "deff",
                "flags",
                "ci_method",
                "df",
            ):
                cols[k].append(getattr(r, k))
            cols["stat"].append(np.full(D, stat, dtype=object))
            cols["variance"].append(np.full(D, variance, dtype=object))
    return Estimates(_frame(cols, TABLE_COLUMNS), tuple(notices))


def estimate_table(
    df: pd.DataFrame,
    design: Design | DesignSpec,
    indicators: Sequence[str],
    by: Sequence[str] = (),
    **kwargs: object,
) -> pd.DataFrame:
    """:func:`estimate` without the notices: just the tidy table."""
    return estimate(df, design, indicators, by, **kwargs).table  # type: ignore[arg-type]


def compare_domains(
    df: pd.DataFrame,
    design: Design | DesignSpec,
    indicators: Sequence[str],
    by: Sequence[str],
    *,
    stat: Stat = "proportion",
    config: EstimationConfig | None = None,
    variance: str = "linearization",
    replicates: int = 200,
    seed: int = DEFAULT_SEED,
    calibration: Calibration | None = None,
    file: str | None = None,
) -> pd.DataFrame:
    """Each level of each by-variable against the rest of the population (:data:`COMPARE_COLUMNS`),
    rows in the estimates table's order (without overall rows)."""
    cfg = config or EstimationConfig()
    _check_args(stat, variance, by, indicators)
    if not by:
        raise UsageError("compare_domains needs at least one by-variable", code="bad_option")
    prep = _prepare(df, design, indicators, by, stat, calibration, file)
    lay_all = prep.layouts[0][1]
    res: list[DomainContrasts] = []
    if variance == "linearization":
        for y in prep.values:
            for _, lay, _ in prep.layouts[1:]:
                res.append(contrast_domains(prep.engine, lay, lay_all, y, stat, cfg))
    else:
        tasks = [boot.Task(lay, y) for y in prep.values for _, lay, _ in prep.layouts]
        rs = boot.replicate_sums(prep.design, tasks, replicates, seed)
        per = len(prep.layouts)
        for i, y in enumerate(prep.values):
            W0, S0 = rs.W[i * per], rs.S[i * per]
            pe0 = point_estimates(prep.engine, lay_all, y, stat)
            df_all = prep.engine.domain_degf(lay_all, np.isfinite(y))
            for k in range(1, per):
                lay = prep.layouts[k][1]
                W, S = rs.W[i * per + k], rs.S[i * per + k]
                pe = point_estimates(prep.engine, lay, y, stat)
                th_d = boot.replicate_estimates(W, S, stat)
                th_r = boot.replicate_estimates(W0 - W, S0 - S, stat)
                n_r = pe0.n[0] - pe.n  # an empty rest by its count (float sums need not cancel)
                Wr = np.where(n_r > 0, pe0.weighted_n - pe.weighted_n, 0.0)
                Sr = np.where(n_r > 0, pe0.weighted_sum - pe.weighted_sum, 0.0)
                est_r = (
                    Sr
                    if stat == "total"
                    else np.divide(Sr, Wr, out=np.full_like(Sr, np.nan), where=Wr > 0)
                )
                var = boot.replicate_variance(th_d - th_r)
                res.append(
                    finish_contrasts(
                        pe.n,
                        n_r,
                        pe.estimate,
                        est_r,
                        pe.estimate - est_r,
                        var,
                        np.full(lay.n_domains, df_all[0]),
                        cfg,
                    )
                )
    cols: dict[str, list[np.ndarray]] = {k: [] for k in COMPARE_COLUMNS}
    it = iter(res)
    for ind in indicators:
        for b, _lay, labels in prep.layouts[1:]:
            r = next(it)
            D = len(labels)
            cols["indicator"].append(np.full(D, ind, dtype=object))
            cols["by"].append(np.full(D, b, dtype=object))
            cols["level"].append(np.array(labels, dtype=object))
            for name in (
                "n",
                "n_rest",
                "estimate",
                "estimate_rest",
                "diff",
                "diff_se",
                "df",
                "test_stat",
                "p_value",
                "significant",
                "flags",
            ):
                cols[name].append(getattr(r, name))
            cols["stat"].append(np.full(D, stat, dtype=object))
            cols["variance"].append(np.full(D, variance, dtype=object))
    return _frame(cols, COMPARE_COLUMNS)


def to_csv_text(table: pd.DataFrame) -> str:
    """Deterministic CSV text: fixed float format, ``\\n`` line ends, empty for missing, text that a
    spreadsheet would read as a formula neutralised (:mod:`pipeline.spreadsheet`)."""
    from pipeline.spreadsheet import frame_csv

    return frame_csv(table, float_format=FLOAT_FORMAT)


def write_csv(table: pd.DataFrame, path: str) -> None:
    from pipeline.fileio import write_text

    write_text(path, to_csv_text(table))
