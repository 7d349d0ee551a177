"""The extra modules of the 2019 sector reports (job insecurity, turnover intention, working hours,
commuting, boundary-crossing behaviour) in the synthetic wave: every module indicator has a target
in the model (a labelled synthetic assumption), the weighted shares of the small wave land within
sampling tolerance of it, and the modules go with workability the way the model says (bullying with
stress, turnover with motivation problems, atypical hours with work-life problems)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import SpecError
from pipeline.scoring import score_frame
from pipeline.synth.check import check_model
from pipeline.synth.config import load_model
from pipeline.weighting.api import weight_frame
from pipeline.weighting.margins import load_margins
from tests.modules import NEW_MODULES

from .crude import read_wave


@pytest.fixture(scope="module")
def scored(q, wave_dir) -> tuple[pd.DataFrame, np.ndarray]:
    data = read_wave(q, wave_dir)
    weights = weight_frame(
        data, load_margins(wave_dir / "population.csv", require_meta=True)
    ).weight
    return score_frame(q, data).frame, np.asarray(weights, dtype=float)


def _share(frame: pd.DataFrame, w: np.ndarray, col: str, mask: np.ndarray | None = None) -> float:
    v = frame[col].to_numpy(dtype=float)
    ok = ~np.isnan(v) if mask is None else ~np.isnan(v) & mask
    return float(np.average(v[ok], weights=w[ok]))


def test_every_new_module_has_a_labelled_synthetic_target(model) -> None:
    for name in NEW_MODULES:
        target = model.module_targets[name]
        assert 0 < target.value < 1
        assert "SYNTHETIC ASSUMPTION" in target.source, name


@pytest.mark.parametrize("name", NEW_MODULES)
def test_weighted_module_share_is_within_sampling_tolerance_of_its_target(
    name, model, scored
) -> None:
    frame, w = scored
    target = model.module_targets[name].value
    n = int(frame[name].notna().sum())
    assert n > 2_000
    share = _share(frame, w, name)
    # about 4.5 binomial standard errors (weighting's design effect included): a seed-independent
    # margin that still fails if a parameter is off by a few points
    tol = 4.5 * math.sqrt(target * (1 - target) / n)
    assert share == pytest.approx(target, abs=tol), (name, share, target, tol)


def test_bullying_goes_with_stress_and_poor_support(scored) -> None:
    frame, w = scored
    stressed = frame["werkstress"].to_numpy(dtype=float) == 1
    calm = frame["werkstress"].to_numpy(dtype=float) == 0
    assert _share(frame, w, "mod_pesten", stressed) > 1.8 * _share(frame, w, "mod_pesten", calm)
    unsupported = frame["ondersteuning_risico"].to_numpy(dtype=float) == 1
    supported = frame["ondersteuning_risico"].to_numpy(dtype=float) == 0
    assert _share(frame, w, "mod_pesten", unsupported) > 1.5 * _share(
        frame, w, "mod_pesten", supported
    )


def test_turnover_goes_with_motivation_problems(scored) -> None:
    frame, w = scored
    col = frame["welbevinden_probleem"].to_numpy(dtype=float)
    assert _share(frame, w, "mod_verloopintentie", col == 1) > 2 * _share(
        frame, w, "mod_verloopintentie", col == 0
    )


def test_atypical_hours_go_with_work_life_problems_and_hospitality(scored) -> None:
    frame, w = scored
    col = frame["werk_prive_probleem"].to_numpy(dtype=float)
    assert _share(frame, w, "mod_atypische_uren", col == 1) > _share(
        frame, w, "mod_atypische_uren", col == 0
    )
    sector = frame["sector"].to_numpy(dtype=float)
    assert _share(frame, w, "mod_weekendwerk", sector == 8) > 2 * _share(
        frame, w, "mod_weekendwerk", sector == 10
    )


def test_commuting_minutes_are_plausible_and_within_the_hard_limits(q, scored) -> None:
    frame, w = scored
    minutes = frame["commute_min"].to_numpy(dtype=float)
    ok = minutes >= 0
    lim = q.item("commute_min").limits
    assert lim is not None and lim.hard_max is not None
    assert 15 <= float(np.median(minutes[ok])) <= 30
    assert 20 <= float(np.average(minutes[ok], weights=w[ok])) <= 35
    assert np.all(np.mod(minutes[ok], 1) == 0)


def test_a_module_target_that_is_not_a_condition_indicator_is_refused(q) -> None:
    model = load_model()
    bad = model.model_copy(
        update={"module_targets": {"werkstress": model.module_targets["mod_pesten"]}}
    )
    with pytest.raises(SpecError) as err:
        check_model(bad, q)
    assert any(
        p.path == "module_targets.werkstress" and "condition" in p.message
        for p in err.value.problems
    )


def test_the_2019_wave_inherits_the_modules() -> None:
    model = load_model("werknemers-2019")
    assert set(NEW_MODULES) <= set(model.module_targets)
    for item in ("job_insec", "turnover", "shiftwork", "commute_min", "bo_pesten"):
        assert item in model.items
