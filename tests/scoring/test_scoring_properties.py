"""Property tests: scores are row-wise (order and company of other rows do not matter), bounded,
monotone in every item, equal to an exact rational computation, and the indicators are consistent."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.questionnaire.model import Questionnaire
from pipeline.scoring import compile_plan, score_arrays, score_frame
from pipeline.scoring.plan import ScalePlan

from .scoring_helpers import condition_columns

NON_SUBSTANTIVE = [-1.0, -7.0, -8.0, -9.0, float("nan")]
FREQ4 = [1.0, 2.0, 3.0, 4.0]
YESNO = [1.0, 2.0]
AGREE5 = [1.0, 2.0, 3.0, 4.0, 5.0]
LISTS = (
    {f"a{i}": FREQ4 for i in range(1, 5)}
    | {f"y{i}": YESNO for i in range(1, 6)}
    | {"m1": YESNO, "m2": AGREE5}
)
PROPS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _value(codes: list[float]) -> st.SearchStrategy[float]:
    return st.one_of(
        st.sampled_from(codes), st.sampled_from(codes), st.sampled_from(NON_SUBSTANTIVE)
    )


@st.composite
def mini_frames(draw: st.DrawFn, min_rows: int = 0, max_rows: int = 30) -> pd.DataFrame:
    n = draw(st.integers(min_rows, max_rows))
    return pd.DataFrame(
        {
            name: draw(st.lists(_value(codes), min_size=n, max_size=n))
            for name, codes in LISTS.items()
        },
        dtype=np.float64,
    )


@pytest.fixture(scope="module")
def plan(mini):
    return compile_plan(mini)


@PROPS
@given(df=mini_frames(), data=st.data())
def test_row_order_does_not_matter(mini, df, data):
    perm = data.draw(st.permutations(range(len(df))))
    out = score_frame(mini, df).frame
    shuffled = score_frame(mini, df.iloc[list(perm)]).frame
    pd.testing.assert_frame_equal(shuffled.sort_index(), out.sort_index())


@PROPS
@given(df=mini_frames(min_rows=2), cut=st.integers(1, 29))
def test_other_rows_do_not_matter(mini, df, cut):
    cut = min(cut, len(df) - 1)
    whole = score_frame(mini, df).frame
    parts = pd.concat(
        [score_frame(mini, df.iloc[:cut]).frame, score_frame(mini, df.iloc[cut:]).frame]
    )
    pd.testing.assert_frame_equal(parts, whole)


def _exact(q: Questionnaire, scale: ScalePlan, row: dict[str, float]) -> Fraction | None:
    """The score as an exact fraction, straight from the definitions (independent of the engine)."""
    spec = q.scale(scale.name).model_dump()
    lists = {"a": [3, 2, 1, 0], "y": [1, 0], "m1": [1, 0], "m2": [1, 2, 3, 4, 5]}
    units: list[Fraction] = []
    pts: list[Fraction] = []
    rngs: list[Fraction] = []
    for name in spec["items"]:  # item scores of the mini lists, written out
        scores = lists[name] if name in lists else lists[name[0]]
        v = row[name]
        if math.isnan(v) or v < 1 or v > len(scores):
            continue
        s = Fraction(scores[int(v) - 1])
        lo, hi = min(scores), max(scores)
        if name in spec["reverse"]:
            s = hi + lo - s
        units.append((s - lo) / (hi - lo))
        pts.append(s - lo)
        rngs.append(Fraction(hi - lo))
    if len(units) < spec["scoring"]["min_valid"]:
        return None
    share = (
        sum(units, Fraction(0)) / len(units)
        if spec["scoring"]["method"] == "mean_rescaled"
        else sum(pts, Fraction(0)) / sum(rngs, Fraction(0))
    )
    return 100 * share


@PROPS
@given(df=mini_frames(min_rows=1))
def test_scores_match_exact_arithmetic_and_lights_match_exact_cutoffs(mini, plan, df):
    out = score_frame(mini, df).frame
    cut = {
        "ind_a": ("sa", "high", Fraction(50), Fraction(75)),
        "ind_y": ("sy", "low", Fraction(40), Fraction(20)),
        "ind_m": ("m_mean", "high", Fraction(50), None),
    }
    for i, row in enumerate(df.to_dict("records")):
        for scale in plan.scales:
            got = out[scale.column].iloc[i]
            want = _exact(mini, scale, row)
            if want is None:
                assert math.isnan(got)
                continue
            assert 0.0 <= got <= 100.0
            assert abs(Fraction(got) - want) <= Fraction(1, 10**9)
        for ind, (scale, side, prob, acute) in cut.items():
            want = _exact(mini, next(s for s in plan.scales if s.name == scale), row)
            if want is None:
                assert math.isnan(out[f"tl_{ind}"].iloc[i])
                continue
            hit = (lambda c: want >= c) if side == "high" else (lambda c: want <= c)  # noqa: B023
            expected = int(hit(prob)) + (int(hit(acute)) if acute is not None else 0)
            assert out[f"tl_{ind}"].iloc[i] == expected


@PROPS
@given(df=mini_frames(min_rows=1))
def test_indicator_columns_are_consistent(mini, df):
    out = score_frame(mini, df).frame
    for ind in ("ind_a", "ind_y"):
        tl, prob, acute = out[f"tl_{ind}"], out[ind], out[f"{ind}_acuut"]
        assert (tl.isna() == prob.isna()).all() and (tl.isna() == acute.isna()).all()
        ok = tl.notna()
        assert ((tl[ok] >= 1) == (prob[ok] == 1)).all()
        assert ((tl[ok] == 2) == (acute[ok] == 1)).all()
        assert (acute[ok] <= prob[ok]).all()
    ww, n = out["ww"], out["n_prob"]
    assert (ww.isna() == n.isna()).all()
    assert (ww.isna() == (out["ind_a"].isna() | out["ind_y"].isna())).all()
    assert ((ww == 1) == (n == 0))[ww.notna()].all()
    assert (n[n.notna()] == (out["ind_a"] + out["ind_y"])[n.notna()]).all()


@PROPS
@given(df=mini_frames(min_rows=1, max_rows=10), data=st.data())
def test_raising_an_item_moves_the_score_one_way(mini, df, data):
    """Raising an item's score (its choice score, before reverse coding) never lowers the scale
    score of a non-reversed item and never raises it for a reversed one."""
    scale = data.draw(st.sampled_from(mini.scales))
    name = data.draw(st.sampled_from(scale.items))
    choices = sorted(
        mini.choices_of(mini.item(name)), key=lambda c: c.code if c.score is None else c.score
    )
    lo_i = data.draw(st.integers(0, len(choices) - 2))
    hi_i = data.draw(st.integers(lo_i + 1, len(choices) - 1))
    row = data.draw(st.integers(0, len(df) - 1))
    low, high = df.copy(), df.copy()
    low.iloc[row, low.columns.get_loc(name)] = float(choices[lo_i].code)
    high.iloc[row, high.columns.get_loc(name)] = float(choices[hi_i].code)
    column = f"score_{scale.name}"
    s_low = score_frame(mini, low).frame[column].iloc[row]
    s_high = score_frame(mini, high).frame[column].iloc[row]
    assert math.isnan(s_low) == math.isnan(s_high)
    if not math.isnan(s_low):
        if name in scale.reverse:
            assert s_high <= s_low
        else:
            assert s_high >= s_low


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 300), missing=st.floats(0.0, 0.6))
def test_reference_instrument_properties(wbm, seed, n, missing):
    plan = compile_plan(wbm)
    rng = np.random.default_rng(seed)
    cols = {}
    for s in plan.scales:
        for it in s.items:
            c = rng.choice(it.codes, n)
            c[rng.random(n) < missing] = rng.choice([-1.0, -8.0, -9.0])
            cols[it.name] = c
    cols |= condition_columns(wbm, plan, n, rng, missing)
    out = score_arrays(plan, cols)
    perm = rng.permutation(n)
    shuffled = score_arrays(plan, {k: v[perm] for k, v in cols.items()})
    for name, values in out.items():
        np.testing.assert_array_equal(shuffled[name], values[perm])
    for s in plan.scales:
        sc = out[s.column]
        assert np.all(np.isnan(sc) | ((sc >= s.min) & (sc <= s.max)))
    ww, n_prob = out["werkbaar_werk"], out["aantal_problemen"]
    np.testing.assert_array_equal(np.isnan(ww), np.isnan(n_prob))
    ok = ~np.isnan(ww)
    np.testing.assert_array_equal(ww[ok] == 1, n_prob[ok] == 0)
    assert np.all((n_prob[ok] >= 0) & (n_prob[ok] <= 4))
    bands = {(0, 0): "aantal_problemen_0", (1, 1): "aantal_problemen_1"}
    bands |= {(2, 2): "aantal_problemen_2", (3, 4): "aantal_problemen_3_4"}
    total = np.zeros(n)
    for span, col in bands.items():  # each band is 0/1 where the count is defined, NaN elsewhere
        lo, hi = span
        np.testing.assert_array_equal(np.isnan(out[col]), ~ok)
        np.testing.assert_array_equal(out[col][ok], (n_prob[ok] >= lo) & (n_prob[ok] <= hi))
        total[ok] += out[col][ok]
    np.testing.assert_array_equal(total[ok], 1.0)  # the bands cover 0 to 4 exactly once
