"""The numerical core of scoring: numpy arrays in, numpy arrays out (no pandas, no I/O).

Every function works row by row on whole columns at once, so a result never depends on the order
or the number of the other rows. :func:`run` executes a compiled
:class:`~pipeline.scoring.plan.ScoringPlan`; the frame-facing API is
:func:`pipeline.scoring.api.score_frame`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from pipeline.questionnaire.expr import evaluate
from pipeline.rundata.columns import acute_column, tl_column
from pipeline.scoring.plan import (
    SCORE_DECIMALS,
    ConditionPlan,
    ItemPlan,
    ScalePlan,
    ScoringPlan,
    TrafficLightPlan,
)


@dataclass(frozen=True, eq=False)
class ItemLookup:
    """Per row: whether the value is a valid answer, the points it adds, and whether it is unknown.

    ``unknown`` marks non-negative values that are neither a choice nor a declared missing code.
    """

    valid: np.ndarray
    points: np.ndarray
    unknown: np.ndarray


def lookup_item(values: np.ndarray, item: ItemPlan) -> ItemLookup:
    """Map raw codes of one item to points (reverse coding applied) with a validity mask."""
    idx = np.searchsorted(item.codes, values)
    np.minimum(idx, item.codes.shape[0] - 1, out=idx)
    valid = item.codes[idx] == values  # NaN never equals anything
    points = np.where(valid, item.points[idx], 0.0)
    unknown = ~valid & (values >= 0)  # NaN >= 0 is False
    if item.missing.size and unknown.any():
        unknown &= ~np.isin(values, item.missing)
    return ItemLookup(valid=valid, points=points, unknown=unknown)


@dataclass(frozen=True, eq=False)
class ScaleOutcome:
    """Scores of one scale: ``score`` (NaN when too few valid items), ``n_valid`` per row, and the
    positions of unknown codes per item (``{item: row positions}``, only items that have any)."""

    score: np.ndarray
    n_valid: np.ndarray
    unknown: dict[str, np.ndarray]


def score_scale(columns: Mapping[str, np.ndarray], scale: ScalePlan, n: int) -> ScaleOutcome:
    """Score one scale from its item columns (float arrays of length ``n``)."""
    num = np.zeros(n)
    den = np.zeros(n)
    count = np.zeros(n, dtype=np.int64)
    unknown: dict[str, np.ndarray] = {}
    for item in scale.items:
        look = lookup_item(columns[item.name], item)
        num += look.points
        den += look.valid * item.denominator
        count += look.valid
        if look.unknown.any():
            unknown[item.name] = np.flatnonzero(look.unknown)
    score = np.full(n, np.nan)
    ok = count >= scale.min_valid
    raw = scale.min + (scale.max - scale.min) * num[ok] / den[ok]
    score[ok] = np.clip(np.round(raw, SCORE_DECIMALS), scale.min, scale.max)
    return ScaleOutcome(score=score, n_valid=count, unknown=unknown)


def traffic_light(score: np.ndarray, tl: TrafficLightPlan) -> dict[str, np.ndarray]:
    """``tl_<name>`` (0/1/2), ``<name>`` (0/1) and ``<name>_acuut`` (0/1); NaN where the score is NaN."""
    defined = ~np.isnan(score)
    if tl.problem_if == "high":
        problem = score >= tl.problematisch
        acute = score >= tl.acuut if tl.acuut is not None else None
    else:
        problem = score <= tl.problematisch
        acute = score <= tl.acuut if tl.acuut is not None else None
    level = problem.astype(np.float64)
    if acute is not None:
        level += acute
    out = {
        tl_column(tl.name): np.where(defined, level, np.nan),
        tl.name: np.where(defined, problem, np.nan),
    }
    if acute is not None:
        out[acute_column(tl.name)] = np.where(defined, acute, np.nan)
    return out


def combine(problems: list[np.ndarray], rule: str) -> np.ndarray:
    """``none_problem`` (1 = no problem on any) or ``count_problem``; NaN where any input is NaN."""
    stacked = np.column_stack(problems)
    undefined = np.isnan(stacked).any(axis=1)
    count = np.where(undefined[:, None], 0.0, stacked).sum(axis=1)
    value = (count == 0).astype(np.float64) if rule == "none_problem" else count
    return np.where(undefined, np.nan, value)


def band(count: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """1.0 where ``lo <= count <= hi``, 0.0 elsewhere, NaN where the count is NaN."""
    return np.where(np.isnan(count), np.nan, ((count >= lo) & (count <= hi)).astype(np.float64))


def condition(columns: Mapping[str, np.ndarray], plan: ConditionPlan, n: int) -> np.ndarray:
    """1.0 where the condition holds, 0.0 where not, NaN where the indicator is undefined."""
    defined = evaluate(plan.defined, columns, size=n)
    holds = evaluate(plan.condition, columns, size=n)
    return np.where(defined, holds.astype(np.float64), np.nan)


@dataclass(frozen=True, eq=False)
class RunOutcome:
    """All output columns (in plan order) plus per-scale outcomes (for summaries and errors)."""

    columns: dict[str, np.ndarray]
    scales: dict[str, ScaleOutcome]


def run(plan: ScoringPlan, columns: Mapping[str, np.ndarray], n: int) -> RunOutcome:
    """Execute ``plan`` on float64 item columns of length ``n``."""
    out: dict[str, np.ndarray] = {}
    outcomes: dict[str, ScaleOutcome] = {}
    for scale in plan.scales:
        res = score_scale(columns, scale, n)
        outcomes[scale.name] = res
        out[scale.column] = res.score
    for ind in plan.indicators:
        if isinstance(ind, TrafficLightPlan):
            out.update(traffic_light(out[ind.score_column], ind))
        elif isinstance(ind, ConditionPlan):
            out[ind.name] = condition(columns, ind, n)
        else:
            out[ind.name] = combine([out[name] for name in ind.of], ind.rule)
            for (lo, hi), col in zip(ind.bands, ind.band_columns, strict=True):
                out[col] = band(out[ind.name], lo, hi)
    return RunOutcome(columns=out, scales=outcomes)
