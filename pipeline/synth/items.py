"""Answers to the items outside the scales (background, modules, magnitudes), per responding unit.

Which items exist, their types, choice codes and limits come from the questionnaire; how each is
answered comes from the model's ``items`` section (:class:`pipeline.synth.spec.ItemSpec`, one
``kind`` per item), so a new module needs only data. Population variables (sex, age, sector, ...),
ages and magnitudes (an organisation's employees) are the sampled unit's own values. Every other item
gets a neutral answer: a uniform choice, a uniform number within its soft limits, no text. Items
answered only in some modes (``duration_sec``) are filled in by the mode's writer.

A value is generated for every item, including items that routing would skip (``tw_days`` = 0 for
non-teleworkers): that is what a paper respondent writes when they ignore the skip instruction.
Routing is applied afterwards, per mode. Items are drawn in questionnaire order from one random
stream, so an item may depend on items asked before it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from pipeline.questionnaire.expr import evaluate, parse
from pipeline.questionnaire.model import Item, ItemType, Questionnaire
from pipeline.synth.spec import ItemSpec
from pipeline.synth.traits import linear_effects


def _logistic(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _codes(q: Questionnaire, item: Item) -> np.ndarray:
    return np.array([c.code for c in q.choices_of(item)], dtype=np.float64)


def _categorical(shares: np.ndarray, codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row from row-specific shares (rows of ``shares`` sum to 1)."""
    cum = np.cumsum(shares, axis=1)
    u = np.asarray(rng.random(shares.shape[0]))[:, None]
    idx = np.minimum((u >= cum).sum(axis=1), codes.shape[0] - 1)
    return codes[idx].astype(np.float64)


def _discrete(pairs: tuple[tuple[float, float], ...], u: np.ndarray) -> np.ndarray:
    values = np.array([v for v, _p in pairs], dtype=np.float64)
    probs = np.array([p for _v, p in pairs])
    return values[np.searchsorted(np.cumsum(probs), u, side="right").clip(0, len(values) - 1)]


