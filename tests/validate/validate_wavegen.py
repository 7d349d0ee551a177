"""A tiny generator of valid raw waves from a questionnaire, plus writers and corruptions.

Used by the validation tests (fixtures and hypothesis strategies). Generic: any questionnaire; only
``overrides`` (fixed values per variable) carry study knowledge, e.g. ``working=1``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from pipeline.questionnaire.expr import evaluate, parse
from pipeline.questionnaire.model import ItemType, Questionnaire

NUMERIC = (ItemType.single, ItemType.multiple, ItemType.integer, ItemType.decimal)


def in_mode(it, mode: str) -> bool:
    return it.modes is None or mode in it.modes


def generate(
    q: Questionnaire,
    n: int,
    *,
    mode: str,
    seed: int = 0,
    start: int = 1,
    overrides: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Valid numeric responses (float64; NaN where routing skips, which writers turn into blank or -1)."""
    rng = np.random.default_rng(seed)
    cols: dict[str, np.ndarray] = {}
    idv = q.study.id_variable
    for it in q.items:
        if not in_mode(it, mode) and it.name != idv:
            continue
        if it.name == idv:
            cols[idv] = np.array([f"S{start + i:06d}" for i in range(n)], dtype=object)
        elif it.type == ItemType.single:
            cols[it.name] = rng.choice([float(c.code) for c in q.choices_of(it)], size=n)
        elif it.type == ItemType.multiple:
            for c in q.choices_of(it):
                cols[f"{it.name}_{c.code}"] = rng.integers(0, 2, size=n).astype(float)
        elif it.type in (ItemType.integer, ItemType.decimal):
            lim = it.limits
            lo = (
                lim.soft_min
                if lim and lim.soft_min is not None
                else lim.hard_min
                if lim and lim.hard_min is not None
                else 0
            )
            hi = (
                lim.soft_max
                if lim and lim.soft_max is not None
                else lim.hard_max
                if lim and lim.hard_max is not None
                else 100
            )
            if it.name == q.quality.speeder_variable:
                lo, hi = (
                    max(lo, (q.quality.speeder_min_seconds or 0) * 2),
                    max(hi, (q.quality.speeder_min_seconds or 0) * 8),
                )
            x = rng.uniform(lo, hi, size=n)
            cols[it.name] = np.round(x) if it.type == ItemType.integer else np.round(x * 2) / 2
        else:
            cols[it.name] = np.array([""] * n, dtype=object)
    for k, v in (overrides or {}).items():
        if k in cols:
            cols[k] = np.full(n, float(v))
    for (
        it
    ) in q.items:  # routing: upstream first is enough for the reference questionnaires (one level)
        if it.relevant and it.name in cols:
            rel = evaluate(
                parse(it.relevant), {k: v for k, v in cols.items() if v.dtype.kind == "f"}, size=n
            )
            cols[it.name] = np.where(rel, cols[it.name], np.nan)
    if "abs_days" in cols and "abs_spells" in cols:  # R001: days >= spells
        cols["abs_days"] = np.where(
            np.isnan(cols["abs_days"]), np.nan, np.maximum(cols["abs_days"], cols["abs_spells"])
        )
    if "hours" in cols and "statute" in cols:  # R002
        cols["hours"] = np.where(cols["statute"] == 3, np.minimum(cols["hours"], 48), cols["hours"])
    return pd.DataFrame(cols)


def _fmt(v: float) -> str:
    if v != v:
        return ""
    return str(int(v)) if float(v).is_integer() else str(v)


def to_paper(
    df: pd.DataFrame, q: Questionnaire, *, batch_size: int = 50, keyer: str = "K1"
) -> pd.DataFrame:
    """Keyed-paper strings: codes as typed, blanks empty, plus batch and keyer."""
    out = {}
    for c in df.columns:
        out[c] = (
            df[c].astype(object)
            if not is_numeric_dtype(df[c])
            else np.array([_fmt(v) for v in df[c].tolist()], dtype=object)
        )
    out = pd.DataFrame(out)
    out["batch"] = [f"B{i // batch_size + 1:03d}" for i in range(len(df))]
    out["keyer"] = keyer
    return out


def write_csv(df: pd.DataFrame, path: Path, *, sep: str = ",", encoding: str = "utf-8") -> Path:
    df.to_csv(path, index=False, sep=sep, encoding=encoding)
    return path


def to_web(df: pd.DataFrame) -> pd.DataFrame:
    """Web coding: routing-skipped items are -1 (the tool enforces routing)."""
    out = df.copy()
    for c in out.columns:
        if is_numeric_dtype(out[c]):
            out[c] = out[c].fillna(-1.0)
    return out


def write_sav(df: pd.DataFrame, path: Path, q: Questionnaire) -> Path:
    import pyreadstat

    labels = {}
    for it in q.items:
        if it.type == ItemType.single and it.name in df.columns:
            labels[it.name] = {float(c.code): c.label.nl for c in q.choices_of(it)}
    # pyreadstat takes a list of codes or ranges (as pipeline.release.sav.missing_declaration)
    missing: dict[str, list[Any]] = {
        str(c): [-1.0, -8.0, -9.0] for c in df.columns if is_numeric_dtype(df[c])
    }
    pyreadstat.write_sav(df, str(path), variable_value_labels=labels, missing_ranges=missing)
    return path


def frames(
    q: Questionnaire,
    tmp: Path,
    *,
    paper: pd.DataFrame | None = None,
    web: pd.DataFrame | None = None,
    options=None,
    second: pd.DataFrame | None = None,
):
    """Write the given raw frames (paper as CSV, web as .sav) and validate them in memory."""
    from pipeline.ingest import InputFile
    from pipeline.validate.run import read_all, validate_tables

    inputs = []
    if paper is not None:
        inputs.append(InputFile(write_csv(paper, tmp / "paper_keyed.csv")))
    if web is not None:
        inputs.append(InputFile(write_sav(web, tmp / "web_export.sav", q)))
    seconds: dict[str | Path, InputFile | str | Path] = {}
    if second is not None:
        seconds = {
            "paper_keyed.csv": InputFile(write_csv(second, tmp / "paper_second.csv"), mode="paper")
        }
    raws, sec = read_all(q, inputs, seconds)
    return validate_tables(q, raws, sec, options)


def row(df: pd.DataFrame, record_id: str) -> pd.Series:
    hit = df[df["_record_id"] == record_id]
    assert len(hit) == 1, f"{record_id} found {len(hit)} times"
    return hit.iloc[0]


def all_rows(vf) -> pd.DataFrame:
    return pd.concat([vf.accepted, vf.set_aside], ignore_index=True)
