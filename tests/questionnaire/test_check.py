"""Loading and checking questionnaires: the shipped instruments are clean, every broken file in
``broken/`` reports exactly the problems its ``# expect:`` lines name, all at once, located."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.errors import SpecError
from pipeline.questionnaire.load import check_questionnaire, load_questionnaire, resolve, shipped
from pipeline.questionnaire.problems import CATALOGUE

HERE = Path(__file__).parent
BROKEN = sorted((HERE / "broken").glob("*.yaml"))
SHIPPED = sorted(shipped())


def expectations(path: Path) -> list[tuple[str, str]]:
    out = []
    for m in re.findall(r"^# expect: (.*)$", path.read_text(encoding="utf-8"), re.M):
        code, _, where = m.partition(" @ ")
        out.append((code.strip(), where.strip()))
    return sorted(out)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
        raise SystemExit(0)
    cap = capsys.readouterr()
    return int(exc.value.code or 0), cap.out, cap.err


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_questionnaires_are_clean(name: str) -> None:
    report = check_questionnaire(name)
    assert report.errors == () and report.warnings == ()
    q = load_questionnaire(name)
    assert q.study.status == "reference"
    for ind in q.indicators:
        if ind.kind == "traffic_light":
            assert ind.cutoff_status == "reference"  # every cut-off is a labelled reference value


def test_minimal_fixture_is_clean() -> None:
    assert check_questionnaire(HERE / "minimal.yaml").ok


def test_corpus_has_one_file_per_kind_of_mistake() -> None:
    assert len(BROKEN) >= 40
    codes = {c for f in BROKEN for c, _ in expectations(f)}
    assert codes <= set(CATALOGUE)
    assert len(codes) >= 40


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_file_reports_exactly_its_problems(path: Path) -> None:
    expected = expectations(path)
    assert expected, f"{path.name} has no '# expect:' line"
    report = check_questionnaire(path)
    got = sorted((p.code or "", p.path or "") for p in report.errors)
    assert got == expected
    for p in report.errors:
        assert p.file is not None and Path(p.file).name == path.name
        assert p.line is not None and p.line >= 1
        assert p.code in CATALOGUE
    with pytest.raises(SpecError) as exc:
        load_questionnaire(path)
    assert len(exc.value.problems) == len(expected)


def test_problem_lines_point_at_the_mistake() -> None:
    path = HERE / "broken" / "expr_syntax.yaml"
    (p,) = check_questionnaire(path).errors
    assert p.line is not None
    line = path.read_text(encoding="utf-8").splitlines()[p.line - 1]
    assert "telework = 1" in line
    assert "column 10" in p.message and p.hint and "==" in p.hint


def test_cli_reports_all_problems_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run_cli(["questionnaire", "check", *map(str, BROKEN)], capsys)
    assert code == 2
    assert "Traceback" not in err
    total = sum(len(expectations(p)) for p in BROKEN)
    assert f"{total} problems in {len(BROKEN)} file(s)" in err
    code, out, err = run_cli(["questionnaire", "check", "--json", *map(str, BROKEN)], capsys)
    assert code == 2 and "Traceback" not in err
    import json

    results = {Path(r["file"]).name: r for r in json.loads(out)}
    for path in BROKEN:
        r = results[path.name]
        assert not r["ok"]
        assert sorted((e["code"], e.get("path", "")) for e in r["errors"]) == expectations(path)


def test_cli_check_ok_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["questionnaire", "check"], capsys)
    assert code == 0 and out.count("OK ") == len(SHIPPED)
    code, out, _ = run_cli(
        ["questionnaire", "check", "--json", str(HERE / "broken" / "many_problems.yaml")], capsys
    )
    assert code == 2
    import json

    (res,) = json.loads(out)
    assert sorted((e["code"], e["path"]) for e in res["errors"]) == expectations(
        HERE / "broken" / "many_problems.yaml"
    )
    assert all("line" in e for e in res["errors"])


def test_unknown_questionnaire_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SpecError) as exc:
        resolve("wbm-werknemers-1999")
    assert exc.value.problems[0].code == "file_not_found"
    code, _, err = run_cli(["questionnaire", "check", "nope-2020"], capsys)
    assert code == 2 and "not found" in err and "Traceback" not in err


def test_modules_resolve_by_file_or_study_id() -> None:
    assert resolve("pc126") == resolve("wbm-pc126-2025")
    q = load_questionnaire("pc126")
    core = load_questionnaire("wbm-werknemers-2023")
    names = [it.name for it in q.items]
    assert q.study.id == "wbm-pc126-2025" and q.study.wave == 2025
    assert q.study.population == core.study.population
    assert (
        names[: names.index("pc126_subsector")] == [it.name for it in core.items][:-1]
    )  # core first, comment last
    assert names[-1] == "comment"
    assert q.scale("sectorrisico").items == ("hs01", "hs02", "hs03", "hs04")
    assert "pc126_subsector" in q.domains and q.mapping is None
    assert len(q.indicators) == len(core.indicators) + 1


def test_problem_in_a_module_points_into_the_module_and_base_problems_into_the_base(
    tmp_path: Path,
) -> None:
    base = (
        (HERE / "minimal.yaml")
        .read_text(encoding="utf-8")
        .replace('relevant: "telework == 1"', 'relevant: "telwork == 1"')
    )
    (tmp_path / "base.yaml").write_text(base, encoding="utf-8")
    (tmp_path / "mod.yaml").write_text(
        "kind: questionnaire_module\nschema_version: 1\nextends: base\nstudy: {id: m}\n"
        "add_items:\n  - {name: extra, type: single, choices: yesnoo, label: {nl: x, en: x}}\n",
        encoding="utf-8",
    )
    report = check_questionnaire(tmp_path / "mod.yaml")
    where = sorted((Path(p.file or "").name, p.path, p.code) for p in report.errors)
    assert where == [
        ("base.yaml", "items[4].relevant", "unknown_variable"),
        ("mod.yaml", "add_items[0].choices", "unknown_choice_list"),
    ]


def test_load_is_cached_and_sees_edits(tmp_path: Path) -> None:
    f = tmp_path / "q.yaml"
    f.write_text((HERE / "minimal.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    a = load_questionnaire(f)
    assert load_questionnaire(f) is a
    f.write_text(
        f.read_text(encoding="utf-8").replace("id: test-minimal", "id: test-edited"),
        encoding="utf-8",
    )
    assert load_questionnaire(f).study.id == "test-edited"


def test_cache_sees_edits_of_the_base_of_a_module(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(
        (HERE / "minimal.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "mod.yaml").write_text(
        "kind: questionnaire_module\nschema_version: 1\nextends: base\nstudy: {id: m}\n",
        encoding="utf-8",
    )
    limits = load_questionnaire(tmp_path / "mod.yaml").item("age").limits
    assert limits is not None and limits.hard_max == 80
    base = (
        (tmp_path / "base.yaml").read_text(encoding="utf-8").replace("hard_max: 80", "hard_max: 85")
    )
    (tmp_path / "base.yaml").write_text(base, encoding="utf-8")
    limits = load_questionnaire(tmp_path / "mod.yaml").item("age").limits
    assert limits is not None and limits.hard_max == 85


def test_multiple_choice_item_name_in_a_condition_gets_a_helpful_hint(tmp_path: Path) -> None:
    text = (
        (HERE / "minimal.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "  - {name: wd01,",
            "  - {name: why, type: multiple, choices: freq4, label: {nl: waarom, en: why}}\n"
            '  - {name: wd01, relevant: "why == 1",',
        )
    )
    (tmp_path / "q.yaml").write_text(text, encoding="utf-8")
    (p,) = check_questionnaire(tmp_path / "q.yaml").errors
    assert p.code == "unknown_variable" and p.hint and "why_1 == 1" in p.hint
