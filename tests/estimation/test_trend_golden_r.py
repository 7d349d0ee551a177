"""Change tests and difference-in-differences against R's survey package on two independent,
calibrated designs (recipe: golden/trend/trend.R; data: golden/trend/make_trend_data.py).

Each wave is raked by the pipeline's weighting engine to its own margins; R calibrates the two waves
stacked (wave = stratum, every margin crossed with the wave) and fits ``svyglm(y ~ wave)`` (the wave
coefficient is the change) and ``svycontrast`` of totals (the change, each sector's gap to the whole
population, and the difference-in-differences). Tolerance 1e-6 relative on estimates, standard
errors and p-values (observed: ~1e-12).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.estimation.api import (
    DesignSpec,
    design_from_frame,
    estimate_table,
    raking_calibration,
)
from pipeline.estimation.change import difference_in_differences
from pipeline.estimation.compare import compare_waves
from pipeline.estimation.design import Design
from pipeline.weighting.raking import rake

HERE = Path(__file__).resolve().parent / "golden" / "trend"
RTOL = 1e-6
MARGINS = ("sex", "age_band", "sector")


def _wave(year: int) -> tuple[pd.DataFrame, Design]:
    data = pd.read_csv(HERE / "trend_waves.csv")
    marg = pd.read_csv(HERE / "trend_margins.csv")
    df = data[data["wave"] == year].reset_index(drop=True)
    codes, targets = [], []
    for v in MARGINS:
        t = marg[(marg["wave"] == year) & (marg["variable"] == v)].sort_values("level")
        codes.append(df[v].to_numpy() - 1)
        targets.append(t["total"].to_numpy(dtype=float))
    res = rake(codes, targets, np.ones(len(df)), tol=1e-13, max_iter=500)
    df["weight"] = res.weights
    cal = raking_calibration(df, list(MARGINS))
    return df, design_from_frame(df, DesignSpec(weight="weight"), calibration=cal)


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    return pd.read_csv(HERE / "golden_trend.csv", keep_default_na=False, dtype={"level": str})


@pytest.fixture(scope="module")
def waves() -> dict[int, tuple[pd.DataFrame, Design]]:
    return {y: _wave(y) for y in (2019, 2023)}


def _close(ours: float, r: object, what: str) -> None:
    assert np.isclose(ours, float(str(r)), rtol=RTOL, atol=0.0), f"{what}: ours {ours!r}, R {r}"


@pytest.mark.parametrize("indicator, stat", [("y", "proportion"), ("m", "mean")])
def test_change_between_waves_equals_svyglm(
    golden: pd.DataFrame, waves: dict[int, tuple[pd.DataFrame, Design]], indicator: str, stat: str
) -> None:
    tables = {
        y: estimate_table(df, des, [indicator], ["sector"], stat=stat)
        for y, (df, des) in waves.items()
    }
    cmp = compare_waves(tables[2023], tables[2019])
    g = golden[(golden["kind"] == "change") & (golden["indicator"] == indicator)]
    for row in g.itertuples():
        ours = cmp[(cmp["by"] == ("sector" if row.level else "")) & (cmp["level"] == row.level)]
        assert len(ours) == 1
        o = ours.iloc[0]
        _close(float(o["diff"]), row.estimate, f"{indicator} {row.level} {row.what} change")
        _close(float(o["diff_se"]), row.se, f"{indicator} {row.level} {row.what} SE")
        _close(float(o["p_value"]), row.p_value, f"{indicator} {row.level} {row.what} p")


@pytest.mark.parametrize("indicator, stat", [("y", "proportion"), ("m", "mean")])
def test_gaps_and_difference_in_differences_equal_svycontrast(
    golden: pd.DataFrame, waves: dict[int, tuple[pd.DataFrame, Design]], indicator: str, stat: str
) -> None:
    did = difference_in_differences(waves[2023], waves[2019], [indicator], "sector", stat=stat)  # type: ignore[arg-type]
    assert list(did["level"]) == ["1", "2", "3", "4"]
    g = golden[golden["indicator"] == indicator]
    for row in did.itertuples():
        d = g[(g["kind"] == "did") & (g["level"] == row.level)].iloc[0]
        _close(row.did, d["estimate"], f"DiD {indicator} sector {row.level}")
        _close(row.did_se, d["se"], f"DiD SE {indicator} sector {row.level}")
        _close(row.p_value, d["p_value"], f"DiD p {indicator} sector {row.level}")
        for wave, gap, se in (
            (2023, row.gap_now, row.gap_se_now),
            (2019, row.gap_then, row.gap_se_then),
        ):
            r = g[(g["kind"] == f"gap_{wave}") & (g["level"] == row.level)].iloc[0]
            _close(gap, r["estimate"], f"gap {wave} {indicator} sector {row.level}")
            _close(se, r["se"], f"gap SE {wave} {indicator} sector {row.level}")
        assert np.isclose(row.ci_high - row.did, 1.959963984540054 * row.did_se)


def test_golden_data_is_reproducible() -> None:
    """The data files are what the generator writes (so the recipe can be rerun)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_trend_data", HERE / "make_trend_data.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    data, margins = mod.generate()
    assert data == (HERE / "trend_waves.csv").read_text(encoding="utf-8")
    assert margins == (HERE / "trend_margins.csv").read_text(encoding="utf-8")


@pytest.mark.needs_r
def test_recipe_reproduces_the_golden_file(rscript: str, tmp_path: Path) -> None:
    out = tmp_path / "golden.csv"
    subprocess.run(
        [rscript, str(HERE / "trend.R"), str(out)],
        check=True,
        capture_output=True,
        timeout=180,
        cwd=HERE.parents[3],
    )
    new = pd.read_csv(out, keep_default_na=False, dtype={"level": str})
    old = pd.read_csv(HERE / "golden_trend.csv", keep_default_na=False, dtype={"level": str})
    assert list(new["kind"]) == list(old["kind"])
    np.testing.assert_allclose(
        new["estimate"].astype(float), old["estimate"].astype(float), rtol=1e-9
    )
    np.testing.assert_allclose(new["se"].astype(float), old["se"].astype(float), rtol=1e-9)
