"""Fixtures for the weighting tests: small synthetic samples and margins."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

GOLDEN = Path(__file__).parent / "golden"


def write_margins(path: Path, rows: list[tuple], meta: str | None = None) -> Path:
    lines = ["variable,level,total"] + [",".join(str(x) for x in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if meta is not None:
        path.with_suffix(".yaml").write_text(meta, encoding="utf-8")
    return path


META = """kind: wbm-margins
schema_version: 1
name: test
synthetic: true
source: hand-made for tests
reference_date: '2023-06-30'
population: employees
unit: persons
"""


@pytest.fixture(name="write_margins")
def _write_margins_fixture():
    return write_margins


@pytest.fixture(name="META")
def _meta_fixture() -> str:
    return META


@pytest.fixture
def golden_data() -> pd.DataFrame:
    return pd.read_csv(GOLDEN / "data.csv")


@pytest.fixture
def golden_expected() -> pd.DataFrame:
    return pd.read_csv(GOLDEN / "expected.csv", skipinitialspace=True)


@pytest.fixture
def employees() -> pd.DataFrame:
    """2,000 employees, skewed against the margins of ``employee_margins``."""
    rng = np.random.default_rng(7)
    n = 2000
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "sex": rng.choice([1, 2], n, p=[0.4, 0.6]),
            "age_band": rng.choice([1, 2, 3, 4, 5], n, p=[0.1, 0.2, 0.3, 0.2, 0.2]),
            "sector": rng.choice(np.arange(1, 17), n),
            "statute": rng.choice([1, 2, 3], n, p=[0.3, 0.55, 0.15]),
            "province": rng.choice([1, 2, 3, 4, 5], n),
            "w": rng.uniform(0.5, 2.0, n),
        }
    )


@pytest.fixture
def employee_margins_path(tmp_path: Path) -> Path:
    """Hand-made margins in the format the synthetic generator writes (werknemers-2023)."""
    N = 2_600_000
    rows = []
    for var, shares in [
        ("sex", [0.52, 0.48]),
        ("age_band", [0.17, 0.24, 0.24, 0.13, 0.22]),
        ("sector", [1 / 16] * 16),
        ("statute", [0.33, 0.52, 0.15]),
        ("province", [0.28, 0.13, 0.23, 0.17, 0.19]),
    ]:
        tot = [round(N * s) for s in shares]
        tot[-1] += N - sum(tot)
        rows += [(var, i + 1, t) for i, t in enumerate(tot)]
    return write_margins(tmp_path / "werknemers-2023.synthetic.csv", rows, META)
