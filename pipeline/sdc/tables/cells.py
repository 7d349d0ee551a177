"""Cells as sets of respondents: conjunctions of ``variable in levels`` conditions.

A table cell "werkstress, sector 4, arbeiders, age 55+" counts the respondents for whom *every*
condition holds: the request's population filter, one level per breakdown (none for a total) and, for
an indicator, a substantive value of that indicator (``answered``). Modelling cells this way lets the
history checks compute differences between releases exactly, on the respondents themselves.

Pure: membership is computed on a ``Mapping[str, numpy array]`` of columns (a DataFrame works too).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.errors import InputError, Problem, one_of
from pipeline.sdc.tables.structure import TOTAL, TableStructure


@dataclass(frozen=True, order=True)
class Condition:
    """``variable in levels``; ``levels=None`` means "has a substantive value" (not NaN, not a
    negative missing code)."""

    variable: str
    levels: tuple[float, ...] | None = None

    def text(self) -> str:
        if self.levels is None:
            return f"answered({self.variable})"
        return f"{self.variable} in [{', '.join(_num(x) for x in self.levels)}]"

    def to_json(self) -> list[object]:
        return [self.variable, None if self.levels is None else [float(x) for x in self.levels]]

    @classmethod
    def from_json(cls, data: Sequence[object]) -> Condition:
        var, levels = data
        if levels is None:
            return cls(str(var), None)
        return cls(str(var), tuple(float(x) for x in levels))  # type: ignore[attr-defined]


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _merge(a: Condition, b: Condition) -> Condition:
    if a.levels is None and b.levels is None:
        return a
    if a.levels is None or b.levels is None:
        levels = a.levels if a.levels is not None else b.levels
        return Condition(a.variable, tuple(x for x in levels if x >= 0))  # type: ignore[union-attr]
    return Condition(a.variable, tuple(sorted(set(a.levels) & set(b.levels))))


@dataclass(frozen=True)
class CellDef:
    """A normalised conjunction (one condition per variable, sorted) plus the measure it counts for
    (an indicator name, or ``"count"`` for plain population counts). Build with :meth:`of`."""

    conditions: tuple[Condition, ...]
    measure: str = "count"

    @classmethod
    def of(cls, conditions: Iterable[Condition], measure: str = "count") -> CellDef:
        merged: dict[str, Condition] = {}
        for c in conditions:
            lv = None if c.levels is None else tuple(sorted({float(x) for x in c.levels}))
            c = Condition(c.variable, lv)
            merged[c.variable] = _merge(merged[c.variable], c) if c.variable in merged else c
        return cls(tuple(merged[k] for k in sorted(merged)), measure)

    def refine(self, *conditions: Condition) -> CellDef:
        return CellDef.of((*self.conditions, *conditions), self.measure)

    @property
    def key(self) -> str:
        """Canonical text, e.g. ``answered(werkstress) & sector in [4] | werkstress``."""
        body = " & ".join(c.text() for c in self.conditions) or "all"
        return f"{body} | {self.measure}"

    @property
    def variables(self) -> frozenset[str]:
        return frozenset(c.variable for c in self.conditions)

    def to_json(self) -> dict[str, object]:
        return {"conditions": [c.to_json() for c in self.conditions], "measure": self.measure}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> CellDef:
        conds: Sequence[Sequence[object]] = data["conditions"]  # type: ignore[assignment]
        return cls.of((Condition.from_json(c) for c in conds), str(data["measure"]))


def _column(columns: Mapping[str, object], name: str) -> np.ndarray:
    if name not in columns:
        raise InputError(
            f"the data have no column {name!r} needed to evaluate a table cell",
            [
                Problem(
                    one_of(name, sorted(map(str, columns))),
                    column=name,
                    hint="use a variable of this data version, or the data version the release was made on",
                )
            ],
            code="cell_unknown_variable",
        )
    return np.asarray(columns[name], dtype=float)


def members(cell: CellDef, columns: Mapping[str, object], n_rows: int | None = None) -> np.ndarray:
    """Boolean mask of the respondents in the cell."""
    if n_rows is None:
        first = next(iter(columns.values()), None)
        n_rows = len(first) if first is not None else 0  # type: ignore[arg-type]
    mask = np.ones(n_rows, dtype=bool)
    for c in cell.conditions:
        col = _column(columns, c.variable)
        if c.levels is None:
            mask &= ~np.isnan(col) & (col >= 0)
        else:
            mask &= np.isin(col, np.asarray(c.levels, dtype=float))
    return mask


def membership(cells: Sequence[CellDef], columns: Mapping[str, object]) -> np.ndarray:
    """``respondents x cells`` boolean matrix."""
    first = next(iter(columns.values()), None)
    n_rows = len(first) if first is not None else 0  # type: ignore[arg-type]
    out = np.zeros((n_rows, len(cells)), dtype=bool)
    for j, cell in enumerate(cells):
        out[:, j] = members(cell, columns, n_rows)
    return out


def digest(mask: np.ndarray, ids: Sequence[object] | None = None) -> str:
    """SHA-256 of the cell's respondents (their ids, sorted), to notice data changed under one version."""
    idx = np.flatnonzero(mask)
    items = sorted(str(ids[int(i)]) for i in idx) if ids is not None else [str(i) for i in idx]
    return hashlib.sha256("\n".join(items).encode()).hexdigest()


def table_cells(
    structure: TableStructure,
    base: Sequence[Condition],
    measure: str = "count",
    codes: Mapping[str, Mapping[str, float | Sequence[float]]] | None = None,
) -> tuple[CellDef, ...]:
    """The cell definition of every key of a table: the base conditions (population filter, indicator
    validity), plus per dimension ``name in [level]`` (groups: their leaves; total: nothing).
    Dimension names are variable names; levels are codes as text unless ``codes`` maps a level to
    one or several codes (e.g. ``{"statute": {"missing": (-7, -8, -9)}}`` for an explicit
    'unknown' row, which keeps totals additive when the data have missing breakdown values)."""
    out = []
    for key in structure.keys:
        conds = list(base)
        for level, dim in zip(key, structure.dims, strict=True):
            if level == TOTAL:
                continue
            conv = codes.get(dim.name, {}) if codes else {}
            values: list[float] = []
            for leaf in _leaves(dim.groups, level):
                c = conv.get(leaf)
                if c is None:
                    values.append(float(leaf))
                elif isinstance(c, (tuple, list)):
                    values.extend(float(x) for x in c)
                else:
                    values.append(float(c))  # type: ignore[arg-type]
            conds.append(Condition(dim.name, tuple(values)))
        out.append(CellDef.of(conds, measure))
    return tuple(out)


def _leaves(groups: tuple[tuple[str, tuple[str, ...]], ...], node: str) -> tuple[str, ...]:
    children = dict(groups)
    if node not in children:
        return (node,)
    return tuple(leaf for c in children[node] for leaf in _leaves(groups, c))
