"""``truth.json``: the population values of every indicator under the generator's model.

How they are computed (also written into the file): for every population cell (sex x age band x
sector x statute x province) the probability that a person in it has the indicator, as an exact
expectation under the model (:mod:`pipeline.synth.calibrate`: the indicator curves from the scoring
engine integrated over the cell's latent distribution, no simulation); then the average over the
cells weighted by their population counts, overall and per level of each population variable. These
are the values a perfect survey of the whole population would estimate (every item answered).
``expected_unweighted`` is the expected *unweighted* mean among respondents (cells weighted by count
x response propensity): the nonresponse bias that weighting has to remove.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pipeline.rundata.columns import acute_column
from pipeline.scoring import indicator_columns
from pipeline.scoring.plan import CombinePlan, TrafficLightPlan
from pipeline.synth.calibrate import cell_rates, logistic, none_rates
from pipeline.synth.population import magnitude_means
from pipeline.synth.world import SynthWorld

KIND = "wbm-synthetic-truth"
SCHEMA_VERSION = 1
DECIMALS = 8

METHOD = (
    "Exact expectation under the generator's model (no simulation): per population cell, the "
    "probability of the indicator given the cell's latent-trait distribution, with the indicator "
    "computed by the project's scoring engine from the item answers (all items answered); then the "
    "mean over cells weighted by the population counts. 'expected_unweighted' weights the cells by "
    "count x response propensity (the expected unweighted respondent mean)."
)


def cell_probabilities(world: SynthWorld, shift: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per population cell (flattened), the probability of every 0/1 indicator column; ``shift``
    (per scale) moves the latent means, e.g. the web mode's measurement effect."""
    means = world.means + world.intercepts[None, :]
    if shift is not None:
        means = means + shift[None, :]
    loadings = world.loadings
    out: dict[str, np.ndarray] = {}
    for ind in world.plan.indicators:
        if isinstance(ind, TrafficLightPlan):
            j = world.scale_names.index(ind.scale)
            out[ind.name] = cell_rates(world.curves[ind.name], means[:, j])
            if ind.acuut is not None:
                col = acute_column(ind.name)
                out[col] = cell_rates(world.curves[col], means[:, j])
        elif isinstance(ind, CombinePlan) and ind.rule == "none_problem":
            idx = [world.latent_index(i) for i in ind.of]
            if any(i is None for i in idx):  # pragma: no cover - checked by build_world
                continue
            cols = [int(i) for i in idx if i is not None]
            out[ind.name] = none_rates(
                [world.curves[i] for i in ind.of], means[:, cols], loadings[cols]
            )
    return out


def response_probabilities(world: SynthWorld) -> tuple[np.ndarray, np.ndarray | None]:
    """Per cell: P(respond) and P(web | respond) (None without a web share).

    Telephone surveys: P(complete interview | eligible, eligibility known)."""
    cal = world.calibration
    web = (
        logistic(cal.web_intercept + world.web_linear)
        if world.model.response.web_share is not None
        else None
    )
    return logistic(cal.response_intercept + world.response_linear), web


def mode_effects_truth(world: SynthWorld, probs: dict[str, np.ndarray]) -> dict[str, Any] | None:
    """What the diagnostics of ``wbm fieldwork`` should find, web minus paper, per 0/1 indicator:
    ``measurement`` = the web mode's effect on the population (every cell answering on the web
    minus on paper, cells weighted by their counts: what both modes weighted to the same population
    differ by); ``raw`` = the expected difference between the web and the paper respondents
    (cells weighted by count x P(respond) x P(web) or x (1 - P(web)), web answers shifted);
    ``selection`` = raw - measurement. None without a web mode."""
    from pipeline.synth.sample import web_shift

    respond, web = response_probabilities(world)
    if web is None or not {"paper", "web"} <= set(world.q.study.modes):
        return None
    shift = web_shift(world)
    shifted = cell_probabilities(world, shift) if np.any(shift != 0) else probs
    counts = world.population.cell_counts.astype(np.float64)
    w_web, w_paper = counts * respond * web, counts * respond * (1 - web)
    out: dict[str, Any] = {}
    for col in indicator_columns(world.q):
        if col not in probs:
            continue
        meas = _mean(shifted[col], counts) - _mean(probs[col], counts)
        raw = _mean(shifted[col], w_web) - _mean(probs[col], w_paper)
        out[col] = {
            "measurement": round(meas, DECIMALS),
            "selection": round(raw - meas, DECIMALS),
            "raw": round(raw, DECIMALS),
        }
    wm = world.model.response.web_measurement
    return {
        "mode": "web",
        "reference": "paper",
        "latent_shift": dict(wm.shift) if wm is not None else {},
        "source": wm.source if wm is not None else "no measurement effect in the model",
        "indicators": out,
    }


def _mean(values: np.ndarray, weights: np.ndarray) -> float:
    return round(float(values @ weights / weights.sum()), DECIMALS)


