"""The reports' figures through the table engine (issue 13, finding 5): what ``protect_reports: true``
adds to the outputs stage.

    python benchmarks/bench_report_figures.py    # --invited N, --seed S, --run DIR (an existing run)

Makes the demo's employees run (``pipeline.demo.run_demo``, small wave by default; or takes ``--run``),
then times, on a fresh ledger:

- the peer: the same tables computed by the table engine without any protection (every breakdown
  of the estimates table as the request the reports' figures are, ``compute_wave``);
- :func:`pipeline.tables.figures.protect_run_figures`: the same tables protected jointly and logged;
- the rerun (a re-issue: checked again, nothing new logged);
- requests after the figures (what ``protect_reports: true`` costs the requesters): the standard
  table (30 indicators by sector) and a custom table the reports do not hold (occupation by
  statute in one sector), each on a fresh ledger (the peer) and after the figures were logged (the
  exact engine checks them against the figures).

Prints figures and ratios only (no assertions).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path


def _peer(run: Path) -> float:
    """Seconds to compute every breakdown's tables unprotected (as protect_figures computes them)."""
    import pandas as pd

    from pipeline.rundata import layout
    from pipeline.tables.compute import calibrated_design, compute_wave
    from pipeline.tables.figures import breakdown_order, crossed_indicators, figures_request
    from pipeline.tables.request import indicator_names, parse_request, resolve
    from pipeline.tables.source import disclosure_columns, load_run

    t0 = time.perf_counter()
    data = load_run(run)
    q = data.questionnaire
    est = pd.read_parquet(layout.stage_file(run, "estimate", layout.ESTIMATES))
    by_col = est["by"].fillna("").astype(str)
    allowed = set(indicator_names(q, data.cutoff_population))
    crossed = set(crossed_indicators(q))
    columns = disclosure_columns(data)
    design = calibrated_design(data)
    for by in breakdown_order(by_col.tolist()):
        inds = [
            i for i in dict.fromkeys(est[by_col == by]["indicator"].astype(str)) if i in allowed
        ]
        if ":" in by:
            inds = [i for i in inds if i in crossed]
        if not inds:
            continue
        resolved = resolve(
            parse_request(figures_request(data, by, inds), "bench"),
            "bench",
            loaded=q,
            cutoff_populations={q.study.wave: data.cutoff_population},
        )
        compute_wave(resolved, resolved.wave(data.wave), data, columns, design)
    return time.perf_counter() - t0


def _later(run: Path, policy: Path, out: Path) -> tuple[float, float]:
    """Seconds for the standard table and for a custom table (occupation by statute in sector 5),
    requested under ``policy`` after whatever its ledger holds."""
    import os

    import yaml

    from pipeline.sdc.publisher import publisher
    from pipeline.tables.api import make_table
    from pipeline.tables.standard import write_standard_table

    os.environ["WBM_POLICY"] = str(policy)
    t0 = time.perf_counter()
    write_standard_table(run, out / "standard", publisher(str(policy)))
    standard = time.perf_counter() - t0
    request = out / "request.yaml"
    request.write_text(
        yaml.safe_dump(
            {
                "kind": "table-request",
                "schema_version": 1,
                "id": "bench-later",
                "requester": "woodwize",
                "population": "employees",
                "waves": [2023],
                "indicators": ["werkstress", "werkbaar_werk"],
                "rows": "occupation",
                "columns": "statute",
                "filters": [{"variable": "sector", "levels": [5]}],
                "statistics": ["percent", "ci", "n"],
                "language": "nl",
            }
        ),
        encoding="utf-8",
    )
    t0 = time.perf_counter()
    make_table(request, [run], out / "custom")
    return standard, time.perf_counter() - t0


def main() -> None:
    import pandas as pd
    import yaml

    from pipeline.rundata import layout
    from pipeline.sdc.publisher import publisher
    from pipeline.tables.figures import protect_run_figures

    ap = argparse.ArgumentParser()
    ap.add_argument("--invited", type=int, default=13_000)
    ap.add_argument("--seed", type=int, default=2023)
    ap.add_argument("--run", type=Path, default=None, help="an existing run directory")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        if a.run is None:
            from pipeline.demo import run_demo

            t0 = time.perf_counter()
            result = run_demo(base / "demo", size=a.invited, seed=a.seed)
            run = result.run_dir
            pub_dir = base / "demo" / "publisher"
            print(f"demo run made in {time.perf_counter() - t0:.1f}s")
        else:
            from pipeline.paths import PUBLISHER_DIR

            run, pub_dir = a.run, PUBLISHER_DIR
        peer_pub = base / "peer-publisher"
        shutil.copytree(pub_dir, peer_pub, ignore=shutil.ignore_patterns("ledger"))
        peer_later = _later(run, peer_pub / "policy.yaml", base / "peer-later")
        fresh = base / "publisher"
        shutil.copytree(pub_dir, fresh, ignore=shutil.ignore_patterns("ledger"))
        policy = fresh / "policy.yaml"
        data = yaml.safe_load(policy.read_text(encoding="utf-8"))
        data["protect_reports"] = True
        policy.write_text(yaml.safe_dump(data), encoding="utf-8")
        est = pd.read_parquet(layout.stage_file(run, "estimate", layout.ESTIMATES))
        peer = _peer(run)
        t0 = time.perf_counter()
        shown, figures = protect_run_figures(est, run, publisher(str(policy)))
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        protect_run_figures(est, run, publisher(str(policy)))
        again = time.perf_counter() - t0
        later = _later(run, policy, base / "later")
        hidden = shown["flags"].fillna("").astype(str).str.contains("suppressed")
        before = est["flags"].fillna("").astype(str).str.contains("suppressed")
        print(
            f"{len(est):,} estimate rows, {len(figures.breakdowns)} breakdowns protected, "
            f"{len(figures.unpublished)} not published; rows hidden {int(before.sum()):,} -> "
            f"{int(hidden.sum()):,}"
        )
        print(f"peer: the tables unprotected        {peer:7.1f}s")
        print(f"protect_run_figures (fresh ledger) {first:7.1f}s  ({first / peer:.1f}x the peer)")
        print(f"rerun (re-issue, nothing logged)   {again:7.1f}s  ({again / peer:.1f}x the peer)")
        for name, p, x in zip(("standard table", "custom table"), peer_later, later, strict=True):
            print(
                f"{name} after the figures      {x:7.1f}s  ({x / p:.1f}x the same on a fresh "
                f"ledger, {p:.1f}s)"
            )


if __name__ == "__main__":
    main()
