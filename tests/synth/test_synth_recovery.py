"""The generated data carry the intended signal: weighting to the population margins recovers the
true werkbaar werk, the unweighted respondent mean does not. Read with a crude reader (crude.py),
not the pipeline's validation, so this checks the generator alone."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pipeline.scoring import score_frame
from pipeline.weighting.api import weight_frame
from pipeline.weighting.margins import load_margins

from .crude import read_wave


@pytest.fixture(scope="module")
def estimates(q, wave_dir):
    data = read_wave(q, wave_dir)
    weights = weight_frame(
        data, load_margins(wave_dir / "population.csv", require_meta=True)
    ).weight
    scored = score_frame(q, data).frame
    truth = json.loads((wave_dir / "truth.json").read_text(encoding="utf-8"))
    out = {}
    for col in (
        "werkbaar_werk",
        "werkstress",
        "welbevinden_probleem",
        "leerprobleem",
        "werk_prive_probleem",
    ):
        v = scored[col].to_numpy()
        ok = ~np.isnan(v)
        out[col] = (
            float(v[ok].mean()),
            float(np.average(v[ok], weights=weights[ok])),
            truth["indicators"][col]["overall"],
            int(ok.sum()),
        )
    return out


def test_small_wave_has_about_3000_respondents(estimates):
    assert 2_500 < estimates["werkbaar_werk"][3] < 3_300


def test_weighted_werkbaar_werk_is_close_to_the_truth(estimates):
    _unweighted, weighted, truth, _n = estimates["werkbaar_werk"]
    assert truth == pytest.approx(0.518, abs=0.001)
    assert weighted == pytest.approx(truth, abs=0.02)


def test_unweighted_werkbaar_werk_is_biased_and_weighting_helps(estimates):
    unweighted, weighted, truth, _n = estimates["werkbaar_werk"]
    assert unweighted - weighted > 0.015
    assert abs(weighted - truth) < abs(unweighted - truth)


def test_other_workability_indicators_are_recovered(estimates):
    for col in ("werkstress", "welbevinden_probleem", "leerprobleem", "werk_prive_probleem"):
        _u, weighted, truth, _n = estimates[col]
        assert weighted == pytest.approx(truth, abs=0.025), col
