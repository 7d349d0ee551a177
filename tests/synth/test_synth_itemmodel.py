"""The item model: answers follow the questionnaire, curves come from the scoring engine."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.synth.itemmodel import GRID, total_distribution


def test_one_item_model_per_scale_item_of_the_questionnaire(world, q):
    assert [s.scale for s in world.scales] == [s.name for s in q.scales]
    for s, spec in zip(world.scales, q.scales, strict=True):
        assert [it.name for it in s.items] == list(spec.items)
        for it in s.items:
            assert sorted(it.codes.tolist()) == [c.code for c in q.choices_of(q.item(it.name))]


def test_problem_curves_rise_with_the_latent(world):
    for col, curve in world.curves.items():
        assert np.all(np.diff(curve) >= -1e-12), col
        assert curve[0] < 1e-6 and curve[-1] > 1 - 1e-6, col


def test_reverse_items_are_answered_the_other_way(world):
    stress = world.scales[0]
    assert stress.scale == "psychische_vermoeidheid"
    rng = np.random.default_rng(1)
    answers = stress.draw(np.full(20_000, 2.0), rng)  # much fatigue
    yes = {name: float(np.mean(v == 1)) for name, v in answers.items()}
    assert yes["pv04"] < 0.2  # "energy left for leisure" (reverse item): mostly no
    assert all(yes[n] > 0.5 for n in yes if n != "pv04")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-6, 6), min_size=1, max_size=8), st.integers(0, 9))
def test_total_distribution_sums_to_one_and_patterns_give_their_totals(world, etas, j):
    scale = world.scales[j]
    d = total_distribution(scale, np.array(etas))
    assert np.allclose(d.probs.sum(axis=1), 1.0)
    for row, total in zip(d.patterns, d.totals, strict=True):
        pts = 0.0
        for it, code in zip(scale.items, row, strict=True):
            pts += float(it.points[it.codes.tolist().index(int(code))])
        assert abs(pts - total) < 1e-9


def test_draws_follow_the_category_probabilities(world):
    it = world.scales[1].items[0]
    rng = np.random.default_rng(3)
    theta = np.full(50_000, 0.3)
    codes = it.draw(theta, rng.random(theta.shape[0]))
    expected = it.category_probs(np.array([0.3]))[0]
    observed = np.array([np.mean(codes == c) for c in it.codes])
    assert np.allclose(observed, expected, atol=0.01)
    assert GRID[0] < -10 and GRID[-1] > 10
