"""Mode effects on constructed data whose selection and measurement effects are known exactly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from pipeline.errors import EstimationError
from pipeline.fieldwork.modes import mode_effects
from pipeline.fieldwork.propensity import factors_from_values, frame_design


def expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass(frozen=True)
class World:
    """Register groups a (3) x b (2) with equal shares; response, mode choice and the answer depend
    on them; answering on the web adds ``delta`` on the logit scale (the measurement effect)."""

    delta: float = 0.4

    def cells(self) -> tuple[np.ndarray, np.ndarray]:
        a, b = np.meshgrid(np.arange(3), np.arange(2), indexing="ij")
        return a.ravel(), b.ravel()

    def p_resp(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return expit(-0.6 + 0.5 * a - 0.3 * b)

    def p_web(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return expit(-0.9 + 1.2 * b + 0.5 * a)

    def p_y(self, a: np.ndarray, b: np.ndarray, web: np.ndarray | float) -> np.ndarray:
        return expit(-0.3 + 0.6 * a + 0.7 * b + self.delta * web)

    def truth(self) -> tuple[float, float]:
        """(measurement, selection) of web minus paper, exactly."""
        a, b = self.cells()
        measurement = float(np.mean(self.p_y(a, b, 1.0) - self.p_y(a, b, 0.0)))
        ww = self.p_resp(a, b) * self.p_web(a, b)
        wp = self.p_resp(a, b) * (1 - self.p_web(a, b))
        raw = float(
            np.sum(ww * self.p_y(a, b, 1.0)) / ww.sum()
            - np.sum(wp * self.p_y(a, b, 0.0)) / wp.sum()
        )
        return measurement, raw - measurement

    def draw(self, n: int, rng: np.random.Generator):
        a = rng.integers(0, 3, n)
        b = rng.integers(0, 2, n)
        resp = rng.random(n) < self.p_resp(a, b)
        web = rng.random(n) < self.p_web(a, b)
        mode = np.where(resp, np.where(web, 1, 0), -1)
        y = (rng.random(n) < self.p_y(a, b, web.astype(float))).astype(float)
        y[~resp] = np.nan
        y[resp & (rng.random(n) < 0.03)] = np.nan  # item nonresponse on the indicator
        des = frame_design(None, None, n, population=2_000_000)
        return des, factors_from_values(["a", "b"], [a, b]), mode, y


@pytest.mark.parametrize("method", ["calibration", "propensity"])
def test_selection_and_measurement_recovered_within_their_cis(method: str) -> None:
    world = World()
    true_m, true_s = world.truth()
    assert abs(true_s) > 0.02 and abs(true_m) > 0.05  # both effects are there by construction
    rng = np.random.default_rng(5)
    reps, hits_m, hits_s, est_m = 120, 0, 0, []
    for _ in range(reps):
        des, f, mode, y = world.draw(6000, rng)
        me = mode_effects(
            des, f, mode, ["paper", "web"], {"y": y}, reference="paper", method=method
        )
        c = me.contrast("y", "web")
        lo, hi = c.ci("adjusted")
        hits_m += int(lo <= true_m <= hi)
        lo, hi = c.ci("selection")
        hits_s += int(lo <= true_s <= hi)
        est_m.append(c.adjusted)
        assert c.raw == pytest.approx(c.selection + c.adjusted)
    assert 0.88 <= hits_m / reps <= 1.0
    assert 0.88 <= hits_s / reps <= 1.0
    assert abs(np.mean(est_m) - true_m) < 0.01


def test_no_measurement_effect_means_the_difference_is_selection() -> None:
    world = World(delta=0.0)
    des, f, mode, y = world.draw(30_000, np.random.default_rng(9))
    c = mode_effects(des, f, mode, ["paper", "web"], {"y": y}, reference="paper").contrast(
        "y", "web"
    )
    assert c.significant("selection")
    assert not c.significant("adjusted")
    assert abs(c.selection - c.raw) < abs(c.raw) / 2


def test_calibrated_weights_of_each_mode_reproduce_the_frame_totals() -> None:
    from pipeline.fieldwork.modes import _calibrate

    des, f, mode, _ = World().draw(5000, np.random.default_rng(2))
    for k in (0, 1):
        adj, _ = _calibrate(des, f, mode == k)
        for c in f.codes:
            np.testing.assert_allclose(
                np.bincount(c, weights=adj.weights), np.bincount(c, weights=des.weights), rtol=1e-8
            )


def test_estimates_per_mode_and_errors() -> None:
    des, f, mode, y = World().draw(4000, np.random.default_rng(4))
    me = mode_effects(des, f, mode, ["paper", "web"], {"y": y}, reference="paper")
    paper = next(e for e in me.estimates if e.mode == "paper")
    obs = (mode == 0) & np.isfinite(y)
    assert paper.n == int(obs.sum())
    assert paper.raw == pytest.approx(float(np.nanmean(y[mode == 0])))
    assert me.to_dict()["contrasts"][0]["adjusted_ci_low"] < me.contrasts[0].adjusted  # type: ignore[index]
    with pytest.raises(EstimationError) as e:
        mode_effects(des, f, mode, ["paper", "web"], {"y": y}, reference="cati")
    assert e.value.code == "bad_option"
    with pytest.raises(EstimationError) as e2:
        mode_effects(des, f, mode, ["paper", "web"], {"y": y}, reference="paper", method="x")
    assert e2.value.code == "bad_option"
