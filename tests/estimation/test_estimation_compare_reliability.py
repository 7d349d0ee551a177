"""Wave comparisons, reliability flags and the options object."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import EstimationError, SpecError
from pipeline.estimation.compare import compare_waves
from pipeline.estimation.config import EstimationConfig
from pipeline.estimation.reliability import ReliabilityRules, mask_suppressed, merge_flags


def _t(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator", "by", "level", "n", "estimate", "se", "flags"])


def test_compare_waves_independent_samples() -> None:
    now = _t(
        [
            ("stress", "", "", 900, 0.361, 0.008, ""),
            ("stress", "sector", "1", 40, 0.30, 0.05, "unreliable"),
            ("stress", "sector", "9", 60, 0.2, 0.04, ""),
        ]
    )
    prev = _t(
        [
            ("stress", "", "", 1200, 0.368, 0.006, ""),
            ("stress", "sector", "1", 25, 0.41, 0.07, "suppressed"),
            ("stress", "sector", "2", 70, 0.5, 0.05, ""),
        ]
    )
    out = compare_waves(now, prev)
    assert list(out["level"]) == ["", "1", "9", "2"]  # now's order, then rows only in prev
    r = out.iloc[0]
    se = math.sqrt(0.008**2 + 0.006**2)
    assert r["diff"] == pytest.approx(-0.007)
    assert r["diff_se"] == pytest.approx(se)
    assert r["p_value"] == pytest.approx(
        2 * (1 - 0.5 * (1 + math.erf(abs(-0.007 / se) / math.sqrt(2))))
    )
    assert not r["significant"]
    assert out.iloc[1]["flags"] == "suppressed;unreliable"
    assert out.iloc[2]["flags"] == "only_now" and np.isnan(out.iloc[2]["diff"])
    assert out.iloc[3]["flags"] == "only_prev" and not out.iloc[3]["significant"]


def test_compare_waves_flags_a_clear_change() -> None:
    now = _t([("x", "", "", 500, 0.60, 0.01, "")])
    prev = _t([("x", "", "", 500, 0.50, 0.01, "")])
    assert bool(compare_waves(now, prev)["significant"].iloc[0])


def test_compare_waves_rejects_a_table_without_the_contract_columns() -> None:
    with pytest.raises(EstimationError, match="lacks columns"):
        compare_waves(pd.DataFrame({"indicator": ["x"]}), _t([]))


def test_reliability_thresholds() -> None:
    rules = ReliabilityRules(suppress_below=30, careful_below=50)
    flags = rules.flags(
        np.array([0, 29, 30, 49, 50, 1000]), np.array([False, False, False, False, True, False])
    )
    assert list(flags) == [
        "suppressed",
        "suppressed",
        "unreliable",
        "unreliable",
        "no_variance",
        "",
    ]
    with pytest.raises(SpecError):
        ReliabilityRules(suppress_below=60, careful_below=50)
    assert merge_flags("unreliable", "", "suppressed;unreliable") == "suppressed;unreliable"


def test_mask_suppressed_blanks_only_suppressed_rows() -> None:
    t = pd.DataFrame(
        {"estimate": [0.1, 0.2], "se": [0.01, 0.02], "flags": ["suppressed", "unreliable"]}
    )
    m = mask_suppressed(t)
    assert np.isnan(m["estimate"].iloc[0]) and m["estimate"].iloc[1] == 0.2
    assert t["estimate"].iloc[0] == 0.1  # the input is not modified


@pytest.mark.parametrize(
    "kwargs", [{"level": 1.5}, {"ci_method": "wilson"}, {"kg_extreme": 0.7}, {"alpha": 0}]
)
def test_bad_options_are_spec_errors(kwargs) -> None:
    with pytest.raises(SpecError):
        EstimationConfig(**kwargs)


def test_a_suppressed_wave_comparison_is_never_significant() -> None:
    """Issue 16: a clear change (z = 7) on a row one side flags suppressed is not significant."""
    now = _t([("x", "s", "1", 20, 0.90, 0.01, "suppressed"), ("x", "s", "2", 500, 0.9, 0.01, "")])
    prev = _t([("x", "s", "1", 500, 0.50, 0.01, ""), ("x", "s", "2", 500, 0.5, 0.01, "")])
    out = compare_waves(now, prev)
    assert out["p_value"].iloc[0] < 1e-6
    assert "suppressed" in out["flags"].iloc[0]
    assert not bool(out["significant"].iloc[0])
    assert bool(out["significant"].iloc[1])  # the same change on a publishable row is


def test_a_suppressed_domain_is_never_significant_against_the_rest() -> None:
    """Issue 16: rows flagged suppressed never carry significant=True (domain against the rest)."""
    from pipeline.estimation.api import DesignSpec, compare_domains

    rng = np.random.default_rng(3)
    n_small, n_big = 12, 600
    df = pd.DataFrame(
        {
            "w": np.ones(n_small + n_big),
            "g": [1] * n_small + [2] * n_big,
            "y": np.r_[np.ones(n_small), (rng.random(n_big) < 0.3).astype(float)],
        }
    )
    cfg = EstimationConfig(reliability=ReliabilityRules(suppress_below=30, careful_below=50))
    out = compare_domains(df, DesignSpec(weight="w"), ["y"], ["g"], config=cfg)
    small = out[out["level"] == "1"].iloc[0]
    assert small["p_value"] < 1e-6  # a huge difference: 100% against ~30%
    assert "suppressed" in small["flags"]
    assert not bool(small["significant"])
    big = out[out["level"] == "2"].iloc[0]
    assert "suppressed" in big["flags"]  # its rest (group 1) is below the threshold too
    assert not bool(big["significant"])
    out2 = compare_domains(
        df,
        DesignSpec(weight="w"),
        ["y"],
        ["g"],
        config=EstimationConfig(reliability=ReliabilityRules(suppress_below=5, careful_below=10)),
    )
    assert bool(out2[out2["level"] == "1"].iloc[0]["significant"])  # publishable: significant


def test_a_domain_without_a_rest_has_no_contrast_and_no_warning() -> None:
    """A level that holds every respondent who answered (a small wave: the other level's few
    respondents all skipped the item) has no rest to be compared with: no standard error, never
    significant, and no floating-point warning on the way (the difference's variance multiplied
    1 / 0 by 0; seen on a synthetic history at 5% of the published sample sizes)."""
    import warnings

    from pipeline.estimation.api import DesignSpec, compare_domains

    rng = np.random.default_rng(5)
    y = np.r_[(rng.random(80) < 0.4).astype(float), np.full(5, np.nan)]
    df = pd.DataFrame({"w": 1 + rng.random(85), "g": [1] * 80 + [2] * 5, "y": y})
    for variance in ("linearization", "bootstrap"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = compare_domains(
                df, DesignSpec(weight="w"), ["y"], ["g"], variance=variance, replicates=50
            )
        row = out[out["level"] == "1"].iloc[0]
        assert row["n_rest"] == 0
        assert row["estimate"] == pytest.approx(np.average(y[:80], weights=df["w"][:80]))
        # nobody's estimate: before, the rest's weight was a rounding error (1e-14), its
        # "estimate" -0.5 and the difference 0.91
        assert np.isnan(row["estimate_rest"]) and np.isnan(row["diff"])
        assert np.isnan(row["diff_se"]) and not bool(row["significant"])
