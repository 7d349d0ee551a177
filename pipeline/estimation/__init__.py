"""Design-based estimation: weighted proportions, means and totals with linearization or bootstrap
standard errors that account for strata, clustering, finite population correction and raking;
confidence intervals, design effects, domain and wave comparisons, and reliability flags.

Modules (each owns one thing):

- :mod:`~pipeline.estimation.design`: the design spec (:class:`Design`, :class:`Calibration`).
- :mod:`~pipeline.estimation.linearization`: the variance engine (and R's ``svyrecvar`` as reference).
- :mod:`~pipeline.estimation.domains`: point estimates, SEs, deff, CIs and flags per domain.
- :mod:`~pipeline.estimation.ci`: logit, Korn-Graubard and t intervals.
- :mod:`~pipeline.estimation.compare`: domain-vs-rest and wave-vs-wave tests.
- :mod:`~pipeline.estimation.bootstrap`: replicate weights with re-raking.
- :mod:`~pipeline.estimation.reliability`: flags from unweighted n.
- :mod:`~pipeline.estimation.config`: the frozen options object.
- :mod:`~pipeline.estimation.runmodel`: the design of a run's weights from its recorded
  calibration model (``02_weight/calibration.json``).
- :mod:`~pipeline.estimation.api`: the pandas edge (``estimate_table``, ``compare_domains``, ...).

Importing this package loads nothing else; the names below load their module on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Design": "design",
    "Calibration": "design",
    "make_design": "design",
    "make_calibration": "design",
    "EstimationConfig": "config",
    "ReliabilityRules": "reliability",
    "mask_suppressed": "reliability",
    "DesignSpec": "api",
    "Estimates": "api",
    "estimate": "api",
    "estimate_table": "api",
    "compare_domains": "api",
    "design_from_frame": "api",
    "calibration_from_columns": "api",
    "write_csv": "api",
    "TABLE_COLUMNS": "api",
    "compare_waves": "compare",
    "design_from_model": "runmodel",
    "calibration_from_model": "runmodel",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        mod = importlib.import_module(f"pipeline.estimation.{_EXPORTS[name]}")
        return getattr(mod, name)
    raise AttributeError(f"module 'pipeline.estimation' has no attribute {name!r}")
