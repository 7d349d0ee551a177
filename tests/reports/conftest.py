"""Fixtures of the report tests. Builders live in ``reports_fixtures`` and helpers in
``reports_helpers`` (unique module names: the test directories share one import namespace)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.questionnaire.load import load_questionnaire
from pipeline.questionnaire.model import Questionnaire
from pipeline.reports.context import ReportContext

from .reports_fixtures import CTX, oe_table, previous_table, wbm_table


@pytest.fixture(scope="session")
def q() -> Questionnaire:
    return load_questionnaire("wbm-werknemers-2023")


@pytest.fixture(scope="session")
def q_self() -> Questionnaire:
    return load_questionnaire("wbm-zelfstandigen-2023")


@pytest.fixture(scope="session")
def q_oe() -> Questionnaire:
    return load_questionnaire("oe-2025")


@pytest.fixture(scope="session")
def table(q) -> pd.DataFrame:
    return wbm_table(q)


@pytest.fixture(scope="session")
def previous(q, table) -> pd.DataFrame:
    return previous_table(q, table)


@pytest.fixture(scope="session")
def ctx(previous) -> ReportContext:
    from dataclasses import replace

    return replace(CTX, previous=previous, previous_wave=2019)


@pytest.fixture(scope="session")
def table_self(q_self) -> pd.DataFrame:
    return wbm_table(q_self, modules=("mod_opleiding",), suppressed=5, unreliable=6)


@pytest.fixture(scope="session")
def table_oe(q_oe) -> pd.DataFrame:
    return oe_table(q_oe)
