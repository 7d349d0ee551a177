"""Harmonisation: every change of a value is an edit with a rule id; codes, limits and routing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.validate.catalogue import CATALOGUE, EDIT_RULES

from .validate_wavegen import all_rows, frames, row


def _edit(vf, record_id: str, item: str) -> pd.DataFrame:
    e = vf.edits
    return e[(e["record_id"] == record_id) & (e["item"] == item)]


def _issues(vf, code: str, item: str | None = None) -> pd.DataFrame:
    i = vf.issues[vf.issues["code"] == code]
    return i if item is None else i[i["item"] == item]


@pytest.fixture
def corrupted(q, tmp_path: Path, paper_frame: pd.DataFrame):
    p = paper_frame
    p.loc[0, "wb01"] = "2/3"  # several ticks
    p.loc[1, "wb02"] = "5"  # not a freq4 code
    p.loc[2, "wb03"] = "x"  # not a number
    p.loc[3, "age"] = "200"  # hard limit
    p.loc[4, "age"] = "70"  # soft limit only
    p.loc[5, "age"] = "37.5"  # not an integer
    p.loc[6, ["telework", "tw_days"]] = ["2", "3"]  # paper routing violation
    p.loc[7, ["telework", "tw_days"]] = ["", "3"]  # filter unanswered: routing unknown
    p.loc[8, "hours"] = "37,5"  # Belgian decimal comma
    p.loc[9, "wb04"] = ""  # blank on an applicable item
    p.loc[10, "sex"] = ""  # required
    p.loc[11, "comment"] = "Mijn baas heet Jan"  # free text never copied
    return frames(q, tmp_path, paper=p)


def test_invalid_values_become_minus7_and_are_logged(corrupted) -> None:
    vf = corrupted
    data = all_rows(vf)
    for rid, item, old, rule in (
        ("paper_keyed.csv:1", "wb01", "2/3", "multiple_ticks"),
        ("paper_keyed.csv:2", "wb02", "5", "invalid_code"),
        ("paper_keyed.csv:3", "wb03", "x", "unparseable_value"),
        ("paper_keyed.csv:4", "age", "200", "hard_limit"),
        ("paper_keyed.csv:6", "age", "37.5", "not_integer"),
    ):
        assert row(data, rid)[item] == -7
        e = _edit(vf, rid, item)
        assert e[["old_value", "new_value", "rule_id"]].values.tolist() == [[old, -7.0, rule]]
        assert len(_issues(vf, rule, item)) == 1


def test_soft_limit_flags_without_edit(corrupted) -> None:
    vf = corrupted
    assert row(all_rows(vf), "paper_keyed.csv:5")["age"] == 70
    assert _edit(vf, "paper_keyed.csv:5", "age").empty
    assert _issues(vf, "soft_limit", "age")["value"].tolist() == ["70"]


def test_paper_routing_violation_set_to_not_applicable(corrupted) -> None:
    vf = corrupted
    r = row(all_rows(vf), "paper_keyed.csv:7")
    assert r["tw_days"] == -1
    e = _edit(vf, "paper_keyed.csv:7", "tw_days")
    assert e[["old_value", "new_value", "rule_id"]].values.tolist() == [
        ["3", -1.0, "routing_not_applicable"]
    ]
    assert _issues(vf, "routing_tool_error").empty  # on paper this is expected, not a tool error


def test_unknown_routing_keeps_the_answer(corrupted) -> None:
    r = row(all_rows(corrupted), "paper_keyed.csv:8")
    assert r["telework"] == -9 and r["tw_days"] == 3


def test_decimal_comma_is_a_parse_not_an_edit(corrupted) -> None:
    vf = corrupted
    assert row(all_rows(vf), "paper_keyed.csv:9")["hours"] == 37.5
    assert _edit(vf, "paper_keyed.csv:9", "hours").empty


def test_blanks_are_coded_and_logged(corrupted) -> None:
    vf = corrupted
    data = all_rows(vf)
    assert row(data, "paper_keyed.csv:10")["wb04"] == -9
    assert _edit(vf, "paper_keyed.csv:10", "wb04")["rule_id"].tolist() == ["blank_no_answer"]
    assert row(data, "paper_keyed.csv:11")["sex"] == -9
    assert "paper_keyed.csv:11" in _issues(vf, "required_missing", "sex")["record_id"].tolist()
    # routed-out blanks: -1 with their own rule
    skipped = data[(data["_mode"] == "paper") & (data["telework"] == 2)]
    assert (skipped["tw_days"] == -1).all()
    assert set(vf.edits.loc[vf.edits["item"] == "tw_days", "rule_id"]) <= {
        "blank_not_applicable",
        "routing_not_applicable",
    }


def test_no_nan_and_canonical_types(q, corrupted) -> None:
    data = all_rows(corrupted)
    numeric = [v for v in q.variables() if q.item(v).type.value not in ("text", "date")] + [
        "age_band"
    ]
    assert all(data[v].dtype == np.float64 for v in numeric)
    assert not data[numeric].isna().any().any()
    assert data["sample_id"].dtype == "string"


def test_free_text_never_in_logs(corrupted) -> None:
    vf = corrupted
    for df in (vf.edits, vf.issues):
        text = " ".join(df.astype(str).fillna("").to_numpy().ravel().tolist())
        assert "Jan" not in text
    assert "comment" not in set(vf.edits["item"])


def test_edit_rules_and_issue_codes_are_catalogued(corrupted) -> None:
    assert set(corrupted.edits["rule_id"]) <= set(EDIT_RULES)
    assert set(corrupted.issues["code"]) <= set(CATALOGUE)
    assert (
        corrupted.issues["severity"]
        == corrupted.issues["code"].map(lambda c: CATALOGUE[c].severity)
    ).all()


def test_derived_age_band(corrupted) -> None:
    data = all_rows(corrupted)
    ok = data["age"] >= 0
    bands = np.select(
        [data["age"] < 30, data["age"] < 40, data["age"] < 50, data["age"] < 55], [1, 2, 3, 4], 5
    )
    assert (data.loc[ok, "age_band"] == bands[ok.to_numpy()]).all()
    assert (data.loc[data["age"] == -7, "age_band"] == -7).all()


def test_web_routing_violation_is_a_tool_error_and_value_kept(
    q, tmp_path: Path, web_frame: pd.DataFrame
) -> None:
    w = web_frame
    w.loc[0, ["telework", "tw_days"]] = [2.0, 3.0]  # answered although skipped
    w.loc[1, ["telework", "tw_days"]] = [1.0, -1.0]  # shown but coded not shown
    vf = frames(q, tmp_path, web=w)
    data = all_rows(vf)
    assert row(data, "web_export.sav:1")["tw_days"] == 3
    assert row(data, "web_export.sav:2")["tw_days"] == -1
    tool = _issues(vf, "routing_tool_error", "tw_days")
    assert sorted(tool["record_id"]) == ["web_export.sav:1", "web_export.sav:2"]
    assert vf.edits[vf.edits["item"] == "tw_days"].empty


def test_items_not_asked_in_a_mode_are_not_applicable(
    q, tmp_path: Path, paper_frame: pd.DataFrame
) -> None:
    vf = frames(q, tmp_path, paper=paper_frame)
    assert (all_rows(vf)["duration_sec"] == -1).all()


def test_extra_columns_are_reported(q, tmp_path: Path, paper_frame: pd.DataFrame) -> None:
    paper_frame["interviewer_note"] = "x"
    paper_frame["duration_sec"] = "500"
    vf = frames(q, tmp_path, paper=paper_frame)
    assert _issues(vf, "unknown_column")["item"].tolist() == ["interviewer_note"]
    assert _issues(vf, "column_not_in_mode")["item"].tolist() == ["duration_sec"]


def test_multiple_choice_unticked_options(q, tmp_path: Path) -> None:
    from pipeline.questionnaire.model import Choice, Item, ItemType, Text

    from .validate_wavegen import generate, to_paper

    item = Item(
        name="channel",
        type=ItemType.multiple,
        label=Text(nl="kanaal"),
        choices=(
            Choice(code=1, label=Text(nl="a")),
            Choice(code=2, label=Text(nl="b")),
            Choice(code=3, label=Text(nl="c")),
        ),
    )
    q2 = q.model_copy(update={"items": (*q.items, item)})
    p = to_paper(generate(q2, 4, mode="paper", seed=9, overrides={"working": 1}), q2)
    p.loc[0, ["channel_1", "channel_2", "channel_3"]] = ["1", "", ""]
    p.loc[1, ["channel_1", "channel_2", "channel_3"]] = ["", "", ""]
    p.loc[2, ["channel_1", "channel_2", "channel_3"]] = ["1", "7", "0"]
    vf = frames(q2, tmp_path, paper=p)
    data = all_rows(vf)
    assert row(data, "paper_keyed.csv:1")[["channel_1", "channel_2", "channel_3"]].tolist() == [
        1,
        0,
        0,
    ]
    assert row(data, "paper_keyed.csv:2")[["channel_1", "channel_2", "channel_3"]].tolist() == [
        -9,
        -9,
        -9,
    ]
    assert row(data, "paper_keyed.csv:3")[["channel_1", "channel_2", "channel_3"]].tolist() == [
        1,
        -7,
        0,
    ]
    assert sorted(_edit(vf, "paper_keyed.csv:1", "channel_2")["rule_id"]) == ["multiple_unticked"]
