"""A crude reader of a synthetic wave for the generator's own tests (not the pipeline's validation).

It only makes the two files scoreable: blanks and non-numeric keying become -9 / -7, codes outside
an item's choices become -7, system-missing web answers -9; duplicates keep the web record; rows with
working == 2 are dropped; age_band is derived. Good enough to check that the generated data carry the
intended signal (weighted estimates recover the truth, unweighted ones are biased).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.questionnaire.model import ItemType, Questionnaire


def _codes(q: Questionnaire, name: str) -> set[float] | None:
    it = q.item(name)
    if it.type != ItemType.single:
        return None
    return {float(c.code) for c in q.choices_of(it)}


def read_wave(q: Questionnaire, wave: Path) -> pd.DataFrame:
    import pyreadstat

    paper = pd.read_csv(wave / "paper_keyed.csv", dtype=str, keep_default_na=False)
    web, _meta = pyreadstat.read_sav(str(wave / "web_export.sav"), user_missing=True)
    numeric = [
        it.name
        for it in q.items
        if it.type in (ItemType.single, ItemType.integer, ItemType.decimal)
    ]
    rows = []
    for df, mode in ((paper, "paper"), (web, "web")):
        out = pd.DataFrame({"sample_id": df["sample_id"].astype(str), "_mode": mode})
        for name in numeric:
            if name not in df.columns:
                continue
            if mode == "paper":
                text = df[name].str.replace(",", ".", regex=False)
                vals = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
                vals = np.where(
                    df[name].to_numpy() == "", -9.0, np.where(np.isnan(vals), -7.0, vals)
                )
            else:
                vals = df[name].to_numpy(dtype=float)
                vals = np.where(np.isnan(vals), -9.0, vals)
            codes = _codes(q, name)
            if codes is not None:
                vals = np.where((vals >= 0) & ~np.isin(vals, list(codes)), -7.0, vals)
            out[name] = vals
        rows.append(out)
    data = pd.concat(rows, ignore_index=True)
    data = data.sort_values("_mode", ascending=False, kind="stable").drop_duplicates("sample_id")
    data = data[data["working"] != 2.0]
    bands = next(d for d in q.derived if d.name == "age_band").bands
    age = data["age"].to_numpy()
    band = np.full(age.shape[0], np.nan)
    for b in bands:
        band[(age >= b.low) & (age <= b.high)] = b.code
    data = data.assign(age_band=band)
    keys = ["sex", "age_band", "sector", "statute", "province"]
    ok = np.ones(len(data), dtype=bool)
    for k in keys:
        ok &= data[k].to_numpy() >= 0
        ok &= ~np.isnan(data[k].to_numpy())
    return data[ok].reset_index(drop=True)
