"""Cells as respondent sets: normalisation, membership, table cells, digests."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.errors import InputError
from pipeline.sdc.tables.cells import CellDef, Condition, digest, members, membership, table_cells
from pipeline.sdc.tables.structure import Dimension, build, flat


@pytest.fixture
def columns():
    return {
        "sector": np.array([4, 4, 4, 5, 5, np.nan, 4]),
        "statute": np.array([1, 2, 3, 1, -9, 1, 1]),
        "werkstress": np.array([0, 1, np.nan, 1, 0, 1, -1]),
    }


def test_normalisation_merges_and_sorts():
    a = CellDef.of(
        [Condition("statute", (2, 1)), Condition("sector", (4,)), Condition("statute", (1, 3))],
        "werkstress",
    )
    assert a.conditions == (Condition("sector", (4.0,)), Condition("statute", (1.0,)))
    assert a.key == "sector in [4] & statute in [1] | werkstress"
    b = CellDef.of([Condition("sector", (4,)), Condition("statute", (1,))], "werkstress")
    assert a == b and hash(a) == hash(b)
    # answered() combined with levels keeps the substantive levels
    c = CellDef.of([Condition("statute", None), Condition("statute", (-9, 1))])
    assert c.conditions == (Condition("statute", (1.0,)),)


def test_json_round_trip():
    a = CellDef.of([Condition("sector", (4,)), Condition("werkstress", None)], "werkstress")
    assert CellDef.from_json(a.to_json()) == a


def test_members(columns):
    cell = CellDef.of([Condition("sector", (4,)), Condition("werkstress", None)], "werkstress")
    # rows 0, 1 (sector 4, answered); row 2 NaN; row 6 -1 not substantive
    assert members(cell, columns).tolist() == [True, True, False, False, False, False, False]
    everyone = CellDef.of([])
    assert members(everyone, columns).all()
    assert everyone.key == "all | count"


def test_unknown_variable_is_a_clear_error(columns):
    with pytest.raises(InputError) as err:
        members(CellDef.of([Condition("pc", (126,))]), columns)
    assert err.value.code == "cell_unknown_variable"
    assert "'pc' is not one of" in err.value.render()


def test_table_cells_flat_and_hierarchical(columns):
    st_ = build([flat("statute", [1, 2, 3])])
    cells = table_cells(st_, [Condition("sector", (4,))], "count")
    m = membership(cells, columns)
    assert m.sum(axis=0).tolist() == [2, 1, 1, 4]
    d = Dimension("statute", ("1", "2", "3"), groups=(("12", ("1", "2")),))
    cells = table_cells(build([d]), [], "count")
    assert cells[3].conditions == (Condition("statute", (1.0, 2.0)),)
    assert cells[-1].conditions == ()
    # an explicit 'missing' level keeps the total additive
    st2 = build([flat("statute", [1, 2, 3, "missing"])])
    cells = table_cells(st2, [], "count", codes={"statute": {"missing": (-9, -8)}})
    assert cells[3].conditions == (Condition("statute", (-9.0, -8.0)),)
    counts = membership(cells, columns).sum(axis=0)
    assert counts[:4].sum() == counts[4] == 7


def test_digest_depends_on_ids_not_order():
    mask = np.array([True, False, True])
    assert digest(mask, ["b", "x", "a"]) == digest(mask[::-1], ["a", "x", "b"])
    assert digest(mask, ["b", "x", "a"]) != digest(mask, ["b", "x", "c"])
