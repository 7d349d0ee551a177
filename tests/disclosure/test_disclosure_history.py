"""Differencing checks against earlier releases, on the respondent level."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from pipeline.sdc.tables.cells import CellDef, Condition, membership, table_cells
from pipeline.sdc.tables.history import ReleasedCell, check_against_history
from pipeline.sdc.tables.rules import PrimaryRules, TableKind, primary_statuses
from pipeline.sdc.tables.structure import build, flat


@pytest.fixture
def columns():
    """400 respondents: sector 4 has 3 ambtenaren (statute 3), the rest arbeiders/bedienden."""
    rng = np.random.default_rng(7)
    n = 400
    sector = rng.integers(1, 6, n).astype(float)
    statute = rng.integers(1, 3, n).astype(float)
    statute[np.flatnonzero(sector == 4)[:3]] = 3
    age = rng.integers(1, 6, n).astype(float)
    ws = rng.integers(0, 2, n).astype(float)
    ws[:10] = np.nan
    return {"sector": sector, "statute": statute, "age_band": age, "werkstress": ws}


def _release(cells, columns, kind="count", release="new", statuses=None):
    n = membership(cells, columns).sum(axis=0)
    statuses = statuses or primary_statuses(kind, [int(x) for x in n])
    return [
        ReleasedCell(c, kind, s, int(k), None, release, i)
        for i, (c, s, k) in enumerate(zip(cells, statuses, n, strict=True))
    ]


S4 = Condition("sector", (4,))


def test_difference_of_nested_filters_is_found(columns):
    old = _release([CellDef.of([S4])], columns, release="r1")
    new = _release([CellDef.of([S4, Condition("statute", (1, 2))])], columns)
    found = check_against_history(new, old, columns)
    assert [f.code for f in found] == ["small_difference"]
    f = found[0]
    assert f.blocking and f.new_cells == (0,) and f.group_n == 3
    assert "r1: sector in [4] | count" in f.involved


def test_a_large_difference_is_fine(columns):
    old = _release([CellDef.of([S4])], columns, release="r1")
    new = _release([CellDef.of([S4, Condition("statute", (1,))])], columns)
    assert check_against_history(new, old, columns) == ()


def test_suppressed_cell_recomputed_across_releases(columns):
    st_ = build([flat("statute", [1, 2, 3])])
    cells = table_cells(st_, [S4])
    n = membership(cells, columns).sum(axis=0)
    # release 1: ambtenaren (3) primary, bedienden secondary, arbeiders and total published
    statuses = ["ok", "secondary", "primary:min_n", "ok"]
    old = _release(cells, columns, release="r1", statuses=statuses)
    assert old[2].n == 3 and n[2] == 3
    # release 2: bedienden in sector 4 -> ambtenaren = total - arbeiders - bedienden
    new = _release([CellDef.of([S4, Condition("statute", (2,))])], columns)
    codes = sorted(f.code for f in check_against_history(new, old, columns))
    assert "recomputable_cell" in codes
    rec = [f for f in check_against_history(new, old, columns) if f.code == "recomputable_cell"][0]
    assert rec.blocking and rec.new_cells == (0,) and rec.group_n == 3
    assert rec.involved[0] == "r1: sector in [4] & statute in [3] | count"


def test_a_cell_hidden_by_dominance_is_protected_whatever_its_n(columns):
    """A share hidden by the dominance or p% rule (the datatool's shares of employees) has n well
    above the minimum; recomputing it (total minus the other parts) must still be refused."""
    st_ = build([flat("statute", [1, 2, 3])])
    cells = table_cells(st_, [S4])
    statuses = ["primary:dominance", "secondary", "primary:min_n", "ok"]
    old = _release(cells, columns, kind="percent", release="r1", statuses=statuses)
    assert old[0].n >= 30
    new = _release([CellDef.of([S4, Condition("statute", (2, 3))])], columns, kind="percent")
    found = [f for f in check_against_history(new, old, columns) if f.code == "recomputable_cell"]
    assert found and found[0].blocking and found[0].group_n == old[0].n
    # the control: the same cell hidden for its size only (primary:min_n cannot have this n) is
    # not protected as such once it is large
    old_ok = _release(
        cells, columns, kind="percent", release="r1", statuses=["secondary", *statuses[1:]]
    )
    assert not [
        f for f in check_against_history(new, old_ok, columns) if f.code == "recomputable_cell"
    ]


def test_small_group_by_inclusion_exclusion(columns):
    """young arbeiders = young + arbeiders - (young or arbeiders), the last published as its complement."""
    c = dict(columns)
    rng = np.random.default_rng(1)
    c["age_band"] = np.where(rng.random(400) < 0.5, 2.0, 3.0)
    idx = np.flatnonzero((c["sector"] == 4) & (c["statute"] == 1))
    c["age_band"][idx] = 3.0
    c["age_band"][idx[:2]] = 1.0  # two young arbeiders in sector 4
    c["age_band"][np.flatnonzero((c["sector"] == 4) & (c["statute"] != 1))[:20]] = 1.0
    young = Condition("age_band", (1,))
    old = _release([CellDef.of([S4]), CellDef.of([S4, young])], c, release="r1")
    new = _release(
        [
            CellDef.of([S4, Condition("statute", (1,))]),
            CellDef.of([S4, Condition("age_band", (2, 3)), Condition("statute", (2, 3))]),
        ],
        c,
    )
    found = check_against_history(new, old, c)
    groups = [f for f in found if f.code == "small_derived_group"]
    assert groups and groups[0].group_n == 2 and groups[0].blocking


def test_already_derivable_from_history_is_not_blocking(columns):
    old = _release(
        [CellDef.of([S4]), CellDef.of([S4, Condition("statute", (1, 2))])], columns, release="r1"
    )
    # the old pair itself already gives the 3 ambtenaren; a new unrelated cell does not change that
    old_st = [replace(x, status="ok") for x in old]
    hidden = ReleasedCell(
        CellDef.of([S4, Condition("statute", (3,))]), "count", "primary:min_n", 3, None, "r1", 2
    )
    new = _release([CellDef.of([Condition("sector", (5,))])], columns)
    found = check_against_history(new, [*old_st, hidden], columns)
    rec = [f for f in found if f.code == "recomputable_cell"]
    assert rec and not rec[0].blocking and rec[0].new_cells == ()


def test_percentage_threshold_applies_only_to_percentage_pairs(columns):
    m = "werkstress"
    v = Condition("werkstress", None)
    big = CellDef.of([S4, v], m)
    sub = CellDef.of([S4, v, Condition("age_band", (1, 2, 3, 4))], m)  # differs by age band 5 (~16)
    n_diff = int(membership([big], columns).sum() - membership([sub], columns).sum())
    assert 5 <= n_diff < 30
    pct_old = _release([big], columns, kind="percent", release="r1")
    pct_new = _release([sub], columns, kind="percent")
    assert [f.code for f in check_against_history(pct_new, pct_old, columns)] == [
        "small_difference"
    ]
    cnt_old = _release([big], columns, kind="count", release="r1")
    assert check_against_history(pct_new, cnt_old, columns) == ()


def test_cells_of_other_indicators_are_compared_as_respondent_sets(columns):
    """Finding 1: indicator X on P and another indicator on P minus a few give those few away."""
    old = _release([CellDef.of([S4], "werkstress")], columns, release="r1")
    new = _release([CellDef.of([S4, Condition("statute", (1, 2))], "count")], columns)
    (f,) = check_against_history(new, old, columns)
    assert f.code == "small_difference" and f.group_n == 3 and f.blocking


def test_sets_that_differ_by_a_few_on_both_sides_are_a_disclosure(columns):
    """Not nested, but the two sets differ by fewer than the threshold in all."""
    s4_12 = Condition("statute", (1, 2))
    a = CellDef.of([Condition("sector", (4, 5)), s4_12], "werkstress")
    swap = np.flatnonzero((columns["sector"] == 5) & (columns["statute"] < 3))[:1]
    cols = {**columns, "flag": np.where(np.isin(np.arange(400), swap), 0.0, 1.0)}
    b = CellDef.of(
        [Condition("sector", (4, 5)), Condition("statute", (1, 2, 3)), Condition("flag", (1,))],
        "werkstress",
    )
    old = _release([a], cols, release="r1")
    new = _release([b], cols)
    (f,) = check_against_history(new, old, cols)
    assert f.code == "small_difference" and f.group_n == 4 and "differ by 4" in f.message


def test_magnitude_groups_use_dominance(columns):
    rules = PrimaryRules()
    turnover = np.ones(400)
    grp = np.flatnonzero((columns["sector"] == 4) & (columns["statute"] == 2))
    turnover[grp[0]] = 10_000.0  # one dominant enterprise among the bedienden of sector 4
    big = CellDef.of([S4], "turnover")
    sub = CellDef.of([S4, Condition("statute", (1, 3))], "turnover")
    old = _release([big], columns, kind="magnitude", release="r1", statuses=["ok"])
    new = _release([sub], columns, kind="magnitude", statuses=["ok"])
    assert check_against_history(new, old, columns, rules) == ()  # n of the difference is large
    found = check_against_history(new, old, columns, rules, contributions={"turnover": turnover})
    assert [f.code for f in found] == ["small_difference"]
    assert TableKind.magnitude.value == "magnitude"


def test_total_minus_parts_from_different_releases_split_by_another_cell(columns):
    """all - (statute 1) - (statute 2) = the 3 ambtenaren; a split by sex hides it from the atom test."""
    c = dict(columns)
    c["sex"] = (np.arange(400) % 2 + 1).astype(float)
    st_ = build([flat("sex", [1, 2])])
    old = _release(list(table_cells(st_, [S4])), c, release="r1")  # sector 4 by sex (with total)
    old += _release([CellDef.of([S4, Condition("statute", (1,))])], c, release="r2")
    new = _release([CellDef.of([S4, Condition("statute", (2,))])], c)
    found = check_against_history(new, old, c)
    assert any(
        f.code == "small_derived_group" and f.group_n == 3 and f.new_cells == (0,) for f in found
    )


def test_hidden_total_must_stay_hidden(columns):
    """A total hidden because of an earlier finding is protected: here it equals the sum of two
    published parts because the third part is empty."""
    st_ = build([flat("statute", [1, 2, 3])])
    cells = table_cells(st_, [Condition("sector", (5,))])
    n = membership(cells, columns).sum(axis=0)
    assert n[2] == 0
    new = _release(list(cells), columns, statuses=["ok", "ok", "ok", "secondary:history"])
    found = check_against_history(new, [], columns)
    assert [f.code for f in found] == ["recomputable_cell"] and set(found[0].new_cells) == {0, 1}


def test_indicators_with_the_same_respondents_are_compared_as_the_sets_they_count(columns):
    """Finding 1 through item non-response: two indicators with the same respondents (as werkbaar
    werk and "no workability problem", which carry the same values) on sector 4 and on sector 4
    without its oldest age band. The groups differ by more than the threshold, but all but one of
    the oldest did not answer: the figures differ by that one respondent, and give her answer."""
    oldest = np.flatnonzero((columns["sector"] == 4) & (columns["age_band"] == 5))
    assert oldest.size >= 5
    missing = np.zeros(400, dtype=bool)
    missing[oldest[1:]] = True
    ww = np.where(missing, np.nan, (np.arange(400) % 3 == 0).astype(float))
    cols = {**columns, "ww": ww, "np0": ww.copy()}
    x = CellDef.of([S4, Condition("ww", None)], "ww")
    y = CellDef.of([S4, Condition("age_band", (1, 2, 3, 4)), Condition("np0", None)], "np0")
    old = _release([x], cols, kind="percent", release="r1")
    new = _release([y], cols, kind="percent")
    found = [f for f in check_against_history(new, old, cols) if f.blocking]
    assert [(f.code, f.group_n, f.new_cells) for f in found] == [("small_difference", 1, (0,))]
    # indicators with other respondents (one more answer missing for np0 elsewhere in sector 4)
    # come from other items: a difference that non-response makes is then no group (the design
    # choice of history._as_sets; ARCHITECTURE.md)
    other = ww.copy()
    other[np.flatnonzero((columns["sector"] == 4) & (columns["age_band"] == 1))[0]] = np.nan
    cols2 = {**cols, "np0": other}
    new2 = _release([y], cols2, kind="percent")
    old2 = _release([x], cols2, kind="percent", release="r1")
    assert not [f for f in check_against_history(new2, old2, cols2) if f.blocking]
