"""Fixtures of the release tests: the scientific-use release the outputs stage wrote for the shared
small demo run (``small_run_dir``, tests/conftest.py), a public-use release of the same run, and
what must never appear in any released file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from pipeline.release.build import ReleaseBuild, build_release
from pipeline.rundata import layout


@dataclass(frozen=True)
class Secrets:
    """Values of the run that no released file may contain."""

    sample_ids: tuple[str, ...]
    comments: tuple[str, ...]
    record_ids: tuple[str, ...]


@pytest.fixture(scope="session")
def scored(small_run_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(layout.stage_file(small_run_dir, "score", layout.SCORED))


@pytest.fixture(scope="session")
def secrets(scored: pd.DataFrame) -> Secrets:
    comments = scored["comment"].astype("string").fillna("")
    long = sorted({c for c in comments if len(c) >= 12})
    assert long, "the demo wave should have free-text comments to look for"
    return Secrets(
        tuple(scored["sample_id"].astype(str)), tuple(long), tuple(scored["_record_id"].astype(str))
    )


@pytest.fixture(scope="session")
def sci_dir(small_run_dir: Path) -> Path:
    """The outputs stage's microdata: the scientific-use release (no PDF)."""
    return layout.outputs_dir(small_run_dir, layout.MICRODATA_DIR)


@pytest.fixture(scope="session")
def pub(small_run_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> ReleaseBuild:
    return build_release(
        small_run_dir,
        "public-use",
        tmp_path_factory.mktemp("pub") / "release",
        pdf=False,
        lang="en",  # the English option; the outputs stage's release (sci_dir) is Dutch
    )


@pytest.fixture(scope="session")
def sci(small_run_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> ReleaseBuild:
    """The scientific-use release rebuilt outside the run (as ``wbm release`` does)."""
    return build_release(
        small_run_dir,
        "scientific-use",
        tmp_path_factory.mktemp("sci") / "release",
        pdf=False,
        lang="en",
    )


@pytest.fixture(scope="session")
def q():
    from pipeline.questionnaire.load import load_questionnaire

    return load_questionnaire("wbm-werknemers-2023")
