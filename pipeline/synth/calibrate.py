"""Exact expectations under the generator's model, and the calibration of its free parameters.

Expectations are numerical integrals, not simulations, so they are deterministic and fast:

* An indicator's curve ``c(eta)`` (probability of a problem given the latent, all items answered;
  :func:`pipeline.synth.itemmodel.indicator_curves`) is tabulated on a fine grid. Within a population
  cell the latent is normal with the cell's mean and variance 1, so the cell's rate is the curve
  smoothed with a standard normal kernel, read at the cell's mean.
* The composite (no problem on any of its indicators) conditions on the common factor ``F``: given
  ``F`` the indicators are independent, so the cell's rate is the integral over ``F`` of the product
  of the indicators' no-problem curves, each smoothed with the kernel of the remaining noise
  ``sqrt(1 - loading**2)``. The integral over ``F`` uses a uniform grid (weights of the normal density).

Calibration solves, by Brent's method on these expectations over the population cells: one intercept
per latent so that its indicator's population rate equals its target; the common loading of the
composite's latents so that the composite equals its target; the response intercept so that the
expected response rate equals ``response.rate``; and the web intercept so that the expected web share
among respondents equals ``response.web_share``. It takes well under a second, so it is not cached.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from pipeline.errors import Problem, SpecError
from pipeline.synth.itemmodel import GRID
from pipeline.synth.spec import SynthModel

STEP = float(GRID[1] - GRID[0])
F_NODES = np.linspace(-7.0, 7.0, 281)
F_WEIGHTS = np.exp(-0.5 * F_NODES**2) / np.exp(-0.5 * F_NODES**2).sum()
MAX_LOADING = 0.995
DECIMALS = 9  # calibrated parameters are rounded: stable across platforms, far below any effect


def smooth(curve: np.ndarray, sigma: float) -> np.ndarray:
    """``E[curve(t + sigma * Z)]`` on the grid (Z standard normal), edges held constant."""
    if sigma * 8 < STEP:
        return curve.copy()
    half = int(np.ceil(8 * sigma / STEP))
    x = np.arange(-half, half + 1) * STEP
    kernel = np.exp(-0.5 * (x / sigma) ** 2)
    kernel /= kernel.sum()
    padded = np.concatenate([np.full(half, curve[0]), curve, np.full(half, curve[-1])])
    return np.convolve(padded, kernel, mode="valid")


def at(curve: np.ndarray, t: np.ndarray) -> np.ndarray:
    return np.interp(t, GRID, curve)


def cell_rates(curve: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Rate of a traffic-light column per cell (latent N(mean, 1))."""
    return at(smooth(curve, 1.0), means)


def none_rates(curves: list[np.ndarray], means: np.ndarray, loadings: np.ndarray) -> np.ndarray:
    """P(no problem on any of ``curves``) per cell; ``means`` is (cells, k) incl. intercepts."""
    prod = np.ones((means.shape[0], F_NODES.shape[0]))
    for j, c in enumerate(curves):
        lam = float(loadings[j])
        g = 1.0 - smooth(c, float(np.sqrt(max(1.0 - lam * lam, 0.0))))
        prod *= at(g, means[:, j, None] + lam * F_NODES[None, :])
    return prod @ F_WEIGHTS


