"""Everything the generator derives from (questionnaire, model) before any random draw.

:func:`build_world` is deterministic: the population cells, the item models, the indicator curves from
the scoring engine, the latent means per cell, the response predictors and the calibration. Sampling
(:mod:`pipeline.synth.sample`) and the truth (:mod:`pipeline.synth.truth`) both start from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.errors import Problem, SpecError
from pipeline.questionnaire.model import Questionnaire
from pipeline.scoring import ScoringPlan, compile_plan
from pipeline.scoring.plan import CombinePlan
from pipeline.synth.calibrate import Calibration, calibrate
from pipeline.synth.check import check_model
from pipeline.synth.itemmodel import ScaleResponse, indicator_curves, scale_models
from pipeline.synth.population import Population, build_population
from pipeline.synth.spec import SynthModel
from pipeline.synth.traits import linear_effects, trait_means


@dataclass(frozen=True, eq=False)
class SynthWorld:
    q: Questionnaire
    model: SynthModel
    plan: ScoringPlan
    scales: tuple[ScaleResponse, ...]
    curves: dict[str, np.ndarray]  # traffic-light column -> curve over the latent grid
    population: Population
    means: np.ndarray  # (cells, scales) latent means without intercepts
    response_linear: np.ndarray  # (cells,)
    web_linear: np.ndarray  # (cells,)
    calibration: Calibration
    sampled: np.ndarray  # (cells,) expected selected units per cell, up to a constant

    @property
    def scale_names(self) -> tuple[str, ...]:
        return tuple(s.scale for s in self.scales)

    @property
    def owners(self) -> tuple[str | None, ...]:
        return tuple(s.indicator for s in self.scales)

    @property
    def intercepts(self) -> np.ndarray:
        return self.calibration.intercept_array(self.scale_names)

    @property
    def loadings(self) -> np.ndarray:
        return self.calibration.loading_array(self.scale_names)

    def composites(self) -> tuple[CombinePlan, ...]:
        return tuple(i for i in self.plan.indicators if isinstance(i, CombinePlan))

    def latent_index(self, indicator: str) -> int | None:
        """Column of the latent driving ``indicator`` (or None)."""
        owners = self.owners
        return owners.index(indicator) if indicator in owners else None


def build_world(q: Questionnaire, model: SynthModel) -> SynthWorld:
    check_model(model, q)
    plan = compile_plan(
        q
    ).scales_only()  # the latent model draws scale items; module items are background
    scales = scale_models(plan, model)
    owners = tuple(s.indicator for s in scales)
    composite_of: tuple[str, ...] = ()
    if model.traits.composite is not None:
        comp = next(
            (
                i
                for i in plan.indicators
                if isinstance(i, CombinePlan) and i.name == model.traits.composite
            ),
            None,
        )
        if comp is None or comp.rule != "none_problem":  # check_model has checked the kind already
            raise SpecError(
                "the synthetic model's composite is not a none_problem composite",
                [
                    Problem(
                        "composite not usable",
                        path="traits.composite",
                        value=model.traits.composite,
                        code="model_questionnaire_mismatch",
                    )
                ],
            )
        missing = [i for i in comp.of if i not in owners]
        if missing:  # pragma: no cover - every traffic light owns its scale unless two share one
            raise SpecError(
                "the composite's indicators must each drive a latent trait",
                [
                    Problem(
                        "indicator without latent",
                        path="traits.composite",
                        value=missing,
                        code="model_questionnaire_mismatch",
                    )
                ],
            )
        composite_of = comp.of
    curves = indicator_curves(q, plan, scales)
    population = build_population(model, q)
    cells = population.cell_codes
    n = population.cell_counts.shape[0]
    means = trait_means(model, scales, cells, n)
    response_linear = linear_effects(model.response.effects, cells, n)
    web_linear = linear_effects(model.response.web_effects, cells, n)
    counts = population.cell_counts.astype(np.float64)
    sampled = counts
    if model.sample.design == "stratified":  # the response rate is a rate of the sample
        from pipeline.synth.sample import allocate

        stratum, n_h = allocate(model, population, int(model.sample.size.value))
        N_h = np.bincount(stratum, weights=counts, minlength=n_h.shape[0])
        sampled = counts * np.divide(n_h, N_h, out=np.zeros_like(N_h), where=N_h > 0)[stratum]
    calib = calibrate(
        model,
        tuple(s.scale for s in scales),
        owners,
        composite_of,
        curves,
        means,
        counts,
        response_linear,
        web_linear,
        sampled=sampled,
    )
    return SynthWorld(
        q=q,
        model=model,
        plan=plan,
        scales=scales,
        curves=curves,
        population=population,
        means=means,
        response_linear=response_linear,
        web_linear=web_linear,
        calibration=calib,
        sampled=sampled,
    )
