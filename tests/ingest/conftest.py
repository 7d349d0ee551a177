"""Fixtures for the import-dialect and mapping tests: the shipped questionnaires."""

from __future__ import annotations

import pytest

from pipeline.questionnaire.load import load_questionnaire
from pipeline.questionnaire.model import Questionnaire


@pytest.fixture(scope="session")
def wbm() -> Questionnaire:
    return load_questionnaire("wbm-werknemers-2023")


@pytest.fixture(scope="session")
def oe() -> Questionnaire:
    return load_questionnaire("oe-2025")
