"""The calibration model a weighting result used, as the run records it
(:class:`pipeline.rundata.calibration.CalibrationModel`, ``02_weight/calibration.json``): margin
groups with the levels as used after collapsing (and the recode from the original levels), the
totals, method, bounds, trimming and the design columns."""

from __future__ import annotations

from pipeline.rundata.calibration import CalibrationModel, MarginGroup, Trim
from pipeline.weighting.result import WeightingResult


def _recodes(res: WeightingResult) -> dict[str, dict[str, str]]:
    """Original level -> used level of every collapsed variable, from the ``collapsed`` notices."""
    out: dict[str, dict[str, str]] = {}
    for n in res.notices:
        if n.code != "collapsed":
            continue
        data = n.details
        v = str(data.get("variable"))
        groups = data.get("groups")
        for g in groups if isinstance(groups, list) else []:
            for lv in str(g).split("+"):
                out.setdefault(v, {})[lv] = str(g)
    return out


def calibration_model(
    res: WeightingResult,
    *,
    base_weight: str | None = None,
    strata: str | None = None,
    strata_variables: tuple[str, ...] = (),
    psu: str | None = None,
    fpc: str | None = None,
) -> CalibrationModel:
    """The model of ``res`` with the design columns the caller wrote beside the weights."""
    info = res.calibration
    rec = _recodes(res)
    groups = tuple(
        MarginGroup(
            variables=tuple(vs),
            levels=tuple(labels),
            targets=tuple(float(t) for t in targets),
            recode=tuple((v, tuple(sorted(rec[v].items()))) for v in vs if v in rec),
        )
        for vs, labels, targets in zip(info.variables, info.labels, info.targets, strict=True)
    )
    trim = None
    if res.trim is not None:
        n_trimmed = 0
        kept = False
        for n in res.notices:
            if n.code == "trimmed":
                n_trimmed = int(n.details.get("n_trimmed", 0))  # type: ignore[call-overload]
            if n.code == "trim_infeasible" and n.details.get("kept_untrimmed"):
                kept = True
        trim = Trim(
            cap=res.trim.cap,
            median_k=res.trim.median_k,
            applied_cap=res.trim_cap,
            n_trimmed=0 if kept else n_trimmed,
            kept_untrimmed=kept,
        )
    return CalibrationModel(
        method=res.method,
        margins=groups,
        base_weight=base_weight,
        bounds=res.bounds,
        trim=trim,
        converged=res.converged,
        strata=strata,
        strata_variables=strata_variables,
        psu=psu,
        fpc=fpc,
    )
