"""Custom tables: Excel read back with openpyxl has the table's numbers, suppressed cells are dashes,
the CSV has the same numbers, the workbook bytes are deterministic."""

from __future__ import annotations

import csv
import math
import zipfile

import openpyxl
import pandas as pd
import pytest
from outputs_fixtures import SECRET_SECTOR, SECRET_VALUE, make_estimates

from pipeline.errors import UsageError
from pipeline.fileio import sha256_file
from pipeline.outputs.context import ReportContext
from pipeline.outputs.report import render_sector_report
from pipeline.outputs.tables import HEADER_ROWS, SUBCOLUMNS, default_rows, write_custom_table

TITLE = "Werkbaarheid en risico's naar sector"
REL = 1e-12  # Excel stores doubles as text with 15-17 significant digits


@pytest.fixture(scope="module")
def table(q):
    return make_estimates(q)


@pytest.fixture(scope="module")
def written(q, table, tmp_path_factory):
    out = tmp_path_factory.mktemp("tables") / "werkbaarheid-sector.xlsx"
    write_custom_table(table, q, out, title=TITLE, rows=default_rows(q), by="sector",
                       context=ReportContext(run_id="run-t", data_version="abc123"))
    return out


def sheet_cells(ws):
    """{(indicator, column label): {subcolumn: value}} from the Tabel sheet."""
    width = len(SUBCOLUMNS)
    groups = {}
    for c in range(3, ws.max_column + 1, width):
        groups[c] = ws.cell(HEADER_ROWS - 1, c).value
    out = {}
    for r in range(HEADER_ROWS + 1, ws.max_row + 1):
        name = ws.cell(r, 2).value
        for c, label in groups.items():
            out[(name, label)] = {sub: ws.cell(r, c + k).value for k, sub in enumerate(SUBCOLUMNS)}
    return out


def test_excel_has_the_numbers_of_the_table(q, table, written):
    wb = openpyxl.load_workbook(written)
    ws = wb["Tabel"]
    cells = sheet_cells(ws)
    labels = {str(c.code): c.label.nl for c in q.choices_of(q.item("sector"))} | {"": "Vlaanderen"}
    rows = default_rows(q)
    assert [ws.cell(r, 2).value for r in range(HEADER_ROWS + 1, ws.max_row + 1)] == rows
    checked = 0
    for _, row in table[table["by"].isin(["", "sector"]) & table["indicator"].isin(rows)].iterrows():
        got = cells[(row["indicator"], labels[row["level"]])]
        assert got["n"] == row["n"]
        if row["flags"] == "suppressed":
            assert got["%"] == got["BI onder"] == got["BI boven"] == "–"
            assert got["vlag"] == "niet gepubliceerd"
        else:
            for sub, col in (("%", "estimate"), ("BI onder", "ci_low"), ("BI boven", "ci_high")):
                assert math.isclose(got[sub], row[col] * 100, rel_tol=REL), (row["indicator"], row["level"], sub)
            assert got["vlag"] == ("onbetrouwbaar" if row["flags"] == "unreliable" else None)
        checked += 1
    assert checked == len(rows) * 17
    assert ws.freeze_panes == "C6"
    assert ws.cell(1, 1).value == TITLE
    assert ws.cell(6, 1).value == "werkbaar werk"


def test_suppressed_numbers_are_nowhere_in_the_workbook_or_csv(written):
    wb = openpyxl.load_workbook(written)
    for ws in wb:
        for row in ws.iter_rows(values_only=True):
            for v in row:
                if isinstance(v, float):
                    assert not math.isclose(v, SECRET_VALUE * 100, rel_tol=1e-9)
    text = written.with_suffix(".csv").read_text(encoding="utf-8")
    assert "98.765" not in text and "97.531" not in text
    sec = [r for r in csv.DictReader(text.splitlines()) if r["indicator"] == "werkstress_acuut" and r["level"] == str(SECRET_SECTOR)]
    assert len(sec) == 1 and sec[0]["estimate"] == sec[0]["ci_low"] == "" and sec[0]["flag"] == "niet gepubliceerd"


def test_csv_has_the_same_numbers_as_excel(written):
    ws = openpyxl.load_workbook(written)["Tabel"]
    cells = sheet_cells(ws)
    rows = list(csv.DictReader(written.with_suffix(".csv").read_text(encoding="utf-8").splitlines()))
    assert len(rows) == len(cells)
    for r in rows:
        got = cells[(r["indicator"], r["level_label"])]
        for sub, col in (("%", "estimate"), ("BI onder", "ci_low"), ("BI boven", "ci_high")):
            if r[col] == "":
                assert got[sub] == "–"
            else:
                assert math.isclose(float(r[col]), got[sub], rel_tol=REL)
        assert int(r["n"]) == got["n"]


def test_notes_sheet_explains_the_table(written):
    notes = {r[0]: r[1] for r in openpyxl.load_workbook(written)["Toelichting"].iter_rows(values_only=True) if r[0]}
    assert notes["Titel"] == TITLE and notes["Golf"] == "2023" and notes["Gegevensversie"] == "abc123"
    assert "minder dan 30" in notes["–"] and "wbm-werknemers-2023" in notes["Bron"]
    assert "reference" in notes["Definitie: hoge werkdruk"] and ">= 66,7" in notes["Definitie: hoge werkdruk"]


def test_workbook_bytes_are_deterministic(q, table, written, tmp_path):
    again = write_custom_table(table, q, tmp_path / "again.xlsx", title=TITLE, rows=default_rows(q), by="sector",
                               context=ReportContext(run_id="run-t", data_version="abc123"))
    assert sha256_file(again) == sha256_file(written)
    assert sha256_file(again.with_suffix(".csv")) == sha256_file(written.with_suffix(".csv"))
    with zipfile.ZipFile(again) as z:
        assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2000-01-01T00:00:00Z" in z.read("docProps/core.xml").decode()


def test_bad_requests_are_usage_errors(q, table, tmp_path):
    with pytest.raises(UsageError) as err:
        write_custom_table(table, q, tmp_path / "x.xlsx", title="t", rows=["werkbaar_werk", "nope"], by="sector")
    assert err.value.code == "bad_table_request" and "nope" in str(err.value)
    with pytest.raises(UsageError):
        write_custom_table(table, q, tmp_path / "x.xlsx", title="t", rows=["werkbaar_werk"], by="province")
    assert not (tmp_path / "x.xlsx").exists()


def test_count_indicator_is_a_mean_not_a_share(q, table, tmp_path):
    """Without a stat column, aantal_problemen (kind count) is a mean: not rejected, not times 100."""
    extra = table[table["indicator"] == "werkbaar_werk"].copy()
    extra["indicator"] = "aantal_problemen"
    extra["estimate"], extra["ci_low"], extra["ci_high"] = 1.25, 1.1, 1.4
    with_count = pd.concat([table, extra]).drop(columns=["stat"])
    out = write_custom_table(with_count, q, tmp_path / "c.xlsx", title="t", rows=["aantal_problemen"], by="sector")
    rows = list(csv.DictReader(out.with_suffix(".csv").read_text(encoding="utf-8").splitlines()))
    assert rows[0]["unit"] == "mean" and float(rows[0]["estimate"]) == 1.25
    assert render_sector_report(with_count, q, 1)  # the report accepts the table too
