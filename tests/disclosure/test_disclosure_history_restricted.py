"""The fast history check (only the earlier cells connected to the new table) decides as the full one.

``protect`` checks a table against the earlier cells :func:`connected` to it (linked by chains of
cells that share respondents), not against the whole history of the data version; and the
small-group search excludes the groups earlier releases already determine inside the MILP instead
of rejecting them one by one. These properties show on random small histories that nothing is lost:

- :func:`check_against_history` on the connected part finds a blocking finding exactly when the
  full check does, with the same small differences and recomputable cells (codes, groups, new cells
  to suppress). The small-group search reports one group per pass; on the whole history it may
  report, besides a group already reported, that group joined with a group the earlier releases
  determine on their own (derivable exactly when the reported one is: it needs no further
  suppression), where the connected part reports nothing more, or another group of the same size
  when there are several smallest ones;
- ``protect`` with the connected part gives a table that passes the full check against the whole
  history (the guarantee), releases unchanged exactly when ``protect`` with the whole history does,
  and refuses exactly when it does;
- the MILP with ``old`` finds a group exactly when enumeration finds a small group determined by all
  cells and not by the earlier ones, of the same (minimal) size; the integer null space is exact.

The histories are built without history checks (so earlier releases alone determine many small
groups, which the search must skip), on a few sectors (so the history has parts disconnected from
the new table), with count and percentage tables of two indicators with their own non-response.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipeline.sdc.tables.protect as protect_module
from pipeline.sdc.tables.cells import CellDef, Condition, membership, table_cells
from pipeline.sdc.tables.groups import basis, find_small_group, in_span, integer_null_space
from pipeline.sdc.tables.history import ReleasedCell, check_against_history, connected
from pipeline.sdc.tables.protect import TableData, numerator, protect
from pipeline.sdc.tables.rules import PrimaryRules, TableKind
from pipeline.sdc.tables.structure import build, flat

from .disclosure_helpers import nullspace_exact

LEVELS = {"sector": (1, 2, 3, 4), "a": (1, 2, 3), "b": (1, 2)}
RULES = PrimaryRules(min_n_count=3, min_n_percent=5)
MEASURES = ("x", "y")

request = st.tuples(
    st.lists(st.sampled_from((1, 2, 3, 4)), min_size=1, max_size=2, unique=True),  # sectors
    st.lists(st.sampled_from(("a", "b")), min_size=1, max_size=2, unique=True),  # breakdowns
    st.sampled_from(MEASURES),
    st.sampled_from((TableKind.count, TableKind.percent)),
    st.booleans(),  # a filter a in [1, 2]
)


def _frame(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 160
    cols = {
        v: rng.choice(np.array(lv, dtype=float), n, p=rng.dirichlet(np.ones(len(lv)) * 0.8))
        for v, lv in LEVELS.items()
    }
    for m in MEASURES:
        cols[m] = np.where(rng.random(n) < 0.1, np.nan, (rng.random(n) < 0.4).astype(float))
    cols["weight"] = rng.uniform(1, 3, n)
    return cols


def _table(cols, req) -> TableData:
    sectors, dims, measure, kind, filt = req
    base = [Condition("sector", tuple(float(s) for s in sectors)), Condition(measure, None)]
    if filt and "a" not in dims:
        base.append(Condition("a", (1.0, 2.0)))
    st_ = build([flat(d, LEVELS[d]) for d in dims])
    cells = table_cells(st_, base, measure)
    m = membership(cells, cols)
    layers: dict[str, list[float]] = {"n": m.sum(axis=0).astype(float).tolist()}
    if kind is TableKind.percent:
        w = cols["weight"]
        wn = w @ m
        num = (w * np.nan_to_num(cols[measure])) @ m
        est = np.divide(100 * num, wn, out=np.zeros_like(num), where=wn > 0)
        layers["weighted_n"] = wn.tolist()
        layers["numerator"] = list(numerator(est, wn))
    return TableData(st_, kind, layers, cells)


def _history(cols, reqs) -> list[ReleasedCell]:
    out: list[ReleasedCell] = []
    for k, req in enumerate(reqs):
        t = _table(cols, req)
        p = protect(t, rules=RULES)
        out.extend(
            ReleasedCell(c.cell, c.kind, c.status, c.n, c.weighted_n, f"r{k}", c.index)
            for c in p.released_cells(t)
        )
    return out


def _key(f):
    return (f.code, f.group, f.new_cells, f.group_n)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    old=st.lists(request, min_size=1, max_size=6),
    new=request,
)
def test_connected_part_gives_the_same_blocking_findings(seed, old, new):
    cols = _frame(seed)
    history = _history(cols, old)
    t = _table(cols, new)
    p = protect(t, rules=RULES)  # the table's own suppression, as protect checks it
    cells = [
        ReleasedCell(c.cell, c.kind, c.status, c.n, None, "new", c.index)
        for c in p.released_cells(t)
    ]
    near = connected(cells, history, cols)
    assert set(map(id, near)) <= set(map(id, history))
    full = check_against_history(cells, history, cols, RULES)
    fast = check_against_history(cells, near, cols, RULES)
    full_b = [f for f in full if f.blocking]
    fast_b = [f for f in fast if f.blocking]
    # the same verdict, and the same findings but for the search's choice of group
    assert bool(full_b) == bool(fast_b)
    assert {_key(f) for f in full_b if f.code != "small_derived_group"} == {
        _key(f) for f in fast_b if f.code != "small_derived_group"
    }
    if not any(f.code == "small_derived_group" for f in full_b):
        assert not any(f.code == "small_derived_group" for f in fast_b)
    # notices: those about the connected part (a subset of the full check's)
    assert {_key(f) for f in fast if not f.blocking} <= {_key(f) for f in full if not f.blocking}
    # the connected part is closed: no other earlier cell shares a respondent with it or the table
    kept = {id(c) for c in near}
    rest = [c for c in history if id(c) not in kept]
    if rest:
        inside = membership([c.cell for c in (*near, *cells)], cols).any(axis=1)
        groups = [CellDef.of(x for x in c.cell.conditions if x.levels is not None) for c in rest]
        assert not (membership(groups, cols) & inside[:, None]).any()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    old=st.lists(request, min_size=1, max_size=5),
    new=request,
)
def test_protect_decides_as_with_the_whole_history(seed, old, new):
    cols = _frame(seed)
    history = _history(cols, old)
    t = _table(cols, new)
    fast = protect(t, rules=RULES, history=history, columns=cols)
    original = protect_module.connected
    try:
        protect_module.connected = lambda new, history, columns: list(history)
        full = protect(t, rules=RULES, history=history, columns=cols)
    finally:
        protect_module.connected = original
    assert (fast.decision == "release") == (full.decision == "release")
    assert (fast.decision == "refuse") == (full.decision == "refuse")
    if full.decision == "release":
        assert fast.statuses == full.statuses
    if fast.decision != "refuse":  # what is released passes the full check
        cells = [
            ReleasedCell(c.cell, c.kind, c.status, c.n, None, "new", c.index)
            for c in fast.released_cells(t)
        ]
        assert not [f for f in check_against_history(cells, history, cols, RULES) if f.blocking]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_search_outside_the_earlier_span_matches_enumeration(data):
    n_old = data.draw(st.integers(0, 4))
    n_new = data.draw(st.integers(1, 3))
    a = data.draw(st.integers(2, 7))
    row = st.lists(st.integers(0, 1), min_size=a, max_size=a)
    old = np.array(data.draw(st.lists(row, min_size=n_old, max_size=n_old)), dtype=float)
    old = old.reshape(n_old, a)
    new = np.array(data.draw(st.lists(row, min_size=n_new, max_size=n_new)), dtype=float)
    cells = np.vstack([old, new])
    counts = np.array(data.draw(st.lists(st.integers(1, 12), min_size=a, max_size=a)))
    max_n = 6
    b_all, b_old = basis(cells), basis(old)
    best = None
    for bits in itertools.product((0, 1), repeat=a):
        x = np.array(bits, dtype=float)
        n = int(x @ counts)
        if (
            1 <= n <= max_n
            and in_span(b_all, x)
            and not in_span(b_old, x)
            and (best is None or n < best)
        ):
            best = n
    found = find_small_group(cells, counts, max_n, span=b_all, old=old, tries=1)
    if best is None:
        assert found is None
    else:
        assert found is not None and int(found @ counts) == best
        assert in_span(b_all, found) and not in_span(b_old, found)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_integer_null_space_is_exact(data):
    r = data.draw(st.integers(0, 6))
    c = data.draw(st.integers(1, 8))
    rows = data.draw(
        st.lists(st.lists(st.integers(0, 1), min_size=c, max_size=c), min_size=r, max_size=r)
    )
    a = np.array(rows, dtype=float).reshape(r, c)
    w = integer_null_space(a)
    assert w is not None
    exact = nullspace_exact([[int(v) for v in x] for x in rows], c)
    assert w.shape == (len(exact), c)
    assert not np.any(np.asarray(a, dtype=np.int64) @ w.T)
    if len(exact):
        assert np.linalg.matrix_rank(w.astype(float)) == len(exact)


def test_the_relaxation_screen_drops_only_alternatives_without_a_solution():
    """The search's alternatives (``z_i . x >= 1`` or ``<= -1``) are first screened by their linear
    relaxations, warm-started one after another: an alternative the screen drops has no integer
    solution (its MILP is infeasible), on random programs; and the screen does drop some (else it
    would save nothing and this test would prove nothing)."""
    from pipeline.sdc.tables.groups import _combination_program, _relaxation_feasible, _solve

    rng = np.random.default_rng(7)
    dropped = kept_total = 0
    for _ in range(150):
        a = int(rng.integers(4, 12))
        old = (rng.random((int(rng.integers(1, 5)), a)) < 0.5).astype(float)
        new = (rng.random((int(rng.integers(1, 4)), a)) < 0.5).astype(float)
        cells = np.vstack([old, new])
        counts = rng.integers(1, 12, a)
        max_n = 6
        small = np.flatnonzero(counts <= max_n)
        b_all = basis(cells)
        if basis(old).shape[0] == b_all.shape[0] or small.size == 0:
            continue
        program = _combination_program(cells, counts, max_n, small, old, b_all)
        if program is None:
            continue
        rows, lo, hi, cost, integrality, bounds, alternatives = program
        kept = _relaxation_feasible(program)
        kept_total += len(kept)
        for alt in alternatives:
            assert alt is not None
            if any(alt is k for k in kept):
                continue
            dropped += 1
            x = _solve([*rows, alt[0]], [*lo, alt[1]], [*hi, alt[2]], cost, integrality, bounds)
            assert x is None, "the screen dropped an alternative with an integer solution"
    assert dropped > 0 and kept_total > 0
