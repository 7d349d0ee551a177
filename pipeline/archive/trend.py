"""A run's trend: its estimates beside every earlier wave of its series in the archive, with the change
tests and the difference-in-differences the reports show.

For a run of questionnaire Q the earlier waves are those reached from Q's trend ``mapping`` through
the archive (``previous``, then that wave's ``previous``, ...), each wave's own estimates and
respondents translated into Q's names (:func:`pipeline.archive.harmonise.translations`, the same
translation the archive's views use, so a point is the archived wave's estimate). A wave of Q's own
study id already in the archive is replaced by the run itself.

- **points**: estimate, CI, n and flags per wave (a suppressed estimate is never a point);
- **changes**: the latest wave against the previous and against the first wave of the same
  comparable segment (:func:`pipeline.estimation.compare.compare_waves`: independent samples);
  across a break there is no test (``comparable`` False);
- **difference-in-differences** of each group of the report domain against the whole population,
  against the previous and the first wave, each wave with its own design and calibration
  (:func:`pipeline.estimation.change.difference_in_differences`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.archive.records import WaveRecord

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.archive.api import Archive, BreakInfo
    from pipeline.archive.records import DesignModel
    from pipeline.questionnaire.model import Questionnaire
    from pipeline.rundata.fieldwork import FieldworkCounts

Key = tuple[str, str, str]  # (indicator, by, level); overall: ("x", "", "")
#: What may be shown of an earlier wave: (its data version, its own estimates table) -> the table
#: with what may not be shown flagged suppressed (compute_trend's ``earlier``).
Earlier = Callable[[str, "pd.DataFrame"], "pd.DataFrame"]


@dataclass(frozen=True)
class Point:
    wave: int
    study: str
    n: int
    flags: frozenset[str]
    estimate: float | None  # None: suppressed (or no estimate)
    ci_low: float | None
    ci_high: float | None
    segment: int
    break_before: bool
    stat: str = "proportion"

    @property
    def shown(self) -> bool:
        return self.estimate is not None


@dataclass(frozen=True)
class Change:
    """``to`` minus ``since`` for one line (None values: no test possible)."""

    since: int
    to: int
    comparable: bool  # False: a break lies between the two waves
    diff: float | None = None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    significant: bool | None = None


@dataclass(frozen=True)
class Line:
    indicator: str
    by: str
    level: str
    points: tuple[Point, ...]  # oldest first, only waves with a row for this key
    vs_previous: Change | None
    vs_first: Change | None

    def point(self, wave: int) -> Point | None:
        return next((p for p in self.points if p.wave == wave), None)


@dataclass(frozen=True)
class Did:
    """Difference-in-differences of a group's gap to the whole population between ``since`` and ``to``."""

    indicator: str
    by: str
    level: str
    since: int
    to: int
    comparable: bool
    did: float | None = None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    significant: bool | None = None
    gap_since: float | None = None
    gap_to: float | None = None

    @property
    def diff(self) -> float | None:
        return self.did


@dataclass(frozen=True)
class Trend:
    series: str
    current: str  # the run's study id
    years: tuple[int, ...]  # every wave, oldest first (the run's last)
    waves: tuple[tuple[int, str, str], ...]  # (year, study id, data version)
    lines: dict[Key, Line]
    dids: dict[tuple[str, str, str, int], Did]  # (indicator, by, level, since)
    breaks: tuple[BreakInfo, ...]
    modes: tuple[tuple[int, tuple[str, ...]], ...]  # each wave's modes (a design note, not a break)
    # the previous wave's own estimates table (its own names) without the indicators that break
    # between it and this wave: what the reports' "previous wave" columns compare with
    previous_estimates: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    # the earlier waves' fieldwork counts, oldest first (Archive.fieldwork; None: a wave archived
    # without them)
    fieldwork: tuple[tuple[int, FieldworkCounts | None], ...] = ()

    @property
    def first(self) -> int:
        return self.years[0]

    @property
    def previous(self) -> int | None:
        return self.years[-2] if len(self.years) > 1 else None

    def line(self, indicator: str, by: str = "", level: str = "") -> Line | None:
        return self.lines.get((indicator, by, level))

    def did(self, indicator: str, by: str, level: str, since: int) -> Did | None:
        return self.dids.get((indicator, by, level, since))

    def breaks_of(self, indicator: str) -> tuple[BreakInfo, ...]:
        base = indicator.removesuffix("_acuut")
        return tuple(b for b in self.breaks if b.indicator in (indicator, base))


