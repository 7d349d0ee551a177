"""Release profiles: the shipped files, the model, and the cross-checks against a questionnaire."""

from __future__ import annotations

import pytest
import yaml

from pipeline.errors import SpecError
from pipeline.sdc.microdata.plan import check_profile, default_keys, linked_variables
from pipeline.sdc.microdata.profile import (
    RELEASES_DIR,
    ReleaseProfile,
    dump_profile,
    fill_text,
    load_profile,
    parse_profile,
)

BASE = {
    "kind": "release_profile",
    "name": "test",
    "use": "public_use",
    "title": {"nl": "t"},
    "conditions_of_use": {"nl": "c"},
    "citation": {"nl": "{title} ({year}), versie {version}"},
}


@pytest.mark.parametrize(("name", "k"), [("public-use", 5), ("scientific-use", 3)])
def test_shipped_profiles_load_and_fit_the_questionnaire(q, name, k):
    p = load_profile(name)
    assert p.k == k and p.name == name
    assert check_profile(p, q) == []
    assert ReleaseProfile.model_validate(yaml.safe_load(dump_profile(p))) == p  # round trip


def test_k_defaults_by_use():
    assert parse_profile(dict(BASE)).k == 5
    assert parse_profile({**BASE, "use": "scientific_use"}).k == 3


def test_structure_errors_are_reported_together(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(
        yaml.safe_dump({**BASE, "k": 1, "colour": "red", "pram": {"enabled": True}}),
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as exc:
        load_profile(f)
    paths = {p.path for p in exc.value.problems}
    assert exc.value.code == "profile_invalid"
    assert (
        "colour" in paths and "pram" in paths and all(p.file == str(f) for p in exc.value.problems)
    )


def test_bad_yaml_and_unknown_profile(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(SpecError) as exc:
        load_profile(f)
    assert exc.value.code == "profile_yaml" and exc.value.problems[0].line is not None
    with pytest.raises(SpecError) as exc:
        load_profile("no-such-profile")
    assert exc.value.code == "profile_not_found"
    assert {p.stem for p in RELEASES_DIR.glob("*.yaml")} >= {"public-use", "scientific-use"}


def test_cross_reference_problems_are_all_reported(q):
    p = parse_profile(
        {
            **BASE,
            "key_variables": ["sex", "shoe_size"],
            "importance": ["age"],
            "keep": ["sex", "sample_id"],
            "suppressed_code": -9,
            "merge_small": [{"variable": "occupation", "min_count": 5}],
            "pram": {"enabled": True, "variables": ["age"]},
            "utility": {"indicators": ["nope"]},
        }
    )
    codes = [pr.code for pr in check_profile(p, q)]
    for expected in (
        "unknown_variable",
        "protected_in_keep",
        "key_not_kept",
        "merge_needs_into",
        "suppressed_code_clash",
    ):
        assert expected in codes, (expected, codes)
    assert (
        codes.count("unknown_variable") >= 3
    )  # shoe_size, importance 'age' (not a key), utility 'nope'


def test_pram_on_a_variable_with_a_linked_derived_variable_is_refused(q):
    p = parse_profile(
        {**BASE, "use": "scientific_use", "pram": {"enabled": True, "variables": ["age"]}}
    )
    assert [pr.code for pr in check_profile(p, q)] == ["pram_linked"]


def test_default_keys_and_links(q):
    keys = default_keys(q)
    assert keys == ("sex", "age", "sector", "statute", "province", "occupation")
    assert linked_variables(q, keys) == (("age", ("age_band",)),)


def test_fill_text(q):
    p = parse_profile(dict(BASE))
    assert (
        fill_text(p.citation, q, "nl")
        == "Vlaamse Werkbaarheidsmonitor 2023 - werknemers (2023), versie 2023.1-reference"
    )
    assert "(2024)" in fill_text(p.citation, q, "en", year=2024)


def test_name_hints_are_shared_with_the_questionnaire_checks():
    """One helper (pipeline.errors) for 'did you mean' hints and for listing likely names first."""
    from pipeline.errors import did_you_mean, one_of, similar_first

    assert did_you_mean("sectr", ["statute", "sector", "sex"]) == "did you mean 'sector'?"
    assert did_you_mean("zzz", ["sex"]) == "check the spelling"
    assert similar_first("sectr", {"age", "statute", "sex", "sector"}) == [
        "sector",
        "sex",
        "age",
        "statute",
    ]
    assert (
        one_of("sectr", similar_first("sectr", {"age", "sector"}))
        == "'sectr' is not one of 'sector', 'age'"
    )
