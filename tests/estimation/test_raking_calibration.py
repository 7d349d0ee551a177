"""The one raking-aware design setup shared by the estimate stage and ``wbm table``:
:func:`pipeline.estimation.api.raking_calibration` (one-variable margins, base weight 1)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.estimation.api import (
    DesignSpec,
    calibration_from_columns,
    estimate,
    raking_calibration,
)
from pipeline.rundata import layout


def _frame(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "a": rng.integers(1, 4, n).astype(float),
            "b": rng.integers(1, 3, n).astype(float),
            "y": rng.integers(0, 2, n).astype(float),
            "weight": rng.uniform(5, 15, n),
        }
    )


def test_same_as_the_calibration_spelled_out():
    df = _frame()
    spelled = calibration_from_columns(df.assign(_b=1.0), [["a"], ["b"]], "_b")
    t1 = estimate(
        df, DesignSpec("weight"), ["y"], ["a"], calibration=raking_calibration(df, ["a", "b"])
    ).table
    t2 = estimate(df, DesignSpec("weight"), ["y"], ["a"], calibration=spelled).table
    pd.testing.assert_frame_equal(t1, t2)
    uncal = estimate(df, DesignSpec("weight"), ["y"], ["a"]).table
    assert not np.allclose(t1["se"], uncal["se"])  # the margins do change the standard errors
    assert "_base_weight" not in df.columns  # the caller's frame is not changed


def test_missing_margin_value_is_located():
    df = _frame()
    df.loc[7, "b"] = np.nan
    with pytest.raises(InputError) as err:
        raking_calibration(df, ["a", "b"], file="scored.parquet")
    p = err.value.problems[0]
    assert (p.file, p.row, p.column) == ("scored.parquet", 8, "b")


def test_the_estimate_stage_uses_it(small_run_dir):
    from pipeline.questionnaire.load import load_questionnaire

    q = load_questionnaire("wbm-werknemers-2023")
    scored = pd.read_parquet(layout.stage_file(small_run_dir, "score", layout.SCORED))
    stage = pd.read_parquet(layout.stage_file(small_run_dir, "estimate", layout.ESTIMATES))
    mine = estimate(
        scored,
        DesignSpec("weight"),
        ["werkstress"],
        ["sector"],
        calibration=raking_calibration(scored, q.weighting),
    ).table
    for row in mine.itertuples():
        other = stage[
            (stage["indicator"] == "werkstress")
            & (stage["by"].fillna("") == row.by)
            & (stage["level"].astype(str) == str(row.level))
        ].iloc[0]
        assert math.isclose(row.se, other["se"], rel_tol=1e-12) and row.n == other["n"]
