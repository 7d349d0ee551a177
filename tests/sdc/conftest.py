"""Fixtures of the disclosure-control tests: a scored, weighted frame that follows the run-directory
contract (docs/run-contract.md, ``03_score/scored.parquet``), generated from the reference questionnaire.

The generator is deliberately simple: answers are independent draws, scores and indicators are random
but consistent with each other, and the weight is a product of per-level factors of the five weighting
variables (as raking gives: one weight per weighting cell), so weight-linkage checks have something
to find.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from pipeline.questionnaire.load import load_questionnaire
from pipeline.questionnaire.model import ItemType, Questionnaire
from pipeline.sdc.microdata.plan import scored_columns

SECTOR_P = np.array([4, 3, 6, 6, 7, 14, 6, 3, 4, 10, 3, 8, 9, 10, 5, 2], dtype=float)


def _codes(q: Questionnaire, name: str) -> np.ndarray:
    return np.array([c.code for c in q.choices_of(q.item(name))], dtype=float)


def make_frame(
    q: Questionnaire, n: int, seed: int = 1, *, missing_share: float = 0.02
) -> pd.DataFrame:
    """A scored, weighted frame of ``n`` respondents."""
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {}

    def sprinkle(x: np.ndarray, codes: tuple[int, ...] = (-9, -8)) -> np.ndarray:
        hit = rng.random(n) < missing_share
        x = x.astype(float)
        x[hit] = rng.choice(codes, size=int(hit.sum()))
        return x

    for it in q.items:
        if it.type == ItemType.text:
            if it.name == q.study.id_variable:
                cols[it.name] = [f"S{i:06d}" for i in rng.permutation(n) + 1]
            else:
                cols[it.name] = pd.array(
                    [f"opmerking {i}" if rng.random() < 0.2 else None for i in range(n)],
                    dtype="string",
                )
        elif it.type == ItemType.single:
            codes = _codes(q, it.name)
            if it.name == "sector":
                x = rng.choice(codes, size=n, p=SECTOR_P / SECTOR_P.sum())
            elif it.name == "working":
                x = np.ones(n)
            else:
                x = rng.choice(codes, size=n)
            cols[it.name] = x.astype(float) if it.required else sprinkle(x)
        elif it.type == ItemType.multiple:
            for c in q.choices_of(it):
                cols[f"{it.name}_{c.code}"] = rng.integers(0, 2, n).astype(float)
        elif it.name == "age":
            cols["age"] = rng.integers(18, 66, n).astype(float)
        elif it.name == "hours":
            cols["hours"] = sprinkle(np.round(rng.uniform(8, 65, n) * 2) / 2)
        elif it.name == "tw_days":
            tele = np.asarray(cols["telework"])
            cols["tw_days"] = np.where(tele == 1, rng.integers(0, 6, n), -1.0).astype(float)
        elif it.name == "abs_spells":
            cols["abs_spells"] = sprinkle(rng.poisson(1.0, n).astype(float))
        elif it.name == "abs_days":
            spells = np.asarray(cols["abs_spells"])
            cols["abs_days"] = np.where(spells > 0, rng.integers(1, 40, n), -1.0).astype(float)
        elif it.name == "duration_sec":
            cols["duration_sec"] = rng.integers(200, 2000, n).astype(float)
        else:
            cols[it.name] = rng.integers(0, 10, n).astype(float)
    for d in q.derived:
        src = np.asarray(cols[d.source])
        out = np.full(n, -9.0)
        for b in d.bands:
            out[(src >= b.low) & (src <= b.high)] = b.code
        cols[d.name] = out
    cols["_mode"] = pd.array(rng.choice(["paper", "web"], size=n), dtype="string")
    cols["_source_file"] = pd.array(
        np.where(np.asarray(cols["_mode"]) == "paper", "paper_keyed.csv", "web_export.sav"),
        dtype="string",
    )
    cols["_source_row"] = np.arange(1, n + 1)
    cols["_record_id"] = pd.array([f"R{i:06d}" for i in range(n)], dtype="string")
    cols["_completeness"] = pd.array(
        rng.choice(["complete", "partial"], size=n, p=[0.9, 0.1]), dtype="string"
    )
    # raking-like weight: one factor per level of each weighting variable
    w = np.full(n, 3_000_000 / n)
    for var in q.weighting:
        x = np.asarray(cols[var] if var != "age_band" else cols["age_band"])
        levels = np.unique(x)
        f = dict(zip(levels, rng.uniform(0.7, 1.4, size=len(levels)), strict=True))
        w = w * np.array([f[v] for v in x])
    cols["weight"] = w
    cols["weight_normalised"] = w * n / w.sum()
    scored = scored_columns(q)
    for s in q.scales:
        sc = np.round(rng.uniform(0, 100, n), 1)
        sc[rng.random(n) < missing_share] = np.nan
        cols[f"score_{s.name}"] = sc
    problems: dict[str, np.ndarray] = {}
    for ind in q.indicators:
        if ind.kind != "traffic_light":
            continue
        sc = np.asarray(cols[f"score_{ind.scale}"])
        cut = ind.cutoffs["default"] if ind.cutoffs else None
        assert cut is not None
        high = ind.problem_if == "high"
        prob = (sc >= cut.problematisch) if high else (sc <= cut.problematisch)
        acute = (
            ((sc >= cut.acuut) if high else (sc <= cut.acuut))
            if cut.acuut is not None
            else np.zeros(n, bool)
        )
        tl = np.where(np.isnan(sc), np.nan, np.where(acute, 2.0, np.where(prob, 1.0, 0.0)))
        cols[f"tl_{ind.name}"] = tl
        cols[ind.name] = np.where(np.isnan(sc), np.nan, (tl >= 1).astype(float))
        cols[f"{ind.name}_acuut"] = np.where(np.isnan(sc), np.nan, (tl == 2).astype(float))
        problems[ind.name] = np.asarray(cols[ind.name])
    for ind in q.indicators:
        if ind.kind in ("composite", "count"):
            stack = np.column_stack([problems[o] for o in ind.of])
            anynan = np.isnan(stack).any(axis=1)
            total = np.nansum(stack, axis=1)
            val = (total == 0).astype(float) if ind.kind == "composite" else total
            cols[ind.name] = np.where(anynan, np.nan, val)
            for lo, hi in ind.bands:  # the count's distribution, 0/1 per band
                band = ((total >= lo) & (total <= hi)).astype(float)
                name = f"{ind.name}_{lo}" if lo == hi else f"{ind.name}_{lo}_{hi}"
                cols[name] = np.where(anynan, np.nan, band)
        elif (
            ind.kind != "traffic_light"
        ):  # any other 0/1 indicator (e.g. module conditions): random, some undefined
            val = rng.integers(0, 2, n).astype(float)
            val[rng.random(n) < 0.1] = np.nan
            cols[ind.name] = val
    assert scored <= set(cols), scored - set(cols)
    return pd.DataFrame(cols)


@pytest.fixture(scope="session")
def q() -> Questionnaire:
    return load_questionnaire("wbm-werknemers-2023")


@pytest.fixture(scope="session")
def frame_maker() -> Callable[..., pd.DataFrame]:
    return make_frame


@pytest.fixture(scope="session")
def frame(q: Questionnaire) -> pd.DataFrame:
    """1,200 respondents: small enough to be fast, large enough that suppression has work to do."""
    return make_frame(q, 1200, seed=11)
