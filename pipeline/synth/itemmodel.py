"""Answers to scale items from latent traits, and the exact indicator curves those answers imply.

Everything about the items comes from the questionnaire, through the scoring plan
(:func:`pipeline.scoring.compile_plan`): the items of every scale, their choice codes and the points
each code adds (reverse coding applied). The generator only adds an **ordered-logit item model**:
the categories of an item, ordered by their points, are answered with

    P(category >= c | theta) = logistic(a * (theta - tau_c - delta_j)),   c = 1 .. k-1

where ``theta`` is the respondent's latent trait in the scale's score direction, ``a`` the
discrimination, ``tau`` thresholds evenly spaced in [-spread, spread] and ``delta_j`` item locations
evenly spaced in [-shift, shift] (the model file, ``traits.item_model``).

:func:`indicator_curves` gives, on a grid of the latent, the probability that a respondent who answers
every item is a problem / acute case. It enumerates the exact distribution of the scale's point total
(items are independent given the latent) and asks the project's scoring engine which point totals are
problems, by scoring one representative answer pattern per total: no second scoring engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.questionnaire.model import Questionnaire
from pipeline.rundata.columns import acute_column
from pipeline.scoring import ScoringPlan, score_arrays
from pipeline.scoring.plan import TrafficLightPlan
from pipeline.synth.spec import ItemModelSpec, SynthModel

#: Latent grid (problem direction) on which indicator curves are tabulated.
GRID = np.linspace(-12.0, 12.0, 2401)


@dataclass(frozen=True, eq=False)
class ItemResponse:
    """One scale item: its codes ordered by ascending points and its ordered-logit parameters."""

    name: str
    codes: np.ndarray  # choice codes, ascending points (score direction)
    points: np.ndarray  # the points of those codes (from the scoring plan)
    thresholds: np.ndarray  # k-1 category thresholds incl. the item location
    discrimination: float

    def cumulative(self, theta: np.ndarray) -> np.ndarray:
        """P(category >= c | theta) for c = 1..k-1, shape (n, k-1)."""
        z = self.discrimination * (
            np.asarray(theta, dtype=np.float64)[:, None] - self.thresholds[None, :]
        )
        return 1.0 / (1.0 + np.exp(-z))

    def category_probs(self, theta: np.ndarray) -> np.ndarray:
        """P(category = c | theta), shape (n, k)."""
        cum = self.cumulative(theta)
        n = cum.shape[0]
        upper = np.hstack([np.ones((n, 1)), cum])
        lower = np.hstack([cum, np.zeros((n, 1))])
        return np.clip(upper - lower, 0.0, 1.0)

    def draw(self, theta: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Codes for latent values ``theta`` and uniform draws ``u`` (same length)."""
        category = (u[:, None] < self.cumulative(theta)).sum(axis=1)
        return self.codes[category]


