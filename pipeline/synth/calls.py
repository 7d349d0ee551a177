"""Telephone fieldwork of a synthetic wave: a final disposition per sampled unit and its call attempts.

Every sampled unit ends in one AAPOR disposition (:data:`pipeline.fieldwork.aapor.DISPOSITIONS`):
not eligible (closed, no employees; ``cati.not_eligible``), eligibility unknown (never reached;
``cati.unknown_eligibility``), else a complete interview with the unit's calibrated probability, else
a partial interview, refusal, non-contact or other outcome (``cati.nonresponse`` shares). Complete
and partial interviews are the responses. The call attempts behind each outcome (how many, by which
interviewer, when, with which intermediate result) are paradata: they do not change the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from pipeline.fieldwork.aapor import CODES
from pipeline.synth.spec import CatiSpec

INTERMEDIATE = ("no_answer", "busy", "answering_machine", "callback")
NO_CONTACT = ("no_answer", "busy", "answering_machine")
CALL_COLUMNS = ("attempt", "date", "time", "interviewer", "outcome", "disposition")


@dataclass(frozen=True, eq=False)
class Fieldwork:
    disposition: np.ndarray  # AAPOR code per sampled unit (object)
    responded: np.ndarray  # complete or partial
    partial: np.ndarray
    interviewer: np.ndarray  # interviewer of the last attempt (object)
    attempts: np.ndarray  # number of call attempts (int)
    calls: pd.DataFrame  # one row per attempt: id + CALL_COLUMNS


def interviewer_ids(n: int) -> np.ndarray:
    width = max(2, len(str(n)))
    return np.array([f"I{i + 1:0{width}d}" for i in range(n)], dtype=object)


def simulate_calls(
    spec: CatiSpec,
    ids: np.ndarray,
    p_complete: np.ndarray,
    rng: np.random.Generator,
    *,
    id_column: str = "org_id",
    year: int = 2025,
) -> Fieldwork:
    n = ids.shape[0]
    u = rng.random((n, 3))
    ne = u[:, 0] < spec.not_eligible.value
    uh = ~ne & (u[:, 1] < spec.unknown_eligibility.value)
    known = ~ne & ~uh
    complete = known & (u[:, 2] < p_complete)
    rest = known & ~complete
    d = spec.nonresponse
    split = np.cumsum([d.partial, d.refusal, d.non_contact, d.other])
    kind = np.searchsorted(split, rng.random(n), side="right").clip(0, 3)
    partial = rest & (kind == 0)
    outcome = np.full(n, "I", dtype=object)
    outcome[ne], outcome[uh] = "NE", "UH"
    for k, name in enumerate(("P", "R", "NC", "O")):
        outcome[rest & (kind == k)] = name
    disposition = np.array([CODES[o] for o in outcome], dtype=object)

    attempts = np.minimum(1 + rng.geometric(1.0 / spec.attempts_mean, n) - 1, spec.max_attempts)
    attempts = np.maximum(attempts, 1)
    attempts[(outcome == "NC") | (outcome == "UH")] = spec.max_attempts
    staff = interviewer_ids(spec.interviewers)
    total = int(attempts.sum())
    unit = np.repeat(np.arange(n), attempts)
    number = np.arange(total) - np.repeat(np.cumsum(attempts) - attempts, attempts) + 1
    last = number == attempts[unit]
    who = staff[rng.integers(0, spec.interviewers, total)]
    gap = rng.integers(1, 4, total)  # working days between attempts
    first_day = rng.integers(0, 10, n)
    day = np.repeat(first_day, attempts) + np.concatenate(
        [np.cumsum(g) - g[0] for g in np.split(gap, np.cumsum(attempts)[:-1])]
    )
    start = date(year, 1, 6)  # a Monday in January of the wave year
    dates = np.array(
        [(start + timedelta(days=int(x // 5 * 7 + x % 5))).isoformat() for x in day], dtype=object
    )
    minute = rng.integers(9 * 60, 17 * 60, total)
    times = np.array([f"{m // 60:02d}:{m % 60:02d}" for m in minute], dtype=object)
    inter = np.where(
        np.isin(outcome[unit], ["NC", "UH"]),
        np.array(NO_CONTACT, dtype=object)[rng.integers(0, len(NO_CONTACT), total)],
        np.array(INTERMEDIATE, dtype=object)[rng.integers(0, len(INTERMEDIATE), total)],
    )
    final_word = {
        "I": "complete",
        "P": "partial",
        "R": "refusal",
        "NC": "no_answer",
        "O": "other",
        "UH": "no_answer",
        "NE": "not_eligible",
    }
    result = np.where(last, np.array([final_word[o] for o in outcome[unit]], dtype=object), inter)
    calls = pd.DataFrame(
        {
            id_column: ids[unit],
            "attempt": number.astype(np.int64),
            "date": dates,
            "time": times,
            "interviewer": who,
            "outcome": result,
            "disposition": np.where(last, disposition[unit], ""),
        }
    )
    last_who = who[np.cumsum(attempts) - 1]
    return Fieldwork(
        disposition=disposition,
        responded=complete | partial,
        partial=partial,
        interviewer=last_who,
        attempts=attempts.astype(np.int64),
        calls=calls,
    )
