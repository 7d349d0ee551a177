"""Distributions in one block: ``verdeling:aantal_problemen`` (0, 1, 2, 3-4 problems) and
``verdeling:werkstress`` (problematic, of which acute) expand to their indicators, in order."""

from __future__ import annotations

import pytest

from pipeline.errors import SpecError
from pipeline.questionnaire.load import load_questionnaire
from pipeline.tables.api import make_table
from pipeline.tables.request import distribution_groups, parse_request, resolve

from .tables_helpers import csv_rows, request_file

BANDS = ["aantal_problemen_0", "aantal_problemen_1", "aantal_problemen_2", "aantal_problemen_3_4"]


def test_the_documented_groups():
    groups = distribution_groups(load_questionnaire("wbm-werknemers-2023"))
    assert groups["verdeling:aantal_problemen"] == BANDS
    assert groups["verdeling:werkstress"] == ["werkstress", "werkstress_acuut"]


def test_a_distribution_is_one_block_that_adds_up(run_copy, tmp_path):
    out = make_table(
        request_file(
            tmp_path,
            indicators=["verdeling:aantal_problemen", "verdeling:werkstress", "werkstress"],
            columns=None,
            filters=[],
        ),
        [run_copy],
        tmp_path / "o",
    )
    rows = csv_rows(out.files[1])
    order = list(dict.fromkeys(r["indicator"] for r in rows))
    assert order == [*BANDS, "werkstress", "werkstress_acuut"]  # named twice: kept once
    complete = 0
    for level in {r["row_level"] for r in rows}:
        mine = {r["indicator"]: r for r in rows if r["row_level"] == level}
        shares = [mine[b]["estimate"] for b in BANDS]
        if all(shares):  # every band published: the distribution adds up to 100%
            assert sum(float(x) for x in shares) == pytest.approx(100.0, abs=1e-9)
            complete += 1
        p, a = mine["werkstress"]["estimate"], mine["werkstress_acuut"]["estimate"]
        if p and a:
            assert float(a) <= float(p) + 1e-9  # acute is part of problematic
    assert complete >= 3


def test_an_unknown_distribution_is_named():
    req = parse_request(
        {
            "kind": "table-request",
            "id": "x",
            "requester": "fonds-test",
            "population": "employees",
            "waves": [2023],
            "indicators": ["verdeling:aantal_problemenn"],
        }
    )
    with pytest.raises(SpecError) as err:
        resolve(req)
    (p,) = err.value.problems
    assert p.code == "unknown_indicator" and "verdeling:aantal_problemen" in (p.expected or "")
