"""The design of a run's weights, built from the calibration model the weight stage recorded
(:mod:`pipeline.rundata.calibration`): how the estimate stage, ``wbm table``, the reports and the
archive estimate, so every standard error follows the weighting actually done.

- margin groups as calibrated (a joint margin is one group; collapsed levels recoded to the levels
  used), their population totals, the base weights (``None``: 1);
- strata (one column holding the stratum), PSU and fpc (population size per stratum) columns.

The residual step of calibration-aware linearization is the same for every distance (linear,
raking, logit, bounded): only ``g = final / base`` differs (R ``survey``'s ``calibrate`` stores
``qr(mm * sqrt(w0))`` and ``w = g * sqrt(w0)`` whatever ``calfun``). Trimmed-and-refitted weights
are calibrated weights too (their margins hold), and get the same treatment with their own g.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pipeline.errors import InputError, Problem
from pipeline.rundata.levels import level_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.estimation.design import Calibration, Design
    from pipeline.rundata.calibration import CalibrationModel


def _texts(df: pd.DataFrame, variable: str, recode: dict[str, str]) -> list[str | None]:
    out: list[str | None] = []
    for v in df[variable].tolist():
        if v is None or (isinstance(v, float) and v != v):
            out.append(None)
            continue
        t = level_text(v)
        out.append(recode.get(t, t))
    return out


def calibration_from_model(
    df: pd.DataFrame, model: CalibrationModel, *, file: str | None = None
) -> Calibration:
    """The estimation engine's calibration of ``df``'s rows under ``model``."""
    from pipeline.estimation.api import calibration_from_columns, numeric_column, require_columns
    from pipeline.estimation.design import make_calibration

    require_columns(df, list(model.columns()), what="the weighted data", file=file)
    base = (
        numeric_column(df, model.base_weight, file)
        if model.base_weight
        else np.ones(len(df), dtype=np.float64)
    )
    if all(not g.levels for g in model.margins):  # a run without calibration.json
        frame = df[[v for g in model.margins for v in g.variables]].assign(_base_weight=base)
        return calibration_from_columns(
            frame, [list(g.variables) for g in model.margins], "_base_weight", file=file
        )
    codes: list[np.ndarray] = []
    for g in model.margins:
        index = {lv: i for i, lv in enumerate(g.levels)}
        parts = [_texts(df, v, g.recode_of(v)) for v in g.variables]
        code = np.empty(len(df), dtype=np.intp)
        bad: list[tuple[int, str]] = []
        for r, vals in enumerate(zip(*parts, strict=True)):
            key = None if any(x is None for x in vals) else "*".join(vals)
            i = index.get(key) if key is not None else None
            if i is None:
                bad.append((r, key or "(missing)"))
                code[r] = 0
            else:
                code[r] = i
        if bad:
            raise InputError(
                f"{len(bad)} row(s) have a level of margin {g.name} the calibration model lacks",
                [
                    Problem(
                        "level not among the margin's calibrated levels",
                        file=file,
                        row=r + 1,
                        column=g.name,
                        value=k,
                        expected=", ".join(g.levels[:10]),
                        hint="run the weight stage again: wbm run --stage weight",
                        code="bad_calibration_model",
                    )
                    for r, k in bad[:5]
                ],
                code="bad_calibration_model",
            )
        codes.append(code)
    return make_calibration(
        codes,
        base,
        n_levels=[len(g.levels) for g in model.margins],
        names=[g.name for g in model.margins],
        targets=[np.asarray(g.targets, dtype=np.float64) for g in model.margins],
    )


def design_from_model(
    df: pd.DataFrame,
    model: CalibrationModel,
    *,
    weight: str,
    lonely_psu: str = "fail",
    file: str | None = None,
) -> Design:
    """The estimation design of ``df`` (final weights in ``weight``) under the recorded model."""
    from pipeline.estimation.api import DesignSpec, design_from_frame

    cal = calibration_from_model(df, model, file=file)
    spec = DesignSpec(
        weight=weight, strata=model.strata, psu=model.psu, fpc=model.fpc, lonely_psu=lonely_psu
    )
    return design_from_frame(df, spec, calibration=cal, file=file)


def describe(model: CalibrationModel) -> str:
    """One line for diagnostics: what the variance follows."""
    parts = [f"{model.method} on " + ", ".join(g.name for g in model.margins)]
    if model.bounds is not None:
        parts.append(f"bounds {model.bounds[0]:g}-{model.bounds[1]:g}")
    if model.trim is not None and model.trim.applied_cap is not None:
        parts.append(f"trimmed at {model.trim.applied_cap:.6g}")
    if model.base_weight:
        parts.append(f"base weight {model.base_weight}")
    if model.strata:
        parts.append("strata " + "*".join(model.strata_variables or (model.strata,)))
    if model.fpc:
        parts.append("fpc")
    return "linearization, calibration-aware (" + "; ".join(parts) + ")"
