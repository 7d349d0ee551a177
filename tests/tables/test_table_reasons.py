"""A suppressed cell's reason is told only where the published counts imply it: a told reason is
always the true one, and it does not depend on the hidden counts (any other hidden counts that agree
with the published ones give the same reasons), so it reveals nothing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.sdc.tables.protect import TableData, protect
from pipeline.sdc.tables.rules import PrimaryRules, TableKind, public_flag
from pipeline.sdc.tables.structure import build, flat
from pipeline.tables.api import make_table
from pipeline.tables.reasons import NOT_TOLD, PROTECTS, REASONS, TOO_FEW, suppression_reasons

from .tables_helpers import csv_rows, request_file

RULES = PrimaryRules()  # 30 for percentages


@dataclass
class _Numbers:
    structure: object
    n: tuple[int, ...]
    kind: TableKind = TableKind.percent


@dataclass
class _Table:
    """What suppression_reasons reads of a protected table."""

    numbers: _Numbers
    flags: tuple[str, ...]

    def flag(self, i: int) -> str:
        return self.flags[i]


def _protected(counts: list[int]) -> tuple[object, tuple[int, ...], tuple[str, ...]]:
    """A one-way table of ``counts`` with its total, protected: (structure, n, statuses)."""
    structure = build([flat("x", [str(i) for i in range(len(counts))])])
    n = (*counts, sum(counts))
    p = protect(TableData(structure, TableKind.percent, {"n": [float(x) for x in n]}), rules=RULES)
    return structure, n, p.statuses


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=120), min_size=2, max_size=7), st.data())
def test_a_told_reason_is_true_and_does_not_depend_on_the_hidden_counts(counts, data):
    structure, n, statuses = _protected(counts)
    flags = tuple(public_flag(s) for s in statuses)
    why = suppression_reasons(_Table(_Numbers(structure, n), flags), RULES, ("estimate", "n"))
    for s, f, r in zip(statuses, flags, why, strict=True):
        assert r in REASONS
        assert (r == "") == (f != "suppressed")
        if r == TOO_FEW:
            assert s.startswith("primary:")
        if r == PROTECTS:
            assert s.startswith("secondary")
    hidden = [i for i, f in enumerate(flags) if f == "suppressed" and i < len(counts)]
    if len(hidden) >= 2:  # another table agreeing with every published figure
        a, b = hidden[0], hidden[1]
        move = data.draw(st.integers(min_value=-n[a], max_value=n[b]))
        other = list(n)
        other[a] += move
        other[b] -= move
        again = suppression_reasons(
            _Table(_Numbers(structure, tuple(other)), flags), RULES, ("estimate", "n")
        )
        assert again == why


def _two_way(cells: list[list[int]]):
    """A two-way table with margins, protected: (structure, n, statuses, key -> index)."""
    r, c = len(cells), len(cells[0])
    structure = build(
        [flat("a", [str(i) for i in range(r)]), flat("b", [str(j) for j in range(c)])]
    )
    a = np.asarray(cells)
    n = []
    for key in structure.keys:
        rows = slice(None) if key[0] == "" else int(key[0])
        cols = slice(None) if key[1] == "" else int(key[1])
        n.append(int(np.sum(a[rows, cols])))
    p = protect(TableData(structure, TableKind.percent, {"n": [float(x) for x in n]}), rules=RULES)
    return structure, tuple(n), p.statuses, {k: i for i, k in enumerate(structure.keys)}


def _why(structure, n, statuses, stats=("estimate", "n")):
    flags = tuple(
        "empty" if public_flag(s) != "suppressed" and n[i] == 0 else public_flag(s)
        for i, s in enumerate(statuses)
    )
    return suppression_reasons(_Table(_Numbers(structure, tuple(n)), flags), RULES, stats)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=2, max_value=4),
    st.integers(min_value=2, max_value=4),
    st.data(),
)
def test_two_way_tables_told_reasons_are_true_and_public(r, c, data):
    cells = [[data.draw(st.integers(0, 80)) for _ in range(c)] for _ in range(r)]
    structure, n, statuses, index = _two_way(cells)
    why = _why(structure, n, statuses)
    for s, w in zip(statuses, why, strict=True):
        if w == TOO_FEW:
            assert s.startswith("primary:")
        if w == PROTECTS:
            assert s.startswith("secondary")
    # another table with the same published cells: move m around a rectangle of hidden inner cells
    hidden = {k for k, i in index.items() if statuses[i].startswith(("primary", "secondary"))}
    for i1 in range(r):
        for i2 in range(i1 + 1, r):
            for j1 in range(c):
                for j2 in range(j1 + 1, c):
                    corners = [(i1, j1), (i1, j2), (i2, j1), (i2, j2)]
                    if all((str(i), str(j)) in hidden for i, j in corners):
                        m = min(n[index[(str(i1), str(j2))]], n[index[(str(i2), str(j1))]])
                        other = list(n)
                        for (i, j), sign in zip(corners, (1, -1, -1, 1), strict=True):
                            other[index[(str(i), str(j))]] += sign * m
                        assert _why(structure, other, statuses) == why
                        return


def test_told_and_untold_reasons():
    """Two hidden cells of 1 and 30 respondents (t = 30): "too few" beside "protects" would say the
    first holds exactly one respondent. Neither reason is implied, so neither is told."""
    structure, n, statuses = _protected([1, 30, 200])
    flags = tuple(public_flag(s) for s in statuses)
    assert "suppressed" in flags[:2]
    why = suppression_reasons(_Table(_Numbers(structure, n), flags), RULES, ("estimate", "n"))
    assert TOO_FEW not in why and PROTECTS not in why
    # two-way tables where the published counts fix a reason (found by a search over random tables)
    structure, n, statuses, _ = _two_way([[60, 67, 43, 65], [26, 36, 63, 9]])
    why = _why(structure, n, statuses)
    assert PROTECTS in why
    structure, n, statuses, _ = _two_way(
        [[12, 3, 38, 27], [71, 63, 33, 46], [47, 71, 1, 39], [53, 36, 73, 76]]
    )
    why = _why(structure, n, statuses)
    assert TOO_FEW in why
    # without n published nothing is implied
    assert set(_why(structure, n, statuses, ("estimate",))) <= {"", NOT_TOLD}


def test_the_table_files_carry_the_reason(run_copy, tmp_path):
    out = make_table(request_file(tmp_path, indicators=["werkstress"]), [run_copy], tmp_path / "o")
    rows = csv_rows(out.files[1])
    statuses = out.release.waves[0].tables[0].protected.statuses
    assert len(rows) == len(statuses)
    told = 0
    for r, s in zip(rows, statuses, strict=True):
        if r["flag"] != "suppressed":
            assert r["suppression_reason"] == ""
            continue
        assert r["suppression_reason"] in (TOO_FEW, PROTECTS, NOT_TOLD)
        if r["suppression_reason"] == TOO_FEW:
            assert s.startswith("primary:")
            told += 1
        elif r["suppression_reason"] == PROTECTS:
            assert s.startswith("secondary")
            told += 1
    assert any(r["flag"] == "suppressed" for r in rows)
    assert np.isfinite(told)
