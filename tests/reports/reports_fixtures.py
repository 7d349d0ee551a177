"""Hand-made estimates tables for the report tests (contract of docs/run-contract.md), written without
the estimation code: employees and self-employed (group rows, standard breakdowns, crossed rows,
module rows, tests against the rest of Flanders), the previous wave under its own names, and the
enterprise survey (sector group x size class)."""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from pipeline.questionnaire.model import Questionnaire
from pipeline.reports.context import ReportContext, ResponseInfo, WeightingSummary
from tests.modules import MODULES

CTX = ReportContext(
    run_id="run-test",
    counts_by_mode=(("paper", 812), ("web", 1588)),
    response=ResponseInfo(invited=10000, responded=2400),
    weighting=WeightingSummary(method="raking", n=2400, kish_deff=1.4321),
    synthetic=True,
)

SUPPRESSED_GROUP = 8  # every row of this group has n < 30
UNRELIABLE_GROUP = 11  # n = 42: unreliable
SECRET_GROUP = 3  # one suppressed acute cell with a distinctive value
SECRET_VALUE = 0.98765  # would show as "98,8" if it ever leaked
CROSSES = ("sex", "age_band", "statute", "occupation", "arbeidsregime", "education")


def indicator_names(q: Questionnaire) -> list[str]:
    out = []
    for ind in q.indicators:
        if ind.kind == "traffic_light":
            out += [ind.name, ind.name + "_acuut"]
        elif ind.kind == "composite":
            out.append(ind.name)
        elif ind.kind == "count":
            out += [
                f"{ind.name}_{lo}" if lo == hi else f"{ind.name}_{lo}_{hi}" for lo, hi in ind.bands
            ]
    return out


def _row(
    rng: np.random.Generator, name: str, by: str, level: str, n: int, *, test: bool
) -> dict[str, object]:
    p = float(rng.uniform(0.15, 0.75))
    if name.endswith("_acuut"):
        p *= float(rng.uniform(0.2, 0.6))
    se = float(np.sqrt(p * (1 - p) / max(n, 1)) * 1.2)
    flags = "suppressed" if n < 30 else "unreliable" if n < 50 else ""
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
        "df": max(n - 1, 0),
        "diff": np.nan,
        "diff_se": se if test else np.nan,
        "p_value": pv,
        "significant": (pv < 0.05) if test else pd.NA,
    }


def _levels(q: Questionnaire, var: str) -> list[int]:
    for d in q.derived:
        if d.name == var:
            return [b.code for b in d.bands]
    return [c.code for c in q.choices_of(q.item(var))]


def _finish(rows: list[dict[str, object]]) -> pd.DataFrame:
    overall = {r["indicator"]: cast(float, r["estimate"]) for r in rows if r["by"] == ""}
    # the difference with (roughly) the rest of Flanders, so direction and sign agree
    group = {
        (r["indicator"], r["by"], r["level"]): cast(float, r["estimate"])
        for r in rows
        if r["by"] and ":" not in str(r["by"])
    }
    for r in rows:
        if r["by"] and ":" not in str(r["by"]) and pd.notna(r["p_value"]):
            r["diff"] = cast(float, r["estimate"]) - overall[r["indicator"]]
        elif ":" in str(r["by"]) and pd.notna(r["p_value"]):  # (roughly) the rest of the group
            key = (r["indicator"], str(r["by"]).split(":")[0], str(r["level"]).split(":")[0])
            r["diff"] = cast(float, r["estimate"]) - group[key]
    df = pd.DataFrame(rows)
    df["significant"] = df["significant"].astype("boolean")
    return df


def wbm_table(
    q: Questionnaire,
    *,
    seed: int = 7,
    modules: tuple[str, ...] = MODULES,
    crosses: tuple[str, ...] = CROSSES,
    suppressed: int = SUPPRESSED_GROUP,
    unreliable: int = UNRELIABLE_GROUP,
) -> pd.DataFrame:
    """Employees or self-employed: overall, every domain, the report domain crossed with ``crosses``."""
    rng = np.random.default_rng(seed)
    names = indicator_names(q) + list(modules)
    domain = q.domains[0]
    rows = [_row(rng, n, "", "", 2400, test=False) for n in names]
    codes = _levels(q, domain)
    for code in codes:
        n = 21 if code == suppressed else 42 if code == unreliable else 120 + 10 * code
        rows += [_row(rng, name, domain, str(code), n, test=True) for name in names]
    for other in q.domains[1:]:
        for i, lv in enumerate(_levels(q, other)):
            rows += [_row(rng, name, other, str(lv), 200 + 20 * i, test=True) for name in names]
    for other in crosses:
        if other not in q.domains:
            continue
        lvls = _levels(q, other)
        for code in codes:
            if code == suppressed:
                continue
            for i, lv in enumerate(lvls):
                n = 12 if (code == 5 and i == len(lvls) - 1) else 35 + 9 * i + code
                # the crossed rows carry the test against the rest of their group (within.py)
                rows += [
                    _row(rng, name, f"{domain}:{other}", f"{code}:{lv}", n, test=True)
                    for name in names
                ]
    for r in rows:
        if (
            r["indicator"] == f"{names[0]}_acuut"
            and r["by"] == domain
            and r["level"] == str(SECRET_GROUP)
        ):
            r.update(
                n=29, flags="suppressed", estimate=SECRET_VALUE, ci_low=0.97531, ci_high=0.99135
            )
    return _finish(rows)


