"""Comparability between waves (pipeline.questionnaire.breaks): what breaks a series and what not."""

from __future__ import annotations

import pytest

from pipeline.questionnaire.breaks import comparability
from pipeline.questionnaire.load import load_questionnaire
from pipeline.questionnaire.model import Band, Cutoffs, Questionnaire, Text


@pytest.fixture(scope="module")
def q19() -> Questionnaire:
    return load_questionnaire("wbm-werknemers-2019")


@pytest.fixture(scope="module")
def q23() -> Questionnaire:
    return load_questionnaire("wbm-werknemers-2023")


def _replace(q: Questionnaire, section: str, name: str, **update: object) -> Questionnaire:
    key = "id" if section == "rules" else "name"
    items = tuple(
        x.model_copy(update=update) if getattr(x, key) == name else x for x in getattr(q, section)
    )
    return q.model_copy(update={section: items})


def test_renames_through_the_mapping_are_no_break(q19: Questionnaire, q23: Questionnaire) -> None:
    c = comparability(q19, q23)
    assert c.breaks == () and c.variable_breaks == ()
    assert c.new_indicators == ("mod_telewerk",)  # telework starts its series in 2023


def test_a_changed_cutoff_breaks_the_indicator_and_werkbaar_werk(
    q19: Questionnaire, q23: Questionnaire
) -> None:
    ind = q23.indicator("leerprobleem")
    assert ind.cutoffs is not None
    cut = dict(ind.cutoffs)
    old = cut["default"]
    cut["default"] = Cutoffs(problematisch=old.problematisch + 5, acuut=old.acuut)
    new = _replace(q23, "indicators", "leerprobleem", cutoffs=cut)
    c = comparability(q19, new)
    names = {b.name: b.codes for b in c.breaks}
    assert names == {
        "leerprobleem": ("cutoffs",),
        "werkbaar_werk": ("member",),
        "aantal_problemen": ("member",),
    }
    assert "drempelwaarden" in c.indicator_break("leerprobleem").text_nl()  # type: ignore[union-attr]


def test_a_cutoff_note_or_label_is_no_break(q19: Questionnaire, q23: Questionnaire) -> None:
    new = _replace(
        q23, "indicators", "werkstress", cutoff_note="changed note", cutoff_status="user"
    )
    new = _replace(
        new, "items", "pv01", label=new.item("pv01").label.model_copy(update={"nl": "x"})
    )
    assert comparability(q19, new).breaks == ()


def test_item_wording_choices_and_scale_changes_break(
    q19: Questionnaire, q23: Questionnaire
) -> None:
    scale = q23.indicator("werkstress").scale
    assert scale is not None
    item = q23.scale(scale).items[0]
    reworded = _replace(q23, "items", item, text=Text(nl="Een andere vraag?"))
    c = comparability(q19, reworded)
    assert c.indicator_break("werkstress") is not None
    assert c.indicator_break("werkstress").codes == ("item",)  # type: ignore[union-attr]
    fewer = _replace(q23, "scales", scale, items=q23.scale(scale).items[:-1])
    assert "scale" in comparability(q19, fewer).indicator_break("werkstress").codes  # type: ignore[union-attr]
    # a changed shared answer scale breaks every indicator whose items use it
    lists = tuple(
        cl.model_copy(
            update={
                "choices": tuple(
                    ch.model_copy(update={"score": 9}) if ch.code == 1 else ch for ch in cl.choices
                )
            }
        )
        if cl.name == "freq4"
        else cl
        for cl in q23.choice_lists
    )
    rescored = q23.model_copy(update={"choice_lists": lists})
    broken = {b.name for b in comparability(q19, rescored).breaks}
    assert {"werkdruk_risico", "werkbaar_werk"} <= broken
    assert "werkstress" not in broken  # its items are yes/no, not freq4


def test_changed_bands_break_the_variable(q19: Questionnaire, q23: Questionnaire) -> None:
    d = q23.derived[0]
    bands = tuple(
        b.model_copy(update={"high": 56})
        if b.code == 4
        else b.model_copy(update={"low": 57})
        if b.code == 5
        else b
        for b in d.bands
    )
    assert all(isinstance(b, Band) for b in bands)
    new = q23.model_copy(update={"derived": (d.model_copy(update={"bands": bands}),)})
    c = comparability(q19, new)
    assert c.variable_break("age_band") is not None and c.breaks == ()


def test_condition_definition_change_breaks(q23: Questionnaire) -> None:
    new = _replace(q23, "indicators", "mod_frequent_verzuim", condition="abs_spells >= 4")
    c = comparability(q23, new)
    assert c.indicator_break("mod_frequent_verzuim").codes == ("definition",)  # type: ignore[union-attr]
    assert comparability(q23, q23).breaks == ()
