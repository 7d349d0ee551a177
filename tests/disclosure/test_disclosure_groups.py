"""The exhaustive search for small determined groups (MILP), against enumeration."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.sdc.tables.groups import (
    basis,
    find_small_group,
    in_span,
    in_span_rows,
    units_in_span,
)


def test_union_of_two_atoms_is_found():
    # atoms: 0 = A&C, 1 = A&~C, 2 = ~A&C, 3 = ~A&~C ; published: all, A, C, (A&C)
    cells = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 0, 0]], dtype=float)
    counts = np.array([40, 3, 30, 50])
    x = find_small_group(cells, counts, 4)
    assert x is not None and x.tolist() == [0, 1, 0, 0]  # A minus (A&C)
    # only the union {1, 2} is determined when A&C is not published: all - ~... check with 3 cells
    cells2 = np.array([[1, 1, 1, 1], [0, 1, 1, 0], [1, 0, 0, 0]], dtype=float)
    x2 = find_small_group(cells2, np.array([40, 2, 2, 50]), 4)
    assert x2 is not None and x2.tolist() == [0, 1, 1, 0]


def test_reject_and_none():
    cells = np.array([[1, 1, 1], [1, 0, 0]], dtype=float)
    counts = np.array([2, 40, 40])
    assert find_small_group(cells, counts, 4).tolist() == [1, 0, 0]
    assert find_small_group(cells, counts, 4, reject=lambda x: True) is None
    assert find_small_group(cells, counts, 1) is None  # the only determined small group has 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_finds_a_group_iff_enumeration_does(data):
    k = data.draw(st.integers(1, 5))
    a = data.draw(st.integers(2, 7))
    cells = np.array(
        data.draw(
            st.lists(st.lists(st.integers(0, 1), min_size=a, max_size=a), min_size=k, max_size=k)
        ),
        dtype=float,
    )
    counts = np.array(data.draw(st.lists(st.integers(1, 12), min_size=a, max_size=a)))
    max_n = 6
    b = basis(cells)
    best = None
    for bits in itertools.product((0, 1), repeat=a):
        x = np.array(bits, dtype=float)
        n = int(x @ counts)
        if 1 <= n <= max_n and in_span(b, x) and (best is None or n < best):
            best = n
    found = find_small_group(cells, counts, max_n)
    if best is None:
        assert found is None
    else:
        assert found is not None and int(found @ counts) == best and in_span(b, found)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_vectorised_span_tests_equal_the_single_test(data):
    """The checks test every protected cell and every small atom at once (in chunks); each answer
    must be the single vector's: 0/1 cells over atoms, rank-deficient ones included."""
    k = data.draw(st.integers(0, 6))
    a = data.draw(st.integers(1, 9))
    cells = np.array(
        data.draw(
            st.lists(st.lists(st.integers(0, 1), min_size=a, max_size=a), min_size=k, max_size=k)
        ),
        dtype=float,
    ).reshape(k, a)
    if k:  # a repeated sum of rows: a dependent row, so the rank is below the rows
        cells = np.vstack([cells, cells.sum(axis=0, keepdims=True)])
    b = basis(cells)
    others = np.array(
        data.draw(
            st.lists(st.lists(st.integers(0, 1), min_size=a, max_size=a), min_size=1, max_size=5)
        ),
        dtype=float,
    )
    vs = np.vstack([cells, others]) if k else others
    chunk = data.draw(st.integers(1, 4))
    assert in_span_rows(b, vs, chunk=chunk).tolist() == [in_span(b, v) for v in vs]
    units = np.eye(a)
    which = np.arange(a)
    assert units_in_span(b, which, chunk=chunk).tolist() == [in_span(b, e) for e in units]


