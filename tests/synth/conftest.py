"""Fixtures for the synthetic-generator tests: the shipped questionnaire and model, the calibrated
world, and one small generated wave shared by the read-only tests (generation takes about a second)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.questionnaire.load import load_questionnaire
from pipeline.questionnaire.model import Questionnaire
from pipeline.synth.config import SynthModel, load_model
from pipeline.synth.wave import WaveSummary, generate_wave
from pipeline.synth.world import SynthWorld, build_world

#: about 2,900 respondents: the "small wave" of the issue
SMALL_SIZE = 13_000
SEED = 2023


@pytest.fixture(scope="session")
def q() -> Questionnaire:
    return load_questionnaire("wbm-werknemers-2023")


@pytest.fixture(scope="session")
def model() -> SynthModel:
    return load_model()


@pytest.fixture(scope="session")
def world(q: Questionnaire, model: SynthModel) -> SynthWorld:
    return build_world(q, model)


@pytest.fixture(scope="session")
def wave(tmp_path_factory: pytest.TempPathFactory) -> WaveSummary:
    out = tmp_path_factory.mktemp("wave") / "w"
    return generate_wave(out, size=SMALL_SIZE, seed=SEED)


@pytest.fixture(scope="session")
def wave_dir(wave: WaveSummary) -> Path:
    return wave.out_dir
