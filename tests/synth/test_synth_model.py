"""The model files: structure, sources, checks against the questionnaire, calibration limits,
``extends`` / ``rename`` / null, and the choice of a model for a questionnaire."""

from __future__ import annotations

import pytest
import yaml

from pipeline.errors import SpecError
from pipeline.questionnaire.load import load_questionnaire, shipped
from pipeline.synth.check import check_model
from pipeline.synth.config import (
    MODEL_PATH,
    MODELS_DIR,
    load_model,
    merge,
    select_model,
    shipped_models,
)
from pipeline.synth.spec import SynthModel
from pipeline.synth.world import build_world


def _edited(tmp_path, edit, source=MODEL_PATH) -> SynthModel:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    edit(data)
    base = MODELS_DIR / f"{data.get('extends')}.yaml"
    if base.is_file():  # a shared part ("_mail-web") is found beside the file
        (tmp_path / base.name).write_text(base.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_model(path)


def _variable(data: dict, name: str) -> dict:
    return next(v for v in data["population"]["variables"] if v["name"] == name)


def test_every_target_names_its_source(model):
    targets = [t.target for t in model.traits.indicators.values() if t.target is not None]
    targets += [model.traits.composite_target, model.response.rate, model.response.web_share]
    assert all(t is not None and t.source.strip() for t in targets)
    assert model.traits.composite_target is not None
    assert "51.8" in model.traits.composite_target.source
    assert model.traits.composite_target.value == 0.518
    assert model.traits.indicators["werkstress"].target.value == 0.361
    # everything that is not a published figure says so
    for t in targets:
        assert t is not None
        assert "published" in t.source or "SYNTHETIC" in t.source or "domain brief" in t.source


@pytest.mark.parametrize("name", sorted(shipped_models()))
def test_every_shipped_model_labels_every_number(name):
    m = load_model(name)
    assert m.synthetic and m.questionnaires
    sourced = [m.population.total, m.sample.size, m.response.rate, m.traits.other_loading]
    sourced += [t.target for t in m.traits.indicators.values() if t.target is not None]
    for s in sourced:
        assert s is not None
        assert any(w in s.source for w in ("published", "SYNTHETIC", "domain brief", "derived"))


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
        _variable(d, "sector")["shares"][1] = 0.5
        _variable(d, "age_band")["shares"] = [0.5, 0.5]

    m = _edited(tmp_path, edit)
    with pytest.raises(SpecError) as err:
        check_model(m, q)
    paths = {p.path for p in err.value.problems}
    assert {"population.variables[0].shares", "population.variables[3].shares"} <= paths


def test_unknown_keys_and_wrong_kind_are_rejected(tmp_path):
    with pytest.raises(SpecError) as err:
        _edited(tmp_path, lambda d: d["response"].update({"ratee": 0.3}))
    assert any("ratee" in (p.path or "") for p in err.value.problems)
    with pytest.raises(SpecError):
        _edited(tmp_path, lambda d: d.update({"kind": "something"}))
    with pytest.raises(SpecError):
        _edited(tmp_path, lambda d: d.update({"synthetic": False}))
    with pytest.raises(SpecError) as err:
        _edited(tmp_path, lambda d: d.update({"extends": "no-such-model"}))
    assert err.value.problems[0].code == "bad_extends"


def test_unreachable_target_is_a_clear_error(tmp_path, q):
    m = _edited(
        tmp_path, lambda d: d["traits"].update({"composite_target": {"value": 0.95, "source": "x"}})
    )
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
    first = err.value.problems[:2]
    assert [p.value for p in first] == ["statute", "province"]
    assert [p.path for p in first] == ["population.variables[1]", "population.variables[4]"]
    assert {p.code for p in err.value.problems} == {"model_questionnaire_mismatch"}
    assert any(p.hint and "--model" in p.hint for p in err.value.problems)


def test_an_item_model_for_an_unknown_item_is_reported(tmp_path, q):
    m = _edited(
        tmp_path, lambda d: d["items"].update({"telewerk": {"kind": "constant", "value": 1}})
    )
    with pytest.raises(SpecError) as err:
        check_model(m, q)
    assert any(p.path == "items.telewerk" for p in err.value.problems)


def test_a_mode_of_the_questionnaire_without_a_section_is_refused(tmp_path, q):
    m = _edited(tmp_path, lambda d: d.update({"web": None}))
    assert m.web is None  # null removes the inherited section
    with pytest.raises(SpecError) as err:
        check_model(m, q)
    assert any(p.path == "modes" and p.value == ["web"] for p in err.value.problems)


# ------------------------------------------------------------------------ extends, rename, null
def test_merge_replaces_lists_merges_mappings_and_null_removes():
    base = {"a": {"x": 1, "y": [1, 2]}, "b": 2, "c": {"k": 1}}
    over = {"a": {"y": [3]}, "b": None, "c": {"j": 2}}
    assert merge(base, over) == {"a": {"x": 1, "y": [3]}, "c": {"k": 1, "j": 2}}


def test_a_past_wave_extends_and_renames():
    m = load_model("werknemers-2019")
    assert m.wave == 2019 and m.web is None and m.paper is not None
    assert m.traits.composite == "werkbaar_werk"  # not renamed: same name in 2019
    assert "stress" in m.traits.indicators and "werkstress" not in m.traits.indicators
    assert m.traits.indicators["stress"].target.value == 0.368
    assert m.population.cell_order == (
        "geslacht",
        "leeftijdsgroep",
        "sector",
        "statuut",
        "provincie",
    )
    assert m.population.age is not None and m.population.age.variable == "leeftijd"
    assert "arbeidsduur" in m.items and "telework" not in m.items
    # what the 2019 model does not restate comes from 2023
    assert m.items["occupation"].given == "statuut"
    assert m.traits.indicators["stress"].effects["sector"][13] == 0.35
    # the parent's own list of questionnaires is not inherited
    assert m.questionnaires == ("wbm-werknemers-2019",)


@pytest.mark.parametrize(
    "qid, model",
    [
        ("wbm-werknemers-2023", "werknemers-2023"),
        ("wbm-werknemers-2019", "werknemers-2019"),
        ("wbm-zelfstandigen-2023", "zelfstandigen-2023"),
        ("oe-2025", "oe-2025"),
        ("pc126", "pc126-2025"),
    ],
)
def test_each_questionnaire_gets_its_model(qid, model):
    assert select_model(load_questionnaire(qid)).stem == model


def test_every_shipped_questionnaire_has_a_model():
    for qid in shipped():
        load_model(select_model(load_questionnaire(qid)))


def test_a_later_wave_falls_back_to_the_latest_population_model_not_a_sector(q):
    later = q.model_copy(
        update={"study": q.study.model_copy(update={"id": "wbm-werknemers-2027", "wave": 2027})}
    )
    assert select_model(later).stem == "werknemers-2023"  # not pc126-2025, a sector's model
    earlier = q.model_copy(
        update={"study": q.study.model_copy(update={"id": "wbm-werknemers-2010", "wave": 2010})}
    )
    with pytest.raises(SpecError) as err:
        select_model(earlier)
    assert err.value.problems[0].code == "no_model"
