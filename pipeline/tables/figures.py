"""The reports' figures as logged public releases (review finding 5).

Every figure a run's reports show comes from the estimates table: one row per indicator and
breakdown (``by``: '' for Flanders, a domain such as ``sector``, or two crossed, ``sector:age_band``:
the within-sector breakdowns) and level; the number-of-problems distribution and the risk profiles'
shares exposed are rows of it too. Before the reports are rendered, each breakdown's figures go
through the same engine and the same ledger as every custom table: a request built in code for the
requester ``public`` (rows and columns: the breakdown's variables; indicators: those the table has
for it; statistics: percentage or mean, CI and n), protected with primary and secondary suppression
and checked on respondent sets against everything released from the data version before (custom
tables, the datatool, the report figures of the breakdowns before it), then logged. Breakdowns are
protected in the order Flanders, single domains, crossed domains, so that the margins of a crossed
table are already public when it is checked.

The estimates the reports get are **fail closed**: a row is shown only if the engine released its
cell (same indicator, breakdown and level). A row the engine suppressed, a row of an indicator no
request can show, a row of a crossed breakdown the reports do not show (only the headline,
workability and risk indicators are shown by within-sector breakdowns: :func:`crossed_indicators`)
and every row of a breakdown that cannot be
expressed as a request or was refused is flagged ``suppressed`` and its numbers removed; the reports
show a dash (:mod:`pipeline.reports.estimates` drops every number of a suppressed cell, and
:func:`pipeline.reports.render.fmt_field` prints no n for it).

Logging has no timestamp, and a logged request is re-issued against the releases before it
(:mod:`pipeline.sdc.tables.ledger`), so a rerun of the same data logs nothing new and gives the same
reports; a copy of the data finds the same history (the ledger is per data version).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import PipelineError
from pipeline.rundata.levels import CROSS_SEP, level_text
from pipeline.sdc.publisher import Publisher
from pipeline.sdc.registry import PUBLIC
from pipeline.sdc.tables.structure import TOTAL
from pipeline.tables.request import POPULATIONS, indicator_names, parse_request, resolve

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.questionnaire.model import Questionnaire
    from pipeline.tables.release import TableRelease
    from pipeline.tables.source import WaveData

STATISTICS = ("percent", "ci", "n")
SUPPRESSED = "suppressed"
#: The estimates' numbers a suppressed row loses (``n`` stays: the table contract needs it, and the
#: reports never print it for a suppressed cell).
NUMBERS = (
    "weighted_n",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "deff",
    "diff",
    "diff_se",
    "p_value",
)


@dataclass(frozen=True)
class FiguresRelease:
    """What protecting a run's report figures did: one release per breakdown."""

    releases: tuple[tuple[str, TableRelease], ...]  # (by, the logged release)
    suppressed: tuple[tuple[str, str, str], ...]  # (indicator, by, level) shown as suppressed
    unpublished: tuple[str, ...]  # breakdowns that could not be protected (all hidden)
    notices: tuple[str, ...] = ()  # why each of them was not published

    @property
    def release_ids(self) -> tuple[str, ...]:
        return tuple(w.release_id or "" for _, r in self.releases for w in r.waves)

    def summary(self) -> dict[str, object]:
        """What the run's manifest records (stable on a rerun: no release ids)."""
        return {
            "releases": len(self.releases),
            "suppressed": len(self.suppressed),
            "unpublished": list(self.unpublished),
        }


def crossed_indicators(q: Questionnaire) -> tuple[str, ...]:
    """The indicators the reports show by a crossed (within-sector) breakdown: the headline, the
    workability indicators and the risks (:func:`pipeline.reports.report`'s breakdowns); the other
    rows of a crossed breakdown are not published (not protected, so flagged suppressed)."""
    from pipeline.reports.labels import indicator_groups

    groups = indicator_groups(q)
    head = () if groups.headline is None else (groups.headline.name,)
    return (
        *head,
        *(i.name for i in groups.workability),
        *(i.name for i in groups.risk),
    )


def breakdown_order(bys: Sequence[str]) -> list[str]:
    """Flanders, then single domains, then crossed domains (by name within each)."""
    return sorted(dict.fromkeys(bys), key=lambda b: (0 if b == "" else b.count(CROSS_SEP) + 1, b))


def request_id(study: str, by: str) -> str:
    return f"{study}-rapport-{by.replace(CROSS_SEP, '-') or 'vlaanderen'}".lower()


def figures_request(
    data: WaveData, by: str, indicators: list[str], disclosure: dict[str, int] | None = None
) -> dict[str, object]:
    """The request (as a request file would say it) of one breakdown's report figures."""
    q = data.questionnaire
    parts = by.split(CROSS_SEP) if by else []
    out: dict[str, object] = {
        "id": request_id(q.study.id, by),
        "requester": PUBLIC,
        "population": {v: k for k, v in POPULATIONS.items()}[q.study.population],
        "title": {"nl": f"{q.study.title.nl}: cijfers van de rapporten ({by or 'Vlaanderen'})"},
        "waves": [q.study.wave],
        "questionnaire": data.reference,
        "indicators": indicators,
        "statistics": list(STATISTICS),
        "language": "nl",
    }
    if disclosure:
        out["disclosure"] = dict(disclosure)
    if parts:
        out["rows"] = parts[0]
    if len(parts) > 1:
        out["columns"] = parts[1]
    return out


