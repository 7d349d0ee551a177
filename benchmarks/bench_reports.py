"""Report speed: every sector report (and the Flanders overview) of a 50,000-respondent wave, HTML and
PDF. Target: all of them in under 60 s on a 2-core machine. Prints figures; no assertions.

    python benchmarks/bench_reports.py [--rows 50000] [--workers 2] [--no-pdf] [--out DIR]

The estimates table is made the way the pipeline makes it: a synthetic scored frame (the reference
instrument's indicators as 0/1, the schema's module (condition) indicators, sector x age band / sex / statute
crossings as text columns "3:1") through ``estimate_table`` and ``compare_domains`` (each group
against the rest of Flanders). Estimation is timed separately. The target figure is the whole
command, ``wbm report --run RUN --all --format both``, timed in a fresh process (start-up, imports,
fonts, workers, every file written), once with 1 and once with ``--workers`` processes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.questionnaire.load import load_questionnaire  # noqa: E402
from pipeline.questionnaire.model import Questionnaire  # noqa: E402
from pipeline.reports.context import ReportContext, ResponseInfo, WeightingSummary  # noqa: E402
from pipeline.rundata import layout

CROSSED = ("age_band", "sex", "statute")
TARGET_S = 60.0


def _levels(q: Questionnaire, var: str) -> list[int]:
    for d in q.derived:
        if d.name == var:
            return [b.code for b in d.bands]
    return [c.code for c in q.choices_of(q.item(var))]


def scored_frame(
    q: Questionnaire, n: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, list[str]]:
    """A scored, weighted frame: domain variables, 0/1 indicators whose rates vary by sector."""
    df = pd.DataFrame({d: rng.choice(_levels(q, d), n).astype(np.float64) for d in q.domains})
    sizes = np.linspace(0.2, 2.0, 16)
    df["sector"] = rng.choice(_levels(q, "sector"), n, p=sizes / sizes.sum()).astype(np.float64)
    df.loc[df.index[:60], "sector"] = 8.0  # keep horeca tiny: a report without numbers
    df.loc[df["sector"] == 8.0, "sector"] = np.where(
        np.arange((df["sector"] == 8.0).sum()) < 25, 8.0, 6.0
    )
    df["weight"] = rng.uniform(50, 150, n)
    effect = rng.normal(0, 0.4, 17)[df["sector"].astype(int).to_numpy()]
    names: list[str] = []
    work = []
    for ind in q.indicators:
        if ind.kind != "traffic_light":
            continue
        lin = rng.normal(-0.6, 1.0, n) + effect
        tl = np.digitize(lin, [0.0, 1.0]).astype(np.float64)  # 0 green, 1 problematisch, 2 acuut
        df[ind.name], df[ind.name + "_acuut"] = (tl >= 1) * 1.0, (tl == 2) * 1.0
        names += [ind.name, ind.name + "_acuut"]
        if ind.group == "workability":
            work.append(df[ind.name].to_numpy())
    df["werkbaar_werk"] = (np.sum(work, axis=0) == 0) * 1.0
    names.insert(0, "werkbaar_werk")
    for m in (
        i.name for i in q.indicators if i.kind == "condition"
    ):  # the schema's module indicators
        df[m] = (rng.random(n) < rng.uniform(0.1, 0.6)) * 1.0
        names.append(m)
    for other in CROSSED:
        df[f"sector:{other}"] = (
            df["sector"].astype(int).astype(str) + ":" + df[other].astype(int).astype(str)
        )
    return df, names


def estimates_table(q: Questionnaire, df: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    from pipeline.estimation.api import DesignSpec, compare_domains, estimate_table

    design = DesignSpec(weight="weight")
    by = [*q.domains, *(f"sector:{o}" for o in CROSSED)]
    table = estimate_table(df, design, names, by)
    tests = compare_domains(df, design, names, list(q.domains))
    keys = ["indicator", "by", "level"]
    return table.merge(
        tests[[*keys, "diff", "diff_se", "p_value", "significant"]], on=keys, how="left"
    )


def write_run(run: Path, table: pd.DataFrame, q: Questionnaire) -> None:
    """A run directory as the pipeline leaves it, as far as ``wbm report`` reads it."""
    import json

    (layout.stage_dir(run, "estimate")).mkdir(parents=True)
    table.to_parquet(layout.stage_file(run, "estimate", layout.ESTIMATES))
    manifest = {
        "kind": "wbm-run-manifest",
        "parameters": {"min_n": 30, "min_n_reliable": 50},
        "specs": [{"path": f"{q.study.id}.yaml", "role": "questionnaire", "id": q.study.id}],
    }
    (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-pdf", action="store_true")
    ap.add_argument(
        "--out", type=Path, default=None, help="keep the run directory and reports here"
    )
    args = ap.parse_args()
    from pipeline.reports.batch import plan_reports, render_reports
    from pipeline.reports.report import load_estimates

    q = load_questionnaire("wbm-werknemers-2023")
    rng = np.random.default_rng(2023)
    t0 = time.perf_counter()
    df, names = scored_frame(q, args.rows, rng)
    table = estimates_table(q, df, names)
    t_est = time.perf_counter() - t0
    ctx = ReportContext(
        counts_by_mode=(("paper", args.rows // 3), ("web", args.rows - args.rows // 3)),
        response=ResponseInfo(invited=args.rows * 4, responded=args.rows),
        weighting=WeightingSummary(method="raking", n=args.rows, kish_deff=1.08),
        synthetic=True,
    )
    jobs = plan_reports(q, all_groups=True)
    print(
        f"wave: {args.rows:,} respondents; estimates table {len(table):,} rows "
        f"({table['by'].nunique()} by-variables) made in {t_est:.1f} s; {len(jobs)} reports "
        f"({len(jobs) - 1} sectors + overview); {os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = args.out or Path(tmp)
        t0 = time.perf_counter()
        est = load_estimates(table, q, ctx)
        t_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        html = render_reports(
            est, q, root / "html-only", jobs, context=ctx, formats=("html",), workers=1
        )
        t_html = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in html) / len(html) / 1024
        print(
            f"in process: check+convert the table {t_load:6.2f} s; HTML of all reports {t_html:6.2f} s "
            f"({t_html / len(jobs) * 1000:.0f} ms per report, {size:.0f} KiB per page)"
        )
        if args.no_pdf:
            return
        run = root / "run"
        write_run(run, table, q)
        total = float("nan")
        for workers in sorted({1, args.workers}):
            out = root / f"reports-{workers}"
            t0 = (
                time.perf_counter()
            )  # the whole command, fresh process: start-up, imports, fonts, all files
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pipeline",
                    "report",
                    "--run",
                    str(run),
                    "--all",
                    "--format",
                    "both",
                    "--workers",
                    str(workers),
                    "--out",
                    str(out),
                ],
                check=True,
                capture_output=True,
            )
            total = time.perf_counter() - t0
            pdfs = sorted(out.glob("*.pdf"))
            print(
                f"wbm report --all --format both --workers {workers}: {total:6.2f} s "
                f"({len(pdfs)} PDFs + {len(list(out.glob('*.html')))} HTML, {total / len(jobs):.2f} s per report, "
                f"{sum(p.stat().st_size for p in pdfs) / 1024 / 1024:.1f} MiB of PDF)"
            )
        print(
            f"target: all reports, HTML + PDF, {args.workers} workers, in < {TARGET_S:.0f} s: {total:.1f} s = "
            f"{total / TARGET_S:.2f} x target ({'met' if total < TARGET_S else 'NOT met'})"
        )


if __name__ == "__main__":
    main()
