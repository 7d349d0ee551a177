"""The population model file: structure, sources, checks against the questionnaire, calibration limits."""

from __future__ import annotations

import pytest
import yaml

from pipeline.errors import SpecError
from pipeline.synth.config import MODEL_PATH, SynthModel, check_model, load_model
from pipeline.synth.world import build_world


def _edited(tmp_path, edit) -> SynthModel:
    data = yaml.safe_load(MODEL_PATH.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_model(path)


def test_every_target_names_its_source(model):
    targets = [t.target for t in model.traits.indicators.values() if t.target is not None]
    targets += [model.traits.composite_target, model.response.rate, model.response.web_share]
    assert all(t.source.strip() for t in targets)
    assert (
        "51.8" in model.traits.composite_target.source
        and model.traits.composite_target.value == 0.518
    )
    assert model.traits.indicators["werkstress"].target.value == 0.361
    # everything that is not a published figure says so
    for t in targets:
        assert "published" in t.source or "SYNTHETIC" in t.source or "domain brief" in t.source


def test_model_fits_the_reference_questionnaire(model, q):
    check_model(model, q)


def test_unknown_code_is_reported_with_its_path(tmp_path, q):
    m = _edited(
        tmp_path,
        lambda d: d["traits"]["indicators"]["werkstress"]["effects"]["sector"].update({99: 0.5}),
    )
    with pytest.raises(SpecError) as err:
        check_model(m, q)
    assert any(
        p.path == "traits.indicators.werkstress.effects.sector" and p.value == [99]
        for p in err.value.problems
    )


def test_all_share_problems_are_reported_at_once(tmp_path, q):
    def edit(d):
        d["population"]["sector_share"][1] = 0.5
        d["population"]["age_share"] = [0.5, 0.5]

    m = _edited(tmp_path, edit)
    with pytest.raises(SpecError) as err:
        check_model(m, q)
    paths = {p.path for p in err.value.problems}
    assert {"population.sector_share", "population.age_share"} <= paths


def test_unknown_keys_and_wrong_kind_are_rejected(tmp_path):
    with pytest.raises(SpecError) as err:
        _edited(tmp_path, lambda d: d["response"].update({"ratee": 0.3}))
    assert any("ratee" in (p.path or "") for p in err.value.problems)
    with pytest.raises(SpecError):
        _edited(tmp_path, lambda d: d.update({"kind": "something"}))
    with pytest.raises(SpecError):
        _edited(tmp_path, lambda d: d.update({"synthetic": False}))


def test_unreachable_target_is_a_clear_error(tmp_path, q):
    m = _edited(tmp_path, lambda d: d["traits"]["composite_target"].update({"value": 0.95}))
    with pytest.raises(SpecError) as err:
        build_world(q, m)
    assert err.value.problems[0].code == "calibration_out_of_reach"
    assert err.value.problems[0].path == "traits.composite_target"


def test_questionnaire_without_the_population_variables_is_refused(model, q):
    no_statute = q.model_copy(
        update={"items": tuple(i for i in q.items if i.name not in ("statute", "province"))}
    )
    with pytest.raises(SpecError) as err:
        check_model(model, no_statute)
    assert [p.path for p in err.value.problems[:2]] == ["statute", "province"]
    assert {p.code for p in err.value.problems} == {"model_questionnaire_mismatch"}
    assert any(p.hint and "employees" in p.hint for p in err.value.problems)
