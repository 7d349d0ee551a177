"""The table writers: Excel read back with openpyxl has the published numbers, suppressed cells show
only the mark (never a number), CSV and JSON have the same numbers, and the bytes are deterministic."""

from __future__ import annotations

import csv
import json
import math
import zipfile

import openpyxl
import pytest

from pipeline.fileio import sha256_file
from pipeline.tables.files import HEADER_ROWS, write_table
from pipeline.tables.publish import COLUMNS, Axis, PublishedCell, PublishedTable, Sheet

SECRET = 98.76543  # a number that must appear nowhere: its cell is suppressed
XLSX_REL = 1e-15  # the workbook stores numbers with 16 significant digits (xlsxwriter), CSV and JSON exactly


def _cell(ind, unit, row, col, est, n, flag=""):
    hidden = flag == "suppressed"
    return PublishedCell(
        2023,
        ind,
        ind.upper(),
        unit,
        "age_band",
        row[0],
        row[1],
        "statute",
        col[0],
        col[1],
        None if hidden or flag == "empty" else est,
        None if hidden or flag == "empty" else est - 5,
        None if hidden or flag == "empty" else est + 5,
        None if hidden else n,
        None if hidden else n * 100.5,
        flag,
    )


ROWS = (("1", "jong"), ("2", "oud"), ("", "Totaal"))
COLS = (("1", "arbeider"), ("2", "bediende"), ("", "Totaal"))


@pytest.fixture(scope="module")
def table() -> PublishedTable:
    cells = []
    for ind, unit in (("werkstress", "percent"), ("aantal", "mean")):
        for r, row in enumerate(ROWS):
            for c, col in enumerate(COLS):
                flag = (
                    "suppressed"
                    if (r, c) in ((0, 0), (0, 1))
                    else "unreliable"
                    if (r, c) == (1, 0)
                    else ""
                )
                cells.append(
                    _cell(
                        ind, unit, row, col, 10.0 * (r + 1) + c + 0.123456789, 40 + 10 * r + c, flag
                    )
                )
    cells[0] = _cell("werkstress", "percent", ROWS[0], COLS[0], SECRET, 3, "suppressed")
    sheet = Sheet(
        2023,
        "Tabel",
        "sub",
        Axis("age_band", "leeftijd", ROWS),
        Axis("statute", "statuut", COLS),
        (("werkstress", "WERKSTRESS", "percent"), ("aantal", "AANTAL", "mean")),
        tuple(cells),
    )
    meta: dict[str, object] = {
        "request_hash": "ab" * 32,
        "data_versions": {"2023": "cd" * 32},
        "request_id": "t",
    }
    return PublishedTable(
        "t",
        "Titel",
        "nl",
        ("estimate", "ci", "n", "weighted_n"),
        "release",
        (sheet,),
        (("Titel", "Titel"), ("LET OP", "synthetisch")),
        meta,
    )


@pytest.fixture(scope="module")
def written(table, tmp_path_factory):
    return write_table(table, tmp_path_factory.mktemp("tables"))


def _sheet(path):
    """{(indicator label, row label, column label, sub-column): value}."""
    ws = openpyxl.load_workbook(path)["Tabel"]
    out = {}
    width = 6
    for r in range(HEADER_ROWS + 1, ws.max_row + 1):
        for c in range(3, ws.max_column + 1):
            group = ws.cell(HEADER_ROWS - 1, 3 + ((c - 3) // width) * width).value
            out[
                (ws.cell(r, 1).value, ws.cell(r, 2).value, group, ws.cell(HEADER_ROWS, c).value)
            ] = ws.cell(r, c).value
    return ws, out


def test_excel_has_the_published_numbers(table, written):
    ws, cells = _sheet(written[0])
    assert ws.freeze_panes == "C6" and ws.cell(1, 1).value == "Titel"
    assert ws.cell(HEADER_ROWS, 3).value == "schatting"  # percentages and means in one sheet
    for c in table.cells:
        label = f"{c.indicator_label} ({'%' if c.unit == 'percent' else 'gemiddelde'})"
        got = {
            sub: cells[(label, c.row_label, c.column_label, sub)]
            for sub in ("schatting", "BI onder", "BI boven", "n", "N (gewogen)", "vlag")
        }
        if c.flag == "suppressed":
            assert set(got.values()) == {"x"}  # the legend's symbol, in every sub-column
            continue
        for sub, v in (
            ("schatting", c.estimate),
            ("BI onder", c.ci_low),
            ("BI boven", c.ci_high),
            ("N (gewogen)", c.weighted_n),
        ):
            assert math.isclose(got[sub], v, rel_tol=XLSX_REL), (sub, got[sub], v)
        assert got["n"] == c.n
        assert got["vlag"] == ({"unreliable": "onbetrouwbaar"}.get(c.flag))


def test_suppressed_numbers_are_nowhere(written):
    wb = openpyxl.load_workbook(written[0])
    for ws in wb:
        for row in ws.iter_rows(values_only=True):
            assert not any(isinstance(v, float) and math.isclose(v, SECRET) for v in row)
    assert len(written) == 4  # xlsx, csv, json and the Dutch-locale Excel CSV
    for path in written[1:]:
        text = path.read_text(encoding="utf-8")
        assert "98.765" not in text and "98,765" not in text


def test_csv_and_json_have_the_same_rows(table, written):
    rows = list(csv.DictReader(written[1].read_text(encoding="utf-8").splitlines()))
    doc = json.loads(written[2].read_text(encoding="utf-8"))
    assert tuple(rows[0]) == COLUMNS and doc["columns"] == list(COLUMNS)
    assert len(rows) == len(doc["rows"]) == len(table.cells)
    for r, j, c in zip(rows, doc["rows"], table.cells, strict=True):
        for k in COLUMNS:
            v = getattr(c, k)
            assert j[k] == v
            assert r[k] == ("" if v is None else repr(v) if isinstance(v, float) else str(v))
            if isinstance(v, float):
                assert float(r[k]) == v  # the CSV text reads back to the same double
    assert (
        doc["kind"] == "wbm-table"
        and doc["request_hash"] == "ab" * 32
        and doc["data_versions"] == {"2023": "cd" * 32}
    )


def test_bytes_are_deterministic(table, written, tmp_path):
    again = write_table(table, tmp_path)
    for a, b in zip(written, again, strict=True):
        assert sha256_file(a) == sha256_file(b), a.name
    with zipfile.ZipFile(again[0]) as z:
        assert "2000-01-01T00:00:00Z" in z.read("docProps/core.xml").decode()
        assert "cd" * 32 in z.read("docProps/custom.xml").decode()


def test_notes_sheet(written):
    notes = {
        r[0]: r[1]
        for r in openpyxl.load_workbook(written[0])["Toelichting"].iter_rows(values_only=True)
        if r[0]
    }
    assert notes["Titel"] == "Titel" and notes["LET OP"] == "synthetisch"
