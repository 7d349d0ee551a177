"""What validation needs from a questionnaire, worked out once per run (parsed expressions, orders)."""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter

import numpy as np

from pipeline.errors import Problem, SpecError
from pipeline.questionnaire.expr import Expr, Name, parse, walk
from pipeline.questionnaire.model import Derived, Item, ItemType, Questionnaire, Rule
from pipeline.validate.schema import NUMERIC_TYPES, in_mode, item_variables


@dataclass(frozen=True)
class Compiled:
    q: Questionnaire
    numeric_items: tuple[Item, ...]
    text_items: tuple[Item, ...]  # text and date items (kept as strings)
    routing: tuple[tuple[Item, Expr], ...]  # items with `relevant`, upstream first
    rules: tuple[tuple[Rule, Expr, Expr | None], ...]
    target: Expr | None
    id_variable: str

    def numeric_in_mode(self, mode: str) -> tuple[Item, ...]:
        return tuple(it for it in self.numeric_items if in_mode(it, mode))

    def variables(self, item: Item) -> tuple[str, ...]:
        if item.type != ItemType.multiple:
            return (item.name,)
        return item_variables(self.q, item)

    def completeness_items(self, mode: str) -> tuple[Item, ...]:
        """Items counted for completeness and item nonresponse: numeric items asked in the mode,
        except the speeder (paradata) variable."""
        speeder = self.q.quality.speeder_variable
        return tuple(it for it in self.numeric_in_mode(mode) if it.name != speeder)

    def grids(self, mode: str) -> dict[str, tuple[str, ...]]:
        """Grids checked for straightlining: at least ``straightlining_min_items`` single-choice items
        asked in the mode, with at least one item keyed in reverse (per the scales). The same answer
        on items keyed in opposite directions is inconsistent; on a grid keyed one way (e.g. 'never'
        to every physical strain) it may well be the true answer, so such grids are not checked."""
        reversed_items = {r for s in self.q.scales for r in s.reverse}
        out: dict[str, list[str]] = {}
        for it in self.numeric_in_mode(mode):
            if it.grid and it.type == ItemType.single:
                out.setdefault(it.grid, []).append(it.name)
        return {
            g: tuple(v)
            for g, v in out.items()
            if len(v) >= self.q.quality.straightlining_min_items and reversed_items & set(v)
        }


def names_in(expr: Expr) -> tuple[str, ...]:
    """Variables used by value (not inside ``answered()``): their missing value makes a result unknown."""
    return tuple(sorted({n.name for n in walk(expr) if isinstance(n, Name)}))


def unknown_mask(expr: Expr, cols: dict[str, np.ndarray], size: int) -> np.ndarray:
    """Rows where a variable the expression compares has no value for a reason other than routing
    (blank, -7, -8, -9): the condition cannot be decided. A -1 (not applicable) decides: False."""
    out = np.zeros(size, dtype=bool)
    for name in names_in(expr):
        v = cols[name]
        out |= np.isnan(v) | ((v < 0) & (v != -1))
    return out


def _parse(text: str, where: str, q: Questionnaire) -> Expr:
    try:
        return parse(text)
    except SpecError as exc:
        raise SpecError(
            f"{q.study.id}: {where}: {exc.message}", list(exc.problems), code=exc.code
        ) from None


def compile_questionnaire(q: Questionnaire) -> Compiled:
    numeric = tuple(it for it in q.items if it.type in NUMERIC_TYPES)
    text = tuple(it for it in q.items if it.type not in NUMERIC_TYPES)
    known = set(q.variables()) | {d.name for d in q.derived}
    problems: list[Problem] = []
    routed: dict[str, tuple[Item, Expr]] = {}
    for it in q.items:
        if it.relevant:
            e = _parse(it.relevant, f"items.{it.name}.relevant", q)
            routed[it.name] = (it, e)
    exprs: list[tuple[str, Expr]] = [(f"items.{n}.relevant", e) for n, (_, e) in routed.items()]
    rules = []
    for r in q.rules:
        check = _parse(r.check, f"rules.{r.id}.check", q)
        when = _parse(r.when, f"rules.{r.id}.when", q) if r.when else None
        rules.append((r, check, when))
        exprs += [(f"rules.{r.id}.check", check)] + ([(f"rules.{r.id}.when", when)] if when else [])
    target = (
        _parse(q.quality.target_population, "quality.target_population", q)
        if q.quality.target_population
        else None
    )
    if target is not None:
        exprs.append(("quality.target_population", target))
    for where, e in exprs:
        for v in sorted(e.variables - known):
            problems.append(
                Problem(f"unknown variable {v!r}", path=where, code="expr_unknown_variable")
            )
    if problems:
        raise SpecError(f"{q.study.id}: expressions refer to unknown variables", problems)
    # routing order: an item's condition is evaluated after the routing of the items it refers to
    item_of_var = {v: it.name for it in q.items for v in item_variables(q, it)}
    derived_src = {d.name: d.source for d in q.derived}
    graph = {}
    for name, (_it, e) in routed.items():
        deps = {item_of_var.get(derived_src.get(v, v), v) for v in e.variables}
        graph[name] = {d for d in deps if d in routed and d != name}
    try:
        order = tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise SpecError(
            f"{q.study.id}: routing conditions refer to each other in a cycle",
            [Problem(" -> ".join(map(str, exc.args[1])), path="items.relevant")],
        ) from None
    return Compiled(
        q, numeric, text, tuple(routed[n] for n in order), tuple(rules), target, q.study.id_variable
    )


def derive(d: Derived, source: np.ndarray) -> np.ndarray:
    """Band a source variable: substantive values -> band code (-7 if in no band); codes carried over."""
    out = np.where(np.isnan(source), -9.0, source).astype(np.float64)
    subst = source >= 0
    coded = np.zeros(source.shape, dtype=bool)
    for b in d.bands:
        m = subst & (source >= b.low) & (source <= b.high) & ~coded
        out[m] = b.code
        coded |= m
    out[subst & ~coded] = -7.0
    return out


def derived_columns(q: Questionnaire, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {d.name: derive(d, values[d.source]) for d in q.derived if d.source in values}
