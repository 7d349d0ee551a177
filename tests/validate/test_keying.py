"""Double keying of paper forms: discrepancies listed, rates per keyer, unmatched forms."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .validate_wavegen import frames


def test_discrepancies_and_rates(q, tmp_path: Path, paper_frame: pd.DataFrame) -> None:
    first = paper_frame.copy()
    first["keyer"] = ["K1" if i % 2 else "K2" for i in range(len(first))]
    second = paper_frame.copy()
    second["keyer"] = "K3"
    second.loc[0, "wb01"] = "4" if first.loc[0, "wb01"] != "4" else "3"
    second.loc[3, "age"] = str(int(first.loc[3, "age"]) + 1)
    second.loc[5, "comment"] = "anders getypt"
    first.loc[6, "hours"] = "37,5"
    second.loc[6, "hours"] = "37.5"  # same value: not a discrepancy
    second = second.drop(index=[10]).reset_index(drop=True)  # form keyed only once
    vf = frames(q, tmp_path, paper=first, second=second)
    kr = vf.tables[0].keying
    assert kr is not None
    d = kr.discrepancies
    assert sorted(zip(d["first_row"], d["item"], strict=True)) == [
        (0, "wb01"),
        (3, "age"),
        (5, "comment"),
    ]
    assert d.loc[d["item"] == "comment", ["first_value", "second_value"]].values.tolist() == [
        ["<text>", "<text>"]
    ]
    assert kr.forms_matched == len(first) - 1
    assert kr.unmatched[["keying", "row"]].values.tolist() == [["first", 10]]
    k = kr.keyers.set_index(["role", "keyer"])
    assert k.loc[("second", "K3"), "discrepancies"] == 3
    assert k.loc[("first", "K1"), "discrepancies"] + k.loc[("first", "K2"), "discrepancies"] == 3
    assert abs(k.loc[("second", "K3"), "rate"] - 3 / k.loc[("second", "K3"), "fields"]) < 1e-12
    issues = vf.issues
    assert (issues["code"] == "keying_discrepancy").sum() == 3
    assert issues.loc[issues["code"] == "keying_unmatched", "record_id"].tolist() == [
        "paper_keyed.csv:11"
    ]
    assert "anders" not in " ".join(issues["message"].tolist())
    # the first keying is what gets validated
    assert len(vf.accepted) + len(vf.set_aside) == len(first)
    s = vf.summary(tmp_path)
    assert s.keying[0].discrepancies == 3 and s.keying[0].unmatched_forms == 1


def test_forms_only_in_second_keying_are_reported(
    q, tmp_path: Path, paper_frame: pd.DataFrame
) -> None:
    second = paper_frame.copy()
    extra = second.iloc[[0]].copy()
    extra["sample_id"] = "S999999"
    second = pd.concat([second, extra], ignore_index=True)
    vf = frames(q, tmp_path, paper=paper_frame, second=second)
    u = vf.issues[vf.issues["code"] == "keying_unmatched"]
    assert u["source_file"].tolist() == ["paper_second.csv"] and "S999999" in u["message"].iloc[0]
    assert u["record_id"].isna().all()
