"""Fixtures of the output tests. The builders live in ``outputs_fixtures`` (a unique module name:
``from conftest import ...`` would be ambiguous with the other test directories' conftest files)."""

from __future__ import annotations

import pytest

from pipeline.questionnaire.load import load_questionnaire
from pipeline.questionnaire.model import Questionnaire


@pytest.fixture(scope="session")
def q() -> Questionnaire:
    return load_questionnaire("wbm-werknemers-2023")
