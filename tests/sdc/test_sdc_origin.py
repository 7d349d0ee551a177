"""Origin (a register-only variable of the sample frame, special category data) in microdata
releases: never in a public-use file, an explicit decision in any other, never released."""

from __future__ import annotations

import pytest

from pipeline.errors import InputError
from pipeline.questionnaire.model import Questionnaire
from pipeline.sdc.microdata.plan import Dropped, check_profile, plan_columns
from pipeline.sdc.microdata.profile import load_profile, parse_profile

BASE = {
    "kind": "release_profile",
    "name": "test",
    "use": "scientific_use",
    "title": {"nl": "t"},
    "conditions_of_use": {"nl": "c"},
    "citation": {"nl": "{title} ({year}), versie {version}"},
}


def _columns(q: Questionnaire) -> list[str]:
    return [*q.variables(), *(d.name for d in q.derived), "weight", "origin"]


@pytest.mark.parametrize("name", ["public-use", "scientific-use"])
def test_shipped_profiles_never_release_origin(q: Questionnaire, name: str) -> None:
    profile = load_profile(name)
    cols = _columns(q)
    assert check_profile(profile, q, cols) == []
    plan = plan_columns(cols, q, profile)
    assert "origin" not in plan.kept
    reason = "special_category" if name == "public-use" else "item_decision"
    assert Dropped("origin", reason) in plan.dropped  # type: ignore[arg-type]


def test_a_public_use_file_drops_origin_whatever_the_profile_says(q: Questionnaire) -> None:
    profile = load_profile("public-use")
    assert profile.items is not None and "origin" not in profile.items.dropped
    plan = plan_columns(_columns(q), q, profile)
    assert Dropped("origin", "special_category") in plan.dropped


def test_scientific_use_without_a_decision_on_origin_is_refused(q: Questionnaire) -> None:
    profile = parse_profile(dict(BASE))
    problems = check_profile(profile, q, _columns(q))
    assert [(p.code, p.value) for p in problems] == [("item_decision_missing", "origin")]
    with pytest.raises(InputError) as err:  # even if the check is skipped: never by default
        plan_columns(_columns(q), q, profile)
    assert err.value.code == "unknown_release_column"
    # data without origin (a wave without a frame) need no decision
    assert check_profile(profile, q, _columns(q)[:-1]) == []


@pytest.mark.parametrize("what", ["released", "banded"])
def test_origin_can_only_be_dropped(q: Questionnaire, what: str) -> None:
    for use in ("scientific_use", "public_use"):
        profile = parse_profile({**BASE, "use": use, "items": {what: ["origin"]}})
        codes = [p.code for p in check_profile(profile, q, _columns(q)) if p.value == "origin"]
        assert "sensitive_released" in codes


def test_an_items_list_of_register_variables_alone_decides_only_those(q: Questionnaire) -> None:
    profile = parse_profile({**BASE, "items": {"dropped": ["origin"]}})
    assert check_profile(profile, q, _columns(q)) == []
    # naming one raw item makes it a full decision list: every raw item must then be decided
    full = parse_profile({**BASE, "items": {"dropped": ["origin", "pv"]}})
    assert any(p.code == "item_decision_missing" for p in check_profile(full, q, _columns(q)))
