"""The joint protection of a space of tables (:func:`pipeline.sdc.tables.space.protect_space`): a
cell a caller's own primary rule hides (:attr:`SpaceTable.primary`, e.g. the dominance rule on a
share of employees) keeps that primary status and is logged with it; its companions hidden to
protect it are ``secondary``."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.sdc.tables.cells import Condition, membership, table_cells
from pipeline.sdc.tables.protect import TableData
from pipeline.sdc.tables.rules import PrimaryRules, TableKind, is_primary
from pipeline.sdc.tables.space import SpaceTable, close_pairs, logged_cells, protect_space
from pipeline.sdc.tables.structure import Dimension, build
from tests.spies import DiesWhenLoaded


def _table(primary: dict[int, str]) -> tuple[SpaceTable, dict[str, np.ndarray]]:
    """A percentage table by three groups of 60 respondents and its total (all publishable by
    count)."""
    rng = np.random.default_rng(3)
    cols = {
        "g": np.repeat([1.0, 2.0, 3.0], 60),
        "y": rng.integers(0, 2, 180).astype(float),
    }
    structure = build([Dimension("g", ("1", "2", "3"))])
    cells = table_cells(structure, [Condition("y", None)], "y")
    masks = membership(cells, cols)
    n = [int(x) for x in masks.sum(axis=0)]
    wn = [float(x) for x in n]
    num = [float(cols["y"][masks[:, i]].sum()) for i in range(len(cells))]
    layers = {"n": wn, "weighted_n": wn, "numerator": num}
    data = TableData(structure, TableKind.percent, layers, cells)
    table = SpaceTable("y", "g", TableKind.percent, structure, data, masks, {}, n, {})
    table.primary.update(primary)
    return table, cols


def test_a_callers_primary_cell_is_kept_and_logged_primary() -> None:
    table, cols = _table({0: "primary:dominance"})
    assert all(n >= 30 for n in table.n)  # by count, every cell could be published
    protect_space([table], PrimaryRules(), cols)
    assert table.statuses[0] == "primary:dominance"
    others = [s for i, s in enumerate(table.statuses) if i != 0 and s != "ok"]
    assert others and all(s == "secondary" for s in others)  # a companion, so 1 = total - 2 - 3
    logged = logged_cells(table)
    assert [c.status for c in logged] == list(table.statuses)
    assert is_primary(logged[0].status)


def test_the_tables_own_primary_status_comes_first() -> None:
    table, cols = _table({0: "primary:p_percent"})
    table.n[0] = 10  # too few for a percentage: the count rule's status stays
    protect_space([table], PrimaryRules(), cols)
    assert table.statuses[0] == "primary:min_n"


def test_a_status_that_is_not_primary_is_refused() -> None:
    table, cols = _table({0: "secondary"})
    with pytest.raises(ValueError, match="not primary"):
        protect_space([table], PrimaryRules(), cols)


def _by_group(indicator: str, cols: dict[str, np.ndarray]) -> SpaceTable:
    structure = build([Dimension("g", ("1", "2", "3"))])
    cells = table_cells(structure, [Condition(indicator, None)], indicator)
    masks = membership(cells, cols)
    n = [int(x) for x in masks.sum(axis=0)]
    wn = [float(x) for x in n]
    num = [float(np.nansum(cols[indicator][masks[:, i]])) for i in range(len(cells))]
    data = TableData(
        structure, TableKind.percent, {"n": wn, "weighted_n": wn, "numerator": num}, cells
    )
    return SpaceTable(indicator, "g", TableKind.percent, structure, data, masks, {}, n, {})


def _recomputable(target: np.ndarray, published: list[np.ndarray]) -> bool:
    """Independent of the engine: is the 0/1 vector a linear combination of the published ones?"""
    if not published:
        return False
    a = np.array(published, dtype=float).T
    y, *_ = np.linalg.lstsq(a, target.astype(float), rcond=None)
    return bool(np.allclose(a @ y, target, atol=1e-9))


def test_a_group_is_not_recomputable_across_indicators_tables() -> None:
    """Group 1 (3 respondents) is hidden in both indicators' tables, each with a companion of its
    own: X hides group 2 (fewer X answers there), Y hides group 3. Each table is safe and no two
    cells differ by a few respondents, but on the respondent level the total minus group 3 (X's
    table) minus group 2 (Y's) is group 1. The joint check over the space hides one companion's
    group in both tables."""
    rng = np.random.default_rng(5)
    g = np.repeat([1.0, 2.0, 3.0], [3, 100, 100])
    x = rng.integers(0, 2, g.size).astype(float)
    y = rng.integers(0, 2, g.size).astype(float)
    x[np.flatnonzero(g == 2)[:60]] = np.nan  # X: 40 answers in group 2, 100 in group 3
    y[np.flatnonzero(g == 3)[:60]] = np.nan  # Y: 100 in group 2, 40 in group 3
    cols = {"g": g, "x": x, "y": y}
    tables = [_by_group("x", cols), _by_group("y", cols)]
    rules = PrimaryRules(min_n_count=5, min_n_percent=30)
    protect_space(tables, rules, cols)
    published = []
    for t in tables:
        for i, c in enumerate(t.data.cells):
            if t.statuses[i] == "ok":
                groups = [cond for cond in c.conditions if cond.levels is not None]
                published.append(membership([type(c).of(groups)], cols)[:, 0])
    assert not _recomputable(g == 1, published)
    assert all(t.statuses[0] != "ok" for t in tables)  # group 1 itself stays hidden


def _crossed(variables: tuple[str, ...], cols: dict[str, np.ndarray], levels: int) -> SpaceTable:
    names = tuple(str(v) for v in range(1, levels + 1))
    structure = build([Dimension(v, names) for v in variables])
    cells = table_cells(structure, [Condition("y", None)], "y")
    masks = membership(cells, cols)
    n = [int(x) for x in masks.sum(axis=0)]
    wn = [float(x) for x in n]
    num = [float(np.nansum(cols["y"][masks[:, i]])) for i in range(len(cells))]
    data = TableData(
        structure, TableKind.percent, {"n": wn, "weighted_n": wn, "numerator": num}, cells
    )
    return SpaceTable(
        "y", ":".join(variables), TableKind.percent, structure, data, masks, {}, n, {}
    )


def _space(size: int, seed: int) -> tuple[list[SpaceTable], dict[str, np.ndarray]]:
    """Random respondents on three variables of three levels, tables by each and by each pair."""
    rng = np.random.default_rng(seed)
    cols = {v: rng.integers(1, 4, size).astype(float) for v in ("a", "b", "c")}
    cols["y"] = rng.integers(0, 2, size).astype(float)
    tables = [_crossed((v,), cols, 3) for v in ("a", "b", "c")] + [
        _crossed(pair, cols, 3) for pair in (("a", "b"), ("a", "c"), ("b", "c"))
    ]
    return tables, cols


SMALL_RULES = PrimaryRules(min_n_count=4, min_n_percent=4, unreliable_below=4)


def _small_union(
    tables: list[SpaceTable], cols: dict[str, np.ndarray], rules: PrimaryRules
) -> tuple[int, ...] | None:
    """By enumeration, independent of the engine: a union of atoms (groups no published cell tells
    apart) with 1 to ``min_n_count - 1`` respondents that is a linear combination of the published
    cells' respondent sets, or None."""
    published = []
    for t in tables:
        for i, c in enumerate(t.data.cells):
            if t.statuses[i] == "ok" and t.n[i] > 0:
                groups = [cond for cond in c.conditions if cond.levels is not None]
                published.append(membership([type(c).of(groups)], cols)[:, 0])
    if not published:
        return None
    m = np.array(published, dtype=bool).T  # respondents x cells
    patterns, which = np.unique(m, axis=0, return_inverse=True)
    counts = np.bincount(which.ravel(), minlength=len(patterns))
    rows = list(patterns.T.astype(float))  # cells over atoms
    small = [k for k in range(len(patterns)) if counts[k] < rules.min_n_count and patterns[k].any()]
    for r in range(1, len(small) + 1):
        for union in itertools.combinations(small, r):
            if int(counts[list(union)].sum()) >= rules.min_n_count:
                continue
            x = np.zeros(len(patterns))
            x[list(union)] = 1.0
            if _recomputable(x, rows):
                return union
    return None


def test_the_exact_check_closes_a_union_the_direct_checks_leave():
    """A space (found by the property test below without ``exact``) where the pairwise and the
    joint direct checks pass but a union of atoms under the threshold is determined by several
    tables together; the exact check (the small-group search, breakdown after breakdown) closes it."""
    tables, cols = _space(33, 0)
    protect_space(tables, SMALL_RULES, cols)
    assert _small_union(tables, cols, SMALL_RULES) is not None
    tables, cols = _space(33, 0)
    protect_space(tables, SMALL_RULES, cols, exact=True)
    assert _small_union(tables, cols, SMALL_RULES) is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(size=st.integers(15, 45), seed=st.integers(0, 10_000))
def test_an_exact_space_determines_no_small_group(size, seed):
    """With ``exact`` (the reports' figures) no union of respondents under the threshold is a linear
    combination of the published cells of the whole space (enumeration over every union of atoms;
    300 examples passed when written, and without ``exact`` the search found the case above)."""
    tables, cols = _space(size, seed)
    protect_space(tables, SMALL_RULES, cols, exact=True)
    assert _small_union(tables, cols, SMALL_RULES) is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_close_pairs_are_every_pair_of_sets_a_few_respondents_apart(data):
    """The sets compared within a window of sizes, a block at a time: the same pairs and
    differences as every set against every other, in the same order."""
    n_rows = data.draw(st.integers(1, 40))
    n_sets = data.draw(st.integers(0, 30))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    density = data.draw(st.floats(0.05, 0.95))
    m = rng.random((n_rows, n_sets)) < density
    if n_sets > 1 and data.draw(st.booleans()):  # near copies: a set and itself with a few changed
        m[:, -1] = m[:, 0]
        m[: data.draw(st.integers(0, 3)), -1] ^= True
    limit = data.draw(st.integers(1, 12))
    block = data.draw(st.integers(1, 8))
    pairs, gaps, sizes = close_pairs(m, limit, block=block)
    mi = m.astype(int)
    apart = mi.sum(0)[:, None] + mi.sum(0)[None, :] - 2 * (mi.T @ mi)
    expected = [
        (a, b) for a in range(n_sets) for b in range(a + 1, n_sets) if 0 < apart[a, b] < limit
    ]
    assert [tuple(p) for p in pairs.tolist()] == expected
    assert gaps.tolist() == [apart[a, b] for a, b in expected]
    assert sizes.tolist() == mi.sum(0).tolist()


@pytest.mark.parametrize(("size", "seed", "open_"), [(33, 0, True), (40, 7, False)])
def test_the_exact_checks_steps_in_processes_decide_as_in_one(size, seed, open_, monkeypatch):
    """The exact check's steps (one per breakdown) run in a pool of processes when there are many
    (:mod:`pipeline.sdc.tables.steps`): the same findings step by step, and the same statuses at
    the end, as every step in the calling process; the first space is the one where the exact
    check closes a union the direct checks leave, so a step with a finding is among them (also
    checked on the tables protected without the exact check, step by step)."""
    from pipeline.sdc.tables import steps

    monkeypatch.setattr(steps, "MIN_STEPS", 1)
    pools: list[int] = []
    real = steps._in_pool

    def in_pool(state: object, n: int) -> Iterator[object]:
        pools.append(n)
        yield from real(state, n)

    monkeypatch.setattr(steps, "_in_pool", in_pool)
    results = {}
    for n in ("1", "2"):
        monkeypatch.setenv(steps.ENV, n)
        tables, cols = _space(size, seed)
        protect_space(tables, SMALL_RULES, cols, exact=True)
        results[n] = [t.statuses for t in tables]
        tables, cols = _space(size, seed)
        protect_space(tables, SMALL_RULES, cols)  # the direct checks only: unions left open
        per_step = [(f"space:{t.by}", logged_cells(t)) for t in tables]
        results[n + "-findings"] = [
            tuple((f.code, f.group, f.new_cells) for f in found)
            for found in steps.findings_in_order(per_step, (), cols, SMALL_RULES)
        ]
    assert results["1"] == results["2"]
    assert results["1-findings"] == results["2-findings"]
    assert len(pools) >= 2 and set(pools) == {2}  # the exact check's passes and the steps: in two
    assert any(results["1-findings"]) is open_  # without the exact check, a step's finding
    assert _small_union(*_protected(size, seed), SMALL_RULES) is None


def _protected(size: int, seed: int) -> tuple[list[SpaceTable], dict[str, np.ndarray]]:
    tables, cols = _space(size, seed)
    protect_space(tables, SMALL_RULES, cols, exact=True)
    return tables, cols


def test_the_number_of_processes_is_a_whole_number(monkeypatch):
    from pipeline.errors import UsageError
    from pipeline.sdc.tables import steps

    monkeypatch.setenv(steps.ENV, "2")
    assert steps.workers() == 2
    for bad in ("0", "two", "-1", "1.5"):
        monkeypatch.setenv(steps.ENV, bad)
        with pytest.raises(UsageError, match="WBM_WORKERS"):
            steps.workers()
    monkeypatch.delenv(steps.ENV)
    assert 1 <= steps.workers() <= steps.MAX_WORKERS


def test_a_worker_process_that_dies_fails_the_check_closed(monkeypatch):
    """A worker process of the exact check that stops (memory, a signal) is a DisclosureError
    ``check_workers_failed`` with what to do, never a traceback or a release."""
    from pipeline.errors import DisclosureError
    from pipeline.sdc.tables import steps

    monkeypatch.setattr(steps, "MIN_STEPS", 1)
    monkeypatch.setenv(steps.ENV, "2")
    tables, cols = _space(30, 1)
    protect_space(tables, SMALL_RULES, cols)
    per_step = [(f"space:{t.by}", logged_cells(t)) for t in tables]
    with pytest.raises(DisclosureError, match="WBM_WORKERS=1") as err:
        list(steps.findings_in_order(per_step, (), {**cols, "x": DiesWhenLoaded()}, SMALL_RULES))
    assert err.value.code == "check_workers_failed"
