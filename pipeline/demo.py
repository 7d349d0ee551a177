"""The demo: a synthetic wave of one instrument (or of every instrument) through every stage, and the
headline figures it prints beside the synthetic truth.

Instruments (:data:`INSTRUMENTS`): the employees' survey (``werknemers``, the default, with its
history since 2004), the self-employed (``zelfstandigen``), the enterprise survey (``oe``, a
telephone survey of organisations) and the sectoral measurement of PC 126 (``pc126``). Folders: the
employees' wave and run in ``OUT/wave`` and ``OUT/run`` (as before), every other instrument in
``OUT/<instrument>/wave`` and ``OUT/<instrument>/run``; one publisher (``OUT/publisher``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pipeline.fileio import read_parquet

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
from pipeline.rundata import layout


@dataclass(frozen=True)
class Headline:
    indicator: str
    weighted: float
    ci_low: float
    ci_high: float
    unweighted: float
    n: int
    truth: float | None


@dataclass(frozen=True)
class Instrument:
    """One instrument of the demo: its questionnaire, folder under OUT and headline indicators."""

    name: str
    questionnaire: str
    folder: str  # "" = OUT itself (the employees, as the demo always wrote them)
    headlines: tuple[str, ...]
    title: str


INSTRUMENTS: dict[str, Instrument] = {
    i.name: i
    for i in (
        Instrument(
            "werknemers",
            "wbm-werknemers-2023",
            "",
            ("werkbaar_werk", "werkstress"),
            "employees (werknemers) 2023",
        ),
        Instrument(
            "zelfstandigen",
            "wbm-zelfstandigen-2023",
            "zelfstandigen",
            ("werkbaar_werk", "werkstress", "werk_prive_probleem"),
            "self-employed (zelfstandigen) 2023",
        ),
        Instrument(
            "oe",
            "oe-2025",
            "oe",
            (
                "beperkt_competentiebeleid",
                "geen_innovatie",
                "lage_digitalisering",
                "beperkte_participatie",
            ),
            "enterprise survey (Ondernemingsenquête) 2025: shares of organisations and of employees",
        ),
        Instrument(
            "pc126",
            "pc126",
            "pc126",
            ("werkbaar_werk", "werkstress"),
            "sectoral measurement PC 126 (wood and furniture) 2025",
        ),
    )
}
SURVEYS: tuple[str, ...] = (*INSTRUMENTS, "all")


#: The demo's datatool: a reference subset of each population's space (the population's filter,
#: :data:`pipeline.datatool.space.FILTERS`, is in every table), over every wave of the archive;
#: enough for "werkstress in my sector beside Flanders, by age, since 2016". ``wbm datatool build``
#: without these options computes the whole space. Per population (the archive's): (indicators,
#: breakdowns). The self-employed filter on their occupational group; the enterprise survey has
#: its risk indicators by sector group and size class, as shares of organisations and of employees.
DATATOOL_SUBSETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "werknemers": (("werkstress", "werkbaar_werk"), ("sector", "age_band")),
    "zelfstandigen": (("werkstress", "werkbaar_werk"), ("occupation_group", "age_band")),
    "ondernemingen": (
        (
            "beperkt_competentiebeleid",
            "geen_innovatie",
            "lage_digitalisering",
            "beperkte_participatie",
            # the same as shares of employees (organisations weighted by their employees)
            "beperkt_competentiebeleid:werknemers",
            "geen_innovatie:werknemers",
            "lage_digitalisering:werknemers",
            "beperkte_participatie:werknemers",
        ),
        ("sector_group", "size_class"),
    ),
}
DATATOOL_INDICATORS, DATATOOL_BREAKDOWNS = DATATOOL_SUBSETS["werknemers"]  # the employees' subset
DATATOOL_PORT = 8000
#: Instruments whose demo run goes into the wave archive (with ``history``): those with a synthetic
#: history (:data:`HISTORY_SCALE`) and the enterprise survey (one wave, 2025), so the datatool
#: covers the three populations.
ARCHIVED = ("werknemers", "zelfstandigen", "oe")


@dataclass(frozen=True)
class DemoDatatool:
    """The demo's datatool release and how to start it."""

    release: Path
    tables: int
    cells: int
    suppressed: int
    seconds: float
    releases: tuple[str, ...]  # the ledger's release ids, one per data version
    populations: tuple[str, ...] = ("werknemers",)  # the archive's populations it covers

    def command(self, archive: Path) -> str:
        return (
            f"wbm datatool serve --archive {archive} --release {self.release} "
            f"--port {DATATOOL_PORT}"
        )

    def render(self, archive: Path) -> list[str]:
        subsets = "; ".join(
            f"{p}: {', '.join(DATATOOL_SUBSETS[p][0])} by {', '.join(DATATOOL_SUBSETS[p][1])}"
            for p in self.populations
            if p in DATATOOL_SUBSETS
        )
        return [
            f"datatool release:   {self.release} (reference subset: {subsets}; every wave; "
            f"{self.tables} tables, {self.cells:,} cells, {self.suppressed:,} suppressed; "
            f"built in {self.seconds:.1f} s)",
            f"start the datatool: {self.command(archive)}",
            f"then open:          http://127.0.0.1:{DATATOOL_PORT}/",
        ]