def collapse(rows: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of ``rows`` (cells with the same latent means) with their summed weights."""
    keep = weights > 0
    uniq, inverse = np.unique(rows[keep], axis=0, return_inverse=True)
    return uniq, np.bincount(inverse.ravel(), weights=weights[keep], minlength=uniq.shape[0])


def logistic(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


@dataclass(frozen=True)
class Calibration:
    """The calibrated parameters (plain numbers; rounded to :data:`DECIMALS`)."""

    intercepts: tuple[tuple[str, float], ...]  # (scale, intercept)
    loadings: tuple[tuple[str, float], ...]  # (scale, loading)
    composite_loading: float  # NaN without a composite
    response_intercept: float
    web_intercept: float  # NaN without a web share (one mode)

    def intercept_array(self, scales: tuple[str, ...]) -> np.ndarray:
        d = dict(self.intercepts)
        return np.array([d[s] for s in scales])

    def loading_array(self, scales: tuple[str, ...]) -> np.ndarray:
        d = dict(self.loadings)
        return np.array([d[s] for s in scales])


def _solve(f: Callable[[float], float], lo: float, hi: float, what: str, path: str) -> float:
    flo, fhi = f(lo), f(hi)
    if flo * fhi > 0:
        raise SpecError(
            f"cannot calibrate the synthetic model: {what} is out of reach",
            [
                Problem(
                    f"the target cannot be met for any value in [{lo}, {hi}]",
                    path=path,
                    value=(round(flo, 6), round(fhi, 6)),
                    hint="change the target or the effects in the model file (pipeline/synth/models/)",
                    code="calibration_out_of_reach",
                )
            ],
        )
    return round(float(brentq(f, lo, hi, xtol=1e-12, rtol=1e-12)), DECIMALS)


def calibrate(
    model: SynthModel,
    scales: tuple[str, ...],
    owners: tuple[str | None, ...],
    composite_of: tuple[str, ...],
    curves: Mapping[str, np.ndarray],
    means: np.ndarray,
    counts: np.ndarray,
    response_linear: np.ndarray,
    web_linear: np.ndarray,
    *,
    sampled: np.ndarray | None = None,
) -> Calibration:
    """Solve the free parameters.

    ``scales``/``owners``: latents in order and the indicator that drives each; ``composite_of``: the
    indicators of the composite; ``means`` (cells, scales) latent means without intercepts over the
    population cells with ``counts``; ``response_linear``/``web_linear`` the linear predictors per cell;
    ``sampled``: the expected sample per cell (default ``counts``: a simple random sample), over which
    the response rate is calibrated.
    """
    w = counts / counts.sum()
    intercepts = np.zeros(len(scales))
    for j, ind in enumerate(owners):
        spec = model.traits.indicators.get(ind or "")
        if spec is None or spec.target is None or ind is None:
            continue
        g = smooth(curves[ind], 1.0)
        col, target = means[:, j], spec.target.value

        def rate(b: float, g: np.ndarray = g, col: np.ndarray = col, t: float = target) -> float:
            return float(at(g, col + b) @ w) - t

        intercepts[j] = _solve(
            rate, -8.0, 8.0, f"the rate of {ind}", f"traits.indicators.{ind}.target"
        )
    loadings = np.full(len(scales), model.traits.other_loading.value)
    lam = float("nan")
    comp_target = model.traits.composite_target
    if composite_of and model.traits.composite is not None and comp_target is not None:
        members = [owners.index(i) for i in composite_of]
        m, wm = collapse(means[:, members] + intercepts[None, members], w)
        member_curves = [curves[i] for i in composite_of]

        def composite(lam: float, t: float = comp_target.value) -> float:
            return float(none_rates(member_curves, m, np.full(len(members), lam)) @ wm) - t

        lam = _solve(
            composite,
            0.0,
            MAX_LOADING,
            f"the rate of {model.traits.composite}",
            "traits.composite_target",
        )
        loadings[members] = lam
    resp_rate = model.response.rate.value
    ws = w if sampled is None else sampled / sampled.sum()
    alpha = _solve(
        lambda a: float(logistic(a + response_linear) @ ws) - resp_rate,
        -15.0,
        15.0,
        "the response rate",
        "response.rate",
    )
    gamma = float("nan")
    if model.response.web_share is not None:
        share = model.response.web_share.value
        resp = logistic(alpha + response_linear) * ws
        gamma = _solve(
            lambda g: float(logistic(g + web_linear) @ resp / resp.sum()) - share,
            -15.0,
            15.0,
            "the web share",
            "response.web_share",
        )
    return Calibration(
        intercepts=tuple(
            (s, round(float(b), DECIMALS)) for s, b in zip(scales, intercepts, strict=True)
        ),
        loadings=tuple(
            (s, round(float(x), DECIMALS)) for s, x in zip(scales, loadings, strict=True)
        ),
        composite_loading=lam,
        response_intercept=alpha,
        web_intercept=gamma,
    )
