"""Traffic lights at their cut-offs, per-population cut-offs, werkbaar werk and the problem count."""

from __future__ import annotations

import json
import math
from typing import Literal

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import UsageError
from pipeline.scoring import compile_plan, indicator_columns, output_columns, score_frame
from pipeline.scoring.engine import combine, traffic_light
from pipeline.scoring.plan import TrafficLightPlan
from tests.modules import MODULES

NAN = float("nan")


def _tl(
    problem_if: Literal["high", "low"], problematisch: float, acuut: float | None
) -> TrafficLightPlan:
    return TrafficLightPlan(
        name="x",
        group="workability",
        scale="s",
        score_column="score_s",
        problem_if=problem_if,
        problematisch=problematisch,
        acuut=acuut,
        cutoff_key="default",
        status="reference",
        note=None,
    )


def test_problem_if_high_boundaries_are_inclusive():
    score = np.array([0.0, 54.4999, 54.5, 54.6, 81.7999, 81.8, 100.0, NAN])
    out = traffic_light(score, _tl("high", 54.5, 81.8))
    np.testing.assert_array_equal(out["tl_x"], [0, 0, 1, 1, 1, 2, 2, NAN])
    np.testing.assert_array_equal(out["x"], [0, 0, 1, 1, 1, 1, 1, NAN])
    np.testing.assert_array_equal(out["x_acuut"], [0, 0, 0, 0, 0, 1, 1, NAN])


def test_problem_if_low_boundaries_are_inclusive():
    score = np.array([100.0, 50.0001, 50.0, 33.3001, 33.3, 0.0, NAN])
    out = traffic_light(score, _tl("low", 50.0, 33.3))
    np.testing.assert_array_equal(out["tl_x"], [0, 0, 1, 1, 2, 2, NAN])
    np.testing.assert_array_equal(out["x"], [0, 0, 1, 1, 1, 1, NAN])
    np.testing.assert_array_equal(out["x_acuut"], [0, 0, 0, 0, 1, 1, NAN])


def test_without_acute_cutoff_there_is_no_acute_column():
    out = traffic_light(np.array([49.0, 50.0]), _tl("high", 50.0, None))
    assert set(out) == {"tl_x", "x"}
    np.testing.assert_array_equal(out["tl_x"], [0, 1])


def _a_rows(*rows: tuple[float, float, float, float]) -> pd.DataFrame:
    base = {f"y{i}": 1.0 for i in range(1, 5)} | {"y5": 2.0, "m1": 1.0, "m2": 1.0}
    return pd.DataFrame([base | {f"a{i + 1}": float(v) for i, v in enumerate(r)} for r in rows])


def test_computed_scores_exactly_at_the_cutoffs(mini):
    # sa scores 50 (exactly 'problematisch'), 75 (exactly 'acuut'), 66.67, 33.33
    df = _a_rows((1, 4, 3, 3), (1, 2, 3, 4), (2, 3, -9, 4), (2, 3, 4, -9))
    out = score_frame(mini, df).frame
    assert out["score_sa"].tolist()[:2] == [50.0, 75.0]
    assert out["tl_ind_a"].tolist() == [1.0, 2.0, 1.0, 0.0]


def test_reference_cutoffs_hit_exactly_by_item_patterns(wbm):
    """welbevinden mean 1.5 of 0..3 is exactly 50 (problem, low); werk_prive mean 2.25 exactly 75 (acute)."""
    row = {name: -9.0 for name in compile_plan(wbm).input_columns}
    row |= {
        "wb01": 2.0,
        "wb02": 3.0,
        "wb03": 2.0,
        "wb05": 3.0,
        "wb06": 2.0,
        "wb08": 3.0,
    }  # 2,1,2,1,2,1 = 9/18
    row |= {"wp01": 1.0, "wp02": 3.0, "wp03": 1.0, "wp04": 2.0}  # 3,1,3,2 = 9/12
    res = score_frame(wbm, pd.DataFrame([row]))
    out = res.frame.iloc[0]
    assert out["score_welbevinden"] == 50.0 and out["tl_welbevinden_probleem"] == 1.0
    assert out["score_werk_prive"] == 75.0 and out["tl_werk_prive_probleem"] == 2.0