def test_an_svd_that_does_not_converge_is_retried(monkeypatch) -> None:
    """LAPACK's divide-and-conquer SVD can fail to converge (seen once on the full-size wave's
    report figures): the basis comes from the QR-iteration driver instead of a traceback."""
    import pipeline.sdc.tables.groups as groups

    def fails(*args: object, **kwargs: object) -> None:
        raise np.linalg.LinAlgError("SVD did not converge")

    cells = np.array([[1, 1, 0, 0], [0, 0, 1, 1], [1, 1, 1, 1], [1, 0, 0, 0]], dtype=float)
    expected = basis(cells + 0.0)
    groups._SVD_CACHE.clear()
    monkeypatch.setattr(groups.np.linalg, "svd", fails)
    got = basis(cells)
    assert got.shape == expected.shape == (3, 4)
    assert all(in_span(got, row) for row in cells)
    assert not in_span(got, np.array([0.0, 0.0, 1.0, 0.0]))  # atoms 2 and 3 always together


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_with_earlier_cells_finds_a_group_iff_enumeration_does(data):
    """Only groups the earlier cells do not determine on their own: the combination program (its
    alternatives, including those left out for lack of a small atom of their sign) against
    enumeration."""
    a = data.draw(st.integers(3, 8))
    rows = st.lists(st.lists(st.integers(0, 1), min_size=a, max_size=a), min_size=1, max_size=4)
    old = np.array(data.draw(rows), dtype=float)
    new = np.array(data.draw(rows), dtype=float)
    cells = np.vstack([old, new])
    counts = np.array(data.draw(st.lists(st.integers(1, 12), min_size=a, max_size=a)))
    max_n = data.draw(st.integers(1, 8))
    b, b_old = basis(cells), basis(old)
    best = None
    for bits in itertools.product((0, 1), repeat=a):
        x = np.array(bits, dtype=float)
        n = int(x @ counts)
        if 1 <= n <= max_n and in_span(b, x) and not in_span(b_old, x):
            best = n if best is None else min(best, n)
    found = find_small_group(cells, counts, max_n, old=old)
    if best is None:
        assert found is None
    else:
        assert found is not None and int(found @ counts) == best
        assert in_span(b, found) and not in_span(b_old, found)


def _eliminate_as_first_written(a: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The +-1-pivot elimination as first written (every count over the whole matrix at every
    step): the pivots it picks decide the null vectors, so the faster one must pick the same."""
    e = a.copy()
    m = e.shape[0]
    piv = np.full(m, -1)
    left = np.ones(m, dtype=bool)
    for _ in range(m):
        nnz = np.count_nonzero(e, axis=0).astype(float)
        score = np.where((np.abs(e) == 1) & left[:, None], nnz[None, :], np.inf)
        i, j = divmod(int(np.argmin(score)), e.shape[1])
        if not np.isfinite(score[i, j]):
            return None
        others = np.flatnonzero(e[:, j])
        others = others[others != i]
        e[others] -= np.outer(e[others, j] * e[i, j], e[i])
        piv[i] = j
        left[i] = False
    return e, piv


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_the_unit_elimination_picks_the_pivots_as_first_written(data):
    """The elimination keeps its counts up to date row by row (3x faster on the reports' figures):
    the same reduced matrix and pivots as counting everything again at each step, and a reduced
    form (a +-1 pivot per row, alone in its column, the same row space)."""
    from pipeline.sdc.tables.groups import _independent, _unit_elimination

    a_cols = data.draw(st.integers(2, 12))
    rows = data.draw(
        st.lists(
            st.lists(st.integers(0, 1), min_size=a_cols, max_size=a_cols), min_size=1, max_size=8
        )
    )
    a = np.array(rows, dtype=np.int64)
    a = a[_independent(a.astype(float))]
    got, want = _unit_elimination(a), _eliminate_as_first_written(a)
    assert (got is None) == (want is None)
    if got is None or want is None:
        return
    e, piv = got
    assert np.array_equal(e, want[0]) and np.array_equal(piv, want[1])
    for i, j in enumerate(piv):
        assert abs(e[i, j]) == 1 and np.count_nonzero(e[:, j]) == 1
    both = np.vstack([a, e]).astype(float)
    assert np.linalg.matrix_rank(both) == np.linalg.matrix_rank(a.astype(float)) == a.shape[0]
