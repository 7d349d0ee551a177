"""Helpers shared by the scoring tests (importable by name, like the other test folders' helpers)."""

from __future__ import annotations

from typing import Any

import numpy as np

from pipeline.questionnaire.model import Questionnaire


def condition_columns(
    q: Questionnaire, plan: Any, n: int, rng: Any, missing: float = 0.0
) -> dict[str, Any]:
    """Random data for the variables the condition (module) indicators read: a choice code for single
    items, an integer within the hard limits for numbers; a share ``missing`` set to -9."""
    cols = {}
    for name in plan.condition_columns:
        item = q.item(name)
        choices = q.choices_of(item)
        if choices:
            values = rng.choice(np.array([c.code for c in choices], dtype=np.float64), n)
        else:
            lim = item.limits
            lo, hi = (lim.hard_min, lim.hard_max) if lim is not None else (0, 30)
            values = rng.integers(int(lo or 0), int(hi if hi is not None else 30) + 1, n).astype(
                np.float64
            )
        values[rng.random(n) < missing] = -9.0
        cols[name] = values
    return cols
