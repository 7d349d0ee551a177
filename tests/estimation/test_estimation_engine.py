"""The fast variance engine against the literal transcription of R's svyrecvar, and design checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import EstimationError
from pipeline.estimation.design import make_calibration, make_design
from pipeline.estimation.linearization import Columns, VarianceEngine, recvar_reference


def _random_design(
    seed: int,
    n: int,
    n_strata: int,
    clustered: bool,
    with_fpc: bool,
    calibrated: bool,
    lonely: str = "fail",
):
    rng = np.random.default_rng(seed)
    strata = rng.integers(0, n_strata, n)
    strata[:n_strata] = np.arange(n_strata)  # every stratum present
    if clustered:
        psu = rng.integers(0, max(2, n // 4), n)
        # at least two PSUs per stratum
        psu[: 2 * n_strata] = np.arange(2 * n_strata) + 10_000
        strata[: 2 * n_strata] = np.repeat(np.arange(n_strata), 2)
    else:
        psu = None
    w0 = rng.uniform(1.0, 6.0, n)
    cal = None
    w = w0
    if calibrated:
        a = rng.integers(0, 2, n)
        b = rng.integers(0, 3, n)
        c = rng.integers(0, 2, n)
        g = np.exp(0.2 * a - 0.1 * b + 0.15 * c * b)
        w = w0 * g
        cal = make_calibration([a, b * 2 + c], w0, n_levels=[2, 6])
    fpc = None
    if with_fpc:
        fpc = (1000.0 + 100 * strata) if not clustered else (200.0 + 10 * strata)
    return make_design(w, strata=strata, psu=psu, fpc=fpc, calibration=cal, lonely_psu=lonely), rng


def _dense(lay, phi: np.ndarray, w: np.ndarray, n: int) -> np.ndarray:
    D, m = lay.n_domains, phi.shape[1]
    rows = np.arange(n) if lay.rows is None else lay.rows
    X = np.zeros((n, D * m))
    for s in range(m):
        X[rows, lay.dom * m + s] = w[rows] * phi[:, s]
    return X


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(30, 120),
    n_strata=st.integers(1, 3),
    clustered=st.booleans(),
    with_fpc=st.booleans(),
    calibrated=st.booleans(),
    n_domains=st.integers(1, 4),
    m=st.integers(1, 2),
)
def test_engine_equals_reference(seed, n, n_strata, clustered, with_fpc, calibrated, n_domains, m):
    des, rng = _random_design(seed, n, n_strata, clustered, with_fpc, calibrated)
    eng = VarianceEngine(des)
    col = rng.integers(-1, n_domains, n)
    lay = eng.layout(col, n_domains)
    phi = rng.normal(size=(n if lay.rows is None else lay.rows.size, m))
    got = eng.covariance(Columns(phi, lay))
    X = _dense(lay, phi, des.weights, n)
    ref = recvar_reference(des, X)
    want = np.array([ref[d * m : (d + 1) * m, d * m : (d + 1) * m] for d in range(n_domains)])
    scale = max(np.abs(want).max(), 1e-300)
    assert np.abs(got - want).max() <= 1e-9 * scale
    # cross-covariance with a dense column set over every row
    lay_all = eng.layout(None, 1)
    dense = rng.normal(size=(n, 2))
    cross = eng.covariance(Columns(phi, lay), Columns(dense, lay_all))
    ref2 = recvar_reference(des, np.hstack([X, des.weights[:, None] * dense]))
    want2 = np.array([ref2[d * m : (d + 1) * m, n_domains * m :] for d in range(n_domains)])
    assert np.abs(cross - want2).max() <= 1e-9 * max(np.abs(want2).max(), 1e-300)


def test_calibration_removes_variance_of_a_margin_total():
    """The total of a raking variable's level is fixed by the calibration: its variance is 0."""
    des, rng = _random_design(3, 200, 2, False, False, True)
    eng = VarianceEngine(des)
    a = des.calibration.codes[0]
    lay = eng.layout(None, 1)
    phi = (a == 1).astype(float)[:, None]
    v = eng.variance(Columns(phi, lay))[0, 0]
    fixed = VarianceEngine(des.with_weights(des.weights))  # same weights, calibration ignored
    raw = fixed.variance(Columns(phi, fixed.layout(None, 1)))[0, 0]
    assert raw > 1.0
    assert v <= 1e-12 * raw


def test_census_stratum_contributes_nothing():
    w = np.ones(6)
    strata = np.array([0, 0, 0, 1, 1, 1])
    des = make_design(w, strata=strata, fpc=np.array([3, 3, 3, 100, 100, 100.0]))
    eng = VarianceEngine(des)
    y = np.array([0.0, 5.0, 9.0, 1.0, 2.0, 4.0])
    lay = eng.layout(None, 1)
    v = eng.variance(Columns(y[:, None], lay))[0, 0]
    # only stratum 1 counts: (1 - 3/100) * 3/2 * sum of squared deviations
    dev = y[3:] - y[3:].mean()
    assert v == pytest.approx((1 - 3 / 100) * 3 / 2 * np.sum(dev**2), rel=1e-12)