@dataclass(frozen=True)
class DemoResult:
    wave_dir: Path
    run_dir: Path
    rows: dict[str, int]
    headlines: tuple[Headline, ...]
    reports: tuple[Path, ...]
    table: Path
    microdata: Path | None  # None: no scientific-use profile for the instrument (organisations)
    archive: Path | None = None  # the wave archive with the synthetic history (``--history``)
    series: tuple[tuple[int, float, float, float], ...] = ()  # werkbaar werk: (wave, est, lo, hi)
    survey: str = "werknemers"
    comparison: tuple[str, ...] = ()  # a sectoral measurement's lines beside its benchmark
    datatool: DemoDatatool | None = (
        None  # the datatool's release over the archive (reference subset)
    )
    series_indicator: str = "werkbaar_werk"  # the indicator of ``series``

    def render(self, elapsed: float | None = None) -> str:
        lines = [
            f"== {INSTRUMENTS[self.survey].title} (SYNTHETIC)",
            f"SYNTHETIC wave: {self.wave_dir}",
            f"run directory:  {self.run_dir}",
            f"rows: read {self.rows['read']:,} = accepted {self.rows['accepted']:,} + set aside {self.rows['set_aside']:,}",
            "",
        ]
        for h in self.headlines:
            truth = ""
            if h.truth is not None:
                inside = "inside" if h.ci_low <= h.truth <= h.ci_high else "OUTSIDE"
                truth = f"; synthetic truth {h.truth:.1%} ({inside} the CI)"
            lines.append(
                f"{h.indicator}: weighted {h.weighted:.1%} (95% CI {h.ci_low:.1%} - {h.ci_high:.1%}, n = {h.n:,}); "
                f"unweighted {h.unweighted:.1%}{truth}"
            )
        lines += [
            "",
            f"reports ({len(self.reports)}):        {self.reports[0].parent if self.reports else '-'}",
            f"custom table:       {self.table}",
            f"microdata:          {self.microdata or '- (no scientific-use profile for organisations)'}",
            f"manifest:           {layout.manifest_path(self.run_dir)}",
        ]
        if self.comparison:
            lines += ["", *self.comparison]
        if self.archive is not None:
            since = f" (every wave since {self.series[0][0]})" if self.series else ""
            lines += ["", f"wave archive:       {self.archive}{since}"]
            label = self.series_indicator.replace("_", " ")
            lines += [
                f"  {label} {y}: {e:.1%} (95% CI {lo:.1%} - {hi:.1%})"
                for y, e, lo, hi in self.series
            ]
        if self.datatool is not None and self.archive is not None:
            lines += ["", *self.datatool.render(self.archive)]
        if elapsed is not None:
            lines.append(f"finished in {elapsed:.1f} s")
        return "\n".join(lines)


HEADLINES = INSTRUMENTS["werknemers"].headlines
FULL_SIZE = 40_000  # the 2023 wave's invitations: --size scales the past waves by size / FULL_SIZE
#: Instruments with a synthetic history in the demo: (the current wave's invitations, the share of
#: its published size each past wave invites). The self-employed's five past waves (2007-2019,
#: 12,000 invited each) add about 35 s CPU to the demo (measured; half the sizes took as long: the
#: time is mostly per wave, not per respondent).
HISTORY_SCALE: dict[str, tuple[int, float]] = {
    "werknemers": (FULL_SIZE, 1.0),
    "zelfstandigen": (12_000, 1.0),
}