@dataclass(frozen=True, eq=False)
class ScaleResponse:
    """The item model of one scale. ``sign`` maps the problem-direction latent to the score direction."""

    scale: str
    indicator: str | None  # the traffic-light indicator whose problem direction the latent follows
    sign: float
    items: tuple[ItemResponse, ...]

    def draw(self, eta: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Codes of every item for problem-direction latents ``eta``."""
        theta = self.sign * eta
        return {
            it.name: it.draw(theta, np.asarray(rng.random(theta.shape[0]))) for it in self.items
        }


def _spaced(n: int, half_width: float) -> np.ndarray:
    return np.linspace(-half_width, half_width, n) if n > 1 else np.zeros(n)


def scale_models(plan: ScoringPlan, model: SynthModel) -> tuple[ScaleResponse, ...]:
    """One :class:`ScaleResponse` per scale of the plan, in plan order."""
    owner: dict[str, TrafficLightPlan] = {}
    for plan_ind in plan.indicators:
        if isinstance(plan_ind, TrafficLightPlan) and (
            plan_ind.name in model.traits.indicators or plan_ind.scale not in owner
        ):
            owner[plan_ind.scale] = plan_ind
    out = []
    for s in plan.scales:
        ind = owner.get(s.name)
        sign = -1.0 if ind is not None and ind.problem_if == "low" else 1.0
        trait = model.traits.indicators.get(ind.name) if ind is not None else None
        spec: ItemModelSpec = (
            trait.item_model
            if trait is not None and trait.item_model is not None
            else model.traits.item_model
        )
        shifts = _spaced(len(s.items), spec.item_shift)
        items = []
        for it, delta in zip(s.items, shifts, strict=True):
            order = np.argsort(it.points, kind="stable")
            k = len(order)
            items.append(
                ItemResponse(
                    name=it.name,
                    codes=it.codes[order].astype(np.int64),
                    points=it.points[order],
                    thresholds=_spaced(k - 1, spec.threshold_spread) + delta,
                    discrimination=spec.discrimination,
                )
            )
        out.append(ScaleResponse(s.name, ind.name if ind is not None else None, sign, tuple(items)))
    return tuple(out)


# ---------------------------------------------------------------- exact curves via the scoring engine


@dataclass(frozen=True, eq=False)
class TotalDistribution:
    """Distribution of a scale's point total over the latent grid, with one answer pattern per total."""

    totals: np.ndarray  # (S,) distinct point totals
    patterns: np.ndarray  # (S, n_items) codes giving each total
    probs: np.ndarray  # (G, S) P(total | latent grid point)


def total_distribution(scale: ScaleResponse, eta: np.ndarray) -> TotalDistribution:
    """Exact distribution of the point total when every item is answered (convolution over items)."""
    theta = scale.sign * eta
    totals = np.zeros(1)
    patterns = np.zeros((1, 0), dtype=np.int64)
    probs = np.ones((theta.shape[0], 1))
    for it in scale.items:
        p = it.category_probs(theta)  # (G, k)
        k = p.shape[1]
        cand = np.round(totals[:, None] + it.points[None, :], 9).ravel()  # (S*k,)
        new_totals, first, inverse = np.unique(cand, return_index=True, return_inverse=True)
        merge = np.zeros((cand.shape[0], new_totals.shape[0]))
        merge[np.arange(cand.shape[0]), inverse] = 1.0
        probs = (probs[:, :, None] * p[:, None, :]).reshape(theta.shape[0], -1) @ merge
        parent, category = np.divmod(first, k)
        patterns = np.column_stack([patterns[parent], it.codes[category]])
        totals = new_totals
    return TotalDistribution(totals, patterns, probs)


def indicator_curves(
    q: Questionnaire, plan: ScoringPlan, scales: tuple[ScaleResponse, ...], grid: np.ndarray = GRID
) -> dict[str, np.ndarray]:
    """P(column = 1 | problem-direction latent of its scale) on ``grid`` for every traffic-light
    problem and acute column (``<indicator>``, ``<indicator>_acuut``), all items answered."""
    dists = {s.scale: total_distribution(s, grid) for s in scales}
    names = plan.input_columns
    n_rows = sum(d.totals.shape[0] for d in dists.values())
    columns: dict[str, np.ndarray] = {name: np.full(n_rows, np.nan) for name in names}
    blocks: dict[str, slice] = {}
    start = 0
    for s in scales:
        d = dists[s.scale]
        blocks[s.scale] = slice(start, start + d.totals.shape[0])
        for j, it in enumerate(s.items):
            columns[it.name][blocks[s.scale]] = d.patterns[:, j]
        start += d.totals.shape[0]
    scored = score_arrays(plan, columns)
    curves: dict[str, np.ndarray] = {}
    for ind in plan.indicators:
        if not isinstance(ind, TrafficLightPlan):
            continue
        d, rows = dists[ind.scale], blocks[ind.scale]
        for col in (ind.name, acute_column(ind.name) if ind.acuut is not None else None):
            if col is None:
                continue
            hit = scored[col][rows]
            if np.isnan(hit).any():  # pragma: no cover - every pattern answers every item
                raise AssertionError(f"scoring left {col} undefined for a complete answer pattern")
            curves[col] = d.probs @ hit
    return curves
