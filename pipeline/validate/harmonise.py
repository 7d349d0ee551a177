"""Harmonise one raw table to canonical codes, logging every change of a value.

Order (each step sees the result of the previous one; an edit's ``old_value`` is the value just
before that edit, so chains like ``2/3 -> -7 -> -1`` are fully traceable):

1. parse (text -> numbers; decimal commas read; several ticks and unreadable text flagged);
2. raw value checks with pandera (codes allowed, whole numbers, hard limits) -> -7, logged + issue;
   several ticks / unreadable text -> -7, logged + issue; soft limits -> issue only;
3. routing, upstream first: an item routing skips is -1. Paper: an answer is set to -1 (edit
   ``routing_not_applicable``). Web/CATI: the survey tool enforces routing, so an answer to a skipped
   item (or -1 on a shown item) is a programming error of the tool: issue ``routing_tool_error``, the
   value is **kept** (the tool and the questionnaire disagree; the researcher decides which is right).
   When the filter itself is unanswered (blank, -7, -8, -9) routing is unknown: answers are kept.
4. blanks: skipped item -> -1 (``blank_not_applicable``); otherwise -9 (``blank_no_answer``); for a
   multiple-choice item with a ticked option, unticked options -> 0 (``multiple_unticked``).
   A required item left at -9 -> issue ``required_missing``.
5. derived variables (age_band) from the final values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from pipeline.ingest.inputs import PAPER_MARKER_COLUMNS
from pipeline.ingest.parse import (
    ParsedColumn,
    fmt_number,
    parse_numeric,
    raw_values,
    safe_value,
    text_values,
)
from pipeline.ingest.readers import RawTable
from pipeline.questionnaire.expr import evaluate
from pipeline.questionnaire.model import Item, ItemType
from pipeline.validate.compiled import Compiled, derived_columns, unknown_mask
from pipeline.validate.log import Log
from pipeline.validate.schema import NUMERIC_TYPES, in_mode, value_failures

INVALID, NOT_APPLICABLE, NO_ANSWER = -7.0, -1.0, -9.0
VALUE_RULES = (
    "invalid_code",
    "not_integer",
    "hard_limit",
)  # pandera checks, in order of precedence


@dataclass
class TableData:
    raw: RawTable
    values: dict[str, np.ndarray]  # every numeric variable of the questionnaire + derived (float64)
    texts: dict[str, np.ndarray]  # every text variable (object arrays of str, '' for blank)
    log: Log
    # register-only variables taken from the sample frame (pipeline.rundata.columns.REGISTER_ONLY;
    # framelink.carry_register): float codes, NaN where the frame has none
    register: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.raw.n_rows

    @property
    def mode(self) -> str:
        return self.raw.mode


def _fmt(v: np.ndarray) -> list[str | None]:
    return [None if x != x else fmt_number(x) for x in v.tolist()]


def harmonise(c: Compiled, raw: RawTable) -> TableData:
    q, mode, n = c.q, raw.mode, raw.n_rows
    log = Log()
    table = raw.table
    _column_notes(c, raw, log)
    values: dict[str, np.ndarray] = {}
    parsed: dict[str, ParsedColumn] = {}
    for it in c.numeric_items:
        for var in c.variables(it):
            if in_mode(it, mode):
                p = parse_numeric(table.column(var))
                parsed[var] = p
                values[var] = p.values.copy()
            else:
                values[var] = np.full(n, NOT_APPLICABLE)

    # 2. raw value checks (pandera on the parsed numbers) and parse flags -> -7
    failures = value_failures(q, mode, {v: values[v] for v in parsed})
    for it in c.numeric_in_mode(mode):
        limits = it.limits
        for var in c.variables(it):
            p, v, col = parsed[var], values[var], table.column(var)
            done = np.zeros(n, dtype=bool)
            for rule, mask in (("multiple_ticks", p.multi), ("unparseable_value", p.bad)):
                rows = np.flatnonzero(mask)
                if rows.size:
                    old = raw_values(col, rows)
                    log.edit(rows, var, old, INVALID, rule)
                    log.issue(rule, rows, item=var, values=[safe_value(o) for o in old])
                    v[rows] = INVALID
                    done[rows] = True
            for rule in VALUE_RULES:
                found = failures.get((var, rule))
                if found is None:
                    continue
                rows = found[~done[found]]
                if not rows.size:
                    continue
                old = raw_values(col, rows)
                log.edit(rows, var, old, INVALID, rule)
                detail = (
                    f"[{_g(limits.hard_min)}, {_g(limits.hard_max)}]"
                    if rule == "hard_limit" and limits
                    else None
                )
                log.issue(rule, rows, item=var, values=[safe_value(o) for o in old], details=detail)
                v[rows] = INVALID
                done[rows] = True
            if limits is not None and (limits.soft_min is not None or limits.soft_max is not None):
                lo = -np.inf if limits.soft_min is None else limits.soft_min
                hi = np.inf if limits.soft_max is None else limits.soft_max
                rows = np.flatnonzero((v >= 0) & ((v < lo) | (v > hi)))
                log.issue(
                    "soft_limit",
                    rows,
                    item=var,
                    values=_fmt(v[rows]),
                    details=f"[{_g(limits.soft_min)}, {_g(limits.soft_max)}]",
                )

    # 3. routing, upstream first
    for it, expr in c.routing:
        if not in_mode(it, mode):
            continue
        cols = {**values, **derived_columns(q, values)}
        rel = evaluate(expr, cols, size=n)
        skip = ~rel & ~unknown_mask(expr, cols, n)
        if it.type not in NUMERIC_TYPES:
            _route_text(it, table, skip, mode, log)
            continue
        for var in c.variables(it):
            v = values[var]
            blank = np.isnan(v)
            answered = skip & ~blank & (v != NOT_APPLICABLE)
            if mode == "paper":
                rows = np.flatnonzero(answered)
                log.edit(rows, var, _fmt(v[rows]), NOT_APPLICABLE, "routing_not_applicable")
                v[rows] = NOT_APPLICABLE
            else:
                rows = np.flatnonzero(answered)
                log.issue(
                    "routing_tool_error",
                    rows,
                    item=var,
                    values=_fmt(v[rows]),
                    rule=it.relevant,
                    details=[f"answered ({x})" for x in _fmt(v[rows])],
                )
                rows = np.flatnonzero(rel & (v == NOT_APPLICABLE))
                log.issue(
                    "routing_tool_error",
                    rows,
                    item=var,
                    values=["-1"] * rows.size,
                    rule=it.relevant,
                    details="coded -1 (not shown)",
                )
            rows = np.flatnonzero(skip & blank)
            log.edit(rows, var, [None] * rows.size, NOT_APPLICABLE, "blank_not_applicable")
            v[rows] = NOT_APPLICABLE

    # 4. blanks on applicable items
    for it in c.numeric_in_mode(mode):
        vars_ = c.variables(it)
        if it.type == ItemType.multiple:
            ticked = np.zeros(n, dtype=bool)
            for var in vars_:
                ticked |= values[var] == 1
            for var in vars_:
                v = values[var]
                rows = np.flatnonzero(np.isnan(v) & ticked)
                log.edit(rows, var, [None] * rows.size, 0.0, "multiple_unticked")
                v[rows] = 0.0
        for var in vars_:
            v = values[var]
            rows = np.flatnonzero(np.isnan(v))
            log.edit(rows, var, [None] * rows.size, NO_ANSWER, "blank_no_answer")
            v[rows] = NO_ANSWER
        if it.required:
            rows = np.flatnonzero(values[vars_[0]] == NO_ANSWER)
            log.issue("required_missing", rows, item=it.name)

    values.update(derived_columns(q, values))
    texts: dict[str, np.ndarray] = {}
    for it in c.text_items:
        texts[it.name] = (
            text_values(table.column(it.name))
            if (in_mode(it, mode) or it.name == c.id_variable)
            else np.full(n, "", dtype=object)
        )
    return TableData(raw, values, texts, log)


def _route_text(it: Item, table: pa.Table, skip: np.ndarray, mode: str, log: Log) -> None:
    """Routing of a text or date item (e.g. "other, namely ..."): there is no code to set, and free
    text is never thrown away, so an answer where routing skips the item is kept and reported: on
    paper the respondent wrote it anyway (``routing_text_answered``), in a web/CATI tool the tool
    showed an item it should have skipped (``routing_tool_error``). The text itself is never copied
    into the issue table."""
    if it.name not in table.column_names:
        return
    texts = text_values(table.column(it.name))
    rows = np.flatnonzero(skip & (texts != ""))
    code = "routing_text_answered" if mode == "paper" else "routing_tool_error"
    log.issue(
        code,
        rows,
        item=it.name,
        values=["<text>"] * rows.size,
        rule=it.relevant,
        details="answered (text)",
    )


def _g(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def _column_notes(c: Compiled, raw: RawTable, log: Log) -> None:
    """How the file was read (its dialect and every step: pipeline.ingest.dialects) and the columns
    that are not questionnaire variables, as file- and column-level issues."""
    q = c.q
    known = set(q.variables())
    reported = set()
    for r in raw.readings:
        log.issue(r.code, None, item=r.column, details=r.detail)
        if r.code == "unknown_column" and r.column:
            reported.add(r.column)
    for col in raw.columns:
        if col in reported:
            continue
        if col in known:
            it = next((i for i in q.items if col in c.variables(i)), None)
            if it is not None and not in_mode(it, raw.mode) and it.name != c.id_variable:
                log.issue("column_not_in_mode", None, item=col)
        elif col.lower() not in PAPER_MARKER_COLUMNS:
            log.issue("unknown_column", None, item=col)
