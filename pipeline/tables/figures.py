"""The reports' figures as logged public releases (review finding 5).

Every figure a run's reports show comes from the estimates table: one row per indicator and
breakdown (``by``: '' for Flanders, a domain such as ``sector``, or two crossed, ``sector:age_band``:
the within-sector breakdowns) and level; the number-of-problems distribution and the risk profiles'
shares exposed are rows of it too. Before the reports are rendered, each breakdown's figures are
computed by the table engine as a request built in code for the requester ``public`` would be (rows
and columns: the breakdown's variables; indicators: those the table has for it; statistics:
percentage or mean, CI and n; :mod:`pipeline.tables.compute`), and **all of them are protected
jointly**, as the datatool protects its space (:func:`pipeline.sdc.tables.space.protect_space`):

- every table (one indicator, one breakdown with its margins) gets the primary rules, the secondary
  suppression over its structure and the engine's exact respondent-level checks within the table;
- a figure that appears in several tables of an indicator (a sector's figure in the sector table
  and as a margin of ``sector:age_band``; Flanders in every table) is hidden in all or none;
- published cells of any two tables, and every earlier release on the data version (custom tables,
  the standard table, the datatool), must not differ by a small group of respondents (respondent
  sets whatever the indicator with the count threshold, one indicator with the percentage
  threshold);
- then every published cell of every table and the earlier releases at once through the engine's
  direct checks: no suppressed cell recomputable, no single small atom determined, by a linear
  combination of any number of tables;
- with the policy's ``exact_reports: true``, last the exact check, search included, breakdown after
  breakdown (``protect_space(exact=True)``): no group under the threshold is determined by all the
  figures together; repeated until nothing changes.

They are then logged as **one** public release (label ``<study>-rapport``). Checking each breakdown
as a separate request against the ones before it (exact, but its small-group search grows with
every breakdown on the same respondents: minutes per breakdown, ``benchmarks/README.md``) was the
earlier design (with the earlier dense search program); the joint space takes seconds to a minute,
with the exact check at the end minutes (``docs/custom-tables.md``).

The numeric indicators' means (``numeric_estimates.csv``, e.g. commuting minutes), when the caller
passes them, are cells of each single breakdown's request too (the weighted mean of the item over
its respondents): protected and logged with the rest; their medians follow the released means
(:mod:`pipeline.tables.numericfigures`). An organisation survey's shares of employees and magnitude
totals (``estimates_employment.parquet``), when the caller passes them, are cells of the space too
(the totals magnitude cells of Flanders' request, the shares ratios with the dominance and p% rules
on each organisation's employees): :mod:`pipeline.tables.employmentfigures`. The risk profiles'
prevalence ratios, when the caller passes them, give back (approximately) the crossing of each
exposure and outcome within a group, so that crossing is published: each outcome by the risk
profiles' breakdown and the exposure is a table of the same space, logged with the rest, and a
ratio is shown only where its cells are released and its four counts are at least
``min_n_count`` (:mod:`pipeline.tables.riskfigures`).

The estimates the reports get are **fail closed**: a row is shown only if the engine released its
cell (same indicator, breakdown and level). A row the engine suppressed, a row of an indicator no
request can show, a row of a crossed breakdown the reports do not show (only the headline,
workability and risk indicators are shown by within-sector breakdowns: :func:`crossed_indicators`)
and every row of a breakdown that cannot be expressed as a request is flagged ``suppressed`` and its
numbers removed (if the joint protection does not settle, every row); the reports show a dash
(:mod:`pipeline.reports.estimates` drops every number of a suppressed cell, and
:func:`pipeline.reports.render.fmt_field` prints no n for it).

Logging has no timestamp, and the release is identified by a hash of every breakdown's request, so
a rerun of the same data is a re-issue (checked against the releases before its first issue): it
logs nothing new and gives the same reports; a copy of the data finds the same history (the ledger
is per data version).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import PipelineError
from pipeline.rundata.levels import CROSS_SEP, level_text
from pipeline.sdc.publisher import Publisher
from pipeline.sdc.registry import PUBLIC
from pipeline.sdc.tables.rules import PrimaryRules, public_flag
from pipeline.sdc.tables.structure import TOTAL
from pipeline.tables.request import (
    POPULATIONS,
    indicator_names,
    magnitude_names,
    numeric_indicators,
    parse_request,
    resolve,
)

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from pipeline.estimation.design import Design
    from pipeline.questionnaire.model import Questionnaire
    from pipeline.sdc.tables.space import Issue, SpaceTable
    from pipeline.tables.compute import IndicatorTable
    from pipeline.tables.riskfigures import CrossingCell
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
    """What protecting a run's report figures did: the breakdowns published (protected jointly and
    logged as one public release) and the figures shown as suppressed."""

    breakdowns: tuple[str, ...]  # the breakdowns protected and logged ('' = Flanders)
    release_id: str | None  # the ledger entry (the policy ledger's); None: nothing published
    suppressed: tuple[tuple[str, str, str], ...]  # (indicator, by, level) shown as suppressed
    unpublished: tuple[str, ...]  # breakdowns that could not be protected (all hidden)
    notices: tuple[str, ...] = ()  # why each of them was not published
    # the numeric indicators' means and medians as the reports may show them (given the numeric
    # estimates; :mod:`pipeline.tables.numericfigures`); None: none given
    numeric: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    median_min_equal: int = 0  # respondents who must share a median's value for it to be shown
    # an organisation survey's shares of employees and totals as the report may show them (given
    # the employment estimates; :mod:`pipeline.tables.employmentfigures`); None: none given
    employment: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    # the risk profiles' ratios as the reports may show them (given the risk profiles; the
    # crossings of outcome by exposure are cells of the same release:
    # :mod:`pipeline.tables.riskfigures`); None: none given
    risk: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    risk_min_count: int = 0  # each of a ratio's four counts must be at least this

    @property
    def release_ids(self) -> tuple[str, ...]:
        return () if self.release_id is None else (self.release_id,)

    def summary(self) -> dict[str, object]:
        """What the run's manifest records (stable on a rerun: no release ids)."""
        return {
            "breakdowns": len(self.breakdowns),
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


FIGURES_VERSION = 2  # of the request hash below: bump when what is protected changes


def _released(
    t: IndicatorTable, statuses: Sequence[str], by: str
) -> dict[tuple[str, str, str], str]:
    """(indicator, by, level) -> public flag of every cell of ``by`` the table holds (its margins
    are cells of other breakdowns: left out)."""
    width = by.count(CROSS_SEP) + 1 if by else 0
    out: dict[tuple[str, str, str], str] = {}
    for i, key in enumerate(t.structure.keys):
        if len(key) != width or any(k == TOTAL for k in key):
            continue
        level = level_text(CROSS_SEP.join(key)) if key else ""
        out[(t.indicator, by, level)] = public_flag(statuses[i])
    return out


def _released_cells(
    t: IndicatorTable, statuses: Sequence[str], by: str, columns: Mapping[str, np.ndarray]
) -> dict[tuple[str, str, str], tuple[str, np.ndarray, np.ndarray]]:
    """:func:`_released` with each cell's respondents and the values of its column (a numeric
    indicator's item: its median is checked on them, :mod:`pipeline.tables.numericfigures`)."""
    flags = _released(t, statuses, by)
    index = {
        (t.indicator, by, level_text(CROSS_SEP.join(key)) if key else ""): i
        for i, key in enumerate(t.structure.keys)
    }
    values = columns[t.variable]
    return {k: (f, t.masks[:, index[k]], values) for k, f in flags.items()}


def figures_hash(requests: Sequence[dict[str, object]], shares: Sequence[str] = ()) -> str:
    """The request hash the figures are logged under: every breakdown's request (indicators,
    thresholds asked) and the shares of employees among the figures, so a rerun on the same data is
    a re-issue and logs nothing new."""
    what: dict[str, object] = {"figures_version": FIGURES_VERSION, "requests": list(requests)}
    if shares:
        what["shares_of_employees"] = list(shares)
    text = json.dumps(what, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def protect_figures(
    estimates: pd.DataFrame,
    data: WaveData,
    publisher: Publisher,
    *,
    disclosure: dict[str, int] | None = None,
    numeric: pd.DataFrame | None = None,
    employment: pd.DataFrame | None = None,
    risk: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, FiguresRelease]:
    """The estimates with every figure the engine does not release flagged ``suppressed`` (numbers
    removed), and what was logged. ``data``: the scored data the estimates were made from;
    ``disclosure``: stricter thresholds than the policy's (a request's ``disclosure`` block);
    ``numeric``: the numeric estimates (``numeric_estimates.csv``): their indicators' means are
    cells of each (single) breakdown's request too, protected and logged with the others, and the
    release carries the table as the reports may show it
    (:func:`pipeline.tables.numericfigures.protected_numeric`); ``employment``: an organisation
    survey's shares of employees and totals (``estimates_employment.parquet``): the overall ones
    are cells of the space too, and the release carries the table as the report may show it
    (:mod:`pipeline.tables.employmentfigures`); ``risk``: the risk profiles (``risk_profiles.csv``):
    the crossings of their outcomes by their exposures are tables of the same space, and the
    release carries the table as the reports may show it
    (:func:`pipeline.tables.riskfigures.protected_risk`).

    Every breakdown's tables are computed by the table engine (:mod:`pipeline.tables.compute`) and
    protected jointly, as the datatool protects its space (:func:`protect_space`); the whole set is
    logged as one public release (one ledger entry per ledger)."""
    import numpy as np

    from pipeline.sdc.policy import effective_rules
    from pipeline.sdc.tables.space import space_rules
    from pipeline.tables.compute import calibrated_design, compute_wave
    from pipeline.tables.employmentfigures import (
        protected_employment,
        share_indicators,
        share_tables,
        total_items,
    )
    from pipeline.tables.numericfigures import numeric_breakdowns, protected_numeric
    from pipeline.tables.riskfigures import (
        crossing_cells,
        crossing_label,
        crossing_plan,
        crossing_tables,
        protected_risk,
    )
    from pipeline.tables.source import disclosure_columns

    q = data.questionnaire
    publisher.registry.organisation(PUBLIC)  # the public must be a registered recipient
    rules, _ = effective_rules(publisher.policy, dict(disclosure or {}), "report figures")
    rules = space_rules(rules)  # an empty group hidden and protected like a small one
    allowed = set(indicator_names(q, data.cutoff_population))
    est = estimates.copy()
    by_col = est["by"].fillna("").astype(str)
    unpublished: list[str] = []
    notices: list[str] = []
    crossed_shown = set(crossed_indicators(q))
    numeric_names = numeric_indicators(q)
    numeric_by = numeric_breakdowns(numeric, numeric_names)
    columns = disclosure_columns(data)
    design = calibrated_design(data)
    jobs = _jobs(data, design) if employment is not None else None
    shares = share_indicators(employment) if jobs is not None else []
    totals = total_items(employment, magnitude_names(q))
    planned: list[tuple[str, tuple[IndicatorTable, ...]]] = []
    requests: list[dict[str, object]] = []
    asked: dict[str, list[str]] = {}  # breakdown -> its indicators, as requested
    for by in breakdown_order(by_col.tolist()):
        rows = est[by_col == by]
        inds = [i for i in dict.fromkeys(rows["indicator"].astype(str)) if i in allowed]
        if CROSS_SEP in by:  # a within-sector breakdown: only what the reports show of it
            inds = [i for i in inds if i in crossed_shown]
        else:  # the numeric indicators' means (the reports show them by single breakdowns)
            inds += numeric_by.get(by, [])
        if by == "":  # an organisation survey's totals (the report shows them for all)
            inds += totals
        try:
            if not inds:
                raise ValueError("no indicator a request can show")
            where = f"report figures ({by or 'Vlaanderen'})"
            request = figures_request(data, by, inds, disclosure)
            resolved = resolve(
                parse_request(request, where),
                where,
                loaded=q,
                cutoff_populations={q.study.wave: data.cutoff_population},
            )
            numbers = compute_wave(resolved, resolved.wave(data.wave), data, columns, design)
        except (PipelineError, ValueError) as exc:
            unpublished.append(
                by
            )  # fail closed: a breakdown the engine cannot compute is not shown
            notices.append(f"{by or 'Vlaanderen'}: {exc}")
            continue
        planned.append((by, numbers))
        requests.append(request)
        asked[by] = inds
    # the risk profiles' crossings: outcome by breakdown and exposure (pipeline.tables.riskfigures)
    risk_by, plan = crossing_plan(risk, asked)
    crossed: list[tuple[str, tuple[IndicatorTable, ...]]] = []
    for exposure, outcomes in plan.items():
        label = crossing_label(risk_by, exposure)
        try:
            request, numbers = crossing_tables(
                data, risk_by, exposure, outcomes, disclosure, columns, design
            )
        except (PipelineError, ValueError) as exc:  # fail closed: its ratios are not shown
            notices.append(f"{label}: {exc}")
            continue
        crossed.append((exposure, numbers))
        requests.append(request)
    flanders = next((numbers for by, numbers in planned if by == ""), ())
    ratios = share_tables(flanders, shares, jobs, columns, rules) if jobs is not None else []
    request_hash = figures_hash(requests, [t.indicator for t, _ in ratios])
    tables = [_space_table(t, by) for by, numbers in planned for t in numbers]
    tables += [t for t, _ in ratios]
    first_crossing = len(tables)  # the crossings' tables come last
    tables += [
        _space_table(t, crossing_label(risk_by, exposure))
        for exposure, numbers in crossed
        for t in numbers
    ]
    digests = [d for _, numbers in planned for t in numbers for d in t.digests]
    digests += [d for _, ds in ratios for d in ds]
    digests += [d for _, numbers in crossed for t in numbers for d in t.digests]
    shown: dict[tuple[str, str, str], str] = {}
    numeric_cells: dict[tuple[str, str, str], tuple[str, np.ndarray, np.ndarray]] = {}
    risk_cells: dict[tuple[str, str, str, str], tuple[CrossingCell, CrossingCell]] = {}
    release_id: str | None = None
    exact = publisher.policy.policy.exact_reports
    try:  # a re-issue (a rerun, wbm report after the outputs stage) publishes what it did before
        issue = protect_public(
            publisher, data, request_hash, tables, columns, rules, digests, exact
        )
    except PipelineError as exc:  # fail closed: nothing of the figures is shown
        unpublished.extend(by for by, _ in planned)
        notices.append(f"every breakdown: {exc}")
    else:
        release_id = _record(publisher, data, issue, tables, digests, rules, exact=exact)
        k = 0
        for by, numbers in planned:
            for t in numbers:
                shown.update(_released(t, tables[k].statuses, by))
                if t.indicator in numeric_names:
                    numeric_cells.update(_released_cells(t, tables[k].statuses, by, columns))
                k += 1
        k = first_crossing
        for exposure, numbers in crossed:
            for t in numbers:
                risk_cells.update(crossing_cells(t, tables[k].statuses, risk_by, exposure, columns))
                k += 1
    levels = est["level"].map(level_text).astype(str)
    keys = list(zip(est["indicator"].astype(str), by_col, levels, strict=True))
    flags = est["flags"].fillna("").astype(str).tolist()
    mask = np.array(
        [shown.get(k, SUPPRESSED) == SUPPRESSED for k in keys],
        dtype=bool,
    )
    hidden = sorted({k for k, m, f in zip(keys, mask, flags, strict=True) if m})
    _hide(est, mask, flags)
    published = () if release_id is None else tuple(by for by, _ in planned)
    shown_numeric = (
        None if numeric is None else protected_numeric(numeric, numeric_cells, rules.min_n_count)
    )
    shown_employment = (
        None
        if employment is None
        else protected_employment(employment, _flanders(tables) if release_id else {})
    )
    shown_risk = None if risk is None else protected_risk(risk, risk_cells, rules.min_n_count)
    return est, FiguresRelease(
        published,
        release_id,
        tuple(hidden),
        tuple(unpublished),
        tuple(notices),
        shown_numeric,
        rules.min_n_count,
        shown_employment,
        shown_risk,
        max(rules.min_n_count, 1),
    )


def _jobs(data: WaveData, design: Design) -> np.ndarray | None:
    """Each organisation's weight x number of employees (the weights of a share of employees,
    :mod:`pipeline.estimation.employment`); None for a survey of persons or without a usable
    number of employees (then no share of employees is shown)."""
    import numpy as np
    import pandas as pd

    from pipeline.estimation.employment import size_variable

    size = size_variable(data.questionnaire)
    if not size or size not in data.frame.columns:
        return None
    e = pd.to_numeric(data.frame[size], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if not np.all(np.isfinite(e) & (e >= 0)):
        return None
    return np.asarray(design.weights, dtype=np.float64) * e


def _flanders(tables: Sequence[SpaceTable]) -> dict[tuple[str, str, str], tuple[str, int]]:
    """(indicator, '', '') -> (public flag, n) of every protected table's cell for all (Flanders,
    no breakdown): the figures an organisation survey's employment rows are matched against."""
    out: dict[tuple[str, str, str], tuple[str, int]] = {}
    for t in tables:
        if t.by == "":
            for i, key in enumerate(t.structure.keys):
                if key == ():
                    out[(t.indicator, "", "")] = (public_flag(t.statuses[i]), int(t.n[i]))
    return out


def _space_table(t: IndicatorTable, by: str) -> SpaceTable:
    """One breakdown's table of one indicator as a table of a jointly protected space. Its
    "margins" (cells that must be suppressed alike in every table of the indicator) are all its
    cells, keyed by their respondent set: the same figure (e.g. a sector's, in the sector table and
    as the margin of a within-sector breakdown) is hidden everywhere or nowhere."""
    import numpy as np

    from pipeline.sdc.tables.space import SpaceTable

    data = t.table_data()
    num = {
        "weighted_n": np.asarray(t.weighted_n, dtype=float),
        "estimate": np.asarray(t.estimate, dtype=float),
    }
    return SpaceTable(
        t.indicator,
        by,
        t.kind,
        t.structure,
        data,
        t.masks,
        num,
        list(t.n),
        {d: i for i, d in enumerate(t.digests)},
        unit_values=t.unit_values,
    )


def protect_public(
    publisher: Publisher,
    data: WaveData,
    request_hash: str,
    tables: list[SpaceTable],
    columns: Mapping[str, np.ndarray],
    rules: PrimaryRules,
    digests: Sequence[str],
    exact: bool = False,
) -> Issue:
    """The space of figures for the public on ``data`` protected, or its first issue's statuses
    taken from the publisher's ledgers (:func:`pipeline.sdc.tables.space.protect_issue`): the
    reasons, and the request hash to log the release under (a re-check's own)."""
    from pipeline.sdc.tables.space import protect_issue

    release = (PUBLIC, request_hash, data.data_version)
    return protect_issue(tables, rules, columns, publisher.ledgers, release, digests, exact=exact)


def _record(
    publisher: Publisher,
    data: WaveData,
    issue: Issue,
    tables: Sequence[SpaceTable],
    sums: Sequence[str],
    rules: PrimaryRules,
    label: str | None = None,
    *,
    exact: bool = False,
) -> str:
    """Log the figures in every ledger of the publisher (a rerun on the same data adds nothing)
    under the request hash, with the decision and the reasons ``issue`` gives
    (:func:`protect_public`): every cell of every table with its status (``sums``: their digests,
    in order); the id of the first ledger's entry. ``label``: the release's label [default:
    ``<study>-rapport``]; ``exact``: the exact check ran (logged with the rules)."""
    from pipeline.sdc.tables.space import logged_cells, logged_rules

    cells = [c for t in tables for c in logged_cells(t)]
    decision = issue.decision(tables)
    label = label or f"{data.questionnaire.study.id}-rapport".lower()
    ids = [
        led.record(
            PUBLIC,
            request_hash=issue.logged_as,
            data_version=data.data_version,
            cells=cells,
            digests=sums,
            decision=decision,
            reasons=tuple(issue.reasons),
            label=label,
            rules=logged_rules(rules, exact),
            logged_at=None,
        ).id
        for led in publisher.ledgers
    ]
    return ids[0]


def _hide(est: pd.DataFrame, mask: np.ndarray, flags: list[str]) -> None:
    """Flag the rows of ``mask`` suppressed and drop their numbers, in place (``flags``: the
    rows' flags before)."""
    import numpy as np

    if not mask.any():
        return
    est["flags"] = [_add_flag(f) if m else f for f, m in zip(flags, mask.tolist(), strict=True)]
    for c in NUMBERS:
        if c in est.columns:
            est[c] = est[c].astype("float64")
            est.loc[mask, c] = np.nan
    if "significant" in est.columns:
        est["significant"] = est["significant"].astype(object)
        est.loc[mask, "significant"] = None


def _add_flag(flags: str) -> str:
    """The estimates' flags are ``;``-separated (:mod:`pipeline.estimation.reliability`)."""
    return _add(flags, SUPPRESSED)


def _add(flags: str, flag: str) -> str:
    parts = [f for f in flags.split(";") if f.strip()]
    return ";".join([*parts, flag]) if flag not in parts else flags


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
    numeric: pd.DataFrame | None = None,
    employment: pd.DataFrame | None = None,
    risk: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, FiguresRelease]:
    """:func:`protect_figures` with the run's scored data (``min_n``/``min_n_reliable``: the run's,
    used where stricter than the publisher's policy; ``numeric``, ``employment`` and ``risk``: the
    numeric estimates, an organisation survey's employment estimates and the risk profiles, default
    the run's own, so every caller protects and logs the same figures and a rerun is a re-issue)."""
    from pipeline.rundata.read import (
        read_employment_estimates,
        read_numeric_estimates,
        read_risk_profiles,
    )
    from pipeline.tables.source import load_run

    if numeric is None:
        numeric = read_numeric_estimates(run_dir)
    if employment is None:
        employment = read_employment_estimates(run_dir)
    if risk is None:
        risk = read_risk_profiles(run_dir)

    rules = publisher.policy.rules
    block = run_disclosure(rules.min_n_percent, min_n, min_n_reliable, rules.unreliable_below)
    return protect_figures(
        estimates,
        load_run(run_dir),
        publisher,
        disclosure=block,
        numeric=numeric,
        employment=employment,
        risk=risk,
    )


def _cell_key(measure: str, by: str, level: str) -> tuple[str, frozenset[tuple[str, float]]] | None:
    """A figure's cell as the ledger defines it: its measure and the breakdown's level conditions
    (every other condition of a report figure is ``answered(measure)``); None when ``level`` is
    not a number per breakdown variable."""
    parts = by.split(CROSS_SEP) if by else []
    codes = level_text(level).split(CROSS_SEP) if parts else []
    if len(codes) != len(parts):
        return None
    try:
        return measure, frozenset((v, float(c)) for v, c in zip(parts, codes, strict=True))
    except ValueError:
        return None


def published_cells(
    publisher: Publisher, data_version: str
) -> dict[tuple[str, frozenset[tuple[str, float]]], set[int]]:
    """Every cell a release on ``data_version`` published (any requester, any ledger of the
    publisher) that has the form of a report figure (an indicator by levels of breakdown
    variables, nothing else), keyed as :func:`_cell_key`, with the n it was published with."""
    out: dict[tuple[str, frozenset[tuple[str, float]]], set[int]] = {}
    for key, n in _logged(publisher, data_version, published_only=True):
        out.setdefault(key, set()).add(n)
    return out


def _logged(
    publisher: Publisher, data_version: str, *, published_only: bool
) -> list[tuple[tuple[str, frozenset[tuple[str, float]]], int]]:
    """(key, n) of every logged cell on ``data_version`` that has the form of a report figure
    (keyed as :func:`_cell_key`): the published ones, or every one (published or suppressed)."""
    out = []
    for led in publisher.ledgers:
        for rel in led.releases(data_version):
            for c in rel.cells:
                if published_only and not c.published:
                    continue
                conds = c.cell.conditions
                answered = [x for x in conds if x.levels is None]
                levels = [x for x in conds if x.levels is not None]
                if [x.variable for x in answered] != [c.cell.measure]:
                    continue  # a filter or another indicator's condition: not a report figure
                if any(x.levels is None or len(x.levels) != 1 for x in levels):
                    continue
                key = (
                    c.cell.measure,
                    frozenset((x.variable, float(x.levels[0])) for x in levels if x.levels),
                )
                out.append((key, int(c.n)))
    return out


def released_in_ledger(
    estimates: pd.DataFrame, publisher: Publisher, data_version: str
) -> pd.DataFrame:
    """An earlier wave's estimates table (its own names) with every row flagged ``suppressed``
    (numbers removed) unless a release on its data version published that very cell: same
    indicator, same breakdown levels, same n (review finding 5: an earlier wave's figure is shown
    only where that wave's ledger says it was released; a difference of two released figures
    needs no protection of its own). Fail closed: a row without a match (another name, a figure
    never published, the wave published without ``protect_reports``) is suppressed; one that no
    release logged at all (published or hidden, with this n) is also flagged ``unreleased``, so the
    reports can say it was not published in that wave rather than hidden by the engine."""
    import numpy as np

    from pipeline.reports.estimates import UNRELEASED

    cells = published_cells(publisher, data_version)
    logged = set(_logged(publisher, data_version, published_only=False))
    est = estimates.copy()
    flags = est["flags"].fillna("").astype(str).tolist() if "flags" in est else [""] * len(est)
    keys = [
        _cell_key(str(i), "" if b is None or b != b else str(b), "" if lv is None else str(lv))
        for i, b, lv in zip(est["indicator"], est["by"], est["level"], strict=True)
    ]
    ns = est["n"].fillna(-1).astype(int).tolist()
    mask = np.array(
        [k is None or n not in cells.get(k, set()) for k, n in zip(keys, ns, strict=True)],
        dtype=bool,
    )
    _hide(est, mask, flags)
    unlogged = [k is None or (k, n) not in logged for k, n in zip(keys, ns, strict=True)]
    if any(unlogged):
        est["flags"] = [
            _add(f, UNRELEASED) if u else f
            for f, u in zip(est["flags"].fillna("").astype(str), unlogged, strict=True)
        ]
    return est
