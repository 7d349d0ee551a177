"""pandera schemas generated from the questionnaire; value parsing."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from pipeline.errors import InputError
from pipeline.ingest.parse import parse_numeric, safe_value
from pipeline.validate.schema import (
    check_structure,
    expected_columns,
    value_domain,
    value_failures,
)


@pytest.mark.parametrize(
    "text,value,flag",
    [
        ("3", 3.0, None),
        (" 2 ", 2.0, None),
        ("37,5", 37.5, "comma"),
        ("-1,25", -1.25, "comma"),
        ("2/3", None, "multi"),
        ("1 / 4", None, "multi"),
        ("x", None, "bad"),
        ("nan", None, "bad"),
        ("inf", None, "bad"),
        ("1,2,3", None, "bad"),
        ("", None, "blank"),
        (None, None, "blank"),
    ],
)
def test_parse_numeric(text: str | None, value: float | None, flag: str | None) -> None:
    p = parse_numeric(pa.array(["1", text], type=pa.string()))
    got = p.values[1]
    assert (np.isnan(got) and value is None) or got == value
    assert p.comma[1] == (flag == "comma") and p.multi[1] == (flag == "multi")
    assert p.bad[1] == (flag == "bad") and p.blank[1] == (flag == "blank")


def test_safe_value_hides_text() -> None:
    assert (
        safe_value("2/3") == "2/3"
        and safe_value("37,5") == "37,5"
        and safe_value("Jan Peeters") == "<text>"
    )


def test_value_schema_is_lazy_and_maps_back_to_rows(q) -> None:

    values = {
        "wb01": np.array([1, 5, 2, 5, np.nan, -8.0]),
        "age": np.array([30, 14, 37.5, 81, -9, 200.0]),
        "sex": np.array([1, 2, 3, 1, 1, -7.0]),
    }
    fails = value_failures(q, "paper", values)
    assert fails[("wb01", "invalid_code")].tolist() == [1, 3]
    assert fails[("sex", "invalid_code")].tolist() == [2]
    assert fails[("age", "not_integer")].tolist() == [2]
    assert fails[("age", "hard_limit")].tolist() == [1, 3, 5]
    dom = value_domain(values)
    assert len(dom) == 4 + 6 + 4  # distinct non-blank values per variable


def test_duration_only_allows_its_own_missing_code(q) -> None:
    fails = value_failures(q, "web", {"duration_sec": np.array([300.0, -8.0, -9.0])})
    assert fails[("duration_sec", "invalid_code")].tolist() == [1]


def test_structure_schema_per_mode(q) -> None:
    assert "duration_sec" in expected_columns(q, "web") and "duration_sec" not in expected_columns(
        q, "paper"
    )
    check_structure(q, "paper", expected_columns(q, "paper"), file="f.csv")
    with pytest.raises(InputError) as exc:
        check_structure(q, "web", expected_columns(q, "paper"), file="f.csv")
    assert [p.column for p in exc.value.problems] == ["duration_sec"]