def previous_table(q_now: Questionnaire, now: pd.DataFrame, *, seed: int = 3) -> pd.DataFrame:
    """The previous wave's table under that wave's names (the mapping of ``q_now`` reversed)."""
    assert q_now.mapping is not None
    rng = np.random.default_rng(seed)
    ind = dict(q_now.mapping.indicators)
    var = dict(q_now.mapping.items)
    prev = now[
        ~now["indicator"].str.startswith("mod_haalbaar_pensioen")
    ].copy()  # one module absent last wave

    def rename(name: str) -> str:
        base, acute = (name[:-6], "_acuut") if name.endswith("_acuut") else (name, "")
        return ind.get(base, base) + acute

    prev["indicator"] = [rename(n) for n in prev["indicator"]]
    prev["by"] = [":".join(var.get(p, p) for p in b.split(":")) if b else "" for b in prev["by"]]
    shift = rng.normal(0, 0.04, size=len(prev))
    prev["estimate"] = np.clip(prev["estimate"].to_numpy(float) + shift, 0.01, 0.99)
    prev["ci_low"] = np.clip(prev["estimate"] - 0.05, 0, 1)
    prev["ci_high"] = np.clip(prev["estimate"] + 0.05, 0, 1)
    prev["n"] = np.where(prev["n"] < 30, prev["n"], prev["n"].astype(int) + 7)  # small stays small
    prev["flags"] = np.where(
        prev["n"] < 30, "suppressed", np.where(prev["n"] < 50, "unreliable", "")
    )
    prev = prev.drop(columns=["diff", "diff_se", "p_value", "significant"])
    return prev.reset_index(drop=True)


def oe_table(q: Questionnaire, *, seed: int = 5) -> pd.DataFrame:
    """Enterprise survey: overall, sector_group, size_class and their crossing (one cell small)."""
    rng = np.random.default_rng(seed)
    names = indicator_names(q) + ["mod_telewerk"]
    rows = [_row(rng, n, "", "", 1650, test=False) for n in names]
    for d in q.domains:
        for i, lv in enumerate(_levels(q, d)):
            rows += [_row(rng, name, d, str(lv), 150 + 60 * i, test=True) for name in names]
    a, b = q.domains[:2]
    for la in _levels(q, a):
        for lb in _levels(q, b):
            n = 17 if (la, lb) == (2, 4) else 44 if (la, lb) == (1, 4) else 60 + 10 * la + 5 * lb
            rows += [_row(rng, name, f"{a}:{b}", f"{la}:{lb}", n, test=False) for name in names]
    return _finish(rows)


def risk_profile_table(q: Questionnaire, *, seed: int = 11) -> pd.DataFrame:
    """A hand-made risk-profile table (columns of pipeline.estimation.riskprofile): every
    workability problem x risk factor, overall and per group of the report domain; the suppressed
    group's rows are suppressed, one row of group 1 is not estimable, group 11 is unreliable."""
    rng = np.random.default_rng(seed)
    tl = [i for i in q.indicators if i.kind == "traffic_light"]
    work = [i.name for i in tl if i.group == "workability"]
    risk = [i.name for i in tl if i.group == "risk"]
    domain = q.domains[0]
    groups = [("", "")] + [(domain, str(c)) for c in _levels(q, domain)]
    rows = []
    for w in work:
        for r in risk:
            for by, level in groups:
                pr = float(rng.uniform(0.8, 2.6))
                paf = float(rng.uniform(-0.05, 0.4))
                flags = ""
                if level == str(SUPPRESSED_GROUP):
                    flags = "suppressed"
                elif level == "1" and r == risk[-1] and w == work[0]:
                    flags = "not_estimable"
                elif level == str(UNRELIABLE_GROUP):
                    flags = "unreliable"
                blank = flags in ("suppressed", "not_estimable")
                rows.append(
                    {
                        "outcome": w,
                        "exposure": r,
                        "by": by,
                        "level": level,
                        "n": 21 if flags == "suppressed" else 300,
                        "n_exposed": 90,
                        "pr": np.nan if blank else pr,
                        "pr_low": np.nan if blank else pr * 0.8,
                        "pr_high": np.nan if blank else pr * 1.25,
                        "p_value": np.nan if blank else float(rng.uniform(0, 0.1)),
                        "significant": pd.NA,
                        "paf": np.nan if blank else paf,
                        "paf_low": np.nan if blank else paf - 0.08,
                        "paf_high": np.nan if blank else paf + 0.07,
                        "df": 290,
                        "flags": flags,
                        "adjusted_for": "age_band;sex",
                    }
                )
    df = pd.DataFrame(rows)
    df["significant"] = (df["p_value"] < 0.05).where(df["p_value"].notna(), pd.NA)
    df["significant"] = df["significant"].astype("boolean")
    return df


def numeric_table(q: Questionnaire, levels: tuple[str, ...] = ("5", "8", "11")) -> pd.DataFrame:
    """Means and medians of the numeric indicators (``numeric_estimates.csv``) for Flanders and some
    sectors; sector 8 suppressed, sector 11 unreliable (as in :func:`wbm_table`)."""
    rows = []
    for ind in q.indicators:
        if ind.kind != "numeric":
            continue
        for by, level in [("", ""), *(("sector", lv) for lv in levels)]:
            k = 0 if not level else int(level)
            for stat, est in (("mean", 27.43 + k / 10), ("median", 25.0 + k)):
                flags = {"8": "suppressed", "11": "unreliable"}.get(level, "")
                rows.append(
                    {
                        "indicator": ind.name,
                        "variable": ind.variable,
                        "stat": stat,
                        "by": by,
                        "level": level,
                        "n": 2400 if not level else {"8": 12, "11": 42}.get(level, 310),
                        "weighted_n": 1000.0,
                        "estimate": np.nan if flags == "suppressed" else est,
                        "se": 1.1,
                        "ci_low": est - 2.2,
                        "ci_high": est + 2.1,
                        "df": 300.0,
                        "flags": flags,
                    }
                )
    return pd.DataFrame(rows)