def run_demo(
    out_dir: Path,
    *,
    size: int | None,
    seed: int,
    progress: Callable[[str], None] | None = None,
    history: bool = False,
    survey: str = "werknemers",
    datatool: bool = True,
) -> DemoResult:
    """The demo of one instrument (``survey``, a key of :data:`INSTRUMENTS`). ``size``: units
    invited (None: the model's size; the employees' 2023 wave invited 40,000). ``history`` (the
    employees and the self-employed, :data:`HISTORY_SCALE`): first generate every past wave since
    2004 (self-employed: 2007) (sizes scaled like ``size`` to the
    2023 wave's 40,000), run and archive them in ``OUT/archive``, so the reports show the series;
    the 2023 run is added to the archive at the end (the enterprise survey, with no history, adds
    its one wave: :data:`ARCHIVED`), and (``datatool``) the datatool's public release is built
    over every population of the archive in ``OUT/datatool`` (:data:`DATATOOL_SUBSETS`, every
    wave)."""
    from pipeline.errors import UsageError
    from pipeline.rundata.layout import policy_reference
    from pipeline.runner import Run, RunConfig, run_stages
    from pipeline.sdc.publisher import init_publisher
    from pipeline.synth.wave import generate_wave

    inst = INSTRUMENTS.get(survey)
    if inst is None:
        raise UsageError(
            f"unknown survey {survey!r}; expected one of {', '.join(SURVEYS)}", code="bad_option"
        )
    base = out_dir / inst.folder if inst.folder else out_dir
    wave_dir, run_dir = base / "wave", base / "run"
    say = (lambda s: progress(f"{inst.name}: {s}")) if progress else None
    if say:
        say("synth")
    generate_wave(wave_dir, size=size, seed=seed, questionnaire=inst.questionnaire)
    policy = init_publisher(
        out_dir / "publisher"
    )  # the demo's publisher: reference policy, registry
    archive = None
    if history and inst.name in HISTORY_SCALE:
        from pipeline.history import build_history

        full = HISTORY_SCALE[inst.name]
        archive = build_history(
            out_dir,
            population=inst.name,
            seed=seed,
            scale=full[1] * (size or full[0]) / full[0],
            progress=say,
            policy=policy,  # under protect_reports: true each past wave's figures are published
        ).archive
    extra = {} if archive is None else {"archive": policy_reference(archive, run_dir)}
    run = Run(
        run_dir,
        RunConfig.from_wave_dir(wave_dir, policy=policy_reference(policy, run_dir), **extra),
    )
    results = {
        r.stage: r for r in run_stages(run, progress=(lambda s: say(f"stage {s}")) if say else None)
    }
    est = read_parquet(layout.stage_file(run_dir, "estimate", layout.ESTIMATES))
    scored = read_parquet(layout.stage_file(run_dir, "score", layout.SCORED))
    truth = _truth(wave_dir)
    heads = []
    for ind in inst.headlines:
        row = est[(est["indicator"] == ind) & (est["by"].fillna("") == "")].iloc[0]
        col = scored[ind].to_numpy(dtype=float)
        heads.append(
            Headline(
                ind,
                float(row["estimate"]),
                float(row["ci_low"]),
                float(row["ci_high"]),
                float(np.nanmean(col)),
                int(row["n"]),
                truth.get(ind),
            )
        )
    heads += _employment_headlines(run_dir, wave_dir, inst.headlines)
    out = results["outputs"].summary
    series: tuple[tuple[int, float, float, float], ...] = ()
    dt: DemoDatatool | None = None
    if archive is None and history and inst.name in ARCHIVED:
        archive = out_dir / "archive"  # one wave, no history (the enterprise survey)
    series_ind = "werkbaar_werk" if "werkbaar_werk" in inst.headlines else inst.headlines[0]
    if archive is not None:
        from pipeline.archive.api import open_archive
        from pipeline.archive.store import add_run

        series_name = add_run(archive, run_dir).series
        s = open_archive(archive).series(series_name, series_ind)
        series = tuple(
            (int(r.wave), float(r.estimate), float(r.ci_low), float(r.ci_high))
            for r in s.itertuples()
        )
        if datatool:  # the datatool's release over every population archived so far
            dt = build_demo_datatool(out_dir, archive, policy, say)
    microdata = out.get("microdata")
    reports = tuple(layout.outputs_dir(run_dir, layout.REPORTS_DIR) / n for n in out["reports"])
    comparison: tuple[str, ...] = ()
    if inst.name == "pc126":
        bench, comparison = _benchmark(out_dir, run_dir, seed, say)
        reports += bench
    return DemoResult(
        wave_dir,
        run_dir,
        {k: int(v) for k, v in results["validate"].rows.items() if k != "per_input"},
        tuple(heads),
        reports,
        layout.outputs_dir(run_dir, layout.TABLES_DIR) / str(out["table"]),
        None
        if microdata is None
        else layout.outputs_dir(run_dir, layout.MICRODATA_DIR) / str(microdata),
        archive,
        series,
        inst.name,
        comparison,
        dt,
        series_ind,
    )


