"""What the table code keeps: only state that is read and not derivable from other state."""

from __future__ import annotations

import inspect
from dataclasses import fields

import pytest

from pipeline.tables.compute import IndicatorTable, compute_wave
from pipeline.tables.request import parse_request, resolve


def test_an_indicator_table_keeps_no_dead_or_derivable_state():
    """No engine statistic name (never read), no per-cell contributions beside the unit values and
    membership they are taken from; the SE is kept because the change between waves reads it
    (pipeline.tables.change)."""
    assert [f.name for f in fields(IndicatorTable)] == [
        "wave",
        "indicator",
        "variable",
        "kind",
        "structure",
        "cells",
        "n",
        "weighted_n",
        "estimate",
        "ci_low",
        "ci_high",
        "digests",
        "masks",
        "unit_values",
        "se",
    ]


def test_compute_wave_takes_the_design_it_uses_and_nothing_else():
    params = inspect.signature(compute_wave).parameters
    assert list(params) == ["resolved", "wave", "data", "columns", "design"]
    assert params["design"].default is inspect.Parameter.empty


def test_a_requested_wave_by_year():
    r = resolve(
        parse_request(
            {
                "id": "t",
                "requester": "r",
                "population": "employees",
                "waves": [2019, 2023],
                "indicators": ["werkstress"],
                "rows": "statute",
            }
        )
    )
    assert r.wave(2019) is r.waves[1] and r.wave(2019).variables == {"statute": "statuut"}
    assert r.wave(2023) is r.latest
    with pytest.raises(KeyError, match="wave 2011 is not requested"):
        r.wave(2011)


def test_the_published_contract_and_writers_have_no_unused_names():
    import pipeline.tables.files as writers
    import pipeline.tables.publish as publish

    assert not hasattr(publish, "FLAGS") and not hasattr(writers, "SUPPRESSED_MARK")
    assert list(inspect.signature(writers._write_sheet).parameters) == ["ws", "t", "sheet", "fmt"]


def test_the_request_spec_names_scorings_default_cutoffs():
    """The request's default cut-off population is scoring's (that importing the table API loads no
    pandas is checked in tests/test_layers.py)."""
    from pipeline.scoring.plan import DEFAULT_POPULATION
    from pipeline.tables.request import DEFAULT_CUTOFFS

    assert DEFAULT_CUTOFFS == DEFAULT_POPULATION
