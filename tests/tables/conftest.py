"""Fixtures of the table tests: the session's demo run (read only: every test passes its own ledger or
works on a copy), a copy of it, and a synthetic PC 126 run (wave 2025) for two-wave requests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

PC126_INVITED = 6_000  # about 1,300 respondents
COPIED = ("manifest.json", "02_weight/diagnostics.json", "03_score/scored.parquet")


@pytest.fixture
def run_copy(small_run_dir: Path, tmp_path: Path) -> Path:
    """What ``wbm table`` reads from the demo run, copied (tests that write into the run's ledger)."""
    out = tmp_path / "run"
    for rel in COPIED:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(small_run_dir / rel, out / rel)
    return out


@pytest.fixture(scope="session")
def pc126_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic wave of the PC 126 questionnaire (wave 2025), validated, weighted and scored."""
    from pipeline.runner import Run, RunConfig, run_stages
    from pipeline.synth.wave import generate_wave

    base = tmp_path_factory.mktemp("pc126")
    generate_wave(base / "wave", size=PC126_INVITED, seed=126, questionnaire="pc126")
    run_stages(Run(base / "run", RunConfig.from_wave_dir(base / "wave")), ("validate", "weight", "score"))
    return base / "run"
