"""PRAM with an invariant transition matrix."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.sdc.microdata.pram import invariant_matrix, pram


@settings(max_examples=100, deadline=None)
@given(masses=st.lists(st.floats(0.01, 100), min_size=2, max_size=12), r=st.floats(0.0, 1.0))
def test_matrix_is_stochastic_and_invariant(masses, r):
    pi = np.array(masses) / np.sum(masses)
    P = invariant_matrix(pi, r)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-12)
    assert (P >= 0).all()
    np.testing.assert_allclose(pi @ P, pi, atol=1e-12)


def test_seeded_and_missing_values_untouched():
    x = np.array([1, 2, 3, 1, 2, -9, math.nan] * 50, dtype=float)
    a, ra = pram("v", x, retention=0.5, rng=np.random.default_rng(3))
    b, _ = pram("v", x, retention=0.5, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    assert (a[x == -9] == -9).all() and np.isnan(a[np.isnan(x)]).all()
    assert set(np.unique(a[x >= 0])) <= {1.0, 2.0, 3.0}
    assert ra.changed == int(np.sum((x >= 0) & (a != x))) > 0


def test_retention_one_changes_nothing():
    x = np.array([1.0, 2.0, 2.0, 3.0])
    out, res = pram("v", x, retention=1.0, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(out, x)
    assert res.changed == 0 and np.allclose(res.as_array(), np.eye(3))


def test_weighted_marginals_are_kept_in_expectation():
    rng = np.random.default_rng(8)
    n = 40_000
    x = rng.choice([1.0, 2.0, 3.0, 4.0], size=n, p=[0.5, 0.3, 0.15, 0.05])
    w = rng.uniform(50, 500, n)
    before = np.array([w[x == c].sum() for c in (1, 2, 3, 4)]) / w.sum()
    out, res = pram("v", x, retention=0.6, rng=np.random.default_rng(9), weights=w)
    after = np.array([w[out == c].sum() for c in (1, 2, 3, 4)]) / w.sum()
    # each share is a sum of n independent draws: sd <= sqrt(0.25 * sum(w^2)) / sum(w) ~ 0.003; allow 4 sd
    sd = math.sqrt(0.25 * float(np.sum(w**2))) / float(w.sum())
    np.testing.assert_allclose(after, before, atol=4 * sd)
    np.testing.assert_allclose(res.marginal, before, atol=1e-12)
    # empirical transition rates match the matrix (each row: thousands of records; 4 sd of a binomial share)
    P = res.as_array()
    for i, c in enumerate((1.0, 2.0, 3.0, 4.0)):
        rows = x == c
        emp = np.array([np.mean(out[rows] == d) for d in (1.0, 2.0, 3.0, 4.0)])
        tol = 4 * np.sqrt(P[i] * (1 - P[i]) / rows.sum()) + 1e-9
        assert (np.abs(emp - P[i]) <= tol).all()
