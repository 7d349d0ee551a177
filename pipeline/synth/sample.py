"""The invited sample, who responds and how, and the clean answers of every response.

* **Sample**: simple random sample without replacement of ``size`` persons from the population cells
  (a person is a position in the cumulated cell counts), in register order; ``sample_id`` S000001...
* **Response**: P(respond) = logistic(intercept + effects of sex, age band, sector, statute); among
  respondents P(web) likewise; a share of respondents answers in both modes. Intercepts are calibrated
  (:mod:`pipeline.synth.calibrate`). Answers do not depend on responding or mode.
* **Answers**: latent traits per person (:mod:`pipeline.synth.traits`), scale items from the item model
  (fresh item noise for each response record, so the two forms of a both-mode respondent differ a
  little), background items from :mod:`pipeline.synth.background`; a share of respondents is no
  longer employed (``working`` = 2).

Random numbers come from independent streams per purpose (``stream(seed, name)``), so changing, say,
an error rate does not change who is sampled.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.errors import Problem, UsageError
from pipeline.questionnaire.expr import evaluate, parse
from pipeline.synth.background import background_values
from pipeline.synth.calibrate import logistic
from pipeline.synth.traits import draw_latents
from pipeline.synth.world import SynthWorld

FRAME_COLUMNS = (
    "sample_id",
    "sex",
    "age",
    "age_band",
    "sector",
    "statute",
    "province",
    "mode",
    "responded",
)


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream for one purpose."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(name.encode())]))


@dataclass(frozen=True, eq=False)
class Records:
    """Clean answers, one row per response record (a both-mode respondent has two)."""

    values: dict[str, np.ndarray]  # every questionnaire variable: float codes, or object text
    applicable: dict[str, np.ndarray]  # items with routing: True where the routing shows the item
    mode: np.ndarray  # "paper" | "web"
    person: np.ndarray  # index into the respondents
    sample_id: np.ndarray  # object

    def __len__(self) -> int:
        return int(self.mode.shape[0])

    def subset(self, mask: np.ndarray) -> Records:
        return Records(
            {k: v[mask] for k, v in self.values.items()},
            {k: v[mask] for k, v in self.applicable.items()},
            self.mode[mask],
            self.person[mask],
            self.sample_id[mask],
        )


@dataclass(frozen=True, eq=False)
class SampleDraw:
    frame: pd.DataFrame  # the invited sample (FRAME_COLUMNS)
    records: Records
    out_of_target: np.ndarray  # per respondent: working == 2


def _ages(world: SynthWorld, band: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    pop = world.model.population
    derived = next(d for d in world.q.derived if d.name == "age_band")
    lo = np.zeros(band.shape[0])
    hi = np.zeros(band.shape[0])
    for b in derived.bands:
        m = band == b.code
        lo[m] = max(b.low, pop.age_min)
        hi[m] = min(b.high, pop.age_max)
    return np.floor(lo + rng.random(band.shape[0]) * (hi - lo + 1)).clip(lo, hi)


def draw_sample(world: SynthWorld, size: int, seed: int) -> SampleDraw:
    pop = world.population
    counts = pop.cell_counts
    if not 1 <= size <= pop.total:
        raise UsageError(
            f"--size must be between 1 and the population size ({pop.total:,})",
            [Problem("sample size out of range", value=size, code="bad_size")],
            code="bad_option",
        )
    rng = stream(seed, "sample")
    person = np.sort(rng.choice(pop.total, size=size, replace=False))
    cell = np.searchsorted(np.cumsum(counts), person, side="right")
    codes = {v: c[cell] for v, c in pop.cell_codes.items()}
    age = _ages(world, codes["age_band"], stream(seed, "age"))
    width = max(6, len(str(size)))
    sample_id = np.array([f"S{i + 1:0{width}d}" for i in range(size)], dtype=object)

    cal = world.calibration
    rr = stream(seed, "response")
    responded = rr.random(size) < logistic(cal.response_intercept + world.response_linear[cell])
    web = rr.random(size) < logistic(cal.web_intercept + world.web_linear[cell])
    both = rr.random(size) < world.model.response.both_modes.value
    mode = np.where(~responded, "none", np.where(both, "both", np.where(web, "web", "paper")))
    columns = {
        "sample_id": sample_id,
        "age": age.astype(np.int64),
        "mode": mode,
        "responded": responded,
    }
    columns.update({v: codes[v].astype(np.int64) for v in pop.variables})
    frame = pd.DataFrame({c: columns[c] for c in FRAME_COLUMNS})

    resp = np.flatnonzero(responded)
    rcell = cell[resp]
    latents = draw_latents(
        world.means[rcell],
        world.intercepts,
        world.loadings,
        world.scale_names,
        stream(seed, "latent"),
    )
    by_indicator = {
        s.indicator: latents.eta[:, j] for j, s in enumerate(world.scales) if s.indicator
    }
    persons = {**{v: codes[v][resp] for v in pop.variables}, "age": age[resp]}
    scale_items = {it.name for s in world.scales for it in s.items}
    background = background_values(
        world.q,
        world.model.background,
        persons,
        by_indicator,
        scale_items,
        stream(seed, "background"),
    )
    out_of_target = (
        stream(seed, "target").random(resp.shape[0]) < world.model.response.out_of_target.value
    )
    if "working" in background:
        background["working"] = np.where(out_of_target, 2.0, background["working"])

    # response records: one per respondent, plus the second mode of both-mode respondents
    rmode = mode[resp]
    first = np.where(rmode == "web", "web", "paper")
    second = np.flatnonzero(rmode == "both")
    rec_person = np.concatenate([np.arange(resp.shape[0]), second])
    rec_mode = np.concatenate([first, np.full(second.shape[0], "web")]).astype(object)
    values: dict[str, np.ndarray] = {k: v[rec_person] for k, v in background.items()}
    items_rng = stream(seed, "items")
    for j, s in enumerate(world.scales):
        values.update(
            {
                k: v.astype(np.float64)
                for k, v in s.draw(latents.eta[rec_person, j], items_rng).items()
            }
        )
    ids = sample_id[resp][rec_person]
    applicable = routing(world, values, rec_person.shape[0])
    records = Records(values, applicable, rec_mode, rec_person, ids)
    return SampleDraw(frame=frame, records=records, out_of_target=out_of_target)


def routing(world: SynthWorld, values: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Where each routed item is shown, from the clean answers (the questionnaire's ``relevant``)."""
    out: dict[str, np.ndarray] = {}
    numeric = {k: v for k, v in values.items() if v.dtype.kind in "fiu"}
    for item in world.q.items:
        if item.relevant:
            out[item.name] = np.asarray(evaluate(parse(item.relevant), numeric, size=n), dtype=bool)
    return out
