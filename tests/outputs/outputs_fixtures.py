"""Builders of hand-made inputs for the output tests: a small estimates table and a scored, weighted frame.

They follow the run-directory contract (docs/run-contract.md) without calling the estimation or scoring
code, so these tests depend only on the questionnaire and the output modules.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from pipeline.questionnaire.model import Questionnaire

SUPPRESSED_SECTOR = 8  # horeca: every row suppressed (n = 21)
UNRELIABLE_SECTOR = 11  # n = 42: every row unreliable
SECRET_SECTOR = 3  # metaal: one suppressed acute cell with a distinctive value
SECRET_VALUE = 0.98765  # would show as "98,8" if it ever leaked


def indicator_names(q: Questionnaire) -> list[str]:
    out = []
    for ind in q.indicators:
        if ind.kind == "traffic_light":
            out += [ind.name, ind.name + "_acuut"]
        elif ind.kind == "composite":
            out.append(ind.name)
    return out


def _row(
    rng: np.random.Generator, name: str, by: str, level: str, n: int, *, test: bool
) -> dict[str, object]:
    p = float(rng.uniform(0.15, 0.75))
    if name.endswith("_acuut"):
        p *= float(
            rng.uniform(0.2, 0.6)
        )  # acute is part of the problem share (indicators come in pairs)
    se = float(np.sqrt(p * (1 - p) / n) * 1.2)
    flags = "suppressed" if n < 30 else "unreliable" if n < 50 else ""
    diff = float(rng.normal(0, 0.05)) if test else np.nan
    pv = float(rng.uniform(0, 0.2)) if test else np.nan
    return {
        "indicator": name,
        "by": by,
        "level": level,
        "n": n,
        "weighted_n": n * 101.5,
        "estimate": p,
        "se": se,
        "ci_low": max(p - 1.96 * se, 0.0),
        "ci_high": min(p + 1.96 * se, 1.0),
        "deff": 1.44,
        "flags": flags,
        "stat": "proportion",
        "ci_method": "logit",
        "df": n - 1,
        "diff": diff,
        "diff_se": se if test else np.nan,
        "p_value": pv,
        "significant": (pv < 0.05) if test else pd.NA,
    }


def make_estimates(q: Questionnaire, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    names = indicator_names(q)
    rows = [_row(rng, n, "", "", 2400, test=False) for n in names]
    sectors = [c.code for c in q.choices_of(q.item("sector"))]
    for code in sectors:
        n = (
            21
            if code == SUPPRESSED_SECTOR
            else 42
            if code == UNRELIABLE_SECTOR
            else 120 + 10 * code
        )
        rows += [_row(rng, name, "sector", str(code), n, test=True) for name in names]
    for r in rows:  # one suppressed acute cell with a value that must never be shown
        if (
            r["indicator"] == "werkstress_acuut"
            and r["by"] == "sector"
            and r["level"] == str(SECRET_SECTOR)
        ):
            r.update(
                n=29, flags="suppressed", estimate=SECRET_VALUE, ci_low=0.97531, ci_high=0.99135
            )
    for code in (SECRET_SECTOR, 5):  # crossed rows sector x sex, sex 2 in sector 5 too small
        for sex in (1, 2):
            n = 12 if (code, sex) == (5, 2) else 60 + 5 * sex
            rows += [
                _row(rng, name, "sector:sex", f"{code}:{sex}", n, test=False) for name in names
            ]
    overall = {r["indicator"]: cast(float, r["estimate"]) for r in rows if r["by"] == ""}
    # the difference with (roughly) the rest of Flanders, so direction and sign agree
    for r in rows:
        if r["by"] == "sector":
            r["diff"] = cast(float, r["estimate"]) - overall[r["indicator"]]
    df = pd.DataFrame(rows)
    df["significant"] = df["significant"].astype("boolean")
    return df


def make_frame(q: Questionnaire, n: int = 60, seed: int = 11) -> pd.DataFrame:
    """A scored, weighted analysis frame as ``03_score/scored.parquet`` holds it (hand-made values)."""
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {}
    for item in q.items:
        if item.type.value == "text":
            data[item.name] = (
                [f"S{i:06d}" for i in range(1, n + 1)]
                if item.name == q.study.id_variable
                else [f"vrije tekst {i}" if i % 3 else "" for i in range(n)]
            )
            continue
        if item.type.value in ("single", "multiple"):
            codes = [c.code for c in q.choices_of(item)]
            v = rng.choice(codes, size=n).astype("float64")
        else:
            lo = item.limits.hard_min if item.limits and item.limits.hard_min is not None else 0
            hi = item.limits.hard_max if item.limits and item.limits.hard_max is not None else 100
            v = rng.integers(int(lo), int(hi) + 1, size=n).astype("float64")
            if item.type.value == "decimal":
                v = v + 0.5
        if item.missing:
            v[rng.random(n) < 0.08] = rng.choice(item.missing)
        data[item.name] = v
    age = np.asarray(data["age"])
    band = np.full(n, -9.0)
    for b in q.derived[0].bands:
        band[(age >= b.low) & (age <= b.high)] = b.code
    data["age_band"] = band
    data["_mode"] = rng.choice(["paper", "web"], size=n)
    data["_source_file"] = np.where(data["_mode"] == "paper", "paper_keyed.csv", "web_export.sav")
    data["_source_row"] = np.arange(1, n + 1)
    data["_record_id"] = [f"rec-{i}" for i in range(n)]
    data["_completeness"] = rng.choice(["complete", "partial"], size=n)
    w = rng.uniform(50, 150, size=n)
    data["weight"], data["weight_normalised"] = w, w / w.mean()
    for s in q.scales:
        sc = rng.uniform(0, 100, size=n)
        sc[rng.random(n) < 0.05] = np.nan
        data[f"score_{s.name}"] = sc
    problems: list[np.ndarray] = []
    for ind in q.indicators:
        if ind.kind != "traffic_light":
            continue
        tl = rng.integers(0, 3, size=n).astype("float64")
        data[f"tl_{ind.name}"], data[ind.name], data[f"{ind.name}_acuut"] = (
            tl,
            (tl >= 1) * 1.0,
            (tl == 2) * 1.0,
        )
        if ind.group == "workability":
            problems.append(np.asarray(data[ind.name]))
    count = np.sum(problems, axis=0)
    data["werkbaar_werk"], data["aantal_problemen"] = (count == 0) * 1.0, count
    return pd.DataFrame(data)
