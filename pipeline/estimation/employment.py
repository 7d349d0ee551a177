"""Size-weighted estimates of an organisation survey: the share of **employees** (jobs) rather than
the share of organisations, and magnitude totals (employees, training days).

An organisation ``i`` with weight ``w_i`` and ``e_i`` employees stands for ``w_i e_i`` jobs. The
share of employees in organisations with property ``y`` is the ratio

    R = sum_i w_i e_i y_i / sum_i w_i e_i,

R `survey`'s ``svyratio(~I(y*e), ~e, design)``. Its linearised variable is
``w_i e_i (y_i - R) / sum w e``, which is exactly the weighted mean of ``y`` with the weights
``w_i e_i``; so the estimate is the estimation engine's mean with those weights on the same design
(strata and finite population correction). Calibration: the enterprise survey's weights are
post-stratified on the strata themselves (sector group x size class), where the calibration changes
no variance term beyond the stratified one, so the stratified design is the design of these
estimates. A design whose calibration is not on the strata must not use this module (the caller
checks).

Magnitude items (``stat="total"``): the estimated number of employees and training days in the
population of organisations, with the organisation weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from pipeline.errors import EstimationError, Problem
from pipeline.estimation.api import DesignSpec, estimate
from pipeline.estimation.config import EstimationConfig
from pipeline.rundata.columns import BASIS, BASIS_EMPLOYEES, BASIS_ORGANISATIONS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.questionnaire.model import Questionnaire

SIZE_WEIGHT = "_size_weight"  # the column of w_i * e_i added to a copy of the data
STRATUM = "_stratum"
STRATUM_SIZE = "_stratum_size"
BASIS_COLUMN, EMPLOYEES, ORGANISATIONS = BASIS, BASIS_EMPLOYEES, BASIS_ORGANISATIONS


def size_variable(q: Questionnaire) -> str:
    """An organisation survey's number of employees (the integer item its size band is derived
    from, as the estimate stage finds it): its indicators are also shares of employees; "" for a
    survey of persons."""
    if q.study.unit != "organisation" or not q.study.strata:
        return ""
    names = set(q.variables())
    return next(
        (
            d.source
            for d in q.derived
            if d.source in names and q.item(d.source).type.value == "integer"
        ),
        "",
    )


def _design_columns(
    df: pd.DataFrame, weight: str, strata: Sequence[str]
) -> tuple[pd.DataFrame, str | None, str | None]:
    """A copy of ``df`` with the stratum (the strata variables joined) and the stratum's population
    size (the sum of the post-stratified weights in it) as columns."""
    out = df.copy()
    if not strata:
        return out, None, None
    key = out[list(strata)].astype("Float64").astype(str).agg("*".join, axis=1)
    out[STRATUM] = key
    out[STRATUM_SIZE] = out.groupby(key)[weight].transform("sum")
    return out, STRATUM, STRATUM_SIZE


def employment_estimates(
    df: pd.DataFrame,
    *,
    weight: str,
    size: str,
    strata: Sequence[str],
    indicators: Sequence[str],
    by: Sequence[str] = (),
    magnitudes: Sequence[str] = (),
    config: EstimationConfig | None = None,
    stratum_column: str | None = None,
    fpc_column: str | None = None,
    missing: Sequence[float] = (),
) -> pd.DataFrame:
    """The tidy estimates table (``pipeline.estimation.api`` columns plus :data:`BASIS_COLUMN`):
    every indicator as a share of employees (``basis`` "werknemers"), then every magnitude item
    as a population total with the organisation weights (``basis`` "organisaties").
    ``stratum_column``/``fpc_column``: the design the weight stage recorded (its calibration
    model); without them the stratum is the ``strata`` variables joined and its size the sum of the
    post-stratified weights in it. ``missing``: the questionnaire's missing codes (-9 "geen
    antwoord" ...), which a magnitude item's total leaves out (an answer missing, as an empty cell),
    never adds as values."""
    import pandas as pd

    e = pd.to_numeric(df[size], errors="coerce").to_numpy(dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(e) | (e < 0))
    if bad.size:
        raise EstimationError(
            f"the size variable {size!r} is missing or negative for {bad.size} organisation(s)",
            [
                Problem(
                    "not a number of employees",
                    row=int(r) + 1,
                    column=size,
                    value=df[size].iloc[r],
                    code="bad_weight",
                )
                for r in bad[:5]
            ],
            code="bad_design",
        )
    stratum: str | None
    fpc: str | None
    if stratum_column is not None and fpc_column is not None:
        data, stratum, fpc = df.copy(), stratum_column, fpc_column
    else:
        data, stratum, fpc = _design_columns(df, weight, strata)
    data[SIZE_WEIGHT] = data[weight].to_numpy(dtype=np.float64) * e
    for m in magnitudes:  # a missing code is no answer: left out of the total, never summed
        values = pd.to_numeric(data[m], errors="coerce")
        data[m] = values.where(~values.isin([float(c) for c in missing]))
    tables = []
    if indicators:
        t = estimate(
            data,
            DesignSpec(weight=SIZE_WEIGHT, strata=stratum, fpc=fpc),
            list(indicators),
            list(by),
            stat="proportion",
            config=config,
        ).table
        t[BASIS_COLUMN] = EMPLOYEES
        tables.append(t)
    if magnitudes:
        t = estimate(
            data,
            DesignSpec(weight=weight, strata=stratum, fpc=fpc),
            list(magnitudes),
            list(by),
            stat="total",
            config=config,
        ).table
        t[BASIS_COLUMN] = ORGANISATIONS
        tables.append(t)
    if not tables:
        return pd.DataFrame()
    return pd.concat(tables, ignore_index=True)
