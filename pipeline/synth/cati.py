"""The telephone (CATI) export: an SPSS ``.sav`` as a field agency delivers it, with its own missing codes.

Starting from the clean answers of the complete and partial interviews (rates in the model's ``cati``
section; synthetic assumptions):

* **routing enforced** by the CATI program: an item the routing skips carries the agency's
  *not applicable* code;
* **no answer** and **don't know** as the agency codes them: choice items with the choice codes
  (e.g. 97, 98, 99), numbers with the number codes (e.g. 999997, 999998, 999999), declared as SPSS
  user-missing with value labels. They are **not** the project's -1/-8/-9: validation translates
  them by their labels (the ``spss`` import dialect, :mod:`pipeline.ingest.dialects`);
* **partial interviews**: the items after the break-off point are system-missing;
* **paradata**: the interviewer of the last call and the number of call attempts (items
  ``interviewer`` and ``call_attempts`` where the questionnaire has them), the interview length.

The header timestamp is fixed so the same seed gives a byte-identical file.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.fileio import write_with
from pipeline.questionnaire.model import ItemType, Questionnaire
from pipeline.synth.paper import Background, mode_variables
from pipeline.synth.sample import Records
from pipeline.synth.spec import AgencyMissing, CatiSpec
from pipeline.synth.web import _fix_timestamp, _formats, _shown

PARADATA = ("interviewer", "call_attempts", "interview_min")
AGENCY_LABELS = {
    "not_applicable": "niet van toepassing",
    "dont_know": "weet niet",
    "no_answer": "geen antwoord / weigert",
}


def agency_codes(spec: CatiSpec, item_type: ItemType) -> AgencyMissing:
    return (
        spec.missing_choice
        if item_type in (ItemType.single, ItemType.multiple)
        else spec.missing_number
    )


def cati_frame(
    q: Questionnaire,
    spec: CatiSpec,
    records: Records,
    rng: np.random.Generator,
    background: Background,
) -> tuple[pd.DataFrame, Counter[str]]:
    """The export as a frame (interview order) and counts of what was injected."""
    cols = mode_variables(q, "cati")
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
    keep = [c for c in numeric if c not in background.items and c not in PARADATA]
    for c in keep:
        codes = agency_codes(spec, item_of[c].type)
        skip = rng.random(n) < spec.no_answer
        values[c][skip] = codes.no_answer
        log["no_answer"] += int(skip.sum())
        dk = spec.dont_know.get(c, 0.0)
        if dk:
            hit = (rng.random(n) < dk) & ~skip
            values[c][hit] = codes.dont_know
            log["dont_know"] += int(hit.sum())
    for c in numeric:  # routing enforced on the answers given (a filter not answered hides its
        it = item_of[c]  # follow-up): a skipped item is the agency's "not applicable"
        shown = _shown(q, it.name, values, records)
        if shown is not None:
            values[c][~shown] = agency_codes(spec, it.type).not_applicable
    partial = records.values.get("_partial", np.zeros(n)) == 1.0
    start = next((j for j, c in enumerate(cols) if c in keep), len(cols))
    cut = start + np.floor(spec.partial_keep * (len(cols) - start)).astype(int)
    reached = {c: j < cut for j, c in enumerate(cols)}
    for c in keep:
        if not reached[c]:
            values[c][partial] = np.nan
    log["partial"] += int(partial.sum())
    minutes = np.exp(
        np.log(spec.duration_median_min) + spec.duration_sigma * rng.standard_normal(n)
    )
    minutes = np.where(partial, minutes * spec.partial_keep, minutes)
    if "interview_min" in values:
        values["interview_min"] = np.clip(np.round(minutes), 1, None)
    data: dict[str, np.ndarray] = {}
    for c in cols:
        if c == q.study.id_variable:
            data[c] = records.sample_id.astype(str)
        elif c in values:
            data[c] = values[c]
        else:
            data[c] = np.array(
                ["" if v is None else str(v) for v in records.values.get(c, np.full(n, ""))],
                dtype=object,
            )
    order = rng.permutation(n)  # interview order
    return pd.DataFrame({c: v[order] for c, v in data.items()}), log


def write_cati_sav(q: Questionnaire, spec: CatiSpec, df: pd.DataFrame, path: str | Path) -> Path:
    """Write the agency export: the questionnaire's value labels, the agency's missing codes."""
    import pyreadstat

    from pipeline.questionnaire.metadata import spss_metadata

    cols = list(df.columns)
    kwargs = spss_metadata(q, "nl", include_scores=False).write_kwargs(cols)
    item_of = {v: it for it in q.items for v in q.item_variables(it)}
    project = {m.code for m in q.missing_codes}
    labels: dict[str, dict[float, str]] = {}
    missing: dict[str, list[float]] = {}
    for c in cols:
        it = item_of[c]
        if it.type in (ItemType.text, ItemType.date):
            continue
        codes = agency_codes(spec, it.type)
        own = {
            k: v for k, v in kwargs["variable_value_labels"].get(c, {}).items() if k not in project
        }
        for kind, label in AGENCY_LABELS.items():
            own[getattr(codes, kind)] = label
        labels[c] = own
        missing[c] = sorted(float(getattr(codes, k)) for k in AGENCY_LABELS)
    kwargs["variable_value_labels"] = labels
    kwargs["missing_ranges"] = missing

    def writer(tmp: Path) -> None:
        pyreadstat.write_sav(
            df,
            str(tmp),
            file_label=f"SYNTHETISCH {q.study.id} {spec.file_label}",
            row_compress=True,
            variable_format=_formats(q, cols),
            **kwargs,
        )
        _fix_timestamp(tmp)

    return write_with(path, writer, suffix=".sav")
