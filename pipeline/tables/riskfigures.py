"""The risk profiles' prevalence ratios and attributable fractions as report figures (policy
``protect_reports: true``; ``risk_profiles.csv``, a Poisson model adjusted for age and sex).

A prevalence ratio of exposure E for outcome Y in a group, with the published share with Y in the
group and the published share exposed, gives back (approximately: the ratio is adjusted for age
and sex) the crossing of E and Y within the group: the share with Y among the exposed and among
the unexposed. So that crossing is published as figures of its own: for every exposure of the risk
profiles, a table of each outcome by the risk profiles' breakdown (the report domain, with its
total: Flanders) and the exposure (0 and 1, with its total; the respondents who answered both) is
a table of the figures' joint space (:func:`pipeline.tables.figures.protect_figures`, the same
:func:`pipeline.sdc.tables.space.protect_space` call): primary and secondary suppression, the
differencing checks against every other figure and the ledger, logged with the report's release.

A ratio (with its interval, p-value and attributable fraction) is shown only where

- the engine released both cells it rests on: the outcome's share among the exposed and among the
  unexposed of the group;
- each of the four counts of the crossing (exposed or not, with the outcome or without) is at least
  the policy's ``min_n_count`` (and at least 1): a ratio with an empty or tiny cell is a class
  disclosure (everyone exposed has the outcome, or nobody unexposed has it);
- the model's respondents are exactly those two cells' (its n and its number exposed equal theirs):
  a respondent the model left out (no age or sex) would otherwise be the difference of two
  published counts.

Otherwise its row is flagged ``suppressed`` and its numbers removed (the report shows a dash with
its true reason). A pair whose outcome or exposure is not a figure the reports' requests have for
both Flanders and the breakdown gets no crossing and is suppressed (fail closed). The reports also
need the share exposed in the group published (:mod:`pipeline.reports.riskprofile`).

Residual: the adjusted ratio is not exactly a function of the released cells; it also reads the
age and sex of those cells' respondents (as a released cell's interval reads their weights). It is
one model summary over the respondents of released cells of at least ``min_n_count`` each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.rundata.levels import CROSS_SEP, level_text
from pipeline.sdc.tables.rules import public_flag
from pipeline.sdc.tables.structure import TOTAL

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from pipeline.estimation.design import Design
    from pipeline.tables.compute import IndicatorTable
    from pipeline.tables.source import WaveData

SUPPRESSED = "suppressed"
#: The numbers of a risk-profile row a suppressed row loses (``n`` stays: the table contract).
RATIO_NUMBERS = ("pr", "pr_low", "pr_high", "p_value", "paf", "paf_low", "paf_high")
#: (outcome, exposure, by, level) of a risk-profile row (``by`` "" = Flanders).
RiskKey = tuple[str, str, str, str]


@dataclass(frozen=True)
class CrossingCell:
    """One cell of a crossing (the unexposed or the exposed of a group): whether the engine
    released it, its respondents and those of them with the outcome."""

    released: bool
    n: int
    cases: int


#: Per risk-profile row: its (unexposed, exposed) cells.
Crossings = Mapping[RiskKey, tuple[CrossingCell, CrossingCell]]


def risk_breakdown(risk: pd.DataFrame | None) -> str | None:
    """The breakdown the risk profiles are computed by ('' = Flanders only); None: no rows."""
    if risk is None or len(risk) == 0:
        return None
    bys = sorted({b for b in risk["by"].fillna("").astype(str) if b})
    return bys[0] if len(bys) == 1 else ""


def crossing_plan(
    risk: pd.DataFrame | None, indicators: Mapping[str, Sequence[str]]
) -> tuple[str, dict[str, list[str]]]:
    """The breakdown of the crossings and, per exposure, its outcomes (in the risk table's order):
    the pairs of the risk profiles whose outcome and exposure are both indicators of the figures'
    requests for Flanders and for that breakdown (``indicators``: breakdown -> its indicators)."""
    by = risk_breakdown(risk)
    if by is None or risk is None:
        return "", {}
    have = set(indicators.get("", ())) & set(indicators.get(by, ()))
    out: dict[str, list[str]] = {}
    for outcome, exposure in zip(
        risk["outcome"].astype(str), risk["exposure"].astype(str), strict=True
    ):
        if outcome in have and exposure in have and outcome != exposure:
            outs = out.setdefault(exposure, [])
            if outcome not in outs:
                outs.append(outcome)
    return by, out


def crossing_label(by: str, exposure: str) -> str:
    """The breakdown a crossing's tables are logged under: the risk profiles' breakdown crossed
    with the exposure."""
    return f"{by}{CROSS_SEP}{exposure}" if by else exposure


def crossing_tables(
    data: WaveData,
    by: str,
    exposure: str,
    outcomes: Sequence[str],
    disclosure: dict[str, int] | None,
    columns: Mapping[str, np.ndarray],
    design: Design,
) -> tuple[dict[str, object], tuple[IndicatorTable, ...]]:
    """The request (as hashed for the release: the breakdown's request for the outcomes, with
    ``crossed``: the exposure) and the tables of the outcomes by ``by`` and ``exposure``."""
    from pipeline.tables.compute import crossing_table
    from pipeline.tables.figures import figures_request
    from pipeline.tables.request import parse_request, resolve

    q = data.questionnaire
    where = f"report figures (risicoprofiel {exposure}, {by or 'Vlaanderen'})"
    request = figures_request(data, by, list(outcomes), disclosure)
    resolved = resolve(
        parse_request(request, where),
        where,
        loaded=q,
        cutoff_populations={q.study.wave: data.cutoff_population},
    )
    wave = resolved.wave(data.wave)
    tables = tuple(
        crossing_table(resolved, wave, data, columns, y, design, exposure) for y in outcomes
    )
    label = crossing_label(by, exposure).replace(CROSS_SEP, "-")
    hashed = {**request, "id": f"{q.study.id}-rapport-risico-{label}".lower(), "crossed": exposure}
    return hashed, tables


def crossing_cells(
    t: IndicatorTable,
    statuses: Sequence[str],
    by: str,
    exposure: str,
    columns: Mapping[str, np.ndarray],
) -> dict[RiskKey, tuple[CrossingCell, CrossingCell]]:
    """The cells of one crossing table (:func:`crossing_tables`) per risk-profile row: Flanders
    (the breakdown's total) and each level of ``by``."""
    import numpy as np

    y = np.asarray(columns[t.variable], dtype=float)
    found: dict[tuple[str, str], dict[str, CrossingCell]] = {}
    for i, key in enumerate(t.structure.keys):
        *inner, e = key
        if e == TOTAL:
            continue
        group = ("", "") if not inner or inner[0] == TOTAL else (by, level_text(inner[0]))
        m = t.masks[:, i]
        found.setdefault(group, {})[e] = CrossingCell(
            public_flag(statuses[i]) != SUPPRESSED, int(m.sum()), int((m & (y == 1)).sum())
        )
    return {
        (t.indicator, exposure, b, lv): (cells["0"], cells["1"])
        for (b, lv), cells in found.items()
        if "0" in cells and "1" in cells
    }


def ratio_shown(
    row: Mapping[str, object], cells: tuple[CrossingCell, CrossingCell] | None, min_count: int
) -> bool:
    """Whether a risk-profile row may be shown (the rules of the module)."""
    if cells is None:
        return False
    least = max(int(min_count), 1)
    unexposed, exposed = cells
    if not (unexposed.released and exposed.released):
        return False
    counts = (
        unexposed.cases,
        unexposed.n - unexposed.cases,
        exposed.cases,
        exposed.n - exposed.cases,
    )
    if min(counts) < least:
        return False
    try:
        n, n_exposed = int(row["n"]), int(row["n_exposed"])  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False
    return n == unexposed.n + exposed.n and n_exposed == exposed.n


def protected_risk(risk: pd.DataFrame, crossings: Crossings, min_count: int) -> pd.DataFrame:
    """The risk-profile table as the reports may show it: every row :func:`ratio_shown` does not
    allow flagged ``suppressed``, its numbers removed."""
    import numpy as np

    out = risk.copy()
    keys = zip(
        out["outcome"].astype(str),
        out["exposure"].astype(str),
        out["by"].fillna("").astype(str),
        out["level"].fillna("").astype(str),
        strict=True,
    )
    rows = out.to_dict("records")
    hide = np.array(
        [
            not ratio_shown(r, crossings.get((o, e, b, level_text(lv) if lv else "")), min_count)
            for r, (o, e, b, lv) in zip(rows, keys, strict=True)
        ],
        dtype=bool,
    )
    if not hide.any():
        return out
    flags = out["flags"].fillna("").astype(str).tolist()
    out["flags"] = [_add(f) if h else f for f, h in zip(flags, hide.tolist(), strict=True)]
    for c in RATIO_NUMBERS:
        if c in out.columns:
            out[c] = out[c].astype("float64")
            out.loc[hide, c] = np.nan
    if "significant" in out.columns:
        out["significant"] = out["significant"].astype(object)
        out.loc[hide, "significant"] = None
    return out


def _add(flags: str) -> str:
    parts = [f for f in flags.split(";") if f.strip()]
    return ";".join([*parts, SUPPRESSED]) if SUPPRESSED not in parts else flags
