"""Fixtures for the scoring tests: a tiny hand-checkable instrument and the reference instrument."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from pipeline.paths import QUESTIONNAIRES_DIR
from pipeline.questionnaire.model import Questionnaire

FREQ4 = [  # like the reference instrument: altijd=3 ... nooit=0
    {"code": 1, "label": {"nl": "altijd"}, "score": 3},
    {"code": 2, "label": {"nl": "vaak"}, "score": 2},
    {"code": 3, "label": {"nl": "soms"}, "score": 1},
    {"code": 4, "label": {"nl": "nooit"}, "score": 0},
]
YESNO = [
    {"code": 1, "label": {"nl": "ja"}, "score": 1},
    {"code": 2, "label": {"nl": "nee"}, "score": 0},
]
AGREE5 = [{"code": c, "label": {"nl": f"c{c}"}} for c in range(1, 6)]  # score defaults to the code


def _single(name: str, choices: str) -> dict[str, Any]:
    return {"name": name, "type": "single", "choices": choices, "label": {"nl": name}}


MINI: dict[str, Any] = {
    "kind": "questionnaire",
    "schema_version": 1,
    "study": {
        "id": "mini",
        "title": {"nl": "mini"},
        "wave": 2023,
        "population": "werknemers",
        "target_population": {"nl": "test"},
        "modes": ["paper", "web"],
        "id_variable": "id",
        "version": "test",
    },
    "choice_lists": [
        {"name": "freq4", "choices": FREQ4},
        {"name": "yesno", "choices": YESNO},
        {"name": "agree5", "choices": AGREE5},
    ],
    "items": [{"name": "id", "type": "text", "label": {"nl": "id"}, "missing": []}]
    + [_single(f"a{i}", "freq4") for i in range(1, 5)]
    + [_single(f"y{i}", "yesno") for i in range(1, 6)]
    + [_single("m1", "yesno"), _single("m2", "agree5")],
    "scales": [
        {
            "name": "sa",
            "label": {"nl": "A"},
            "items": ["a1", "a2", "a3", "a4"],
            "reverse": ["a4"],
            "scoring": {"method": "mean_rescaled", "min_valid": 3},
        },
        {
            "name": "sy",
            "label": {"nl": "Y"},
            "items": ["y1", "y2", "y3", "y4", "y5"],
            "reverse": ["y5"],
            "scoring": {"method": "sum_rescaled", "min_valid": 4},
        },
        {
            "name": "m_mean",
            "label": {"nl": "M mean"},
            "items": ["m1", "m2"],
            "scoring": {"method": "mean_rescaled", "min_valid": 1},
        },
        {
            "name": "m_sum",
            "label": {"nl": "M sum"},
            "items": ["m1", "m2"],
            "scoring": {"method": "sum_rescaled", "min_valid": 1},
        },
    ],
    "indicators": [
        {
            "name": "ind_a",
            "label": {"nl": "A probleem", "en": "A problem"},
            "kind": "traffic_light",
            "scale": "sa",
            "problem_if": "high",
            "cutoffs": {
                "default": {"problematisch": 50, "acuut": 75},
                "zelfstandigen": {"problematisch": 40, "acuut": 60},
            },
        },
        {
            "name": "ind_y",
            "label": {"nl": "Y probleem"},
            "kind": "traffic_light",
            "scale": "sy",
            "problem_if": "low",
            "cutoffs": {"default": {"problematisch": 40, "acuut": 20}},
        },
        {
            "name": "ww",
            "label": {"nl": "werkbaar"},
            "kind": "composite",
            "rule": "none_problem",
            "of": ["ind_a", "ind_y"],
        },
        {
            "name": "n_prob",
            "label": {"nl": "aantal"},
            "kind": "count",
            "rule": "count_problem",
            "of": ["ind_a", "ind_y"],
        },
        {
            "name": "ind_m",
            "label": {"nl": "M hoog"},
            "kind": "traffic_light",
            "scale": "m_mean",
            "group": "risk",
            "problem_if": "high",
            "cutoffs": {"default": {"problematisch": 50}},
            "cutoff_status": "user",
        },
    ],
}


@pytest.fixture
def mini_spec() -> dict[str, Any]:
    """A deep copy of the mini instrument's spec, to be modified by a test."""
    return copy.deepcopy(MINI)


@pytest.fixture
def make_q() -> Callable[[dict[str, Any]], Questionnaire]:
    return Questionnaire.model_validate


@pytest.fixture(scope="session")
def mini() -> Questionnaire:
    return Questionnaire.model_validate(MINI)


@pytest.fixture(scope="session")
def wbm() -> Questionnaire:
    """The reference instrument, read straight from its YAML file (the model alone: scoring runs
    its own checks, so these tests do not depend on the questionnaire checker)."""
    path = QUESTIONNAIRES_DIR / "wbm-werknemers-2023.yaml"
    return Questionnaire.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
