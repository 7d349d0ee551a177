"""Paper forms as keyed: realistic respondent and keying errors, written as ``paper_keyed.csv``.

Starting from the clean answers, in this order (rates in the model file, ``paper``; all synthetic
assumptions, documented there):

1. **routing ignored**: an item the routing skips is left blank, except on a share of forms where the
   respondent answers it anyway (``tw_days`` = 0 although ``telework`` = 2);
2. **out of target**: half of the respondents who are no longer employed stop after the background
   questions;
3. **break-offs**: a share of forms is abandoned at a random point after the background questions;
4. **straightliners**: a share of forms ticks one column through every grid;
5. **blanks**: item nonresponse, rising linearly from the first to the last item (lower for the
   background questions);
6. **several ticks** on a single-choice item, keyed as the ticked codes joined by ``/`` (``2/3``);
7. **keying errors**: a code outside the list (``5``) or a doubled key (``33``), more often for one
   keyer (``keyer_factor``);
8. the **year of birth** written in the age box, **fewer sickness days than spells**, and decimal
   hours written with a **Belgian decimal comma** (``37,5``).

Forms are keyed in batches (``batch``) by keyers (``keyer``), in a random arrival order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.fileio import write_text
from pipeline.questionnaire.model import ItemType, Questionnaire
from pipeline.synth.sample import Records
from pipeline.synth.spec import PaperSpec, SynthModel


@dataclass(frozen=True)
class Background:
    """The background questions (blanked less often, never skipped on the web) and the answer that
    puts a respondent outside the target population (half of them stop after the background)."""

    items: frozenset[str]
    stop_item: str | None = None
    stop_code: float = 2.0


def background_of(model: SynthModel) -> Background:
    pop = model.population
    items = set(pop.cell_order) | {m.variable for m in pop.magnitudes}
    if pop.age is not None:
        items.add(pop.age.variable)
    oot = model.response.out_of_target
    if oot is not None:
        items.add(oot.item)
    return Background(frozenset(items), oot.item if oot else None, float(oot.code) if oot else 2.0)


def mode_variables(q: Questionnaire, mode: str) -> list[str]:
    """Questionnaire variables asked in ``mode`` (multiple choice expanded), in questionnaire order."""
    out: list[str] = []
    for it in q.items:
        if it.modes is None or mode in it.modes:
            out.extend(q.item_variables(it))
    return out


def _text(values: np.ndarray, item_type: ItemType) -> np.ndarray:
    if values.dtype.kind not in "fiu":
        return values.astype(object)
    nan = np.isnan(values)
    if item_type == ItemType.decimal:
        out = np.array([f"{v:g}" for v in np.where(nan, 0.0, values)], dtype=object)
    else:
        out = np.where(nan, 0, values).astype(np.int64).astype(str).astype(object)
    out[nan] = ""
    return out


def paper_table(
    q: Questionnaire,
    spec: PaperSpec,
    records: Records,
    wave_year: int,
    rng: np.random.Generator,
    background: Background,
) -> tuple[list[str], np.ndarray, Counter[str]]:
    """Header, keyed text matrix (forms x columns, arrival order) and counts of the injected errors."""
    cols = mode_variables(q, "paper")
    item_of = {v: it for it in q.items for v in q.item_variables(it)}
    n, k = len(records), len(cols)
    log: Counter[str] = Counter()
    keyed = np.empty((n, k), dtype=object)
    for j, c in enumerate(cols):
        keyed[:, j] = (
            records.sample_id
            if c == q.study.id_variable
            else _text(records.values[c], item_of[c].type)
        )
    blank = np.zeros((n, k), dtype=bool)
    protect = np.array([c == q.study.id_variable for c in cols])  # pre-printed on the form
    scale_start = next((j for j, c in enumerate(cols) if item_of[c].grid), k)

    # 1. routing
    for j, c in enumerate(cols):
        shown = records.applicable.get(item_of[c].name)
        if shown is not None:
            ignored = rng.random(n) < spec.routing_violation
            blank[:, j] |= ~shown & ~ignored
            log["routing_violation"] += int((~shown & ignored).sum())
    # 2. out of target: half stop after the background questions
    gone = background.stop_item
    if gone is not None and gone in records.values:
        outside = records.values[gone] == background.stop_code
        stop = outside & (rng.random(n) < 0.5)
        blank[stop, scale_start:] = True
        log["out_of_target"] += int(outside.sum())
    # 3. break-offs
    off = rng.random(n) < spec.breakoff
    cut = rng.integers(scale_start, k, n)
    blank |= off[:, None] & (np.arange(k)[None, :] >= cut[:, None])
    log["breakoff"] += int(off.sum())
    # 4. straightliners: one column through every grid
    liners = rng.random(n) < spec.straightline
    grids: dict[str, list[int]] = {}
    for j, c in enumerate(cols):
        if item_of[c].grid:
            grids.setdefault(item_of[c].grid or "", []).append(j)
    for idx in grids.values():
        labels = [str(ch.code) for ch in q.choices_of(item_of[cols[idx[0]]])]
        pick = np.array(labels, dtype=object)[rng.integers(0, len(labels), n)]
        for j in idx:
            keyed[liners, j] = pick[liners]
    log["straightline"] += int(liners.sum())
    # 5. blanks, rising with the position
    rate = spec.blank_first + (spec.blank_last - spec.blank_first) * np.arange(k) / max(k - 1, 1)
    rate = np.where([c in background.items for c in cols], spec.blank_background, rate)
    nonresp = (rng.random((n, k)) < rate[None, :]) & ~protect[None, :] & ~blank
    log["item_nonresponse"] += int(nonresp.sum())
    blank |= nonresp
    keyed[blank] = ""
    filled = keyed != ""
    # 6. several ticks / 7. keying errors (single choice)
    keyers = list(spec.keyer_factor)
    batch = np.arange(n) // spec.forms_per_batch
    batch_keyer = rng.integers(0, len(keyers), int(batch.max()) + 1 if n else 0)
    keyer = np.array(keyers, dtype=object)[batch_keyer[batch]] if n else np.array([], dtype=object)
    factor = np.array([spec.keyer_factor[x] for x in keyer])
    for j, c in enumerate(cols):
        it = item_of[c]
        if it.type not in (ItemType.single, ItemType.integer) or protect[j]:
            continue
        ok = filled[:, j]
        slip = ok & (rng.random(n) < spec.out_of_range * factor)
        if it.type == ItemType.single:
            codes = [ch.code for ch in q.choices_of(it)]
            ticks = ok & ~slip & (rng.random(n) < spec.multiple_ticks)
            for r in np.flatnonzero(ticks):
                code = int(keyed[r, j])
                pos = codes.index(code) if code in codes else 0
                other = (
                    codes[pos + 1]
                    if pos + 1 < len(codes) and (pos == 0 or rng.random() < 0.5)
                    else codes[pos - 1]
                )
                keyed[r, j] = "/".join(str(x) for x in sorted((code, other)))
            log["multiple_ticks"] += int(ticks.sum())
            for r in np.flatnonzero(slip):
                keyed[r, j] = str(max(codes) + 1) if rng.random() < 0.5 else keyed[r, j] * 2
        else:
            for r in np.flatnonzero(slip):
                keyed[r, j] = keyed[r, j] + keyed[r, j][-1]
        log["out_of_range"] += int(slip.sum())
    # 8. item-specific respondent habits
    if "age" in cols:
        j = cols.index("age")
        by = filled[:, j] & (rng.random(n) < spec.birth_year_for_age)
        keyed[by, j] = [str(wave_year - int(float(a))) for a in records.values["age"][by]]
        log["birth_year_for_age"] += int(by.sum())
    if "abs_spells" in cols and "abs_days" in cols:
        js, jd = cols.index("abs_spells"), cols.index("abs_days")
        spells = records.values["abs_spells"]
        fewer = (
            filled[:, js]
            & filled[:, jd]
            & (spells >= 2)
            & (rng.random(n) < spec.fewer_days_than_spells)
        )
        keyed[fewer, jd] = [str(int(s) - 1) for s in spells[fewer]]
        log["fewer_days_than_spells"] += int(fewer.sum())
    for j, c in enumerate(cols):
        if item_of[c].type == ItemType.decimal:
            dec = (
                filled[:, j]
                & np.array(["." in str(x) for x in keyed[:, j]])
                & (rng.random(n) < spec.decimal_comma)
            )
            keyed[dec, j] = [str(x).replace(".", ",") for x in keyed[dec, j]]
            log["decimal_comma"] += int(dec.sum())
    header = cols + ["batch", "keyer"]
    batch_txt = np.array([f"B{b + 1:03d}" for b in batch], dtype=object)
    table = (
        np.column_stack([keyed, batch_txt, keyer])
        if n
        else np.empty((0, len(header)), dtype=object)
    )
    return header, table, log


def write_paper_csv(path: str | Path, header: list[str], table: np.ndarray) -> Path:
    from pipeline.spreadsheet import csv_rows

    return write_text(path, csv_rows(table.tolist(), header=header))
