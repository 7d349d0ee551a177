"""Table structure (relations) and the LP audit, checked against brute-force enumeration."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import DisclosureError
from pipeline.sdc.tables.audit import Protection, audit, components, exposed_cells, group_exposures
from pipeline.sdc.tables.structure import TOTAL, Dimension, build, flat

from .disclosure_helpers import brute_intervals, table_from_inner, values_from_inner


def test_two_way_relations():
    st_ = build([flat("r", [1, 2]), flat("c", [1, 2, 3])])
    assert st_.n_cells == 3 * 4
    # 3 rows (incl. total row) x 1 sum over columns + 4 columns x 1 sum over rows
    assert len(st_.relations) == 3 + 4
    row1 = [r for r in st_.relations if st_.keys[r.total] == ("1", TOTAL)][0]
    assert [st_.keys[p] for p in row1.parts] == [("1", "1"), ("1", "2"), ("1", "3")]


def test_values_satisfy_relations_3d(rng):
    inner = rng.integers(0, 9, (2, 3, 2))
    st_, vals = table_from_inner(inner)
    assert st_.n_cells == 3 * 4 * 3
    for rel in st_.relations:
        assert vals[rel.total] == sum(vals[p] for p in rel.parts)


def test_hierarchy_relations():
    d = Dimension("sector", ("1", "2", "3", "4"), groups=(("ind", ("1", "2")),))
    st_ = build([d])
    rels = {st_.keys[r.total][0]: tuple(st_.keys[p][0] for p in r.parts) for r in st_.relations}
    assert rels == {"ind": ("1", "2"), TOTAL: ("3", "4", "ind")}


@pytest.mark.parametrize(
    "groups", [(("a", ("1", "x")),), (("a", ("1",)), ("b", ("1",))), (("a", ("b",)), ("b", ("a",)))]
)
def test_bad_hierarchies_rejected(groups):
    with pytest.raises(ValueError):
        Dimension("v", ("1", "2"), groups=groups)


def test_single_suppressed_cell_in_a_row_is_exposed():
    inner = np.array([[10, 3, 20], [15, 12, 8]])
    st_, vals = table_from_inner(inner)
    sup = [False] * st_.n_cells
    sup[st_.index(("0", "1"))] = True
    res = audit(st_, vals, sup)
    iv = res.interval(st_.index(("0", "1")))
    assert iv.exposed and iv.low == pytest.approx(3) and iv.high == pytest.approx(3)


def test_rectangle_protects_and_bounds_are_exact():
    inner = np.array([[10, 3, 20], [15, 12, 8]])
    st_, vals = table_from_inner(inner)
    sup = [False] * st_.n_cells
    for k in [("0", "1"), ("0", "2"), ("1", "1"), ("1", "2")]:
        sup[st_.index(k)] = True
    res = audit(st_, vals, sup)
    assert res.ok
    # x01 + x02 = 23, x11 + x12 = 20, x01 + x11 = 15, x02 + x12 = 28 -> x01 in [0, 15]
    iv = res.interval(st_.index(("0", "1")))
    assert (iv.low, iv.high) == (pytest.approx(0), pytest.approx(15))


def test_zeros_can_pin_a_rectangle():
    # cycle x00+t, x01-t, x10-t, x11+t with x00 = x01 = 0 forces t = 0, pinning x10 = 5 and x11 = 4
    inner = np.array([[0, 0], [5, 4]])
    st_, vals = table_from_inner(inner)
    sup = [TOTAL not in k for k in st_.keys]
    res = audit(st_, vals, sup)
    assert set(res.exposed) == {
        st_.index(k) for k in [("0", "0"), ("0", "1"), ("1", "0"), ("1", "1")]
    }
    assert audit(st_, vals, sup, lower=None).ok  # signed data: zeros do not pin


def test_protection_margin():
    inner = np.array([[10, 3, 20], [15, 12, 8]])
    st_, vals = table_from_inner(inner)
    sup = [False] * st_.n_cells
    for k in [("0", "0"), ("0", "1"), ("1", "0"), ("1", "1")]:
        sup[st_.index(k)] = True
    assert audit(st_, vals, sup).ok  # widths 12 and 3+? all positive
    strict = audit(st_, vals, sup, Protection(min_width_abs=100))
    assert not strict.ok


def test_unbounded_when_grand_total_hidden():
    inner = np.array([[10, 3], [15, 12]])
    st_, vals = table_from_inner(inner)
    sup = [True] * st_.n_cells
    res = audit(st_, vals, sup)
    assert res.ok and all(math.isinf(iv.high) for iv in res.intervals)


def test_bad_values_are_refused():
    st_ = build([flat("r", [1, 2])])
    with pytest.raises(DisclosureError):
        audit(st_, [1.0, -2.0, -1.0], [True, True, False])
    with pytest.raises(DisclosureError):
        audit(st_, [1.0, float("nan"), 3.0], [True, True, False])


def test_components_split_independent_suppressions():
    inner = np.ones((4, 4), dtype=int) * 5
    st_, _ = table_from_inner(inner)
    sup = [False] * st_.n_cells
    for k in [("0", "0"), ("0", "1"), ("3", "3")]:
        sup[st_.index(k)] = True
    comps = components(st_.relations, sup)
    assert sorted(len(c) for c in comps) == [1, 2]


def test_group_exposure():
    inner = np.array([[40, 1, 2], [15, 12, 8]])
    st_, vals = table_from_inner(inner)
    n = vals
    sup = [False] * st_.n_cells
    sup[st_.index(("0", "1"))] = sup[st_.index(("0", "2"))] = True
    rel_ids = group_exposures(st_, n, sup, 5)
    # row 0: 1 + 2 = 3; column 1: 13 - 12 = 1; column 2: 10 - 8 = 2
    assert sorted(st_.keys[st_.relations[r].total] for r in rel_ids) == [
        (TOTAL, "1"),
        (TOTAL, "2"),
        ("0", TOTAL),
    ]
    assert group_exposures(st_, n, sup, 1) == ()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_lp_bounds_equal_integer_bounds_2d(data):
    """2-D tables are totally unimodular: LP bounds are the exact integer bounds (brute force)."""
    r = data.draw(st.integers(2, 3))
    c = data.draw(st.integers(2, 3))
    inner = np.array(
        data.draw(st.lists(st.integers(0, 3), min_size=r * c, max_size=r * c))
    ).reshape(r, c)
    st_, vals = table_from_inner(inner)
    leaves = [i for i, k in enumerate(st_.keys) if TOTAL not in k]
    chosen = data.draw(st.lists(st.sampled_from(leaves), min_size=1, max_size=3, unique=True))
    extra = data.draw(st.lists(st.sampled_from(range(st_.n_cells)), max_size=2, unique=True))
    sup = [i in chosen or i in extra for i in range(st_.n_cells)]
    res = audit(st_, vals, sup)
    brute = brute_intervals(st_, inner, sup)
    for iv in res.intervals:
        lo, hi = brute[iv.cell]
        assert iv.low == pytest.approx(lo, abs=1e-6)
        assert iv.high == pytest.approx(hi, abs=1e-6)
        assert iv.exposed == (lo == hi)


def test_values_from_inner_helper_consistent(rng):
    inner = rng.integers(0, 5, (3, 2))
    st_, vals = table_from_inner(inner)
    assert vals == values_from_inner(st_, inner)
    assert vals[st_.index((TOTAL, TOTAL))] == inner.sum()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_exposure_check_agrees_with_lp_audit(data):
    """exposed_cells (null space + LP only where zeros can pin) gives the LP audit's verdict."""
    shape = data.draw(st.sampled_from([(2, 2), (2, 3), (3, 3), (4, 3), (2, 2, 2), (2, 3, 2)]))
    size = int(np.prod(shape))
    inner = np.array(
        data.draw(st.lists(st.one_of(st.just(0), st.integers(1, 30)), min_size=size, max_size=size))
    )
    st_, vals = table_from_inner(inner.reshape(shape))
    weighted = values_from_inner(st_, inner.reshape(shape) * 2.5)
    sup = data.draw(st.lists(st.booleans(), min_size=st_.n_cells, max_size=st_.n_cells))
    expect = sorted(set(audit(st_, vals, sup).exposed) | set(audit(st_, weighted, sup).exposed))
    assert list(exposed_cells(st_, [vals, weighted], sup)) == expect
