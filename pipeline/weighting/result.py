"""The typed, frozen results of weighting (what :func:`pipeline.weighting.api.weight_frame`
returns), in their own module so the API, the diagnostics and the calibration model can all import
them without an import circle."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pipeline.errors import Notice
from pipeline.weighting.trimming import TrimSpec


@dataclass(frozen=True)
class MarginCheck:
    margin: str
    level: str
    target: float
    achieved: float
    rel_error: float  # |achieved - target| / target (target 0: relative to the population)
    n: int  # sample rows in the level


@dataclass(frozen=True)
class Diagnostics:
    n: int
    n_positive: int
    total: float
    kish_deff: float  # n * sum(w^2) / sum(w)^2
    effective_n: float  # sum(w)^2 / sum(w^2)
    mean: float
    cv: float
    quantiles: tuple[tuple[float, float], ...]
    largest: tuple[tuple[int, float], ...]  # (row, weight), the 10 largest
    max_to_median: float


@dataclass(frozen=True, eq=False)
class CalibrationInfo:
    """What a variance engine needs for calibration-aware SEs (g = final / base)."""

    variables: tuple[tuple[str, ...], ...]  # column names per margin (one tuple per margin)
    names: tuple[str, ...]  # margin names ("sex", "sex*age_band")
    codes: tuple[np.ndarray, ...]  # level index per row, per margin
    labels: tuple[tuple[str, ...], ...]  # level names per margin
    targets: tuple[np.ndarray, ...]  # population totals per margin
    base_weights: np.ndarray  # pre-calibration weights
    final_weights: np.ndarray
    method: str = "raking"

    @property
    def g(self) -> np.ndarray:
        return np.divide(
            self.final_weights,
            self.base_weights,
            out=np.zeros_like(self.final_weights),
            where=self.base_weights > 0,
        )


@dataclass(frozen=True, eq=False)
class WeightingResult:
    weight: np.ndarray  # expansion weight: sums to the population
    weight_normalised: np.ndarray  # sums to the number of rows
    converged: bool
    iterations: int
    history: tuple[float, ...]
    margins: tuple[MarginCheck, ...]  # achieved vs target
    diagnostics: Diagnostics
    notices: tuple[Notice, ...]
    calibration: CalibrationInfo
    method: str
    bounds: tuple[float, float] | None = None
    trim: TrimSpec | None = None
    trim_cap: float | None = None
    settings: dict[str, object] = field(default_factory=dict)

    @property
    def max_error(self) -> float:
        return max((m.rel_error for m in self.margins), default=0.0)
