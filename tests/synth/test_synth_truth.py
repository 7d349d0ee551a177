"""truth.json: the calibrated population hits the published headline figures, the exact expectations
agree with a simulation scored by the scoring engine, and the respondents are visibly biased."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.synth.truth import compute_truth, simulate_rates


@pytest.fixture(scope="module")
def truth(world):
    return compute_truth(world)


def test_headline_figures_hit_the_published_values(truth):
    ind = truth["indicators"]
    assert ind["werkbaar_werk"]["overall"] == pytest.approx(0.518, abs=0.005)
    assert ind["werkstress"]["overall"] == pytest.approx(0.361, abs=0.005)


def test_every_target_is_met(truth, model):
    for name, spec in model.traits.indicators.items():
        assert truth["indicators"][name]["overall"] == pytest.approx(spec.target.value, abs=1e-6), (
            name
        )
    assert truth["response"]["rate"] == pytest.approx(model.response.rate.value, abs=1e-6)
    assert truth["response"]["web_share_of_respondents"] == pytest.approx(
        model.response.web_share.value, abs=1e-6
    )


def test_about_a_third_of_stress_cases_are_acute(truth):
    ind = truth["indicators"]
    assert 0.25 < ind["werkstress_acuut"]["overall"] / ind["werkstress"]["overall"] < 0.42


def test_domains_average_back_to_the_overall_value(truth, world):
    for col, entry in truth["indicators"].items():
        for var, levels in entry["by"].items():
            codes, totals = world.population.margin(var)
            avg = (
                sum(levels[str(c)] * t for c, t in zip(codes, totals, strict=True) if t)
                / totals.sum()
            )
            assert avg == pytest.approx(entry["overall"], abs=1e-6), (col, var)


def test_indicators_differ_by_group_as_documented(truth):
    ww = truth["indicators"]["werkbaar_werk"]["by"]
    assert ww["statute"]["1"] < ww["statute"]["2"] - 0.05  # arbeiders: less workable work
    assert ww["age_band"]["1"] < ww["age_band"]["5"]
    assert min(ww["sector"].values()) < 0.45 < 0.55 < max(ww["sector"].values())


def test_unweighted_respondents_are_visibly_biased(truth):
    ww = truth["indicators"]["werkbaar_werk"]
    assert abs(ww["expected_unweighted"] - ww["overall"]) >= 0.02
    rate_by = truth["response"]["rate_by"]
    assert rate_by["age_band"]["1"] < rate_by["age_band"]["5"]  # the young respond less


def test_exact_expectations_agree_with_a_scored_simulation(world, truth):
    """Simulate 100,000 complete answer sets, score them with the scoring engine, compare."""
    sim = simulate_rates(world, 100_000, seed=7)
    assert set(sim) == set(truth["indicators"])
    for col, value in sim.items():
        assert value == pytest.approx(truth["indicators"][col]["overall"], abs=0.006), col


def test_truth_is_deterministic(world, truth):
    assert compute_truth(world) == truth
    assert all(0.0 <= e["overall"] <= 1.0 for e in truth["indicators"].values())
    assert np.isfinite(truth["means"]["aantal_problemen"]["overall"])
