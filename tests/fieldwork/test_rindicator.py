"""R-indicators against the reference computation in base R (golden/rindicator.R, glm only).

Tolerance: 1e-8 absolute on every figure (the two IRLS fits agree to ~1e-10; the stored values have
17 significant digits). Recipe: golden/README.md.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import EstimationError
from pipeline.fieldwork.propensity import factors_from_values, fit_logit, frame_design, model_matrix
from pipeline.fieldwork.rindicator import RIndicator, r_indicator

GOLDEN = Path(__file__).parent / "golden"
VARS = ("sex", "age_band", "sector")
TOL = 1e-8


def compute(frame: pd.DataFrame) -> RIndicator:
    des = frame_design(
        frame["design_weight"].to_numpy(), frame["stratum"].to_numpy(), len(frame), population=None
    )
    f = factors_from_values(VARS, [frame[c].to_numpy() for c in VARS])
    return r_indicator(des, f, frame["responded"].to_numpy())


def assert_matches(r: RIndicator, prefix: Path) -> None:
    overall = pd.read_csv(f"{prefix}_overall.csv").iloc[0]
    for k in overall.index:
        assert getattr(r, k) == pytest.approx(overall[k], abs=TOL), k
    variables = pd.read_csv(f"{prefix}_variables.csv")
    assert [v.variable for v in r.variables_partial] == variables["variable"].tolist()
    for row, vp in zip(variables.itertuples(), r.variables_partial, strict=True):
        for k in variables.columns[1:]:
            assert getattr(vp, k) == pytest.approx(getattr(row, k), abs=TOL), (row.variable, k)
    cats = pd.read_csv(f"{prefix}_categories.csv")
    assert len(cats) == len(r.categories_partial)
    for row, cp in zip(cats.itertuples(), r.categories_partial, strict=True):
        assert (cp.variable, cp.category) == (row.variable, str(row.category))
        for k in cats.columns[2:]:
            assert getattr(cp, k) == pytest.approx(getattr(row, k), abs=TOL), (row, k)


@pytest.mark.parametrize("case", ["si", "stsi"])
def test_r_indicator_equals_the_r_reference(case: str) -> None:
    frame = pd.read_csv(GOLDEN / f"frame_{case}.csv")
    assert_matches(compute(frame), GOLDEN / f"rindicator_{case}")


@pytest.mark.needs_r
def test_r_indicator_equals_live_r_on_fresh_data(tmp_path: Path) -> None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript is not installed (Debian: r-base-core)")
    rng = np.random.default_rng(7)
    n = 1500
    frame = pd.DataFrame(
        {
            "stratum": 1,
            "design_weight": 80_000 / n,
            "sex": rng.integers(1, 3, n),
            "age_band": rng.integers(1, 4, n),
            "sector": rng.integers(1, 6, n),
        }
    )
    eta = -0.8 + 0.4 * (frame["sex"] == 2) - 0.3 * frame["age_band"] + 0.1 * frame["sector"]
    frame["responded"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    frame.to_csv(tmp_path / "frame.csv", index=False)
    subprocess.run(
        [rscript, str(GOLDEN / "rindicator.R"), str(tmp_path / "frame.csv"), str(tmp_path / "r")],
        check=True,
        capture_output=True,
    )
    assert_matches(compute(frame), tmp_path / "r")


def test_equal_propensities_give_r_of_one_and_no_partial_effects() -> None:
    # response identical in every group: fitted propensities are all equal
    sex = np.repeat([1, 2], 200)
    age = np.tile(np.repeat([1, 2], 100), 2)
    resp = np.tile(np.r_[np.ones(25), np.zeros(75)], 4)
    des = frame_design(None, None, 400, population=10_000)
    r = r_indicator(des, factors_from_values(["sex", "age"], [sex, age]), resp)
    assert r.r_unadjusted == pytest.approx(1.0, abs=1e-9)
    assert r.response_rate == pytest.approx(0.25)
    assert all(abs(v.unconditional_unadjusted) < 1e-9 for v in r.variables_partial)


def test_stronger_selection_gives_lower_r_and_the_driver_has_the_largest_partial() -> None:
    rng = np.random.default_rng(3)
    n = 6000
    a, b = rng.integers(0, 2, n), rng.integers(0, 3, n)
    res = []
    for effect in (0.2, 1.2):
        p = 1 / (1 + np.exp(-(-1.0 + effect * a + 0.1 * b)))
        resp = (rng.random(n) < p).astype(float)
        des = frame_design(None, None, n, population=1e6)
        res.append(r_indicator(des, factors_from_values(["a", "b"], [a, b]), resp))
    weak, strong = res
    assert strong.r < weak.r - 0.1
    assert strong.ci_high < weak.ci_low
    pa, pb = strong.variables_partial
    assert pa.unconditional > 3 * pb.unconditional
    # category signs: a=1 responds more (over-represented, +), a=0 less (-)
    cats = {(c.variable, c.category): c for c in strong.categories_partial}
    assert cats[("a", "1")].unconditional > 0 > cats[("a", "0")].unconditional


def test_confidence_interval_covers_the_population_value() -> None:
    """Coverage of the 95% CI over repeated samples from one finite population (known R)."""
    rng = np.random.default_rng(11)
    big_n = 200_000
    sex = rng.integers(0, 2, big_n)
    age = rng.integers(0, 4, big_n)
    rho = 1 / (1 + np.exp(-(-1.2 + 0.5 * sex - 0.25 * age)))
    true_r = 1 - 2 * np.std(rho, ddof=1)
    hits = 0
    reps = 120
    for _ in range(reps):
        idx = rng.choice(big_n, 3000, replace=False)
        resp = (rng.random(idx.size) < rho[idx]).astype(float)
        des = frame_design(None, None, idx.size, population=big_n)
        r = r_indicator(des, factors_from_values(["sex", "age"], [sex[idx], age[idx]]), resp)
        hits += int(r.ci_low <= true_r <= r.ci_high)
    assert 0.88 <= hits / reps <= 1.0


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_row_order_does_not_change_the_indicator(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    a, b = rng.integers(0, 3, n), rng.integers(0, 2, n)
    resp = (rng.random(n) < 0.2 + 0.15 * a / 2 + 0.1 * b).astype(float)
    if resp.sum() < 5 or resp.sum() > n - 5:
        return
    des = frame_design(None, None, n, population=50_000)
    r1 = r_indicator(des, factors_from_values(["a", "b"], [a, b]), resp)
    perm = rng.permutation(n)
    r2 = r_indicator(des, factors_from_values(["a", "b"], [a[perm], b[perm]]), resp[perm])
    assert r2.r == pytest.approx(r1.r, abs=1e-9)
    assert r2.se == pytest.approx(r1.se, rel=1e-7)
    for c1, c2 in zip(r1.categories_partial, r2.categories_partial, strict=True):
        assert c2.conditional == pytest.approx(c1.conditional, abs=1e-9)


def test_logit_fit_drops_aliased_columns_like_r() -> None:
    x1 = np.r_[np.zeros(50), np.ones(50)]
    x = np.column_stack([np.ones(100), x1, x1])  # third column repeats the second
    y = np.r_[np.tile([0, 1, 0, 0], 12), [0, 1], np.tile([1, 1, 0, 1], 12), [1, 0]]
    fit = fit_logit(x, y.astype(float))
    assert fit.keep.tolist() == [True, True, False]
    assert fit.converged
    # saturated in x1: fitted values are the group means
    assert fit.prop[:50] == pytest.approx(np.full(50, y[:50].mean()))


def test_model_matrix_is_treatment_coding() -> None:
    f = factors_from_values(["s"], [np.array([3, 1, 2, 3])])
    x, names = model_matrix(f)
    assert names == ("(Intercept)", "s2", "s3")
    assert x[:, 1].tolist() == [0, 0, 1, 0] and x[:, 2].tolist() == [1, 0, 0, 1]


def test_bad_input_is_a_located_error() -> None:
    des = frame_design(None, None, 4, population=100)
    f = factors_from_values(["a"], [np.array([1, 2, 1, 2])])
    with pytest.raises(EstimationError) as e:
        r_indicator(des, f, np.array([0, 1, 2, 0]))
    assert e.value.code == "rindicator_bad_input"
    with pytest.raises(EstimationError) as e2:
        frame_design(np.array([1.0, 2.0, 1.0, 2.0]), None, 4, population=None)
    assert e2.value.code == "bad_frame_weights"
