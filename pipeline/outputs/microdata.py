"""Microdata release as an SPSS ``.sav`` file (pyreadstat), from the scored and weighted frame.

Direct identifiers and free text are dropped, internal columns too (``_mode`` is kept as ``mode``),
the questionnaire's release recodes are applied (bands, top codes, code maps), and a random release
id (seeded) replaces the sample id; rows are written in release-id order, so row order does not
reveal the input order either. Variable labels, value labels, user-missing codes, measure levels and
a file label come from the questionnaire (:mod:`pipeline.outputs.savmeta`, which uses
:func:`pipeline.questionnaire.metadata.spss_metadata`). A sidecar
``<name>.variables.json`` lists what was kept and what was dropped, and why.

Determinism: ReadStat stamps the creation date and time into the .sav header (no option to set
them), so the writer overwrites those 17 header bytes with a fixed date; the same frame and seed
give the same bytes.

Issue 9 adds release profiles, k-anonymity checks, Stata output, a codebook and PSPP verification.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.errors import InputError, Problem
from pipeline.fileio import write_json, write_with
from pipeline.outputs.savmeta import (
    COMPLETENESS_CODES,
    ID_COLUMN,
    MODE_CODES,
    ReleasePlan,
    ReleaseVariable,
    release_plan,
)
from pipeline.questionnaire.model import Questionnaire

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

# SAV header: rec_type(4) prod_name(60) layout_code(4) nominal_case_size(4) compression(4)
# weight_index(4) ncases(4) bias(8) creation_date(9, "dd Mmm yy") creation_time(8, "hh:mm:ss")
HEADER_DATE_OFFSET = 92
FIXED_DATE, FIXED_TIME = b"01 Jan 00", b"00:00:00"
SAV_NOTE_WIDTH = 80  # a .sav document line holds 80 bytes
_DATE = re.compile(rb"\d\d [A-Z][a-z]{2} \d\d\d\d:\d\d:\d\d")


def fix_header_timestamp(path: Path) -> bool:
    """Overwrite the creation date/time in a .sav header with a fixed value; False if the header is
    not laid out as expected (then the file is left untouched)."""
    with open(path, "r+b") as fh:
        head = fh.read(HEADER_DATE_OFFSET + 17)
        if not head.startswith(b"$FL2") or not _DATE.fullmatch(head[HEADER_DATE_OFFSET:HEADER_DATE_OFFSET + 17]):
            return False
        fh.seek(HEADER_DATE_OFFSET)
        fh.write(FIXED_DATE + FIXED_TIME)
    return True


def _substantive(x: np.ndarray) -> np.ndarray:
    return ~np.isnan(x) & (x >= 0)


def _recode(var: ReleaseVariable, values: np.ndarray, *, first_row: int = 1) -> np.ndarray:
    """Apply a release recode to a float column; non-substantive codes (< 0) and NaN pass through."""
    rc = var.recode
    out = values.astype("float64", copy=True)
    sub = _substantive(out)
    if rc.kind == "bands":
        new = np.full(out.shape, np.nan)
        for low, high, code in rc.bands:
            new[sub & (out >= low) & (out <= high)] = code
        bad = sub & np.isnan(new)
        out = np.where(sub, new, out)
    elif rc.kind == "map":
        mapping = dict(rc.mapping)
        new = np.array([mapping.get(int(v), np.nan) if s and float(v).is_integer() else np.nan
                        for v, s in zip(values, sub, strict=True)], dtype="float64")
        bad = sub & np.isnan(new)
        out = np.where(sub, new, out)
    elif rc.kind == "top_code":
        assert rc.top is not None
        out = np.where(sub & (out > rc.top), rc.top, out)
        bad = np.zeros(out.shape, dtype=bool)
    else:
        bad = np.zeros(out.shape, dtype=bool)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise InputError(
            f"cannot apply the release recode of {var.source!r}: {len(rows)} value(s) not covered",
            [Problem("value not covered by the release recode", row=int(r) + first_row, column=var.source,
                     value=float(values[r]), expected="a value the questionnaire's release bands/map cover",
                     hint="extend the item's release rule in the questionnaire") for r in rows[:5]],
            code="release_recode_gap")
    return out


def _coded(var: ReleaseVariable, values: pd.Series, codes: dict[str, int]) -> np.ndarray:
    text = values.astype("string")
    unknown = sorted(set(text.dropna().unique()) - set(codes))
    if unknown or text.isna().any():
        raise InputError(f"column {var.source!r} has values the release cannot code",
                         [Problem("unexpected value", column=var.source, value=v, expected=", ".join(codes)) for v in
                          (unknown or ["(empty)"])[:5]], code="bad_release_value")
    return text.map(codes).to_numpy(dtype="float64")


def release_frame(frame: pd.DataFrame, q: Questionnaire, *, seed: int, lang: str = "en") -> tuple[pd.DataFrame, ReleasePlan]:
    """The released table (columns in plan order, rows in release-id order) and its plan."""
    import pandas as pd

    plan = release_plan([str(c) for c in frame.columns], q, lang)
    n = len(frame)
    release_id = np.random.default_rng(seed).permutation(n).astype("float64") + 1
    data: dict[str, np.ndarray] = {}
    for var in plan.variables:
        if var.recode.kind == "release_id":
            data[var.name] = release_id
        elif var.recode.kind == "mode":
            data[var.name] = _coded(var, frame[var.source], MODE_CODES)
        elif var.recode.kind == "completeness":
            data[var.name] = _coded(var, frame[var.source], COMPLETENESS_CODES)
        else:
            try:
                values = pd.to_numeric(frame[var.source], errors="raise").to_numpy(dtype="float64", na_value=np.nan)
            except (TypeError, ValueError):
                raise InputError(f"column {var.source!r} is not numeric", [Problem(
                    "a numeric variable holds text", column=var.source, expected="numbers (codes)",
                    hint="run validation first: it writes canonical numeric codes")], code="bad_release_value") from None
            data[var.name] = _recode(var, values)
    out = pd.DataFrame(data)
    out = out.sort_values(ID_COLUMN, kind="stable").reset_index(drop=True)
    return out, plan


def write_microdata_sav(frame: pd.DataFrame, q: Questionnaire, out_path: str | Path, *, seed: int,
                        lang: str = "en") -> Path:
    """Write the released ``.sav`` (and ``<stem>.variables.json``); returns the .sav path."""
    import pyreadstat

    df, plan = release_frame(frame, q, seed=seed, lang=lang)
    labels: dict[str, str | None] = {v.name: v.label for v in plan.variables}
    value_labels: dict[str, dict[int | float, str]] = {v.name: {(int(c) if float(c).is_integer() else c): t for c, t in v.value_labels}
                    for v in plan.variables if v.value_labels}
    missing: dict[str, Any] = {v.name: list(v.missing) for v in plan.variables if v.missing}
    measure: dict[str, str] = {v.name: v.measure for v in plan.variables}
    formats = {v.name: v.format for v in plan.variables}
    study = q.study
    file_label = f"{study.id} microdata"[:64]
    note = [line for text in (f"{study.title.get(lang)}; questionnaire {study.id} version {study.version}.",
                              "Direct identifiers and free text removed; release recodes applied; random release id.")
            for line in textwrap.wrap(text, SAV_NOTE_WIDTH)]

    def writer(tmp: Path) -> None:
        pyreadstat.write_sav(df, str(tmp), file_label=file_label, column_labels=labels, note=note,
                             variable_value_labels=value_labels, missing_ranges=missing,
                             variable_measure=measure, variable_format=formats, row_compress=True)
        fix_header_timestamp(tmp)

    out = Path(out_path)
    write_with(out, writer, suffix=".sav")
    write_json(out.with_name(out.stem + ".variables.json"), {
        "file": out.name, "rows": len(df), "language": lang,
        "variables": [{"name": v.name, "source": v.source or None, "label": v.label, "measure": v.measure,
                       "recode": v.recode.kind} for v in plan.variables],
        "dropped": [{"column": d.column, "reason": d.reason} for d in plan.dropped],
    })
    return out
