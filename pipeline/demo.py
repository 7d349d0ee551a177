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


#: The demo's datatool: a reference subset of the space (the sector filters are in every table), over
#: every wave of the archive; enough for "werkstress in my sector beside Flanders, by age, since
#: 2016". ``wbm datatool build`` without these options computes the whole space.
DATATOOL_INDICATORS = ("werkstress", "werkbaar_werk")
DATATOOL_BREAKDOWNS = ("sector", "age_band")
DATATOOL_PORT = 8000


@dataclass(frozen=True)
class DemoDatatool:
    """The demo's datatool release and how to start it."""

    release: Path
    tables: int
    cells: int
    suppressed: int
    seconds: float
    releases: tuple[str, ...]  # the ledger's release ids, one per data version

    def command(self, archive: Path) -> str:
        return (
            f"wbm datatool serve --archive {archive} --release {self.release} "
            f"--port {DATATOOL_PORT}"
        )

    def render(self, archive: Path) -> list[str]:
        return [
            f"datatool release:   {self.release} (reference subset: "
            f"{', '.join(DATATOOL_INDICATORS)} by {', '.join(DATATOOL_BREAKDOWNS)}; every wave; "
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
            lines += [
                "",
                f"wave archive:       {self.archive} (every wave since {self.series[0][0]})",
            ]
            lines += [
                f"  werkbaar werk {y}: {e:.1%} (95% CI {lo:.1%} - {hi:.1%})"
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
    the 2023 run is added to the archive at the end, and (``datatool``) the datatool's public
    release is built over the archive in ``OUT/datatool`` (:data:`DATATOOL_INDICATORS` by
    :data:`DATATOOL_BREAKDOWNS`, every wave)."""
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
    if archive is not None:
        from pipeline.archive.api import open_archive
        from pipeline.archive.store import add_run

        series_name = add_run(archive, run_dir).series
        s = open_archive(archive).series(series_name, "werkbaar_werk")
        series = tuple(
            (int(r.wave), float(r.estimate), float(r.ci_low), float(r.ci_high))
            for r in s.itertuples()
        )
        if datatool and inst.name == "werknemers":  # the datatool's release: the employees'
            dt = _datatool(out_dir, archive, policy, say)
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
    )


def _datatool(
    out_dir: Path, archive: Path, policy: Path, say: Callable[[str], None] | None
) -> DemoDatatool:
    """The datatool's release over the demo's archive (reference subset), logged in the demo's
    publisher like every public release."""
    import time

    from pipeline.archive.api import open_archive
    from pipeline.datatool.precompute import build_release
    from pipeline.datatool.store import write_release
    from pipeline.sdc.publisher import publisher

    if say:
        say("datatool")
    t0 = time.perf_counter()
    rel = build_release(
        open_archive(archive),
        publisher(policy),
        indicators=DATATOOL_INDICATORS,
        breakdowns=DATATOOL_BREAKDOWNS,
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
    invite their model's size); else the one instrument (``size`` applies to it)."""
    names = tuple(INSTRUMENTS) if survey == "all" else (survey,)
    return tuple(
        run_demo(
            out_dir,
            size=size if name == "werknemers" or survey != "all" else None,
            seed=seed,
            progress=progress,
            history=history,
            survey=name,
            datatool=datatool,
        )
        for name in names
    )


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
        lines.append(
            f"  {r.indicator}: PC 126 {r.estimate:.1%} vs benchmark {r.estimate_benchmark:.1%} "
            f"(95% CI {r.ci_low_benchmark:.1%} - {r.ci_high_benchmark:.1%}); difference "
            f"{r.diff * 100:+.1f} points, p = {r.p_value:.3g}"
        )
    return tuple(p for p in written if p.suffix == ".html"), tuple(lines)


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
