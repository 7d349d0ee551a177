"""Frequencies with wildcards, individual and global risk.

Golden values: sdcMicro's own unit tests, ``tests/testthat/test_indivRisk.R`` in
github.com/sdcTools/sdcMicro (R package sdcMicro is not installed here, so these published values are
the oracle). Their recipe, quoted::

    sample_Data <- array(c(2, 3, 2, 2, 3, 3, 1, 2,  3, 3, 3, 3, 3, 3, 4, 3,  1, 3, 1, 2, 1, 1, 1, 1), dim = c(8,3))
    colnames(sample_Data) <- c("A", "B", "C")
    sample_Data <- cbind(sample_Data, "weight" = c(18.0, 45.5, 39.0, 17.0, 92.0, 8.0, 123.5, 51))
    fr <- freqCalc(as.data.frame(sample_Data), keyVars = c(1,2,3), w = 4)
    indivRisk(fr, method = "approx", qual = 1, survey = TRUE)$rk
    # with missing values: A[8] <- NA; C[3] <- NA; C[7] <- NA

The values are quoted rounded to 8 (complete data) or 9 (missing values) decimals, so the tolerance
here is absolute 5e-9 (half a unit in the 8th decimal).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pipeline.sdc.microdata.risk import (
    WILDCARD,
    code_column,
    code_keys,
    engine_for,
    frequencies,
    frequencies_by_pattern,
    frequencies_pairwise,
    individual_risk,
    measure,
)

NAN = math.nan
A = [2, 3, 2, 2, 3, 3, 1, 2]
B = [3, 3, 3, 3, 3, 3, 4, 3]
C = [1, 3, 1, 2, 1, 1, 1, 1]
W = np.array([18.0, 45.5, 39.0, 17.0, 92.0, 8.0, 123.5, 51])
A_NA = [2, 3, 2, 2, 3, 3, 1, NAN]
C_NA = [1, 3, NAN, 2, 1, 1, NAN, 1]

RK_COMPLETE = [
    0.01369863,
    0.08579129,
    0.01369863,
    0.17707583,
    0.01877883,
    0.01877883,
    0.03931625,
    0.01369863,
]
RK_MISSING = [
    0.013698630,
    0.085791288,
    0.010554090,
    0.032466112,
    0.009836066,
    0.009836066,
    0.039316254,
    0.005973716,
]
RK_UNWEIGHTED_COMPLETE = [1 / 3, 1, 1 / 3, 1, 0.5, 0.5, 1, 1 / 3]
RK_UNWEIGHTED_MISSING = [1 / 3, 1, 0.25, 0.5, 1 / 3, 1 / 3, 1, 0.2]


def _codes(a: list[float], b: list[float], c: list[float]) -> np.ndarray:
    return code_keys(
        {"A": np.array(a, float), "B": np.array(b, float), "C": np.array(c, float)}, ["A", "B", "C"]
    )


ENGINES = [frequencies, frequencies_by_pattern, frequencies_pairwise]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("a", "c", "expected"), [(A, C, RK_COMPLETE), (A_NA, C_NA, RK_MISSING)])
def test_individual_risk_matches_sdcmicro_weighted(engine, a, c, expected):
    fk, Fk = engine(_codes(a, B, c), W)
    r, capped = individual_risk(fk, Fk)
    assert capped == 0
    np.testing.assert_allclose(r, expected, rtol=0, atol=5e-9)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("a", "c", "expected"), [(A, C, RK_UNWEIGHTED_COMPLETE), (A_NA, C_NA, RK_UNWEIGHTED_MISSING)]
)
def test_unweighted_risk_is_one_over_fk_as_sdcmicro(engine, a, c, expected):
    fk, Fk = engine(_codes(a, B, c), None)
    np.testing.assert_array_equal(fk, Fk)
    r, _ = individual_risk(fk, Fk)
    np.testing.assert_allclose(r, expected, rtol=1e-12)


def test_wildcard_frequencies_by_hand():
    # record 8 (NA, 3, 1) matches rows 1, 3 (C is NA), 5, 6 and itself -> f = 5, F = 18+39+92+8+51
    fk, Fk = frequencies(_codes(A_NA, B, C_NA), W)
    assert fk.tolist() == [3, 1, 4, 2, 3, 3, 1, 5]
    assert Fk[7] == pytest.approx(208.0)
    assert Fk[2] == pytest.approx(18 + 17 + 39 + 51)


def test_risk_formulas_by_hand():
    fk = np.array([1, 2, 3, 4, 4])
    Fk = np.array([10.0, 10.0, 30.0, 4.0, 2.0])
    r, capped = individual_risk(fk, Fk)
    assert r[0] == pytest.approx(0.1 / 0.9 * math.log(10))
    p = 0.2
    assert r[1] == pytest.approx(p / (1 - p) - (p / (1 - p)) ** 2 * math.log(1 / p))
    assert r[2] == pytest.approx(0.1 / (3 - 0.9))
    assert r[3] == pytest.approx(0.25)  # f_k == F_k: a population, risk 1/f_k
    assert (
        r[4] == pytest.approx(0.25) and capped == 1
    )  # F_k < f_k (weights below 1): capped to 1/f_k


def test_code_column_wildcards():
    x = np.array([3.0, -9, NAN, 1, 3, -5, 0])
    assert code_column(x).tolist() == [2, WILDCARD, WILDCARD, 1, 2, WILDCARD, 0]


def test_measure_summary():
    m = measure(_codes(A, B, C), W, k=3, keys=["A", "B", "C"], stage="recoded")
    s = m.summary
    assert (s.n, s.violating, s.unique, s.fk_min) == (8, 5, 3, 1)
    assert s.expected_reidentifications == pytest.approx(sum(RK_COMPLETE), abs=4e-8)
    assert s.global_risk == pytest.approx(sum(RK_COMPLETE) / 8, abs=5e-9)
    assert s.max_risk == pytest.approx(max(RK_COMPLETE), abs=5e-9)
    assert dict(s.above)[0.1] == 1 and s.violating_share == pytest.approx(5 / 8)


def test_all_wildcards_and_no_keys():
    codes = np.full((4, 2), WILDCARD)
    fk, Fk = frequencies(codes, np.array([1.0, 2, 3, 4]))
    assert fk.tolist() == [4] * 4 and Fk.tolist() == [10.0] * 4
    fk, _ = frequencies(np.zeros((3, 0), dtype=np.int64))
    assert fk.tolist() == [3, 3, 3]
    fk, _ = frequencies(np.zeros((0, 2), dtype=np.int64))
    assert fk.shape == (0,)


key_matrices = st.integers(1, 40).flatmap(
    lambda n: st.integers(1, 5).flatmap(
        lambda p: arrays(np.int64, (n, p), elements=st.integers(-1, 3))
    )
)


@settings(max_examples=150, deadline=None)
@given(codes=key_matrices, seed=st.integers(0, 2**16))
def test_pattern_engine_equals_pairwise_engine(codes, seed):
    w = np.random.default_rng(seed).uniform(1, 50, codes.shape[0])
    fk1, Fk1 = frequencies_by_pattern(codes, w)
    fk2, Fk2 = frequencies_pairwise(codes, w)
    np.testing.assert_array_equal(fk1, fk2)
    np.testing.assert_allclose(Fk1, Fk2, rtol=1e-12)
    assert (fk1 >= 1).all() and (Fk1 >= w - 1e-9).all()


def test_pattern_engine_equals_pairwise_engine_on_large_groups():
    # groups large enough for the grouping branch (not the record-by-record one)
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 3, size=(3000, 6))
    codes[rng.random(codes.shape) < 0.02] = WILDCARD
    w = rng.uniform(1, 50, codes.shape[0])
    fk1, Fk1 = frequencies_by_pattern(codes, w)
    fk2, Fk2 = frequencies_pairwise(codes, w)
    np.testing.assert_array_equal(fk1, fk2)
    np.testing.assert_allclose(Fk1, Fk2, rtol=1e-12)


def test_the_cheaper_engine_is_taken_and_gives_the_same_counts():
    rng = np.random.default_rng(3)
    few = rng.integers(0, 4, size=(6000, 5))  # one pattern, many records: grouping
    many = rng.integers(0, 4, size=(800, 60))  # a pattern per record: pairwise
    many[rng.random(many.shape) < 0.03] = WILDCARD
    assert engine_for(few) == "pattern"
    assert engine_for(many) == "pairwise"
    for codes in (few, many):
        np.testing.assert_array_equal(frequencies(codes)[0], frequencies_pairwise(codes)[0])


@settings(max_examples=100, deadline=None)
@given(codes=key_matrices, data=st.data())
def test_adding_a_wildcard_never_lowers_a_frequency(codes, data):
    i = data.draw(st.integers(0, codes.shape[0] - 1))
    j = data.draw(st.integers(0, codes.shape[1] - 1))
    fk, _ = frequencies(codes)
    more = codes.copy()
    more[i, j] = WILDCARD
    fk2, _ = frequencies(more)
    assert (fk2 >= fk).all()
