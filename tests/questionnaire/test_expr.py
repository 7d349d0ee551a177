"""The routing/rule expression language: parsing, errors, printing and vectorised evaluation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import InputError, SpecError
from pipeline.questionnaire.expr import (
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
    evaluate,
    parse,
    to_text,
    try_parse,
)

# ------------------------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("telework == 1", Compare("==", Name("telework"), Num(1))),
        ("abs_days >= abs_spells", Compare(">=", Name("abs_days"), Name("abs_spells"))),
        ("x in [1, 2]", InList(Name("x"), (1, 2))),
        ("answered(x)", Answered("x")),
        ("not x == 1", Not(Compare("==", Name("x"), Num(1)))),
        (
            "a == 1 or b == 1 and c == 1",
            Logic(
                "or",
                Compare("==", Name("a"), Num(1)),
                Logic("and", Compare("==", Name("b"), Num(1)), Compare("==", Name("c"), Num(1))),
            ),
        ),
        (
            "(a + b) * 2 > 3",
            Compare(">", Arith("*", Arith("+", Name("a"), Name("b")), Num(2)), Num(3)),
        ),
        ("x - y > -5", Compare(">", Arith("-", Name("x"), Name("y")), Num(-5))),
        ("-x < 2.5", Compare("<", Neg(Name("x")), Num(2.5))),
        ("((x == 1))", Compare("==", Name("x"), Num(1))),
        ("hours / 5 <= 8", Compare("<=", Arith("/", Name("hours"), Num(5)), Num(8))),
    ],
)
def test_parse_builds_the_expected_ast(text: str, expected: Expr) -> None:
    assert parse(text) == expected


def test_variables_lists_every_name() -> None:
    e = parse("abs_days >= abs_spells and answered(hours) or x in [1]")
    assert e.variables == frozenset({"abs_days", "abs_spells", "hours", "x"})


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("", 1, "empty"),
        ("x = 1", 3, "unexpected character"),
        ("x & y", 3, "unexpected character"),
        ("1 < x < 5", 7, "chained"),
        ("x + 1", 1, "not a condition"),
        ("(x == 1", 8, "')'"),
        ("x == 1)", 7, "unmatched"),
        ("x == -1", 6, "non-substantive"),
        ("x in [-8, -9]", 7, "non-substantive"),
        ("x in [a]", 7, "numeric codes"),
        ("foo(x) == 1", 1, "unknown function"),
        ("x >= 2 and", 11, "expected a number"),
        ("x == 1 and y", 12, "not a condition"),
        ("answered(1)", 10, "variable name"),
        ("1x > 2", 1, "not a valid number"),
        ("x == 'a'", 6, "unexpected character"),
        ("(x == 1) + 1 > 0", 10, "after a complete"),
        ("x == 1 y == 2", 8, "after a complete"),
    ],
)
def test_bad_syntax_reports_the_column(text: str, column: int, fragment: str) -> None:
    expr, issue = try_parse(text)
    assert expr is None and issue is not None
    assert issue.column == column, issue
    assert fragment in issue.message
    with pytest.raises(SpecError) as exc:
        parse(text)
    assert exc.value.code == "expr_syntax"
    assert f"column {column}" in exc.value.problems[0].message


def test_python_is_never_evaluated() -> None:
    for text in ["__import__('os').system('true')", "x.__class__ == 1", "lambda: 1", "x[0] == 1"]:
        assert try_parse(text)[0] is None


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    expr, issue = try_parse("(" * 5000 + "x == 1" + ")" * 5000)
    assert expr is None and issue is not None and "nested" in issue.message


# --------------------------------------------------------------------------------- evaluation


def test_evaluate_semantics_for_missing_and_codes() -> None:
    cols = {"x": np.array([1.0, 2.0, np.nan, -1, -8, 0]), "y": np.array([1, 1, 1, 1, 1, 1])}
    assert evaluate(parse("x == 1"), cols).tolist() == [True, False, False, False, False, False]
    assert evaluate(parse("x != 1"), cols).tolist() == [False, True, False, False, False, True]
    assert evaluate(parse("not x == 1"), cols).tolist() == [False, True, True, True, True, True]
    assert evaluate(parse("answered(x)"), cols).tolist() == [True, True, False, False, False, True]
    assert evaluate(parse("x in [0, 2]"), cols).tolist() == [False, True, False, False, False, True]
    assert evaluate(parse("x + y >= 1"), cols).tolist() == [True, True, False, False, False, True]
    assert evaluate(parse("y / x > 0"), cols).tolist() == [True, True, False, False, False, False]


def test_evaluate_broadcasts_constants_and_checks_columns() -> None:
    assert evaluate(parse("1 == 1"), {"x": np.arange(3)}).tolist() == [True] * 3
    assert evaluate(parse("1 == 1"), {}, size=2).tolist() == [True] * 2
    with pytest.raises(InputError):
        evaluate(parse("z == 1"), {"x": np.arange(3)})
    with pytest.raises(InputError):
        evaluate(parse("x == 1"), {"x": np.array(["a", "b"], dtype=object)})


def test_evaluate_accepts_pandas_and_int_columns() -> None:
    import pandas as pd

    df = pd.DataFrame({"a": [1, 2, 3], "b": pd.array([1, None, 3], dtype="Float64")})
    out = evaluate(parse("a == b"), {c: df[c].to_numpy(dtype=float, na_value=np.nan) for c in df})
    assert out.tolist() == [True, False, True]
    assert out.dtype == bool


# ---------------------------------------------------------------------- property-based tests
NAMES = ["x", "y", "z", "hours"]
_num_lit = st.one_of(
    st.integers(min_value=-50, max_value=50).map(float),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
)


def _numeric() -> st.SearchStrategy[Expr]:
    leaves = st.one_of(_num_lit.map(Num), st.sampled_from(NAMES).map(Name))
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            inner.filter(lambda e: not isinstance(e, Num)).map(Neg),
            st.builds(Arith, st.sampled_from("+-*/"), inner, inner),
        ),
        max_leaves=6,
    )


def _valid_compare(c: Compare) -> bool:
    for a, b in ((c.left, c.right), (c.right, c.left)):
        if isinstance(a, Name) and isinstance(b, Num) and b.value < 0 and c.op in ("==", "!="):
            return False
    return True


def _conditions() -> st.SearchStrategy[Expr]:
    codes = st.lists(st.integers(min_value=0, max_value=9).map(float), min_size=1, max_size=4).map(
        tuple
    )
    leaves = st.one_of(
        st.builds(
            Compare, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), _numeric(), _numeric()
        ).filter(_valid_compare),
        st.builds(InList, _numeric(), codes),
        st.sampled_from(NAMES).map(Answered),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            inner.map(Not), st.builds(Logic, st.sampled_from(["and", "or"]), inner, inner)
        ),
        max_leaves=6,
    )


@settings(max_examples=300, deadline=None)
@given(_conditions())
def test_print_then_parse_gives_the_same_ast(e: Expr) -> None:
    assert parse(to_text(e)) == e
    assert parse(str(e)).variables == e.variables


def _ref_num(e: Expr, row: dict[str, float]) -> float:
    """Reference interpreter for one row (plain Python floats; NaN = no value)."""
    if isinstance(e, Num):
        return e.value
    if isinstance(e, Name):
        v = row[e.name]
        return math.nan if (math.isnan(v) or v < 0) else v
    if isinstance(e, Neg):
        return -_ref_num(e.operand, row)
    assert isinstance(e, Arith)
    a, b = _ref_num(e.left, row), _ref_num(e.right, row)
    if math.isnan(a) or math.isnan(b):
        return math.nan
    if e.op == "/":
        return math.nan if b == 0 else a / b
    try:
        r = a + b if e.op == "+" else a - b if e.op == "-" else a * b
    except OverflowError:  # pragma: no cover
        return math.nan
    return r


def _ref(e: Expr, row: dict[str, float]) -> bool:
    if isinstance(e, Compare):
        a, b = _ref_num(e.left, row), _ref_num(e.right, row)
        if math.isnan(a) or math.isnan(b):
            return False
        return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[
            e.op
        ]
    if isinstance(e, InList):
        a = _ref_num(e.operand, row)
        return (not math.isnan(a)) and a in e.values
    if isinstance(e, Answered):
        return not math.isnan(_ref_num(Name(e.name), row))
    if isinstance(e, Not):
        return not _ref(e.operand, row)
    assert isinstance(e, Logic)
    return (
        (_ref(e.left, row) and _ref(e.right, row))
        if e.op == "and"
        else (_ref(e.left, row) or _ref(e.right, row))
    )


_cell = st.one_of(
    st.sampled_from([math.nan, -1.0, -7.0, -8.0, -9.0]),
    st.integers(0, 9).map(float),
    st.floats(0, 100),
)


@settings(max_examples=200, deadline=None)
@given(
    _conditions(),
    st.lists(st.fixed_dictionaries({n: _cell for n in NAMES}), min_size=1, max_size=8),
)
def test_vectorised_evaluation_agrees_with_row_by_row_reference(
    e: Expr, rows: list[dict[str, float]]
) -> None:
    cols = {n: np.array([r[n] for r in rows]) for n in NAMES}
    got = evaluate(e, cols)
    assert got.dtype == bool and got.shape == (len(rows),)
    assert got.tolist() == [_ref(e, r) for r in rows]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="xy01 ()=<>!+-*/,[]andortiswe_.&'", max_size=30))
def test_arbitrary_text_never_crashes_the_parser(text: str) -> None:
    expr, issue = try_parse(text)
    assert (expr is None) != (issue is None)
    if issue is not None:
        assert 1 <= issue.column <= len(text) + 1
    else:
        assert expr is not None and parse(to_text(expr)) == expr
