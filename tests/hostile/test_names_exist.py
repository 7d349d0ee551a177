"""Release safety: every variable name in a release profile, table request or margins file must
exist (refused with "did you mean"), and a key twice in any of them is refused, never "last wins"."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import PipelineError, SpecError
from pipeline.questionnaire.load import load_questionnaire
from pipeline.sdc.microdata.plan import check_profile
from pipeline.sdc.microdata.profile import load_profile, parse_profile

BASE = {
    "kind": "release_profile",
    "name": "test",
    "use": "public_use",
    "title": {"nl": "t"},
    "conditions_of_use": {"nl": "c"},
    "citation": {"nl": "c"},
}


def names_only(problems):
    """The problems about names; a bare profile also lacks a decision for every raw item
    (``item_decision_missing``), which is another test's concern."""
    return [p for p in problems if p.code != "item_decision_missing"]


@pytest.fixture(scope="module")
def q():
    return load_questionnaire("wbm-werknemers-2023")


def test_a_typo_in_drop_is_refused_with_did_you_mean(q):
    """The review's finding: ``drop: [duraton_sec]`` was ignored and duration_sec went out."""
    problems = names_only(check_profile(parse_profile({**BASE, "drop": ["duraton_sec"]}), q))
    assert [p.code for p in problems] == ["unknown_variable"]
    assert problems[0].path == "drop[0]" and "did you mean 'duration_sec'?" in problems[0].hint
    assert names_only(check_profile(parse_profile({**BASE, "drop": ["duration_sec"]}), q)) == []


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("key_variables", ["sexe"], "key_variables[0]"),
        ("keep", ["sex", "agee"], "keep[1]"),
        ("utility", {"by": ["sectr"]}, "utility.by[0]"),
        ("merge_small", [{"variable": "sectorr", "min_count": 5}], "merge_small[0].variable[0]"),
    ],
)
def test_every_name_list_of_a_profile_is_checked(q, field, value, path):
    problems = check_profile(parse_profile({**BASE, field: value}), q)
    assert any(p.code == "unknown_variable" and p.path == path for p in problems)
    assert all("did you mean" in (p.hint or "") for p in problems if p.code == "unknown_variable")


def test_release_refuses_the_profile_before_writing(small_run_dir, tmp_path):
    from pipeline.release.build import build_release

    prof = tmp_path / "p.yaml"
    text = (Path(__file__).parents[2] / "releases" / "public-use.yaml").read_text(encoding="utf-8")
    assert "fa, duration_sec]" in text
    prof.write_text(text.replace("fa, duration_sec]", "fa, duraton_sec]"), encoding="utf-8")
    with pytest.raises(SpecError) as exc:
        build_release(small_run_dir, prof, tmp_path / "out", pdf=False)
    assert exc.value.code == "profile_mismatch" and exc.value.problems[0].file == str(prof)
    assert not (tmp_path / "out").exists()


def test_duplicate_k_in_a_profile_is_refused(tmp_path):
    """The review's finding: ``k: 5`` then ``k: 3`` went out at k = 3."""
    text = (Path(__file__).parents[2] / "releases" / "public-use.yaml").read_text(encoding="utf-8")
    assert "\nk: 5\n" in text
    f = tmp_path / "p.yaml"
    f.write_text(text.replace("\nk: 5\n", "\nk: 5\nk: 3\n"), encoding="utf-8")
    with pytest.raises(SpecError) as exc:
        load_profile(f)
    (p,) = [p for p in exc.value.problems if p.code == "duplicate_key"]
    assert p.path == "k" and p.line == text[: text.index("\nk: 5\n")].count("\n") + 3


def test_rows_twice_in_a_request_is_refused(tmp_path):
    from pipeline.tables.request import read_request

    f = tmp_path / "r.yaml"
    f.write_text(
        "kind: table-request\nschema_version: 1\nid: r\nrequester: x\npopulation: employees\n"
        "waves: [2023]\nindicators: [werkstress]\nrows: sex\nrows: sector\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as exc:
        read_request(f)
    assert [(p.code, p.path, p.line) for p in exc.value.problems] == [("duplicate_key", "rows", 9)]


@pytest.mark.parametrize(
    ("field", "value", "code", "meant"),
    [
        ("indicators", ["werkstres"], "unknown_indicator", "werkstress"),
        ("rows", "age_bnd", "unknown_variable", "age_band"),
        ("filters", [{"variable": "sectr", "levels": [4]}], "unknown_variable", "sector"),
    ],
)
def test_request_names_must_exist(field, value, code, meant):
    from pipeline.tables.request import parse_request, resolve

    data = {
        "kind": "table-request",
        "schema_version": 1,
        "id": "r",
        "requester": "x",
        "population": "employees",
        "waves": [2023],
        "indicators": ["werkstress"],
        field: value,
    }
    with pytest.raises(SpecError) as exc:
        resolve(parse_request(data, "r.yaml"), "r.yaml")
    (p,) = exc.value.problems
    assert p.code == code and f"did you mean {meant!r}?" in (p.hint or "")


def test_margins_name_must_be_a_data_column(tmp_path):
    from pipeline.weighting.api import weight_frame
    from pipeline.weighting.margins import load_margins

    m = tmp_path / "m.csv"
    m.write_text("variable,level,total\nsexe,1,10\nsexe,2,12\n", encoding="utf-8")
    df = pd.DataFrame({"sex": [1, 2, 1, 2]})
    with pytest.raises(PipelineError) as exc:
        weight_frame(df, load_margins(m))
    (p,) = exc.value.problems
    assert p.code == "missing_column" and "did you mean 'sex'?" in (p.hint or "")
