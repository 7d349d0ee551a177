"""Fixtures of the archive tests: the session's small 2023 run, the same data as a 2019 run (other
names, see ``archive_helpers.earlier_run``) and an archive holding both."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.questionnaire.load import load_questionnaire

from .archive_helpers import copy_run, earlier_run


@pytest.fixture(scope="session")
def run_2023(small_run_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_run(small_run_dir, tmp_path_factory.mktemp("runs") / "run-2023")


@pytest.fixture(scope="session")
def other_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Another small 2023 wave (other seed) up to the estimate stage: other numbers."""
    from pipeline.runner import Run, RunConfig, run_stages
    from pipeline.synth.wave import generate_wave

    base = tmp_path_factory.mktemp("other")
    generate_wave(base / "wave", size=13_000, seed=2019)
    run = Run(base / "run", RunConfig.from_wave_dir(base / "wave"))
    run_stages(run, ("validate", "weight", "score", "estimate"))
    return base / "run"


@pytest.fixture(scope="session")
def run_2019(other_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The other wave's data as a run of the 2019 questionnaire (its names)."""
    q = load_questionnaire("wbm-werknemers-2023")
    return earlier_run(
        other_run, tmp_path_factory.mktemp("runs") / "run-2019", q, "wbm-werknemers-2019"
    )


@pytest.fixture(scope="session")
def two_waves(run_2019: Path, run_2023: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive with the 2019 and 2023 runs (read only: copy it to change it)."""
    from pipeline.archive.store import add_run

    root = tmp_path_factory.mktemp("archives") / "two"
    add_run(root, run_2019)
    add_run(root, run_2023)
    return root


@pytest.fixture
def archive_copy(two_waves: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "archive"
    shutil.copytree(two_waves, dst)
    return dst