def build_demo_datatool(
    out_dir: Path, archive: Path, policy: Path, say: Callable[[str], None] | None
) -> DemoDatatool:
    """The datatool's release over every series of the demo's archive (each population's reference
    subset, :data:`DATATOOL_SUBSETS`), one release file, logged in the demo's publisher like every
    public release (one logged release per data version)."""
    import time

    from pipeline.archive.api import open_archive
    from pipeline.datatool.precompute import PublicRelease, build_release
    from pipeline.datatool.store import write_release
    from pipeline.sdc.publisher import publisher

    if say:
        say("datatool")
    t0 = time.perf_counter()
    arch = open_archive(archive)
    pub = publisher(policy)
    parts: list[PublicRelease] = []
    for name in arch.series_names():
        pop = arch.info(name).population
        if pop not in DATATOOL_SUBSETS:
            continue
        indicators, breakdowns = DATATOOL_SUBSETS[pop]
        parts.append(
            build_release(
                arch,
                pub,
                series=(name,),
                indicators=indicators,
                breakdowns=breakdowns,
                progress=(lambda s: say(f"datatool {s}")) if say else None,
            )
        )
    rel = PublicRelease(
        {k: v for p in parts for k, v in p.spaces.items()},
        {k: v for p in parts for k, v in p.cells.items()},
        {k: v for p in parts for k, v in p.outcomes.items()},
        parts[0].policy if parts else {},
    )
    path = write_release(rel, out_dir / "datatool").parent
    done = [o for outs in rel.outcomes.values() for o in outs]
    return DemoDatatool(
        path,
        sum(o.tables for o in done),
        sum(o.cells for o in done),
        sum(o.suppressed for o in done),
        time.perf_counter() - t0,
        tuple(o.release_id for o in done if o.release_id is not None),
        tuple(dict.fromkeys(s.population for s in rel.spaces.values())),
    )


def run_demos(
    out_dir: Path,
    survey: str,
    *,
    size: int | None,
    seed: int,
    progress: Callable[[str], None] | None = None,
    history: bool = False,
    datatool: bool = True,
) -> tuple[DemoResult, ...]:
    """``survey`` ``all``: every instrument in turn (``size`` applies to the employees; the others
    invite their model's size); else the one instrument (``size`` applies to it). With
    ``history`` and ``datatool`` the datatool's release is built once, after every instrument is
    in the archive, over all its populations; it is on the last result with an archive."""
    from dataclasses import replace

    names = tuple(INSTRUMENTS) if survey == "all" else (survey,)
    results = [
        run_demo(
            out_dir,
            size=size if name == "werknemers" or survey != "all" else None,
            seed=seed,
            progress=progress,
            history=history,
            survey=name,
            datatool=datatool and len(names) == 1,
        )
        for name in names
    ]
    last = [i for i, r in enumerate(results) if r.archive is not None]
    if datatool and len(names) > 1 and last:
        from pipeline.sdc.publisher import init_publisher

        say = (lambda s: progress(f"all: {s}")) if progress else None
        archive = results[last[-1]].archive
        assert archive is not None
        policy = init_publisher(out_dir / "publisher")
        dt = build_demo_datatool(out_dir, archive, policy, say)
        results[last[-1]] = replace(results[last[-1]], datatool=dt)
    return tuple(results)


BENCHMARK_SIZE = 20_000  # employees invited in the main wave made for PC 126's benchmark alone


