"""Fixtures for the estimation tests: the golden data sets and R's values (see golden/README.md)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from .estimation_golden import golden_contrasts, golden_estimates


@pytest.fixture(scope="session")
def golden() -> pd.DataFrame:
    return golden_estimates()


@pytest.fixture(scope="session")
def golden_contrast_rows() -> pd.DataFrame:
    return golden_contrasts()


@pytest.fixture(scope="session")
def rscript() -> str:
    path = shutil.which("Rscript")
    if path is None:
        pytest.skip("Rscript is not installed (Debian: r-base-core r-cran-survey)")
    return path
