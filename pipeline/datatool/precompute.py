"""Precompute the datatool's whole space of views and protect it as one public release per data
version (see :mod:`pipeline.datatool.space` for the space).

Per series and wave (one data version):

1. the wave's harmonised respondents and design from the archive (:mod:`pipeline.archive.api`);
2. per indicator and breakdown variable ``v`` one table, the series' filter hierarchy (its filter
   variable's levels in their groups, summing to Flanders, :data:`pipeline.datatool.space.FILTERS`:
   the employees' sectors in sector groups) x levels of ``v`` (with a ``missing`` level where someone has none), its
   cells as respondent sets (:mod:`pipeline.sdc.tables.cells`) and the estimation engine's estimate,
   CI and n per cell (domains built from the cells, so the published n is the disclosure engine's);
3. the whole space protected jointly under the publisher's policy
   (:func:`pipeline.sdc.tables.space.protect_space`): per table the primary rules, secondary
   suppression over its structure (hierarchy and margins) and the respondent-level checks within
   it; a margin hidden in one table of an indicator hidden in all; no two published cells of the
   space, or of an earlier release on that data version in the publisher's ledger(s), differing by
   a small group of respondents;
4. the whole space logged once in the ledger as a public release (requester ``public``, label
   ``datatool``, the space's hash as request hash: rebuilding the same space on the same data
   logs nothing new and gives the same cells);
5. only published cells keep numbers; a suppressed cell is kept as the flag ``suppressed`` alone.

Tests against Flanders: the gap of a filtered cell to the Flanders cell of the same breakdown level,
with its linearization variance including the covariance of the part with the whole
(:func:`pipeline.estimation.change.domain_gaps`); a two-sided z test at 5%, only between two
published cells.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.datatool.space import (
    ALL,
    EMPLOYEE_SHARE,
    FILTERS,
    FLANDERS_ONLY,
    NO_BREAKDOWN,
    SHARE_LABELS,
    FilterSpec,
)
from pipeline.sdc.tables.cells import Condition, digest, membership, table_cells
from pipeline.sdc.tables.rules import (
    PrimaryRules,
    TableKind,
    public_flag,
)
from pipeline.sdc.tables.space import (
    Issue,
    SpaceTable,
    logged_cells,
    logged_rules,
    protect_issue,
    protect_space,
)
from pipeline.sdc.tables.structure import TOTAL, Dimension, build

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.archive.api import Archive
    from pipeline.questionnaire.model import Questionnaire
    from pipeline.sdc.publisher import Publisher
    from pipeline.sdc.tables.history import ReleasedCell
    from pipeline.sdc.tables.ledger import Ledger, Prior

REQUESTER = "public"
LABEL = "datatool"
SPACE_VERSION = 2
MISSING = "missing"
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Cell:
    """One published (or suppressed) cell of the space. Suppressed: ``flag == "suppressed"`` and
    every number None (the value never leaves the precompute step)."""

    wave: int
    indicator: str
    by: str  # "" = no breakdown
    filter: str  # "all" | "g:<group>" | "<prefix>:<code>" (the employees: "s:<sector>")
    level: str  # the breakdown's code as text; "" = total; "missing"
    flag: str  # "" | "unreliable" | "suppressed" ("empty": releases before issue 13's space rules)
    n: int | None
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    vs_flanders: str = ""  # "" (no test) | "higher" | "lower" | "same"
    diff: float | None = None
    p_value: float | None = None


@dataclass(frozen=True)
class SeriesSpace:
    series: str
    population: str
    study: str  # the current questionnaire (labels)
    waves: tuple[int, ...]
    indicators: tuple[str, ...]
    kinds: dict[str, str]  # indicator -> percent | mean
    breakdowns: tuple[str, ...]
    sectors: tuple[int, ...]  # the codes of the filter variable (the employees' sectors)
    groups: tuple[tuple[str, dict[str, str], tuple[int, ...]], ...]
    data_versions: dict[int, str] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=dict)  # see :func:`space_labels`
    filter_variable: str = ""  # a breakdown ("": Flanders only)
    filter_prefix: str = ""  # a filter on one code: "<prefix>:<code>"
    size_variable: str = ""  # an organisation's number of employees ("": no shares of employees)

    @property
    def filters(self) -> tuple[str, ...]:
        codes = (f"{self.filter_prefix}:{s}" for s in self.sectors)
        return (ALL, *(f"g:{g}" for g, _, _ in self.groups), *codes)

    def spec(self) -> dict[str, Any]:
        """What the space is (its hash: the logged release's request hash); the prefix of the
        filters is only their name in a URL, not part of it."""
        return {
            "space_version": SPACE_VERSION,
            "series": self.series,
            "indicators": list(self.indicators),
            "breakdowns": list(self.breakdowns),
            "filter_variable": self.filter_variable or "sector",  # "sector": as before filters
            "sectors": list(self.sectors),
            "groups": [[g, list(c)] for g, _, c in self.groups],
        } | ({"size_variable": self.size_variable} if self.size_variable else {})

    def hash(self) -> str:
        text = json.dumps(self.spec(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class WaveOutcome:
    wave: int
    data_version: str
    release_id: str | None
    decision: str
    tables: int
    cells: int
    suppressed: int
    seconds: float


@dataclass(frozen=True)
class PublicRelease:
    """Everything the server may show: per series its space and its cells (published numbers,
    suppressed cells without numbers)."""

    spaces: dict[str, SeriesSpace]
    cells: dict[str, tuple[Cell, ...]]
    outcomes: dict[str, tuple[WaveOutcome, ...]]
    policy: dict[str, object]


def series_space(archive: Archive, series: str) -> SeriesSpace:
    """The space of one series: the current questionnaire's indicators and documented breakdowns,
    and its population's filter (:data:`pipeline.datatool.space.FILTERS`) where the questionnaire
    has its variable as a breakdown (else Flanders only); a group whose codes the questionnaire
    does not all have is left out."""
    from pipeline.reports.labels import level_labels
    from pipeline.tables.request import documented_breakdowns, indicator_catalogue

    info = archive.info(series)
    q = archive.questionnaire(info.current)
    cat = indicator_catalogue(q)
    kinds = {n: ("mean" if c.kind == "count" else "percent") for n, c in cat.items()}
    size = size_variable(q)
    names = tuple(
        x
        for n in cat
        for x in ((n, f"{n}{EMPLOYEE_SHARE}") if size and kinds[n] == "percent" else (n,))
    )
    kinds |= {n: "percent" for n in names if n.endswith(EMPLOYEE_SHARE)}
    breakdowns = tuple(documented_breakdowns(q))
    sectors: tuple[int, ...] = ()
    groups: tuple[tuple[str, dict[str, str], tuple[int, ...]], ...] = ()
    spec = FILTERS.get(info.population)
    if spec is not None and spec.variable not in breakdowns:
        spec = None
    if spec is not None:
        sectors = tuple(sorted(c for c in level_labels(q, spec.variable) if c >= 0))
        groups = tuple(g for g in spec.groups if set(g[2]) <= set(sectors))
    return SeriesSpace(
        series,
        info.population,
        info.current,
        info.years,
        names,
        kinds,
        breakdowns,
        sectors,
        groups,
        {y: v for y, _, v in info.waves},
        space_labels(q, names, breakdowns, groups, spec),
        spec.variable if spec else "",
        spec.prefix if spec else "",
        size,
    )


def size_variable(q: Questionnaire) -> str:
    """:func:`pipeline.estimation.employment.size_variable` (its owner; loaded when asked)."""
    from pipeline.estimation.employment import size_variable as owner

    return owner(q)


def base_indicator(name: str) -> str:
    """The questionnaire's indicator of a space's indicator (a share of employees is its own)."""
    return name.removesuffix(EMPLOYEE_SHARE)


def space_labels(
    q: Questionnaire,
    indicators: Sequence[str],
    breakdowns: Sequence[str],
    groups: Sequence[tuple[str, dict[str, str], tuple[int, ...]]],
    spec: FilterSpec | None = None,
) -> dict[str, Any]:
    """Dutch and English labels of everything a view names, from the questionnaire (never
    hard-coded): indicators, breakdowns, their levels (codes as text, ``missing``), filters (the
    filter spec's groups, the levels of its variable) and the name of the filter."""
    from pipeline.reports.labels import domain_label, indicator_label, level_labels

    langs = ("nl", "en")
    unknown = {"nl": "onbekend", "en": "unknown"}
    levels: dict[str, dict[str, dict[str, str]]] = {}
    for b in breakdowns:
        per = {lang: level_labels(q, b, lang) for lang in langs}
        levels[b] = {
            str(c): {lang: per[lang].get(c, str(c)) for lang in langs} for c in per["nl"] if c >= 0
        }
        levels[b][MISSING] = dict(unknown)
    filters: dict[str, dict[str, str]] = {ALL: {"nl": "Vlaanderen", "en": "Flanders"}}
    for g, lab, _ in groups:
        filters[f"g:{g}"] = {lang: lab[lang] for lang in langs}
    if spec is not None:
        for c, lab in levels.get(spec.variable, {}).items():
            if c != MISSING:
                filters[spec.level(c)] = dict(lab)
    shares = {base_indicator(i) for i in indicators if i.endswith(EMPLOYEE_SHARE)}

    def ind_label(i: str, lang: str) -> str:
        text = indicator_label(q, base_indicator(i), lang)
        if i.endswith(EMPLOYEE_SHARE):
            return f"{text} ({SHARE_LABELS['employees'][lang]})"
        return f"{text} ({SHARE_LABELS['organisations'][lang]})" if i in shares else text

    return {
        "indicator": {i: {lang: ind_label(i, lang) for lang in langs} for i in indicators},
        "breakdown": {b: {lang: domain_label(q, b, lang) for lang in langs} for b in breakdowns},
        "level": levels,
        "filter": filters,
        "filter_name": dict(spec.label if spec is not None else FLANDERS_ONLY),
    }


def build_release(
    archive: Archive,
    publisher: Publisher | None,
    *,
    series: Sequence[str] | None = None,
    waves: Sequence[int] | None = None,
    indicators: Sequence[str] | None = None,
    breakdowns: Sequence[str] | None = None,
    logged_at: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> PublicRelease:
    """Compute and protect the whole space of every series (or those named), log each wave's
    release in the publisher's ledgers (``publisher=None``: the reference policy's rules, nothing
    logged; for tests of the engine only). ``waves``, ``indicators``, ``breakdowns``: a subset of
    the space (the demo's reference subset); the filter hierarchy is in every table, so the
    filter variable (the employees' ``sector``) is always kept. A name outside the space is a :class:`UsageError`
    (``bad_option``). A subset is a space of its own (its own hash, its own logged release)."""
    from pipeline.sdc.tables.space import space_rules

    # an empty group hidden and protected like one under the minimum (the space lists every group)
    rules = space_rules(
        PrimaryRules() if publisher is None else publisher.policy.policy.tables.rules()
    )
    exact = publisher is not None and publisher.policy.policy.exact_datatool
    spaces, cells, outcomes = {}, {}, {}
    for name in series or archive.series_names():
        space = series_space(archive, name)
        _check_subset("--wave", waves, space.waves)
        _check_subset("--indicator", indicators, space.indicators)
        _check_subset("--breakdown", breakdowns, space.breakdowns)
        if waves is not None:
            space = replace(space, waves=tuple(w for w in space.waves if w in waves))
        if indicators is not None:
            space = replace(space, indicators=tuple(i for i in space.indicators if i in indicators))
        if breakdowns is not None:
            keep = (*breakdowns, space.filter_variable)  # the filter hierarchy is in every table
            space = replace(space, breakdowns=tuple(b for b in space.breakdowns if b in keep))
        spaces[name] = space
        out: list[Cell] = []
        done: list[WaveOutcome] = []
        jobs = [
            _WaveJob(archive.root, publisher, space, wave, rules, exact) for wave in space.waves
        ]
        for job, (wc, seconds) in zip(jobs, _waves(jobs, archive, progress), strict=True):
            t0 = time.perf_counter()
            version = space.data_versions[job.wave]
            rid = None
            if publisher is not None:
                rid = _record(publisher, space, version, wc, rules, logged_at, exact)
            out.extend(wc.cells)
            done.append(
                WaveOutcome(
                    job.wave,
                    version,
                    rid,
                    wc.decision,
                    wc.tables,
                    len(wc.cells),
                    sum(c.flag == "suppressed" for c in wc.cells),
                    seconds + time.perf_counter() - t0,
                )
            )
        cells[name] = tuple(out)
        outcomes[name] = tuple(done)
    pol = {} if publisher is None else publisher.policy.describe()
    return PublicRelease(spaces, cells, outcomes, pol)


# bytes a worker may need for one wave (measured: 1.98 GB, the full-size 2023 employees wave)
WAVE_MEMORY = 2 * 1024**3


@dataclass(frozen=True)
class _WaveJob:
    """One wave of a series' space to compute and protect (not logged: the caller logs the waves
    in order). ``archive``: the archive's folder, opened again in a worker process."""

    archive: Path
    publisher: Publisher | None
    space: SeriesSpace
    wave: int
    rules: PrimaryRules
    exact: bool


def _protect_wave(job: _WaveJob, archive: Archive | None = None) -> tuple[WaveCells, float]:
    """One wave's cells, computed and protected against what the publisher's ledgers hold on its
    data version (read once), and the seconds it took. ``archive``: the opened archive, in the
    calling process."""
    from pipeline.archive.api import open_archive
    from pipeline.sdc.tables.ledger import Prior, prior

    t0 = time.perf_counter()
    arch = archive if archive is not None else open_archive(job.archive)
    before = Prior(None, ())
    if job.publisher is not None:  # one read of the ledgers
        version = job.space.data_versions[job.wave]
        before = prior(job.publisher.ledgers, version, REQUESTER, job.space.hash())
    wc = compute_wave(
        arch,
        job.space,
        job.wave,
        job.rules,
        before.history,
        ledgers=() if job.publisher is None else job.publisher.ledgers,
        prior=before,
        exact=job.exact,
    )
    return wc, time.perf_counter() - t0


def _waves(
    jobs: Sequence[_WaveJob], archive: Archive, progress: Callable[[str], None] | None
) -> Iterator[tuple[WaveCells, float]]:
    """Each wave's :func:`_protect_wave`, in order. The waves of a series are independent until
    they are logged: each has its own data version, and a wave is protected against its own
    version's releases only. So they run in worker processes (``WBM_WORKERS``, at most one per
    wave and one per :data:`WAVE_MEMORY` of available memory), or in this process for one; with
    one BLAS thread either way (:func:`pipeline.workers.waves_in_order`: the same cells in one
    process or several). Waves that share a data version (the same respondents twice) run one
    after another in this process, the later protected against the earlier's logged release
    (``apart=False``). The waves with the most logged before them go first
    (:func:`_logged_bytes`): a wave is checked against every release on its data version, so the
    latest wave, whose reports, tables and benchmarks are logged, is the longest (the demo's 2023
    employees wave: 65 s of 136 s), and started last it would run alone at the end. A wave is said
    when it starts; a worker process that stops is ``datatool_workers_failed``."""
    from pipeline.errors import PipelineError
    from pipeline.workers import ENV, waves_in_order

    def said(job: _WaveJob) -> None:
        if progress:
            progress(f"{job.space.series} {job.wave}")

    def stopped(what: str) -> PipelineError:
        return PipelineError(
            f"a worker process protecting the datatool's waves stopped ({what}): nothing of the "
            f"series is published, the waves before it are logged; run again, or set {ENV}=1 to "
            "protect the waves in one process",
            code="datatool_workers_failed",
        )

    yield from waves_in_order(
        jobs,
        _protect_wave,
        memory=WAVE_MEMORY,
        preload=["pipeline.datatool.precompute"],
        said=said,
        stopped=stopped,
        here=lambda job: _protect_wave(job, archive),  # the archive opened already
        first=sorted(range(len(jobs)), key=lambda i: -_logged_bytes(jobs[i])),  # ties: wave order
        apart=len({j.space.data_versions[j.wave] for j in jobs}) == len(jobs),
    )


def _logged_bytes(job: _WaveJob) -> int:
    """The size of what the publisher's ledgers hold on the wave's data version (bytes)."""
    if job.publisher is None:
        return 0
    version = job.space.data_versions[job.wave]
    paths = (ledger.path(version) for ledger in job.publisher.ledgers)
    return sum(p.stat().st_size for p in paths if p.is_file())


def _check_subset(option: str, chosen: Sequence[object] | None, space: Sequence[object]) -> None:
    from pipeline.errors import Problem, UsageError

    unknown = [c for c in chosen or () if c not in space]
    if unknown:
        shown = ", ".join(str(s) for s in space)
        raise UsageError(
            f"{option}: {', '.join(str(u) for u in unknown)} not in the datatool's space",
            [Problem(f"{option} {u}", expected=f"one of {shown}") for u in unknown],
            code="bad_option",
        )


@dataclass(frozen=True)
class WaveCells:
    cells: tuple[Cell, ...]
    logged: tuple[ReleasedCell, ...]
    digests: tuple[str, ...]
    decision: str
    reasons: tuple[str, ...]
    tables: int
    logged_as: str  # the request hash to log under (the space's, or a re-check's)


def _columns(frame: pd.DataFrame, q: Questionnaire, names: Sequence[str]) -> dict[str, np.ndarray]:
    """Float columns for the cells: breakdowns with every non-substantive value made the
    questionnaire's first missing code (as :func:`pipeline.tables.source.disclosure_columns`)."""
    import pandas as pd

    from pipeline.tables.request import missing_codes

    miss = np.asarray(missing_codes(q))
    out: dict[str, np.ndarray] = {}
    for name in names:
        v = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        out[name] = np.where(np.isnan(v) | ((v < 0) & ~np.isin(v, miss)), miss[0], v)
    return out


def _history_columns(
    cols: dict[str, np.ndarray],
    frame: pd.DataFrame,
    q: Questionnaire,
    history: Sequence[ReleasedCell],
    own: Callable[[], tuple[pd.DataFrame, Questionnaire]] | None = None,
) -> None:
    """Add the columns that the ledger's earlier releases of this data version name (e.g. a
    ``wbm table`` over another indicator), so the differencing checks can recompute their cells:
    breakdown variables as in :func:`_columns`, anything else as numbers (as
    :func:`pipeline.tables.source.disclosure_columns`). A release made on the wave's run (its
    report figures, a ``wbm table`` on the run) names the wave's own variables, which the series'
    harmonised frame may have renamed (2004's ``geslacht`` is the series' ``sex``): those come from
    the wave's own scored data (``own``: the same respondents in the same order, the view only
    selects and renames columns). A variable neither has stays out; the check then stops with
    ``cell_unknown_variable`` rather than skip the cell."""
    from pipeline.tables.request import _breakdown_names

    wanted = sorted({v for c in history for v in c.cell.variables} - set(cols))
    _add_columns(cols, frame, q, [v for v in wanted if v in frame.columns], _breakdown_names(q))
    missing = [v for v in wanted if v not in frame.columns]
    if missing and own is not None:
        wave_frame, wave_q = own()
        if len(wave_frame) == len(frame):
            have = [v for v in missing if v in wave_frame.columns]
            _add_columns(cols, wave_frame, wave_q, have, _breakdown_names(wave_q))


def _add_columns(
    cols: dict[str, np.ndarray],
    frame: pd.DataFrame,
    q: Questionnaire,
    names: Sequence[str],
    breakdowns: Sequence[str],
) -> None:
    import pandas as pd

    coded = set(breakdowns)
    cols.update(_columns(frame, q, [v for v in names if v in coded]))
    for v in names:
        if v not in coded:
            cols[v] = pd.to_numeric(frame[v], errors="coerce").to_numpy(
                dtype=float, na_value=np.nan
            )


def _own_wave(archive: Archive, series: str, wave: int) -> tuple[pd.DataFrame, Questionnaire]:
    """The wave's scored respondents under its own names, and its own questionnaire."""
    import pandas as pd

    from pipeline.archive import layout as archive_layout

    study = archive.info(series).study(wave)
    path = archive_layout.wave_dir(archive.root, study) / archive_layout.RUN_PATH["scored"]
    return pd.read_parquet(path), archive.questionnaire(study)


def compute_wave(
    archive: Archive,
    space: SeriesSpace,
    wave: int,
    rules: PrimaryRules,
    history: Sequence[ReleasedCell] = (),
    *,
    ledgers: Sequence[Ledger] = (),
    exact: bool = False,
    prior: Prior | None = None,
) -> WaveCells:
    """Every table of one wave computed and protected jointly (see
    :func:`pipeline.sdc.tables.space.protect_space`; ``exact``: its exact check too); not logged.
    ``history``: the releases on the wave's data version before this space's first issue; with
    the publisher's ``ledgers`` a rebuild is a re-issue, which publishes what the first issue
    published (:func:`pipeline.sdc.tables.space.protect_issue`; ``prior``: what the ledgers
    hold for it, if the caller has read them already)."""
    import pandas as pd

    from pipeline.archive.api import make_design
    from pipeline.estimation.api import estimate, indicator_values
    from pipeline.estimation.linearization import VarianceEngine
    from pipeline.sdc.tables.protect import TableData, numerator
    from pipeline.tables.request import missing_codes

    q = archive.questionnaire(space.study)
    frame, model = archive.respondents(space.series, wave)
    design = make_design(frame, model, file=f"{space.series} {wave}")
    present = [b for b in space.breakdowns if b in frame.columns]
    cols = _columns(frame, q, present)
    inds = [
        i
        for i in space.indicators
        if base_indicator(i) in frame.columns and frame[base_indicator(i)].notna().any()
    ]
    jobs = _employee_design(frame, model, q, space.size_variable, f"{space.series} {wave}")
    if jobs is None:  # no shares of employees where the design does not allow them
        inds = [i for i in inds if not i.endswith(EMPLOYEE_SHARE)]
    for name in inds:
        cols[base_indicator(name)] = pd.to_numeric(
            frame[base_indicator(name)], errors="coerce"
        ).to_numpy(dtype=float, na_value=np.nan)
    _history_columns(cols, frame, q, history, lambda: _own_wave(archive, space.series, wave))
    miss = tuple(missing_codes(q))
    sector_dim = _sector_dim(space, cols) if space.filter_variable in present else None
    tables: list[SpaceTable] = []
    for ind in inds:
        kind = TableKind.mean if space.kinds[ind] == "mean" else TableKind.percent
        stat = "mean" if kind == TableKind.mean else "proportion"
        var = base_indicator(ind)  # a share of employees: the same respondents, other weights
        shares = jobs is not None and ind.endswith(EMPLOYEE_SHARE)
        for by in present:
            dims = _dims(sector_dim, by, cols, miss)
            structure = build(dims)
            codes = {d.name: {MISSING: miss} for d in dims}
            cells = table_cells(structure, [Condition(var, None)], var, codes)
            masks = membership(cells, cols)
            doms, where = _domains(structure, masks)
            df = pd.DataFrame({var: frame[var].to_numpy(), **doms})
            est = estimate(
                df,
                jobs.design if shares and jobs is not None else design,
                [var],
                list(doms),
                stat=stat,  # type: ignore[arg-type]
            ).table
            num = {
                k: np.full(structure.n_cells, np.nan)
                for k in ("weighted_n", "estimate", "ci_low", "ci_high")
            }
            for row in est[est["by"] != ""].itertuples(index=False):
                i = where[(str(row.by), str(row.level))]
                for k in num:
                    num[k][i] = float(getattr(row, k))
            n = [int(x) for x in masks.sum(axis=0)]
            wn = [0.0 if np.isnan(x) else float(x) for x in num["weighted_n"]]
            layers = {
                "n": [float(x) for x in n],
                "weighted_n": wn,
                "numerator": list(numerator(list(num["estimate"]), wn, percent=False)),
            }
            margins: dict[str, int] = {}
            for i, key in enumerate(structure.keys):
                if sector_dim is None:  # no filters: the table's total is Flanders' margin
                    if key[0] == TOTAL:
                        margins[TOTAL] = i
                elif len(key) == 1 or key[1] == TOTAL:
                    margins[key[0]] = i
            table = SpaceTable(
                ind,
                by,
                kind,
                structure,
                TableData(structure, kind, layers, cells),
                masks,
                num,
                n,
                margins,
            )
            if shares and jobs is not None:  # a few large organisations: their answers show
                table.primary.update(_dominated(masks, jobs.weights, n, rules))
            tables.append(table)
    digests = [digest(t.masks[:, i]) for t in tables for i in range(t.structure.n_cells)]
    if ledgers:
        version = space.data_versions[wave]
        issue = protect_issue(
            tables,
            rules,
            cols,
            ledgers,
            (REQUESTER, space.hash(), version),
            digests,
            exact=exact,
            prior=prior,
        )
    else:
        issue = Issue(tuple(protect_space(tables, rules, cols, history, exact=exact)), space.hash())
    engine = VarianceEngine(design)
    engines = {False: engine, True: VarianceEngine(jobs.design) if jobs is not None else engine}
    out: list[Cell] = []
    logged: list[ReleasedCell] = []
    ys: dict[str, np.ndarray] = {}
    for t in tables:
        # without sectors (the self-employed, enterprises) the view without breakdown is the total
        # of the indicator's first table (every table's total is the same cell: margins alike)
        first = t.indicator not in ys
        if first:
            ys[t.indicator] = indicator_values(
                frame,
                base_indicator(t.indicator),
                "mean" if t.kind == TableKind.mean else "proportion",
            )
        logged.extend(logged_cells(t))
        engine_t = engines[t.indicator.endswith(EMPLOYEE_SHARE)]
        gaps = _gaps(engine_t, ys[t.indicator], t.structure, cols, t.by, sector_dim)
        out.extend(
            _cells(
                wave,
                t.indicator,
                t.by,
                t.structure,
                t.statuses,
                t.n,
                t.num,
                gaps,
                prefix=space.filter_prefix if sector_dim is not None else "",
                no_breakdown=first and sector_dim is None,
            )
        )
    decision = issue.decision(tables)
    return WaveCells(
        tuple(out),
        tuple(logged),
        tuple(digests),
        decision,
        issue.reasons,
        len(tables),
        issue.logged_as,
    )


@dataclass(frozen=True)
class _Jobs:
    """The design of shares of employees and each organisation's weighted number of employees."""

    design: Any
    weights: np.ndarray


def _employee_design(
    frame: pd.DataFrame, model: Any, q: Questionnaire, size: str, file: str
) -> _Jobs | None:
    """Shares of employees as :mod:`pipeline.estimation.employment` makes them: each organisation
    weighted by its weight times its number of employees, on the wave's strata and finite
    population correction. Only where the calibration is a post-stratification on the strata
    themselves (there the stratified variance is the calibrated one), as in the estimate stage;
    else (and for a survey of persons) None."""
    from pipeline.estimation.api import DesignSpec, design_from_frame

    if not size or size not in frame.columns or model.strata is None or model.fpc is None:
        return None
    strata = set(q.study.strata)
    cal = model.calibration
    if cal is not None and any(set(m.variables) != strata for m in cal.margins):
        return None
    e = _numeric(frame[size])
    if not np.all(np.isfinite(e) & (e >= 0)):
        return None
    w = _numeric(frame[model.weight]) * e
    data = frame.assign(_size_weight=w)
    spec = DesignSpec(weight="_size_weight", strata=model.strata, psu=model.psu, fpc=model.fpc)
    return _Jobs(design_from_frame(data, spec, file=file), w)


def _numeric(col: Any) -> np.ndarray:
    import pandas as pd

    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _dominated(
    masks: np.ndarray, jobs: np.ndarray, n: Sequence[int], rules: PrimaryRules
) -> dict[int, str]:
    """Cells of a share of employees where a few organisations hold most of the cell's weighted
    employees (the policy's dominance and p% rules on the cell's contributions, as a magnitude
    table's): their share would all but say those organisations' answers. Cell -> its primary
    status (``primary:dominance``, ``primary:p_percent``, or ``primary:min_n`` for fewer
    organisations than a magnitude cell needs): the ledger logs it as primary."""
    from pipeline.sdc.tables.rules import is_primary, primary_status

    out = {}
    for i in range(masks.shape[1]):
        if n[i] == 0:
            continue
        status = primary_status(TableKind.magnitude, int(n[i]), rules, jobs[masks[:, i]])
        if is_primary(status):
            out[i] = status
    return out


def _domains(
    structure: Any, masks: np.ndarray
) -> tuple[dict[str, object], dict[tuple[str, str], int]]:
    """One categorical domain column per pattern of node kinds (leaf, group, total per dimension):
    cells of one pattern are disjoint; (column, level) -> cell index."""
    import pandas as pd

    from pipeline.errors import EstimationError

    def kind(node: str, d: Dimension) -> int:
        return 2 if node == TOTAL else 1 if node in {g for g, _ in d.groups} else 0

    patterns: dict[tuple[int, ...], list[int]] = {}
    for i, key in enumerate(structure.keys):
        p = tuple(kind(k, d) for k, d in zip(key, structure.dims, strict=True))
        patterns.setdefault(p, []).append(i)
    cols: dict[str, object] = {}
    where: dict[tuple[str, str], int] = {}
    for number, idx in enumerate(patterns.values()):
        name = f"__cells_{number}"
        cats = ["|".join(structure.keys[i]) or "all" for i in idx]
        code = np.full(masks.shape[0], -1, dtype=np.int64)
        for j, i in enumerate(idx):
            m = masks[:, i]
            if np.any(code[m] >= 0):
                raise EstimationError(f"cells {cats[j]!r} overlap", code="overlapping_cells")
            code[m] = j
            where[(name, cats[j])] = i
        cols[name] = pd.Categorical.from_codes(code, categories=cats)
    return cols, where


def _sector_dim(space: SeriesSpace, cols: Mapping[str, np.ndarray]) -> Dimension:
    """The filter hierarchy: the filter variable's codes (and ``missing``), in their groups."""
    codes = tuple(str(s) for s in space.sectors)
    col = cols[space.filter_variable]
    missing = bool(np.any(~np.isin(col, np.asarray(space.sectors, dtype=float))))
    levels = codes + ((MISSING,) if missing else ())
    groups = tuple((f"g:{g}", tuple(str(c) for c in cs)) for g, _, cs in space.groups)
    return Dimension(space.filter_variable, levels, groups)


def _dims(
    sector: Dimension | None,
    by: str,
    cols: Mapping[str, np.ndarray],
    miss: Sequence[float],
) -> tuple[Dimension, ...]:
    """The table of one breakdown: filter levels x levels (just the filter's levels when ``by`` is
    the filter variable)."""
    if sector is not None and by == sector.name:
        return (sector,)
    col = cols[by]
    levels = sorted({float(x) for x in col if x >= 0})
    lv = tuple(str(int(x)) for x in levels)
    if np.any(np.isin(col, np.asarray(miss, dtype=float))):
        lv = (*lv, MISSING)
    d = Dimension(by, lv)
    return (d,) if sector is None else (sector, d)


def _node_filter(node: str, prefix: str) -> str:
    if node == TOTAL:
        return ALL
    if node.startswith("g:"):
        return node
    return f"{prefix}:{node}"


def _cells(
    wave: int,
    ind: str,
    by: str,
    structure: Any,
    statuses: Sequence[str],
    n: Sequence[int],
    num: Mapping[str, np.ndarray],
    gaps: Mapping[int, tuple[float, float]],
    *,
    prefix: str = "",
    no_breakdown: bool = False,
) -> list[Cell]:
    """The view cells of one table; ``prefix``: the filters' (none: a population without a
    filter, whose tables have no filter dimension); ``no_breakdown``: its total is also the view
    without breakdown (a population without the filter's table)."""
    out = []
    filtered = bool(prefix)
    by_sector = filtered and len(structure.dims) == 1 and structure.dims[0].name == by
    for i, key in enumerate(structure.keys):
        flag = public_flag(statuses[i])  # an empty cell is suppressed (space_rules)
        sec = key[0] if filtered else TOTAL
        lev = key[-1] if not by_sector and structure.dims[-1].name == by else TOTAL
        if by_sector:  # the sector table: Flanders by sector, and each filter without breakdown
            if sec == TOTAL:
                cells = [(ALL, "", by), (ALL, "", NO_BREAKDOWN)]
            elif sec == MISSING:
                cells = [(ALL, MISSING, by)]
            elif sec.startswith("g:"):
                cells = [(sec, "", NO_BREAKDOWN)]
            else:
                cells = [(ALL, sec, by), (f"{prefix}:{sec}", "", NO_BREAKDOWN)]
        elif sec == MISSING:  # no sector: in the table (its totals add up), never a filter
            cells = []
        else:
            cells = [(_node_filter(sec, prefix), "" if lev == TOTAL else lev, by)]
            if no_breakdown and sec == TOTAL and lev == TOTAL:
                cells.append((ALL, "", NO_BREAKDOWN))
        for flt, level, b in cells:
            if flag in ("suppressed", "empty"):
                out.append(Cell(wave, ind, b, flt, level, flag, None, None, None, None))
                continue
            test, diff, p = "", None, None
            g = gaps.get(i)
            if g is not None:
                diff, se = g
                p = _p_value(diff, se)
                test = "same" if p is None or p >= 0.05 else ("higher" if diff > 0 else "lower")
            out.append(
                Cell(
                    wave,
                    ind,
                    b,
                    flt,
                    level,
                    flag,
                    int(n[i]),
                    _f(num["estimate"][i]),
                    _f(num["ci_low"][i]),
                    _f(num["ci_high"][i]),
                    test,
                    diff,
                    p,
                )
            )
    return out


def _f(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def _p_value(diff: float, se: float) -> float | None:
    from scipy import special

    if not np.isfinite(se) or se <= 0:
        return None
    return float(special.erfc(abs(diff / se) / np.sqrt(2.0)))


def _gaps(
    engine: Any,
    y: np.ndarray,
    structure: Any,
    cols: Mapping[str, np.ndarray],
    by: str,
    sector: Dimension | None,
) -> dict[int, tuple[float, float]]:
    """Cell index -> (gap to the Flanders cell of the same level, its standard error), for every
    sector and sector-group cell."""
    from pipeline.estimation.change import domain_gaps

    if sector is None:
        return {}
    sec = cols[sector.name]
    nodes: list[tuple[str, np.ndarray]] = [
        (s, sec == float(s)) for s in sector.levels if s != MISSING
    ]
    for g, children in sector.groups:
        nodes.append((g, np.isin(sec, np.asarray([float(c) for c in children]))))
    by_sector = len(structure.dims) == 1
    levels: list[tuple[str, np.ndarray]] = [(TOTAL, np.ones(len(y), dtype=bool))]
    if not by_sector:
        col = cols[by]
        for lv in structure.dims[1].levels:
            if lv != MISSING:
                levels.append((lv, col == float(lv)))
    lay_all = engine.layout(None, 1)
    out: dict[int, tuple[float, float]] = {}
    for lv, inside in levels:
        yl = np.where(inside, y, np.nan)
        for name, m in nodes:
            codes = np.where(m, 0, -1).astype(np.int64)
            gap = domain_gaps(engine, engine.layout(codes, 1), lay_all, yl)
            key = (name,) if by_sector else (name, lv)
            se = float(np.sqrt(max(gap.variance[0], 0.0)))
            out[structure.index(key)] = (float(gap.gap[0]), se)
    return out


def _record(
    publisher: Publisher,
    space: SeriesSpace,
    version: str,
    wc: WaveCells,
    rules: PrimaryRules,
    logged_at: str | None,
    exact: bool = False,
) -> str:
    """Log one wave's space in every ledger of the publisher (a rebuild of the same space on the
    same data version adds nothing); the id of the first ledger's entry. ``exact``: the exact
    check ran (logged with the rules)."""
    ids = []
    for ledger in publisher.ledgers:
        rel = ledger.record(
            REQUESTER,
            request_hash=wc.logged_as,
            data_version=version,
            cells=list(wc.logged),
            digests=list(wc.digests),
            decision="refuse" if wc.decision == "refuse" else wc.decision,
            reasons=wc.reasons,
            label=LABEL,
            rules=logged_rules(rules, exact),
            logged_at=logged_at,
        )
        ids.append(rel.id)
    return ids[0]
