"""Workbooks print well (A4 landscape, one page wide, header rows on every page), the standard table
has the sectors as rows, and the Dutch-locale CSV beside the contract CSV holds the same numbers."""

from __future__ import annotations

import ast
import csv
import io
import math
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from pipeline.rundata import layout
from pipeline.spreadsheet import BOM, excel_nl_csv, excel_number
from pipeline.tables.api import make_table
from pipeline.tables.files import HEADER_ROWS

from .tables_helpers import csv_rows, request_file

ROOT = Path(__file__).resolve().parents[2]


def _printed_well(ws, header_rows: int) -> None:
    ps = ws.page_setup
    assert ps.orientation == "landscape", ws.title
    assert int(ps.paperSize) == 9  # A4
    # one page wide (1 is the file format's default: xlsxwriter leaves it out), as high as needed
    assert int(ps.fitToWidth or 1) == 1 and int(ps.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    if header_rows:
        assert ws.print_title_rows == f"$1:${header_rows}", (ws.title, ws.print_title_rows)
    assert "&P" in (ws.oddFooter.center.text or "")


def test_a_custom_table_prints_and_has_a_dutch_excel_csv(run_copy, tmp_path):
    out = make_table(
        request_file(tmp_path, indicators=["werkstress", "aantal_problemen"]),
        [run_copy],
        tmp_path / "out",
    )
    xlsx, contract, _json, excel = out.files
    assert excel.name == "req.excel.csv" and excel.parent == contract.parent
    wb = load_workbook(xlsx)
    table, notes = wb.worksheets
    _printed_well(table, HEADER_ROWS)
    _printed_well(notes, 1)
    assert "Pagina &P van &N" in table.oddFooter.center.text

    raw = excel.read_bytes()
    assert raw.startswith(BOM.encode("utf-8"))
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].split(";")[:3] == ["wave", "indicator", "indicator_label"]
    ref = csv_rows(contract)  # the contract CSV: comma-separated, decimal point, unchanged
    assert contract.read_text(encoding="utf-8").splitlines()[0].startswith("wave,indicator,")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == len(ref) > 10
    numeric = ("estimate", "ci_low", "ci_high", "n", "weighted_n")
    seen = 0
    for a, b in zip(rows, ref, strict=True):
        assert a.keys() == b.keys()
        for k in a:
            if k in numeric and b[k]:
                assert "." not in a[k]  # decimal comma, no thousands point
                assert float(a[k].replace(",", ".")) == float(b[k]), (k, a[k], b[k])
                seen += 1
            elif k not in ("change_significant",):
                assert a[k] == b[k], k
    assert seen > 30
    # pandas with Dutch settings (what Excel does on a Dutch locale) reads the same numbers
    nl = pd.read_csv(excel, sep=";", decimal=",", encoding="utf-8-sig", dtype={"row_level": str})
    en = pd.read_csv(contract, dtype={"row_level": str})
    pd.testing.assert_frame_equal(nl[list(numeric)], en[list(numeric)], check_dtype=False)


def test_excel_numbers_and_formula_neutralisation():
    assert excel_number(1234.5) == "1234,5"
    assert excel_number(-0.25) == "-0,25"
    assert excel_number(51.0) == "51"
    assert excel_number(1e-05) == "0,00001"
    assert excel_number(math.nan) == ""
    text = excel_nl_csv([["=HYPERLINK(1)", 2.5, None, True, 7]], header=["a", "b", "c", "d", "e"])
    assert text == BOM + "a;b;c;d;e\n'=HYPERLINK(1);2,5;;ja;7\n"


def test_the_standard_table_has_the_sectors_as_rows_and_prints(small_run_dir):
    tables = layout.outputs_dir(small_run_dir, layout.TABLES_DIR)
    (xlsx,) = tables.glob("*.xlsx")
    wb = load_workbook(xlsx)
    ws = wb.worksheets[0]
    _printed_well(ws, HEADER_ROWS)
    # indicator, sector, then estimate, interval (2), n and flag: 7 columns, not one block per sector
    assert ws.max_column == 7
    sectors = {r["row_level"] for r in csv_rows(xlsx.with_suffix(".csv"))}
    assert len(sectors) > 10 and ws.max_row > len(sectors)
    assert (tables / f"{xlsx.stem}.excel.csv").is_file()


def test_every_workbook_the_project_writes_gets_the_print_setup():
    """No module adds an xlsxwriter sheet except through pipeline.spreadsheet.add_sheet (which sets
    up printing), and a module making an openpyxl workbook calls openpyxl_print_setup."""
    offenders = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        if path.name == "spreadsheet.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = {
            n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
            for n in ast.walk(tree)
            if isinstance(n, ast.Call)
        }
        if "add_worksheet" in calls or "Workbook" in calls:
            offenders.append(f"{path.relative_to(ROOT)}: makes sheets without the helpers")
        if "openpyxl_workbook" in calls and "openpyxl_print_setup" not in calls:
            offenders.append(f"{path.relative_to(ROOT)}: openpyxl workbook without print set-up")
    assert offenders == []


def test_the_xlsform_writer_sets_up_printing(tmp_path):
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.questionnaire.xlsform.writer import write_xlsform

    out = tmp_path / "form.xlsx"
    write_xlsform(load_questionnaire("pc126"), out)
    for ws in load_workbook(out).worksheets:
        _printed_well(ws, 1)
