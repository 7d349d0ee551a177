"""The extra modules of the 2019 sector reports in the employees' questionnaires (issue 19): job
insecurity, turnover intention, working hours, commuting and boundary-crossing behaviour are schema
only, in both the 2019 and the 2023 file (and what extends them), each a reference item with Dutch
value labels and a module indicator with a reference definition."""

from __future__ import annotations

import pytest

from pipeline.questionnaire.load import load_questionnaire
from pipeline.questionnaire.model import ItemType
from tests.modules import MODULES, NEW_MODULES

ITEMS = {
    "job_insec": "agree4",
    "turnover": "agree4",
    "shiftwork": "yesno",
    "at_evening": "regular3",
    "at_night": "regular3",
    "at_weekend": "regular3",
    "bo_pesten": "yesno",
    "bo_geweld": "yesno",
    "bo_seksueel": "yesno",
}
INDICATORS = {
    "mod_baanonzekerheid": {"job_insec"},
    "mod_verloopintentie": {"turnover"},
    "mod_ploegenarbeid": {"shiftwork"},
    "mod_avondwerk": {"at_evening"},
    "mod_nachtwerk": {"at_night"},
    "mod_weekendwerk": {"at_weekend"},
    "mod_atypische_uren": {"shiftwork", "at_evening", "at_night", "at_weekend"},
    "mod_woonwerk_30": {"commute_min"},
    "mod_woonwerk_60": {"commute_min"},
    "mod_pesten": {"bo_pesten"},
    "mod_geweld": {"bo_geweld"},
    "mod_ongewenst_seksueel": {"bo_seksueel"},
    "mod_grensoverschrijdend": {"bo_pesten", "bo_geweld", "bo_seksueel"},
}
WAVES = (
    "wbm-werknemers-2023",
    "wbm-werknemers-2019",
    "wbm-werknemers-2016",
    "wbm-werknemers-2004",
    "wbm-pc126-2025",
)


@pytest.mark.parametrize("qid", WAVES)
def test_every_module_item_is_there_with_dutch_value_labels(qid):
    q = load_questionnaire(qid)
    assert q.study.status == "reference"
    for name, choices in ITEMS.items():
        it = q.item(name)
        assert it.type == ItemType.single and it.choices == choices
        assert it.label.nl and it.label.en and it.text is not None and it.text.nl
        labels = [c.label.nl for c in q.choices_of(it)]
        assert all(labels) and len(set(labels)) == len(labels)
    commute = q.item("commute_min")
    assert commute.type == ItemType.integer and commute.unit == "minuten"
    assert commute.limits is not None and commute.limits.hard_max == 300
    assert commute.release is not None and commute.release.top_code == 120
    for name in ("bo_pesten", "bo_geweld", "bo_seksueel"):
        assert q.item(name).role == "sensitive"


@pytest.mark.parametrize("qid", WAVES)
def test_the_shared_module_names_are_the_questionnaires(qid):
    """tests/modules.py names the module indicators once for every test: they are the 2023
    questionnaire's, in schema order, and the new ones (in every wave) are those this file checks."""
    q = load_questionnaire(qid)
    modules = tuple(i.name for i in q.indicators if i.group == "module" and i.kind == "condition")
    if qid == "wbm-werknemers-2023":
        assert modules == MODULES
    else:  # earlier waves lack some earlier modules; a sector's questionnaire adds its own
        assert set(NEW_MODULES) <= set(modules)
    assert tuple(INDICATORS) == NEW_MODULES


@pytest.mark.parametrize("qid", WAVES)
def test_every_module_indicator_is_a_reference_condition_on_its_items(qid):
    q = load_questionnaire(qid)
    for name, items in INDICATORS.items():
        ind = q.indicator(name)
        assert ind.kind == "condition" and ind.group == "module"
        assert ind.condition is not None
        assert all(i in ind.condition for i in items), (name, ind.condition)
        assert ind.definition_note is not None
        assert ind.definition_note.nl.startswith("referentiedefinitie")
        assert ind.definition_note.en.startswith("reference definition")


def test_the_answer_scales_run_towards_the_condition():
    q = load_questionnaire("wbm-werknemers-2023")
    agree = [c.label.nl for c in q.choices_of(q.item("job_insec"))]
    assert agree == ["helemaal niet akkoord", "niet akkoord", "akkoord", "helemaal akkoord"]
    regular = [c.label.nl for c in q.choices_of(q.item("at_night"))]
    assert regular == ["nooit", "af en toe", "regelmatig"]
    assert q.indicator("mod_baanonzekerheid").condition == "job_insec in [3, 4]"
    assert q.indicator("mod_nachtwerk").condition == "at_night == 3"


def test_the_self_employed_keep_their_own_modules():
    q = load_questionnaire("wbm-zelfstandigen-2023")
    names = {i.name for i in q.items}
    assert not names & (set(ITEMS) | {"commute_min"})
