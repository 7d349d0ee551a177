"""Case-level checks: completeness, target population, ids, speeders, straightlining, rules, duplicates."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pytest

from pipeline.questionnaire.model import Rule, Text
from pipeline.validate.quality import ValidationOptions, resolve_duplicates

from .validate_wavegen import frames, generate, row, to_paper, to_web

GRID_ITEMS = [f"wb0{i}" for i in range(1, 10)]


def _reasons(vf, rid: str) -> set[str]:
    hit = vf.set_aside[vf.set_aside["_record_id"] == rid]
    return set(hit.iloc[0]["_reasons"].split(";")) if len(hit) else set()


def _blank_items(q, df: pd.DataFrame, i: int, share: float) -> None:
    names = [
        it.name
        for it in q.items
        if it.type.value not in ("text",)
        and it.name in df.columns
        and it.name not in ("working", "sample_id", "age", *q.weighting)
    ]
    k = int(len(names) * share)
    df.loc[i, names[:k]] = ""


def test_completeness_classes_and_breakoff_set_aside(
    q, tmp_path: Path, paper_frame: pd.DataFrame
) -> None:
    _blank_items(q, paper_frame, 0, 0.8)  # break-off
    _blank_items(q, paper_frame, 1, 0.3)  # partial
    vf = frames(q, tmp_path, paper=paper_frame)
    assert _reasons(vf, "paper_keyed.csv:1") == {"breakoff"}
    assert row(vf.accepted, "paper_keyed.csv:2")["_completeness"] == "partial"
    assert row(vf.accepted, "paper_keyed.csv:3")["_completeness"] == "complete"
    assert row(vf.accepted, "paper_keyed.csv:2")["_item_nonresponse"] > 0.2
    assert row(vf.accepted, "paper_keyed.csv:3")["_item_nonresponse"] == 0


def test_item_nonresponse_counts_applicable_items_only(
    q, tmp_path: Path, paper_frame: pd.DataFrame
) -> None:
    paper_frame.loc[0, ["telework", "tw_days"]] = ["2", ""]  # routed out: not nonresponse
    vf = frames(q, tmp_path, paper=paper_frame)
    assert row(vf.accepted, "paper_keyed.csv:1")["_item_nonresponse"] == 0


def test_target_population(q, tmp_path: Path, paper_frame: pd.DataFrame) -> None:
    paper_frame.loc[0, "working"] = "2"
    paper_frame.loc[1, "working"] = ""
    vf = frames(q, tmp_path, paper=paper_frame)
    assert _reasons(vf, "paper_keyed.csv:1") == {"outside_target_population"}
    r = row(vf.accepted, "paper_keyed.csv:2")
    assert "target_population_unknown" in r["_flags"].split(";")


def test_missing_id_set_aside(q, tmp_path: Path, paper_frame: pd.DataFrame) -> None:
    paper_frame.loc[3, "sample_id"] = "  "
    vf = frames(q, tmp_path, paper=paper_frame)
    assert _reasons(vf, "paper_keyed.csv:4") == {"missing_id"}


@pytest.mark.parametrize("set_aside", [False, True])
def test_speeders(q, tmp_path: Path, web_frame: pd.DataFrame, set_aside: bool) -> None:
    web_frame.loc[0, "duration_sec"] = 100.0
    vf = frames(q, tmp_path, web=web_frame, options=ValidationOptions(set_aside_speeders=set_aside))
    if set_aside:
        assert _reasons(vf, "web_export.sav:1") == {"speeder"}
    else:
        assert "speeder" in row(vf.accepted, "web_export.sav:1")["_flags"]
    assert vf.issues.loc[vf.issues["code"] == "speeder", "record_id"].tolist() == [
        "web_export.sav:1"
    ]


def test_straightlining_is_flagged(q, tmp_path: Path, paper_frame: pd.DataFrame) -> None:
    paper_frame.loc[0, GRID_ITEMS] = "2"
    paper_frame.loc[1, GRID_ITEMS] = ["2"] * 8 + [""]  # one blank: not a straight line
    vf = frames(q, tmp_path, paper=paper_frame)
    s = vf.issues[(vf.issues["code"] == "straightlining") & (vf.issues["item"] == "wb")]
    assert "paper_keyed.csv:1" in s["record_id"].tolist()
    assert "paper_keyed.csv:2" not in s["record_id"].tolist()
    assert "straightlining" in row(vf.accepted, "paper_keyed.csv:1")["_flags"]


@pytest.mark.parametrize("severity", ["soft", "hard"])
def test_rules(
    q, tmp_path: Path, paper_frame: pd.DataFrame, severity: Literal["soft", "hard"]
) -> None:
    rule = Rule(
        id="R900",
        check="abs_days >= abs_spells",
        when="abs_spells > 0",
        severity=severity,
        message=Text(nl="te weinig dagen", en="fewer days than spells"),
    )
    q2 = q.model_copy(update={"rules": (rule,)})
    paper_frame.loc[0, ["abs_spells", "abs_days"]] = ["5", "2"]
    paper_frame.loc[1, ["abs_spells", "abs_days"]] = ["5", ""]  # not evaluable: no violation
    vf = frames(q2, tmp_path, paper=paper_frame)
    code = f"rule_{severity}"
    assert vf.issues.loc[vf.issues["code"] == code, "record_id"].tolist() == ["paper_keyed.csv:1"]
    if severity == "hard":
        assert _reasons(vf, "paper_keyed.csv:1") == {"rule_hard"}
    else:
        assert "rule_soft" in row(vf.accepted, "paper_keyed.csv:1")["_flags"]


def test_duplicates_across_modes_web_wins_when_equally_complete(q, tmp_path: Path) -> None:
    paper = to_paper(generate(q, 5, mode="paper", seed=5, overrides={"working": 1}), q)
    web = to_web(
        generate(q, 5, mode="web", seed=6, start=4, overrides={"working": 1})
    )  # S000004, S000005 on both
    vf = frames(q, tmp_path, paper=paper, web=web)
    dup = vf.set_aside[vf.set_aside["_reasons"] == "duplicate"]
    assert sorted(dup["_record_id"]) == ["paper_keyed.csv:4", "paper_keyed.csv:5"]
    msg = vf.issues.loc[vf.issues["record_id"] == "paper_keyed.csv:4", "message"].iloc[0]
    assert "web_export.sav:1" in msg


def test_duplicates_most_complete_wins_then_precedence_option(q, tmp_path: Path) -> None:
    paper = to_paper(generate(q, 3, mode="paper", seed=5, overrides={"working": 1}), q)
    web = to_web(generate(q, 3, mode="web", seed=6, overrides={"working": 1}))
    for c in ("wb01", "wb02", "wb03", "wb04", "wb05"):
        web.loc[0, c] = -9.0  # web copy of S000001 less complete
    vf = frames(q, tmp_path, paper=paper, web=web)
    assert "web_export.sav:1" in set(vf.set_aside["_record_id"])
    assert "paper_keyed.csv:2" in set(vf.set_aside["_record_id"])  # equal completeness: web first
    vf2 = frames(
        q,
        tmp_path,
        paper=paper,
        web=web,
        options=ValidationOptions(duplicate_precedence=("paper",)),
    )
    assert set(vf2.set_aside["_record_id"]) == {
        "web_export.sav:1",
        "web_export.sav:2",
        "web_export.sav:3",
    }


def test_duplicate_rows_within_a_file(q, tmp_path: Path, paper_frame: pd.DataFrame) -> None:
    p = pd.concat([paper_frame, paper_frame.iloc[[2]]], ignore_index=True)
    vf = frames(q, tmp_path, paper=p)
    assert _reasons(vf, f"paper_keyed.csv:{len(p)}") == {"duplicate"}
    assert len(vf.accepted) + len(vf.set_aside) == len(p)


def test_eligible_copy_preferred_over_set_aside_copy() -> None:
    ids = [np.array(["A", "B"], dtype=object), np.array(["A", ""], dtype=object)]
    shares = [np.array([1.0, 1.0]), np.array([0.5, 1.0])]
    has_reason = [np.array([True, False]), np.array([False, False])]
    losers, wt, wr = resolve_duplicates(
        ids, shares, ["web", "paper"], has_reason, ("most_complete", "web")
    )
    assert losers[0].tolist() == [True, False] and losers[1].tolist() == [False, False]
    assert (wt[0][0], wr[0][0]) == (1, 0)


def test_missing_weighting_variable_sets_row_aside(
    q, tmp_path: Path, paper_frame: pd.DataFrame
) -> None:
    paper_frame.loc[0, "sex"] = ""
    paper_frame.loc[1, "province"] = "2/3"
    vf = frames(q, tmp_path, paper=paper_frame)
    assert _reasons(vf, "paper_keyed.csv:1") == {"weighting_variable_missing"}
    assert _reasons(vf, "paper_keyed.csv:2") == {"weighting_variable_missing"}
    assert row(vf.accepted, "paper_keyed.csv:3")["sex"] >= 1
