"""The frozen AST of the expression language and its canonical printer (see :mod:`.expr`)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property


# --------------------------------------------------------------------------------------------- AST
@dataclass(frozen=True)
class Expr:
    """Base class of the frozen AST. ``str(expr)`` prints text that parses back to the same AST."""

    @cached_property
    def variables(self) -> frozenset[str]:
        return frozenset(n.name for n in walk(self) if isinstance(n, (Name, Answered)))

    @property
    def is_condition(self) -> bool:
        return isinstance(self, (Compare, InList, Answered, Not, Logic))

    def children(self) -> tuple[Expr, ...]:
        return ()

    def __str__(self) -> str:
        return to_text(self)


@dataclass(frozen=True)
class Num(Expr):
    value: float

    def __post_init__(self) -> None:
        if not math.isfinite(self.value):
            raise ValueError("a number literal must be finite")
        object.__setattr__(self, "value", float(self.value))


@dataclass(frozen=True)
class Name(Expr):
    name: str


@dataclass(frozen=True)
class Neg(Expr):
    operand: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(frozen=True)
class Arith(Expr):
    op: str  # + - * /
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class Compare(Expr):
    op: str  # == != < <= > >=
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class InList(Expr):
    operand: Expr
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(float(v) for v in self.values))

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(frozen=True)
class Answered(Expr):
    name: str


@dataclass(frozen=True)
class Not(Expr):
    operand: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(frozen=True)
class Logic(Expr):
    op: str  # and / or
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


def walk(expr: Expr) -> Iterator[Expr]:
    """All nodes, depth first."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children()))


# ---------------------------------------------------------------------------------------- printing
_PREC = {"or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "*": 6, "/": 6, "neg": 7, "atom": 8}


def _prec(e: Expr) -> int:
    if isinstance(e, Logic):
        return _PREC[e.op]
    if isinstance(e, Not):
        return _PREC["not"]
    if isinstance(e, (Compare, InList)):
        return _PREC["cmp"]
    if isinstance(e, Arith):
        return _PREC[e.op]
    if isinstance(e, Neg) or (isinstance(e, Num) and e.value < 0):
        return _PREC["neg"]
    return _PREC["atom"]


def _num(v: float) -> str:
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def to_text(e: Expr) -> str:
    """Canonical text with the fewest parentheses; ``parse(to_text(e)) == e``."""

    def wrap(child: Expr, min_prec: int) -> str:
        s = to_text(child)
        return f"({s})" if _prec(child) < min_prec else s

    if isinstance(e, Num):
        return _num(e.value)
    if isinstance(e, Name):
        return e.name
    if isinstance(e, Answered):
        return f"answered({e.name})"
    if isinstance(e, Neg):
        return "-" + wrap(e.operand, _PREC["neg"])
    if isinstance(e, Arith):
        p = _PREC[e.op]
        return f"{wrap(e.left, p)} {e.op} {wrap(e.right, p + 1)}"
    if isinstance(e, Compare):
        return f"{wrap(e.left, _PREC['+'])} {e.op} {wrap(e.right, _PREC['+'])}"
    if isinstance(e, InList):
        return f"{wrap(e.operand, _PREC['+'])} in [{', '.join(_num(v) for v in e.values)}]"
    if isinstance(e, Not):
        return "not " + wrap(e.operand, _PREC["not"])
    if isinstance(e, Logic):
        p = _PREC[e.op]
        return f"{wrap(e.left, p)} {e.op} {wrap(e.right, p + 1)}"
    raise TypeError(f"not an expression node: {e!r}")
