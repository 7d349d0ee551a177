"""The golden cases: how each R design of ``golden/golden.R`` is built with this package."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.estimation.api import DesignSpec, calibration_from_columns, design_from_frame
from pipeline.estimation.design import Design

GOLDEN = Path(__file__).resolve().parent / "golden"
WBM_MARGINS = (("sector",), ("sex", "age_band"), ("statute",))


@dataclass(frozen=True)
class Case:
    name: str
    data: str
    spec: DesignSpec
    calibrated: bool
    means: tuple[str, ...]
    props: tuple[str, ...]
    by: tuple[str, ...]


CASES: tuple[Case, ...] = (
    Case(
        "apistrat",
        "apistrat.csv",
        DesignSpec("pw", strata="stype", fpc="fpc"),
        False,
        ("api00", "enroll", "meals_na"),
        ("sch_wide", "awards_yes", "hi_api"),
        ("stype", "awards"),
    ),
    Case(
        "apiclus1",
        "apiclus1.csv",
        DesignSpec("pw", psu="dnum", fpc="fpc"),
        False,
        ("api00", "enroll"),
        ("sch_wide", "hi_api"),
        ("stype",),
    ),
    Case(
        "wbm_raked",
        "wbm_synth.csv",
        DesignSpec("r_weight", strata="sector", fpc="fpc"),
        True,
        ("score",),
        ("stress", "motivation", "learning", "worklife", "werkbaar", "acute"),
        ("sector", "sex", "age_band", "occupation"),
    ),
    Case(
        "wbm_raked_clustered",
        "wbm_synth.csv",
        DesignSpec("r_weight", strata="sector", psu="firm", fpc="firm_fpc"),
        True,
        ("score",),
        ("stress", "werkbaar", "acute"),
        ("sector", "occupation"),
    ),
    Case(
        "wbm_fixed_weights",
        "wbm_synth.csv",
        DesignSpec("r_weight", strata="sector", fpc="fpc"),
        False,
        (),
        ("stress", "werkbaar"),
        ("sector",),
    ),
)
CASE_BY_NAME = {c.name: c for c in CASES}


def load_data(case: Case) -> pd.DataFrame:
    df = pd.read_csv(GOLDEN / case.data)
    if case.data == "wbm_synth.csv":
        w = pd.read_csv(GOLDEN / "golden_weights.csv")
        assert (w["id"].to_numpy() == df["id"].to_numpy()).all()
        df["r_weight"] = w["weight"].to_numpy(dtype=np.float64)
    return df


def build_design(case: Case, df: pd.DataFrame) -> Design:
    cal = None
    if case.calibrated:
        cal = calibration_from_columns(df, WBM_MARGINS, "base_weight")
    return design_from_frame(df, case.spec, calibration=cal)


def golden_estimates() -> pd.DataFrame:
    return pd.read_csv(
        GOLDEN / "golden_estimates.csv", keep_default_na=False, dtype={"level": str, "by": str}
    )


def golden_contrasts() -> pd.DataFrame:
    return pd.read_csv(
        GOLDEN / "golden_contrasts.csv", keep_default_na=False, dtype={"level": str, "by": str}
    )


def num(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s.replace("", np.nan)).to_numpy(dtype=np.float64)
