"""Fixtures for the validation tests: the reference questionnaire and small generated waves."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.questionnaire.load import load_questionnaire
from pipeline.questionnaire.model import Questionnaire

from .validate_wavegen import generate, to_paper, to_web, write_csv, write_sav

WBM = "wbm-werknemers-2023"
OVERRIDES = {"working": 1}


@pytest.fixture(scope="session")
def q() -> Questionnaire:
    return load_questionnaire(WBM)


@pytest.fixture
def paper_frame(q: Questionnaire) -> pd.DataFrame:
    return to_paper(generate(q, 40, mode="paper", seed=1, overrides=OVERRIDES), q)


@pytest.fixture
def web_frame(q: Questionnaire) -> pd.DataFrame:
    return to_web(generate(q, 30, mode="web", seed=2, start=1001, overrides=OVERRIDES))


@pytest.fixture
def paper_csv(tmp_path: Path, paper_frame: pd.DataFrame) -> Path:
    return write_csv(paper_frame, tmp_path / "paper_keyed.csv")


@pytest.fixture
def web_sav(tmp_path: Path, web_frame: pd.DataFrame, q: Questionnaire) -> Path:
    return write_sav(web_frame, tmp_path / "web_export.sav", q)
