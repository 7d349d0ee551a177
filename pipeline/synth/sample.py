"""The invited sample, who responds and how, and the clean answers of every response.

* **Sample**: a simple random sample without replacement of ``size`` units from the population cells
  (a unit is a position in the cumulated cell counts), in register order; or a **stratified** sample
  (``sample.design: stratified``) with ``n_h`` proportional to ``N_h x rate`` of the stratum
  (:func:`allocate`), each stratum a simple random sample. Ids ``S000001`` (prefix from the model).
* **Response**: mail + web: P(respond) = logistic(intercept + effects), among respondents P(web)
  likewise, a share answers in both modes. Telephone: every unit ends in an AAPOR disposition
  (:mod:`pipeline.synth.calls`); complete and partial interviews are the responses. Intercepts are
  calibrated (:mod:`pipeline.synth.calibrate`). Answers do not depend on responding; they depend on
  the mode only through ``response.web_measurement`` (a latent shift of web answers, if given).
* **Answers**: latent traits per unit (:mod:`pipeline.synth.traits`), scale items from the item model
  (fresh item noise for each response record, so the two forms of a both-mode respondent differ a
  little), other items from :mod:`pipeline.synth.items`; a share of respondents is outside the target
  population (``response.out_of_target``).

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
from pipeline.synth.calibrate import logistic
from pipeline.synth.items import item_values
from pipeline.synth.population import Population, largest_remainder, magnitude_distribution
from pipeline.synth.spec import SynthModel
from pipeline.synth.traits import draw_latents
from pipeline.synth.world import SynthWorld


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream for one purpose."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(name.encode())]))


@dataclass(frozen=True, eq=False)
class Records:
    """Clean answers, one row per response record (a both-mode respondent has two)."""

    values: dict[str, np.ndarray]  # every questionnaire variable: float codes, or object text
    applicable: dict[str, np.ndarray]  # items with routing: True where the routing shows the item
    mode: np.ndarray  # "paper" | "web" | "cati"
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
    frame: pd.DataFrame  # the invited sample (frame_columns)
    records: Records
    out_of_target: np.ndarray  # per respondent: outside the target population
    respondents: np.ndarray  # indices of the responding units in the frame
    calls: pd.DataFrame | None = None  # telephone surveys: one row per call attempt


# ------------------------------------------------------------------------------------- selection
def allocate(model: SynthModel, pop: Population, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratum of every cell and the number of units selected per stratum (``n_h``)."""
    spec = model.sample
    cells = pop.cell_codes
    key = np.zeros(pop.cell_counts.shape[0], dtype=np.int64)
    for v in spec.strata:
        codes = np.asarray(pop.codes[pop.variables.index(v)])
        key = key * (codes.max() + 1) + cells[v]
    present, stratum = np.unique(key, return_inverse=True)
    N = np.bincount(stratum, weights=pop.cell_counts, minlength=present.size)
    rate = np.ones(present.size)
    if spec.allocation is not None:
        first = np.zeros(present.size, dtype=np.int64)
        first[stratum[::-1]] = np.arange(stratum.size)[::-1]
        by = cells[spec.allocation.by][first]
        rate = np.array([spec.allocation.rate[int(b)] for b in by])
    want = N * rate
    n = largest_remainder(size, np.where(N > 0, want, 0.0)) if want.sum() > 0 else np.zeros_like(N)
    n = np.minimum(np.maximum(n, np.where(N > 0, min(spec.min_per_stratum, 1), 0)), N).astype(
        np.int64
    )
    for _ in range(present.size):  # take-all strata give their surplus to the others
        short = size - int(n.sum())
        room = (n < N) & (N > 0)
        if short <= 0 or not room.any():
            break
        extra = largest_remainder(short, np.where(room, want, 0.0))
        n = np.minimum(n + extra, N).astype(np.int64)
    return stratum.astype(np.intp), n


