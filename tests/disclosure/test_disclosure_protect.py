"""protect(): primary -> secondary -> history -> further suppression, with the ledger."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from pipeline.sdc.tables import rules as R
from pipeline.sdc.tables.audit import audit
from pipeline.sdc.tables.cells import Condition, membership, table_cells
from pipeline.sdc.tables.ledger import Ledger
from pipeline.sdc.tables.protect import HistoryPolicy, TableData, digests, numerator, protect
from pipeline.sdc.tables.rules import TableKind
from pipeline.sdc.tables.structure import build, flat


@pytest.fixture
def columns():
    rng = np.random.default_rng(3)
    n = 2000
    c = {
        "sector": rng.integers(1, 6, n).astype(float),
        "statute": rng.integers(1, 3, n).astype(float),
        "age_band": rng.integers(1, 6, n).astype(float),
        "weight": rng.uniform(50, 300, n),
        "werkstress": rng.integers(0, 2, n).astype(float),
    }
    c["statute"][np.flatnonzero(c["sector"] == 4)[:3]] = 3
    c["werkstress"][:25] = np.nan
    return c


def _count_table(columns, base, dims):
    st_ = build([flat(v, lv) for v, lv in dims])
    cells = table_cells(st_, base)
    m = membership(cells, columns)
    return TableData(
        st_,
        TableKind.count,
        {"n": m.sum(axis=0).tolist(), "weighted_n": (columns["weight"] @ m).tolist()},
        cells,
    )


def _percent_table(columns, base, dims, indicator="werkstress"):
    st_ = build([flat(v, lv) for v, lv in dims])
    cells = table_cells(st_, [*base, Condition(indicator, None)], indicator)
    m = membership(cells, columns)
    w = columns["weight"]
    wn = w @ m
    num = (w * np.nan_to_num(columns[indicator])) @ m
    est = np.divide(100 * num, wn, out=np.zeros_like(num), where=wn > 0)
    layers = {
        "n": m.sum(axis=0).tolist(),
        "weighted_n": wn.tolist(),
        "numerator": numerator(est, wn),
    }
    return TableData(st_, TableKind.percent, layers, cells)


def test_table_alone(columns):
    t = _count_table(
        columns,
        [Condition("sector", (4,))],
        [("statute", [1, 2, 3]), ("age_band", [1, 2, 3, 4, 5])],
    )
    p = protect(t)
    assert p.decision == "release" and p.reasons == ()
    prim = [i for i, s in enumerate(p.statuses) if R.is_primary(s)]
    assert prim and all(p.suppressed[i] for i in prim)
    assert any(s == R.SECONDARY for s in p.statuses)
    for layer in t.layers.values():
        assert audit(t.structure, layer, p.suppressed).ok


def test_percent_table_flags_and_layers(columns):
    t = _percent_table(
        columns, [Condition("sector", (1, 2))], [("age_band", [1, 2, 3, 4, 5]), ("statute", [1, 2])]
    )
    p = protect(t)
    n = t.n
    for i, s in enumerate(p.statuses):
        if n[i] < 30:
            assert s == R.PRIMARY_MIN_N
        elif not p.suppressed[i]:
            assert s == (R.UNRELIABLE if n[i] < 50 else R.OK)
    for layer in t.layers.values():
        assert audit(t.structure, layer, p.suppressed).ok


def test_pc126_attack_is_suppressed_and_logged(columns, tmp_path):
    led = Ledger(tmp_path)
    t1 = _count_table(columns, [Condition("sector", (4,))], [("statute", [1, 2, 3])])
    p1 = protect(t1, columns=columns)
    assert p1.decision == "release"
    assert p1.statuses[2] == R.PRIMARY_MIN_N  # the 3 ambtenaren
    led.record(
        "woodwize",
        request_hash="r1",
        data_version="v1",
        cells=p1.released_cells(t1),
        digests=digests(t1.cells, columns),
        decision=p1.decision,
        label="pc126 by statute",
    )
    hist = led.history("v1")
    t2 = _count_table(
        columns,
        [Condition("sector", (4,)), Condition("statute", (1, 2))],
        [("age_band", [1, 2, 3, 4, 5])],
    )
    p2 = protect(t2, history=hist, columns=columns)
    assert p2.decision == "suppress"
    assert any("woodwize#1 (pc126 by statute)" in r for r in p2.reasons)
    assert R.SECONDARY_HISTORY in p2.statuses
    # the sector-4 total without ambtenaren is no longer derivable from the new table
    total = t2.structure.index(("",))
    assert p2.suppressed[total]
    # refusing instead
    p3 = protect(t2, history=hist, columns=columns, policy=HistoryPolicy(on_disclosure="refuse"))
    assert p3.decision == "refuse" and p3.reasons


def test_same_request_gives_same_result(columns):
    t = _percent_table(columns, [Condition("sector", (4,))], [("age_band", [1, 2, 3, 4, 5])])
    a = protect(t, columns=columns)
    b = protect(replace(t), columns=columns)
    assert a == b


def test_keep_published_that_cannot_hold_refuses(columns):
    t1 = _count_table(columns, [Condition("sector", (4,))], [("statute", [1, 2, 3])])
    p1 = protect(t1, columns=columns)
    hist = [replace(c, release="r1") for c in p1.released_cells(t1)]
    t2 = _count_table(
        columns,
        [Condition("sector", (4,)), Condition("statute", (1, 2))],
        [("age_band", [1, 2, 3, 4, 5])],
    )
    keep = [True] * t2.structure.n_cells
    p = protect(t2, history=hist, columns=columns, keep_published=keep)
    assert p.decision == "refuse"
