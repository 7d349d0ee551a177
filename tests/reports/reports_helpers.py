"""Helpers of the report tests: an HTML scanner (stdlib only) and the expected text of a traced
number, written independently of the modules under test."""

from __future__ import annotations

import math
import re

import pandas as pd

from pipeline.questionnaire.model import Questionnaire
from tests.htmlscan import Scan, scan  # noqa: F401  (re-exported for the report tests)

DECIMAL = re.compile(r"[+-]?\d+,\d+")


def pct(v: float) -> str:
    s = f"{v * 100:.1f}"
    return ("0.0" if s == "-0.0" else s).replace(".", ",")


def flags_of(row: pd.Series, suffix: str = "") -> set[str]:
    v = row.get("flags" + suffix)
    return (
        set()
        if v is None or (isinstance(v, float) and math.isnan(v))
        else {f for f in str(v).split(";") if f}
    )


def expected_text(row: pd.Series, field: str, suffix: str = "") -> str:
    """What a cell must show for ``field``; ``suffix`` "_prev" reads the previous-wave columns."""
    flags = flags_of(row, suffix)
    if "suppressed" in flags:  # its n too: a hidden cell's n could be differenced
        return "–"
    if field == "n":  # a point between thousands: 2.826
        return f"{int(row['n' + suffix]):,}".replace(",", ".")
    est = float(row["estimate" + suffix])
    if field == "value":
        return pct(est)
    if field == "estimate":
        return f"({pct(est)})" if "unreliable" in flags else pct(est)
    if field == "ci":
        return f"{pct(float(row['ci_low' + suffix]))} – {pct(float(row['ci_high' + suffix]))}"
    if field == "diff":
        s = pct(float(row["diff"]))
        return s if s.startswith("-") or s == "0,0" else "+" + s
    raise AssertionError(field)


def lookup(df: pd.DataFrame, key: str) -> pd.Series:
    ind, by, level = key.split("|")
    bys = df["by"].fillna("").astype(str)
    levels = df["level"].fillna("").astype(str)
    hit = df[(df["indicator"] == ind) & (bys == by) & (levels == level)]
    assert len(hit) == 1, key
    return hit.iloc[0]


def current_key(q: Questionnaire, prev_key: str) -> str:
    """This wave's key of a previous-wave key (the questionnaire's mapping reversed)."""
    assert q.mapping is not None
    ind = {p: n for n, p in q.mapping.indicators}
    var = {p: n for n, p in q.mapping.items}
    name, by, level = prev_key.split("|")
    base, acute = (name[:-6], "_acuut") if name.endswith("_acuut") else (name, "")
    by_now = ":".join(var.get(p, p) for p in by.split(":")) if by else ""
    return f"{ind.get(base, base)}{acute}|{by_now}|{level}"


def wave_p_value(now: pd.Series, prev: pd.Series) -> float:
    """Two independent samples, z test (R: 2 * pnorm(-abs(diff / sqrt(se1^2 + se2^2))))."""
    z = (float(now["estimate"]) - float(prev["estimate"])) / math.sqrt(
        float(now["se"]) ** 2 + float(prev["se"]) ** 2
    )
    return math.erfc(abs(z) / math.sqrt(2))


def check_traced(
    html: str,
    table: pd.DataFrame,
    *,
    previous: pd.DataFrame | None = None,
    q: Questionnaire | None = None,
) -> int:
    """Assert every traced number of the page equals the row it names; returns how many."""
    s = scan(html)
    for attrs, text in s.traced:
        key, field, source = (
            str(attrs["data-key"]),
            str(attrs["data-field"]),
            attrs.get("data-source") or "",
        )
        if source == "previous":
            assert previous is not None and q is not None
            row = lookup(previous, key)
        else:
            row = lookup(table, key)
        suffix = "_prev" if source == "previous-columns" else ""
        if field == "significant":
            assert bool(row["significant"]) == (attrs["data-value"] == "true"), key
            if row["significant"]:
                assert text.startswith("hoger" if row["diff"] > 0 else "lager"), (key, text)
            continue
        if field == "wave_significant":
            if source == "previous":
                assert previous is not None and q is not None
                now, prev = lookup(table, current_key(q, key)), row
                p = wave_p_value(now, prev)
                diff = float(now["estimate"]) - float(prev["estimate"])
            else:
                p, diff = float(row["wave_p_value"]), float(row["wave_diff"])
            assert (p < 0.05) == (attrs["data-value"] == "true"), (key, p)
            if p < 0.05:
                assert text.startswith("gestegen" if diff > 0 else "gedaald"), (key, text)
            continue
        assert text.removesuffix("%") == expected_text(row, field, suffix), (attrs, text)
    return len(s.traced)


def decimals(html: str) -> set[str]:
    return set(DECIMAL.findall(" ".join(scan(html).text)))


def allowed_decimals(
    rows: pd.DataFrame, q: Questionnaire | None = None, extra: set[str] | None = None
) -> set[str]:
    out = set(extra or ())
    if q is not None:
        for ind in q.indicators:
            for c in (ind.cutoffs or {}).values():
                out |= {
                    f"{v:.1f}".replace(".", ",")
                    for v in (c.problematisch, c.acuut)
                    if v is not None
                }
    for _, r in rows.iterrows():
        if "suppressed" in flags_of(r):
            continue
        out |= {pct(float(r[c])) for c in ("estimate", "ci_low", "ci_high") if pd.notna(r[c])}
        if "diff" in r and pd.notna(r["diff"]):
            out.add(expected_text(r, "diff"))
    return out