# ------------------------------------------------------------------------------------ the chain
def earlier_waves(archive: Archive, q: Questionnaire) -> list[WaveRecord]:
    """Archived waves reached from ``q``'s mapping, newest first (``q``'s own study id excluded)."""
    by_id = {w.id: w for w in archive.records}
    out: list[WaveRecord] = []
    prev = q.mapping.previous if q.mapping is not None else None
    while prev is not None and prev in by_id and prev != q.study.id and by_id[prev] not in out:
        w = by_id[prev]
        if w.year >= q.study.wave:
            break
        out.append(w)
        prev = w.questionnaire.previous
    return out


@dataclass(frozen=True, eq=False)
class WaveData:
    year: int
    study: str
    data_version: str
    estimates: pd.DataFrame  # harmonised (the run's names)
    respondents: pd.DataFrame | None  # harmonised, with the design's columns
    design: DesignModel | None
    modes: tuple[str, ...]


def _wave_data(
    archive: Archive,
    q: Questionnaire,
    run_estimates: pd.DataFrame,
    run_scored: pd.DataFrame | None,
    run_design: DesignModel | None,
    run_version: str,
    population: str,
    want_respondents: bool,
    earlier: Earlier | None = None,
) -> tuple[list[WaveData], dict[str, list[int]], tuple[BreakInfo, ...], str]:
    import pandas as pd

    from pipeline.archive import layout as L
    from pipeline.archive.api import BreakInfo, rename_design
    from pipeline.archive.harmonise import translations
    from pipeline.archive.store import stored_design
    from pipeline.archive.views import harmonised_estimates, harmonised_respondents

    chain = earlier_waves(archive, q)
    qs = [q] + [archive.questionnaire(w.id) for w in chain]
    ts, breaks_at = translations(qs, [population] + [w.cutoff_population for w in chain])
    series = archive.series_containing(chain[0].id) if chain else None
    name = series or q.study.id
    out = [
        WaveData(
            q.study.wave,
            q.study.id,
            run_version,
            harmonised_estimates(run_estimates, ts[0], breaks_at, series=name),
            run_scored,
            run_design,
            tuple(q.study.modes),
        )
    ]
    for w, wq, t in zip(chain, qs[1:], ts[1:], strict=True):
        base = L.wave_dir(archive.root, w.id)
        est = pd.read_parquet(base / L.RUN_PATH["estimates"])
        if earlier is not None:  # only what that wave's ledger says was released
            est = earlier(w.data_version, est)
        resp = design = None
        if want_respondents:
            scored = pd.read_parquet(base / L.RUN_PATH["scored"])
            resp = harmonised_respondents(scored, wq, q, t)
            design = rename_design(
                stored_design(archive.root, w), {v: t.column(v) or v for v in t.variables}
            )
        out.append(
            WaveData(
                w.year,
                w.id,
                w.data_version,
                harmonised_estimates(est, t, breaks_at, series=name),
                resp,
                design,
                tuple(wq.study.modes),
            )
        )
    # each wave's breaks are named in that wave's own names: give them the run's names
    breaks = tuple(
        BreakInfo(t.indicators[b.name], t.year, b.codes, b.text_nl())
        for t in ts
        for b in t.breaks
        if b.name in t.indicators
    )
    return sorted(out, key=lambda d: d.year), breaks_at, breaks, name


# ------------------------------------------------------------------------------------ computing
def _point(row: dict[str, object], wave: WaveData) -> Point:
    from pipeline.estimation.reliability import SUPPRESSED

    flags = frozenset(f for f in str(row.get("flags") or "").split(";") if f)

    def num(k: str) -> float | None:
        v = row.get(k)
        return None if v is None or not isinstance(v, (int, float)) or v != v else float(v)

    est = None if SUPPRESSED in flags else num("estimate")
    return Point(
        wave.year,
        wave.study,
        int(row.get("n") or 0),  # type: ignore[call-overload]
        flags,
        est,
        num("ci_low") if est is not None else None,
        num("ci_high") if est is not None else None,
        int(row.get("segment") or 0),  # type: ignore[call-overload]
        bool(row.get("break_before")),
        str(row.get("stat") or "proportion"),
    )


