"""No input shape ends in a traceback: hypothesis fuzzes headers and cells of delivered files (every
dialect, with and without a declared dialect) and XLSForm sheets; the result is a validation whose
rows balance, or a located PipelineError."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import PipelineError
from pipeline.ingest import InputFile
from pipeline.questionnaire.load import load_questionnaire
from pipeline.questionnaire.xlsform import read_xlsform
from pipeline.validate.run import read_all, validate_tables

MINIMAL = Path(__file__).parent.parent / "questionnaire" / "minimal.yaml"
Q = load_questionnaire(str(MINIMAL))
VARS = list(Q.variables())
TOKENS = [
    "",
    "N/A",
    "-99",
    "Y",
    "N",
    "x",
    "ja",
    "nee",
    "man",
    "vrouw",
    "1",
    "2",
    "3",
    "99",
    "-1",
    "37,5",
    "2/3",
    '{"ImportId":"QID1"}',
    "=SUM(A1)",
    "\u00e9\u00e8",
    " ",
    "nan",
    "inf",
]
HEADERS = [
    *VARS,
    *(v.upper() for v in VARS),
    "WD[SQ001]",
    "wd_1",
    "id",
    "submitdate",
    "lastpage",
    "startlanguage",
    "StartDate",
    "ResponseId",
    "Progress",
    "keyer",
    "batch",
    "token",
    "",
    "sexe",
    "a[b]",
    "\u00e9",
    "sample_id",
]

cells = st.one_of(st.sampled_from(TOKENS), st.text(max_size=6))
headers = st.lists(
    st.one_of(st.sampled_from(HEADERS), st.text(max_size=5)), min_size=1, max_size=12
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=headers,
    rows=st.lists(st.lists(cells, min_size=0, max_size=14), min_size=0, max_size=6),
    dialect=st.sampled_from([None, "plain", "limesurvey", "qualtrics", "spss", "keying"]),
    mode=st.sampled_from([None, "web", "paper"]),
)
def test_delivered_csv_never_ends_in_a_traceback(tmp_path_factory, header, rows, dialect, mode):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    path = tmp_path_factory.mktemp("fuzz") / "f.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    try:
        raws, seconds = read_all(Q, [InputFile(path, mode=mode, dialect=dialect)])
        vf = validate_tables(Q, raws, seconds)
    except PipelineError as exc:
        assert exc.problems or exc.message
        return
    assert len(vf.accepted) + len(vf.set_aside) == raws[0].n_rows


SURVEY_TYPES = [
    "integer",
    "text",
    "select_one yes_no",
    "select_multiple yes_no or_other",
    "begin group",
    "end group",
    "begin repeat",
    "end repeat",
    "note",
    "calculate",
    "geopoint",
    "",
    "select_one",
    "select one from yes_no",
    "date",
]
PRINTABLE = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=6)
XLS_CELLS = st.one_of(
    st.sampled_from(["${a} = 'yes'", "selected(${a}, 'no')", "yes", "true()", ". >= 1", "a", "b"]),
    PRINTABLE,  # openpyxl cannot store control characters: Excel never holds them
    st.none(),
    st.integers(-3, 3),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    survey=st.lists(
        st.tuples(
            st.sampled_from(SURVEY_TYPES),
            st.sampled_from(["a", "b", "c", "a", None, "1x"]),
            XLS_CELLS,
            XLS_CELLS,
            XLS_CELLS,
        ),
        max_size=8,
    ),
    extra_header=st.sampled_from(
        [
            "relevant",
            "bind::required",
            "constraint",
            "label::English (en)",
            "choice_filter",
            "",
            "hint",
        ]
    ),
    with_choices=st.booleans(),
)
def test_xlsform_never_ends_in_a_traceback(tmp_path_factory, survey, extra_header, with_choices):
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "survey"
    ws.append(["type", "name", "label", extra_header, "required"])
    for row in survey:
        ws.append(list(row))
    if with_choices:
        ch = wb.create_sheet("choices")
        ch.append(["list_name", "name", "label"])
        ch.append(["yes_no", "yes", "Yes"])
        ch.append(["yes_no", "no", "No"])
    path = tmp_path_factory.mktemp("fuzzx") / "form.xlsx"
    wb.save(path)
    try:
        read_xlsform(path)
    except PipelineError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.file == str(path)


@pytest.mark.parametrize("content", [b"", b"\x00\x01garbage", b"PK\x03\x04broken"])
def test_damaged_workbooks_are_refused(tmp_path: Path, content: bytes) -> None:
    for suffix in (".xlsx", ".xls"):
        path = tmp_path / f"form{suffix}"
        path.write_bytes(content)
        with pytest.raises(PipelineError) as exc:
            read_xlsform(path)
        assert exc.value.problems[0].code == "not_a_workbook"


def _named(var: str, style: str) -> str:
    if style == "upper":
        return var.upper()
    if style == "lime" and var[-2:].isdigit():
        return f"{var[:-2].upper()}[SQ0{var[-2:]}]"
    return var


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    style=st.sampled_from(["plain", "upper", "lime"]),
    extra=st.lists(st.sampled_from(HEADERS[len(VARS) * 2 :]), max_size=4, unique=True),
    rows=st.lists(
        st.lists(cells, min_size=len(VARS) + 4, max_size=len(VARS) + 4), min_size=1, max_size=8
    ),
    qualtrics=st.booleans(),
    dialect=st.sampled_from([None, "limesurvey", "qualtrics", "keying"]),
)
def test_full_width_deliveries_validate_or_refuse(
    tmp_path_factory, style, extra, rows, qualtrics, dialect
):
    header = [_named(v, style) for v in VARS]
    header += [e for e in extra if e and e not in header]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    if qualtrics:
        w.writerow(["question"] * len(header))
        w.writerow(['{"ImportId":"QID1"}'] * len(header))
    for r in rows:
        w.writerow(r[: len(header)])
    path = tmp_path_factory.mktemp("fuzzw") / "w.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    try:
        raws, seconds = read_all(Q, [InputFile(path, mode="web", dialect=dialect)])
        vf = validate_tables(Q, raws, seconds)
    except PipelineError as exc:
        assert exc.problems or exc.message
        return
    assert len(vf.accepted) + len(vf.set_aside) == raws[0].n_rows
    assert raws[0].n_rows == len(rows) or qualtrics or dialect == "qualtrics"
