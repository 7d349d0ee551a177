"""Property: no released table, alone or with the logged ones, lets a suppressed cell be recomputed.

Random microdata, random sequences of requests (population filter + one or two breakdowns) to one
requester, each protected against the earlier releases. Then, by brute force on the respondent sets:

- no published difference A minus B (B a proper subset of A, any two published cells) is a group
  smaller than the minimum cell size;
- no (non-empty) primary-suppressed cell is a published cell or such a difference;
- no primary-suppressed cell's set is a linear combination of published cells' sets (exact rational
  elimination with ``fractions.Fraction``: independent of the SVD rank test in the engine);
- no group of respondents at all (every union of the atoms the published cells define, enumerated
  exhaustively) is a linear combination of published cells and smaller than the minimum (exact
  integer null space by Fraction elimination: independent of the engine's MILP search);
- every table passes the LP audit on its own.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.sdc.tables.audit import audit
from pipeline.sdc.tables.cells import Condition, membership, table_cells
from pipeline.sdc.tables.history import ReleasedCell
from pipeline.sdc.tables.protect import TableData, protect
from pipeline.sdc.tables.rules import PrimaryRules, TableKind, is_primary
from pipeline.sdc.tables.structure import build, flat

from .disclosure_helpers import in_span_exact, no_small_group, nullspace_exact

LEVELS = {"a": (1, 2, 3), "b": (1, 2, 3), "c": (1, 2)}


requests = st.lists(
    st.tuples(
        st.dictionaries(
            st.sampled_from(sorted(LEVELS)), st.integers(1, 6), max_size=2
        ),  # filter: var -> mask seed
        st.lists(
            st.sampled_from(sorted(LEVELS)), min_size=1, max_size=2, unique=True
        ),  # breakdowns
    ),
    min_size=2,
    max_size=5,
)


def _run(seed: int, reqs, kind: TableKind, rules: PrimaryRules):
    rng = np.random.default_rng(seed)
    n = 90
    cols = {
        v: rng.choice(np.array(lv, dtype=float), n, p=rng.dirichlet(np.ones(len(lv)) * 0.7))
        for v, lv in LEVELS.items()
    }
    released: list[ReleasedCell] = []
    sets: dict[tuple, np.ndarray] = {}
    for k, (filt, dims) in enumerate(reqs):
        base = []
        for var, seed_mask in filt.items():
            if var in dims:
                continue
            lv = LEVELS[var]
            chosen = tuple(x for i, x in enumerate(lv) if (seed_mask >> i) & 1) or lv[:1]
            base.append(Condition(var, chosen))
        st_ = build([flat(d, LEVELS[d]) for d in dims])
        cells = table_cells(st_, base, "m")
        m = membership(cells, cols)
        counts = m.sum(axis=0)
        t = TableData(st_, kind, {"n": counts.tolist()}, cells)
        p = protect(t, rules=rules, history=released, columns=cols)
        if p.decision == "refuse":
            continue
        assert audit(st_, counts, p.suppressed).ok
        for i, c in enumerate(cells):
            rc = ReleasedCell(c, kind.value, p.statuses[i], int(counts[i]), None, f"r{k}", i)
            released.append(rc)
            sets[(rc.release, i)] = m[:, i]
    return released, sets


def _check(released, sets, min_n):
    pub = [c for c in released if c.published]
    prim = [c for c in released if is_primary(c.status)]
    key = lambda c: (c.release, c.index)  # noqa: E731
    pub_sets = {key(c): sets[key(c)] for c in pub}
    diffs = []
    for a in pub:
        for b in pub:
            A, B = pub_sets[key(a)], pub_sets[key(b)]
            if np.all(B <= A) and A.sum() > B.sum():
                d = A & ~B
                assert not (0 < d.sum() < min_n), (a.label, b.label, int(d.sum()))
                diffs.append(d)
    rows = sorted({tuple(int(x) for x in s) for s in pub_sets.values()})
    for u in prim:
        U = sets[key(u)]
        if not U.any():
            continue  # an empty cell has no estimate and describes nobody
        assert not any(np.array_equal(U, s) for s in pub_sets.values()), u.label
        assert not any(np.array_equal(U, d) for d in diffs), u.label
        assert not in_span_exact([list(r) for r in rows], [int(x) for x in U]), u.label
    no_small_group(np.array([pub_sets[key(c)] for c in pub]), min_n)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), reqs=requests)
def test_count_tables_sequences(seed, reqs):
    rules = PrimaryRules(min_n_count=5)
    released, sets = _run(seed, reqs, TableKind.count, rules)
    _check(released, sets, rules.min_n_count)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), reqs=requests)
def test_percent_tables_sequences(seed, reqs):
    rules = PrimaryRules(min_n_percent=12, unreliable_below=20)
    released, sets = _run(seed, reqs, TableKind.percent, rules)
    _check(released, sets, rules.min_n_percent)


def test_exact_nullspace_helper():
    z = nullspace_exact([[1, 1, 0], [0, 1, 1]], 3)
    assert z == [[1, -1, 1]]
    assert nullspace_exact([[1, 0], [0, 1]], 2) == []


def test_exact_span_helper():
    assert in_span_exact([[1, 1, 0], [0, 1, 1]], [1, 0, -1])
    assert not in_span_exact([[1, 1, 0], [0, 1, 1]], [1, 0, 0])
    assert in_span_exact([[1, 1, 1], [1, 1, 0], [0, 1, 0]], [1, 0, 0])
