"""Design weights for the stratified Enterprise Survey, nonresponse adjustment, collapse planning."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import WeightingError
from pipeline.paths import WEIGHTS_DIR
from pipeline.weighting.api import weight_frame
from pipeline.weighting.coding import build_codes
from pipeline.weighting.collapse import plan_groups
from pipeline.weighting.design import design_weights, nonresponse_adjust
from pipeline.weighting.margins import load_margins


def test_design_weights_and_fpc():
    strata = np.array([0, 0, 1, 1, 1, 2])
    dw = design_weights(strata, [10, 30, 5], labels=["a", "b", "c"])
    np.testing.assert_allclose(dw.weights, [5, 5, 10, 10, 10, 5])
    np.testing.assert_allclose(dw.fpc, [0.8, 0.9, 0.8])
    np.testing.assert_allclose(dw.sampling_fraction_row, [0.2, 0.2, 0.1, 0.1, 0.1, 0.2])
    assert dw.weights.sum() == pytest.approx(45)


def test_design_weight_errors():
    with pytest.raises(WeightingError) as exc:
        design_weights(np.array([0, 0]), [10, 5], labels=["a", "b"])
    assert exc.value.code == "empty_cell" and exc.value.problems[0].path == "stratum=b"
    with pytest.raises(WeightingError) as exc:
        design_weights(np.array([0, 0, 0]), [2])
    assert exc.value.code == "sample_exceeds_population"


def test_nonresponse_adjustment_keeps_cell_totals():
    w = np.array([5.0, 5, 5, 10, 10])
    resp = np.array([True, False, True, True, False])
    cells = np.array([0, 0, 0, 1, 1])
    nr = nonresponse_adjust(w, resp, cells)
    np.testing.assert_allclose(nr.weights, [7.5, 0, 7.5, 20, 0])
    np.testing.assert_allclose(np.bincount(cells, weights=nr.weights), [15, 20])
    with pytest.raises(WeightingError) as exc:
        nonresponse_adjust(w, np.array([True, True, True, False, False]), cells, labels=["x", "y"])
    assert exc.value.problems[0].path == "cell=y"


def test_enterprise_survey_chain():
    """Design weights -> nonresponse -> post-stratification (organisations), then jobs weight."""
    orgs = load_margins(WEIGHTS_DIR / "oe-2025-organisaties.synthetic.csv", require_meta=True)
    jobs = load_margins(WEIGHTS_DIR / "oe-2025-werkgelegenheid.synthetic.csv", require_meta=True)
    rng = np.random.default_rng(3)
    rows = []
    for g in range(1, 5):
        for s in range(1, 5):
            rows += [(g, s)] * 40
    sel = pd.DataFrame(rows, columns=["sector_group", "size_class"])
    sel["employees"] = rng.integers(1, 300, len(sel))
    sel["responded"] = rng.random(len(sel)) < 0.5
    sel.loc[::40, "responded"] = True  # at least one respondent per stratum
    mc = build_codes(sel, orgs)
    N_h = mc.targets[0]
    dw = design_weights(mc.codes[0], N_h, labels=mc.labels[0])
    assert dw.weights.sum() == pytest.approx(orgs.total)
    nr = nonresponse_adjust(dw.weights, sel["responded"].to_numpy(), mc.codes[0])
    resp = sel[sel["responded"]].reset_index(drop=True)
    base = nr.weights[sel["responded"].to_numpy()]
    res = weight_frame(resp, orgs, base_weight=base, method="poststratify")
    np.testing.assert_allclose(res.weight, base, rtol=1e-9)  # already exact per stratum
    emp = weight_frame(
        resp, jobs, base_weight=base * resp["employees"].to_numpy(), method="poststratify"
    )
    assert emp.weight.sum() == pytest.approx(jobs.total)


@pytest.mark.parametrize(
    "counts,expected",
    [
        ({"1": 50, "2": 3, "3": 40}, [["1"], ["2", "3"]]),
        ({"1": 2, "2": 50, "3": 40}, [["1", "2"], ["3"]]),
        ({"1": 2, "2": 2, "3": 2}, [["1", "2", "3"]]),
        ({"1": 20, "2": 20}, [["1"], ["2"]]),
    ],
)
def test_plan_groups(counts, expected):
    assert plan_groups(list(counts), counts, 10) == expected
