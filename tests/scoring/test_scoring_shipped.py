"""Every shipped questionnaire (modules composed) has a valid scoring spec and scores random data
consistently."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.paths import QUESTIONNAIRES_DIR
from pipeline.questionnaire.load import load_questionnaire
from pipeline.scoring import compile_plan, indicator_columns, known_populations, score_arrays

from .scoring_helpers import condition_columns

SHIPPED = sorted(QUESTIONNAIRES_DIR.glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_questionnaire_scores(path):
    q = load_questionnaire(path)  # modules (the earlier waves) composed with what they extend
    for population in known_populations(q):
        plan = compile_plan(q, population)
        rng = np.random.default_rng(7)
        cols = {
            name: rng.choice(np.append(it.codes, -9.0), 500)
            for s in plan.scales
            for it in s.items
            for name in [it.name]
        }
        cols |= condition_columns(q, plan, 500, rng, missing=0.2)
        out = score_arrays(plan, cols)
        assert list(out) == list(plan.output_columns)
        for s in plan.scales:
            sc = out[s.column]
            assert np.all(np.isnan(sc) | ((sc >= s.min) & (sc <= s.max)))
            assert np.any(~np.isnan(sc))
        for name in indicator_columns(q, population):
            assert set(np.unique(out[name][~np.isnan(out[name])])) <= {0.0, 1.0}