def test_per_population_cutoffs_with_default_fallback(mini):
    df = _a_rows((1, 3, 4, -9), (2, 2, 2, -9))  # sa = 4/9 = 44.4 and 2/3 = 66.7
    dflt = score_frame(mini, df)
    zelf = score_frame(mini, df, population="zelfstandigen")
    assert dflt.frame["tl_ind_a"].tolist() == [0.0, 1.0]  # default cut-offs 50 / 75
    assert zelf.frame["tl_ind_a"].tolist() == [1.0, 2.0]  # zelfstandigen cut-offs 40 / 60
    used = {c.indicator: c.cutoff_key for c in zelf.cutoffs}
    assert used == {"ind_a": "zelfstandigen", "ind_y": "default", "ind_m": "default"}
    assert [n.code for n in zelf.notices] == ["cutoff_default_used"]
    assert zelf.notices[0].details["indicators"] == ["ind_y", "ind_m"]
    assert {c.status for c in dflt.cutoffs} == {"reference", "user"}


def test_unknown_population_is_a_usage_error(mini):
    with pytest.raises(UsageError) as exc:
        score_frame(mini, _a_rows((1, 1, 1, 1)), population="zelfstandgen")
    assert exc.value.code == "unknown_population"
    assert "zelfstandigen" in exc.value.render()


@pytest.mark.parametrize(
    ("problems", "werkbaar", "count"),
    [
        ((0, 0, 0, 0), 1, 0),
        ((1, 0, 0, 0), 0, 1),
        ((1, 1, 0, 1), 0, 3),
        ((1, 1, 1, 1), 0, 4),
        ((0, NAN, 0, 0), NAN, NAN),  # unknown whether workable
        ((1, NAN, 0, 0), NAN, NAN),  # contract: NaN if any of the four is NaN (complete cases only)
        ((NAN, NAN, NAN, NAN), NAN, NAN),
    ],
)
def test_composite_and_count_with_nans(problems, werkbaar, count):
    cols = [np.array([p], dtype=np.float64) for p in problems]
    w, c = combine(cols, "none_problem")[0], combine(cols, "count_problem")[0]
    assert (math.isnan(w) and math.isnan(werkbaar)) or w == werkbaar
    assert (math.isnan(c) and math.isnan(count)) or c == count


def test_composite_in_frame(mini):
    base = {"a1": 4.0, "a2": 4.0, "a3": 4.0, "a4": 1.0, "m1": 1.0, "m2": 1.0}  # sa = 0: no problem
    rows = [
        base | {"y1": 1, "y2": 1, "y3": 1, "y4": 1, "y5": 2},  # sy 100: none -> workable
        base | {"y1": 2, "y2": 2, "y3": 2, "y4": 2, "y5": 1},  # sy 0: acute problem
        base | {"a1": 1, "a2": 1, "a3": 1} | {"y1": 2, "y2": 2, "y3": 2, "y4": 2, "y5": 1},  # both
        base | {"y1": -9, "y2": -9, "y3": 1, "y4": 1, "y5": 2},  # sy NaN -> NaN
    ]
    out = score_frame(mini, pd.DataFrame(rows, dtype=np.float64)).frame
    np.testing.assert_array_equal(out["ww"], [1, 0, 0, NAN])
    np.testing.assert_array_equal(out["n_prob"], [0, 1, 2, NAN])


def test_indicator_columns_of_the_reference_instrument(wbm):
    cols = indicator_columns(wbm)
    assert cols[:9] == [
        "werkstress",
        "werkstress_acuut",
        "welbevinden_probleem",
        "welbevinden_probleem_acuut",
        "leerprobleem",
        "leerprobleem_acuut",
        "werk_prive_probleem",
        "werk_prive_probleem_acuut",
        "werkbaar_werk",
    ]
    assert "aantal_problemen" not in cols and not any(c.startswith(("tl_", "score_")) for c in cols)
    assert cols[9:13] == [
        "aantal_problemen_0",
        "aantal_problemen_1",
        "aantal_problemen_2",
        "aantal_problemen_3_4",
    ]  # the distribution of the number of problems (bands of the count)
    assert (
        len(cols) == 10 * 2 + 1 + 4 + 18
    )  # 10 traffic lights with acute, werkbaar werk, 4 bands, 18 module conditions
    assert cols[-18:] == list(MODULES)


