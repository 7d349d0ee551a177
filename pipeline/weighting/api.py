"""The high-level weighting API: a data frame and margins in, a typed frozen result out.

Used by ``wbm weight``, the pipeline's weight stage and the estimation engine (which takes
``result.calibration`` to compute calibration-aware standard errors like R survey).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pipeline.errors import Notice, Problem, WeightingError, one_of
from pipeline.rundata.weights import CODE as WEIGHT_CODE
from pipeline.rundata.weights import summary as weights_summary
from pipeline.rundata.weights import weight_problems
from pipeline.weighting.calibration import Bounds, calibrate
from pipeline.weighting.coding import build_codes
from pipeline.weighting.collapse import apply_collapse
from pipeline.weighting.diagnostics import diagnose, margin_checks
from pipeline.weighting.margins import Margins, looks_like_percentages
from pipeline.weighting.raking import RakeResult, _readonly, prepare
from pipeline.weighting.result import CalibrationInfo, WeightingResult
from pipeline.weighting.trimming import TrimSpec
from pipeline.weighting.trimming import trim as run_trim

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

METHODS = ("raking", "linear", "logit", "poststratify")
#: How Dutch text (reports, table notes) names each method: words, not the option's name.
METHOD_LABELS_NL = {
    "raking": "iteratief bijwegen naar de marges",
    "linear": "lineaire kalibratie",
    "logit": "begrensde (logit-)kalibratie",
    "poststratify": "poststratificatie",
}


def base_weights_of(df: pd.DataFrame, base_weight: str | np.ndarray | None) -> np.ndarray:
    n = len(df)
    if base_weight is None:
        return np.ones(n)
    if isinstance(base_weight, str):
        if base_weight not in df.columns:
            raise WeightingError(
                f"base weight column {base_weight!r} is not in the data",
                problems=(
                    Problem(
                        "no such column",
                        column=base_weight,
                        expected=one_of(base_weight, [str(c) for c in df.columns], limit=20),
                        hint="give an existing column, or leave out --base-weight for "
                        "equal weights",
                        code="missing_column",
                    ),
                ),
                code="missing_column",
            )
        import pandas as pd

        col = pd.to_numeric(df[base_weight], errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        name = base_weight
    else:
        col = np.asarray(base_weight, dtype=np.float64)
        name = "base weight"
        if col.shape != (n,):
            raise WeightingError(
                f"base weights have shape {col.shape}, expected ({n},)", code=WEIGHT_CODE
            )
    shown = [str(v) for v in df[base_weight]] if isinstance(base_weight, str) else None
    problems = weight_problems(col, column=name, shown=shown)
    if problems:
        raise WeightingError(weights_summary(problems, name), problems, code=WEIGHT_CODE)
    return col


def _poststrat_margins(margins: Margins) -> Margins:
    allv = set(margins.variables)
    for m in margins.margins:
        if set(m.variables) == allv:
            return Margins((m,), margins.meta, margins.collapse, margins.source_file)
    raise WeightingError(
        "post-stratification needs one joint margin crossing all weighting variables "
        f"({'*'.join(margins.variables)}); these margins have only "
        + ", ".join(m.name for m in margins.margins)
        + ". Use raking, or add the joint margin.",
        code="bad_method",
    )


def weight_frame(
    df: pd.DataFrame,
    margins: Margins,
    *,
    base_weight: str | np.ndarray | None = None,
    method: str = "raking",
    bounds: tuple[float, float] | None = None,
    trim: TrimSpec | None = None,
    max_iter: int = 100,
    tol: float = 1e-10,
    file: str | None = None,
) -> WeightingResult:
    """Weight ``df`` to ``margins`` and return the weights with their diagnostics.

    ``method``: raking (IPF; with ``bounds`` bounded raking by Newton), linear, logit (needs
    ``bounds``), poststratify (one joint margin crossing all variables). ``bounds=(lo, hi)`` limit
    g = weight / (base weight scaled to the population). Declared collapse rules in ``margins`` are
    applied first and logged. Problems with the data or margins raise :class:`WeightingError`;
    non-convergence and caps that cannot be met come back as ``notices`` (``converged=False``).
    """
    if method not in METHODS:
        raise WeightingError(one_of(method, METHODS), code="bad_method")
    if method == "logit" and bounds is None:
        raise WeightingError(
            "logit calibration needs bounds (e.g. bounds=(0.3, 3))", code="bad_bounds"
        )
    if max_iter < 1 or not tol > 0:
        raise WeightingError(
            f"max_iter must be >= 1 and tol > 0 (found {max_iter}, {tol})", code="bad_option"
        )
    b = base_weights_of(df, base_weight)
    notices: list[Notice] = []
    if looks_like_percentages(margins):
        notices.append(
            Notice(
                "margins_look_like_percentages",
                "every margin adds up to exactly 100 and some level holds a fraction: these look "
                "like percentages, not population totals; the weights sum to 100 and estimated "
                "totals will be percentages",
                {"total": 100.0},
            )
        )
    df2, m2, coll = apply_collapse(df, margins)
    notices += coll
    if method == "poststratify":
        m2 = _poststrat_margins(m2)
    mc = build_codes(df2, m2, file=file)
    plan = prepare(mc.codes, mc.targets, names=mc.names, labels=mc.labels)
    bnd = Bounds(*bounds) if bounds is not None else None

    def fit(base: np.ndarray, targets: object = None) -> RakeResult:
        if method in ("raking", "poststratify") and bnd is None:
            return plan.rake(base, max_iter=max_iter, tol=tol, targets=targets)  # type: ignore[arg-type]
        return calibrate(
            plan,
            base,
            method="raking" if method == "poststratify" else method,
            bounds=bnd,
            max_iter=max_iter,
            tol=tol,
            targets=targets,  # type: ignore[arg-type]
        )

    res = fit(b)
    notices += res.notices
    cap = None
    if trim is not None:
        if not res.converged:
            notices.append(Notice("trim_skipped", "trimming skipped: the weights did not converge"))
        else:
            tr = run_trim(plan, b, res, trim, fit)
            res, cap = tr.fit, tr.cap
            notices += [n for n in tr.notices if n not in notices]
    w = np.array(res.weights, dtype=np.float64)
    n = w.shape[0]
    total = float(w.sum())
    w_norm = w * (n / total) if total > 0 else np.zeros_like(w)
    checks = margin_checks(mc, w)
    diag = diagnose(w)
    info = CalibrationInfo(
        variables=mc.variables,
        names=mc.names,
        codes=mc.codes,
        labels=mc.labels,
        targets=mc.targets,
        base_weights=_readonly(b.copy()),
        final_weights=_readonly(w.copy()),
        method=method,
    )
    return WeightingResult(
        weight=_readonly(w),
        weight_normalised=_readonly(w_norm),
        converged=res.converged,
        iterations=res.iterations,
        history=res.history,
        margins=checks,
        diagnostics=diag,
        notices=tuple(notices),
        calibration=info,
        method=method,
        bounds=bounds,
        trim=trim,
        trim_cap=cap,
        settings={"max_iter": max_iter, "tol": tol},
    )
