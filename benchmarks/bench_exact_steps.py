"""Where the exact check of the reports' figures (``exact_reports: true``) spends its time: each
breakdown's step and each small-group search in it, printed as they end. No assertions.

    python benchmarks/bench_exact_steps.py --run RUNDIR [--step K]

Protects the run's report figures (:func:`pipeline.tables.figures.protect_run_figures`) under the
reference policy with ``exact_reports: true`` on a fresh ledger, every step in this process
(``WBM_WORKERS=1``), and prints per step its breakdown, cells and seconds, per search its program
(published cells x atoms, earlier cells, small atoms, the threshold) and per MILP its seconds and
outcome. ``--step K``: only the K-th step of each pass (0-based; -1 the last), the others skipped
(each step depends only on the cells the pass starts with, so one step can be timed alone).
Interrupt it (Ctrl-C) once it has shown what it should: a search can run for a long time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any


def _say(text: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {text}", flush=True)


def _instrument(only: int | None) -> None:
    import pipeline.sdc.tables.history as history
    from pipeline.sdc.tables import groups, steps

    names: list[str] = []
    real_steps, real_check = steps.findings_in_order, steps._check
    real_search, real_solve = groups.find_small_group, groups._solve

    def findings_in_order(st: Any, *args: Any, **kwargs: Any) -> Any:
        names[:] = [n for n, _ in st]
        _say(f"pass of {len(st)} steps")
        return real_steps(st, *args, **kwargs)

    def check(k: int, state: Any) -> Any:
        if only is not None and k != (only if only >= 0 else len(names) + only):
            return ()
        t0 = time.perf_counter()
        _say(f"step {k} {names[k]}: {len(state[0][k])} cells, {state[2][k]} earlier")
        out = real_check(k, state)
        _say(f"step {k} done in {time.perf_counter() - t0:.1f} s, {len(out)} finding(s)")
        return out

    def find_small_group(cells: Any, counts: Any, max_n: int, *args: Any, **kwargs: Any) -> Any:
        old = kwargs.get("old")
        small = int(((counts >= 1) & (counts <= max_n)).sum())
        t0 = time.perf_counter()
        out = real_search(cells, counts, max_n, *args, **kwargs)
        if time.perf_counter() - t0 > 1:
            _say(
                f"  search {cells.shape[0]} cells x {cells.shape[1]} atoms, "
                f"{0 if old is None else old.shape[0]} earlier, {small} small atoms, n <= {max_n}: "
                f"{time.perf_counter() - t0:.1f} s, {'found' if out is not None else 'none'}"
            )
        return out

    def solve(rows: Any, lo: Any, hi: Any, cost: Any, integrality: Any, bounds: Any) -> Any:
        t0 = time.perf_counter()
        big = int(integrality.sum()) >= 1000  # said when it starts: one may not end for long
        if big:
            _say(f"    MILP {int(integrality.sum())} integer of {cost.size} variables ...")
        x = real_solve(rows, lo, hi, cost, integrality, bounds)
        seconds = time.perf_counter() - t0
        if big or seconds > 1:
            _say(f"    MILP {'infeasible' if x is None else 'solved'} in {seconds:.1f} s")
        return x

    steps.findings_in_order = findings_in_order  # type: ignore[assignment]
    steps._check = check
    groups.find_small_group = find_small_group
    history.find_small_group = find_small_group
    groups._solve = solve


def main() -> None:
    import pandas as pd
    import yaml

    from pipeline.paths import PUBLISHER_DIR
    from pipeline.rundata import layout
    from pipeline.sdc.publisher import publisher
    from pipeline.tables.figures import protect_run_figures

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", type=Path, required=True, help="a run directory (estimate stage done)")
    ap.add_argument("--step", type=int, default=None, help="only this step of each pass")
    a = ap.parse_args()
    os.environ["WBM_WORKERS"] = "1"
    _instrument(a.step)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "publisher"
        shutil.copytree(PUBLISHER_DIR, fresh, ignore=shutil.ignore_patterns("ledger"))
        policy = fresh / "policy.yaml"
        data = yaml.safe_load(policy.read_text(encoding="utf-8"))
        data.update(protect_reports=True, exact_reports=True)
        policy.write_text(yaml.safe_dump(data), encoding="utf-8")
        est = pd.read_parquet(layout.stage_file(a.run, "estimate", layout.ESTIMATES))
        t0 = time.perf_counter()
        protect_run_figures(est, a.run, publisher(str(policy)))
        _say(f"protect_run_figures with exact_reports: {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
