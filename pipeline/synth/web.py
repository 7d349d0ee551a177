"""The web export: an SPSS ``.sav`` as a survey tool writes it (pyreadstat).

Numeric codes with value labels and user-missing declarations from the questionnaire
(:func:`pipeline.questionnaire.metadata.spss_metadata`); ``sample_id`` and text items as strings.
Starting from the clean answers (rates in the model file, ``web``; synthetic assumptions):

* **routing enforced**: an item the routing skips is -1 (e.g. ``tw_days`` when ``telework`` != 1);
* **out of target**: half of the respondents no longer employed stop after the background questions;
* **break-offs**: the items after the break-off point were never reached: system-missing (empty);
* **straightliners** and **speeders** (a completion time below the quality threshold, with part of
  their scale answers random);
* **no answer** (-9) for a skipped item, **weet niet** (-8) for some numeric items;
* ``duration_sec``: log-normal completion times.

The file's header timestamp is fixed so the same seed gives a byte-identical file.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import PipelineError
from pipeline.fileio import write_with
from pipeline.questionnaire.model import ItemType, Questionnaire
from pipeline.synth.paper import Background, mode_variables
from pipeline.synth.sample import Records
from pipeline.synth.spec import WebSpec

NOT_APPLICABLE, DONT_KNOW, NO_ANSWER, INVALID = -1.0, -8.0, -9.0, -7.0
FIXED_DATE, FIXED_TIME = b"01 Jan 23", b"00:00:00"  # header creation date/time (determinism)
_HEADER_STAMP = slice(92, 109)  # SAV file header: creation_date[9] + creation_time[8]


def web_frame(
    q: Questionnaire,
    spec: WebSpec,
    records: Records,
    rng: np.random.Generator,
    background: Background,
) -> tuple[pd.DataFrame, Counter[str]]:
    """The export as a frame (completion order) and counts of what was injected."""
    cols = mode_variables(q, "web")
    item_of = {v: it for it in q.items for v in q.item_variables(it)}
    n = len(records)
    log: Counter[str] = Counter()
    numeric = [
        c
        for c in cols
        if c != q.study.id_variable and item_of[c].type not in (ItemType.text, ItemType.date)
    ]
    values = {
        c: records.values[c].astype(np.float64).copy() for c in numeric if c in records.values
    }
    pos = {c: j for j, c in enumerate(cols)}
    scale_start = next((j for j, c in enumerate(cols) if item_of[c].grid), len(cols))
    grids: dict[str, list[str]] = {}
    for c in numeric:
        if item_of[c].grid:
            grids.setdefault(item_of[c].grid or "", []).append(c)
    scale_cols = [c for g in grids.values() for c in g]

    liners = rng.random(n) < spec.straightline
    for g in grids.values():
        codes = np.array([ch.code for ch in q.choices_of(item_of[g[0]])], dtype=np.float64)
        pick = codes[rng.integers(0, codes.shape[0], n)]
        for c in g:
            values[c][liners] = pick[liners]
    log["straightline"] += int(liners.sum())
    speed = (rng.random(n) < spec.speeders) & ~liners
    for c in scale_cols:
        codes = np.array([ch.code for ch in q.choices_of(item_of[c])], dtype=np.float64)
        noisy = speed & (rng.random(n) < spec.speeder_noise)
        values[c][noisy] = codes[rng.integers(0, codes.shape[0], int(noisy.sum()))]
    log["speeders"] += int(speed.sum())
    for c in numeric:
        skip = (rng.random(n) < spec.no_answer) & (c not in background.items)
        values[c][skip] = NO_ANSWER
        log["no_answer"] += int(skip.sum())
        dk = spec.dont_know.get(c, 0.0)
        if dk:
            hit = (rng.random(n) < dk) & ~skip
            values[c][hit] = DONT_KNOW
            log["dont_know"] += int(hit.sum())
    for c in numeric:  # routing after no-answer: a skipped filter hides its follow-up (-1)
        shown = _shown(q, item_of[c].name, values, records)
        if shown is not None:
            values[c][~shown] = NOT_APPLICABLE
    gone = records.values.get(background.stop_item) if background.stop_item else None
    outside = np.zeros(n, dtype=bool) if gone is None else gone == background.stop_code
    stop = outside & (rng.random(n) < 0.5) if gone is not None else outside
    log["out_of_target"] += 0 if gone is None else int(outside.sum())
    off = (rng.random(n) < spec.breakoff) & ~stop
    cut = np.where(stop, scale_start, rng.integers(scale_start, len(cols), n))
    log["breakoff"] += int(off.sum())
    for c in numeric:
        values[c][(stop | off) & (pos[c] >= cut)] = np.nan
    duration = np.exp(
        np.log(spec.duration_median_sec) + spec.duration_sigma * rng.standard_normal(n)
    )
    threshold = q.quality.speeder_min_seconds or 240.0
    duration = np.where(speed, rng.uniform(0.4 * threshold, 0.95 * threshold, n), duration)
    duration = np.where(
        stop | off, duration * (cut - scale_start + 5) / (len(cols) - scale_start + 5), duration
    )
    if "duration_sec" in values:
        values["duration_sec"] = np.round(duration).astype(np.float64)
    data: dict[str, np.ndarray] = {}
    for c in cols:
        if c == q.study.id_variable:
            data[c] = records.sample_id.astype(str)
        elif c in values:
            data[c] = values[c]
        else:
            text = np.array(
                ["" if v is None else str(v) for v in records.values.get(c, np.full(n, ""))],
                dtype=object,
            )
            text[(stop | off) & (pos[c] >= cut)] = ""
            data[c] = text
    order = rng.permutation(n)  # completion order
    return pd.DataFrame({c: v[order] for c, v in data.items()}), log


def _shown(
    q: Questionnaire, item: str, values: dict[str, np.ndarray], records: Records
) -> np.ndarray | None:
    it = q.item(item)
    if not it.relevant:
        return None
    from pipeline.questionnaire.expr import evaluate, parse

    return np.asarray(evaluate(parse(it.relevant), values, size=len(records)), dtype=bool)


def _formats(q: Questionnaire, columns: list[str]) -> dict[str, str]:
    item_of = {v: it for it in q.items for v in q.item_variables(it)}
    out = {}
    for c in columns:
        t = item_of[c].type
        if t == ItemType.decimal:
            out[c] = "F8.1"
        elif t in (ItemType.single, ItemType.integer, ItemType.multiple):
            out[c] = "F8.0"
    return out


def write_sav(q: Questionnaire, df: pd.DataFrame, path: str | Path) -> Path:
    """Write the export with labels and user-missing codes, with a fixed header timestamp."""
    import pyreadstat

    from pipeline.questionnaire.metadata import spss_metadata

    cols = list(df.columns)
    kwargs = spss_metadata(q, "nl", include_scores=False).write_kwargs(cols)
    item_of = {v: it for it in q.items for v in q.item_variables(it)}
    # declare the codes a web export can hold (-1, -8, -9; -7 'invalid' is a paper code)
    for c in list(kwargs["missing_ranges"]):
        web_codes = [m for m in item_of[c].missing if m != INVALID]
        if 0 < len(web_codes) <= 3:
            kwargs["missing_ranges"][c] = sorted(web_codes)
    for labels in kwargs["variable_value_labels"].values():
        labels.pop(int(INVALID), None)

    def writer(tmp: Path) -> None:
        pyreadstat.write_sav(
            df,
            str(tmp),
            file_label=f"SYNTHETISCH {q.study.id} web export",
            row_compress=True,
            variable_format=_formats(q, cols),
            **kwargs,
        )
        _fix_timestamp(tmp)

    return write_with(path, writer, suffix=".sav")


def _fix_timestamp(path: Path) -> None:
    with open(path, "r+b") as fh:
        head = fh.read(_HEADER_STAMP.stop)
        stamp = head[_HEADER_STAMP]
        if not (
            head.startswith(b"$FL2") and re.fullmatch(rb"\d\d \w\w\w \d\d\d\d:\d\d:\d\d", stamp)
        ):
            raise PipelineError(
                f"unexpected .sav header written by pyreadstat: {stamp!r}", code="sav_header"
            )
        fh.seek(_HEADER_STAMP.start)
        fh.write(FIXED_DATE + FIXED_TIME)
