"""Routed open-text items ("other, namely ...") on a plain YAML questionnaire.

Regression: harmonisation looked a text item up among the numeric values and stopped with a KeyError
on any text item with ``relevant``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.ingest import InputFile
from pipeline.questionnaire.load import load_questionnaire
from pipeline.validate import run_validation
from pipeline.validate.run import read_all, validate_tables

QUESTIONNAIRE = """\
kind: questionnaire
schema_version: 1
study:
  id: test-other
  title: {nl: test, en: test}
  wave: 2023
  population: werknemers
  target_population: {nl: testpopulatie, en: test population}
  modes: [paper, web]
  id_variable: sample_id
  version: "1"
choice_lists:
  - name: sector
    choices:
      - {code: 1, label: {nl: industrie, en: industry}}
      - {code: 2, label: {nl: diensten, en: services}}
      - {code: 9, label: {nl: andere, en: other}}
items:
  - {name: sample_id, type: text, role: direct_identifier, missing: [], label: {nl: id, en: id}}
  - {name: sector, type: single, choices: sector, label: {nl: sector, en: sector}}
  - {name: sector_other, type: text, relevant: "sector == 9", label: {nl: andere, en: other}}
  - {name: start, type: date, relevant: "sector != 9", label: {nl: start, en: start}}
"""

ROWS = "S1,1,,2020-01-01\nS2,9,bakkerij,\nS3,1,kapper,2021-05-01\nS4,,tekst,\n"


@pytest.fixture
def q(tmp_path: Path):
    path = tmp_path / "q.yaml"
    path.write_text(QUESTIONNAIRE, encoding="utf-8")
    return load_questionnaire(str(path))


def _frames(q, tmp_path: Path, mode: str):
    f = tmp_path / f"{mode}.csv"
    f.write_text("sample_id,sector,sector_other,start\n" + ROWS, encoding="utf-8")
    raws, seconds = read_all(q, [InputFile(f, mode=mode)])  # type: ignore[arg-type]
    return validate_tables(q, raws, seconds)


@pytest.mark.parametrize(
    ("mode", "code"), [("paper", "routing_text_answered"), ("web", "routing_tool_error")]
)
def test_text_answer_where_routing_skips_is_kept_and_reported(q, tmp_path, mode, code) -> None:
    vf = _frames(q, tmp_path, mode)
    acc = vf.accepted.set_index("sample_id")
    # the text is never thrown away, whatever routing says
    assert acc.loc["S3", "sector_other"] == "kapper"
    assert acc.loc["S2", "sector_other"] == "bakkerij"
    iss = vf.issues[vf.issues["code"] == code]
    assert iss["record_id"].tolist() == [f"{mode}.csv:3"]
    assert iss["item"].tolist() == ["sector_other"]
    assert iss["value"].tolist() == ["<text>"]  # free text is never copied into the issue table
    # S4: the filter is unanswered, so routing is unknown and nothing is reported
    assert not (vf.issues["record_id"] == f"{mode}.csv:4").any() or set(
        vf.issues.loc[vf.issues["record_id"] == f"{mode}.csv:4", "code"]
    ).isdisjoint({code})
    # a date item with routing is handled the same way (S2 skips it and left it blank)
    assert not ((vf.issues["item"] == "start") & (vf.issues["code"] == code)).any()


def test_validate_writes_a_run_with_a_routed_text_item(q, tmp_path) -> None:
    f = tmp_path / "p.csv"
    f.write_text("sample_id,sector,sector_other,start,keyer\n" + ROWS.replace("\n", ",k\n"))
    summary = run_validation(q, [InputFile(f)], tmp_path / "out")
    assert summary.balanced
    assert dict(summary.issue_counts)["routing_text_answered"] == 1
