"""Text that goes into a spreadsheet cell: formula injection neutralised, in one place.

Excel, LibreOffice Calc and Google Sheets evaluate a cell whose text starts with ``=``, ``+``, ``-``
or ``@`` (or a tab, carriage return, line feed or NUL before such text) as a formula, in CSV as in
xlsx. A choice label ``=HYPERLINK("http://...")`` in a questionnaire, a level of a breakdown in a
data file or a requester's name would become a live formula in the tables sent to a sector fund.
Following OWASP's advice on CSV injection (and ASVS 1.2.10), every text cell the project writes
to a CSV or xlsx file that starts with one of those characters gets a leading single quote, which
spreadsheets read as "this is text" (:func:`neutralise`). Plain numbers (``-5``, ``+1.5``,
``-0,25``) are left alone: they are no formula. Every CSV writer calls :func:`csv_rows` or
:func:`frame_csv`; the xlsx writer opens its workbook with :data:`XLSX_OPTIONS` (no string ever
becomes a formula, URL or number) and writes its text through :func:`neutralise` too.

Print set-up is one place too: every sheet made with :func:`add_sheet` (and every openpyxl sheet
through :func:`openpyxl_print_setup`) prints on A4 landscape, one page wide, with its header rows
repeated on every page and page numbers in the footer (:func:`print_setup`).

:func:`excel_nl_csv` gives the CSV a Dutch-locale Excel opens as columns and numbers: a UTF-8 byte
order mark, ``;`` between fields, a decimal comma; every text cell neutralised as in every CSV.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: first characters that make a spreadsheet read a cell as a formula (OWASP, ASVS 1.2.10)
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
#: xlsxwriter options: strings are written as strings, never turned into formulas, URLs or numbers
XLSX_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def needs_quote(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula."""
    head = text.lstrip(" ")
    return bool(head) and head.startswith(TRIGGERS) and not _NUMBER.fullmatch(text.strip())


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet could read it as a formula."""
    return "'" + text if needs_quote(text) else text


def cell(value: object) -> object:
    """A value for a CSV or xlsx cell: text neutralised, anything else unchanged. A carriage return
    inside text becomes a line feed: CSV writers with ``\\n`` line ends do not quote a bare CR, and
    a reader would start a new row there (the rest of the cell then starts a row of its own)."""
    if not isinstance(value, str):
        return value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return neutralise(value)


def _touched(value: object) -> bool:
    return isinstance(value, str) and ("\r" in value or needs_quote(value))


def csv_rows(
    rows: Iterable[Sequence[object]],
    *,
    header: Sequence[str] | None = None,
    delimiter: str = ",",
) -> str:
    """CSV text (``\\n`` line ends, minimal quoting) of ``rows``, every text cell neutralised."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n", delimiter=delimiter)
    if header is not None:
        out.writerow([cell(h) for h in header])
    for row in rows:
        out.writerow([cell(v) for v in row])
    return buf.getvalue()


BOM = "\ufeff"  # UTF-8 byte order mark: Excel then reads the file as UTF-8 (not ANSI)


def excel_number(value: float) -> str:
    """A number as a Dutch-locale Excel reads it: decimal comma, no thousands separator, no
    exponent (``1234.5`` -> ``1234,5``; ``1e-05`` -> ``0,00001``); NaN and infinity as ''."""
    import math

    if isinstance(value, bool) or not math.isfinite(value):
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = format(float(value), ".17f").rstrip("0").rstrip(".")
    return text.replace(".", ",")


