"""Broken scoring specs and data that do not fit: clear located errors, every problem at once."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import InputError, SpecError
from pipeline.questionnaire.model import Questionnaire
from pipeline.scoring import compile_plan, score_arrays, score_frame

ITEMS = ["a1", "a2", "a3", "a4", "y1", "y2", "y3", "y4", "y5", "m1", "m2"]


def _ok_frame(n: int = 3) -> pd.DataFrame:
    return pd.DataFrame({c: np.ones(n) for c in ITEMS})


def _codes(exc: pytest.ExceptionInfo) -> list[str]:
    return [p.code for p in exc.value.problems]


def test_every_spec_problem_is_reported_at_once(mini_spec, make_q):
    mini_spec["scales"][0]["items"].append("nope")  # unknown item
    mini_spec["scales"][0]["reverse"].append("y1")  # reverse item not in the scale
    mini_spec["scales"][1]["scoring"]["min_valid"] = 6  # more than 5 items
    mini_spec["scales"][2]["scoring"].update({"min": 100, "max": 0})
    mini_spec["indicators"][1]["cutoffs"]["default"] = {
        "problematisch": 40,
        "acuut": 60,
    }  # low: acute must be <=
    mini_spec["indicators"][4]["scale"] = "missing_scale"
    mini_spec["indicators"][2]["of"] = ["ind_a", "n_prob", "ghost"]
    with pytest.raises(SpecError) as exc:
        compile_plan(make_q(mini_spec))
    assert sorted(_codes(exc)) == sorted(
        [
            "unknown_item",
            "reverse_not_in_scale",
            "bad_min_valid",
            "bad_score_range",
            "cutoffs_out_of_order",
            "unknown_scale",
            "combines_non_traffic_light",
            "unknown_indicator",
        ]
    )
    text = exc.value.render()
    assert "scales[sa].items[nope]" in text and "indicators[ind_m].scale" in text


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            lambda s: (
                s["items"].append({"name": "t1", "type": "integer", "label": {"nl": "t"}})
                or s["scales"][0]["items"].append("t1")
            ),
            "item_without_choices",
        ),
        (
            lambda s: (
                s["choice_lists"].append(
                    {
                        "name": "flat",
                        "choices": [
                            {"code": 1, "label": {"nl": "a"}, "score": 1},
                            {"code": 2, "label": {"nl": "b"}, "score": 1},
                        ],
                    }
                )
                or s["items"].append(
                    {"name": "f1", "type": "single", "choices": "flat", "label": {"nl": "f"}}
                )
                or s["scales"][0]["items"].append("f1")
            ),
            "constant_item",
        ),
        (lambda s: s["scales"][0]["items"].append("a1"), "duplicate_scale_item"),
        (lambda s: s["indicators"][2].update({"rule": "count_problem"}), "rule_kind_mismatch"),
        (
            lambda s: s["indicators"][4].update({"name": "a1"}),
            "output_name_clash",
        ),  # would overwrite item a1
        (lambda s: s["indicators"][4].update({"name": "ind_a_acuut"}), "output_name_clash"),
        (lambda s: s["indicators"].append(dict(s["indicators"][0])), "duplicate_indicator"),
    ],
)
def test_single_spec_problems(mini_spec, make_q, change, code):
    change(mini_spec)
    with pytest.raises(SpecError) as exc:
        compile_plan(make_q(mini_spec))
    assert code in _codes(exc)


def test_missing_and_non_numeric_columns(mini):
    df = _ok_frame().drop(columns=["a2", "y3"]).assign(m1=["1", "2", "1"])
    with pytest.raises(InputError) as exc:
        score_frame(mini, df)
    assert _codes(exc) == ["missing_column", "not_numeric"]
    assert exc.value.problems[0].value == ["a2", "y3"]
    assert exc.value.problems[1].column == "m1"


def test_unknown_codes_are_located_by_source_file_and_row(mini):
    df = _ok_frame(8)
    df["a3"] = [1, 5, 2, 5, 5, 5, 5, 5.5]  # 5 and 5.5 are not freq4 codes; 6 bad rows
    df["m2"] = [1, 2, 3, 4, 5, 6, 1, 1]
    df["_source_file"] = "paper_keyed.csv"
    df["_source_row"] = np.arange(101, 109)
    with pytest.raises(InputError) as exc:
        score_frame(mini, df)
    probs = exc.value.problems
    a3 = [p for p in probs if p.column == "a3"]
    assert [p.row for p in a3[:5]] == [102, 104, 105, 106, 107]
    assert a3[0].file == "paper_keyed.csv" and a3[0].value == 5.0
    assert "and 1 more" in a3[5].message
    m2 = [p for p in probs if p.column == "m2"]
    assert [(p.row, p.value) for p in m2] == [(106, 6.0)]
    assert {p.code for p in probs} == {"unknown_code"}


def test_unknown_codes_without_meta_columns_use_1_based_positions(mini):
    df = _ok_frame()
    df.loc[2, "y1"] = 3
    with pytest.raises(InputError) as exc:
        score_frame(mini, df)
    assert exc.value.problems[0].row == 3 and exc.value.problems[0].file is None


def test_score_arrays_checks_its_inputs(mini):
    plan = compile_plan(mini)
    cols = {c: np.ones(3) for c in ITEMS}
    cols["a1"] = np.ones(4)
    cols["a2"] = np.array(["1", "1", "1"])
    del cols["m2"]
    with pytest.raises(InputError) as exc:
        score_arrays(plan, cols)
    assert sorted(_codes(exc)) == ["length_mismatch", "missing_column", "not_numeric"]


def test_input_frame_is_not_modified_and_index_kept(mini: Questionnaire) -> None:
    df = _ok_frame(4)
    df.index = pd.Index([10, 3, 7, 1], name="resp")
    before = df.copy()
    res = score_frame(mini, df)
    pd.testing.assert_frame_equal(df, before)
    assert list(res.frame.index) == [10, 3, 7, 1]
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.population = "x"  # type: ignore[misc]


def test_rescoring_a_scored_frame_replaces_columns_with_a_notice(mini):
    first = score_frame(mini, _ok_frame())
    again = score_frame(mini, first.frame)
    assert list(again.frame.columns) == list(first.frame.columns)
    pd.testing.assert_frame_equal(again.frame, first.frame)
    assert [n.code for n in again.notices] == ["scoring_columns_replaced"]


def test_empty_frame_and_unscored_scale_notice(mini):
    empty = score_frame(mini, _ok_frame(0))
    assert len(empty.frame) == 0 and empty.notices == ()
    df = _ok_frame(2)
    df[["m1", "m2"]] = -9.0
    res = score_frame(mini, df)
    assert {n.details["scale"] for n in res.notices if n.code == "scale_unscored"} == {
        "m_mean",
        "m_sum",
    }
