"""Custom tables: indicators (rows) by the levels of a domain (columns), as Excel and CSV.

Each column group is one level (Flanders first): the percentage, the CI bounds, n and a flag. A
suppressed cell shows "–" (Excel) or stays empty (CSV), never its number. Labels come from the
questionnaire; a notes sheet says what the numbers are. The workbook is deterministic (fixed created
date, xlsxwriter's fixed zip timestamps), so the same table gives the same bytes.

Issue 8 adds YAML request files, ``wbm table``, secondary suppression and differencing control; the
layout code below takes a resolved list of rows and columns so a request spec can feed it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import Problem, UsageError, one_of
from pipeline.fileio import write_text, write_with
from pipeline.outputs.context import ReportContext
from pipeline.outputs.estimates import DASH, Cell, Estimates, estimates_for, fmt_number
from pipeline.outputs.labels import domain_label, indicator_label, level_labels
from pipeline.questionnaire.model import Questionnaire

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

FIXED_CREATED = datetime(2000, 1, 1)  # workbook "created" property: fixed for byte-identical output
FLAG_TEXT = {"suppressed": "niet gepubliceerd", "unreliable": "onbetrouwbaar", "": ""}
SUBCOLUMNS = ("%", "BI onder", "BI boven", "n", "vlag")
HEADER_ROWS = 5  # title, subtitle, blank, level header, sub-header
CSV_COLUMNS = ("indicator", "indicator_label", "by", "level", "level_label", "unit", "estimate", "ci_low",
               "ci_high", "n", "flag")


@dataclass(frozen=True)
class Column:
    by: str  # "" for Flanders
    level: str
    label: str


@dataclass(frozen=True)
class TableCell:
    """What one (row, column) shows: numbers in display units (percent for shares), None if hidden."""

    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    flag: str
    unit: str

    @classmethod
    def of(cls, cell: Cell | None) -> TableCell:
        if cell is None:
            return cls(None, None, None, None, "geen gegevens", "")
        unit = "%" if cell.is_share else cell.stat
        if cell.suppressed:
            return cls(None, None, None, cell.n, "suppressed", unit)

        def scale(v: float | None) -> float | None:
            return None if v is None else (v * 100 if cell.is_share else v)

        return cls(scale(cell.estimate), scale(cell.ci_low), scale(cell.ci_high), cell.n,
                   "unreliable" if cell.unreliable else "", unit)


def _columns(est: Estimates, q: Questionnaire, by: str) -> list[Column]:
    labels = level_labels(q, by)
    cols = [Column("", "", "Vlaanderen")]
    codes = _domain_codes(q, by)
    present = list(est.levels(by))
    ordered = [str(c) for c in codes] + [lv for lv in present if lv not in {str(c) for c in codes}]
    for lv in ordered:
        code = int(lv) if lv.lstrip("-").isdigit() else None
        cols.append(Column(by, lv, labels.get(code, lv) if code is not None else lv))
    return cols


def _domain_codes(q: Questionnaire, by: str) -> list[int]:
    for d in q.derived:
        if d.name == by:
            return [b.code for b in d.bands]
    try:
        return [c.code for c in q.choices_of(q.item(by))]
    except KeyError:
        return []


def _check(est: Estimates, rows: Sequence[str], by: str) -> None:
    problems = []
    if by not in est.bys():
        problems.append(Problem(one_of(by, sorted(b for b in est.bys() if b)), column="by",
                                hint="choose a breakdown the estimates table has"))
    known = sorted({c.indicator for c in est.cells()})
    for name in rows:
        if est.overall(name) is None and not any(c.indicator == name for c in est.cells()):
            problems.append(Problem(one_of(name, known), column="rows", hint="use indicator names of the estimates table"))
    if not rows:
        problems.append(Problem("no rows requested", column="rows", expected="at least one indicator"))
    if problems:
        raise UsageError("the custom table cannot be made", problems, code="bad_table_request")


def _notes(q: Questionnaire, title: str, rows: Sequence[str], by: str, ctx: ReportContext) -> list[tuple[str, str]]:
    study = q.study
    notes = [
        ("Titel", title),
        ("Bron", f"{study.title.nl} (vragenlijst {study.id}, versie {study.version})"),
        ("Golf", str(ctx.wave or study.wave)),
        ("Populatie", study.target_population.nl),
        ("Uitsplitsing", f"{domain_label(q, by)} ({by})"),
        ("Cijfers", "Gewogen percentages werknemers (of gemiddelden, waar het label '(gemiddelde)' zegt), met "
                    f"{fmt_number(ctx.confidence * 100, 0)}%-betrouwbaarheidsinterval (BI onder, BI boven) en het "
                    "aantal respondenten (n). Vlaanderen: alle respondenten."),
        ("Weging", "Gewogen naar " + ", ".join(domain_label(q, m) for m in (ctx.weighting.margins or q.weighting))
         + (f" ({ctx.weighting.method})" if ctx.weighting.method else "")
         + (f"; ontwerpeffect (Kish) {fmt_number(ctx.weighting.kish_deff, 2)}" if ctx.weighting.kish_deff else "")),
        ("–", f"niet gepubliceerd: minder dan {ctx.min_n_publish} respondenten (vlag 'niet gepubliceerd')"),
        ("onbetrouwbaar", f"{ctx.min_n_publish} tot {ctx.min_n_reliable - 1} respondenten: met voorzichtigheid lezen"),
        ("Gegevensversie", ctx.data_version or "-"),
        ("Run", ctx.run_id or "-"),
        ("Gemaakt met", ctx.generated_by),
    ]
    if ctx.synthetic:
        notes.insert(1, ("LET OP", "Synthetische gegevens: deze cijfers zeggen niets over de werkelijkheid."))
    for name in rows:
        notes.append((f"Definitie: {indicator_label(q, name)}", _definition(q, name)))
    return notes


def _definition(q: Questionnaire, name: str) -> str:
    base, acute = (name[:-6], True) if name.endswith("_acuut") else (name, False)
    try:
        ind = q.indicator(base)
    except KeyError:
        return name
    if ind.kind != "traffic_light" or not ind.cutoffs:
        return f"{ind.label.nl}: combinatie van " + ", ".join(indicator_label(q, o) for o in ind.of)
    c = ind.cutoffs["default"]
    op = ">=" if ind.problem_if == "high" else "<="
    cut = c.acuut if acute and c.acuut is not None else c.problematisch
    scale = q.scale(ind.scale).label.nl if ind.scale else ""
    return (f"score op de schaal '{scale}' (0-100) {op} {fmt_number(cut)}"
            f"{' (acuut)' if acute else ' (problematisch of acuut)'}; drempel met status '{ind.cutoff_status}'"
            + (" (referentiewaarde, geen officiële drempel)" if ind.cutoff_status == "reference" else ""))


def _csv_text(est: Estimates, q: Questionnaire, rows: Sequence[str], cols: list[Column]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for name in rows:
        for col in cols:
            tc = TableCell.of(est.get(name, col.by, col.level))
            w.writerow([name, indicator_label(q, name), col.by, col.level, col.label, tc.unit,
                        *("" if v is None else repr(v) for v in (tc.estimate, tc.ci_low, tc.ci_high)),
                        "" if tc.n is None else tc.n, FLAG_TEXT.get(tc.flag, tc.flag)])
    return buf.getvalue()


def _write_xlsx(path: Path, est: Estimates, q: Questionnaire, title: str, rows: Sequence[str], by: str,
                cols: list[Column], ctx: ReportContext) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": False})
    wb.set_properties({"title": title, "subject": q.study.title.nl, "author": "wbm-pipeline",
                       "comments": ctx.generated_by, "created": FIXED_CREATED})
    f_title = wb.add_format({"bold": True, "font_size": 13})
    f_head = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "bg_color": "#E8EEF5", "border": 1, "text_wrap": True})
    f_row = wb.add_format({"text_wrap": True, "valign": "top"})
    f_pct = wb.add_format({"num_format": "0.0"})
    f_n = wb.add_format({"num_format": "0"})
    f_dash = wb.add_format({"align": "center", "font_color": "#57606A"})
    f_flag = wb.add_format({"italic": True, "font_color": "#9A3412"})
    f_wrap = wb.add_format({"text_wrap": True, "valign": "top"})

    ws = wb.add_worksheet("Tabel")
    ws.write(0, 0, title, f_title)
    ws.write(1, 0, f"{q.study.title.nl}, golf {ctx.wave or q.study.wave}. Gewogen %, "
                   f"{fmt_number(ctx.confidence * 100, 0)}%-BI en n per {domain_label(q, by)}. Zie het blad Toelichting.")
    ws.write(HEADER_ROWS - 2, 0, "Indicator", f_head)
    ws.write(HEADER_ROWS - 1, 0, "", f_head)
    ws.write(HEADER_ROWS - 2, 1, "Variabele", f_head)
    ws.write(HEADER_ROWS - 1, 1, "", f_head)
    width = len(SUBCOLUMNS)
    for j, col in enumerate(cols):
        first = 2 + j * width
        ws.merge_range(HEADER_ROWS - 2, first, HEADER_ROWS - 2, first + width - 1, col.label, f_head)
        for k, sub in enumerate(SUBCOLUMNS):
            ws.write(HEADER_ROWS - 1, first + k, sub, f_head)
    for i, name in enumerate(rows):
        r = HEADER_ROWS + i
        overall = est.overall(name)
        mean = overall is not None and not overall.is_share
        ws.write(r, 0, indicator_label(q, name) + (" (gemiddelde)" if mean else ""), f_row)
        ws.write(r, 1, name)
        for j, col in enumerate(cols):
            tc = TableCell.of(est.get(name, col.by, col.level))
            c0 = 2 + j * width
            for k, v in enumerate((tc.estimate, tc.ci_low, tc.ci_high)):
                if v is None:
                    ws.write_string(r, c0 + k, DASH, f_dash)
                else:
                    ws.write_number(r, c0 + k, v, f_pct)
            if tc.n is None:
                ws.write_string(r, c0 + 3, DASH, f_dash)
            else:
                ws.write_number(r, c0 + 3, tc.n, f_n)
            flag = FLAG_TEXT.get(tc.flag, tc.flag)
            if flag:
                ws.write_string(r, c0 + 4, flag, f_flag)
    ws.set_column(0, 0, 38)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 1 + width * len(cols), 9)
    ws.freeze_panes(HEADER_ROWS, 2)

    notes = wb.add_worksheet("Toelichting")
    notes.set_column(0, 0, 34)
    notes.set_column(1, 1, 110)
    notes.write(0, 0, "Toelichting", f_title)
    for line, (key, value) in enumerate(_notes(q, title, rows, by, ctx), start=2):
        notes.write_string(line, 0, key, f_head if key == "LET OP" else f_wrap)
        notes.write_string(line, 1, value, f_wrap)
    wb.close()


def write_custom_table(estimates: pd.DataFrame | Estimates, q: Questionnaire, out_path: str | Path, *,
                       title: str, rows: Sequence[str], by: str, context: ReportContext | None = None) -> Path:
    """Write ``out_path`` (.xlsx) and the same numbers as CSV beside it (``.csv``); returns the .xlsx."""
    ctx = context or ReportContext()
    est = estimates_for(estimates, q)
    rows = list(rows)
    _check(est, rows, by)
    cols = _columns(est, q, by)
    out = Path(out_path)
    write_with(out, lambda tmp: _write_xlsx(tmp, est, q, title, rows, by, cols, ctx), suffix=".xlsx")
    write_text(out.with_suffix(".csv"), _csv_text(est, q, rows, cols))
    return out


def default_rows(q: Questionnaire) -> list[str]:
    """The standard table rows: werkbaar werk, the workability indicators (and acute), the risks."""
    out: list[str] = []
    for ind in q.indicators:
        if ind.kind == "composite":
            out.append(ind.name)
    for ind in q.indicators:
        if ind.kind == "traffic_light" and ind.group == "workability":
            out += [ind.name, ind.name + "_acuut"]
    out += [i.name for i in q.indicators if i.kind == "traffic_light" and i.group == "risk"]
    return out


def table_cell(estimates: Estimates, indicator: str, by: str, level: str) -> TableCell:
    """What the table shows for one cell (used by tests and by issue 8's request engine)."""
    return TableCell.of(estimates.get(indicator, by, level))