def _changes(
    lines: dict[Key, list[Point]],
    frames: dict[int, pd.DataFrame],
    to: int,
    since: int,
    alpha: float,
) -> dict[Key, Change]:
    from pipeline.estimation.compare import compare_waves
    from pipeline.estimation.config import EstimationConfig

    cols = ["indicator", "by", "level", "stat", "n", "estimate", "se", "flags"]
    cmp = compare_waves(frames[to][cols], frames[since][cols], config=EstimationConfig(alpha=alpha))
    tests = {(str(r.indicator), str(r.by), str(r.level)): r for r in cmp.itertuples(index=False)}
    out: dict[Key, Change] = {}
    for key, pts in lines.items():
        a = next((p for p in pts if p.wave == since), None)
        b = next((p for p in pts if p.wave == to), None)
        if a is None or b is None:
            continue
        comparable = a.segment == b.segment
        r = tests.get(key)
        if not comparable or r is None or not a.shown or not b.shown:
            out[key] = Change(since, to, comparable)
            continue
        diff, se = float(r.diff), float(r.diff_se)
        z = 1.959963984540054 if alpha == 0.05 else _z(alpha)
        out[key] = Change(
            since,
            to,
            True,
            diff,
            se,
            diff - z * se,
            diff + z * se,
            float(r.p_value),
            bool(r.significant),
        )
    return out


def _z(alpha: float) -> float:
    from scipy import special

    return float(special.ndtri(1 - alpha / 2))


def compute_trend(
    archive: Archive,
    q: Questionnaire,
    estimates: pd.DataFrame,
    *,
    data_version: str,
    scored: pd.DataFrame | None = None,
    design: DesignModel | None = None,
    indicators: Sequence[str] | None = None,
    domain: str | None = None,
    population: str = "default",
    alpha: float = 0.05,
    earlier: Earlier | None = None,
) -> Trend | None:
    """The trend of a run (its questionnaire ``q``, estimates table, and for the difference-in-
    differences its scored data and design) against ``archive``; None when the archive holds no
    earlier wave of its series. ``indicators`` (default: every one in the table) and ``domain`` (the
    report domain: its levels get lines and difference-in-differences) limit the work.
    ``earlier``: applied to each earlier wave's own estimates table with its data version before
    anything is computed (the reports under ``protect_reports``: rows that wave's ledger did not
    release flagged suppressed, :func:`pipeline.tables.figures.released_in_ledger`); a change or
    difference-in-differences is only computed between shown points."""

    want_did = domain is not None and scored is not None and design is not None
    if not earlier_waves(archive, q):
        return None
    waves, _breaks_at, breaks, name = _wave_data(
        archive, q, estimates, scored, design, data_version, population, want_did, earlier
    )
    prev_table = _previous_table(archive, waves, breaks, q, earlier)
    bys = {""} | ({domain} if domain else set())
    frames: dict[int, pd.DataFrame] = {}
    lines: dict[Key, list[Point]] = {}
    for w in waves:
        e = w.estimates
        sel = e["by"].isin(bys)
        if indicators is not None:
            sel &= e["indicator"].isin(list(indicators))
        e = e[sel].reset_index(drop=True)
        frames[w.year] = e
        for row in e.to_dict("records"):
            key = (str(row["indicator"]), str(row["by"]), str(row["level"] if row["by"] else ""))
            lines.setdefault(key, []).append(_point(row, w))
    for f in frames.values():
        f["level"] = [str(lv) if b else "" for lv, b in zip(f["level"], f["by"], strict=True)]
    years = tuple(w.year for w in waves)
    now, prev, first = years[-1], years[-2], years[0]
    vs_prev = _changes(lines, frames, now, prev, alpha)
    vs_first = _changes(lines, frames, now, first, alpha) if first != prev else vs_prev
    out_lines = {
        key: Line(key[0], key[1], key[2], tuple(pts), vs_prev.get(key), vs_first.get(key))
        for key, pts in lines.items()
    }
    dids: dict[tuple[str, str, str, int], Did] = {}
    if want_did and domain is not None:
        by_year = {w.year: w for w in waves}
        inds = list(indicators) if indicators is not None else sorted({k[0] for k in lines})
        for since in dict.fromkeys((prev, first)):
            dids.update(_dids(by_year[now], by_year[since], inds, domain, out_lines, alpha))
    return Trend(
        series=name,
        current=q.study.id,
        years=years,
        waves=tuple((w.year, w.study, w.data_version) for w in waves),
        lines=out_lines,
        dids=dids,
        breaks=breaks,
        modes=tuple((w.year, w.modes) for w in waves),
        previous_estimates=prev_table,
        fieldwork=tuple((w.year, archive.fieldwork(w.study)) for w in waves[:-1]),
    )


