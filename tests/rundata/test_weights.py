"""The one weight-validity check (``pipeline.rundata.weights``) and the places that use it: the
estimation design, calibration's base weights, a frame's design weights, a microdata release."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import EstimationError, WeightingError
from pipeline.rundata.weights import CODE, MAX_SHOWN, summary, weight_problems


def test_valid_weights_have_no_problems() -> None:
    assert weight_problems([1.0, 0.0, 2.5], column="w") == []
    assert weight_problems([1.0, 2.5], column="w", positive=True) == []


def test_each_invalid_value_is_located_from_row_one() -> None:
    got = weight_problems([1.0, -2.0, np.nan, np.inf, 0.0], column="w")
    assert [(p.row, p.code, p.column) for p in got] == [
        (2, CODE, "w"),
        (3, CODE, "w"),
        (4, CODE, "w"),
    ]
    positive = weight_problems([1.0, 0.0], column="dw", positive=True, file="f.csv")
    assert [(p.row, p.file, p.expected) for p in positive] == [(2, "f.csv", "a finite number > 0")]


def test_values_as_given_are_shown() -> None:
    (p,) = weight_problems([np.nan, 1.0], column="w", shown=["abc", "1"])
    assert p.value == "abc"


def test_all_zero_and_many_invalid() -> None:
    (p,) = weight_problems([0.0, 0.0], column="w")
    assert p.message == "all weights are zero" and p.code == CODE
    assert summary([p], "w") == "every weight in 'w' is zero"
    many = weight_problems([-1.0] * 12, column="w")
    assert len(many) == MAX_SHOWN + 1 and many[-1].message == "... and 7 more invalid weights"
    assert summary(many, "w").startswith("12 invalid weight(s) in 'w'")
    assert weight_problems([], column="w") == []


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=30), st.booleans())
def test_a_weight_column_is_valid_exactly_when_the_rule_holds(
    values: list[float], positive: bool
) -> None:
    w = np.asarray(values, dtype=float)
    ok_each = np.isfinite(w) & ((w > 0) if positive else (w >= 0))
    valid = bool(ok_each.all()) and (w.size == 0 or bool((w > 0).any()))
    assert (weight_problems(w, column="w", positive=positive) == []) == valid


def test_every_user_of_the_check_raises_bad_weight() -> None:
    from pipeline.estimation.design import make_design
    from pipeline.weighting.raking import _check_base

    with pytest.raises(EstimationError) as est:
        make_design(np.array([1.0, -1.0]))
    assert [p.code for p in est.value.problems] == [CODE]
    with pytest.raises(WeightingError) as base:
        _check_base(np.array([1.0, np.nan]), 2)
    assert base.value.code == CODE and base.value.problems[0].row == 2
