"""Comparability between two waves: which indicators and breakdown variables of the newer wave can be
put in one series with the older wave, and where the series breaks, with the reasons.

Built on :func:`pipeline.questionnaire.diff.diff_questionnaires` (the changes ``wbm questionnaire
diff`` lists) and the trend mapping (:func:`pipeline.questionnaire.trend.trend_map`): renames declared
in the mapping are no change. An indicator's series **breaks** between the two waves when what it
measures changed:

- ``cutoffs``: its cut-offs for the scored population, its problem direction or its scale;
- ``scale``: the items of its scale (after renames), their reversal or the scale's scoring;
- ``item``: the wording, answer categories (codes, labels, scores), type, routing or allowed
  missing codes of one of the items it is computed from;
- ``definition``: the expression of a condition indicator, or the members or rule of a composite;
- ``member``: a member of a composite (werkbaar werk) broke.

A variable label, a cut-off's status or note, an indicator's label: no break. An indicator the older
wave does not have **starts** its series (not a break). A breakdown variable breaks when its codes or
bands changed. Nothing here reads data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.questionnaire.diff import Change, diff_questionnaires
from pipeline.questionnaire.model import Indicator, Questionnaire
from pipeline.questionnaire.trend import TrendMap, trend_map

ITEM_FIELDS = ("type", "text", "choices", "relevant", "missing")
INDICATOR_FIELDS = ("kind", "scale", "problem_if", "of", "rule", "condition", "defined_if")
SCALE_FIELDS = ("items", "reverse", "scoring")

#: Reason codes and their Dutch explanation (reports and the archive's series.json use both).
REASONS_NL: dict[str, str] = {
    "cutoffs": "drempelwaarden of richting van de indicator gewijzigd",
    "scale": "samenstelling of scoring van de schaal gewijzigd",
    "item": "vraagstelling of antwoordcategorieën van een vraag gewijzigd",
    "definition": "definitie van de indicator gewijzigd",
    "member": "een van de samenstellende indicatoren is niet vergelijkbaar",
    "codes": "codes of klassen van de variabele gewijzigd",
}


@dataclass(frozen=True)
class Break:
    """Why a series is not comparable between ``old`` and ``new`` (study ids)."""

    name: str  # the newer wave's name
    old: str
    new: str
    reasons: tuple[tuple[str, str], ...]  # (reason code, detail in English)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for c, _ in self.reasons))

    def text_nl(self) -> str:
        return "; ".join(REASONS_NL[c] for c in self.codes)


@dataclass(frozen=True)
class Comparability:
    """Indicators and variables of the newer wave against the older one."""

    old: str
    new: str
    trend: TrendMap
    breaks: tuple[Break, ...]  # indicators whose series breaks
    variable_breaks: tuple[Break, ...]  # breakdown variables whose codes or bands changed
    new_indicators: tuple[str, ...]  # no counterpart in the older wave: the series starts here

    def indicator_break(self, name: str) -> Break | None:
        for b in self.breaks:
            if b.name == name:
                return b
        return None

    def variable_break(self, name: str) -> Break | None:
        for b in self.variable_breaks:
            if b.name == name:
                return b
        return None


def _rename_expr(text: str | None, names: Mapping[str, str]) -> str | None:
    """An expression with variables renamed (old -> new), in canonical text; None stays None."""
    if text is None:
        return None
    from pipeline.questionnaire.expr import try_parse
    from pipeline.questionnaire.expr_ast import Answered, Expr, Name

    tree, _issue = try_parse(text)
    if tree is None:
        return text

    def walk(e: Expr) -> Expr:
        if isinstance(e, (Name, Answered)):
            return dataclasses.replace(e, name=names.get(e.name, e.name))
        kids = {
            f.name: walk(getattr(e, f.name))
            for f in dataclasses.fields(e)
            if isinstance(getattr(e, f.name), Expr)
        }
        return dataclasses.replace(e, **kids) if kids else e

    return str(walk(tree))


def _expr_variables(text: str | None) -> frozenset[str]:
    if text is None:
        return frozenset()
    from pipeline.questionnaire.expr import try_parse

    tree, _issue = try_parse(text)
    return tree.variables if tree is not None else frozenset()


def _changed_items(diff_changes: tuple[Change, ...], new: Questionnaire) -> dict[str, list[str]]:
    """New item name -> the comparability fields that changed (choice lists resolved to items)."""
    out: dict[str, list[str]] = {}
    for c in diff_changes:
        if c.section == "items" and c.kind == "changed" and c.field in ITEM_FIELDS:
            out.setdefault(c.name, []).append(str(c.field))
    changed_lists = {
        c.name for c in diff_changes if c.section == "choice_lists" and c.kind == "changed"
    }
    for it in new.items:
        if isinstance(it.choices, str) and it.choices in changed_lists:
            out.setdefault(it.name, []).append("choices")
    return out


def comparability(
    old: Questionnaire, new: Questionnaire, population: str = "", old_population: str | None = None
) -> Comparability:
    """What of ``new`` is comparable with ``old`` (see the module docstring). ``population``: the
    cut-off population the newer wave's data are scored with (default: the study's own),
    ``old_population`` the older wave's (default: the same)."""
    tm = trend_map(new, old)
    diff = diff_questionnaires(old, new)
    var_old_to_new = {o: n for n, o in tm.variables}
    ind_new_to_old = dict(tm.indicators)
    ind_old_to_new = {o: n for n, o in tm.indicators}
    changed_items = _changed_items(diff.changes, new)
    new_items = {it.name for it in new.items}
    old_vars = set(old.known_variables())

    def item_reasons(names: tuple[str, ...] | frozenset[str]) -> list[tuple[str, str]]:
        out = []
        for name in sorted(names):
            if name in changed_items:
                out.append(("item", f"item {name}: {', '.join(sorted(set(changed_items[name])))}"))
            elif name in new_items and tm.old_variable(name) not in old_vars:
                out.append(("item", f"item {name} is new"))
        return out

    reasons: dict[str, list[tuple[str, str]]] = {}
    fresh: list[str] = []
    for ind in new.indicators:
        prev_name = ind_new_to_old.get(ind.name)
        if prev_name is None:
            fresh.append(ind.name)
            continue
        o = old.indicator(prev_name)
        r: list[tuple[str, str]] = []
        r += _own_reasons(
            ind,
            o,
            old,
            new,
            (old_population or population, population),
            var_old_to_new,
            ind_old_to_new,
        )
        if ind.kind == "traffic_light" and ind.scale:
            r += _scale_reasons(ind.scale, o.scale, old, new, var_old_to_new)
            r += item_reasons(new.scale(ind.scale).items)
        elif ind.kind == "condition":
            r += item_reasons(_expr_variables(ind.condition) | _expr_variables(ind.defined_if))
        reasons[ind.name] = r
    # composites break with their members (in schema order, members come first)
    for ind in new.indicators:
        if ind.kind in ("composite", "count") and ind.name in reasons:
            for m in ind.of:
                if reasons.get(m) or m in fresh:
                    reasons[ind.name].append(("member", f"member {m}"))
    breaks = tuple(
        Break(name, old.study.id, new.study.id, tuple(dict.fromkeys(r)))
        for name, r in reasons.items()
        if r
    )
    return Comparability(
        old.study.id, new.study.id, tm, breaks, _variable_breaks(old, new, tm), tuple(fresh)
    )


