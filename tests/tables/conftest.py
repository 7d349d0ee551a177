"""Fixtures of the table tests: the session's demo run (read only: a release is always logged in the
run's own ledger, so every test that writes a table works on a copy), copies of it, and a synthetic
PC 126 run (wave 2025) for two-wave requests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .tables_helpers import copy_run

PC126_INVITED = 6_000  # about 1,300 respondents


@pytest.fixture
def run_copy(small_run_dir: Path, tmp_path: Path) -> Path:
    """The demo run's data without its ledger."""
    return copy_run(small_run_dir, tmp_path / "run")


@pytest.fixture
def run_with_ledger(small_demo, small_run_dir: Path, tmp_path: Path, policy_file: Path) -> Path:
    """The demo run's data, with the demo publisher's history (the outputs stage's public standard
    table) copied into this test's publisher."""
    shutil.copytree(small_demo[1] / "publisher" / "ledger", policy_file.parent / "ledger")
    return copy_run(small_run_dir, tmp_path / "run-with-ledger")


@pytest.fixture
def pc126_copy(pc126_run: Path, tmp_path: Path) -> Path:
    return copy_run(pc126_run, tmp_path / "pc126")


@pytest.fixture(scope="session")
def pc126_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic wave of the PC 126 questionnaire (wave 2025), validated, weighted and scored."""
    from pipeline.runner import Run, RunConfig, run_stages
    from pipeline.synth.wave import generate_wave

    base = tmp_path_factory.mktemp("pc126")
    generate_wave(base / "wave", size=PC126_INVITED, seed=126, questionnaire="pc126")
    run_stages(
        Run(base / "run", RunConfig.from_wave_dir(base / "wave")), ("validate", "weight", "score")
    )
    return base / "run"


@pytest.fixture
def policy_ledger(policy_file: Path) -> Path:
    """The ledger directory of this test's publisher."""
    return policy_file.parent / "ledger"