def neutral(
    item: Item, q: Questionnaire, n: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """A neutral answer for an item without a model of its own."""
    if item.type == ItemType.single:
        codes = _codes(q, item)
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


def item_values(
    q: Questionnaire,
    specs: Mapping[str, ItemSpec],
    units: Mapping[str, np.ndarray],
    latent: Mapping[str, np.ndarray],
    scale_items: set[str],
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Values of every non-scale item for every unit.

    ``units`` holds the unit's own values (population variables, age, magnitudes) by name; ``latent``
    the problem-direction latents by indicator name (missing ones count as 0).
    """
    n = next(iter(units.values())).shape[0]
    out: dict[str, np.ndarray] = {}
    for item in q.items:
        name = item.name
        if name in scale_items or name == q.study.id_variable:
            continue
        if name in units:
            out[name] = np.asarray(units[name], dtype=np.float64)
            continue
        spec = specs.get(name)
        if spec is None:
            out.update(neutral(item, q, n, rng))
            continue
        values = _draw(item, q, spec, {**units, **out}, latent, n, rng)
        if spec.zero_unless:
            numeric = {k: v for k, v in out.items() if v.dtype.kind in "fiu"}
            keep = np.asarray(evaluate(parse(spec.zero_unless), numeric, size=n), dtype=bool)
            values = np.where(keep, values, 0.0)
        out[name] = values
    return out


def _lat(latent: Mapping[str, np.ndarray], name: str, n: int) -> np.ndarray:
    return latent.get(name, np.zeros(n))


def _draw(
    item: Item,
    q: Questionnaire,
    spec: ItemSpec,
    known: Mapping[str, np.ndarray],
    latent: Mapping[str, np.ndarray],
    n: int,
    rng: np.random.Generator,
) -> np.ndarray:
    kind = spec.kind
    if kind == "constant":
        return np.full(n, float(spec.value or 0.0))
    if kind == "categorical":
        codes = _codes(q, item)
        if spec.given is None:
            shares = np.tile(np.asarray(spec.shares, dtype=np.float64), (n, 1))
        else:
            shares = np.zeros((n, codes.shape[0]))
            if spec.shares is not None:
                shares[:] = spec.shares
            given = known[spec.given]
            for code, row in spec.by.items():
                shares[given == code] = row
        return _categorical(shares, codes, rng)
    if kind == "discrete":
        if spec.split is None:
            return _discrete(spec.values, rng.random(n))
        split = spec.split
        p = linear_effects({split.given: split.table}, known, n) if split.given else np.zeros(n)
        first = rng.random(n) < p
        out = np.empty(n)
        for mask, pairs in ((first, spec.values), (~first, spec.values_else)):
            out[mask] = _discrete(pairs, rng.random(int(mask.sum())))
        return out
    if kind == "binary":
        codes = _codes(q, item)
        if spec.p is not None and spec.p.given is not None:
            base = linear_effects({spec.p.given: spec.p.table}, known, n).clip(1e-6, 1 - 1e-6)
            z = np.log(base / (1 - base))
            if spec.logit:
                z = z + spec.logit
        else:
            z = np.full(n, spec.logit)
        if spec.effects:
            z = z + linear_effects(spec.effects, known, n)
        for ind, slope in spec.latents.items():
            z = z + slope * _lat(latent, ind, n)
        return np.where(rng.random(n) < _logistic(z), codes[0], codes[1])
    if kind == "poisson":
        lin, var = np.zeros(n), 0.0
        for ind, s in spec.latents.items():
            lin, var = lin + s * _lat(latent, ind, n), var + s * s
        return rng.poisson(float(spec.mean or 0.0) * np.exp(lin - var / 2)).astype(np.float64)
    if kind == "spell_days":
        spells = known[str(spec.of)].astype(np.int64)
        extra = rng.negative_binomial(np.maximum(spells, 1), 1.0 / float(spec.mean or 1.0))
        return np.where(spells > 0, spells + extra, 0).astype(np.float64)
    if kind == "ordinal":
        codes = _codes(q, item)
        total, sw2 = np.zeros(n), 0.0
        for ind, w in spec.latents.items():
            total, sw2 = total + w * _lat(latent, ind, n), sw2 + w * w
        shift = spec.slope * total / np.sqrt(sw2) if sw2 > 0 else np.zeros(n)
        if spec.effects:
            shift = shift + linear_effects(spec.effects, known, n)
        u = rng.random(n)
        cat = sum((u >= _logistic(c - shift)).astype(np.int64) for c in spec.cutpoints)
        return codes[np.asarray(cat)]
    if kind == "text":
        has = rng.random(n) < float(spec.share or 0.0)
        pick = np.array(spec.texts, dtype=object)[rng.integers(0, len(spec.texts), n)]
        return np.where(has, pick, "").astype(object)
    if kind == "lognormal":
        lin = spec.sigma * rng.standard_normal(n)
        for ind, s in spec.latents.items():
            lin = lin + s * _lat(latent, ind, n)
        if spec.effects:
            lin = lin + linear_effects(spec.effects, known, n)
        value = np.round(float(spec.mean or 0.0) * np.exp(lin))
        lim = item.limits
        lo = lim.hard_min if lim and lim.hard_min is not None else 0.0
        hi = lim.hard_max if lim and lim.hard_max is not None else np.inf
        return np.clip(value, lo, hi)
    # per_unit: a magnitude proportional to another item (e.g. training days per employee)
    base = known[str(spec.of)] * float(spec.mean or 0.0)
    noise = np.exp(spec.sigma * rng.standard_normal(n) - spec.sigma**2 / 2)
    lin = np.zeros(n)
    for ind, s in spec.latents.items():
        lin = lin + s * _lat(latent, ind, n)
    if spec.effects:
        lin = lin + linear_effects(spec.effects, known, n)
    return np.round(base * noise * np.exp(lin))
