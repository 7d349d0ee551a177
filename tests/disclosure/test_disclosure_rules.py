"""Primary suppression rules: minimum n, unreliable band, dominance, p%, public flags."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import SpecError
from pipeline.sdc.tables import rules as R
from pipeline.sdc.tables.rules import (
    DominanceRule,
    PrimaryRules,
    TableKind,
    primary_status,
    primary_statuses,
)


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, R.OK), (1, R.PRIMARY_MIN_N), (4, R.PRIMARY_MIN_N), (5, R.OK), (500, R.OK)],
)
def test_count_minimum_five(n, expected):
    assert primary_status(TableKind.count, n) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, R.OK),
        (1, R.PRIMARY_MIN_N),
        (29, R.PRIMARY_MIN_N),
        (30, R.UNRELIABLE),
        (49, R.UNRELIABLE),
        (50, R.OK),
    ],
)
@pytest.mark.parametrize("kind", [TableKind.percent, TableKind.mean])
def test_percent_minimum_thirty_and_unreliable_band(kind, n, expected):
    assert primary_status(kind, n) == expected


@pytest.mark.parametrize("kind", ["count", "percent", "mean", "magnitude"])
def test_an_empty_cell_of_any_kind_is_safe_unless_zero_unsafe(kind):
    """One rule for every kind: an empty cell describes no one (a magnitude needs no contributions)."""
    assert primary_status(kind, 0) == R.OK
    assert primary_status(kind, 0, PrimaryRules(zero_unsafe=True)) == R.PRIMARY_ZERO
    assert primary_status(kind, 1) == R.PRIMARY_MIN_N  # a non-empty small cell is not


def test_zero_unsafe_option():
    assert primary_status("count", 0, PrimaryRules(zero_unsafe=True)) == R.PRIMARY_ZERO
    assert primary_status("percent", 0, PrimaryRules(zero_unsafe=True)) == R.PRIMARY_ZERO


def test_configurable_thresholds():
    rules = PrimaryRules(min_n_count=3, min_n_percent=50, unreliable_below=100)
    assert primary_status("count", 3, rules) == R.OK
    assert primary_status("percent", 49, rules) == R.PRIMARY_MIN_N
    assert primary_status("percent", 99, rules) == R.UNRELIABLE


def test_dominance_rule():
    # two largest = 90 of 100 > 85%
    assert primary_status("magnitude", 6, contributions=[60, 30, 4, 3, 2, 1]) == R.PRIMARY_DOMINANCE
    # two largest = 80 of 100: not dominant; rest = 20 >= 10% of 50 -> ok
    assert primary_status("magnitude", 6, contributions=[50, 30, 8, 6, 4, 2]) == R.OK


def test_p_percent_rule():
    rules = PrimaryRules(dominance=(), p_percent=10.0)
    # total minus two largest = 4 < 10% of 50 -> unsafe
    assert primary_status("magnitude", 5, rules, [50, 46, 2, 1, 1]) == R.PRIMARY_P_PERCENT
    assert primary_status("magnitude", 5, rules, [50, 30, 10, 5, 5]) == R.OK


def test_magnitude_threshold_and_missing_contributions():
    assert primary_status("magnitude", 2, contributions=[1, 1]) == R.PRIMARY_MIN_N
    with pytest.raises(ValueError, match="contributions"):
        primary_status("magnitude", 7)


def test_negative_contributions_use_absolute_values():
    assert primary_status("magnitude", 5, contributions=[-90, 5, 2, 2, 1]) == R.PRIMARY_DOMINANCE


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=5, max_size=30))
def test_dominance_matches_definition(xs):
    rules = PrimaryRules(dominance=(DominanceRule(2, 85.0),), p_percent=None)
    top2 = sum(sorted(xs, reverse=True)[:2])
    expect = R.PRIMARY_DOMINANCE if sum(xs) > 0 and top2 > 0.85 * sum(xs) else R.OK
    # allow for float rounding exactly at the boundary
    if abs(top2 - 0.85 * sum(xs)) > 1e-6 * max(1.0, sum(xs)):
        assert primary_status("magnitude", len(xs), rules, xs) == expect


def test_invalid_rules_report_every_problem():
    with pytest.raises(SpecError) as err:
        PrimaryRules(
            min_n_count=-1,
            min_n_percent=30,
            unreliable_below=20,
            p_percent=0.0,
            dominance=(DominanceRule(0, 120),),
        )
    paths = {p.path for p in err.value.problems}
    assert paths == {"min_n_count", "unreliable_below", "p_percent", "dominance[0]"}


def test_public_flag_hides_primary_versus_secondary():
    flags = {s: R.public_flag(s) for s in R.STATUSES}
    assert flags[R.OK] == ""
    assert flags[R.UNRELIABLE] == "unreliable"
    suppressed = [s for s in R.STATUSES if R.is_suppressed(s)]
    assert {flags[s] for s in suppressed} == {"suppressed"}
    assert len(suppressed) == 6
    with pytest.raises(ValueError):
        R.public_flag("bogus")


def test_vectorised_statuses_and_legend():
    assert primary_statuses("percent", [10, 35, 60]) == (R.PRIMARY_MIN_N, R.UNRELIABLE, R.OK)
    rows = R.legend(PrimaryRules(), "en")
    assert [r[0] for r in rows] == ["suppressed", "unreliable"]
    assert "30 to 49" in rows[1][2]
    assert "fewer than 5" in rows[0][2]
