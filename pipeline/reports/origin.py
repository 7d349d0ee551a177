"""Workability by migration background (``origin``, a register variable of the sample frame) under
the publisher's disclosure policy: the fieldwork report's origin section.

Origin is not asked on the form; it comes from the frame (the labour-market data warehouse's
classification grouped in three, :data:`pipeline.frame.model.ORIGIN_CODES`) and is joined to the
run's respondents by sample id. The estimates are the project's: the run's final weights and its
recorded calibration model (:func:`pipeline.estimation.runmodel.design_from_model`), domain
proportions with the reports' confidence intervals.

Disclosure control with the policy in force (``--policy``, ``$WBM_POLICY`` or what the run
recorded; :func:`pipeline.sdc.policy.find_policy`):

* **primary**: a percentage of a group with fewer than ``min_n_percent`` respondents is not shown;
  from ``min_n_percent`` to ``unreliable_below`` it is shown and flagged unreliable;
* **secondary**: the all-origins figure is published (every report shows it), so a single hidden
  group could be recovered from it and the others; when exactly one group of an indicator is
  hidden, the smallest other group is hidden too. Respondents whose origin the frame does not know
  form their own group ("unknown") under the same rules.

The minimums are the policy's for tables by origin (``tables.sensitive_breakdowns``, the same as
``wbm table`` applies: :func:`pipeline.sdc.policy.effective_rules`). Without a policy the section is
left out with the notice ``origin_no_policy``, and under a policy that does not allow origin with
``origin_not_allowed``: nothing is shown by origin unless the publisher's policy says how. Under a
policy that protects the reports' figures (``protect_reports: true``: every published figure a
logged release, :mod:`pipeline.reports.withheld`) the section is left out too
(``origin_not_published``): these estimates are not checked against the ledger.

Why not the table engine and its ledger: this section is a methodological view for the fieldwork
team (is origin, given the sector mix, related to workability and response?), not a publication.
A figure by origin meant for publication is requested with ``wbm table`` (``rows: origin``), which
checks it against every earlier release and logs it (``docs/frame.md``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pipeline.errors import Notice, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.questionnaire.model import Questionnaire

UNKNOWN = "unknown"
ORIGIN = "origin"


@dataclass(frozen=True)
class OriginCell:
    indicator: str
    level: str  # "1", "2", "3" or "unknown"
    n: int
    estimate: float | None  # None: not shown
    ci_low: float | None
    ci_high: float | None
    status: str  # "shown", "unreliable", "primary", "secondary"


@dataclass(frozen=True, eq=False)
class OriginTable:
    policy: str  # id and version of the policy applied
    min_n_percent: int
    unreliable_below: int
    levels: tuple[str, ...]
    cells: tuple[OriginCell, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "policy": self.policy,
            "min_n_percent": self.min_n_percent,
            "unreliable_below": self.unreliable_below,
            "levels": list(self.levels),
            "cells": [asdict(c) for c in self.cells],
        }


def protect(
    rows: list[tuple[str, str, int, float, float, float]], min_n: int, unreliable: int
) -> list[OriginCell]:
    """Primary and secondary suppression of one-dimensional rows (indicator, level, n, estimate,
    CI) whose total is published (see the module docstring)."""
    out: list[OriginCell] = []
    by_ind: dict[str, list[tuple[str, str, int, float, float, float]]] = {}
    for r in rows:
        by_ind.setdefault(r[0], []).append(r)
    for ind, rs in by_ind.items():
        status = {
            r[1]: ("primary" if r[2] < min_n else "unreliable" if r[2] < unreliable else "shown")
            for r in rs
        }
        hidden = [lev for lev, s in status.items() if s == "primary"]
        if len(hidden) == 1:
            others = sorted(
                (r for r in rs if status[r[1]] != "primary"), key=lambda r: (r[2], r[1])
            )
            if others:
                status[others[0][1]] = "secondary"
        for r in rs:
            s = status[r[1]]
            shown = s in ("shown", "unreliable")
            out.append(
                OriginCell(
                    ind,
                    r[1],
                    int(r[2]),
                    float(r[3]) if shown else None,
                    float(r[4]) if shown else None,
                    float(r[5]) if shown else None,
                    s,
                )
            )
    return out


def origin_table(
    run_dir: Path,
    linked: pd.DataFrame,
    indicators: tuple[str, ...],
    *,
    policy: str | Path | None = None,
) -> tuple[OriginTable | None, list[Notice]]:
    """The origin breakdown of ``indicators`` (None with a notice when the frame has no origin or
    no policy is in force)."""
    from pipeline.estimation.api import estimate, raking_calibration
    from pipeline.estimation.design import make_design
    from pipeline.estimation.runmodel import design_from_model
    from pipeline.sdc.policy import find_policy
    from pipeline.tables.source import load_run

    if ORIGIN not in linked or not np.isfinite(linked[ORIGIN].to_numpy(dtype=float)).any():
        return None, [Notice("origin_absent", "the sample frame has no origin: no breakdown")]
    wd = load_run(run_dir)
    try:
        pol = find_policy(policy, wd.policy)
    except UsageError:
        return None, [
            Notice(
                "origin_no_policy",
                "no disclosure policy in force: workability by origin is not shown",
            )
        ]
    if pol.policy.protect_reports:  # the reports' figures are protected: this one is not
        return None, [
            Notice(
                "origin_not_published",
                f"the disclosure policy {pol.policy.id!r} protects the reports' figures "
                "(protect_reports): workability by origin is not checked against the ledger, so "
                "it is not shown (request it with wbm table, rows: origin)",
            )
        ]
    from pipeline.errors import SpecError
    from pipeline.sdc.policy import effective_rules

    try:
        rules, _ = effective_rules(pol, {}, None, sensitive={ORIGIN: ORIGIN})
    except SpecError:
        return None, [
            Notice(
                "origin_not_allowed",
                f"the disclosure policy {pol.policy.id!r} does not allow origin as a breakdown "
                "(tables.sensitive_breakdowns): workability by origin is not shown",
            )
        ]
    df = wd.frame.copy()
    origin = dict(
        zip(linked["sample_id"].astype(str), linked[ORIGIN].to_numpy(dtype=float), strict=True)
    )
    codes = df[wd.questionnaire.study.id_variable].astype(str).map(origin).to_numpy(dtype=float)
    df["_origin"] = [UNKNOWN if not np.isfinite(c) else str(int(c)) for c in codes]
    from pipeline.rundata.columns import WEIGHT

    if wd.calibration is not None:
        design = design_from_model(df, wd.calibration, weight=WEIGHT)
    else:
        design = make_design(
            df[WEIGHT].to_numpy(dtype=float),
            calibration=raking_calibration(df, list(wd.weighting)),
        )
    inds = [i for i in indicators if i in df.columns]
    tab = estimate(df, design, inds, by=["_origin"]).table
    tab = tab[tab["by"] == "_origin"]
    rows = [
        (
            str(r.indicator),
            str(r.level),
            int(r.n),
            float(r.estimate),
            float(r.ci_low),
            float(r.ci_high),
        )
        for r in tab.itertuples()
    ]
    levels = tuple(sorted({r[1] for r in rows}, key=lambda s: (s == UNKNOWN, s)))
    cells = protect(rows, rules.min_n_percent, rules.unreliable_below)
    ident = f"{pol.policy.id} {pol.policy.version}"
    return OriginTable(ident, rules.min_n_percent, rules.unreliable_below, levels, tuple(cells)), []


def render_origin(table: OriginTable, q: Questionnaire, lang: str) -> str:
    """The report section: one row per indicator, one column per origin group."""
    import html

    from pipeline.frame.model import ORIGIN_CODES
    from pipeline.reports.labels import indicator_label

    names = {str(c): (nl if lang == "nl" else en) for c, nl, en in ORIGIN_CODES}
    names[UNKNOWN] = "herkomst onbekend" if lang == "nl" else "origin unknown"

    def pct(x: float) -> str:
        s = f"{100 * x:.1f}"
        return s.replace(".", ",") if lang == "nl" else s

    title = "Werkbaarheid naar herkomst" if lang == "nl" else "Workability by origin"
    note = (
        f"Aandeel met het kenmerk (95%-betrouwbaarheidsinterval) per herkomstgroep uit het "
        f"register. Volgens het openbaarmakingsbeleid ({table.policy}) wordt een percentage van "
        f"minder dan {table.min_n_percent} respondenten niet getoond (x), en een tweede groep "
        f"evenmin wanneer anders één verborgen groep uit het totaal af te leiden is (x*); onder "
        f"{table.unreliable_below} respondenten is het cijfer onbetrouwbaar (tussen haakjes)."
        if lang == "nl"
        else f"Share with the indicator (95% confidence interval) by origin group from the "
        f"register. Under the disclosure policy ({table.policy}) a percentage of fewer than "
        f"{table.min_n_percent} respondents is not shown (x), nor a second group where one hidden "
        f"group could otherwise be derived from the total (x*); under {table.unreliable_below} "
        f"respondents the figure is unreliable (in brackets)."
    )
    head = "".join(f"<th>{html.escape(names.get(lev, lev))}</th>" for lev in table.levels)
    rows = []
    inds = list(dict.fromkeys(c.indicator for c in table.cells))
    for ind in inds:
        cells = {c.level: c for c in table.cells if c.indicator == ind}
        tds = []
        for lev in table.levels:
            c = cells.get(lev)
            if c is None:
                tds.append("<td></td>")
            elif c.estimate is None:
                tds.append(f"<td>{'x*' if c.status == 'secondary' else 'x'} (n = {c.n})</td>")
            else:
                assert c.ci_low is not None and c.ci_high is not None
                txt = f"{pct(c.estimate)}% [{pct(c.ci_low)}; {pct(c.ci_high)}] (n = {c.n})"
                tds.append(f"<td>{'(' + txt + ')' if c.status == 'unreliable' else txt}</td>")
        rows.append(f"<tr><td>{html.escape(indicator_label(q, ind, lang))}</td>{''.join(tds)}</tr>")
    return (
        f"<h2>{html.escape(title)}</h2><p>{html.escape(note)}</p>"
        f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>"
    )
