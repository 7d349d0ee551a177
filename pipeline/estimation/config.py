"""Estimation options as one frozen, validated object (no option is read from anywhere else)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pipeline.errors import SpecError, one_of
from pipeline.estimation.reliability import ReliabilityRules

CiMethod = Literal["auto", "logit", "korn_graubard"]
CI_METHODS: tuple[str, ...] = ("auto", "logit", "korn_graubard")
Stat = Literal["proportion", "mean", "total"]
STATS: tuple[str, ...] = ("proportion", "mean", "total")
VarianceMethod = Literal["linearization", "bootstrap"]
VARIANCE_METHODS: tuple[str, ...] = ("linearization", "bootstrap")


@dataclass(frozen=True)
class EstimationConfig:
    """How estimates, intervals, tests and flags are computed.

    ``ci_method`` (proportions only): ``logit`` (R's ``svyciprop(method="logit")``),
    ``korn_graubard`` (``method="beta"``), or ``auto``: logit, but Korn-Graubard for extreme
    proportions (``p <= kg_extreme`` or ``p >= 1 - kg_extreme``, including 0 and 1, where the logit
    interval does not exist). Means and totals get ``estimate +/- t(df) se``.
    ``alpha``: significance level of the domain and wave comparisons.
    """

    level: float = 0.95
    ci_method: CiMethod = "auto"
    kg_extreme: float = 0.05
    alpha: float = 0.05
    reliability: ReliabilityRules = field(default_factory=ReliabilityRules)

    def __post_init__(self) -> None:
        problems = []
        if not 0.5 < self.level < 1.0:
            problems.append(f"level must be in (0.5, 1) (found {self.level!r})")
        if self.ci_method not in CI_METHODS:
            problems.append(one_of(self.ci_method, CI_METHODS))
        if not 0.0 <= self.kg_extreme < 0.5:
            problems.append(f"kg_extreme must be in [0, 0.5) (found {self.kg_extreme!r})")
        if not 0.0 < self.alpha < 0.5:
            problems.append(f"alpha must be in (0, 0.5) (found {self.alpha!r})")
        if problems:
            raise SpecError(
                "invalid estimation options: " + "; ".join(problems), code="bad_estimation_config"
            )
