"""Custom tables as files: an Excel workbook, CSV and JSON of the same numbers.

Takes a :class:`pipeline.tables.publish.PublishedTable` (numbers already protected: a suppressed cell
carries no number, so no writer can show one) and writes

- ``<id>.xlsx``: one sheet per wave (indicator blocks x row levels as rows, column levels with
  sub-columns for the statistics and a flag as columns; labels, frozen headers), and a notes sheet
  (definitions, method, source, wave, filters, suppression legend, data version, request hash). The
  data versions and the request hash are also workbook properties.
- ``<id>.csv``: the contract columns of :data:`pipeline.tables.publish.COLUMNS`, one row per cell.
- ``<id>.json``: a header (request, data versions, rules, decision, notes) and the same rows.
- ``<id>.excel.csv``: the CSV's rows for a Dutch-locale Excel (UTF-8 byte order mark, ``;`` between
  fields, decimal comma, ``ja``/``nee``; :func:`pipeline.spreadsheet.excel_nl_csv`). Same columns and
  rows as ``<id>.csv``, which stays the machine-readable contract.

Every sheet prints on A4 landscape, one page wide, with the header rows repeated on every page
(:func:`pipeline.spreadsheet.print_setup`).

All three are deterministic: the workbook has a fixed creation date (xlsxwriter fixes the zip
timestamps), floats are written as the shortest text that reads back to the same double, JSON keys
are sorted. The files are written into a staging folder and moved into place together
(:func:`staged_table`), so a failed write never leaves a new workbook beside an old CSV.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.fileio import dumps_json, move_into_place, staging_dir, write_text, write_with
from pipeline.outpath import cannot_write

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.tables.publish import PublishedCell, PublishedTable, Sheet

FIXED_CREATED = datetime(2000, 1, 1)  # workbook "created" property: fixed for byte-identical output
HEADER_ROWS = 5  # title, subtitle, column variable, level header, sub-header


def _subcolumns(t: PublishedTable, sheet: Sheet) -> list[tuple[str, str]]:
    """(field, header) of the sub-columns under each column level."""
    from pipeline.tables.notes import words

    w = words(t.language)
    units = {u for _, _, u in sheet.indicators}
    est = w[f"unit_{next(iter(units))}"] if len(units) == 1 else w["estimate"]
    out = []
    if "estimate" in t.statistics:
        out.append(("estimate", est))
    if "ci" in t.statistics:
        out += [("ci_low", w["ci_low"]), ("ci_high", w["ci_high"])]
    if "n" in t.statistics:
        out.append(("n", w["n"]))
    if "weighted_n" in t.statistics:
        out.append(("weighted_n", w["weighted_n"]))
    since = next((c.change_from for c in sheet.cells if c.change_from is not None), None)
    if since is not None:
        out.append(("change", f"{w['change']} {since}"))
        if "ci" in t.statistics:
            out += [("change_ci_low", w["ci_low"]), ("change_ci_high", w["ci_high"])]
        out.append(("change_significant", w["change_test"]))
    against = next((c.benchmark for c in sheet.cells if c.benchmark), "")
    if against:
        out.append(("benchmark_estimate", _benchmark_label(against, sheet, w)))
        out.append(("benchmark_difference", w["difference"]))
        if "ci" in t.statistics:
            out += [("benchmark_ci_low", w["ci_low"]), ("benchmark_ci_high", w["ci_high"])]
        if "p_value" in t.statistics:
            out.append(("benchmark_p_value", "p"))
        if {"p_value", "significance"} & set(t.statistics):
            out.append(("benchmark_significant", w["benchmark_test"]))
    out.append(("flag", w["flag"]))
    return out


def _benchmark_label(against: str, sheet: Sheet, w: dict[str, str]) -> str:
    """The header of the benchmark's estimate: Flanders, the rest, or the reference group's label."""
    if against in ("flanders", "rest"):
        return w[f"benchmark_{against}"]
    var, _, level = against.partition("=")
    for axis in (sheet.rows, sheet.columns):
        if axis is not None and axis.variable == var:
            label = dict(axis.levels).get(level, level)
            return f"{w['benchmark_group']}: {label}"
    return against


def _flag_text(flag: str, lang: str) -> str:
    from pipeline.tables.notes import words

    return words(lang)[flag] if flag else ""


def _write_sheet(ws, t: PublishedTable, sheet: Sheet, fmt: dict[str, object]) -> None:
    from pipeline.tables.notes import words

    w = words(t.language)
    subs = _subcolumns(t, sheet)
    width = len(subs)
    col_levels = sheet.columns.levels if sheet.columns else (("", w["total"]),)
    row_levels = sheet.rows.levels if sheet.rows else (("", w["total"]),)
    ws.write_string(0, 0, t.title, fmt["title"])
    ws.write_string(1, 0, sheet.subtitle)
    if sheet.columns:
        ws.write_string(2, 2, f"{w['columns']}: {sheet.columns.label}", fmt["bold"])
    ws.write_string(HEADER_ROWS - 2, 0, w["indicator"], fmt["head"])
    ws.write_string(HEADER_ROWS - 1, 0, "", fmt["head"])
    ws.write_string(HEADER_ROWS - 2, 1, sheet.rows.label if sheet.rows else "", fmt["head"])
    ws.write_string(HEADER_ROWS - 1, 1, "", fmt["head"])
    for j, (_, label) in enumerate(col_levels):
        first = 2 + j * width
        if width > 1:
            ws.merge_range(
                HEADER_ROWS - 2, first, HEADER_ROWS - 2, first + width - 1, label, fmt["head"]
            )
        else:
            ws.write_string(HEADER_ROWS - 2, first, label, fmt["head"])
        for k, (_, header) in enumerate(subs):
            ws.write_string(HEADER_ROWS - 1, first + k, header, fmt["head"])
    lookup = {(c.indicator, c.row_level, c.column_level): c for c in sheet.cells}
    r = HEADER_ROWS
    for name, label, unit in sheet.indicators:
        shown = f"{label} ({w[f'unit_{unit}']})"
        for level, level_label in row_levels:
            if not any((name, level, cl) in lookup for cl, _ in col_levels):
                continue  # e.g. no 'unknown' row for an indicator nobody is unknown for
            ws.write_string(r, 0, shown, fmt["wrap"])
            ws.write_string(r, 1, level_label, fmt["bold"] if level == "" else fmt["wrap"])
            for j, (cl, _) in enumerate(col_levels):
                cell = lookup.get((name, level, cl))
                if cell is not None:
                    _write_cell(ws, r, 2 + j * width, cell, subs, unit, t.language, fmt)
            r += 1
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 24)
    ws.set_column(2, 1 + width * len(col_levels), 10)
    ws.freeze_panes(HEADER_ROWS, 2)


def _write_cell(
    ws,
    r: int,
    c0: int,
    cell: PublishedCell,
    subs: Sequence[tuple[str, str]],
    unit: str,
    lang: str,
    fmt: dict[str, object],
) -> None:
    """One cell's sub-columns: its numbers, or the suppression mark (the legend's symbol) in each."""
    from pipeline.tables.notes import words

    hidden = cell.flag == "suppressed"
    for k, (field, _) in enumerate(subs):
        if field == "flag":
            text = _flag_text(cell.flag, lang)
            if cell.suppression_reason in ("too_few_respondents", "protects_another_cell"):
                text += f": {words(lang)[cell.suppression_reason]}"
            if text:
                ws.write_string(r, c0 + k, text, fmt["flag"])
            continue
        if field == "benchmark_significant":
            text = _test_text(
                lang, cell.benchmark_significant, "reference", cell.benchmark_flag == "reference"
            )
            if text:
                ws.write_string(r, c0 + k, text, fmt["flag"])
            continue
        if field == "change_significant":
            text = _test_text(
                lang,
                cell.change_significant,
                "not_comparable",
                cell.change_flag == "not_comparable",
            )
            if text:
                ws.write_string(r, c0 + k, text, fmt["flag"])
            continue
        value = getattr(cell, field)
        if hidden:
            ws.write_string(r, c0 + k, words(lang)["suppressed"], fmt["mark"])
        elif value is not None:
            f = (
                fmt["p"]
                if field == "benchmark_p_value"
                else fmt["n"]
                if field == "n"
                else fmt["big"]
                if field == "weighted_n" or unit == "total"
                else fmt["pct"]
                if unit == "percent"
                else fmt["mean"]
            )
            ws.write_number(r, c0 + k, value, f)


def _write_xlsx(path: Path, t: PublishedTable) -> None:
    from pipeline.spreadsheet import add_sheet, workbook
    from pipeline.tables.notes import words

    w = words(t.language)
    wb = workbook(str(path), {"nan_inf_to_errors": False})
    versions = "; ".join(f"{k}: sha256:{v}" for k, v in sorted(t.meta["data_versions"].items()))  # type: ignore[attr-defined]
    wb.set_properties(
        {
            "title": t.title,
            "subject": t.id,
            "author": "wbm-pipeline",
            "created": FIXED_CREATED,
            "comments": f"request sha256 {t.meta['request_hash']}; data {versions}",
        }
    )
    wb.set_custom_property("request_hash", str(t.meta["request_hash"]))
    for wave, version in sorted(t.meta["data_versions"].items()):  # type: ignore[attr-defined]
        wb.set_custom_property(f"data_version_{wave}", str(version))
    fmt = {
        "title": wb.add_format({"bold": True, "font_size": 13}),
        "bold": wb.add_format({"bold": True}),
        "head": wb.add_format(
            {
                "bold": True,
                "align": "center",
                "valign": "vcenter",
                "bg_color": "#E8EEF5",
                "border": 1,
                "text_wrap": True,
            }
        ),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "pct": wb.add_format({"num_format": "0.0"}),
        "mean": wb.add_format({"num_format": "0.00"}),
        "p": wb.add_format({"num_format": "0.000"}),
        "n": wb.add_format({"num_format": "0"}),
        "big": wb.add_format({"num_format": "#,##0"}),
        "mark": wb.add_format({"align": "center", "font_color": "#57606A"}),
        "flag": wb.add_format({"italic": True, "font_color": "#9A3412"}),
    }
    for sheet in t.sheets:
        _write_sheet(
            add_sheet(wb, sheet.name, header_rows=HEADER_ROWS, lang=t.language), t, sheet, fmt
        )
    notes = add_sheet(wb, w["notes"], lang=t.language)
    notes.set_column(0, 0, 36)
    notes.set_column(1, 1, 110)
    notes.write_string(0, 0, w["notes"], fmt["title"])
    for line, (key, value) in enumerate(t.notes, start=2):
        notes.write_string(line, 0, key, fmt["head"] if key == w["note"] else fmt["wrap"])
        notes.write_string(line, 1, value, fmt["wrap"])
    wb.close()


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def csv_text(t: PublishedTable) -> str:
    from pipeline.spreadsheet import csv_rows
    from pipeline.tables.publish import COLUMNS

    return csv_rows(([_text(v) for v in c.record().values()] for c in t.cells), header=COLUMNS)


def excel_csv_text(t: PublishedTable) -> str:
    """The contract CSV's rows for a Dutch-locale Excel (see the module docstring)."""
    from pipeline.spreadsheet import excel_nl_csv
    from pipeline.tables.publish import COLUMNS

    return excel_nl_csv((list(c.record().values()) for c in t.cells), header=COLUMNS)


