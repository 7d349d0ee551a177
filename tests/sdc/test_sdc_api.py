"""anonymise() on a frame built from the reference questionnaire, with both shipped profiles."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import InputError, SpecError
from pipeline.sdc.microdata.api import ReleaseResult, anonymise
from pipeline.sdc.microdata.plan import default_keys
from pipeline.sdc.microdata.profile import load_profile, parse_profile
from pipeline.sdc.microdata.report import render_html
from pipeline.sdc.microdata.risk import code_keys, frequencies_pairwise

GONE = ("sample_id", "comment", "_record_id", "_source_file", "_source_row")


@pytest.fixture(scope="module")
def tagged(frame: pd.DataFrame) -> pd.DataFrame:
    """The fixture frame with a unique duration_sec per row, to line released rows up with input rows."""
    out = frame.copy()
    out["duration_sec"] = np.arange(len(out), dtype=float) * 7 + 300
    return out


@pytest.fixture(scope="module", params=["scientific-use", "public-use"])
def released(request, tagged, q) -> tuple[str, ReleaseResult]:
    return request.param, anonymise(tagged, q, load_profile(request.param), seed=2024)


def test_identifiers_free_text_and_internal_columns_are_gone(released):
    _, r = released
    assert not set(GONE) & set(r.frame.columns)
    assert r.frame.columns[0] == "release_id"
    reasons = dict(r.report.dropped)
    assert reasons["sample_id"] == "id_variable" and reasons["comment"] == "free_text"
    assert reasons["_record_id"] == "internal" and "_mode" in r.frame.columns


def test_release_id_is_a_sorted_permutation(released, tagged):
    _, r = released
    assert r.frame["release_id"].tolist() == list(range(1, len(tagged) + 1))
    # rows are not in input order
    if "duration_sec" in r.frame.columns:
        assert not r.frame["duration_sec"].is_monotonic_increasing


def test_every_key_combination_meets_k(released):
    _, r = released
    keys = r.report.keys
    fk, _ = frequencies_pairwise(code_keys({k: r.frame[k].to_numpy(float) for k in keys}, keys))
    assert (fk >= r.profile.k).all()
    s = r.report.stage("released")
    assert s.violating == 0 and s.fk_min >= r.profile.k
    assert r.report.stage("recoded").violating > 0  # there was work to do


def test_recodes_applied(released, q):
    name, r = released
    assert set(r.frame["age"][r.frame["age"] >= 0].unique()) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert r.frame["hours"].max() <= 50
    sectors = set(r.frame["sector"][r.frame["sector"] >= 0].unique())
    assert sectors <= (
        {1.0, 2.0, 3.0, 4.0} if name == "public-use" else set(map(float, range(1, 17)))
    )
    assert r.labels_of("age") is not None and dict(r.labels_of("age"))[5].en == "55 and over"


def test_suppression_touches_only_keys_and_linked_variables(tagged, q):
    r = anonymise(tagged, q, load_profile("scientific-use"), seed=1)
    rel = r.frame.set_index("duration_sec").loc[tagged["duration_sec"]].reset_index()
    keys = set(r.report.keys)
    linked = {d for _, deps in r.plan.linked for d in deps}
    recoded = {a.variable for a in r.recodes}
    code = r.suppressed_code
    for col in r.frame.columns:
        if col in ("release_id", "duration_sec") or col in keys | linked | recoded:
            continue
        a, b = rel[col].to_numpy(), tagged[col].to_numpy()
        if a.dtype.kind == "f":
            np.testing.assert_array_equal(a, b, err_msg=col)
        else:
            assert list(a) == list(b), col
    for col in keys | linked:
        after = rel[col].to_numpy(float)
        assert code not in tagged[col].to_numpy(float)
        changed = after == code
        assert changed.sum() == sum(1 for s in r.suppression_log if s.variable == col)
    assert r.report.suppressed_total == sum(1 for s in r.suppression_log if not s.linked) > 0
    assert dict(r.report.linked_suppressed)["age_band"] == dict(r.report.suppressed)["age"]


def test_suppression_log_matches_the_release(released):
    _, r = released
    by_id = r.frame.set_index("release_id")
    for s in r.suppression_log[:50]:
        assert by_id.loc[s.release_id, s.variable] == r.suppressed_code
        assert s.original >= 0


def test_same_seed_same_release_other_seed_other_ids(tagged, q):
    p = load_profile("public-use")
    a, b = anonymise(tagged, q, p, seed=5), anonymise(tagged, q, p, seed=5)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert a.report.to_dict() == b.report.to_dict()
    c = anonymise(tagged, q, p, seed=6)
    assert not c.frame["duration_sec" if "duration_sec" in c.frame else "score_werkdruk"].equals(
        a.frame["duration_sec" if "duration_sec" in a.frame else "score_werkdruk"]
    )


def test_public_use_prams_province(released):
    name, r = released
    if name != "public-use":
        assert r.pram == () and r.report.pram == ()
        return
    (res,) = r.pram
    assert res.variable == "province" and res.changed > 0
    assert dict(r.report.marginal_tvd)["province"] > 0


def test_report_is_json_and_html(released):
    _, r = released
    d = r.report.to_dict()
    text = json.dumps(d, allow_nan=False, sort_keys=True)
    assert d["kind"] == "wbm-release-risk-report" and [s["stage"] for s in d["stages"]] == [
        "original",
        "recoded",
        "released",
    ]
    assert d["suppression"]["total"] == r.report.suppressed_total
    assert "NaN" not in text
    html = render_html(r.report, min_n=0)  # Dutch, the default: 1.194 with a point
    assert html.lstrip().startswith("<section") and f"k = {r.profile.k}" in html
    violating = r.report.stage("recoded").violating
    assert f"{violating:,}".replace(",", ".") in html and "Risico voor en na" in html
    en = render_html(r.report, min_n=0, lang="en")
    assert f"{violating:,}" in en and "Risk before and after" in en
    # every notice worded in Dutch (issue 19): none left in English in the Dutch report
    if r.report.notices:
        part = html[html.index("<h3>Meldingen</h3>") :]
        assert '<span lang="en">' not in part.split("<h3>", 2)[1]
        assert all(n.message in en.replace("&#39;", "'") for n in r.report.notices)
    ww = [e for e in r.report.estimates if e.indicator == "werkbaar_werk" and e.by == ""]
    assert ww and ww[0].diff == 0.0  # the overall share is not perturbed


def test_unknown_column_is_refused_unless_dropped(frame, q):
    extra = frame.assign(email=["x@example.org"] * len(frame))
    with pytest.raises(InputError) as exc:
        anonymise(extra, q, load_profile("public-use"), seed=1)
    assert exc.value.code == "unknown_release_column" and exc.value.problems[0].column == "email"
    p = load_profile("public-use").model_copy(update={"drop": ("duration_sec", "email")})
    r = anonymise(extra, q, p, seed=1)
    assert "email" not in r.frame.columns and ("email", "profile_drop") in r.report.dropped


def test_weight_errors(frame, q):
    p = load_profile("scientific-use")
    with pytest.raises(InputError) as exc:
        anonymise(frame.drop(columns=["weight"]), q, p, seed=1)
    assert exc.value.code == "weight_missing"
    bad = frame.copy()
    bad.loc[3, "weight"] = -1.0
    with pytest.raises(InputError) as exc:
        anonymise(bad, q, p, seed=1)
    assert exc.value.code == "bad_weight" and exc.value.problems[0].row == 4


def test_unweighted_release(frame, q):
    r = anonymise(frame, q, load_profile("scientific-use"), weight=None, seed=3)
    assert r.report.weight_linkage is None and not r.report.stage("released").weighted
    assert r.report.stage("released").violating == 0
    # no linkage was measured, so the weights do not go out (they would encode the weighting cells)
    assert "weight" in frame.columns and not {"weight", "weight_normalised"} & set(r.frame.columns)
    assert {d.column for d in r.plan.dropped if d.reason == "unweighted_release"} >= {"weight"}


def test_a_profile_that_does_not_fit_is_refused(frame, q):
    p = parse_profile(
        {
            "name": "x",
            "use": "public_use",
            "title": {"nl": "x"},
            "conditions_of_use": {"nl": "c"},
            "citation": {"nl": "c"},
            "key_variables": ["sex", "nope"],
        }
    )
    with pytest.raises(SpecError) as exc:
        anonymise(frame, q, p, seed=1)
    assert exc.value.code == "profile_mismatch"


def test_weight_linkage_is_measured(released, q):
    name, r = released
    wl = r.report.weight_linkage
    assert wl is not None and set(wl.variables) == set(q.weighting)
    in_weighting = sum(1 for s in r.suppression_log if s.variable in q.weighting)
    assert wl.suppressed_cells == in_weighting > 0
    assert 0 <= wl.recoverable_cells <= wl.protected_cells
    assert wl.distinct_weights <= len(r.frame)
    if name == "public-use":
        assert wl.perturbed_cells > 0  # PRAM on province


def test_keys_in_importance_order(released, q):
    _, r = released
    assert set(r.report.keys) == set(default_keys(q))
    assert r.report.keys[0] == "sector" and r.report.keys[-1] == "province"


def test_design_columns_of_a_stratified_run_are_never_released() -> None:
    """Issue 16: the weight stage writes base_weight, design_stratum and design_fpc for a stratified
    design; a release drops them (they give the unit's stratum exactly) instead of refusing them as
    unknown columns."""
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.rundata.columns import DESIGN_COLUMNS, WEIGHT
    from pipeline.sdc.microdata.plan import plan_columns

    q = load_questionnaire("oe-2025")
    cols = [q.study.id_variable, "sector_group", "size_class", "employees", WEIGHT, *DESIGN_COLUMNS]
    plan = plan_columns(cols, q, load_profile("scientific-use"))
    dropped = {d.column: d.reason for d in plan.dropped}
    for c in DESIGN_COLUMNS:
        assert dropped.get(c) == "design_column"
