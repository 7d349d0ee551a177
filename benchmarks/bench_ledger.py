"""Disclosure control against a long history: one request checked against 1,000 logged releases.

    python benchmarks/bench_ledger.py            # --rows N (respondents), --releases K, --seed S

Issue 13's goal: a request against a history of 1,000 logged releases in under 2 s. The history is
built from random requests (a sector filter, sometimes a second filter, one or two breakdowns among
age band, statute and sex) on synthetic data shaped like the WBM employees file
(``bench_disclosure.frame``), each protected on its own (primary and secondary suppression, no history
check while building: that would take the quadratic time the benchmark is not about), and logged
in a ledger directory (a temporary one) as ``wbm table`` logs them. Then one new request is
protected as ``wbm table`` protects it: the ledger read (its first issue and every cell before it,
:func:`pipeline.sdc.tables.ledger.prior`), the table protected with the full history (every
differencing check of ``history.py``) and logged. Prints figures only (no assertions).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence

import numpy as np
from bench_disclosure import frame, percent_table

from pipeline.sdc.tables.cells import Condition
from pipeline.sdc.tables.history import ReleasedCell
from pipeline.sdc.tables.ledger import Ledger, prior
from pipeline.sdc.tables.protect import protect

VERSION = "b1" * 32  # a data version (a content hash)

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
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Ledger(tmp)
        t0 = time.perf_counter()
        for k in range(a.releases):
            t = request(cols, rng)
            log(ledger, f"h{k}", protect(t).released_cells(t))
        build = time.perf_counter() - t0
        size = ledger.path(VERSION).stat().st_size
        print(
            f"{a.rows} respondents; ledger of {a.releases} releases, "
            f"{len(ledger.history(VERSION))} logged cells, {size / 1e6:.1f} MB (built in {build:.1f}s)"
        )
        times = []
        for k in range(3):
            t = request(cols, rng)
            t0 = time.perf_counter()
            before = prior([ledger], VERSION, "bench", f"new{k}")
            read = time.perf_counter() - t0
            p = protect(t, history=before.history, columns=cols)
            log(ledger, f"new{k}", p.released_cells(t))
            times.append(time.perf_counter() - t0)
            print(
                f"  one request ({t.structure.n_cells} cells) against the history: "
                f"{times[-1]:.2f}s (ledger read {read:.2f}s), decision {p.decision}"
            )
    print(f"  median {np.median(times):.2f}s (goal < 2 s)")


def log(ledger: Ledger, request_hash: str, cells: Sequence[ReleasedCell]) -> None:
    """One release logged as ``wbm table`` logs it (a digest per cell; here its position)."""
    ledger.record(
        "bench",
        request_hash=request_hash,
        data_version=VERSION,
        cells=cells,
        digests=[f"{request_hash}-{c.index}" for c in cells],
        decision="release",
    )


if __name__ == "__main__":
    main()