def json_text(t: PublishedTable) -> str:
    from pipeline.tables.publish import COLUMNS, KIND, SCHEMA_VERSION

    doc = {
        "kind": KIND,
        "schema_version": SCHEMA_VERSION,
        "id": t.id,
        "title": t.title,
        **t.meta,
        "statistics": list(t.statistics),
        "notes": [[k, v] for k, v in t.notes],
        "columns": list(COLUMNS),
        "rows": [c.record() for c in t.cells],
    }
    return dumps_json(doc)


def table_files(out_dir: str | Path, table_id: str) -> tuple[Path, Path, Path, Path]:
    """Where a table's ``<id>.xlsx``, ``<id>.csv``, ``<id>.json`` and ``<id>.excel.csv`` go (in
    this order: the first three are the files of the contract, by position)."""
    out = Path(out_dir)
    return (
        out / f"{table_id}.xlsx",
        out / f"{table_id}.csv",
        out / f"{table_id}.json",
        out / f"{table_id}.excel.csv",
    )


@contextmanager
def staged_table(t: PublishedTable, out_dir: str | Path) -> Iterator[tuple[Path, ...]]:
    """Write the table's files into a staging folder in ``out_dir`` and yield their final paths; they
    are moved into place when the ``with`` block ends without an error (the caller logs the release
    there). On any error nothing is moved, so files of an earlier table of the same id stay as they
    were (never a new workbook beside an old CSV), and the staging folder is removed."""
    out = Path(out_dir)
    final = table_files(out, t.id)
    staging = staging_dir(out, t.id)
    try:
        staged = table_files(staging, t.id)
        try:
            write_with(staged[0], lambda tmp: _write_xlsx(tmp, t), suffix=".xlsx")
            write_text(staged[1], csv_text(t))
            write_text(staged[2], json_text(t))
            write_text(staged[3], excel_csv_text(t))
        except OSError as exc:
            raise cannot_write(out, exc, what=f"{out}: the table cannot be written") from exc
        yield final
        for src, dst in zip(staged, final, strict=True):
            move_into_place(src, dst)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_table(t: PublishedTable, out_dir: str | Path) -> tuple[Path, ...]:
    """Write ``<id>.xlsx``, ``<id>.csv``, ``<id>.json`` and ``<id>.excel.csv`` into ``out_dir`` (all
    or none: :func:`staged_table`); returns their paths."""
    with staged_table(t, out_dir) as files:
        pass
    return files


def _test_text(lang: str, significant: bool | None, special: str, is_special: bool) -> str:
    """The words for a test's outcome (a benchmark or a change): the ``special`` word when the
    cell is that case, nothing without a test, else significant or not."""
    from pipeline.tables.notes import words

    w = words(lang)
    if is_special:
        return w[special]
    if significant is None:
        return ""
    return w["significant" if significant else "not_significant"]
