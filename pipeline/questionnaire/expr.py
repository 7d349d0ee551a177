"""A small, safe expression language for routing, rules and target populations (never ``eval``).

Used by ``item.relevant`` (routing), ``rule.check`` / ``rule.when`` and ``quality.target_population``.
A hand-written tokenizer and recursive-descent parser turn the text into a frozen AST; evaluation is
vectorised with numpy over whole columns.

Grammar (lowest to highest precedence)::

    condition  := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum | "in" "[" number ("," number)* "]")?
                | "answered" "(" NAME ")" | "(" condition ")"
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := "-" unary | NUMBER | NAME | "(" sum ")"

The whole expression must be a *condition* (true/false); ``x + 1`` alone is rejected. Comparisons do
not chain (``1 < x < 5`` is an error: write ``x > 1 and x < 5``).

Semantics (documented in ``questionnaires/README.md``):

- A variable whose value is missing (NaN) or a non-substantive code (< 0: -1 not applicable, -7
  invalid, -8 don't know, -9 no answer) has *no value*. Arithmetic with no value gives no value, and
  **every comparison or ``in`` test involving no value is False** (so ``x != 1`` is False when ``x``
  was not answered). ``not`` is plain negation: ``not x == 1`` is True when ``x`` was not answered.
- ``answered(x)`` is True when ``x`` holds a substantive value (not NaN and >= 0).
- Division by zero gives no value. Literal negative numbers are ordinary numbers (``x - y > -5``),
  but comparing a variable directly with a negative code (``x == -1``, ``x in [-8, -9]``) is
  rejected at parse time because it could never be true: use ``answered(x)``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from pipeline.errors import InputError, Problem, SpecError
from pipeline.questionnaire.expr_ast import (
    Answered,
    Arith,
    Compare,
    Expr,
    InList,
    Logic,
    Name,
    Neg,
    Not,
    Num,
    _num,
    to_text,
    walk,
)

__all__ = [
    "Answered",
    "Arith",
    "Compare",
    "Expr",
    "ExprIssue",
    "InList",
    "Logic",
    "Name",
    "Neg",
    "Not",
    "Num",
    "evaluate",
    "parse",
    "to_text",
    "try_parse",
    "walk",
]

COMPARE_OPS = ("==", "!=", "<", "<=", ">", ">=")
KEYWORDS = frozenset({"and", "or", "not", "in", "answered"})
FUNCTIONS = ("answered",)


# ------------------------------------------------------------------------------------------ tokens
@dataclass(frozen=True)
class _Tok:
    kind: str  # num, name, op, end
    text: str
    pos: int  # 0-based character offset


_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|\[|\]|,))"
)

_HINTS = {
    "&": "write 'and' instead of '&' or '&&'",
    "|": "write 'or' instead of '|' or '||'",
    "!": "write 'not' instead of '!' ('!=' means 'not equal')",
    "=": "write '==' to test equality",
    '"': "text values are not supported: compare numeric codes, e.g. sex == 2",
    "'": "text values are not supported: compare numeric codes, e.g. sex == 2",
    "{": "use '[' and ']' for a list of codes, e.g. x in [1, 2]",
}


@dataclass(frozen=True)
class ExprIssue:
    """Why a text is not a valid expression; ``column`` is 1-based."""

    message: str
    column: int
    expected: str | None = None
    hint: str | None = None

    def caret(self, text: str) -> str:
        return text + "\n" + " " * (self.column - 1) + "^"


class _Fail(Exception):
    def __init__(self, issue: ExprIssue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while True:
        m = _TOKEN.match(text, i)
        if m is None or m.lastgroup is None:
            j = i
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                break
            ch = text[j]
            if ch == "<" and text[j : j + 2] == "<>":
                raise _Fail(
                    ExprIssue(
                        "'<>' is not an operator",
                        j + 1,
                        "an operator",
                        "write '!=' for 'not equal'",
                    )
                )
            raise _Fail(
                ExprIssue(
                    f"unexpected character {ch!r}",
                    j + 1,
                    "a number, a name, an operator or a parenthesis",
                    _HINTS.get(ch),
                )
            )
        kind = m.lastgroup
        toks.append(_Tok(kind, m.group(kind), m.start(kind)))
        i = m.end()
        if kind in ("num", "name") and i < n and (text[i].isalnum() or text[i] == "_"):
            raise _Fail(
                ExprIssue(
                    f"{text[m.start(kind) : i + 1]!r} is not a valid number or name",
                    m.start(kind) + 1,
                    "a number (3, 2.5) or a name starting with a letter",
                )
            )
    toks.append(_Tok("end", "", len(text)))
    return toks


# ------------------------------------------------------------------------------------------ parser
class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0

    # helpers
    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def at(self, *texts: str) -> bool:
        t = self.tok
        return t.kind in ("op", "name") and t.text in texts

    def advance(self) -> _Tok:
        t = self.tok
        self.i += 1
        return t

    def fail(
        self,
        message: str,
        expected: str | None = None,
        hint: str | None = None,
        tok: _Tok | None = None,
    ) -> _Fail:
        t = tok or self.tok
        found = "the end of the expression" if t.kind == "end" else repr(t.text)
        return _Fail(ExprIssue(f"{message}: found {found}", t.pos + 1, expected, hint))

    def expect(self, text: str, what: str) -> _Tok:
        if not self.at(text) or (self.tok.kind == "name" and text not in KEYWORDS):
            hint = "check that every '(' has a matching ')'" if text == ")" else None
            raise self.fail(f"expected {text!r} {what}", repr(text), hint)
        return self.advance()

    # grammar
    def parse(self) -> Expr:
        if self.tok.kind == "end":
            raise _Fail(
                ExprIssue("the expression is empty", 1, "a condition such as 'telework == 1'")
            )
        start = self.tok
        e = self.logic_or()
        if self.tok.kind != "end":
            if self.tok.kind == "op" and self.tok.text in COMPARE_OPS:
                raise self.fail(
                    "comparisons cannot be chained",
                    "'and' or 'or'",
                    "write two comparisons joined by 'and', e.g. x > 1 and x < 5",
                )
            if self.tok.kind == "op" and self.tok.text == ")":
                raise self.fail(
                    "unmatched ')'", "the end of the expression", "remove the ')' or add a '('"
                )
            raise self.fail(
                "unexpected text after a complete expression",
                "'and', 'or' or the end",
                "join conditions with 'and' or 'or'",
            )
        self.need_condition(e, start, "the expression")
        return e

    def need_condition(self, e: Expr, tok: _Tok, where: str) -> None:
        if not e.is_condition:
            raise _Fail(
                ExprIssue(
                    f"{where} is a number ({to_text(e)}), not a condition",
                    tok.pos + 1,
                    "a condition (a comparison, 'in', or answered(...))",
                    f"compare it, e.g. {to_text(e)} > 0",
                )
            )

    def need_number(self, e: Expr, tok: _Tok, where: str) -> None:
        if e.is_condition:
            raise _Fail(
                ExprIssue(
                    f"{where} is a condition ({to_text(e)}), not a number",
                    tok.pos + 1,
                    "a number or a variable",
                    "arithmetic and comparisons take numbers, not conditions",
                )
            )

    def logic_or(self) -> Expr:
        start = self.tok
        left = self.logic_and()
        while self.at("or") and self.tok.kind == "name":
            self.advance()
            self.need_condition(left, start, "the left side of 'or'")
            rstart = self.tok
            right = self.logic_and()
            self.need_condition(right, rstart, "the right side of 'or'")
            left = Logic("or", left, right)
        return left

    def logic_and(self) -> Expr:
        start = self.tok
        left = self.logic_not()
        while self.at("and") and self.tok.kind == "name":
            self.advance()
            self.need_condition(left, start, "the left side of 'and'")
            rstart = self.tok
            right = self.logic_not()
            self.need_condition(right, rstart, "the right side of 'and'")
            left = Logic("and", left, right)
        return left

    def logic_not(self) -> Expr:
        if self.at("not") and self.tok.kind == "name":
            self.advance()
            start = self.tok
            operand = self.logic_not()
            self.need_condition(operand, start, "the operand of 'not'")
            return Not(operand)
        return self.comparison()

    def comparison(self) -> Expr:
        start = self.tok
        if self.at("answered") and self.tok.kind == "name":
            self.advance()
            self.expect("(", "after 'answered'")
            t = self.tok
            if t.kind != "name" or t.text in KEYWORDS:
                raise self.fail(
                    "answered(...) takes one variable name", "a variable name", "write answered(x)"
                )
            self.advance()
            self.expect(")", "to close answered(...)")
            return Answered(t.text)
        if self.at("("):
            # a parenthesised condition or a parenthesised number: parse the general form
            self.advance()
            inner = self.logic_or()
            self.expect(")", "to close '('")
            if inner.is_condition:
                return inner
            left = self.sum_rest(self.product_rest(inner))
        else:
            left = self.sum()
        if self.tok.kind == "op" and self.tok.text in COMPARE_OPS:
            op = self.advance().text
            self.need_number(left, start, f"the left side of {op!r}")
            rstart = self.tok
            right = self.sum()
            self.need_number(right, rstart, f"the right side of {op!r}")
            self.reject_negative_code(left, right, op, rstart)
            return Compare(op, left, right)
        if self.at("in") and self.tok.kind == "name":
            in_tok = self.advance()
            self.need_number(left, start, "the left side of 'in'")
            return InList(left, self.code_list(left, in_tok))
        return left

    def code_list(self, left: Expr, in_tok: _Tok) -> tuple[float, ...]:
        self.expect("[", "after 'in'")
        values: list[float] = []
        while True:
            t = self.tok
            sign = 1.0
            if self.at("-"):
                self.advance()
                sign = -1.0
            if self.tok.kind != "num":
                raise self.fail(
                    "a list after 'in' holds numeric codes only",
                    "a number",
                    "write e.g. x in [1, 2, 3]",
                )
            v = sign * float(self.advance().text)
            if v < 0 and isinstance(left, Name):
                raise _Fail(
                    ExprIssue(
                        f"{_num(v)} is a non-substantive code: 'in' never matches it",
                        t.pos + 1,
                        "substantive codes (>= 0)",
                        f"use answered({left.name}) or not answered({left.name})",
                    )
                )
            values.append(v)
            if self.at(","):
                self.advance()
                continue
            self.expect("]", "to close the list of codes")
            return tuple(values)

    def reject_negative_code(self, left: Expr, right: Expr, op: str, tok: _Tok) -> None:
        for a, b in ((left, right), (right, left)):
            if isinstance(a, Name) and isinstance(b, Num) and b.value < 0 and op in ("==", "!="):
                raise _Fail(
                    ExprIssue(
                        f"{a.name} {op} {_num(b.value)} compares with a non-substantive code and is never true",
                        tok.pos + 1,
                        "a substantive code (>= 0)",
                        f"use answered({a.name}) or not answered({a.name})",
                    )
                )

    def sum(self) -> Expr:
        return self.sum_rest(self.product())

    def sum_rest(self, left: Expr) -> Expr:
        while self.at("+", "-") and self.tok.kind == "op":
            op_tok = self.advance()
            rstart = self.tok
            right = self.product()
            self.need_number(right, rstart, f"the right side of {op_tok.text!r}")
            left = Arith(op_tok.text, left, right)
        return left

    def product(self) -> Expr:
        return self.product_rest(self.unary())

    def product_rest(self, left: Expr) -> Expr:
        while self.at("*", "/") and self.tok.kind == "op":
            op_tok = self.advance()
            rstart = self.tok
            right = self.unary()
            self.need_number(right, rstart, f"the right side of {op_tok.text!r}")
            left = Arith(op_tok.text, left, right)
        return left

    def unary(self) -> Expr:
        t = self.tok
        if t.kind == "op" and t.text == "-":
            self.advance()
            operand = self.unary()
            self.need_number(operand, t, "the operand of '-'")
            if isinstance(operand, Num):
                return Num(-operand.value)
            return Neg(operand)
        if t.kind == "num":
            self.advance()
            value = float(t.text)
            if not math.isfinite(value):
                raise self.fail("number out of range", "a finite number", tok=t)
            return Num(value)
        if t.kind == "name":
            if t.text in KEYWORDS:
                if t.text == "answered":
                    return self.comparison()
                raise self.fail(
                    f"'{t.text}' is a keyword, not a variable", "a number, a name or '('"
                )
            self.advance()
            if self.at("("):
                raise _Fail(
                    ExprIssue(
                        f"unknown function {t.text!r}",
                        t.pos + 1,
                        "answered(...)",
                        "the only function is answered(x)",
                    )
                )
            return Name(t.text)
        if t.kind == "op" and t.text == "(":
            self.advance()
            inner = self.logic_or()
            self.expect(")", "to close '('")
            return inner
        raise self.fail(
            "expected a number, a name or '('",
            "a number, a name or '('",
            "an operator is missing an operand" if t.kind == "op" else None,
        )


def try_parse(text: str) -> tuple[Expr | None, ExprIssue | None]:
    """Parse without raising: ``(expr, None)`` or ``(None, issue)`` (used by the spec checker)."""
    if not isinstance(text, str):
        return None, ExprIssue(
            f"an expression must be text, found {type(text).__name__}", 1, "text such as 'x == 1'"
        )
    try:
        return _Parser(text).parse(), None
    except _Fail as f:
        return None, f.issue
    except RecursionError:
        return None, ExprIssue("the expression is nested too deeply", 1, "fewer nested parentheses")


def parse(text: str) -> Expr:
    """Parse a condition; raises :class:`SpecError` (code ``expr_syntax``) with the 1-based column."""
    expr, issue = try_parse(text)
    if issue is not None:
        raise SpecError(
            f"invalid expression {text!r}",
            [
                Problem(
                    f"{issue.message} at column {issue.column}",
                    value=text,
                    expected=issue.expected,
                    hint=issue.hint,
                    code="expr_syntax",
                )
            ],
            code="expr_syntax",
        )
    assert expr is not None
    return expr


# -------------------------------------------------------------------------------------- evaluation
def _column(
    name: str, columns: Mapping[str, object], cache: dict[str, np.ndarray], size: int
) -> np.ndarray:
    if name in cache:
        return cache[name]
    if name not in columns:
        known = sorted(columns)
        raise InputError(
            f"the expression needs column {name!r}, which is not in the data",
            [
                Problem(
                    "missing column",
                    column=name,
                    expected=f"one of {', '.join(known[:8])}" + (" ..." if len(known) > 8 else ""),
                    hint="check the variable name in the questionnaire",
                    code="expr_unknown_column",
                )
            ],
        )
    raw = columns[name]
    try:
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(
            f"column {name!r} is not numeric, so it cannot be used in a condition",
            [
                Problem(
                    "not numeric", column=name, expected="numeric codes", code="expr_non_numeric"
                )
            ],
        ) from None
    if arr.ndim != 1 or arr.shape[0] != size:
        raise InputError(
            f"column {name!r} has {arr.shape} values, expected {size}",
            [Problem("length mismatch", column=name, code="expr_length")],
        )
    arr = np.where(arr < 0, np.nan, arr)  # non-substantive codes carry no value (NaN < 0 is False)
    cache[name] = arr
    return arr


def evaluate(expr: Expr, columns: Mapping[str, object], *, size: int | None = None) -> np.ndarray:
    """Evaluate a condition over whole columns; returns a bool array (one value per row)."""
    if size is None:
        lengths = {len(np.asarray(columns[v])) for v in expr.variables if v in columns}
        if not lengths and columns:
            lengths = {len(np.asarray(next(iter(columns.values()))))}
        if len(lengths) > 1:
            raise InputError(
                "the columns of the expression differ in length",
                [Problem(f"lengths {sorted(lengths)}", code="expr_length")],
            )
        size = lengths.pop() if lengths else 1
    cache: dict[str, np.ndarray] = {}

    def num(e: Expr) -> np.ndarray | float:
        if isinstance(e, Num):
            return e.value
        if isinstance(e, Name):
            return _column(e.name, columns, cache, size)
        if isinstance(e, Neg):
            return -num(e.operand)
        if isinstance(e, Arith):
            a, b = num(e.left), num(e.right)
            if e.op == "+":
                return a + b
            if e.op == "-":
                return a - b
            if e.op == "*":
                return a * b
            bb = np.asarray(b, dtype=np.float64)
            safe = np.where(bb == 0, np.nan, bb)
            return a / safe
        raise TypeError(f"not a numeric expression: {e!r}")

    def cond(e: Expr) -> np.ndarray:
        if isinstance(e, Compare):
            a, b = np.asarray(num(e.left)), np.asarray(num(e.right))
            valid = ~np.isnan(a) & ~np.isnan(b)
            op = e.op
            r = (
                (a == b)
                if op == "=="
                else (a != b)
                if op == "!="
                else (a < b)
                if op == "<"
                else (a <= b)
                if op == "<="
                else (a > b)
                if op == ">"
                else (a >= b)
            )
            return np.asarray(r & valid, dtype=bool)
        if isinstance(e, InList):
            a = np.asarray(num(e.operand), dtype=np.float64)
            return np.isin(a, np.asarray(e.values, dtype=np.float64))
        if isinstance(e, Answered):
            return ~np.isnan(_column(e.name, columns, cache, size))
        if isinstance(e, Not):
            return ~cond(e.operand)
        if isinstance(e, Logic):
            return (
                (cond(e.left) & cond(e.right)) if e.op == "and" else (cond(e.left) | cond(e.right))
            )
        raise TypeError(f"not a condition: {e!r}")

    if not expr.is_condition:
        raise TypeError(f"evaluate() needs a condition, got {to_text(expr)!r}")
    with np.errstate(all="ignore"):
        out = cond(expr)
    return np.broadcast_to(out, (size,)).copy() if out.ndim == 0 else out
