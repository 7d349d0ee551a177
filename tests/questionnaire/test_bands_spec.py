"""A count indicator's ``bands``: checked when the questionnaire is read."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pipeline.questionnaire.model import Indicator

BASE = {
    "name": "n",
    "label": {"nl": "aantal"},
    "kind": "count",
    "rule": "count_problem",
    "of": ["a", "b", "c", "d"],
}


def test_bands_accepted_in_order():
    ind = Indicator.model_validate(BASE | {"bands": [[0, 0], [1, 1], [2, 2], [3, 4]]})
    assert ind.bands == ((0, 0), (1, 1), (2, 2), (3, 4))


@pytest.mark.parametrize(
    "bands",
    [[[0, 0], [0, 1]], [[1, 1], [0, 0]], [[0, 5]], [[2, 1]], [[-1, 0]]],
)
def test_bad_bands_refused(bands):
    with pytest.raises(ValidationError):
        Indicator.model_validate(BASE | {"bands": bands})


def test_bands_only_on_a_count():
    with pytest.raises(ValidationError):
        Indicator.model_validate(
            BASE | {"kind": "composite", "rule": "none_problem", "bands": [[0, 0]]}
        )
