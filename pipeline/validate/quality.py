"""Case-level quality checks (thresholds from ``questionnaire.quality``) and duplicate resolution.

Per row: completeness class (share of applicable items with a response: a substantive answer, -8
don't know or -7 invalid; complete >= ``complete_min_share``, break-off < ``breakoff_max_share``),
item nonresponse (-9 among applicable items), straightlining per grid, speeders (web timing), target
population, missing id, consistency rules. Straightlining is checked on grids of at least
``straightlining_min_items`` items that include a reverse-keyed item (see ``Compiled.grids``). What sets a row aside (reasons) vs what only flags it is
decided by :class:`ValidationOptions` (defaults: speeders flagged, hard rules set aside).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.ingest.parse import fmt_number
from pipeline.questionnaire.expr import evaluate
from pipeline.validate.compiled import Compiled, names_in, unknown_mask
from pipeline.validate.harmonise import TableData

PRECEDENCE_KEYS = ("most_complete", "web", "paper", "cati", "latest")


@dataclass(frozen=True)
class ValidationOptions:
    """Choices about what sets a row aside. ``duplicate_precedence`` None: the questionnaire's."""

    set_aside_speeders: bool = False
    set_aside_hard_rules: bool = True
    duplicate_precedence: tuple[str, ...] | None = None


@dataclass
class CaseResult:
    share: np.ndarray  # completeness share
    completeness: np.ndarray  # complete | partial | breakoff
    item_nonresponse: np.ndarray
    reasons: dict[str, np.ndarray] = field(default_factory=dict)  # set-aside reason -> rows (bool)
    flags: dict[str, np.ndarray] = field(default_factory=dict)  # kept but flagged -> rows (bool)


def case_checks(c: Compiled, td: TableData, options: ValidationOptions) -> CaseResult:
    q, n, mode, log, values = c.q, td.n, td.mode, td.log, td.values
    qual = q.quality
    # completeness and item nonresponse on applicable items
    applicable = np.zeros(n)
    responded = np.zeros(n)
    nonresp = np.zeros(n)
    for it in c.completeness_items(mode):
        vs = [values[v] for v in c.variables(it)]
        first = vs[0]
        app = first != -1
        resp = np.zeros(n, dtype=bool)
        for v in vs:
            resp |= (v >= 0) | (v == -7) | (v == -8)
        applicable += app
        responded += app & resp
        nonresp += app & (first == -9)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(applicable > 0, responded / np.maximum(applicable, 1), 0.0)
        inr = np.where(applicable > 0, nonresp / np.maximum(applicable, 1), 0.0)
    completeness = np.where(
        share >= qual.complete_min_share,
        "complete",
        np.where(share < qual.breakoff_max_share, "breakoff", "partial"),
    ).astype(object)
    res = CaseResult(share, completeness, inr)

    rows = np.flatnonzero(completeness == "breakoff")
    res.reasons["breakoff"] = completeness == "breakoff"
    log.issue(
        "breakoff",
        rows,
        values=[f"{s:.0%}" for s in share[rows]],
        details=f"{qual.breakoff_max_share:.0%}",
    )

    ids = td.texts[c.id_variable]
    missing_id = ids == ""
    res.reasons["missing_id"] = missing_id
    log.issue("missing_id", np.flatnonzero(missing_id), item=c.id_variable)

    # the weighting needs every weighting variable (margins have no level for -7/-9)
    wmiss = np.zeros(n, dtype=bool)
    for wvar in q.weighting:
        if wvar in values:
            m = ~(values[wvar] >= 0)
            rows = np.flatnonzero(m)
            log.issue(
                "weighting_variable_missing",
                rows,
                item=wvar,
                values=[fmt_number(x) for x in values[wvar][rows]],
            )
            wmiss |= m
    res.reasons["weighting_variable_missing"] = wmiss

    if c.target is not None:
        rel = evaluate(c.target, values, size=n)
        unknown = ~rel & unknown_mask(c.target, values, n)
        outside = ~rel & ~unknown
        res.reasons["outside_target_population"] = outside
        log.issue("outside_target_population", np.flatnonzero(outside), rule=qual.target_population)
        res.flags["target_population_unknown"] = unknown
        log.issue("target_population_unknown", np.flatnonzero(unknown), rule=qual.target_population)

    sv, smin = qual.speeder_variable, qual.speeder_min_seconds
    if sv and smin is not None and sv in values:
        t = values[sv]
        speed = (t >= 0) & (t < smin)
        (res.reasons if options.set_aside_speeders else res.flags)["speeder"] = speed
        rows = np.flatnonzero(speed)
        log.issue(
            "speeder", rows, item=sv, values=[fmt_number(x) for x in t[rows]], details=f"{smin:g}"
        )

    straight = np.zeros(n, dtype=bool)
    for grid, names in c.grids(mode).items():
        m = np.column_stack([values[x] for x in names])
        same = (m >= 0).all(axis=1) & (m == m[:, :1]).all(axis=1)
        rows = np.flatnonzero(same)
        log.issue(
            "straightlining",
            rows,
            item=grid,
            values=[fmt_number(x) for x in m[rows, 0]],
            details=str(len(names)),
        )
        straight |= same
    res.flags["straightlining"] = straight

    hard = np.zeros(n, dtype=bool)
    soft = np.zeros(n, dtype=bool)
    for rule, check, when in c.rules:
        applies = evaluate(when, values, size=n) if when is not None else np.ones(n, dtype=bool)
        evaluable = np.ones(n, dtype=bool)
        for name in names_in(check):
            evaluable &= values[name] >= 0
        bad = applies & evaluable & ~evaluate(check, values, size=n)
        code = "rule_hard" if rule.severity == "hard" else "rule_soft"
        log.issue(code, np.flatnonzero(bad), rule=rule.id, details=rule.message.get("en"))
        if rule.severity == "hard":
            hard |= bad
        else:
            soft |= bad
    (res.reasons if options.set_aside_hard_rules else res.flags)["rule_hard"] = hard
    res.flags["rule_soft"] = soft
    res.flags["required_missing"] = _required_missing(c, td)
    return res


