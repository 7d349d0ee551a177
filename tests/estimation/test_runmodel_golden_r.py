"""Estimates made from a run's recorded calibration model equal R ``survey`` (issue 16).

The chain the weight and estimate stages run: base weights (``stratified_base``) -> ``weight_frame``
-> ``calibration_model`` -> ``calibration.json`` (round trip) -> ``design_from_model`` -> estimates.
Recipe: ``golden/runmodel/golden.R`` (cases listed there), data from ``golden/runmodel/make_data.py``.
Tolerances: weights and estimates 1e-9 relative, standard errors 1e-8 relative.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.estimation.api import estimate_table
from pipeline.estimation.runmodel import design_from_model
from pipeline.rundata.calibration import CalibrationModel, model_from_dict, model_to_dict
from pipeline.rundata.columns import BASE_WEIGHT, DESIGN_FPC, DESIGN_STRATUM, WEIGHT
from pipeline.weighting.api import weight_frame
from pipeline.weighting.design import stratified_base
from pipeline.weighting.margins import load_margins
from pipeline.weighting.model import calibration_model
from pipeline.weighting.trimming import TrimSpec

GOLDEN = Path(__file__).parent / "golden" / "runmodel"
W_RTOL = 1e-9
EST_RTOL = 1e-9
SE_RTOL = 1e-8

EMPLOYEE_CASES: dict[str, tuple[str, tuple[float, float] | None, float | None]] = {
    "emp_raking_collapsed": ("raking", None, None),
    "emp_linear": ("linear", None, None),
    "emp_logit": ("logit", (0.6, 1.7), None),
    "emp_raking_bounded": ("raking", (0.7, 1.3), None),
    "emp_trimmed": ("raking", None, 190.0),
}


def _round_trip(model: CalibrationModel) -> CalibrationModel:
    back = model_from_dict(json.loads(json.dumps(model_to_dict(model))))
    assert back == model
    return back


def weighted_case(case: str) -> tuple[pd.DataFrame, CalibrationModel, tuple[str, ...], list[str]]:
    """(frame with the weights and design columns, the recorded model, indicators, by-variables)."""
    if case.startswith("oe_"):
        df = pd.read_csv(GOLDEN / "oe.csv")
        margins = load_margins(GOLDEN / "oe_margins.csv")
        strata = ("sector_group", "size_class")
        sb = stratified_base(df, strata, margins)
        assert sb.weights is not None and sb.population is not None
        res = weight_frame(df, margins, base_weight=np.asarray(sb.weights))
        model = calibration_model(
            res,
            base_weight=BASE_WEIGHT,
            strata=DESIGN_STRATUM,
            strata_variables=strata,
            fpc=DESIGN_FPC,
        )
        df = df.assign(
            **{
                DESIGN_STRATUM: list(sb.stratum),
                BASE_WEIGHT: np.asarray(sb.weights),
                DESIGN_FPC: np.asarray(sb.population),
                WEIGHT: np.asarray(res.weight),
            }
        )
        return (
            df,
            _round_trip(model),
            ("tr_plan", "inn_product", "telework"),
            [
                "sector_group",
                "multi_site",
            ],
        )
    method, bounds, cap = EMPLOYEE_CASES[case]
    df = pd.read_csv(GOLDEN / "employees.csv")
    margins = load_margins(GOLDEN / "employees_margins.csv")
    trim = TrimSpec(cap=cap) if cap is not None else None
    res = weight_frame(
        df, margins, base_weight="base", method=method, bounds=bounds, trim=trim, tol=1e-13
    )
    assert res.converged
    model = calibration_model(res, base_weight="base")
    if cap is not None:
        assert model.trim is not None and model.trim.applied_cap == cap
        assert model.trim.n_trimmed == 33 and not model.trim.kept_untrimmed  # as R's loop
    assert model.margins[1].levels == ("1", "2", "3", "4+5")  # collapsed as the rule says
    df = df.assign(**{WEIGHT: np.asarray(res.weight)})
    return df, _round_trip(model), ("stress", "werkbaar"), ["sector"]


CASES = ["oe_strat_fpc_joint", *EMPLOYEE_CASES]


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    return pd.read_csv(GOLDEN / "expected_estimates.csv", keep_default_na=False, dtype=str)


@pytest.fixture(scope="module")
def expected_weights() -> pd.DataFrame:
    return pd.read_csv(GOLDEN / "expected_weights.csv")


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


@pytest.mark.parametrize("case", CASES)
def test_weights_equal_r(case: str, expected_weights: pd.DataFrame) -> None:
    df, _, _, _ = weighted_case(case)
    r = expected_weights[expected_weights["case"] == case]["weight"].to_numpy(float)
    assert _rel(df[WEIGHT].to_numpy(float), r) < W_RTOL


@pytest.mark.parametrize("case", CASES)
def test_estimates_and_ses_from_the_recorded_model_equal_r(
    case: str, expected: pd.DataFrame
) -> None:
    df, model, inds, bys = weighted_case(case)
    design = design_from_model(df, model, weight=WEIGHT)
    g = expected[expected["case"] == case]
    assert len(g) > 0
    for stat in sorted(set(g["stat"])):
        ours = estimate_table(df, design, list(inds), bys, stat=stat)
        want = g[g["stat"] == stat]
        m = want.merge(ours, on=["indicator", "by", "level"], suffixes=("_r", ""), how="left")
        assert len(m) == len(want) and m["se"].notna().all()
        assert _rel(m["estimate"].to_numpy(float), m["estimate_r"].to_numpy(float)) < EST_RTOL
        assert _rel(m["se"].to_numpy(float), m["se_r"].to_numpy(float)) < SE_RTOL, stat


def test_the_oe_design_is_stratified_with_fpc() -> None:
    """Not just a calibrated design: without strata and fpc the SEs would differ from R's."""
    df, model, _, _ = weighted_case("oe_strat_fpc_joint")
    assert model.strata == DESIGN_STRATUM and model.fpc == DESIGN_FPC
    assert model.margins[0].variables == ("sector_group", "size_class")
    design = design_from_model(df, model, weight=WEIGHT)
    assert design.n_strata == 9 and (design.sampling_fraction > 0).all()


