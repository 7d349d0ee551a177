"""Live cross-check with R's survey package on freshly generated data (skipped without Rscript)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.estimation.api import DesignSpec, calibration_from_columns, estimate_table
from pipeline.estimation.config import EstimationConfig
from pipeline.weighting.raking import rake

from .estimation_golden import GOLDEN

pytestmark = pytest.mark.needs_r


@pytest.mark.parametrize("seed", [11])
def test_raked_stratified_clustered_design_matches_live_r(
    tmp_path: Path, rscript: str, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    n = 500
    df = pd.DataFrame({"stratum": rng.integers(1, 4, n)})
    df["psu"] = df["stratum"] * 1000 + rng.integers(0, 25, n)
    df["fpc"] = df["stratum"].map({1: 400, 2: 600, 3: 900}).astype(float)
    df["w0"] = rng.uniform(20, 60, n)
    df["a"] = rng.integers(1, 3, n)
    df["b"] = rng.integers(1, 5, n)
    df["dom"] = rng.integers(1, 5, n)
    y = (rng.random(n) < 0.25 + 0.1 * df["a"] - 0.03 * df["b"]).astype(float)
    y[rng.random(n) < 0.05] = np.nan
    df["y"] = y
    targets = {"a": {1: 9000.0, 2: 11000.0}, "b": {1: 4000.0, 2: 6000.0, 3: 5000.0, 4: 5000.0}}
    margins = pd.DataFrame(
        [(v, lv, t) for v, d in targets.items() for lv, t in d.items()],
        columns=["variable", "level", "total"],
    )
    df.to_csv(tmp_path / "d.csv", index=False)
    margins.to_csv(tmp_path / "m.csv", index=False)
    subprocess.run(
        [
            rscript,
            str(GOLDEN / "live_check.R"),
            str(tmp_path / "d.csv"),
            str(tmp_path / "m.csv"),
            str(tmp_path / "r.csv"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    r = pd.read_csv(tmp_path / "r.csv", keep_default_na=False, dtype={"level": str})

    codes = [df["a"].to_numpy() - 1, df["b"].to_numpy() - 1]
    res = rake(
        codes,
        [np.array(list(targets["a"].values())), np.array(list(targets["b"].values()))],
        df["w0"].to_numpy(),
        tol=1e-13,
        max_iter=500,
    )
    df["w"] = res.weights
    cal = calibration_from_columns(df, [["a"], ["b"]], "w0")
    t = estimate_table(
        df,
        DesignSpec("w", strata="stratum", psu="psu", fpc="fpc"),
        ["y"],
        ["dom"],
        calibration=cal,
        config=EstimationConfig(ci_method="logit"),
    )
    m = r.merge(t, on="level", suffixes=("_r", ""))
    assert len(m) == len(r) == 5
    np.testing.assert_allclose(m["estimate"], m["estimate_r"].astype(float), rtol=1e-9)
    for c in ("se", "deff", "ci_low", "ci_high"):
        np.testing.assert_allclose(m[c], m[f"{c}_r"].astype(float), rtol=1e-6)
    assert (m["df"] == m["df_r"]).all()
