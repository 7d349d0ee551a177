"""Local suppression: hand-checked examples and invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pipeline.errors import DisclosureError
from pipeline.sdc.microdata.risk import WILDCARD, frequencies, frequencies_pairwise, individual_risk
from pipeline.sdc.microdata.suppress import local_suppression, verify

W = WILDCARD


def test_hand_example_k2():
    # keys (x, y); x is more important than y
    codes = np.array([[1, 1], [1, 1], [1, 2], [2, 2]])
    s = local_suppression(codes, None, k=2, importance=[0, 1])
    # (1,2): suppressing y gives (1,*), compatible with both (1,1) -> f = 3: one cell, the less important one.
    # (2,2): (2,*) matches only itself, (*,2) matches (1,*) -> f = 2: x must go.
    assert s.codes.tolist() == [[1, 1], [1, 1], [1, W], [W, 2]]
    assert sorted(s.cells) == [(2, 1), (3, 0)]
    assert s.fk.tolist() == [3, 3, 4, 2]
    assert frequencies(s.codes)[0].tolist() == s.fk.tolist()


def test_importance_breaks_ties_between_equally_small_suppressions():
    codes = np.array(
        [[1, 1], [1, 1], [1, 2], [2, 2]]
    )  # row 2: suppressing x or y alone reaches k = 2
    s = local_suppression(codes, None, k=2, importance=[0, 1])  # x most important
    assert s.codes[2].tolist() == [1, W]
    s = local_suppression(codes, None, k=2, importance=[1, 0])  # y most important
    assert s.codes[2].tolist() == [W, 2]
    assert (frequencies(s.codes)[0] >= 2).all()


def test_an_important_variable_goes_when_nothing_else_helps():
    codes = np.array([[1, 1, 1], [1, 1, 1], [1, 1, 2], [1, 2, 1]])
    for strategy in ("importance", "fewest_cells"):
        s = local_suppression(
            codes, None, k=3, importance=[2, 1, 0], strategy=strategy
        )  # z most important
        # row 2 differs from every other record in z: no set without z can help
        assert s.codes[2].tolist() == [1, 1, W]
        assert s.codes[3].tolist() == [1, W, 1]
        assert len(s.cells) == 2


def test_strategies_differ_on_one_important_cell_versus_two_unimportant_ones():
    # row 4 = (2, 1, 1): suppressing x alone matches rows 0-1, suppressing y and z matches rows 2-3
    codes = np.array([[1, 1, 1], [1, 1, 1], [2, 2, 2], [2, 2, 2], [2, 1, 1]])
    s = local_suppression(codes, None, k=3, importance=[0, 1, 2], strategy="fewest_cells")
    assert s.codes[4].tolist() == [W, 1, 1]
    s = local_suppression(codes, None, k=3, importance=[0, 1, 2], strategy="importance")
    assert s.codes[4].tolist() == [2, W, W]
    assert (frequencies(s.codes)[0] >= 3).all()


def test_fewest_cells_picks_a_pair_when_no_single_value_suffices():
    codes = np.array([[1, 1, 1], [1, 1, 1], [2, 2, 1]])
    s = local_suppression(codes, None, k=3, importance=[2, 1, 0])
    # row 2 needs both x and y suppressed to match the others (f = 3); the other rows then match it
    assert s.codes[2].tolist() == [W, W, 1]
    assert (s.fk >= 3).all()


def test_already_anonymous_data_are_untouched():
    codes = np.array([[1, 2]] * 3 + [[2, 2]] * 3)
    s = local_suppression(codes, np.ones(6), k=3, importance=[0, 1])
    assert s.cells == () and np.array_equal(s.codes, codes) and s.passes == 0


def test_fewer_records_than_k_is_an_error():
    with pytest.raises(DisclosureError) as exc:
        local_suppression(np.array([[1], [2]]), None, k=3, importance=[0])
    assert exc.value.code == "k_unreachable"


def test_max_risk_is_reached():
    rng = np.random.default_rng(4)
    codes = rng.integers(0, 3, (60, 3))
    w = rng.uniform(1, 4, 60)
    s = local_suppression(codes, w, k=2, importance=[0, 1, 2], max_risk=0.2)
    fk, Fk = frequencies_pairwise(s.codes, w)
    r, _ = individual_risk(fk, Fk)
    assert (fk >= 2).all() and (r <= 0.2).all()


def test_verify_rejects_a_violation_and_a_wrong_count():
    codes = np.array([[1], [1], [2]])
    with pytest.raises(DisclosureError) as exc:
        verify(codes, None, k=2, max_risk=None)
    assert exc.value.code == "suppression_verification_failed"
    with pytest.raises(DisclosureError):
        verify(np.array([[1], [1]]), None, k=2, max_risk=None, expected_fk=np.array([2, 1]))
    fk, _ = verify(np.array([[1], [1]]), None, k=2, max_risk=None, expected_fk=np.array([2, 2]))
    assert fk.tolist() == [2, 2]


keyed = st.integers(2, 50).flatmap(
    lambda n: st.integers(1, 5).flatmap(
        lambda p: st.tuples(
            arrays(np.int64, (n, p), elements=st.integers(-1, 3)), st.permutations(range(p))
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(case=keyed, k=st.integers(2, 5), strategy=st.sampled_from(["importance", "fewest_cells"]))
def test_suppression_reaches_k_and_only_adds_wildcards(case, k, strategy):
    codes, importance = case
    if codes.shape[0] < k:
        with pytest.raises(DisclosureError):
            local_suppression(codes, None, k=k, importance=importance)
        return
    w = np.linspace(1.0, 9.0, codes.shape[0])
    s = local_suppression(codes, w, k=k, importance=importance, strategy=strategy)
    fk, Fk = frequencies_pairwise(s.codes, w)
    assert (fk >= k).all()
    np.testing.assert_array_equal(fk, s.fk)  # incremental counts equal an independent recount
    np.testing.assert_allclose(Fk, s.Fk, rtol=1e-9)
    changed = s.codes != codes
    assert (s.codes[changed] == WILDCARD).all() and (codes[changed] >= 0).all()
    assert changed.sum() == len(s.cells) == len(set(s.cells))
