"""The joint protection of a space of tables (:func:`pipeline.sdc.tables.space.protect_space`): a
cell a caller's own primary rule hides (:attr:`SpaceTable.primary`, e.g. the dominance rule on a
share of employees) keeps that primary status and is logged with it; its companions hidden to
protect it are ``secondary``."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.sdc.tables.cells import Condition, membership, table_cells
from pipeline.sdc.tables.protect import TableData
from pipeline.sdc.tables.rules import PrimaryRules, TableKind, is_primary
from pipeline.sdc.tables.space import SpaceTable, logged_cells, protect_space
from pipeline.sdc.tables.structure import Dimension, build


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