def _own_reasons(
    ind: Indicator,
    o: Indicator,
    old: Questionnaire,
    new: Questionnaire,
    populations: tuple[str, str],
    var_map: Mapping[str, str],
    ind_map: Mapping[str, str],
) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if ind.kind != o.kind:
        return [("definition", f"kind {o.kind} -> {ind.kind}")]
    if ind.kind == "traffic_light":
        a = old.cutoffs_for(o, populations[0] or old.study.population)
        b = new.cutoffs_for(ind, populations[1] or new.study.population)
        if (a.problematisch, a.acuut) != (b.problematisch, b.acuut):
            out.append(
                ("cutoffs", f"cut-offs {a.problematisch}/{a.acuut} -> {b.problematisch}/{b.acuut}")
            )
        if o.problem_if != ind.problem_if:
            out.append(("cutoffs", f"problem if {o.problem_if} -> {ind.problem_if}"))
    elif ind.kind in ("composite", "count"):
        members_old = tuple(ind_map.get(m, m) for m in o.of)
        if set(members_old) != set(ind.of) or o.rule != ind.rule:
            out.append(("definition", f"combines {', '.join(o.of)} -> {', '.join(ind.of)}"))
    elif ind.kind == "condition":
        for what in ("condition", "defined_if"):
            before = _rename_expr(getattr(o, what), var_map)
            after = _rename_expr(getattr(ind, what), {})
            if before != after:
                out.append(("definition", f"{what} {getattr(o, what)!r} -> {getattr(ind, what)!r}"))
    return out


def _scale_reasons(
    new_scale: str,
    old_scale: str | None,
    old: Questionnaire,
    new: Questionnaire,
    var_map: Mapping[str, str],
) -> list[tuple[str, str]]:
    if old_scale is None:
        return [("scale", f"scale {new_scale} is new")]
    a, b = old.scale(old_scale), new.scale(new_scale)
    out = []
    if tuple(var_map.get(i, i) for i in a.items) != b.items:
        out.append(("scale", f"scale {new_scale}: items changed"))
    if {var_map.get(i, i) for i in a.reverse} != set(b.reverse):
        out.append(("scale", f"scale {new_scale}: reversed items changed"))
    if a.scoring != b.scoring:
        out.append(("scale", f"scale {new_scale}: scoring changed"))
    return out


def _variable_breaks(old: Questionnaire, new: Questionnaire, tm: TrendMap) -> tuple[Break, ...]:
    """Breakdown variables (derived bands, single-choice items) whose codes or bands changed."""
    out = []
    for new_name, old_name in tm.variables:
        nd = next((d for d in new.derived if d.name == new_name), None)
        od = next((d for d in old.derived if d.name == old_name), None)
        if nd is not None and od is not None:
            bands_new = tuple((b.low, b.high, b.code) for b in nd.bands)
            bands_old = tuple((b.low, b.high, b.code) for b in od.bands)
            if bands_new != bands_old:
                out.append(
                    Break(new_name, old.study.id, new.study.id, (("codes", "bands changed"),))
                )
            continue
        try:
            ni, oi = new.item(new_name), old.item(old_name)
        except KeyError:
            continue
        nc = tuple(c.code for c in new.choices_of(ni))
        oc = tuple(c.code for c in old.choices_of(oi))
        if set(nc) != set(oc):
            out.append(Break(new_name, old.study.id, new.study.id, (("codes", "codes changed"),)))
    return tuple(out)
