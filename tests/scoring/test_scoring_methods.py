"""Hand-computed scale scores: both scoring methods, reverse-coded items, the min_valid boundary.

Item scores of the mini instrument: freq4 codes 1..4 score 3..0; yesno 1 -> 1, 2 -> 0; agree5
codes 1..5 score 1..5 (the default: the code). A reversed item scores high + low - score.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipeline.scoring import compile_plan, score_arrays, score_frame

NAN = float("nan")


def _frame(**cols: list[float]) -> pd.DataFrame:
    return pd.DataFrame({k: np.asarray(v, dtype=np.float64) for k, v in cols.items()})


def _mini_frame(rows: list[dict[str, float]]) -> pd.DataFrame:
    names = ["a1", "a2", "a3", "a4", "y1", "y2", "y3", "y4", "y5", "m1", "m2"]
    return pd.DataFrame([{n: float(r.get(n, -9)) for n in names} for r in rows])


def _assert_scores(got: pd.Series, expected: list[float]) -> None:
    assert len(got) == len(expected)
    for g, e in zip(got.tolist(), expected, strict=True):
        if math.isnan(e):
            assert math.isnan(g), (g, e)
        else:
            assert g == pytest.approx(e, abs=1e-9), (g, e)


@pytest.mark.parametrize(
    ("a", "expected"),
    [
        # a4 is reversed: its score is 3 + 0 - score.
        ((1, 2, 3, 4), 75.0),  # 3, 2, 1, rev(0)=3 -> mean 2.25 -> 2.25/3*100
        ((4, 4, 4, 1), 0.0),  # 0, 0, 0, rev(3)=0
        ((1, 1, 1, 4), 100.0),  # 3, 3, 3, rev(0)=3
        ((1, 4, 3, 3), 50.0),  # 3, 0, 1, rev(1)=2 -> 6/12
        ((2, 3, NAN, 4), 200 / 3),  # 2, 1, rev(0)=3 -> mean 2 of 3 valid
        ((1, 1, 1, -9), 100.0),  # exactly min_valid = 3 valid items -> scored
        ((1, 1, -8, -9), NAN),  # 2 valid < min_valid -> NaN
        ((1, -1, -7, NAN), NAN),
        ((-9, -9, -9, -9), NAN),
    ],
)
def test_mean_rescaled_with_reverse_item(mini, a, expected):
    df = _frame(
        **{f"a{i + 1}": [v] for i, v in enumerate(a)},
        **{f"y{i}": [1] for i in range(1, 6)},
        m1=[1],
        m2=[1],
    )
    _assert_scores(score_frame(mini, df).frame["score_sa"], [expected])


@pytest.mark.parametrize(
    ("y", "expected"),
    [
        # y5 is reversed (yes -> 0, no -> 1); sum over valid items / sum of their ranges * 100
        ((1, 1, 2, 2, 2), 60.0),  # 1+1+0+0+1 = 3 of 5
        ((1, 1, 1, 2, 1), 60.0),  # 1+1+1+0+0
        ((1, 1, 1, 1, 2), 100.0),
        ((2, 2, 2, 2, 1), 0.0),
        ((1, 1, 1, 1, -1), 100.0),  # 4 valid = min_valid: prorated 4 of 4
        ((1, 2, 2, 2, -9), 25.0),  # 1 of 4
        ((1, -9, 1, -9, 1), NAN),  # 3 valid < min_valid 4
    ],
)
def test_sum_rescaled_with_reverse_item(mini, y, expected):
    df = _frame(
        **{f"a{i}": [1] for i in range(1, 5)},
        **{f"y{i + 1}": [v] for i, v in enumerate(y)},
        m1=[1],
        m2=[1],
    )
    _assert_scores(score_frame(mini, df).frame["score_sy"], [expected])


def test_need_for_recovery_style_sum_score(wbm):
    """Reference instrument: 11 yes/no items, pv04 reversed; 6 of 11 'problem' answers = 54.5454..."""
    items = [f"pv{i:02d}" for i in range(1, 12)]
    # six yes (1) on non-reversed items, four no, pv04 = yes (reversed -> 0)
    row = dict.fromkeys(items, 2.0)
    for name in ("pv01", "pv02", "pv03", "pv05", "pv06", "pv07"):
        row[name] = 1.0
    row["pv04"] = 1.0
    res = score_arrays(
        compile_plan(wbm), {k: np.array([v, v]) for k, v in row.items()} | _other_items(wbm, 2)
    )
    assert res["score_psychische_vermoeidheid"][0] == pytest.approx(600 / 11, abs=1e-9)
    # the published "above 54" threshold: 54.5 <= 54.55 -> a problem, not acute (81.8)
    assert res["werkstress"][0] == 1.0
    assert res["tl_werkstress"][0] == 1.0


def _other_items(q, n: int) -> dict[str, np.ndarray]:
    plan = compile_plan(q)
    return {name: np.full(n, -9.0) for name in plan.input_columns if not name.startswith("pv")}


def test_mean_and_sum_differ_when_item_ranges_differ(mini):
    # m1 yes/no (range 1), m2 agree5 scores 1..5 (range 4)
    df = _mini_frame(
        [{"m1": 1, "m2": 2}, {"m1": -9, "m2": 5}, {"m1": 2, "m2": 5}, {"m1": -9, "m2": -9}]
    )
    out = score_frame(mini, df).frame
    # mean: (1/1 + 1/4) / 2 = 0.625; sum: (1 + 1) / (1 + 4) = 0.4
    _assert_scores(out["score_m_mean"], [62.5, 100.0, 50.0, NAN])
    _assert_scores(out["score_m_sum"], [40.0, 100.0, 80.0, NAN])


def test_custom_score_range(mini_spec, make_q):
    mini_spec["scales"][0]["scoring"].update({"min": 1, "max": 5})
    q = make_q(mini_spec)
    df = _mini_frame([{"a1": 1, "a2": 2, "a3": 3, "a4": 4}, {"a1": 4, "a2": 4, "a3": 4, "a4": 1}])
    _assert_scores(score_frame(q, df).frame["score_sa"], [4.0, 1.0])  # 1 + 4 * 0.75, 1 + 4 * 0


def test_nonnegative_declared_missing_code_is_not_valid(mini_spec, make_q):
    mini_spec["missing_codes"] = [
        {"code": -9, "kind": "no_answer", "label": {"nl": "geen antwoord"}},
        {"code": 99, "kind": "dont_know", "label": {"nl": "weet niet"}},
    ]
    q = make_q(mini_spec)
    df = _mini_frame(
        [{"a1": 1, "a2": 1, "a3": 1, "a4": 99}, {"a1": 1, "a2": 99, "a3": 99, "a4": 4}]
    )
    _assert_scores(score_frame(q, df).frame["score_sa"], [100.0, NAN])


def test_integer_and_nullable_columns_are_accepted(mini):
    df = _mini_frame([{"a1": 1, "a2": 2, "a3": 3, "a4": 4}, {"a1": 1, "a2": 1, "a3": 1}])
    as_int = df.astype("int64")
    nullable = df.astype("Int64")
    nullable.loc[1, "a4"] = pd.NA
    expected = score_frame(mini, df).frame["score_sa"].tolist()
    assert score_frame(mini, as_int).frame["score_sa"].tolist() == expected
    assert score_frame(mini, nullable).frame["score_sa"].tolist() == expected


def test_reference_instrument_full_row(wbm):
    """One fully answered respondent on the reference instrument, every score checked by hand."""
    row: dict[str, float] = {}
    row |= {f"pv{i:02d}": 1.0 for i in range(1, 12)}  # all yes; pv04 reversed -> 10 of 11
    row |= {
        f"wb{i:02d}": 2.0 for i in range(1, 10)
    }  # vaak = 2 everywhere; wb04, wb07 reversed -> 1
    row |= {f"lm{i:02d}": 4.0 for i in range(1, 6)}  # nooit = 0
    row |= {"wp01": 1.0, "wp02": 1.0, "wp03": 3.0, "wp04": -9.0}  # 3, 3, 1 -> 7/9
    row |= {f"wd{i:02d}": 1.0 for i in range(1, 7)}  # 3 x5, wd06 reversed -> 0 -> 15/18
    row |= {f"eb{i:02d}": 3.0 for i in range(1, 6)}  # 1/3
    row |= {"tv01": 1.0, "tv02": 1.0, "tv03": -8.0, "tv04": 2.0}  # 3, rev 0, 2 -> 5/9
    row |= {f"au{i:02d}": 2.0 for i in range(1, 6)}  # 2/3
    row |= {f"ol{i:02d}": -9.0 for i in range(1, 6)}  # unanswered -> NaN
    row |= {f"fa{i:02d}": 4.0 for i in range(1, 7)}  # 0
    row |= {"telework": 1.0, "abs_spells": 3.0, "abs_days": 20.0, "training": -9.0, "retire": 2.0}
    row |= {"job_insec": 3.0, "turnover": 2.0, "shiftwork": 2.0, "at_evening": 1.0}
    row |= {"at_night": 1.0, "at_weekend": 3.0, "commute_min": 45.0}
    row |= {"bo_pesten": 1.0, "bo_geweld": 2.0, "bo_seksueel": -9.0}
    out = score_frame(wbm, pd.DataFrame([row])).frame.iloc[0]
    # modules: teleworks; 3 spells = frequent; 20 days is not "more than 20"; training unanswered;
    # "yes, if adapted" does not count as feasible in the current job
    assert (out["mod_telewerk"], out["mod_frequent_verzuim"], out["mod_lang_verzuim"]) == (
        1.0,
        1.0,
        0.0,
    )
    assert math.isnan(out["mod_opleiding"]) and out["mod_haalbaar_pensioen"] == 0.0
    # the modules of the 2019 sector reports: agrees with job insecurity, not with leaving; regular
    # weekend work only; 45 minutes is over half an hour, not over an hour; bullied
    assert (out["mod_baanonzekerheid"], out["mod_verloopintentie"]) == (1.0, 0.0)
    assert (out["mod_weekendwerk"], out["mod_nachtwerk"], out["mod_atypische_uren"]) == (1, 0, 1)
    assert (out["mod_woonwerk_30"], out["mod_woonwerk_60"]) == (1.0, 0.0)
    assert (out["mod_pesten"], out["mod_grensoverschrijdend"]) == (1.0, 1.0)
    assert math.isnan(out["mod_ongewenst_seksueel"])
    assert out["score_psychische_vermoeidheid"] == pytest.approx(1000 / 11)
    assert out["score_welbevinden"] == pytest.approx(100 * (7 * 2 + 2 * 1) / 27)
    assert out["score_leermogelijkheden"] == 0.0
    assert out["score_werk_prive"] == pytest.approx(700 / 9)
    assert out["score_werkdruk"] == pytest.approx(1500 / 18)
    assert out["score_emotionele_belasting"] == pytest.approx(100 / 3)
    assert out["score_taakvariatie"] == pytest.approx(500 / 9)
    assert out["score_autonomie"] == pytest.approx(200 / 3)
    assert math.isnan(out["score_ondersteuning_leiding"])
    assert out["score_arbeidsomstandigheden"] == 0.0
    # workability: stress acute (90.9 >= 81.8); welbevinden 59.3 > 50 no problem; learning 0 acute;
    # work-life 77.8 >= 75 acute -> three problems, not workable
    assert (
        out["tl_werkstress"],
        out["tl_welbevinden_probleem"],
        out["tl_leerprobleem"],
        out["tl_werk_prive_probleem"],
    ) == (2.0, 0.0, 2.0, 2.0)
    assert out["aantal_problemen"] == 3.0
    assert out["werkbaar_werk"] == 0.0
    # risks: workload 83.33 >= 83.3 acute; supervisor support undefined
    assert out["tl_werkdruk_risico"] == 2.0
    assert math.isnan(out["ondersteuning_risico"]) and math.isnan(out["ondersteuning_risico_acuut"])
    assert out["taakvariatie_risico"] == 0.0  # 55.6 > 41.7
    assert out["emotionele_belasting_risico"] == 0.0  # 33.3 < 60