def _select(world: SynthWorld, size: int, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Population positions of the selected units (register order) and their strata (or None)."""
    pop = world.population
    counts = pop.cell_counts
    if not 1 <= size <= pop.total:
        raise UsageError(
            f"--size must be between 1 and the population size ({pop.total:,})",
            [Problem("sample size out of range", value=size, code="bad_size")],
            code="bad_option",
        )
    rng = stream(seed, "sample")
    if world.model.sample.design == "srs":
        return np.sort(rng.choice(pop.total, size=size, replace=False)), None
    stratum, n_h = allocate(world.model, pop, size)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    chosen = []
    for h in range(n_h.shape[0]):
        cells = np.flatnonzero(stratum == h)
        units = np.concatenate([np.arange(start[c], start[c] + counts[c]) for c in cells])
        chosen.append(np.sort(rng.choice(units, size=int(n_h[h]), replace=False)))
    position = np.sort(np.concatenate(chosen))
    return position, stratum


def _ages(world: SynthWorld, band: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    age = world.model.population.age
    assert age is not None
    derived = next(d for d in world.q.derived if d.name == age.band)
    lo = np.zeros(band.shape[0])
    hi = np.zeros(band.shape[0])
    for b in derived.bands:
        m = band == b.code
        lo[m] = max(b.low, age.min)
        hi[m] = min(b.high, age.max)
    return np.floor(lo + rng.random(band.shape[0]) * (hi - lo + 1)).clip(lo, hi)


def frame_columns(world: SynthWorld) -> tuple[str, ...]:
    """Id, the population variables in cell order (the age before its band), magnitudes, mode,
    responded (and the disposition for telephone surveys)."""
    age = world.model.population.age
    cols = [world.q.study.id_variable]
    for v in world.population.variables:
        if age is not None and v == age.band:
            cols.append(age.variable)
        cols.append(v)
    cols += [m.variable for m in world.model.population.magnitudes]
    if world.model.origin is not None:
        cols.append("origin")
    cols += ["mode", "responded"]
    if world.model.cati is not None and "cati" in world.q.study.modes:
        cols.append("disposition")
    return tuple(cols)


def units_of(
    world: SynthWorld, size: int, seed: int
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Cell of every selected unit, its own values (population variables, age, magnitudes) and ids."""
    pop = world.population
    position, _strata = _select(world, size, seed)
    cell = np.searchsorted(np.cumsum(pop.cell_counts), position, side="right")
    units: dict[str, np.ndarray] = {v: c[cell] for v, c in pop.cell_codes.items()}
    age = world.model.population.age
    if age is not None:
        units[age.variable] = _ages(world, units[age.band], stream(seed, "age"))
    mrng = stream(seed, "magnitude")
    for mag in world.model.population.magnitudes:
        out = np.zeros(cell.shape[0])
        given = units[mag.given]
        for code in mag.ranges:
            k, p = magnitude_distribution(mag, code)
            m = given == code
            out[m] = k[
                np.searchsorted(np.cumsum(p), mrng.random(int(m.sum())), side="right").clip(
                    0, k.size - 1
                )
            ]
        units[mag.variable] = out
    width = max(6, len(str(size)))
    prefix = world.model.sample.id_prefix
    ids = np.array([f"{prefix}{i + 1:0{width}d}" for i in range(size)], dtype=object)
    return cell, units, ids


# -------------------------------------------------------------------------------------- the draw
def draw_sample(world: SynthWorld, size: int, seed: int) -> SampleDraw:
    cell, units, sample_id = units_of(world, size, seed)
    model, q = world.model, world.q
    cal = world.calibration
    calls = None
    disposition = None
    fieldwork = None
    if "cati" in q.study.modes and model.cati is not None:
        from pipeline.synth.calls import simulate_calls

        p_complete = logistic(cal.response_intercept + world.response_linear[cell])
        fieldwork = simulate_calls(model.cati, sample_id, p_complete, stream(seed, "calls"))
        responded = fieldwork.responded
        mode = np.where(responded, "cati", "none")
        disposition = fieldwork.disposition
        calls = fieldwork.calls
        partial = fieldwork.partial
    else:
        rr = stream(seed, "response")
        responded = rr.random(size) < logistic(cal.response_intercept + world.response_linear[cell])
        if model.response.web_share is not None and {"paper", "web"} <= set(q.study.modes):
            web = rr.random(size) < logistic(cal.web_intercept + world.web_linear[cell])
            both_share = model.response.both_modes.value if model.response.both_modes else 0.0
            both = rr.random(size) < both_share
            mode = np.where(
                ~responded, "none", np.where(both, "both", np.where(web, "web", "paper"))
            )
        else:
            mode = np.where(responded, q.study.modes[0], "none")
        partial = np.zeros(size, dtype=bool)
    columns = {q.study.id_variable: sample_id, "mode": mode, "responded": responded}
    if disposition is not None:
        columns["disposition"] = disposition
    columns.update({k: v.astype(np.int64) for k, v in units.items()})
    if model.origin is not None:
        columns["origin"] = draw_origin(model, units, stream(seed, "origin"))
    frame = pd.DataFrame({c: columns[c] for c in frame_columns(world)})

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
    scale_items = {it.name for s in world.scales for it in s.items}
    answers = item_values(
        q,
        model.items,
        {k: v[resp] for k, v in units.items()},
        by_indicator,
        scale_items,
        stream(seed, "background"),
    )
    oot = model.response.out_of_target
    out_of_target = stream(seed, "target").random(resp.shape[0]) < (oot.value if oot else 0.0)
    if oot is not None and oot.item in answers:
        answers[oot.item] = np.where(out_of_target, float(oot.code), answers[oot.item])
    if fieldwork is not None:  # telephone paradata, where the questionnaire has the items
        for item, value in (
            ("interviewer", fieldwork.interviewer),
            ("call_attempts", fieldwork.attempts),
        ):
            if item in answers:
                answers[item] = (
                    value[resp] if item == "interviewer" else value[resp].astype(np.float64)
                )

    # response records: one per respondent, plus the second mode of both-mode respondents
    rmode = mode[resp]
    first = np.where(rmode == "both", "paper", rmode)
    second = np.flatnonzero(rmode == "both")
    rec_person = np.concatenate([np.arange(resp.shape[0]), second])
    rec_mode = np.concatenate([first, np.full(second.shape[0], "web")]).astype(object)
    values: dict[str, np.ndarray] = {k: v[rec_person] for k, v in answers.items()}
    items_rng = stream(seed, "items")
    shift = web_shift(world)
    on_web = (rec_mode == "web").astype(np.float64)
    for j, s in enumerate(world.scales):
        eta = latents.eta[rec_person, j] + shift[j] * on_web
        values.update({k: v.astype(np.float64) for k, v in s.draw(eta, items_rng).items()})
    if partial.any():
        values["_partial"] = partial[resp][rec_person].astype(np.float64)
    ids = sample_id[resp][rec_person]
    applicable = routing(world, values, rec_person.shape[0])
    records = Records(values, applicable, rec_mode, rec_person, ids)
    return SampleDraw(
        frame=frame, records=records, out_of_target=out_of_target, respondents=resp, calls=calls
    )


def draw_origin(
    model: SynthModel, units: dict[str, np.ndarray], rng: np.random.Generator
) -> np.ndarray:
    """Origin code (1, 2, 3) of every invited unit (``model.origin``; per sector where given)."""
    spec = model.origin
    assert spec is not None
    sector = units.get("sector")
    n = next(iter(units.values())).shape[0] if units else 0
    u = rng.random(n)
    out = np.ones(n, dtype=np.int64)

    def cum(table: dict[int, float]) -> np.ndarray:
        p = np.array([table.get(k, 0.0) for k in (1, 2, 3)], dtype=np.float64)
        return np.cumsum(p / p.sum())

    base = cum(spec.shares)
    thresholds = np.tile(base, (n, 1))
    if sector is not None:
        for code, table in spec.by_sector.items():
            thresholds[sector == code] = cum(table)
    out += (u[:, None] >= thresholds[:, :2]).sum(axis=1)
    return out


def web_shift(world: SynthWorld) -> np.ndarray:
    """Per scale the latent shift of web answers (``response.web_measurement``; 0 without)."""
    wm = world.model.response.web_measurement
    shifts = wm.shift if wm is not None else {}
    return np.array([float(shifts.get(s.indicator or "", 0.0)) for s in world.scales])


def routing(world: SynthWorld, values: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Where each routed item is shown, from the clean answers (the questionnaire's ``relevant``)."""
    out: dict[str, np.ndarray] = {}
    numeric = {k: v for k, v in values.items() if v.dtype.kind in "fiu"}
    for item in world.q.items:
        if item.relevant:
            out[item.name] = np.asarray(evaluate(parse(item.relevant), numeric, size=n), dtype=bool)
    return out