def _summary(
    values: np.ndarray, counts: np.ndarray, respond: np.ndarray, world: SynthWorld
) -> dict[str, Any]:
    """Overall and by-variable means over cells weighted by ``counts``; ``respond`` x the expected
    sample per cell gives the expected unweighted respondent mean."""
    cells = world.population.cell_codes
    by: dict[str, dict[str, float]] = {}
    for var, codes in zip(world.population.variables, world.population.codes, strict=True):
        by[var] = {}
        for code in codes:
            mask = cells[var] == code
            if counts[mask].sum() > 0:
                by[var][str(code)] = _mean(values[mask], counts[mask])
    return {
        "overall": _mean(values, counts),
        "expected_unweighted": _mean(values, world.sampled * respond),
        "by": by,
    }


def compute_truth(world: SynthWorld) -> dict[str, Any]:
    """The content of ``truth.json`` (JSON-ready)."""
    probs = cell_probabilities(world)
    counts = world.population.cell_counts.astype(np.float64)
    respond, web = response_probabilities(world)
    wanted = indicator_columns(world.q)
    indicators = {
        col: _summary(probs[col], counts, respond, world) for col in wanted if col in probs
    }
    means: dict[str, Any] = {}
    for ind in world.plan.indicators:
        if (
            isinstance(ind, CombinePlan)
            and ind.rule == "count_problem"
            and all(i in probs for i in ind.of)
        ):
            means[ind.name] = _summary(
                np.sum([probs[i] for i in ind.of], axis=0), counts, respond, world
            )
    model = world.model
    targets = {
        name: spec.target.model_dump()
        for name, spec in model.traits.indicators.items()
        if spec.target
    }
    if model.traits.composite is not None and model.traits.composite_target is not None:
        targets[model.traits.composite] = model.traits.composite_target.model_dump()
    cal = world.calibration
    response: dict[str, Any] = {
        "rate": _mean(respond, world.sampled),
    }
    if web is not None:
        response["web_share_of_respondents"] = _mean(web, world.sampled * respond)
    response["rate_by"] = _summary(respond, counts, np.ones_like(respond), world)["by"]
    response["targets"] = {"rate": model.response.rate.model_dump()}
    if model.response.web_share is not None:
        response["targets"]["web_share"] = model.response.web_share.model_dump()
    calibration: dict[str, Any] = {
        "intercepts": dict(cal.intercepts),
        "loadings": dict(cal.loadings),
        "response_intercept": cal.response_intercept,
    }
    if web is not None:
        calibration["web_intercept"] = cal.web_intercept
    weighted_by: dict[str, Any] = {}
    for mf in model.population.margins:
        if mf.size is None or mf.weight_column is None:
            continue
        mag = next(m for m in model.population.magnitudes if m.variable == mf.size)
        size = counts * magnitude_means(world.population, mag)
        weighted_by[mf.weight_column] = {
            "unit": mf.unit,
            "indicators": {
                col: {
                    k: v
                    for k, v in _summary(probs[col], size, respond, world).items()
                    if k != "expected_unweighted"
                }
                for col in wanted
                if col in probs
            },
        }
    modes = mode_effects_truth(world, probs)
    return {
        "kind": KIND,
        "schema_version": SCHEMA_VERSION,
        "synthetic": True,
        "questionnaire": world.q.study.id,
        "model": model.name,
        "population_total": world.population.total,
        "unit": "proportion (0-1) of the population",
        "method": METHOD,
        "targets": targets,
        "indicators": indicators,
        "means": means,
        "response": response,
        "calibration": calibration,
        **({"weighted_by": weighted_by} if weighted_by else {}),
        **({"mode_effects": modes} if modes is not None else {}),
    }


def simulate_rates(world: SynthWorld, n: int, seed: int) -> dict[str, float]:
    """Monte-Carlo check of :func:`cell_probabilities`: draw ``n`` persons from the population,
    generate their latents and complete item answers, score them with the scoring engine and return
    the share of every 0/1 indicator (not the bands of a count: the truth has the count's mean, not
    its distribution). Agrees with ``compute_truth`` up to simulation error."""
    from pipeline.scoring import score_arrays
    from pipeline.synth.traits import draw_latents

    rng = np.random.default_rng(seed)
    counts = world.population.cell_counts.astype(np.float64)
    cell = rng.choice(counts.shape[0], size=n, p=counts / counts.sum())
    latents = draw_latents(
        world.means[cell], world.intercepts, world.loadings, world.scale_names, rng
    )
    items: dict[str, np.ndarray] = {}
    for j, s in enumerate(world.scales):
        items.update({k: v.astype(np.float64) for k, v in s.draw(latents.eta[:, j], rng).items()})
    scored = score_arrays(world.plan, items)
    from pipeline.scoring import output_columns

    bands = {c.name for c in output_columns(world.q) if c.kind == "band"}  # not in the truth
    return {
        c: float(np.nanmean(scored[c]))
        for c in indicator_columns(world.q)
        if c in scored and c not in bands
    }
