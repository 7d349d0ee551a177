"""Condition indicators (``kind: condition``): 0/1 module indicators straight from items.

The contract (pipeline/scoring/plan.py): 1 where the condition holds, 0 where it does not, NaN where
``defined_if`` does not hold; without ``defined_if``, defined where every variable the condition
names has a substantive value (so an unanswered item never becomes a silent 0).
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from pipeline.errors import InputError, SpecError
from pipeline.questionnaire.expr import evaluate, parse
from pipeline.questionnaire.model import Questionnaire
from pipeline.scoring import (
    compile_plan,
    indicator_columns,
    output_columns,
    score_arrays,
    score_frame,
)
from pipeline.scoring.plan import ConditionPlan
from tests.modules import EARLIER_MODULES, MODULES, NEW_MODULES

NAN = float("nan")


def _modules(wbm: Questionnaire, rows: list[dict[str, float]]) -> pd.DataFrame:
    plan = compile_plan(wbm)
    base = dict.fromkeys(plan.input_columns, -9.0)
    return score_frame(wbm, pd.DataFrame([base | r for r in rows])).frame[list(EARLIER_MODULES)]


def _same(got: pd.Series, want: list[float]) -> None:
    np.testing.assert_array_equal(got.to_numpy(dtype=float), np.array(want, dtype=float))


def test_absence_indicators_by_hand(wbm):
    out = _modules(
        wbm,
        [
            {"abs_spells": 0.0, "abs_days": -1.0},  # no absence: neither frequent nor long
            {"abs_spells": 2.0, "abs_days": 30.0},  # not frequent, long
            {"abs_spells": 3.0, "abs_days": 20.0},  # frequent; 20 is not "more than 20"
            {"abs_spells": 5.0, "abs_days": 21.0},  # both
            {"abs_spells": 4.0, "abs_days": -9.0},  # frequent; days unanswered -> long undefined
            {"abs_spells": -9.0, "abs_days": 40.0},  # spells unanswered -> both undefined
            {"abs_spells": -8.0, "abs_days": -1.0},  # don't know -> both undefined
        ],
    )
    _same(out["mod_frequent_verzuim"], [0, 0, 1, 1, 1, NAN, NAN])
    _same(out["mod_lang_verzuim"], [0, 1, 0, 1, NAN, NAN, NAN])


def test_single_choice_module_indicators_by_hand(wbm):
    out = _modules(
        wbm,
        [
            {"telework": 1.0, "training": 2.0, "retire": 1.0},
            {
                "telework": 2.0,
                "training": 1.0,
                "retire": 2.0,
            },  # "yes, if adapted" is not feasible as it is
            {"telework": -7.0, "training": -9.0, "retire": 3.0},  # invalid / no answer -> undefined
        ],
    )
    _same(out["mod_telewerk"], [1, 0, NAN])
    _same(out["mod_opleiding"], [0, 1, NAN])
    _same(out["mod_haalbaar_pensioen"], [1, 0, 0])


def test_module_indicators_are_estimated_and_labelled(wbm):
    cols = {c.name: c for c in output_columns(wbm)}
    for name in EARLIER_MODULES:
        assert cols[name].kind == "condition" and cols[name].group == "module" and cols[name].binary
        assert name in indicator_columns(wbm)
        assert [code for code, _ in cols[name].value_labels] == [0, 1]
    assert cols["mod_telewerk"].label.nl == "telewerkt"


def test_scales_only_plan_drops_conditions_and_their_inputs(wbm):
    plan = compile_plan(wbm)
    assert set(plan.condition_columns) == {
        "telework",
        "abs_spells",
        "abs_days",
        "training",
        "retire",
        "job_insec",
        "turnover",
        "shiftwork",
        "at_evening",
        "at_night",
        "at_weekend",
        "commute_min",
        "bo_pesten",
        "bo_geweld",
        "bo_seksueel",
    }
    only = plan.scales_only()
    assert not any(isinstance(i, ConditionPlan) for i in only.indicators)
    assert not set(only.input_columns) & set(plan.condition_columns)
    assert {i.name for i in only.indicators} == {i.name for i in plan.indicators} - set(MODULES)


def test_missing_condition_column_is_reported(wbm: Questionnaire) -> None:
    plan = compile_plan(wbm)
    cols = {name: np.full(3, 1.0) for name in plan.input_columns if name != "abs_days"}
    with pytest.raises(InputError) as err:
        score_arrays(plan, cols)
    assert err.value.code == "bad_score_input"
    assert any(p.column == "abs_days" for p in err.value.problems)


# ---------------------------------------------------------------- spec errors


def _with_indicator(mini_spec, make_q, **ind):
    mini_spec = copy.deepcopy(
        mini_spec
    )  # hypothesis reuses the function-scoped fixture across examples
    mini_spec["indicators"].append(
        {"name": "mod_c", "label": {"nl": "c"}, "kind": "condition", "group": "module", **ind}
    )
    return make_q(mini_spec)


def test_condition_kind_needs_a_condition(mini_spec, make_q):
    with pytest.raises(ValidationError, match="needs 'condition'"):
        _with_indicator(mini_spec, make_q)


def test_condition_fields_only_on_condition_indicators(mini_spec, make_q):
    mini_spec["indicators"][0]["condition"] = "a1 == 1"
    with pytest.raises(ValidationError, match="belong to condition indicators"):
        make_q(mini_spec)


@pytest.mark.parametrize(
    ("fields", "code", "path"),
    [
        ({"condition": "nope >= 3"}, "unknown_variable", "indicators[mod_c].condition"),
        ({"condition": "a1 >= "}, "expr_syntax", "indicators[mod_c].condition"),
        (
            {"condition": "a1 == 1", "defined_if": "answered(zz)"},
            "unknown_variable",
            "indicators[mod_c].defined_if",
        ),
        ({"condition": "1 == 1"}, "constant_condition", "indicators[mod_c].condition"),
    ],
)
def test_broken_conditions_are_spec_errors(mini_spec, make_q, fields, code, path):
    q = _with_indicator(mini_spec, make_q, **fields)
    with pytest.raises(SpecError) as err:
        compile_plan(q)
    assert [(p.code, p.path) for p in err.value.problems] == [(code, path)]


def test_condition_cannot_be_combined(mini_spec, make_q):
    mini_spec["indicators"].append(
        {"name": "mod_c", "label": {"nl": "c"}, "kind": "condition", "condition": "a1 == 1"}
    )
    mini_spec["indicators"][2]["of"] = ["ind_a", "mod_c"]  # ww: werkbaar werk of a condition
    with pytest.raises(SpecError) as err:
        compile_plan(make_q(mini_spec))
    assert "combines_non_traffic_light" in {p.code for p in err.value.problems}


# ---------------------------------------------------------------- properties

CODES = st.sampled_from([1.0, 2.0, 3.0, 4.0, -1.0, -8.0, -9.0, NAN])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    a1=st.lists(CODES, min_size=1, max_size=40),
    data=st.data(),
    condition=st.sampled_from(["a1 >= 3", "a1 in [1, 2] or a2 == 4", "not a1 == 2", "a1 + a2 > 5"]),
    defined_if=st.sampled_from([None, "answered(a1)", "answered(a2) or a1 == 1"]),
)
def test_condition_semantics(mini_spec, make_q, a1, data, condition, defined_if):
    a2 = data.draw(st.lists(CODES, min_size=len(a1), max_size=len(a1)))
    fields = {"condition": condition} | ({"defined_if": defined_if} if defined_if else {})
    q = _with_indicator(mini_spec, make_q, **fields)
    plan = compile_plan(q)
    n = len(a1)
    cols = {name: np.full(n, -9.0) for name in plan.input_columns}
    cols |= {"a1": np.array(a1), "a2": np.array(a2)}
    out = score_arrays(plan, cols)["mod_c"]
    expr = parse(condition)
    defined = (
        evaluate(parse(defined_if), cols, size=n)
        if defined_if
        else np.logical_and.reduce(
            [np.nan_to_num(cols[v], nan=-1.0) >= 0 for v in sorted(expr.variables)]
        )
    )
    np.testing.assert_array_equal(np.isnan(out), ~defined)
    np.testing.assert_array_equal(out[defined], evaluate(expr, cols, size=n)[defined].astype(float))
    # row order never matters
    perm = np.random.default_rng(n).permutation(n)
    again = score_arrays(plan, {k: v[perm] for k, v in cols.items()})["mod_c"]
    np.testing.assert_array_equal(again, out[perm])
    assert not math.isinf(np.nansum(out))


def test_code_outside_the_choice_list_of_a_condition_item_is_an_error(
    wbm: Questionnaire,
) -> None:
    """telework has codes 1 and 2: a 5 is not "does not telework" but a data error, located."""
    plan = compile_plan(wbm)
    frame = pd.DataFrame(
        [dict.fromkeys(plan.input_columns, -9.0) | {"telework": t} for t in (1.0, 5.0, 2.0)]
    )
    frame["_source_row"] = [11, 12, 13]
    with pytest.raises(InputError) as err:
        score_frame(wbm, frame)
    assert err.value.code == "unknown_code"
    [p] = err.value.problems
    assert (p.column, p.row, p.value) == ("telework", 12, 5.0) and "1, 2" in (p.expected or "")


def _new_modules(wbm: Questionnaire, rows: list[dict[str, float]]) -> pd.DataFrame:
    plan = compile_plan(wbm)
    base = dict.fromkeys(plan.input_columns, -9.0)
    return score_frame(wbm, pd.DataFrame([base | r for r in rows])).frame[list(NEW_MODULES)]


def test_job_insecurity_and_turnover_count_agreement_only(wbm):
    # agree4: 1 helemaal niet akkoord, 2 niet akkoord, 3 akkoord, 4 helemaal akkoord
    out = _new_modules(
        wbm,
        [
            {"job_insec": 1.0, "turnover": 4.0},
            {"job_insec": 2.0, "turnover": 3.0},
            {"job_insec": 3.0, "turnover": 2.0},
            {"job_insec": 4.0, "turnover": -8.0},
        ],
    )
    _same(out["mod_baanonzekerheid"], [0, 0, 1, 1])
    _same(out["mod_verloopintentie"], [1, 1, 0, NAN])


def test_atypical_hours_any_of_four_with_partial_answers(wbm):
    # regular3: 1 nooit, 2 af en toe, 3 regelmatig
    full = {"shiftwork": 2.0, "at_evening": 2.0, "at_night": 1.0, "at_weekend": 1.0}
    out = _new_modules(
        wbm,
        [
            full,  # nothing regular: 0
            full | {"at_weekend": 3.0},  # regular weekend work: 1
            full | {"shiftwork": 1.0, "at_night": -9.0},  # shifts, night unanswered: still 1
            full | {"at_night": -9.0},  # nothing regular among the answered, one missing: undefined
        ],
    )
    _same(out["mod_weekendwerk"], [0, 1, 0, 0])
    _same(out["mod_ploegenarbeid"], [0, 0, 1, 0])
    _same(out["mod_nachtwerk"], [0, 0, NAN, NAN])
    _same(out["mod_atypische_uren"], [0, 1, 1, NAN])


def test_commuting_bands_are_strictly_more_than(wbm):
    out = _new_modules(wbm, [{"commute_min": v} for v in (0.0, 30.0, 31.0, 60.0, 61.0, -9.0)])
    _same(out["mod_woonwerk_30"], [0, 0, 1, 1, 1, NAN])
    _same(out["mod_woonwerk_60"], [0, 0, 0, 0, 1, NAN])


def test_boundary_crossing_behaviour_any_of_three(wbm):
    none = {"bo_pesten": 2.0, "bo_geweld": 2.0, "bo_seksueel": 2.0}
    out = _new_modules(
        wbm,
        [
            none,
            none | {"bo_seksueel": 1.0},
            {"bo_pesten": 1.0, "bo_geweld": -9.0, "bo_seksueel": -9.0},
            none | {"bo_geweld": -9.0},
        ],
    )
    _same(out["mod_pesten"], [0, 0, 1, 0])
    _same(out["mod_ongewenst_seksueel"], [0, 1, NAN, 0])
    _same(out["mod_grensoverschrijdend"], [0, 1, 1, NAN])
