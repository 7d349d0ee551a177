"""Answers to the items outside the scales (background, modules), per responding person.

Which items exist, their types, choice codes and limits come from the questionnaire. A few items the
reference instrument has get a model of their own (``model.yaml``, ``background``): occupation and
education by statute, weekly hours by sex, telework by statute and sector, sickness absence rising
with the stress latent, training falling with the learning-problem latent, and the feasibility of
working until retirement falling with stress and straining conditions. Every other item gets a neutral
answer: a uniform choice, a uniform number within its soft limits, no text. Items answered only in some
modes (``duration_sec``) are filled in by the mode's writer.

A value is generated for every item, including items that routing would skip (``tw_days`` = 0 for
non-teleworkers, ``abs_days`` = 0 without absence): that is what a paper respondent writes when they
ignore the skip instruction. Routing is applied afterwards, per mode.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from pipeline.questionnaire.model import Item, ItemType, Questionnaire
from pipeline.synth.config import BackgroundSpec
from pipeline.synth.traits import linear_effects

COMMENTS = (
    "Te veel werkdruk, te weinig personeel.",
    "Mijn leidinggevende luistert niet naar ons.",
    "Goede vragenlijst, dank u.",
    "Ik werk deeltijds; sommige vragen waren moeilijk te beantwoorden.",
    'Bij telewerk ontbrak de optie "af en toe".',
    "Na mijn ziekte ben ik opnieuw begonnen, het gaat beter.",
    "Graag meer aandacht voor oudere werknemers",
    "Ik werk in ploegen, dat is zwaar op termijn.",
    "Pensioen op 67 is voor mij niet haalbaar!",
    "Eindelijk een enquête over werkbaar werk.",
    "Mijn job is afwisselend & boeiend",
    "De vragen over mijn leidinggevende gelden niet: ik heb er twee.",
)

FRAME_ITEMS = ("sex", "sector", "statute", "province")


def _categorical(shares: np.ndarray, codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row from row-specific shares (rows of ``shares`` sum to 1)."""
    cum = np.cumsum(shares, axis=1)
    u = np.asarray(rng.random(shares.shape[0]))[:, None]
    idx = np.minimum((u >= cum).sum(axis=1), codes.shape[0] - 1)
    return codes[idx].astype(np.float64)


def _by_statute(
    table: Mapping[int, tuple[float, ...]], statute: np.ndarray, n_codes: int
) -> np.ndarray | None:
    rows = np.zeros((statute.shape[0], n_codes))
    for code, shares in table.items():
        if len(shares) != n_codes:
            return None  # the questionnaire's list differs from the model's: fall back to neutral
        rows[statute == code] = shares
    if not np.allclose(rows.sum(axis=1), 1.0):
        return None
    return rows


