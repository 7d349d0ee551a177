"""The spreadsheet authoring path: an XLSForm-style workbook imported into the YAML schema."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from pipeline.errors import SpecError
from pipeline.questionnaire.load import load_questionnaire
from pipeline.questionnaire.xlsform import import_xlsform, translate_condition

SURVEY: list[list[object]] = [
    [
        "type",
        "name",
        "label::nl",
        "label::en",
        "variable_label::nl",
        "variable_label::en",
        "relevant",
        "required",
        "constraint",
        "measure",
        "role",
        "unit",
        "grid",
        "modes",
        "missing",
        "soft_max",
    ],
    [
        "text",
        "sample_id",
        None,
        None,
        "steekproefnummer",
        "sample id",
        None,
        None,
        None,
        "nominal",
        "direct_identifier",
        None,
        None,
        None,
        "",
        None,
    ],
    ["begin group", "g1", "Over uw werk", "About your work"] + [None] * 12,
    [
        "select_one yesno",
        "telework",
        "Werkt u soms thuis?",
        "Do you sometimes work from home?",
        "telewerkt",
        "teleworks",
        None,
        "yes",
        None,
        "nominal",
        None,
        None,
        None,
        None,
        None,
        None,
    ],
    [
        "integer",
        "tw_days",
        "Hoeveel dagen per week?",
        "How many days a week?",
        "telewerkdagen",
        "telework days",
        "${telework} = '1'",
        "no",
        ". >= 0 and . <= 7",
        "scale",
        None,
        "dagen",
        None,
        None,
        None,
        5,
    ],
    ["end group"] + [None] * 15,
    [
        "select_multiple reasons",
        "reasons",
        "Waarom telewerkt u?",
        "Why do you telework?",
        "redenen",
        "reasons",
        "${telework} = 1",
        None,
        None,
        "nominal",
        None,
        None,
        None,
        None,
        None,
        None,
    ],
    [
        "select_one freq4",
        "wd01",
        "Moet u snel werken?",
        "Do you have to work fast?",
        "snel werken",
        "work fast",
        "selected(${reasons}, '2') or ${tw_days} > 2",
        None,
        None,
        "ordinal",
        None,
        None,
        "wd",
        "paper web",
        None,
        None,
    ],
    ["note", "thanks", "Dank u!", "Thank you!"] + [None] * 12,
]
CHOICES: list[list[object]] = [
    ["list_name", "name", "label::nl", "label::en", "score"],
    ["yesno", 1, "ja", "yes", 1],
    ["yesno", 2, "nee", "no", 0],
    ["reasons", 1, "files", "traffic", None],
    ["reasons", 2, "rust", "quiet", None],
    ["freq4", 1, "altijd", "always", 3],
    ["freq4", 2, "vaak", "often", 2],
    ["freq4", 3, "soms", "sometimes", 1],
    ["freq4", 4, "nooit", "never", 0],
]
SETTINGS = [
    [
        "form_id",
        "form_title",
        "title::en",
        "version",
        "wave",
        "population",
        "modes",
        "id_variable",
        "target_population::nl",
        "target_population::en",
    ],
    [
        "test-xls",
        "Testvragenlijst",
        "Test questionnaire",
        "0.1",
        2025,
        "werknemers",
        "paper web",
        "sample_id",
        "werknemers",
        "employees",
    ],
]


def workbook(path: Path, survey=SURVEY, choices=CHOICES, settings=SETTINGS) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in survey:
        ws.append(row)
    for name, rows in (("choices", choices), ("settings", settings)):
        sh = wb.create_sheet(name)
        for row in rows:
            sh.append(row)
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("xls", "expr"),
    [
        ("${telework} = '1'", "telework == 1"),
        ("${a} != 2 and ${b} >= 3", "a != 2 and b >= 3"),
        ("selected(${reasons}, '2')", "reasons_2 == 1"),
        ("not(${a} = 1)", "not (a == 1)"),
    ],
)
def test_translate_condition(xls: str, expr: str) -> None:
    assert translate_condition(xls) == expr


def test_import_workbook(tmp_path: Path) -> None:
    q = import_xlsform(workbook(tmp_path / "form.xlsx"))
    assert (
        q.study.id == "test-xls"
        and q.study.title.en == "Test questionnaire"
        and q.study.wave == 2025
    )
    assert [it.name for it in q.items] == ["sample_id", "telework", "tw_days", "reasons", "wd01"]
    tw = q.item("tw_days")
    assert tw.relevant == "telework == 1"
    assert tw.limits is not None and (
        tw.limits.hard_min,
        tw.limits.hard_max,
        tw.limits.soft_max,
    ) == (0, 7, 5)
    assert (
        tw.label.nl == "telewerkdagen"
        and tw.text is not None
        and tw.text.en == "How many days a week?"
    )
    assert q.item("telework").required and q.item("telework").section is not None
    assert q.item("wd01").relevant == "reasons_2 == 1 or tw_days > 2"
    assert q.choice_list("freq4").score_of(1) == 3.0
    assert q.variables()[3:5] == ("reasons_1", "reasons_2")


def test_cli_import_writes_a_loadable_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import main

    out = tmp_path / "form.yaml"
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "questionnaire",
                "import-xlsform",
                str(workbook(tmp_path / "form.xlsx")),
                "--out",
                str(out),
            ]
        )
        raise SystemExit(0)
    assert exc.value.code == 0
    assert load_questionnaire(out) == import_xlsform(tmp_path / "form.xlsx")


def test_broken_workbook_reports_every_problem_with_sheet_and_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    survey = [list(r) for r in SURVEY]
    survey[3][0] = "select_one yes_no"  # unknown choice list (row 4)
    survey[4][8] = ". > 0 or . = 99"  # unsupported constraint (row 5)
    survey[6][0] = "range"  # unsupported type (row 7)
    choices = [list(r) for r in CHOICES] + [
        ["yesno", 1, "misschien", "maybe", None]
    ]  # a choice name used twice in its list (row 10)
    path = workbook(tmp_path / "bad.xlsx", survey=survey, choices=choices)
    with pytest.raises(SpecError) as exc:
        import_xlsform(path)
    got = sorted((p.code, p.row, p.column) for p in exc.value.problems)
    assert got == [
        ("duplicate_code", 10, "B (name)"),
        ("unknown_choice_list", 4, "A (type)"),
        ("unsupported_constraint", 5, "I (constraint)"),
        ("xlsform_unsupported", 7, "A (type)"),
    ]
    from pipeline.cli import main

    with pytest.raises(SystemExit) as se:
        main(["questionnaire", "import-xlsform", str(path), "--out", str(tmp_path / "bad.yaml")])
    err = capsys.readouterr().err
    assert (
        se.value.code == 2 and "Traceback" not in err and "row 5" in err and "sheet survey" in err
    )
    assert not (tmp_path / "bad.yaml").exists()


def test_cross_reference_problems_point_at_survey_rows(tmp_path: Path) -> None:
    survey = [list(r) for r in SURVEY]
    survey[4][6] = "${telwork} = 1"  # unknown variable in routing, survey row 5
    with pytest.raises(SpecError) as exc:
        import_xlsform(workbook(tmp_path / "bad.xlsx", survey=survey))
    (p,) = exc.value.problems
    assert (p.code, p.row, p.path) == ("unknown_variable", 5, "items[2].relevant")


def test_not_a_workbook(tmp_path: Path) -> None:
    f = tmp_path / "x.xlsx"
    f.write_text("not excel", encoding="utf-8")
    with pytest.raises(SpecError) as exc:
        import_xlsform(f)
    assert exc.value.problems[0].code == "not_a_workbook"
