"""Link each response to the sample frame by its sample id and fill weighting variables that are
blank or invalid on the form with the frame's (register) value, logging every edit.

Runs on one harmonised table, after harmonisation and before the case checks, so a filled row is
weighted instead of being set aside (``weighting_variable_missing``). For a derived weighting
variable (``age_band`` from ``age``) the source item is filled from the frame's ``age`` when the
frame has it (else the band itself from the frame's ``age_band``) and the band is derived again.
A response whose id is not in the frame gets the issue ``frame_unlinked``; a weighting variable
answered on the form but different from the register is reported (``frame_disagrees``) and kept:
the answer is the respondent's, the margins come from the register.

Register-only variables (:data:`pipeline.rundata.columns.REGISTER_ONLY`: origin), which the form
does not ask, are carried into the run's data by :func:`carry_register`: every value taken is an
edit (rule ``frame_register``, old value blank), so where a row's origin came from is in the edit
log like every other frame value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.frame.model import SampleFrame
from pipeline.ingest.parse import fmt_number
from pipeline.rundata.columns import REGISTER_ONLY
from pipeline.validate.compiled import Compiled, derived_columns
from pipeline.validate.harmonise import TableData

RULE = "frame_value"
REGISTER_RULE = "frame_register"


def carried_variables(c: Compiled, frame: SampleFrame) -> tuple[str, ...]:
    """The register-only variables of ``frame`` that validation carries into the data (those the
    questionnaire does not itself ask)."""
    own = set(c.q.known_variables())
    return tuple(v for v in REGISTER_ONLY if v in frame.values and v not in own)


def carry_register(c: Compiled, td: TableData, frame: SampleFrame) -> dict[str, int]:
    """Take the register-only variables from ``frame`` by sample id into ``td.register`` (NaN where
    the response is not in the frame or the frame has no value); every value taken is logged as an
    edit (rule ``frame_register``). Returns the number of values taken per variable."""
    row = frame.lookup(td.texts[c.id_variable])
    linked = row >= 0
    taken: dict[str, int] = {}
    for var in carried_variables(c, frame):
        v = np.full(td.n, np.nan)
        v[linked] = frame.values[var][row[linked]]
        rows = np.flatnonzero(np.isfinite(v))
        td.log.edit(rows, var, [None] * int(rows.size), v[rows], REGISTER_RULE)
        td.register[var] = v
        taken[var] = int(rows.size)
    return taken


def _source_of(c: Compiled, var: str) -> tuple[str, str] | None:
    """(item to fill, frame column to fill it from) for weighting variable ``var``."""
    for d in c.q.derived:
        if d.name == var:
            return d.source, d.source
    return var, var


def link_frame(c: Compiled, td: TableData, frame: SampleFrame) -> dict[str, int]:
    """Fill from ``frame`` in place (values, edit log, issues); returns counts per item filled."""
    ids = td.texts[c.id_variable]
    row = frame.lookup(ids)
    linked = row >= 0
    unlinked = np.flatnonzero(~linked & (ids != ""))
    td.log.issue(
        "frame_unlinked",
        unlinked,
        item=c.id_variable,
        values=[str(ids[i]) for i in unlinked],
        details=frame.source,
    )
    filled: dict[str, int] = {}
    derived = {d.name for d in c.q.derived}
    for var in c.q.weighting:
        if var not in td.values:
            continue
        item, column = _source_of(c, var)  # type: ignore[misc]
        if column not in frame.values and var in derived and var in frame.values:
            item, column = var, var  # no age in the frame: take the band itself
        if column not in frame.values or item not in td.values:
            continue
        fv = np.full(td.n, np.nan)
        fv[linked] = frame.values[column][row[linked]]
        missing = ~(td.values[var] >= 0)
        rows = np.flatnonzero(missing & np.isfinite(fv))
        if rows.size:
            old = [fmt_number(x) for x in td.values[item][rows]]
            td.log.edit(rows, item, old, fv[rows], RULE)
            td.log.issue(
                "frame_value_used",
                rows,
                item=item,
                values=old,
                details=[fmt_number(x) for x in fv[rows]],
            )
            td.values[item][rows] = fv[rows]
            filled[item] = int(rows.size)
        # answered, but not what the register says (compared on the weighting variable itself)
        if var in frame.values:
            reg = np.full(td.n, np.nan)
            reg[linked] = frame.values[var][row[linked]]
            differs = np.flatnonzero(
                (td.values[var] >= 0) & np.isfinite(reg) & (td.values[var] != reg) & ~missing
            )
            td.log.issue(
                "frame_disagrees",
                differs,
                item=var,
                values=[fmt_number(x) for x in td.values[var][differs]],
                details=[fmt_number(x) for x in reg[differs]],
            )
    if any(k not in derived for k in filled):
        td.values.update(derived_columns(c.q, td.values))
    return filled


def frame_response(
    frame: SampleFrame,
    accepted: pd.DataFrame,
    issues: pd.DataFrame,
    *,
    id_variable: str = "sample_id",
    strata: tuple[str, ...] = (),
    labels: dict[str, dict[int, str]] | None = None,
) -> dict[str, object]:
    """Response against the frame for the validation report: invited, accepted respondents by
    mode and by register variable, and the frame link's own counts. ``id_variable``: the
    questionnaire's id (``org_id`` in the enterprise survey), linked to the frame's ``sample_id``."""
    row = frame.lookup(accepted[id_variable].astype(str).to_numpy(dtype=object))
    mode = np.full(frame.n, "", dtype=object)
    ok = row >= 0
    mode[row[ok]] = accepted["_mode"].astype(str).to_numpy()[ok]
    modes = sorted({m for m in mode if m})
    by_mode = {m: int((mode == m).sum()) for m in modes}
    by_variable: dict[str, list[dict[str, object]]] = {}
    for var in frame.variables:
        if var == "age":
            continue
        v = frame.values[var]
        rows = []
        for level in sorted({x for x in v.tolist() if x == x}):
            m = v == level
            n = int(m.sum())
            k = int((m & (mode != "")).sum())
            rows.append({"level": fmt_number(level), "invited": n, "respondents": k, "rate": k / n})
        by_variable[var] = rows
    codes = issues["code"].value_counts().to_dict() if len(issues) else {}
    respondents = int((mode != "").sum())
    return {
        "file": frame.source,
        "invited": frame.n,
        "respondents": respondents,
        "rate": respondents / frame.n if frame.n else None,
        "by_mode": by_mode,
        "by_variable": by_variable,
        "filled": int(codes.get("frame_value_used", 0)),
        "unlinked": int(codes.get("frame_unlinked", 0)),
        "disagree": int(codes.get("frame_disagrees", 0)),
        "aapor": aapor_by_stratum(frame, strata, labels or {}),
        "r_indicator": representativeness(frame, mode),
    }


def representativeness(frame: SampleFrame, mode: np.ndarray) -> dict[str, object] | None:
    """The R-indicator of the accepted response on the frame's complete register variables (the
    response model of ``wbm fieldwork``), its CI and the variable that drives the imbalance most;
    None when it cannot be computed (no complete variable, nobody or everybody responded)."""
    from pipeline.errors import PipelineError
    from pipeline.fieldwork.api import MODEL_VARIABLES
    from pipeline.fieldwork.propensity import factors_from_values, frame_design
    from pipeline.fieldwork.rindicator import r_indicator

    chosen = [
        v for v in MODEL_VARIABLES if v in frame.values and np.isfinite(frame.values[v]).all()
    ]
    responded = (mode != "").astype(np.float64)
    if not chosen or frame.n < 3 or responded.min() == responded.max():
        return None
    try:
        design = frame_design(frame.design_weight, frame.stratum, frame.n, population=None)
        factors = factors_from_values(chosen, [frame.values[v] for v in chosen])
        r = r_indicator(design, factors, responded)
    except PipelineError:
        return None
    top = max(r.variables_partial, key=lambda v: v.unconditional, default=None)
    return {
        "r": r.r,
        "ci_low": r.ci_low,
        "ci_high": r.ci_high,
        "cv": r.cv,
        "variables": list(r.variables),
        "strongest": None if top is None else top.variable,
    }


def aapor_by_stratum(
    frame: SampleFrame, strata: tuple[str, ...], labels: dict[str, dict[int, str]]
) -> dict[str, object] | None:
    """AAPOR response rates RR1-RR4 of the frame's final dispositions: all units, then per stratum
    (the combination of the ``strata`` variables' codes, joined by ``*``; ``label`` from
    ``labels``, variable -> code -> label); None without dispositions."""
    from pipeline.fieldwork.aapor import CODES, rates

    if frame.disposition is None:
        return None
    disp = frame.disposition

    def row(level: str, mask: np.ndarray, label: str = "") -> dict[str, object]:
        keys, counts = np.unique(disp[mask], return_counts=True)
        r = rates({str(k): int(c) for k, c in zip(keys, counts, strict=True)})
        return {
            "level": level,
            "label": label,
            "sampled": r.sampled,
            "counts": {k: r.count(k) for k in CODES},
            **{
                k: (None if v != v else v)
                for k, v in (
                    ("e", r.e),
                    ("rr1", r.rr1),
                    ("rr2", r.rr2),
                    ("rr3", r.rr3),
                    ("rr4", r.rr4),
                )
            },  # NaN (no eligible unit) as None: JSON
        }

    rows = [row("", np.ones(frame.n, dtype=bool))]
    used = [v for v in strata if v in frame.values]
    if used:
        cols = np.column_stack([frame.values[v] for v in used])
        levels = sorted({tuple(x) for x in cols.tolist() if all(v == v for v in x)})
        for lv in levels:
            mask = np.all(cols == np.asarray(lv), axis=1)
            label = " / ".join(
                labels.get(v, {}).get(int(x), fmt_number(x)) for v, x in zip(used, lv, strict=True)
            )
            rows.append(row("*".join(fmt_number(x) for x in lv), mask, label))
    return {"strata": used, "keys": list(CODES), "rows": rows}