def _logistic(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _yes_no(item: Item, q: Questionnaire) -> tuple[float, float] | None:
    codes = [c.code for c in q.choices_of(item)]
    return (1.0, 2.0) if codes == [1, 2] else None


def neutral(
    item: Item, q: Questionnaire, n: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """A neutral answer for an item without a model of its own."""
    if item.type == ItemType.single:
        codes = np.array([c.code for c in q.choices_of(item)], dtype=np.float64)
        return {item.name: codes[rng.integers(0, codes.shape[0], n)]}
    if item.type == ItemType.multiple:
        return {v: (rng.random(n) < 0.3).astype(np.float64) for v in q.item_variables(item)}
    if item.type in (ItemType.integer, ItemType.decimal):
        lim = item.limits
        lo = (
            lim.soft_min
            if lim and lim.soft_min is not None
            else lim.hard_min
            if lim and lim.hard_min is not None
            else 0.0
        )
        hi = (
            lim.soft_max
            if lim and lim.soft_max is not None
            else lim.hard_max
            if lim and lim.hard_max is not None
            else 10.0
        )
        return {
            item.name: rng.integers(int(np.ceil(lo)), int(np.floor(hi)) + 1, n).astype(np.float64)
        }
    return {item.name: np.full(n, "", dtype=object)}


def background_values(
    q: Questionnaire,
    spec: BackgroundSpec,
    persons: Mapping[str, np.ndarray],
    latent: Mapping[str, np.ndarray],
    scale_items: set[str],
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Values of every non-scale item for every person.

    ``persons`` holds the frame variables (``sex``, ``age``, ``sector``, ``statute``, ``province``)
    per person; ``latent`` the problem-direction latents by indicator name (missing ones count as 0).
    """
    n = persons["sex"].shape[0]
    zero = np.zeros(n)
    stress = latent.get("werkstress", zero)
    learning = latent.get("leerprobleem", zero)
    conditions = latent.get("arbeidsomstandigheden_risico", zero)
    statute = persons["statute"]
    out: dict[str, np.ndarray] = {}
    for item in q.items:
        name = item.name
        if name in scale_items or name == q.study.id_variable:
            continue
        modelled = _modelled(
            item, q, spec, persons, out, stress, learning, conditions, statute, rng
        )
        out.update(modelled if modelled is not None else neutral(item, q, n, rng))
    return out


def _modelled(
    item: Item,
    q: Questionnaire,
    spec: BackgroundSpec,
    persons: Mapping[str, np.ndarray],
    done: Mapping[str, np.ndarray],
    stress: np.ndarray,
    learning: np.ndarray,
    conditions: np.ndarray,
    statute: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, np.ndarray] | None:
    name, n = item.name, statute.shape[0]
    codes = np.array([c.code for c in q.choices_of(item)], dtype=np.float64)
    yn = _yes_no(item, q) if item.type == ItemType.single else None
    if name in FRAME_ITEMS or name == "age":
        return {name: np.asarray(persons[name], dtype=np.float64)}
    if name == "working" and yn is not None:
        return {name: np.full(n, yn[0])}
    if name in ("occupation", "education") and item.type == ItemType.single:
        table = spec.occupation_by_statute if name == "occupation" else spec.education_by_statute
        shares = _by_statute(table, statute, codes.shape[0])
        return None if shares is None else {name: _categorical(shares, codes, rng)}
    if name == "hours" and item.type == ItemType.decimal:
        part = rng.random(n) < linear_effects({"sex": spec.parttime_share_by_sex}, persons, n)
        out = np.empty(n)
        for mask, hours in ((part, spec.hours_parttime), (~part, spec.hours_fulltime)):
            values = np.array([v for v, _p in hours])
            probs = np.array([p for _v, p in hours])
            out[mask] = values[
                np.searchsorted(np.cumsum(probs), rng.random(int(mask.sum())), side="right").clip(
                    0, len(values) - 1
                )
            ]
        return {name: out}
    if name == "telework" and yn is not None:
        base = linear_effects({"statute": spec.telework_by_statute}, persons, n).clip(
            1e-6, 1 - 1e-6
        )
        z = np.log(base / (1 - base)) + linear_effects(
            {"sector": spec.telework_sector_logit}, persons, n
        )
        return {name: np.where(rng.random(n) < _logistic(z), yn[0], yn[1])}
    if name == "tw_days" and "telework" in done:
        shares = np.asarray(spec.tw_days_share)
        days = 1.0 + np.searchsorted(np.cumsum(shares), rng.random(n), side="right").clip(
            0, len(shares) - 1
        )
        return {name: np.where(done["telework"] == 1.0, days, 0.0)}
    if name == "abs_spells":
        s = spec.abs_stress_slope
        return {
            name: rng.poisson(spec.abs_spells_mean * np.exp(s * stress - s * s / 2)).astype(
                np.float64
            )
        }
    if name == "abs_days" and "abs_spells" in done:
        spells = done["abs_spells"].astype(np.int64)
        extra = rng.negative_binomial(np.maximum(spells, 1), 1.0 / spec.abs_days_per_spell)
        return {name: np.where(spells > 0, spells + extra, 0).astype(np.float64)}
    if name == "training" and yn is not None:
        p = _logistic(spec.training_logit + spec.training_learning_slope * learning)
        return {name: np.where(rng.random(n) < p, yn[0], yn[1])}
    if name == "retire" and item.type == ItemType.single and codes.shape[0] == 3:
        shift = spec.retire_slope * (stress + conditions) / np.sqrt(2.0)
        c1, c2 = spec.retire_logit
        u = rng.random(n)
        cat = np.where(u < _logistic(c1 - shift), 0, np.where(u < _logistic(c2 - shift), 1, 2))
        return {name: codes[cat]}
    if name == "comment" and item.type == ItemType.text:
        has = rng.random(n) < spec.comment_share
        pick = np.array(COMMENTS, dtype=object)[rng.integers(0, len(COMMENTS), n)]
        return {name: np.where(has, pick, "").astype(object)}
    return None
