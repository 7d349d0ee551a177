"""The reports' figures as logged public releases (review finding 5).

Every figure a run's reports show comes from the estimates table: one row per indicator and
breakdown (``by``: '' for Flanders, a domain such as ``sector``, or two crossed, ``sector:age_band``)
and level. Before the reports are rendered, each breakdown's figures go through the same engine and
the same ledger as every custom table: a request built in code for the requester ``public`` (rows and
columns: the breakdown's variables; indicators: those the table has for it; statistics: percentage
or mean, CI and n), protected with primary and secondary suppression and checked on respondent sets
against everything released from the data version before (the standard table, custom tables, the
report figures of the breakdowns before it), then logged. Breakdowns are protected in the order
Flanders, single domains, crossed domains, so that the margins of a crossed table are already
public when it is checked.

A figure the engine suppresses is flagged ``suppressed`` in the estimates the reports get, and
its numbers removed: the reports show a dash (:mod:`pipeline.reports.estimates` drops every number
of a suppressed cell). A breakdown that cannot be expressed as a request (not a documented
breakdown of the questionnaire) is not published at all (fail closed), with a notice.

Logging has no timestamp, so a rerun of the same data logs nothing new and gives the same reports;
a copy of the data finds the same history (the ledger is per data version).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import PipelineError
from pipeline.rundata.levels import CROSS_SEP
from pipeline.sdc.publisher import Publisher
from pipeline.sdc.registry import PUBLIC
from pipeline.tables.request import POPULATIONS, indicator_names, parse_request, resolve

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.tables.release import TableRelease
    from pipeline.tables.source import WaveData

STATISTICS = ("percent", "ci", "n")
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
    suppressed: tuple[tuple[str, str, str], ...]  # (indicator, by, level) hidden by the engine
    unpublished: tuple[str, ...]  # breakdowns that could not be protected (all hidden)

    @property
    def release_ids(self) -> tuple[str, ...]:
        return tuple(w.release_id or "" for _, r in self.releases for w in r.waves)


def _order(bys: Sequence[str]) -> list[str]:
    return sorted(dict.fromkeys(bys), key=lambda b: (0 if b == "" else b.count(CROSS_SEP) + 1, b))


def request_id(study: str, by: str) -> str:
    return f"{study}-rapport-{by.replace(CROSS_SEP, '-') or 'vlaanderen'}".lower()


def _request(data: WaveData, by: str, indicators: list[str]) -> dict[str, object]:
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
    if parts:
        out["rows"] = parts[0]
    if len(parts) > 1:
        out["columns"] = parts[1]
    return out


def protect_figures(
    estimates: pd.DataFrame, data: WaveData, publisher: Publisher
) -> tuple[pd.DataFrame, FiguresRelease]:
    """The estimates with every figure the engine does not release flagged ``suppressed`` (numbers
    removed), and what was logged. ``data``: the scored data the estimates were made from."""
    import numpy as np

    from pipeline.tables.release import protect_request, record_request

    q = data.questionnaire
    allowed = set(indicator_names(q, data.cutoff_population))
    est = estimates.copy()
    by_col = est["by"].fillna("").astype(str)
    hidden: set[tuple[str, str, str]] = set()
    unpublished: list[str] = []
    releases: list[tuple[str, TableRelease]] = []
    for by in _order(by_col.tolist()):
        rows = est[by_col == by]
        inds = [i for i in dict.fromkeys(rows["indicator"].astype(str)) if i in allowed]
        try:
            if not inds:
                raise ValueError("no indicator a request can show")
            resolved = resolve(
                parse_request(_request(data, by, inds), f"report figures ({by or 'Vlaanderen'})"),
                "report figures",
                loaded=q,
                cutoff_populations={q.study.wave: data.cutoff_population},
            )
            release = protect_request(resolved, {data.wave: data}, publisher)
        except (PipelineError, ValueError):
            unpublished.append(by)  # fail closed: a breakdown the engine cannot check is not shown
            continue
        if release.decision == "refuse":
            unpublished.append(by)
            continue
        release = record_request(release, publisher)
        releases.append((by, release))
        for wr in release.waves:
            for pt in wr.tables:
                keys = pt.numbers.structure.keys
                for i, key in enumerate(keys):
                    if len(key) != (by.count(CROSS_SEP) + 1 if by else 0):
                        continue
                    if any(k in ("", "missing") for k in key):
                        continue  # margins and the missing level: rows of other breakdowns
                    if pt.flag(i) == "suppressed":
                        hidden.add((pt.numbers.indicator, by, CROSS_SEP.join(key)))
        shown = {pt.numbers.indicator for wr in release.waves for pt in wr.tables}
        for ind in set(rows["indicator"].astype(str)) - shown:
            hidden.update((ind, by, str(lv)) for lv in rows.loc[rows["indicator"] == ind, "level"])
    levels = est["level"].map(_level).astype(str)
    keys = list(zip(est["indicator"].astype(str), by_col, levels, strict=True))
    mask = np.array([k in hidden or k[1] in unpublished for k in keys], dtype=bool)
    if mask.any():
        flags = est["flags"].fillna("").astype(str)
        est["flags"] = [
            _add_flag(f) if m else f for f, m in zip(flags.tolist(), mask.tolist(), strict=True)
        ]
        for c in NUMBERS:
            if c in est.columns:
                est.loc[mask, c] = np.nan
        if "significant" in est.columns:
            est["significant"] = est["significant"].astype(object)
            est.loc[mask, "significant"] = None
    return est, FiguresRelease(
        tuple(releases), tuple(sorted(k for k in hidden)), tuple(unpublished)
    )


def _level(v: object) -> str:
    from pipeline.rundata.levels import level_text

    return level_text(v)


def _add_flag(flags: str) -> str:
    """The estimates' flags are ``;``-separated (:mod:`pipeline.estimation.reliability`)."""
    parts = [f for f in flags.split(";") if f.strip()]
    return ";".join([*parts, "suppressed"]) if "suppressed" not in parts else flags


def protect_run_figures(
    estimates: pd.DataFrame, run_dir: str | Path, publisher: Publisher
) -> tuple[pd.DataFrame, FiguresRelease]:
    """:func:`protect_figures` with the run's scored data."""
    from pipeline.tables.source import load_run

    return protect_figures(estimates, load_run(run_dir), publisher)