def _released(release: TableRelease, by: str) -> dict[tuple[str, str, str], str]:
    """(indicator, by, level) -> public flag of every cell of ``by`` the release holds (its margins
    are cells of other breakdowns: left out)."""
    width = by.count(CROSS_SEP) + 1 if by else 0
    out: dict[tuple[str, str, str], str] = {}
    for wr in release.waves:
        for pt in wr.tables:
            for i, key in enumerate(pt.numbers.structure.keys):
                if len(key) != width or any(k == TOTAL for k in key):
                    continue
                level = level_text(CROSS_SEP.join(key)) if key else ""
                out[(pt.numbers.indicator, by, level)] = pt.flag(i)
    return out


def protect_figures(
    estimates: pd.DataFrame,
    data: WaveData,
    publisher: Publisher,
    *,
    disclosure: dict[str, int] | None = None,
) -> tuple[pd.DataFrame, FiguresRelease]:
    """The estimates with every figure the engine does not release flagged ``suppressed`` (numbers
    removed), and what was logged. ``data``: the scored data the estimates were made from;
    ``disclosure``: stricter thresholds than the policy's (a request's ``disclosure`` block)."""
    import numpy as np

    from pipeline.tables.release import protect_request, record_request

    q = data.questionnaire
    allowed = set(indicator_names(q, data.cutoff_population))
    est = estimates.copy()
    by_col = est["by"].fillna("").astype(str)
    shown: dict[tuple[str, str, str], str] = {}
    unpublished: list[str] = []
    notices: list[str] = []
    releases: list[tuple[str, TableRelease]] = []
    crossed_shown = set(crossed_indicators(q))
    for by in breakdown_order(by_col.tolist()):
        rows = est[by_col == by]
        inds = [i for i in dict.fromkeys(rows["indicator"].astype(str)) if i in allowed]
        if CROSS_SEP in by:  # a within-sector breakdown: only what the reports show of it
            inds = [i for i in inds if i in crossed_shown]
        try:
            if not inds:
                raise ValueError("no indicator a request can show")
            where = f"report figures ({by or 'Vlaanderen'})"
            resolved = resolve(
                parse_request(figures_request(data, by, inds, disclosure), where),
                where,
                loaded=q,
                cutoff_populations={q.study.wave: data.cutoff_population},
            )
            release = protect_request(resolved, {data.wave: data}, publisher)
        except (PipelineError, ValueError) as exc:
            unpublished.append(by)  # fail closed: a breakdown the engine cannot check is not shown
            notices.append(f"{by or 'Vlaanderen'}: {exc}")
            continue
        if release.decision == "refuse":
            unpublished.append(by)
            notices.append(f"{by or 'Vlaanderen'}: refused ({'; '.join(release.reasons)})")
            continue
        release = record_request(release, publisher)
        releases.append((by, release))
        shown.update(_released(release, by))
    levels = est["level"].map(level_text).astype(str)
    keys = list(zip(est["indicator"].astype(str), by_col, levels, strict=True))
    flags = est["flags"].fillna("").astype(str).tolist()
    mask = np.array(
        [shown.get(k, SUPPRESSED) == SUPPRESSED for k in keys],
        dtype=bool,
    )
    hidden = sorted({k for k, m, f in zip(keys, mask, flags, strict=True) if m})
    if mask.any():
        est["flags"] = [_add_flag(f) if m else f for f, m in zip(flags, mask.tolist(), strict=True)]
        for c in NUMBERS:
            if c in est.columns:
                est[c] = est[c].astype("float64")
                est.loc[mask, c] = np.nan
        if "significant" in est.columns:
            est["significant"] = est["significant"].astype(object)
            est.loc[mask, "significant"] = None
    return est, FiguresRelease(tuple(releases), tuple(hidden), tuple(unpublished), tuple(notices))


def _add_flag(flags: str) -> str:
    """The estimates' flags are ``;``-separated (:mod:`pipeline.estimation.reliability`)."""
    parts = [f for f in flags.split(";") if f.strip()]
    return ";".join([*parts, SUPPRESSED]) if SUPPRESSED not in parts else flags


def run_disclosure(
    rules_min_n: int, min_n: int | None, min_n_reliable: int | None, unreliable_below: int
) -> dict[str, int]:
    """A run's ``min_n``/``min_n_reliable`` as a request's ``disclosure`` block, where stricter than
    the policy's (as the standard table takes them)."""
    out: dict[str, int] = {}
    if min_n is not None and min_n > rules_min_n:
        out["min_n_percent"] = min_n
    if min_n_reliable is not None and min_n_reliable > max(unreliable_below, min_n or 0):
        out["unreliable_below"] = min_n_reliable
    return out


def protect_run_figures(
    estimates: pd.DataFrame,
    run_dir: str | Path,
    publisher: Publisher,
    *,
    min_n: int | None = None,
    min_n_reliable: int | None = None,
) -> tuple[pd.DataFrame, FiguresRelease]:
    """:func:`protect_figures` with the run's scored data (``min_n``/``min_n_reliable``: the run's,
    used where stricter than the publisher's policy)."""
    from pipeline.tables.source import load_run

    rules = publisher.policy.rules
    block = run_disclosure(rules.min_n_percent, min_n, min_n_reliable, rules.unreliable_below)
    return protect_figures(estimates, load_run(run_dir), publisher, disclosure=block)
