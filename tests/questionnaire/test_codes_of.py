"""``Questionnaire.codes_of``: the one answer to "which codes can this variable take", and the
callers that used to answer it themselves (check, mapping, frame, tables, trends, synthetic
generator) agree with it."""

from __future__ import annotations

import pytest

from pipeline.frame.read import register_codes
from pipeline.ingest.mapping import _allowed_codes
from pipeline.questionnaire.load import load_questionnaire
from pipeline.questionnaire.model import Choice, Item, ItemType, Questionnaire, Text
from pipeline.synth.check import variable_codes
from pipeline.tables.request import _codes as breakdown_codes


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    base = load_questionnaire("wbm-werknemers-2023")
    channel = Item(
        name="channel",
        type=ItemType.multiple,
        label=Text(nl="kanaal"),
        choices=(Choice(code=1, label=Text(nl="a")), Choice(code=4, label=Text(nl="b"))),
    )
    return base.model_copy(update={"items": (*base.items, channel)})


def test_codes_of_each_kind_of_variable(q: Questionnaire) -> None:
    sector = q.item("sector")
    assert q.codes_of("sector") == tuple(c.code for c in q.choices_of(sector))
    assert q.codes_of("age_band") == tuple(b.code for b in q.derived[0].bands)
    assert q.codes_of("channel_1") == q.codes_of("channel_4") == (0, 1)
    assert q.codes_of("channel") is None  # a multiple-choice item is no column itself
    assert q.codes_of("age") is None  # a number
    assert q.codes_of("comment") is None  # text
    assert q.codes_of("no_such_variable") is None


def test_missing_codes_are_not_among_the_codes(q: Questionnaire) -> None:
    for name in q.known_variables():
        codes = q.codes_of(name) or ()
        assert not set(codes) & set(q.missing_code_values()), name


def test_the_callers_agree_with_the_model(q: Questionnaire) -> None:
    for name in q.known_variables():
        codes = q.codes_of(name)
        assert register_codes(q, name) == (codes or None), name
        if codes is not None:
            assert variable_codes(q, name) == codes, name
        allowed = _allowed_codes(q, name)
        if name in {d.name for d in q.derived}:
            assert allowed is None  # derived variables are computed, never mapped
        elif codes is None:
            assert allowed is None, name
        else:
            item = next(it for it in q.items if name in q.item_variables(it))
            assert allowed == set(codes) | set(item.missing), name
        got = breakdown_codes(q, name)
        assert got is None or got == codes, name
    assert breakdown_codes(q, "channel_1") is None  # no breakdown by one option
    assert breakdown_codes(q, "sector") == q.codes_of("sector")
    assert _allowed_codes(q, "channel") == {1, 4} | set(q.item("channel").missing)


def test_unknown_population_variable_is_a_key_error(q: Questionnaire) -> None:
    with pytest.raises(KeyError):
        variable_codes(q, "no_such_variable")
    assert variable_codes(q, "age") == ()