def excel_nl_csv(rows: Iterable[Sequence[object]], *, header: Sequence[str] | None = None) -> str:
    """CSV text for a Dutch-locale Excel: UTF-8 BOM, ``;`` separator, numbers (int and float) with a
    decimal comma (:func:`excel_number`), booleans ``ja``/``nee``, None as ''; text neutralised."""

    def value(v: object) -> object:
        if v is None:
            return ""
        if isinstance(v, bool):
            return "ja" if v else "nee"
        if isinstance(v, (int, float)):
            return excel_number(float(v)) if isinstance(v, float) else str(v)
        return v

    return BOM + csv_rows(([value(v) for v in r] for r in rows), header=header, delimiter=";")


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell (and column name) neutralised; numeric columns untouched and the
    frame returned as is when nothing needs a quote."""
    import pandas as pd

    changed: dict[str, pd.Series] = {}
    for name in df.columns:
        col = df[name]
        if isinstance(col, pd.DataFrame):  # duplicated column names: handled column by column
            continue
        if (
            col.dtype == object
            or isinstance(col.dtype, pd.StringDtype)
            or col.dtype.name == "category"
        ):
            values = col.astype(object)
            mask = values.map(_touched)
            if bool(mask.any()):
                changed[name] = values.where(~mask, values[mask].map(cell))
    columns = [cell(c) for c in df.columns]
    if not changed and columns == list(df.columns):
        return df
    out = df.copy()
    for name, values in changed.items():
        out[name] = values
    out.columns = columns
    return out


def frame_csv(df: pd.DataFrame, **to_csv: Any) -> str:
    """``df.to_csv(index=False, lineterminator="\\n", **to_csv)`` of the neutralised frame."""
    return str(neutralise_frame(df).to_csv(index=False, lineterminator="\n", **to_csv))


class SafeSheet:
    """An xlsxwriter worksheet whose text goes through :func:`neutralise` (every other method is
    the worksheet's own)."""

    def __init__(self, ws: Any) -> None:
        self._ws = ws

    def write_string(self, row: int, col: int, text: str, *fmt: Any) -> Any:
        return self._ws.write_string(row, col, neutralise(text), *fmt)

    def merge_range(self, r1: int, c1: int, r2: int, c2: int, data: object, *fmt: Any) -> Any:
        return self._ws.merge_range(r1, c1, r2, c2, cell(data), *fmt)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)


def workbook(path: str, options: dict[str, Any] | None = None) -> Any:
    """An xlsxwriter workbook with :data:`XLSX_OPTIONS` (plus ``options``); add sheets with
    :func:`add_sheet`."""
    import xlsxwriter

    return xlsxwriter.Workbook(path, {**XLSX_OPTIONS, **(options or {})})


#: footer of every printed page (``&P``: page number, ``&N``: number of pages)
PAGE_FOOTER = {"nl": "&CPagina &P van &N", "en": "&CPage &P of &N"}
A4 = 9  # xlsxwriter's paper code for A4


def print_setup(ws: Any, *, header_rows: int = 1, title_columns: int = 0, lang: str = "nl") -> None:
    """Print set-up of an xlsxwriter sheet: A4 landscape, scaled to one page wide (as many pages
    high as needed), the first ``header_rows`` rows (and ``title_columns`` columns) repeated on
    every page (Excel's print titles), page numbers in the footer."""
    ws.set_landscape()
    ws.set_paper(A4)
    ws.fit_to_pages(1, 0)
    if header_rows > 0:
        ws.repeat_rows(0, header_rows - 1)
    if title_columns > 0:
        ws.repeat_columns(0, title_columns - 1)
    ws.set_footer(PAGE_FOOTER.get(lang, PAGE_FOOTER["nl"]))


def add_sheet(
    wb: Any, name: str, *, header_rows: int = 1, title_columns: int = 0, lang: str = "nl"
) -> SafeSheet:
    """A new sheet that neutralises its text and prints well (:func:`print_setup`)."""
    ws = wb.add_worksheet(name)
    print_setup(ws, header_rows=header_rows, title_columns=title_columns, lang=lang)
    return SafeSheet(ws)


def openpyxl_print_setup(ws: Any, *, header_rows: int = 1, lang: str = "nl") -> None:
    """:func:`print_setup` for an openpyxl sheet."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if header_rows > 0:
        ws.print_title_rows = f"1:{header_rows}"
    ws.oddFooter.center.text = PAGE_FOOTER.get(lang, PAGE_FOOTER["nl"]).removeprefix("&C")


def openpyxl_workbook() -> Any:
    """A new openpyxl workbook, for files that must read back exactly (a spec such as an XLSForm):
    their rows go in with :func:`append_text_row`."""
    from openpyxl import Workbook

    return Workbook()


def append_text_row(ws: Any, values: Iterable[object]) -> None:
    """Append a row to an openpyxl sheet with every text cell typed as text: openpyxl would make
    ``=HYPERLINK(...)`` a live formula. The text is kept exactly (a spec must read back the same), so
    it is typed rather than quoted; a spreadsheet shows it and never evaluates it."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
