"""The raking core: margins hit, structured errors, non-convergence, plan reuse, properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import WeightingError
from pipeline.weighting.raking import prepare, rake


def _problem(n=500, seed=0, sizes=(2, 5, 7)):
    rng = np.random.default_rng(seed)
    codes = [rng.integers(0, s, n) for s in sizes]
    for c, s in zip(codes, sizes, strict=True):  # every level occupied
        c[:s] = np.arange(s)
    targets = [rng.dirichlet(np.ones(s)) * 10_000 for s in sizes]
    return codes, targets, rng.uniform(0.5, 3, n)


def test_margins_hit_and_result_fields():
    codes, targets, b = _problem()
    res = rake(codes, targets, b)
    assert res.converged
    assert res.iterations == len(res.history)
    assert res.history[-1] <= 1e-10
    for c, t in zip(codes, targets, strict=True):
        np.testing.assert_allclose(np.bincount(c, weights=res.weights), t, rtol=1e-9)
    # weights = base * product of level factors
    g = np.prod([f[c] for f, c in zip(res.factors, codes, strict=True)], axis=0)
    np.testing.assert_allclose(res.weights, b * g, rtol=1e-12)
    assert not res.weights.flags.writeable


def test_default_base_weights_are_one():
    codes, targets, _ = _problem()
    a = rake(codes, targets, None)
    b = rake(codes, targets, np.ones(len(codes[0])))
    np.testing.assert_array_equal(a.weights, b.weights)


def test_plan_reused_for_replicates_matches_rake():
    codes, targets, b = _problem(seed=3)
    plan = prepare(codes, targets)
    rng = np.random.default_rng(1)
    for _ in range(3):
        rep = b * rng.poisson(1.0, b.size)
        rep[:20] += 1.0  # keep every level occupied
        np.testing.assert_allclose(
            plan.rake(rep).weights, rake(codes, targets, rep).weights, rtol=1e-13
        )


def test_empty_cell_is_a_structured_error():
    codes, targets, b = _problem()
    b = b.copy()
    b[codes[1] == 3] = 0.0  # level 3 of margin 1 has no weight
    with pytest.raises(WeightingError) as exc:
        rake(
            codes,
            targets,
            b,
            names=["sex", "age_band", "sector"],
            labels=[["1", "2"], ["1", "2", "3", "4", "5"], [str(i) for i in range(1, 8)]],
        )
    assert exc.value.code == "empty_cell"
    assert [p.path for p in exc.value.problems] == ["age_band=4"]


def test_totals_disagree_and_negative_totals():
    codes, targets, b = _problem()
    bad = [targets[0], targets[1] * 1.01, targets[2]]
    with pytest.raises(WeightingError) as exc:
        rake(codes, bad, b)
    assert exc.value.code == "totals_disagree"
    neg = [targets[0], targets[1].copy(), targets[2]]
    neg[1][0] = -5.0
    with pytest.raises(WeightingError) as exc:
        rake(codes, neg, b)
    assert {p.code for p in exc.value.problems} == {"negative_total"}


def test_codes_out_of_range_and_bad_base_weights():
    codes, targets, b = _problem()
    with pytest.raises(WeightingError) as exc:
        rake([codes[0] + 1, codes[1], codes[2]], targets, b)
    assert exc.value.problems[0].code == "code_out_of_range"
    bb = b.copy()
    bb[4] = np.nan
    with pytest.raises(WeightingError) as exc:
        rake(codes, targets, bb)
    assert exc.value.code == "bad_weight"
    assert exc.value.problems[0].row == 5  # data rows count from 1


def test_non_convergence_is_reported_not_raised():
    codes, targets, b = _problem()
    res = rake(codes, targets, b, max_iter=1)
    assert not res.converged
    assert res.iterations == 1
    assert [n.code for n in res.notices] == ["not_converged"]


def test_zero_target_level_gets_zero_weight_with_notice():
    codes, targets, b = _problem()
    t = [x.copy() for x in targets]
    tot = t[2].sum()
    t[2][0] = 0.0
    t[2] *= tot / t[2].sum()
    res = rake(codes, t, b)
    assert res.converged
    assert np.all(res.weights[codes[2] == 0] == 0)
    assert any(n.code == "zero_target_level" for n in res.notices)


def test_joint_margin_as_combined_code():
    rng = np.random.default_rng(5)
    n = 800
    sex, age, sec = rng.integers(0, 2, n), rng.integers(0, 3, n), rng.integers(0, 4, n)
    joint_t = np.array([[100, 200, 300], [150, 250, 400]], dtype=float)
    sec_t = np.full(4, joint_t.sum() / 4)
    res = rake([sex * 3 + age, sec], [joint_t.ravel(), sec_t], None)
    got = np.bincount(sex * 3 + age, weights=res.weights, minlength=6).reshape(2, 3)
    np.testing.assert_allclose(got, joint_t, rtol=1e-9)


def test_many_margins_force_recompression():
    # product of levels > 2**62 exercises the re-compression path
    rng = np.random.default_rng(2)
    n = 3000
    sizes = [40] * 12
    codes = [rng.integers(0, s, n) for s in sizes]
    for c, s in zip(codes, sizes, strict=True):
        c[:s] = rng.permutation(s)
    targets = [np.full(s, 1000.0 / s) for s in sizes]
    res = rake(codes, targets, None, max_iter=500, tol=1e-8)
    assert res.converged
    for c, t in zip(codes, targets, strict=True):
        np.testing.assert_allclose(
            np.bincount(c, weights=res.weights, minlength=t.size), t, rtol=1e-7
        )


@st.composite
def problems(draw):
    n = draw(st.integers(30, 300))
    sizes = draw(st.lists(st.integers(1, 6), min_size=1, max_size=4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    codes = []
    for s in sizes:
        c = rng.integers(0, s, n)
        c[:s] = rng.permutation(s)
        codes.append(c)
    total = draw(st.floats(10.0, 1e7))
    b = rng.uniform(0.1, 10, n)
    # targets are the margins of some raking-form weights, so a solution exists
    w0 = b * np.prod([rng.uniform(0.2, 5, s)[c] for s, c in zip(sizes, codes, strict=True)], axis=0)
    w0 *= total / w0.sum()
    targets = [np.bincount(c, weights=w0, minlength=s) for s, c in zip(sizes, codes, strict=True)]
    return codes, targets, b


@settings(max_examples=60, deadline=None)
@given(problems())
def test_property_sum_and_margins(p):
    codes, targets, b = p
    res = rake(
        codes, targets, b, max_iter=20000
    )  # IPF converges linearly; some random structures need ~3,000 sweeps
    assert res.converged
    np.testing.assert_allclose(res.weights.sum(), targets[0].sum(), rtol=1e-8)
    for c, t in zip(codes, targets, strict=True):
        np.testing.assert_allclose(
            np.bincount(c, weights=res.weights, minlength=t.size), t, rtol=1e-8, atol=1e-8 * t.sum()
        )
    assert np.all(res.weights > 0)


@settings(max_examples=40, deadline=None)
@given(problems(), st.integers(0, 2**32 - 1))
def test_property_row_and_margin_order_invariance(p, seed):
    codes, targets, b = p
    res = rake(
        codes, targets, b, max_iter=20000
    )  # IPF converges linearly; some random structures need ~3,000 sweeps
    perm = np.random.default_rng(seed).permutation(b.size)
    res2 = rake([c[perm] for c in codes][::-1], targets[::-1], b[perm], max_iter=2000)
    np.testing.assert_allclose(res2.weights, res.weights[perm], rtol=1e-7)
