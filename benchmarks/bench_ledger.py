"""Disclosure control against a long history: one request checked against 1,000 logged releases.

    python benchmarks/bench_ledger.py            # --rows N (respondents), --releases K, --seed S

Issue 13's goal: a request against a history of 1,000 logged releases in under 2 s. The history is
built from random requests (a sector filter, sometimes a second filter, one or two breakdowns among
age band, statute and sex) on synthetic data shaped like the WBM employees file
(``bench_disclosure.frame``), each protected on its own (primary and secondary suppression, no history
check while building: that would take the quadratic time the benchmark is not about). Then one new
request is protected with the full history (every differencing check of ``history.py``). Prints
figures only (no assertions).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from bench_disclosure import frame, percent_table

from pipeline.sdc.tables.cells import Condition
from pipeline.sdc.tables.history import ReleasedCell
from pipeline.sdc.tables.protect import protect

VARIABLES = {"age_band": [1, 2, 3, 4, 5], "statute": [1, 2, 3], "sex": [1, 2]}


def request(cols: dict[str, np.ndarray], rng: np.random.Generator):
    dims = list(rng.choice(sorted(VARIABLES), rng.integers(1, 3), replace=False))
    base = [Condition("sector", (float(rng.integers(1, 17)),))]
    rest = [v for v in VARIABLES if v not in dims]
    if rest and rng.random() < 0.5:
        v = str(rng.choice(rest))
        lv = VARIABLES[v]
        base.append(Condition(v, tuple(float(x) for x in lv[: max(1, len(lv) - 1)])))
    return percent_table(cols, base, [(d, VARIABLES[d]) for d in dims])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=9000)
    ap.add_argument("--releases", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    cols = frame(a.rows, a.seed)
    rng = np.random.default_rng(a.seed)
    history: list[ReleasedCell] = []
    t0 = time.perf_counter()
    for k in range(a.releases):
        t = request(cols, rng)
        p = protect(t)
        history.extend(
            ReleasedCell(c.cell, c.kind, c.status, c.n, c.weighted_n, f"r{k}", c.index)
            for c in p.released_cells(t)
        )
    build = time.perf_counter() - t0
    print(
        f"{a.rows} respondents; history of {a.releases} releases, {len(history)} logged cells "
        f"(built in {build:.1f}s)"
    )
    times = []
    for _ in range(3):
        t = request(cols, rng)
        t0 = time.perf_counter()
        p = protect(t, history=history, columns=cols)
        times.append(time.perf_counter() - t0)
        print(
            f"  one request ({t.structure.n_cells} cells) against the history: "
            f"{times[-1]:.2f}s, decision {p.decision}"
        )
    print(f"  median {np.median(times):.2f}s (goal < 2 s)")


if __name__ == "__main__":
    main()