@pytest.mark.parametrize("case", list(EMPLOYEE_CASES))
def test_wbm_estimate_gives_calibration_aware_ses_for_every_distance(
    case: str, expected: pd.DataFrame, tmp_path: Path
) -> None:
    """Issue 16: ``wbm estimate --margins`` with linear, logit, bounded or trimmed calibration gives
    R's calibration-aware SEs (no refusal, no fixed-weight fallback)."""
    from click.testing import CliRunner

    from pipeline.cli import cli as main

    method, bounds, cap = EMPLOYEE_CASES[case]
    out = tmp_path / "est.csv"
    args = [
        "estimate",
        "--data",
        str(GOLDEN / "employees.csv"),
        "--margins",
        str(GOLDEN / "employees_margins.csv"),
        "--base-weight",
        "base",
        "--method",
        method,
        "--indicators",
        "stress,werkbaar",
        "--by",
        "sector",
        "--out",
        str(out),
    ]
    if bounds is not None:
        args += ["--bounds", f"{bounds[0]},{bounds[1]}"]
    if cap is not None:
        args += ["--trim-cap", str(cap)]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    ours = pd.read_csv(out, keep_default_na=False, dtype={"level": str, "by": str})
    want = expected[expected["case"] == case]
    m = want.merge(ours, on=["indicator", "by", "level"], suffixes=("_r", ""))
    assert len(m) == len(want) > 0
    assert _rel(m["estimate"].to_numpy(float), m["estimate_r"].to_numpy(float)) < 1e-8
    assert _rel(m["se"].to_numpy(float), m["se_r"].to_numpy(float)) < 1e-7


def test_calibration_options_need_margins(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pipeline.cli import cli as main

    r = CliRunner().invoke(
        main,
        [
            "estimate",
            "--data",
            str(GOLDEN / "employees.csv"),
            "--weight",
            "base",
            "--indicators",
            "stress",
            "--trim-cap",
            "100",
            "--out",
            str(tmp_path / "x.csv"),
        ],
    )
    assert r.exception is not None and getattr(r.exception, "code", "") == "bad_option"
    assert "only used with --margins" in str(r.exception)
