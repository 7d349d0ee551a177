"""Weighting to population margins: raking, calibration, post-stratification, trimming, design weights.

The numerical core (:mod:`pipeline.weighting.raking`, :mod:`pipeline.weighting.calibration`) works on
numpy arrays only; :mod:`pipeline.weighting.margins` holds the margins spec and its file format; the
pandas-facing API is :func:`pipeline.weighting.api.weight_frame`.
"""

from pipeline.weighting.raking import RakePlan, RakeResult, prepare, rake

__all__ = ["RakePlan", "RakeResult", "prepare", "rake"]
