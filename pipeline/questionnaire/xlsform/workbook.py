"""Read an XLSForm workbook (.xlsx with openpyxl, legacy .xls with xlrd) into plain sheets.

A :class:`Sheet` keeps every header cell with its column letter and every non-empty row with its
spreadsheet row number, so every message can say *sheet, row, column* the way a spreadsheet user
sees them. Headers are normalised the way XLSForm tools read them: case-insensitive, surrounding
spaces removed, ``list name`` = ``list_name``, ``bind::x``/``bind:x`` = ``x``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import Problem, SpecError


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def normalise_header(h: str) -> str:
    h = " ".join(str(h).strip().split()).lower()
    h = re.sub(r"^bind::?", "", h)
    h = re.sub(r"^([a-z_]+):(?!:)", r"\1::", h)  # label:English = label::English
    if h in ("list name", "list-name"):
        return "list_name"
    return h


@dataclass(frozen=True)
class Cell:
    row: int  # spreadsheet row (1-based)
    column: str  # "C (relevant)"
    value: Any


@dataclass(frozen=True)
class Sheet:
    name: str  # as written in the workbook
    headers: tuple[tuple[str, str, str], ...]  # (normalised header, letter, header as written)
    rows: tuple[tuple[int, dict[str, Any]], ...]  # (spreadsheet row, {normalised header: value})

    def where(self, header: str) -> str:
        for h, letter, written in self.headers:
            if h == header:
                return f"{letter} ({written})"
        return header


def _cell(v: Any) -> Any:
    if isinstance(v, str):
        v = v.strip()
        return v or None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _sheet(name: str, rows: list[list[Any]]) -> Sheet:
    if not rows:
        return Sheet(name, (), ())
    headers = []
    for i, h in enumerate(rows[0]):
        if h is None or str(h).strip() == "":
            continue
        headers.append((normalise_header(str(h)), column_letter(i), str(h).strip()))
    index = {
        i: normalise_header(str(h))
        for i, h in enumerate(rows[0])
        if h is not None and str(h).strip()
    }
    out = []
    for r, values in enumerate(rows[1:], start=2):
        rec = {index[i]: _cell(v) for i, v in enumerate(values) if i in index}
        if any(v is not None for v in rec.values()):
            out.append((r, rec))
    return Sheet(name, tuple(headers), tuple(out))


def read_workbook(path: Path) -> dict[str, Sheet]:
    """Sheets by lower-case name; :class:`SpecError` (``not_a_workbook``) for anything unreadable."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".xls":
            import xlrd

            book = xlrd.open_workbook(str(path))
            raw = {
                s.name: [
                    [c.value if c.ctype not in (0, 6) else None for c in s.row(i)]
                    for i in range(s.nrows)
                ]
                for s in book.sheets()
            }
        else:
            import openpyxl

            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                raw = {
                    ws.title: [list(r) for r in ws.iter_rows(values_only=True)]
                    for ws in wb.worksheets
                }
            finally:
                wb.close()
    except Exception as exc:  # both libraries raise many unrelated types for a damaged file
        raise SpecError(
            f"{path}: not a readable Excel workbook",
            [
                Problem(
                    f"the workbook cannot be opened ({type(exc).__name__}: {exc})",
                    file=str(path),
                    code="not_a_workbook",
                    hint="save the form again as .xlsx (or .xls) from Excel or LibreOffice",
                )
            ],
        ) from None
    return {name.strip().lower(): _sheet(name, rows) for name, rows in raw.items()}
