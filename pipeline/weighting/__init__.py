"""Weighting to population margins: raking, calibration, post-stratification, trimming, design weights.

Modules (each owns one thing):

- :mod:`~pipeline.weighting.raking`: the numerical core, IPF on a compressed cell table (numpy only);
  :func:`prepare` / :class:`RakePlan` for re-raking bootstrap replicates.
- :mod:`~pipeline.weighting.calibration`: linear / raking / logit calibration with bounds (Newton, as
  R survey's ``grake``).
- :mod:`~pipeline.weighting.margins`: the margins spec (frozen dataclasses) and its file format.
- :mod:`~pipeline.weighting.coding`: data columns to margin level codes, with clear errors.
- :mod:`~pipeline.weighting.collapse`, :mod:`~pipeline.weighting.trimming`,
  :mod:`~pipeline.weighting.design`: sparse levels, weight caps, design weights and nonresponse.
- :mod:`~pipeline.weighting.api`: :func:`weight_frame`, the high-level entry point.
- :mod:`~pipeline.weighting.result`: its typed, frozen result (:class:`WeightingResult`).
- :mod:`~pipeline.weighting.diagnostics`: achieved vs target, Kish deff, JSON and the HTML report.

Importing this package loads numpy only (pandas, PyYAML and jinja2 load when used).
"""

from pipeline.weighting.api import weight_frame
from pipeline.weighting.margins import Margins, load_margins
from pipeline.weighting.raking import RakePlan, RakeResult, prepare, rake
from pipeline.weighting.result import CalibrationInfo, WeightingResult
from pipeline.weighting.trimming import TrimSpec

__all__ = [
    "CalibrationInfo",
    "Margins",
    "RakePlan",
    "RakeResult",
    "TrimSpec",
    "WeightingResult",
    "load_margins",
    "prepare",
    "rake",
    "weight_frame",
]