def _previous_table(
    archive: Archive,
    waves: list[WaveData],
    breaks: tuple[BreakInfo, ...],
    q: Questionnaire,
    earlier: Earlier | None = None,
) -> pd.DataFrame | None:
    """The previous wave's own estimates without the indicators that break at this wave (their
    ``_acuut`` variants too), for :func:`pipeline.reports.waves.from_table`; only when the previous
    wave is the one ``q``'s mapping names (its names are translated through that mapping)."""
    import pandas as pd

    from pipeline.archive import layout as L

    if len(waves) < 2 or q.mapping is None or waves[-2].study != q.mapping.previous:
        return None
    prev = waves[-2]
    now_names = {b.indicator for b in breaks if b.wave == waves[-1].year}
    to_prev = {n: o for n, o in q.mapping.indicators}
    broken = {to_prev.get(n, n) for n in now_names}
    est = pd.read_parquet(L.wave_dir(archive.root, prev.study) / L.RUN_PATH["estimates"])
    if earlier is not None:
        est = earlier(prev.data_version, est)
    drop = est["indicator"].astype(str).map(lambda i: i.removesuffix("_acuut") in broken)
    return est[~drop.to_numpy()].reset_index(drop=True)


def _dids(
    now: WaveData,
    then: WaveData,
    indicators: list[str],
    domain: str,
    lines: dict[Key, Line],
    alpha: float,
) -> dict[tuple[str, str, str, int], Did]:
    from pipeline.archive.api import make_design
    from pipeline.estimation.change import difference_in_differences
    from pipeline.estimation.config import EstimationConfig

    assert now.respondents is not None and then.respondents is not None
    assert now.design is not None and then.design is not None
    out: dict[tuple[str, str, str, int], Did] = {}
    usable = [
        i
        for i in indicators
        if i in now.respondents.columns
        and i in then.respondents.columns
        and domain in then.respondents.columns
    ]
    if not usable:
        return out
    frames = []
    for w in (now, then):
        assert w.respondents is not None and w.design is not None
        df = w.respondents
        dom = _domain_levels(df[domain])
        frames.append((df.assign(**{domain: dom}), make_design(df, w.design)))
    table = difference_in_differences(
        frames[0], frames[1], usable, domain, config=EstimationConfig(alpha=alpha)
    )
    for r in table.itertuples(index=False):
        key = (str(r.indicator), domain, str(r.level))
        line = lines.get(key)
        a = line.point(then.year) if line else None
        b = line.point(now.year) if line else None
        ok = a is not None and b is not None and a.shown and b.shown
        comparable = bool(a is not None and b is not None and a.segment == b.segment)
        ov = lines.get((str(r.indicator), "", ""))
        oa = ov.point(then.year) if ov else None
        ob = ov.point(now.year) if ov else None
        comparable &= bool(oa is not None and ob is not None and oa.segment == ob.segment)
        # a function of four shown figures only (the group and Flanders, in both waves)
        ok &= bool(oa is not None and ob is not None and oa.shown and ob.shown)
        if not (ok and comparable):
            out[(*key, then.year)] = Did(key[0], domain, key[2], then.year, now.year, comparable)
            continue
        out[(*key, then.year)] = Did(
            key[0],
            domain,
            key[2],
            then.year,
            now.year,
            True,
            float(r.did),
            float(r.did_se),
            float(r.ci_low),
            float(r.ci_high),
            float(r.p_value),
            bool(r.significant),
            float(r.gap_then),
            float(r.gap_now),
        )
    return out


def _domain_levels(s: pd.Series) -> pd.Series:
    """A domain column as the estimates table's levels: numbers, non-substantive codes (< 0) missing."""
    import pandas as pd

    v = pd.to_numeric(s, errors="coerce")
    return v.where(v >= 0)


def trend_for_run(
    archive_dir: str | Path,
    run_dir: str | Path,
    *,
    indicators: Sequence[str] | None = None,
    domain: str | None = None,
    estimates: pd.DataFrame | None = None,
    earlier: Earlier | None = None,
) -> Trend | None:
    """:func:`compute_trend` of a finished run folder (its estimates, scored data and design);
    ``estimates``: the run's figures as the reports show them (protected) instead of its own
    table; ``earlier``: see :func:`compute_trend`."""
    from pipeline.archive.api import open_archive
    from pipeline.archive.source import read_run

    bundle = read_run(run_dir)
    import io

    import pandas as pd

    est = pd.read_parquet(io.BytesIO(bundle.files["estimates"])) if estimates is None else estimates
    scored = pd.read_parquet(io.BytesIO(bundle.files["scored"])) if domain else None
    return compute_trend(
        open_archive(archive_dir),
        bundle.questionnaire,
        est,
        data_version=bundle.data_version,
        scored=scored,
        design=bundle.design,
        indicators=indicators,
        domain=domain,
        population=bundle.cutoff_population,
        earlier=earlier,
    )
