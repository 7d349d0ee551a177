"""Wave archive speed: adding a 20,000-respondent wave, and reading a 7-wave series for every sector.
Goal: the series of werkbaar werk and the four workability indicators for every sector and Flanders,
all waves 2004-2023, in under 1 s. Prints figures and ratios against peers measured in the same run;
no assertions.

    python benchmarks/bench_archive.py [--scale 1.0] [--respondents 20000] [--repeat 7] [--out DIR]

Set-up (not timed): the synthetic history 2004-2023 (``pipeline.history``, each wave at ``--scale``
times its published size) without 2013, then a 2013 wave sized to about ``--respondents``
respondents, run up to the estimates. Timed:

- **add**: ``add_run`` of the 2013 wave into the archive holding the six others (copy, checksums,
  rebuild of the series' views: every wave's respondents and estimates harmonised), in process;
- **series**: ``Archive.series`` for werkbaar werk and the four indicators by sector and for Flanders
  (open + read; warm, median of ``--repeat``), and ``wbm archive series ... --csv`` as a whole fresh
  process (imports included);
- peers on the same data: DuckDB SQL over the same Parquet view (warm, and a fresh process), plain
  pandas over the view, and the archive-less way (read each run's own estimates and translate its names
  through the questionnaires' mappings, as ``pipeline.archive.harmonise`` does).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

INDICATORS = [
    "werkbaar_werk",
    "werkstress",
    "welbevinden_probleem",
    "leerprobleem",
    "werk_prive_probleem",
]
GOAL_S = 1.0


def median_time(f: Callable[[], object], repeat: int) -> float:
    f()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def process_time(args: list[str], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--scale", type=float, default=1.0, help="past waves at this share of their size"
    )
    ap.add_argument("--respondents", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()

    from pipeline.archive.api import open_archive
    from pipeline.archive.store import add_run
    from pipeline.history import build_history
    from pipeline.runner import Run, RunConfig, run_stages
    from pipeline.synth.history import WAVES, wave_questionnaire
    from pipeline.synth.wave import generate_wave

    out = a.out or Path(tempfile.mkdtemp(prefix="bench-archive-"))
    t0 = time.perf_counter()
    years = [y for y in WAVES["werknemers"] if y != 2013]
    hist = build_history(
        out, years=years, scale=a.scale, progress=lambda s: print(f"  set-up: {s}")
    )
    base = out / "big-2013"
    invited = int(a.respondents / 0.431)  # the 2013 model's response rate
    generate_wave(
        base / "wave", size=invited, seed=2013, questionnaire=wave_questionnaire("werknemers", 2013)
    )
    run_stages(
        Run(base / "run", RunConfig.from_wave_dir(base / "wave")),
        ("validate", "weight", "score", "estimate"),
    )
    print(f"set-up (not timed): {time.perf_counter() - t0:.1f} s in {out}")

    t = time.perf_counter()
    res = add_run(hist.archive, base / "run")
    add_s = time.perf_counter() - t
    n = res.record.respondents
    empty = out / "empty-archive"
    t = time.perf_counter()
    add_run(empty, base / "run")
    add_empty_s = time.perf_counter() - t

    series = res.series
    arch = open_archive(hist.archive)
    years_in = arch.info(series).years

    def read_series() -> tuple[pd.DataFrame, pd.DataFrame]:
        ar = open_archive(hist.archive)
        return ar.series(series, INDICATORS, by="sector"), ar.series(series, INDICATORS)

    warm = median_time(read_series, a.repeat)
    rows = sum(len(x) for x in read_series())
    cold = process_time(
        [
            sys.executable,
            "-m",
            "pipeline",
            "archive",
            "series",
            *INDICATORS,
            "--by",
            "sector",
            "--archive",
            str(hist.archive),
            "--series",
            series,
            "--csv",
        ]
    )

    view = hist.archive / "views" / series / "estimates.parquet"
    sql = (
        f'SELECT wave, indicator, "by", level, estimate, ci_low, ci_high, n, flags, segment '
        f"FROM read_parquet('{view}') WHERE indicator IN ({', '.join(repr(i) for i in INDICATORS)}) "
        f"AND \"by\" IN ('sector', '') ORDER BY indicator, level, wave"
    )
    peers: list[tuple[str, float, str]] = []
    try:
        import duckdb

        def duckdb_read() -> pd.DataFrame:
            rel = duckdb.sql(sql)
            assert rel is not None  # a SELECT always gives a relation
            return rel.df()

        peers.append(
            (
                "DuckDB SQL on the same view (warm)",
                median_time(duckdb_read, a.repeat),
                "warm",
            )
        )
        peers.append(
            (
                "DuckDB SQL, fresh process",
                process_time([sys.executable, "-c", f"import duckdb; duckdb.sql({sql!r}).df()"]),
                "cold",
            )
        )
    except ImportError:
        print("duckdb not installed: no DuckDB peer (pip install .[datatool])")

    import pandas as pd

    def pandas_view() -> object:
        e = pd.read_parquet(view)
        return e[e["indicator"].isin(INDICATORS) & e["by"].isin(["sector", ""])]

    peers.append(("pandas over the view (warm)", median_time(pandas_view, a.repeat), "warm"))

    def without_archive() -> object:
        from pipeline.archive.harmonise import translations
        from pipeline.archive.views import harmonised_estimates
        from pipeline.questionnaire.load import load_questionnaire
        from pipeline.rundata import layout

        runs = [(y, out / "history" / f"werknemers-{y}" / "run") for y in years] + [
            (2013, base / "run")
        ]
        runs.sort(reverse=True)
        qs = [load_questionnaire(f"wbm-werknemers-{y}") for y, _ in runs]
        ts, brk = translations(qs)
        frames = [
            harmonised_estimates(
                pd.read_parquet(layout.stage_file(r, "estimate", layout.ESTIMATES)),
                t,
                brk,
                series=series,
            )
            for (_y, r), t in zip(runs, ts, strict=True)
        ]
        e = pd.concat(frames)
        return e[e["indicator"].isin(INDICATORS) & e["by"].isin(["sector", ""])]

    peers.append(
        (
            "without an archive: read 7 run folders, translate (warm)",
            median_time(without_archive, a.repeat),
            "warm",
        )
    )

    print()
    print(
        f"add a {n:,}-respondent wave to an archive of {len(years_in) - 1} waves: {add_s:.2f} s "
        f"(to an empty archive: {add_empty_s:.2f} s)"
    )
    print(
        f"series: {len(years_in)} waves ({years_in[0]}-{years_in[-1]}), 5 indicators x (16 sectors + Flanders) = {rows} rows"
    )
    print(
        f"  Archive.series, warm (open + read):  {warm * 1000:8.1f} ms   goal {GOAL_S:.0f} s: {'met' if warm < GOAL_S else 'NOT met'}"
    )
    print(
        f"  wbm archive series, fresh process:   {cold * 1000:8.1f} ms   goal {GOAL_S:.0f} s: {'met' if cold < GOAL_S else 'NOT met'}"
    )
    for name, s, kind in peers:
        ours = warm if kind == "warm" else cold
        print(f"  peer: {name:<52} {s * 1000:8.1f} ms   ours / peer {ours / s:5.2f}")


if __name__ == "__main__":
    main()
