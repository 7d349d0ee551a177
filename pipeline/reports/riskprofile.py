"""The reports' risk profile per workability problem: for every risk factor the share exposed in the
group (from the estimates table), the prevalence ratio with its CI (adjusted for age and sex) and
the population attributable fraction (from the estimate stage's ``risk_profiles.csv``), so a
sector can see which risk weighs most and how many people it concerns.

Every number carries ``data-rp-key`` (``outcome|exposure|by|level``) and ``data-rp-field`` so a test
can trace it to its row, as ``data-key`` does for the estimates table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.reports.estimates import DASH, Cell, Estimates, fmt_number
from pipeline.reports.labels import indicator_groups, indicator_label

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.questionnaire.model import Questionnaire


@dataclass(frozen=True)
class Effect:
    """One risk factor for one problem in one group."""

    exposure: str
    label: str
    exposed: Cell | None  # share exposed in the group (estimates table)
    key: str  # outcome|exposure|by|level
    n: int
    shown: bool  # False: suppressed or not estimable (a dash)
    unreliable: bool
    significant: bool
    pr: float
    pr_low: float
    pr_high: float
    paf: float
    paf_low: float
    paf_high: float

    def text(self, field: str) -> str:
        """The field as the report prints it: PR with two decimals, PAF as a percentage; between
        parentheses when unreliable."""
        if not self.shown:
            return DASH
        t = self._text(field)
        return f"({t})" if self.unreliable else t

    def _text(self, field: str) -> str:
        if field == "pr":
            return fmt_number(self.pr, 2)
        if field == "pr_ci":
            return f"{fmt_number(self.pr_low, 2)}–{fmt_number(self.pr_high, 2)}"
        if field == "paf":
            return fmt_number(self.paf * 100, 1)
        if field == "paf_ci":
            return f"{fmt_number(self.paf_low * 100, 1)}–{fmt_number(self.paf_high * 100, 1)}"
        raise KeyError(field)


@dataclass(frozen=True)
class Profile:
    """The risk profile of one problem: an effect per risk factor, and the factor that weighs most
    (the significant one with the largest attributable fraction)."""

    outcome: str
    label: str
    effects: tuple[Effect, ...]
    top: Effect | None


def _num(v: object) -> float:
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return f


def profiles(
    table: pd.DataFrame | None, est: Estimates, q: Questionnaire, by: str, level: str
) -> tuple[Profile, ...]:
    """The profiles of (by, level) (``by`` "" = Flanders), in questionnaire order; () without a
    table or without rows for this group."""
    if table is None or len(table) == 0:
        return ()
    bys = table["by"].fillna("").astype(str)
    levels = table["level"].fillna("").astype(str)
    rows = table[(bys == by) & (levels == level)]
    if len(rows) == 0:
        return ()
    index = {(str(r["outcome"]), str(r["exposure"])): r for _i, r in rows.iterrows()}
    groups = indicator_groups(q)
    out = []
    for w in groups.workability:
        effects = []
        for r in groups.risk:
            row = index.get((w.name, r.name))
            if row is None:
                continue
            flags = set(str(row["flags"] or "").split(";"))
            exposed = est.get(r.name, by, level) if by else est.overall(r.name)
            # shown only where the group's share exposed is published: a group the disclosure
            # engine hides (pipeline.tables.figures) shows no ratio and no n either
            shown = (
                not ({"suppressed", "not_estimable"} & flags)
                and math.isfinite(_num(row["pr"]))
                and exposed is not None
                and not exposed.suppressed
            )
            sig = row["significant"]
            effects.append(
                Effect(
                    exposure=r.name,
                    label=r.label.nl,
                    exposed=exposed,
                    key=f"{w.name}|{r.name}|{by}|{level}",
                    n=int(row["n"]),
                    shown=shown,
                    unreliable="unreliable" in flags,
                    significant=bool(shown and isinstance(sig, bool | int) and sig)
                    or (shown and str(sig).lower() == "true"),
                    pr=_num(row["pr"]),
                    pr_low=_num(row["pr_low"]),
                    pr_high=_num(row["pr_high"]),
                    paf=_num(row["paf"]),
                    paf_low=_num(row["paf_low"]),
                    paf_high=_num(row["paf_high"]),
                )
            )
        if not effects:
            continue
        candidates = [e for e in effects if e.shown and e.significant and e.pr > 1]
        top = max(candidates, key=lambda e: e.paf) if candidates else None
        out.append(Profile(w.name, indicator_label(q, w.name), tuple(effects), top))
    return tuple(out)
