"""The one text form of a domain level (pipeline.rundata.levels): what every writer and reader of a
level agrees on (estimates table, crossed domains, margins files, report and table lookups)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.rundata.levels import (
    CROSS_SEP,
    code_text,
    crossed_domain,
    crossed_level,
    domain_variables,
    level_code,
    level_text,
)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("1", "1"),
        ("1.0", "1"),
        (" 2 ", "2"),
        ("01", "1"),
        ("+3", "3"),
        ("-9", "-9"),
        (1.0, "1"),
        (3, "3"),
        (True, "1"),
        (False, "0"),
        (np.int8(4), "4"),
        (np.float32(5.0), "5"),
        (np.float64(2.5), "2.5"),
        (1.5, "1.5"),
        ("1.5", "1.5"),
        ("M", "M"),
        ("BE-VLG", "BE-VLG"),
        (None, ""),
        (float("nan"), ""),
        ("", ""),
        ("nan", ""),
        ("<NA>", ""),
    ],
)
def test_code_text(value, expected):
    assert code_text(value) == expected
    assert level_text(value) == expected


@pytest.mark.parametrize(
    "value,expected",
    [("3:1", "3:1"), ("3.0:1", "3:1"), (" 3 : 01 ", "3:1"), ("3:M", "3:M")],
)
def test_crossed_levels_normalise_every_part(value, expected):
    assert level_text(value) == expected


def test_crossed_names_and_levels():
    assert crossed_domain(("sector", "sex")) == "sector" + CROSS_SEP + "sex" == "sector:sex"
    assert crossed_level((3, 1.0)) == "3:1"
    assert domain_variables("sector:sex") == ("sector", "sex")
    assert domain_variables("") == ()


@pytest.mark.parametrize(
    "value,expected",
    [("3", 3), ("3.0", 3), (3, 3), (3.0, 3), ("", None), (None, None), ("3.5", None), ("x", None)],
)
def test_level_code(value, expected):
    assert level_code(value) == expected


codes = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.booleans(),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(codes)
def test_level_text_is_idempotent(value):
    once = level_text(value)
    assert level_text(once) == once


@settings(max_examples=200, deadline=None)
@given(st.integers(-(10**9), 10**9))
def test_an_integer_code_reads_alike_however_it_is_stored(code):
    forms = (
        code,
        float(code),
        str(code),
        f"{code}.0",
        f" {code} ",
        np.int64(code),
        np.float64(code),
    )
    assert {level_text(f) for f in forms} == {str(code)}
    assert level_code(level_text(code)) == code
