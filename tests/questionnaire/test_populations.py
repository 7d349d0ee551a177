"""The population names are defined once (``pipeline.questionnaire.populations``); every table keyed
by population uses those names and no others."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from pipeline.questionnaire.load import load_questionnaire
from pipeline.questionnaire.model import Study
from pipeline.questionnaire.populations import POPULATIONS, REQUEST_NAMES, Population


def test_the_names() -> None:
    assert POPULATIONS == get_args(Population) == ("werknemers", "zelfstandigen", "ondernemingen")
    assert sorted(REQUEST_NAMES.values()) == sorted(POPULATIONS)


def test_tables_keyed_by_population_use_those_names() -> None:
    from pipeline.reports.labels import POPULATION_NOUNS_NL
    from pipeline.stages import MICRODATA_PROFILES
    from pipeline.synth.history import WAVES
    from pipeline.tables.request import POPULATIONS as TABLE_POPULATIONS

    assert set(POPULATION_NOUNS_NL) == set(POPULATIONS)
    assert set(MICRODATA_PROFILES) <= set(POPULATIONS)
    assert set(WAVES) <= set(POPULATIONS)
    assert TABLE_POPULATIONS == REQUEST_NAMES


def test_the_cli_offers_the_same_names() -> None:
    from pipeline.commands.questionnaire import questionnaire

    cmd = questionnaire.commands["import-xlsform"]
    (opt,) = [p for p in cmd.params if p.name == "population"]
    assert tuple(opt.type.choices) == POPULATIONS  # type: ignore[attr-defined]


def test_a_study_of_another_population_is_refused() -> None:
    study = load_questionnaire("wbm-werknemers-2023").study.model_dump()
    for name in POPULATIONS:
        assert Study.model_validate(study | {"population": name}).population == name
    with pytest.raises(ValidationError):
        Study.model_validate(study | {"population": "employees"})
