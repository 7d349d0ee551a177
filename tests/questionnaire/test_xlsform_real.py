"""Real public XLSForms (tests/questionnaire/xlsforms/pyxform/, BSD 2-Clause, see SOURCE.md there):
each is imported or refused with located problems, never a traceback, and nothing in it is lost
silently: every row is an item, a group boundary, or named by a notice or problem, and every
column with values is read or named by a notice or problem."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.errors import Problem, SpecError
from pipeline.questionnaire.xlsform import read_xlsform
from pipeline.questionnaire.xlsform.reader import SURVEY_READ, language
from pipeline.questionnaire.xlsform.workbook import read_workbook
from pipeline.questionnaire.xlsform.writer import write_xlsform

FORMS = Path(__file__).parent / "xlsforms" / "pyxform"
IMPORTED = {
    "calculate.xls",
    "field-list.xlsx",
    "hidden.xls",
    "specify_other.xlsx",
    "table-list.xls",
    "text_and_integer.xls",
    "yes_or_no_question.xlsx",
}
REFUSED = {  # form -> why (a feature a questionnaire cannot hold)
    "cascading_select_test_equivalent.xls": "routing on a calculate field",
    "choice_filter_test.xlsx": "choice_filter",
    "default_time_demo.xls": "time question",
    "group.xlsx": "phone number question",
    "loop.xlsx": "repeat",
    "or_other.xlsx": "choice_filter",
    "tutorial.xls": "repeat",
    "widgets.xls": "geopoint, image, time, ...",
    "xlsform_spec_test.xlsx": "repeat, geopoint, ...",
}
FORM_FILES = sorted(p.name for p in FORMS.iterdir() if p.suffix in (".xls", ".xlsx"))
STRUCTURE = re.compile(r"^(begin|end)[ _](group|repeat|loop)")


def test_every_form_is_classified_and_the_licence_is_beside_them() -> None:
    assert set(FORM_FILES) == IMPORTED | set(REFUSED)
    assert "BSD" in (FORMS / "LICENSE").read_text(encoding="utf-8") or "Redistribution" in (
        FORMS / "LICENSE"
    ).read_text(encoding="utf-8")
    assert "51e5bfecc306febe03b3c4791ad0dbdecad208a4" in (FORMS / "SOURCE.md").read_text()


def _named(problems: list[Problem], sheet: str, row: int | None, column: str | None) -> bool:
    for p in problems:
        if not p.message.startswith(f"sheet {sheet}"):
            continue
        if row is not None and (p.row == row or re.search(rf"\brows? [\d, ]*\b{row}\b", p.message)):
            return True
        if column is not None and p.column is not None and p.column.endswith(f"({column})"):
            return True
    return False


@pytest.mark.parametrize("name", FORM_FILES)
def test_real_form_is_imported_or_refused_with_nothing_lost(name: str) -> None:
    path = FORMS / name
    try:
        result = read_xlsform(path)
    except SpecError as exc:
        assert name in REFUSED, [p.render() for p in exc.problems]
        problems = list(exc.problems)
        assert problems and all(p.row is not None or p.column for p in problems)
        assert all(p.file == str(path) and p.message.startswith("sheet ") for p in problems)
        return
    assert name in IMPORTED
    q, notes = result.questionnaire, list(result.notices)
    items = {it.name for it in q.items}
    sheets = read_workbook(path)
    survey = sheets["survey"]
    for row, rec in survey.rows:
        typ = str(rec.get("type") or "").strip().lower()
        if str(rec.get("name")) in items or STRUCTURE.match(typ):
            continue
        assert _named(notes, survey.name, row, None), (name, row, rec)
    for sheet in (survey, sheets.get("choices")):
        if sheet is None:
            continue
        for h, _letter, written in sheet.headers:
            if not any(rec.get(h) is not None for _r, rec in sheet.rows):
                continue
            lang = language(h)
            read = (
                h in SURVEY_READ
                or h in ("list_name", "name", "score", "code")
                or (lang is not None and not (lang[1] or "").startswith("?"))
            )
            assert read or _named(notes, sheet.name, None, written), (name, sheet.name, h)
    # and what was imported survives the round trip
    out = Path(str(path) + ".roundtrip.xlsx")
    try:
        write_xlsform(q, out)
        assert read_xlsform(out).questionnaire == q
    finally:
        out.unlink(missing_ok=True)
