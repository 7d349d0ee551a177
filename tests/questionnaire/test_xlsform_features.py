"""Faithful XLSForm import: each feature real forms use is imported (and survives XLSForm -> YAML ->
XLSForm) or refused with a located message in spreadsheet terms, all problems in one pass."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.errors import SpecError
from pipeline.questionnaire.dump import dump_questionnaire
from pipeline.questionnaire.load import load_questionnaire
from pipeline.questionnaire.xlsform import read_xlsform
from pipeline.questionnaire.xlsform.conditions import from_xlsform, to_xlsform
from pipeline.questionnaire.xlsform.writer import write_xlsform

SURVEY: list[list[Any]] = [
    [
        "type",
        "name",
        "label::English (en)",
        "label::Dutch (nl)",
        "label::Français (fr)",
        "hint::Dutch (nl)",
        "bind::relevant",
        "bind::required",
        "constraint",
        "constraint_message::Dutch (nl)",
        "appearance",
        "calculation",
    ],
    ["start", "start"],
    ["select_one yes_no", "consent", "Consent?", "Toestemming?"],
    ["begin group", "work", "About work", "Over het werk", None, None, "${consent} = 'yes'"],
    [
        "select_one yes_no",
        "telework",
        "Telework?",
        "Telewerk?",
        "Télétravail?",
        "Ook gedeeltelijk",
        None,
        "true()",
        None,
        None,
        "minimal",
    ],
    [
        "integer",
        "tw_days",
        "Days?",
        "Dagen?",
        None,
        None,
        "${telework} = 'yes'",
        "false()",
        ". >= 0 and . <= 5",
        "Hoogstens 5 dagen",
    ],
    [
        "select_multiple why_list or_other",
        "why",
        "Why?",
        "Waarom?",
        None,
        None,
        "selected(${telework}, 'yes')",
    ],
    ["end group"],
    ["calculate", "double", None, None, None, None, None, None, None, None, None, "${tw_days} * 2"],
    ["note", "thanks", "Thanks", "Bedankt"],
]
CHOICES: list[list[Any]] = [
    ["list_name", "name", "label::English (en)", "label::Dutch (nl)"],
    ["yes_no", "yes", "Yes", "Ja"],
    ["yes_no", "no", "No", "Nee"],
    ["why_list", "quiet", "Quiet", "Rust"],
    ["why_list", "commute", "Commute", "Files"],
]


def _book(path: Path, survey=SURVEY, choices=CHOICES, settings=None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "survey"
    for row in survey:
        ws.append(row)
    for name, rows in (("choices", choices), ("settings", settings)):
        if rows is None:
            continue
        sh = wb.create_sheet(name)
        for row in rows:
            sh.append(row)
    wb.save(path)
    return path


@pytest.fixture
def imported(tmp_path: Path):
    return read_xlsform(_book(tmp_path / "form.xlsx"))


def test_features_are_imported(imported) -> None:
    q = imported.questionnaire
    names = [it.name for it in q.items]
    assert names == ["instance_id", "consent", "telework", "tw_days", "why", "why_other"]
    # list names with underscores; text choice names get codes, recorded as the choices' names
    yn = q.choice_list("yes_no")
    assert [(c.code, c.name, c.label.nl, c.label.en) for c in yn.choices] == [
        (1, "yes", "Ja", "Yes"),
        (2, "no", "Nee", "No"),
    ]
    assert ("yes_no", "yes", 1) in imported.choice_codes
    tel, days, why = q.item("telework"), q.item("tw_days"), q.item("why")
    # relevant on a group applies to every question in it; bind:: headers are read
    assert tel.relevant == "consent == 1"
    assert days.relevant == "(consent == 1) and (telework == 1)"
    assert why.relevant == "(consent == 1) and (telework == 1)"  # selected() on a select_one
    # required true() / false(); hint; constraint + message; languages
    assert tel.required and not days.required
    assert tel.hint is not None and tel.hint.nl == "Ook gedeeltelijk"
    assert tel.text is not None and (tel.text.nl, tel.text.en) == ("Telewerk?", "Telework?")
    assert days.limits is not None and (days.limits.hard_min, days.limits.hard_max) == (0, 5)
    assert days.limits.message is not None and days.limits.message.nl == "Hoogstens 5 dagen"
    # or_other: an 'other' choice and a text item asked when it is chosen
    other = q.choice_list("why_list_or_other").choices[-1]
    assert (other.name, other.code) == ("other", 3)
    assert q.item("why_other").relevant == "why_3 == 1"
    assert tel.section is not None and tel.section.nl == "Over het werk"
    # no settings sheet: defaults, each a notice; ODK's instanceID is the id
    assert q.study.id == "form" and q.study.id_variable == "instance_id"


def test_nothing_is_dropped_without_a_notice(imported) -> None:
    text = "\n".join(n.render() for n in imported.notices)
    for expected in (
        "label texts in 'français (fr)' are not imported",  # a third language
        "K (appearance)",  # presentation
        "'calculate' row(s) not imported",
        "'note' row(s) not imported",
        "'start' row(s) not imported",
        "no 'wave'",
        "no 'population'",
    ):
        assert expected in text, expected
    assert all(n.code == "xlsform_not_imported" for n in imported.notices)


def test_round_trip_keeps_every_feature(imported, tmp_path: Path) -> None:
    q1 = imported.questionnaire
    out = tmp_path / "back.xlsx"
    assert write_xlsform(q1, out) == []
    q2 = read_xlsform(out).questionnaire
    assert dump_questionnaire(q2) == dump_questionnaire(q1)
    assert q2 == q1


def test_round_trip_of_a_shipped_questionnaire(tmp_path: Path) -> None:
    q = load_questionnaire("wbm-werknemers-2023")
    out = tmp_path / "wbm.xlsx"
    left = write_xlsform(q, out)
    assert "scales" in " ".join(left) and "indicators" in " ".join(left)
    back = read_xlsform(out).questionnaire
    # every item, its texts, routing, limits, codes and labels survive (release recodes are no
    # XLSForm feature: they stay in the YAML and are named by write_xlsform)
    assert "release recodes" in " ".join(left)
    assert back.items == tuple(it.model_copy(update={"release": None}) for it in q.items)
    assert back.choice_lists == q.choice_lists
    assert back.study == q.study


def test_unsupported_features_are_refused_at_once_with_locations(tmp_path: Path) -> None:
    survey = [
        ["type", "name", "label", "relevant", "required", "choice_filter", "constraint"],
        ["select_one yes_no", "a", "A"],
        ["begin repeat", "kids", "Kids"],
        ["integer", "age", "Age"],
        ["end repeat"],
        ["select_one yes_no", "b", "B", None, "${a} = 'yes'"],
        ["select_one yes_no", "c", "C", None, None, "x = ${a}"],
        ["geopoint", "where", "Where"],
        ["integer", "d", "D", "string-length(${a}) > 2", None, None, ". > ${a}"],
        ["select_one yes_no", "e", "E", "${a} = 'maybe'"],
    ]
    with pytest.raises(SpecError) as exc:
        read_xlsform(_book(tmp_path / "bad.xlsx", survey=survey))
    got = sorted((p.row, p.column) for p in exc.value.problems)
    assert got == [
        (3, "A (type)"),  # repeat
        (6, "E (required)"),  # a condition in required
        (7, "F (choice_filter)"),
        (8, "A (type)"),  # geopoint
        (9, "D (relevant)"),  # string-length()
        (9, "G (constraint)"),
        (10, "D (relevant)"),  # 'maybe' is no choice of a
    ]
    for p in exc.value.problems:
        assert p.message.startswith("sheet survey: ") and p.hint, p.render()
    assert "'maybe' is not a choice" in exc.value.problems[-1].message or any(
        "'maybe'" in p.message for p in exc.value.problems
    )


def test_xls_files_are_read() -> None:
    path = Path(__file__).parent / "xlsforms" / "pyxform" / "text_and_integer.xls"
    q = read_xlsform(path).questionnaire
    assert [it.type.value for it in q.items][1:] == ["text", "integer"]


@pytest.mark.parametrize(
    ("xls", "expr"),
    [
        ("${a} = 'yes'", "a == 1"),
        ("'no' = ${a}", "2 == a"),
        ("selected(${m}, 'x')", "m_7 == 1"),
        ("${a} != ''", "answered(a)"),
        ("${a} = '' or ${n} > 3", "not answered(a) or n > 3"),
    ],
)
def test_conditions_and_back(xls: str, expr: str) -> None:
    names = {"a": {"yes": 1, "no": 2}, "m": {"x": 7}}
    assert from_xlsform(xls, names) == expr
    back = to_xlsform(expr, names, {"m": {7: "x"}})
    assert from_xlsform(back, names) == expr


def test_cli_import_lists_notices_and_codes_and_export_names_what_stays(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pipeline.cli import cli

    form = Path(__file__).parent / "xlsforms" / "pyxform" / "specify_other.xlsx"
    out = tmp_path / "q.yaml"
    r = CliRunner().invoke(
        cli, ["questionnaire", "import-xlsform", str(form), "--out", str(out), "--wave", "2024"]
    )
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert "sexes: male = 1; sexes: female = 2" in text and "Not imported" in text
    assert "not imported:" in r.output and "2 text choice names coded" in r.output
    q = load_questionnaire(str(out))
    assert q.study.wave == 2024 and q.choice_list("sexes").choices[0].name == "male"
    back = tmp_path / "back.xlsx"
    r = CliRunner().invoke(cli, ["questionnaire", "export-xlsform", "oe-2025", "--out", str(back)])
    assert r.exit_code == 0 and back.exists()
    assert "not in the XLSForm (kept in the YAML)" in r.output
