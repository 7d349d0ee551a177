"""run_validation end to end: the files of 01_validate/, their contract, atomicity, the report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.ingest import InputFile
from pipeline.rundata import layout
from pipeline.validate import ValidationSummary, run_validation
from pipeline.validate.catalogue import CATALOGUE
from pipeline.validate.result import OUTPUT_FILES

META = [
    "_mode",
    "_source_file",
    "_source_row",
    "_record_id",
    "_completeness",
    "_item_nonresponse",
    "_flags",
]


@pytest.fixture
def wave(tmp_path: Path, paper_frame: pd.DataFrame, web_frame: pd.DataFrame, q) -> list[InputFile]:
    from .validate_wavegen import write_csv, write_sav

    p = paper_frame
    p.loc[0, "wb01"] = "2/3"
    p.loc[1, "working"] = "2"
    p.loc[2, "sample_id"] = ""
    p.loc[3, "sample_id"] = "S001001"  # also on the web
    return [
        InputFile(write_csv(p, tmp_path / "paper_keyed.csv")),
        InputFile(write_sav(web_frame, tmp_path / "web_export.sav", q)),
    ]


def test_outputs_and_invariant(q, tmp_path: Path, wave: list[InputFile]) -> None:
    out = layout.stage_dir(tmp_path / "run", "validate")
    s = run_validation(q, wave, out)
    assert isinstance(s, ValidationSummary)
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    assert s.balanced and s.rows_read == 70 == s.accepted + s.set_aside
    acc = pd.read_parquet(out / "accepted.parquet")
    sa = pd.read_parquet(out / "set_aside.parquet")
    assert len(acc) == s.accepted and len(sa) == s.set_aside
    assert acc["_record_id"].is_unique and not set(acc["_record_id"]) & set(sa["_record_id"])
    for i in s.inputs:
        assert i.rows_read == (
            (acc["_source_file"] == i.file).sum() + (sa["_source_file"] == i.file).sum()
        )
    derived = [d.name for d in q.derived]  # age_band, arbeidsregime
    assert "age_band" in derived and "arbeidsregime" in derived
    assert list(acc.columns) == [*q.variables(), *derived, *META]
    assert list(sa.columns) == [*q.variables(), *derived, *META, "_reasons"]
    assert (sa["_reasons"] != "").all()
    assert (
        s.reasons("duplicate") == 1
        and s.reasons("missing_id") == 1
        and s.reasons("outside_target_population") == 1
    )
    assert acc["age"].dtype == np.float64 and not acc.select_dtypes("number").isna().any().any()
    assert set(acc["_completeness"]) <= {"complete", "partial", "breakoff"}
    edits = pd.read_parquet(out / "edits.parquet")
    assert list(edits.columns) == [
        "record_id",
        "sample_id",
        "mode",
        "source_file",
        "source_row",
        "item",
        "old_value",
        "new_value",
        "rule_id",
    ]
    issues = pd.read_parquet(out / "issues.parquet")
    assert set(issues["code"]) <= set(CATALOGUE)
    assert s.issues("multiple_ticks") == 1


def test_diagnostics_and_report(q, tmp_path: Path, wave: list[InputFile]) -> None:
    out = tmp_path / "v"
    s = run_validation(q, wave, out)
    diag = json.loads((out / "diagnostics.json").read_text())
    assert diag["totals"]["rows_read"] == s.rows_read and diag["totals"]["balanced"] is True
    assert diag["set_aside_reasons"]["duplicate"] == {"paper": 1, "web": 0}
    html = (out / "validation_report.html").read_text()
    for text in (  # Dutch by default
        '<html lang="nl">',
        "Validatierapport",
        "paper_keyed.csv",
        "web_export.sav",
        "Dubbele respondent",
        "wb01",
        "Per vraag",
        f"Gelezen rijen: <strong>{s.rows_read:,}</strong>".replace(",", "."),
    ):
        assert text in html
    assert "Validation report" not in html and "Rows read" not in html
    assert "S001001" not in html  # no ids or answers in the report
    en_out = tmp_path / "en"
    run_validation(q, wave, en_out, lang="en")
    en = (en_out / "validation_report.html").read_text()
    for text in ('<html lang="en">', "Validation report", "Duplicate respondent", "Per item"):
        assert text in en
    assert f"Rows read: <strong>{s.rows_read:,}</strong>" in en
    # the machine-readable files do not depend on the language
    for name in ("diagnostics.json", "accepted.parquet", "issues.parquet", "edits.parquet"):
        assert (en_out / name).read_bytes() == (out / name).read_bytes(), name


def test_the_report_catalogues_cover_every_code_in_both_languages() -> None:
    from pipeline.validate.catalogue import EDIT_RULES
    from pipeline.validate.words import EDIT_RULES_NL, ISSUE_TITLES_NL, WORDS

    assert set(WORDS) == {"nl", "en"} and WORDS["nl"].keys() == WORDS["en"].keys()
    assert not set(WORDS["nl"]) & set(dir(dict))  # the template reads t.key: no dict method
    assert ISSUE_TITLES_NL.keys() == CATALOGUE.keys()
    assert EDIT_RULES_NL.keys() == EDIT_RULES.keys()


def test_an_unknown_report_language_is_refused(q, tmp_path: Path, wave: list[InputFile]) -> None:
    from pipeline.errors import UsageError

    with pytest.raises(UsageError, match="'fr'"):
        run_validation(q, wave, tmp_path / "x", lang="fr")
    assert not (tmp_path / "x").exists()


def test_unreadable_input_writes_nothing(q, tmp_path: Path, wave: list[InputFile]) -> None:
    bad = tmp_path / "broken.csv"
    bad.write_bytes(wave[0].path.read_bytes()[:-30])
    out = tmp_path / "out"
    with pytest.raises(InputError) as exc:
        run_validation(q, [*wave, InputFile(bad)], out)
    assert "broken.csv" in exc.value.message
    assert not out.exists()
    # a previous good run is left as it was
    run_validation(q, wave, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(InputError):
        run_validation(q, [InputFile(bad)], out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_outputs_are_deterministic(q, tmp_path: Path, wave: list[InputFile]) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    run_validation(q, wave, a)
    run_validation(q, wave, b)
    for name in OUTPUT_FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_row_order_does_not_change_outcomes(q, tmp_path: Path, paper_frame: pd.DataFrame) -> None:
    from .validate_wavegen import write_csv

    s1 = run_validation(q, [InputFile(write_csv(paper_frame, tmp_path / "a.csv"))], tmp_path / "o1")
    shuffled = paper_frame.sample(frac=1.0, random_state=3)[list(reversed(paper_frame.columns))]
    s2 = run_validation(q, [InputFile(write_csv(shuffled, tmp_path / "a.csv"))], tmp_path / "o2")
    assert (s1.accepted, s1.set_aside, s1.issue_counts, s1.edit_counts) == (
        s2.accepted,
        s2.set_aside,
        s2.issue_counts,
        s2.edit_counts,
    )
    a = (
        pd.read_parquet(tmp_path / "o1" / "accepted.parquet")
        .sort_values("sample_id")
        .reset_index(drop=True)
    )
    b = (
        pd.read_parquet(tmp_path / "o2" / "accepted.parquet")
        .sort_values("sample_id")
        .reset_index(drop=True)
    )
    cols = [c for c in a.columns if c not in ("_source_row", "_record_id")]
    pd.testing.assert_frame_equal(a[cols], b[cols])
