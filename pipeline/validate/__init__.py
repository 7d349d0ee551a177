"""Validation: harmonise raw responses to canonical codes, log every edit, check cases, set rows aside.

Public API::

    run_validation(q, inputs, out_dir, *, second_keyings=(), options=None) -> ValidationSummary
    validate_tables(q, raws, seconds=None, options=None) -> ValidationFrames   (in memory, nothing written)
    ValidationOptions, ValidationSummary, InputSummary, CATALOGUE, EDIT_RULES

Outputs (``01_validate/``): accepted.parquet, set_aside.parquet (``_reasons``), edits.parquet,
issues.parquet, diagnostics.json, validation_report.html.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "CATALOGUE",
    "EDIT_RULES",
    "InputSummary",
    "ValidationOptions",
    "ValidationSummary",
    "run_validation",
    "validate_tables",
]

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.validate.catalogue import CATALOGUE, EDIT_RULES
    from pipeline.validate.quality import ValidationOptions
    from pipeline.validate.result import InputSummary, ValidationSummary
    from pipeline.validate.run import run_validation, validate_tables

_WHERE = {
    "CATALOGUE": "pipeline.validate.catalogue",
    "EDIT_RULES": "pipeline.validate.catalogue",
    "ValidationOptions": "pipeline.validate.quality",
    "InputSummary": "pipeline.validate.result",
    "ValidationSummary": "pipeline.validate.result",
    "run_validation": "pipeline.validate.run",
    "validate_tables": "pipeline.validate.run",
}


def __getattr__(name: str) -> Any:  # lazy: importing the package loads no pandas/pandera
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(name)