def _required_missing(c: Compiled, td: TableData) -> np.ndarray:
    out = np.zeros(td.n, dtype=bool)
    for it in c.numeric_in_mode(td.mode):
        if it.required:
            out |= td.values[c.variables(it)[0]] == -9
    return out


def join_codes(masks: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Per row, the codes whose mask is set, sorted and joined with ';' ('' when none)."""
    acc = np.full(n, "", dtype=object)
    for code in sorted(masks):
        acc = acc + np.where(masks[code], code + ";", "").astype(object)
    return np.array([s[:-1] for s in acc], dtype=object)


def resolve_duplicates(
    ids: Sequence[np.ndarray],
    shares: Sequence[np.ndarray],
    modes: Sequence[str],
    has_reason: Sequence[np.ndarray],
    precedence: Sequence[str],
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Rows sharing an id (within and across inputs): keep one, the others lose.

    The kept copy is, in order: one with no other set-aside reason, then by ``precedence``
    (``most_complete``: higher completeness share; ``web``/``paper``/``cati``: that mode first;
    ``latest``: later input, later row), then the earlier input and row. Returns per input the loser
    mask and, for losers, the input and the row (0-based) of the kept copy (-1 elsewhere).
    """
    frames = []
    for t, (i, s, r) in enumerate(zip(ids, shares, has_reason, strict=True)):
        frames.append(
            pd.DataFrame(
                {
                    "id": i.astype(object),
                    "share": s,
                    "reason": r,
                    "mode": modes[t],
                    "t": t,
                    "r": np.arange(len(i)),
                }
            )
        )
    df = pd.concat(frames, ignore_index=True)
    df = df[df["id"] != ""]
    losers = [np.zeros(len(i), dtype=bool) for i in ids]
    winners = [np.full(len(i), -1, dtype=np.int64) for i in ids]
    winner_t = [np.full(len(i), -1, dtype=np.int64) for i in ids]
    dup = df["id"].duplicated(keep=False)
    df = df[dup]
    if df.empty:
        return losers, winner_t, winners
    by, asc = ["reason"], [True]
    for k, p in enumerate(precedence):
        if p == "most_complete":
            by.append("share")
            asc.append(False)
        elif p in ("web", "paper", "cati"):
            df[f"_m{k}"] = df["mode"] != p
            by.append(f"_m{k}")
            asc.append(True)
        elif p == "latest":
            by += ["t", "r"]
            asc += [False, False]
    by += ["t", "r"]
    asc += [True, True]
    df = df.sort_values(by, ascending=asc, kind="mergesort")
    first = df.groupby("id", sort=False)[["t", "r"]].transform("first")
    lose = df["id"].duplicated(keep="first").to_numpy()
    for t, r, wt, wr in zip(
        df["t"].to_numpy()[lose],
        df["r"].to_numpy()[lose],
        first["t"].to_numpy()[lose],
        first["r"].to_numpy()[lose],
        strict=True,
    ):
        losers[t][r] = True
        winners[t][r] = wr
        winner_t[t][r] = wt
    return losers, winner_t, winners
