"""Frame link in validation: weighting variables blank or invalid on a form come from the sample
frame (register), every fill is an edit; unknown ids and disagreements are reported."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.frame.read import read_frame
from pipeline.ingest import InputFile
from pipeline.rundata.layout import stage_dir
from pipeline.validate.run import read_all, validate_tables

from .validate_wavegen import all_rows, generate, row, to_paper, write_csv


def _frame_file(paper: pd.DataFrame, tmp: Path, **changes: object) -> Path:
    f = paper[["sample_id", "sex", "age", "sector", "statute", "province"]].copy()
    for k, v in changes.items():
        f[k] = v
    path = tmp / "frame.csv"
    f.to_csv(path, index=False)
    return path


def _validate(q, tmp: Path, paper: pd.DataFrame, frame_path: Path | None):
    raws, sec = read_all(q, [InputFile(write_csv(paper, tmp / "paper_keyed.csv"))])
    frame = read_frame(frame_path, q) if frame_path else None
    return validate_tables(q, raws, sec, None, frame)


def test_blank_and_invalid_weighting_variables_come_from_the_frame(q, tmp_path: Path) -> None:
    paper = to_paper(generate(q, 30, mode="paper", seed=4, overrides={"working": 1}), q)
    frame_path = _frame_file(paper, tmp_path)
    register = paper.set_index("sample_id")
    paper.loc[0, "sex"] = ""  # blank
    paper.loc[1, "sector"] = "77"  # invalid code
    paper.loc[2, "age"] = ""  # blank age: age_band is derived again from the register age
    without = _validate(q, tmp_path, paper, None)
    assert without.set_aside["_reasons"].str.contains("weighting_variable_missing").sum() == 3

    vf = _validate(q, tmp_path, paper, frame_path)
    assert not vf.set_aside["_reasons"].str.contains("weighting_variable_missing").any()
    acc = vf.accepted.set_index("sample_id")
    for i, item in ((0, "sex"), (1, "sector"), (2, "age")):
        sid = paper.loc[i, "sample_id"]
        assert acc.loc[sid, item] == float(register.loc[sid, item])
    assert acc.loc[paper.loc[2, "sample_id"], "age_band"] >= 1
    ed = vf.edits[vf.edits["rule_id"] == "frame_value"]
    assert sorted(ed["item"]) == ["age", "sector", "sex"]
    assert ed.set_index("item").loc["sector", "old_value"] == "-7"  # invalid, then filled
    assert (vf.issues["code"] == "frame_value_used").sum() == 3
    # nothing lost
    assert len(all_rows(vf)) == len(paper)


def test_unlinked_ids_and_disagreements_are_reported_and_answers_kept(q, tmp_path: Path) -> None:
    paper = to_paper(generate(q, 20, mode="paper", seed=5, overrides={"working": 1}), q)
    frame = paper[["sample_id", "sex", "age", "sector", "statute", "province"]].iloc[1:].copy()
    sid1 = paper.loc[1, "sample_id"]
    answered = int(paper.loc[1, "statute"])
    frame.loc[frame["sample_id"] == sid1, "statute"] = "1" if answered != 1 else "2"
    frame.to_csv(tmp_path / "frame.csv", index=False)
    paper.loc[0, "sex"] = ""  # not in the frame: cannot be filled
    vf = _validate(q, tmp_path, paper, tmp_path / "frame.csv")
    issues = vf.issues
    unl = issues[issues["code"] == "frame_unlinked"]
    assert unl["source_row"].tolist() == [1]
    assert "weighting_variable_missing" in row(vf.set_aside, "paper_keyed.csv:1")["_reasons"]
    dis = issues[issues["code"] == "frame_disagrees"]
    assert dis["item"].tolist() == ["statute"] and dis["source_row"].tolist() == [2]
    assert vf.accepted.set_index("sample_id").loc[sid1, "statute"] == answered


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"sample_id": "S1"}, "frame_id_duplicate"),
        ({"sector": 99}, "frame_bad_code"),
        ({"sex": "man"}, "frame_bad_code"),
    ],
)
def test_a_bad_frame_is_a_located_error(q, tmp_path: Path, change: dict, code: str) -> None:
    paper = to_paper(generate(q, 5, mode="paper", seed=6, overrides={"working": 1}), q)
    path = _frame_file(paper, tmp_path, **change)
    with pytest.raises(InputError) as e:
        read_frame(path, q)
    p = e.value.problems[0]
    assert p.code == code and p.file == str(path) and p.row is not None and p.column


def test_frame_without_id_column_or_file(q, tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_text("sex\n1\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_frame(tmp_path / "f.csv", q)
    assert e.value.code == "frame_no_id"
    with pytest.raises(InputError) as e2:
        read_frame(tmp_path / "nope.parquet", q)
    assert e2.value.code == "file_missing"


def test_demo_run_fills_from_the_frame_and_sets_no_paper_row_aside_for_it(
    small_run_dir: Path,
) -> None:
    v = stage_dir(small_run_dir, "validate")
    sa = pd.read_parquet(v / "set_aside.parquet")
    edits = pd.read_parquet(v / "edits.parquet")
    frame = pd.read_parquet(small_run_dir.parent / "wave" / "frame.parquet").set_index("sample_id")
    filled = edits[edits["rule_id"] == "frame_value"]
    assert len(filled) > 0 and set(filled["mode"]) <= {"paper", "web"}
    for r in filled.itertuples():
        assert r.new_value == float(frame.loc[r.sample_id, r.item])
    # every respondent is in the frame: no row is set aside for a missing weighting variable
    assert not sa["_reasons"].str.contains("weighting_variable_missing").any()
    assert np.isfinite(filled["new_value"]).all()


def test_validation_report_has_a_frame_section(small_run_dir: Path) -> None:
    import json

    v = stage_dir(small_run_dir, "validate")
    diag = json.loads((v / "diagnostics.json").read_text(encoding="utf-8"))
    fr = diag["frame"]
    accepted = pd.read_parquet(v / "accepted.parquet")
    assert fr["respondents"] == accepted["sample_id"].nunique()
    assert sum(fr["by_mode"].values()) == fr["respondents"]
    assert fr["filled"] > 0 and fr["unlinked"] == 0
    for rows in fr["by_variable"].values():
        assert sum(r["invited"] for r in rows) == fr["invited"]
    html = (v / "validation_report.html").read_text(encoding="utf-8")
    assert "Steekproefkader en respons" in html and "wbm fieldwork" in html


def test_validation_report_shows_the_r_indicator_of_the_fieldwork_report(
    small_run_dir: Path, small_demo, tmp_path: Path
) -> None:
    """The validation report's R-indicator is the one ``wbm fieldwork`` computes on the same frame
    and response (both from the accepted respondents' modes)."""
    import json

    from click.testing import CliRunner

    from pipeline.cli import cli as main

    v = stage_dir(small_run_dir, "validate")
    ri = json.loads((v / "diagnostics.json").read_text(encoding="utf-8"))["frame"]["r_indicator"]
    assert 0.5 < ri["r"] < 1 and ri["ci_low"] < ri["r"] < ri["ci_high"]
    assert ri["strongest"] in ("age_band", "statute", "sector")
    _result, out = small_demo
    r = CliRunner().invoke(
        main,
        [
            "fieldwork",
            "--run",
            str(small_run_dir),
            "--wave",
            str(out / "wave"),
            "--out",
            str(tmp_path),
        ],
    )
    assert r.exit_code == 0, r.output
    fw = json.loads((tmp_path / "fieldwork.json").read_text(encoding="utf-8"))["r_indicator"]
    assert ri["r"] == pytest.approx(fw["r"], abs=1e-9)
    html = (v / "validation_report.html").read_text(encoding="utf-8")
    assert "R-indicator" in html
