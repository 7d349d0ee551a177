"""Routing conditions in words, as a respondent or reader sees them (for the paper proof and codebook).

``telework == 1`` becomes "u bij vraag 45 'ja' antwoordde" / "you answered 'yes' to question 45".
Conditions that have no natural wording fall back to the expression text.
"""

from __future__ import annotations

from collections.abc import Mapping

from pipeline.questionnaire.expr import (
    Answered,
    Compare,
    Expr,
    InList,
    Logic,
    Name,
    Not,
    Num,
    parse,
    to_text,
)
from pipeline.questionnaire.model import ItemType, Questionnaire

_W = {
    "nl": {
        "answered_code": "u bij vraag {n} {labels} antwoordde",
        "ticked": "u bij vraag {n} '{label}' aankruiste",
        "not_ticked": "u bij vraag {n} '{label}' niet aankruiste",
        "answered": "u vraag {n} beantwoordde",
        "number": "uw antwoord op vraag {n} {op} {v} is",
        "or": " of ",
        "and": " en ",
        "not": "niet ({x})",
        "only_if": "Alleen beantwoorden als {cond}.",
        "goto": "ga naar vraag {n}",
        "goto_end": "ga naar het einde",
        "ops": {
            "==": "gelijk aan",
            "!=": "niet gelijk aan",
            "<": "kleiner dan",
            "<=": "hoogstens",
            ">": "groter dan",
            ">=": "minstens",
        },
        "item": "{label}",
    },
    "en": {
        "answered_code": "you answered {labels} to question {n}",
        "ticked": "you ticked '{label}' at question {n}",
        "not_ticked": "you did not tick '{label}' at question {n}",
        "answered": "you answered question {n}",
        "number": "your answer to question {n} is {op} {v}",
        "or": " or ",
        "and": " and ",
        "not": "not ({x})",
        "only_if": "Only answer if {cond}.",
        "goto": "go to question {n}",
        "goto_end": "go to the end",
        "ops": {
            "==": "equal to",
            "!=": "not equal to",
            "<": "less than",
            "<=": "at most",
            ">": "more than",
            ">=": "at least",
        },
        "item": "{label}",
    },
}


def words(lang: str) -> Mapping[str, object]:
    return _W.get(lang, _W["nl"])


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


class Describer:
    """Describes conditions for one questionnaire; ``numbers`` maps item names to question numbers."""

    def __init__(self, q: Questionnaire, lang: str, numbers: Mapping[str, str]) -> None:
        self.q, self.lang, self.numbers = q, lang, numbers
        self.w = words(lang)
        self.items = {it.name: it for it in q.items}
        self.multi = {
            v: (it, c)
            for it in q.items
            if it.type == ItemType.multiple
            for c in q.choices_of(it)
            for v in (f"{it.name}_{c.code}",)
        }
        self.derived = {d.name: d for d in q.derived}

    def number(self, var: str) -> str:
        if var in self.multi:
            var = self.multi[var][0].name
        if var in self.derived:
            var = self.derived[var].source
        return self.numbers.get(var, var)

    def label_of(self, var: str, code: float) -> str | None:
        it = self.items.get(var)
        if it is not None and it.type == ItemType.single:
            for c in self.q.choices_of(it):
                if c.code == code:
                    return c.label.get(self.lang)
        d = self.derived.get(var)
        if d is not None:
            for b in d.bands:
                if b.code == code:
                    return b.label.get(self.lang)
        return None

    def codes(self, var: str, values: tuple[float, ...]) -> str | None:
        labels = [self.label_of(var, v) for v in values]
        if any(lab is None for lab in labels):
            return None
        return str(self.w["or"]).join(f"'{lab}'" for lab in labels)

    def describe(self, e: Expr) -> str:
        w, ops = self.w, self.w["ops"]
        assert isinstance(ops, dict)
        if isinstance(e, Logic):
            return self.describe(e.left) + str(w[e.op]) + self.describe(e.right)
        if isinstance(e, Not):
            return str(w["not"]).format(x=self.describe(e.operand))
        if isinstance(e, Answered):
            return str(w["answered"]).format(n=self.number(e.name))
        if isinstance(e, InList) and isinstance(e.operand, Name):
            labels = self.codes(e.operand.name, e.values)
            if labels is not None:
                return str(w["answered_code"]).format(n=self.number(e.operand.name), labels=labels)
        if isinstance(e, Compare) and isinstance(e.left, Name) and isinstance(e.right, Num):
            var, v = e.left.name, e.right.value
            if var in self.multi and e.op in ("==", "!=") and v in (0, 1):
                ticked = (e.op == "==") == (v == 1)
                label = self.multi[var][1].label.get(self.lang)
                return str(w["ticked" if ticked else "not_ticked"]).format(
                    n=self.number(var), label=label
                )
            if e.op == "==":
                labels = self.codes(var, (v,))
                if labels is not None:
                    return str(w["answered_code"]).format(n=self.number(var), labels=labels)
            if self.label_of(var, v) is None:
                return str(w["number"]).format(n=self.number(var), op=ops[e.op], v=_num(v))
        return to_text(e)

    def describe_text(self, text: str) -> str:
        return self.describe(parse(text))

    def only_if(self, text: str) -> str:
        return str(self.w["only_if"]).format(cond=self.describe(parse(text)))