def test_lonely_psu_fails_by_default_and_names_the_stratum():
    with pytest.raises(EstimationError) as exc:
        make_design(np.ones(4), strata=["a", "a", "b", "c"])
    assert exc.value.code == "bad_design"
    [p] = [p for p in exc.value.problems if p.code == "lonely_psu"]
    assert p.value == ["b", "c"]


@pytest.mark.parametrize("option", ["certainty", "remove", "adjust"])
def test_lonely_psu_options_match_reference(option):
    rng = np.random.default_rng(5)
    strata = np.array([0, 0, 0, 1, 2, 2])
    des = make_design(rng.uniform(1, 2, 6), strata=strata, lonely_psu=option)
    eng = VarianceEngine(des)
    y = rng.normal(size=6)
    got = eng.variance(Columns(y[:, None], eng.layout(None, 1)))[0, 0]
    ref = recvar_reference(des, (des.weights * y)[:, None])[0, 0]
    assert got == pytest.approx(ref, rel=1e-12)
    lonely = (des.weights[3] * y[3]) ** 2
    without = recvar_reference(
        make_design(des.weights[[0, 1, 2, 4, 5]], strata=strata[[0, 1, 2, 4, 5]]),
        (des.weights * y)[[0, 1, 2, 4, 5], None],
    )[0, 0]
    assert got == pytest.approx(without + (lonely if option == "adjust" else 0.0), rel=1e-12)


def test_design_problems_are_reported_together():
    with pytest.raises(EstimationError) as exc:
        make_design(
            np.array([1.0, -2.0, np.nan, 1.0]),
            strata=[1, 1, 2, 2],
            fpc=np.array([10, 11, 1, 1.0]),
            lonely_psu="sometimes",
        )
    codes = [p.code for p in exc.value.problems]
    assert codes.count("bad_weight") == 2
    text = exc.value.render()
    assert "fpc differs within a stratum" in text
    assert "'sometimes' is not one of" in text


def test_fpc_below_sample_size_is_an_error():
    with pytest.raises(EstimationError, match="invalid survey design") as exc:
        make_design(np.ones(4), strata=[1, 1, 2, 2], fpc=[1.5, 1.5, 10, 10])
    assert any("population size below" in p.message for p in exc.value.problems)


def test_sampling_fraction_and_population_size_agree():
    rng = np.random.default_rng(2)
    w = rng.uniform(1, 2, 8)
    strata = np.repeat([0, 1], 4)
    a = make_design(w, strata=strata, fpc=np.repeat([40.0, 80.0], 4))
    b = make_design(w, strata=strata, fpc=np.repeat([0.1, 0.05], 4))
    assert np.allclose(a.sampling_fraction, b.sampling_fraction)


def test_psu_labels_are_nested_in_strata():
    des = make_design(np.ones(4), strata=[1, 1, 2, 2], psu=[7, 8, 7, 8])
    assert des.n_psu == 4
    assert des.degf() == 2


@pytest.mark.parametrize("calibrated", [False, True])
def test_a_domain_variable_without_any_observed_level(calibrated):
    """A breakdown none of whose levels occurs (e.g. after a filter) gives empty, suppressed rows and
    leaves the overall estimate alone; it used to fail inside numpy (an empty bincount is int64)."""
    import pandas as pd

    from pipeline.estimation.api import DesignSpec, calibration_from_columns, estimate

    rng = np.random.default_rng(3)
    n = 300
    df = pd.DataFrame(
        {
            "y": rng.integers(0, 2, n).astype(float),
            "w": rng.uniform(1, 3, n),
            "sex": rng.integers(1, 3, n),
            "b": np.ones(n),
            "g": pd.Categorical([None] * n, categories=["1", "2"]),
        }
    )
    cal = calibration_from_columns(df, [["sex"]], "b") if calibrated else None
    table = estimate(df, DesignSpec(weight="w"), ["y"], ["g"], calibration=cal).table
    overall = table[table["by"].fillna("") == ""].iloc[0]
    alone = estimate(df, DesignSpec(weight="w"), ["y"], [], calibration=cal).table.iloc[0]
    assert overall["estimate"] == pytest.approx(alone["estimate"], rel=1e-12)
    assert overall["se"] == pytest.approx(alone["se"], rel=1e-12)
    empty = table[table["by"] == "g"]
    assert (
        list(empty["n"]) == [0, 0] and empty["estimate"].isna().all() and empty["se"].isna().all()
    )
    assert all("suppressed" in f for f in empty["flags"])
