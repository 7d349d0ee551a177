"""Latent traits: cell means from the model's effects, and person-level draws.

Per scale ``s`` a person in population cell ``c`` has a latent trait in the direction of the scale's
problem (higher = more likely a problem)::

    eta_s = mean_s(c) + intercept_s + loading_s * F + sqrt(1 - loading_s**2) * e_s

with ``mean_s(c)`` the sum of the model's effects of the cell's sex, age band, sector and statute,
``F`` one common factor and ``e_s`` independent noise (all standard normal). Within a cell every
``eta_s`` has variance 1 whatever the loadings; the common factor makes problems go together, which is
what brings the share with no problem at all (werkbaar werk) up to its published level. Intercepts and
the composite's loading are calibrated (:mod:`pipeline.synth.calibrate`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from pipeline.synth.itemmodel import ScaleResponse
from pipeline.synth.spec import Effects, SynthModel


def linear_effects(effects: Effects, cell_codes: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    """Sum of additive effects per row; codes without an effect add 0."""
    out = np.zeros(n)
    for var, table in effects.items():
        if not table:
            continue
        codes = np.asarray(cell_codes[var], dtype=np.int64)
        keys = np.array(sorted(table), dtype=np.int64)
        vals = np.array([table[k] for k in sorted(table)], dtype=np.float64)
        pos = np.clip(np.searchsorted(keys, codes), 0, keys.shape[0] - 1)
        out += np.where(keys[pos] == codes, vals[pos], 0.0)
    return out


def trait_means(
    model: SynthModel,
    scales: tuple[ScaleResponse, ...],
    cell_codes: Mapping[str, np.ndarray],
    n: int,
) -> np.ndarray:
    """(n, n_scales) latent means without intercepts; a scale whose indicator has no entry in the
    model gets mean 0 everywhere."""
    out = np.zeros((n, len(scales)))
    for j, s in enumerate(scales):
        spec = model.traits.indicators.get(s.indicator or "")
        if spec is not None:
            out[:, j] = linear_effects(spec.effects, cell_codes, n)
    return out


@dataclass(frozen=True, eq=False)
class LatentDraw:
    """Problem-direction latents of every person: ``eta[:, j]`` for ``scales[j]``."""

    scales: tuple[str, ...]
    eta: np.ndarray

    def of(self, scale: str) -> np.ndarray:
        return self.eta[:, self.scales.index(scale)]


def draw_latents(
    means: np.ndarray,
    intercepts: np.ndarray,
    loadings: np.ndarray,
    scales: tuple[str, ...],
    rng: np.random.Generator,
) -> LatentDraw:
    """One draw of every person's latents (``means`` already per person)."""
    n, k = means.shape
    common = np.asarray(rng.standard_normal(n))
    noise = np.asarray(rng.standard_normal((n, k)))
    unique = np.sqrt(1.0 - loadings**2)
    eta = (
        means + intercepts[None, :] + loadings[None, :] * common[:, None] + unique[None, :] * noise
    )
    return LatentDraw(scales, eta)