def test_output_catalogue_matches_the_frame(mini):
    res = score_frame(mini, _a_rows((1, 1, 1, 1)))
    names = [c.name for c in output_columns(mini)]
    assert names == [c.name for c in res.columns]
    assert list(res.frame.columns[-len(names) :]) == names
    assert "ind_m_acuut" not in names  # no acute cut-off
    assert indicator_columns(mini) == [
        "ind_a",
        "ind_a_acuut",
        "ind_y",
        "ind_y_acuut",
        "ww",
        "ind_m",
    ]
    kinds = {c.name: c.kind for c in res.columns}
    assert kinds["score_sa"] == "score" and kinds["tl_ind_a"] == "traffic_light"
    assert kinds["n_prob"] == "count" and kinds["ww"] == "composite"
    assert next(c for c in res.columns if c.name == "ind_a_acuut").label.en == "A problem (acute)"


def test_summaries_and_json(mini):
    df = _a_rows((1, 1, 1, 1), (1, -9, -9, 1), (2, 2, 2, 2))
    res = score_frame(mini, df)
    sa = next(s for s in res.scales if s.scale == "sa")
    assert (sa.n_rows, sa.n_scored, sa.n_too_few_items) == (3, 2, 1)
    ind_a = next(i for i in res.indicators if i.indicator == "ind_a")
    assert ind_a.n_defined == 2 and ind_a.column == "tl_ind_a"
    data = json.loads(json.dumps(res.to_dict()))
    assert (
        data["n_rows"] == 3
        and data["cutoffs"][0]["rule"] == "score >= 50: problematisch; score >= 75: acuut"
    )
    table = res.cutoff_frame()
    assert list(table["indicator"]) == ["ind_a", "ind_y", "ind_m"]
    assert table.loc[2, "acuut"] is None or math.isnan(table.loc[2, "acuut"])


def test_score_equal_to_a_cutoff_despite_floating_point_error(mini_spec, make_q):
    """Items with ranges 2, 3 and 6 answered 1, 2, 2: mean of 1/2, 2/3, 2/6 is exactly 1/2, but the
    floating-point sum gives 49.99999999999999 unless scores are rounded (SCORE_DECIMALS)."""
    mini_spec["choice_lists"] += [
        {"name": "three", "choices": [{"code": c, "label": {"nl": str(c)}} for c in (0, 1, 2)]},
        {"name": "seven", "choices": [{"code": c, "label": {"nl": str(c)}} for c in range(7)]},
    ]
    mini_spec["items"] += [
        {"name": "r1", "type": "single", "choices": "three", "label": {"nl": "r1"}},
        {"name": "r2", "type": "single", "choices": "seven", "label": {"nl": "r2"}},
    ]
    mini_spec["scales"].append(
        {
            "name": "mixed",
            "label": {"nl": "mixed"},
            "items": ["r1", "a1", "r2"],
            "scoring": {"method": "mean_rescaled", "min_valid": 3},
        }
    )
    mini_spec["indicators"].append(
        {
            "name": "ind_mixed",
            "label": {"nl": "x"},
            "kind": "traffic_light",
            "scale": "mixed",
            "problem_if": "high",
            "cutoffs": {"default": {"problematisch": 50}},
        }
    )
    q = make_q(mini_spec)
    row = {c: 1.0 for c in ["a2", "a3", "a4", "y1", "y2", "y3", "y4", "y5", "m1", "m2"]}
    row |= {"r1": 1.0, "a1": 2.0, "r2": 2.0}  # a1 code 2 scores 2 of 0..3
    out = score_frame(q, pd.DataFrame([row])).frame.iloc[0]
    assert out["score_mixed"] == 50.0
    assert out["tl_ind_mixed"] == 1.0


def test_the_study_population_is_accepted_and_falls_back_to_default(mini):
    df = _a_rows((1, 3, 4, -9))
    res = score_frame(mini, df, population="werknemers")  # mini's study population
    assert {c.cutoff_key for c in res.cutoffs} == {"default"}
    pd.testing.assert_frame_equal(res.frame, score_frame(mini, df).frame)
