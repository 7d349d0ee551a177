"""A table's cells and the additive relations between them (the structure secondary suppression protects).

A table has one or more :class:`Dimension` s (breakdown variables). Each dimension has leaf levels,
optionally intermediate groups (a hierarchy, e.g. sub-sectors within sectors) and a total. The cells
are all combinations of one node per dimension; the relations say that a node with children equals
the sum of its children, with the other dimensions held fixed. A 2-D table with margins has one
relation per row, per column, and two for the grand total; a 3-D table has every marginal relation.

The total level is the empty string ``""``, as in the tidy estimates table (overall rows have an empty
``level``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

TOTAL = ""


@dataclass(frozen=True)
class Dimension:
    """One breakdown. ``groups`` are intermediate nodes ``(name, children)``; children are leaves or
    other groups. Nodes that are nobody's child sum to the total. ``has_total=False`` means the
    table publishes no margin along this dimension (no total cells, no relations)."""

    name: str
    levels: tuple[str, ...]
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    has_total: bool = True

    def __post_init__(self) -> None:
        if not self.levels:
            raise ValueError(f"dimension {self.name!r} has no levels")
        names = list(self.levels) + [g for g, _ in self.groups]
        if len(set(names)) != len(names) or TOTAL in names:
            raise ValueError(
                f"dimension {self.name!r}: level and group names must be distinct and non-empty"
            )
        seen: set[str] = set()
        for g, children in self.groups:
            if not children:
                raise ValueError(f"dimension {self.name!r}: group {g!r} has no children")
            for c in children:
                if c not in names:
                    raise ValueError(
                        f"dimension {self.name!r}: group {g!r} has unknown child {c!r}"
                    )
                if c in seen:
                    raise ValueError(f"dimension {self.name!r}: {c!r} belongs to two groups")
                seen.add(c)
        # no cycles: walking up from any node must end at a top node
        parent = {c: g for g, ch in self.groups for c in ch}
        for n in names:
            steps, cur = 0, n
            while cur in parent:
                cur = parent[cur]
                steps += 1
                if steps > len(names):
                    raise ValueError(f"dimension {self.name!r}: the groups form a cycle")

    @property
    def nodes(self) -> tuple[str, ...]:
        """All nodes: leaves, groups, then the total (if published)."""
        out = tuple(self.levels) + tuple(g for g, _ in self.groups)
        return out + ((TOTAL,) if self.has_total else ())

    def children(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(node, children) for every node that is a sum of others."""
        out = list(self.groups)
        if self.has_total:
            child_of = {c for _, ch in self.groups for c in ch}
            top = tuple(
                n
                for n in tuple(self.levels) + tuple(g for g, _ in self.groups)
                if n not in child_of
            )
            out.append((TOTAL, top))
        return tuple(out)


@dataclass(frozen=True)
class Relation:
    """``cells[total] == sum(cells[p] for p in parts)``."""

    total: int
    parts: tuple[int, ...]

    @property
    def cells(self) -> tuple[int, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class TableStructure:
    dims: tuple[Dimension, ...]
    keys: tuple[tuple[str, ...], ...]
    relations: tuple[Relation, ...]
    _index: dict[tuple[str, ...], int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def n_cells(self) -> int:
        return len(self.keys)

    def index(self, key: Sequence[str]) -> int:
        return self._index[tuple(key)]

    def relations_of(self) -> tuple[tuple[int, ...], ...]:
        """For each cell, the indices of the relations it takes part in."""
        out: list[list[int]] = [[] for _ in self.keys]
        for r, rel in enumerate(self.relations):
            for c in rel.cells:
                out[c].append(r)
        return tuple(tuple(x) for x in out)

    def is_total(self, cell: int) -> bool:
        """True if the cell is a margin (a sum) along at least one dimension."""
        key = self.keys[cell]
        return any(
            k == TOTAL or k in {g for g, _ in d.groups} for k, d in zip(key, self.dims, strict=True)
        )


def build(dims: Sequence[Dimension]) -> TableStructure:
    """All cells (product of each dimension's nodes, first dimension slowest) and all relations."""
    dims = tuple(dims)
    if not dims:
        raise ValueError("a table needs at least one dimension")
    if len({d.name for d in dims}) != len(dims):
        raise ValueError("dimension names must be distinct")
    keys = tuple(itertools.product(*(d.nodes for d in dims)))
    index = {k: i for i, k in enumerate(keys)}
    relations: list[Relation] = []
    for di, d in enumerate(dims):
        others = [dd.nodes for dd in dims]
        for node, children in d.children():
            others[di] = (node,)
            for key in itertools.product(*others):
                parts = tuple(index[key[:di] + (c,) + key[di + 1 :]] for c in children)
                relations.append(Relation(index[key], parts))
    return TableStructure(dims, keys, tuple(relations), index)


def flat(name: str, levels: Sequence[object], *, has_total: bool = True) -> Dimension:
    """A dimension without hierarchy; levels are turned into text (codes as in the estimates table)."""
    return Dimension(name, tuple(str(x) for x in levels), has_total=has_total)