def _benchmark(
    out_dir: Path, run_dir: Path, seed: int, say: Callable[[str], None] | None
) -> tuple[tuple[Path, ...], tuple[str, ...]]:
    """The sectoral report: PC 126 beside blue-collar industry workers of the main wave. The main
    wave is the employees' demo run (``OUT/run``) when there is one (``--survey all`` makes it
    first); else a 2023 wave of 20,000 invitations in ``OUT/pc126/benchmark`` (no reports)."""
    from pipeline.reports.sectoral import benchmark_report
    from pipeline.runner import Run, RunConfig, run_stages
    from pipeline.synth.wave import generate_wave

    main = out_dir / "run"
    if (
        not (main / layout.MANIFEST).exists()
        or not layout.stage_file(main, "score", layout.SCORED).exists()
    ):
        base = run_dir.parent / "benchmark"
        main = base / "run"
        if say:
            say("benchmark: the main wave of employees (2023)")
        generate_wave(base / "wave", size=BENCHMARK_SIZE, seed=seed)
        run_stages(
            Run(main, RunConfig.from_wave_dir(base / "wave")),
            ("validate", "weight", "score", "estimate"),
        )
    if say:
        say("benchmark report")
    written = benchmark_report(run_dir, main, "pc126")
    table = read_csv_table(next(p for p in written if p.suffix == ".csv"))
    lines = [
        f"benchmark (blue-collar industry workers of the main wave {main}, reweighted to PC 126):"
    ]
    for r in table.itertuples():
        if r.indicator not in ("werkbaar_werk", "werkstress"):
            continue
        if r.estimate_benchmark != r.estimate_benchmark or r.diff != r.diff:
            # not published under the publisher's policy (protect_reports: a dash in the report)
            lines.append(
                f"  {r.indicator}: PC 126 {_share(r.estimate)} vs benchmark "
                f"{_share(r.estimate_benchmark)} (not published under the disclosure policy)"
            )
            continue
        lines.append(
            f"  {r.indicator}: PC 126 {r.estimate:.1%} vs benchmark {r.estimate_benchmark:.1%} "
            f"(95% CI {r.ci_low_benchmark:.1%} - {r.ci_high_benchmark:.1%}); difference "
            f"{r.diff * 100:+.1f} points, p = {r.p_value:.3g}"
        )
    return tuple(p for p in written if p.suffix == ".html"), tuple(lines)


def _share(x: float) -> str:
    return "-" if x != x else f"{x:.1%}"


def read_csv_table(path: Path) -> pd.DataFrame:
    import pandas as pd

    return pd.read_csv(path)


def _employment_headlines(run_dir: Path, wave_dir: Path, names: tuple[str, ...]) -> list[Headline]:
    """An organisation survey's headlines as shares of employees (``estimates_employment``),
    beside the truth weighted by jobs; the unweighted column is the share of employees in the
    responding organisations."""
    path = layout.stage_file(run_dir, "estimate", layout.ESTIMATES_EMPLOYMENT)
    if not path.exists():
        return []
    est = read_parquet(path)
    scored = read_parquet(layout.stage_file(run_dir, "score", layout.SCORED))
    truth = _truth(wave_dir, weighted_by=True)
    out = []
    for ind in names:
        rows = est[(est["indicator"] == ind) & (est["by"].fillna("") == "")]
        if rows.empty:
            continue
        row = rows.iloc[0]
        y = scored[ind].to_numpy(dtype=float)
        e = scored["employees"].to_numpy(dtype=float) if "employees" in scored else np.ones_like(y)
        ok = np.isfinite(y) & np.isfinite(e)
        out.append(
            Headline(
                f"{ind} (share of employees)",
                float(row["estimate"]),
                float(row["ci_low"]),
                float(row["ci_high"]),
                float((y[ok] * e[ok]).sum() / e[ok].sum()),
                int(row["n"]),
                truth.get(ind),
            )
        )
    return out


def _truth(wave_dir: Path, *, weighted_by: bool = False) -> dict[str, float]:
    p = wave_dir / "truth.json"
    if not p.exists():
        return {}
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # the truth is only printed beside the estimates
        return {}
    if weighted_by:  # the truth weighted by a magnitude (jobs) of an organisation survey
        data = (
            next(iter((data.get("weighted_by") or {}).values()), {})
            if isinstance(data, dict)
            else {}
        )
    if not isinstance(data, dict) or not isinstance(data.get("indicators", {}), dict):
        return {}
    return {
        name: float(v["overall"])
        for name, v in data.get("indicators", {}).items()
        if isinstance(v, dict) and isinstance(v.get("overall"), (int, float))
    }
