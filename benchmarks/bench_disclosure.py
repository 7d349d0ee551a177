"""Disclosure control: secondary suppression, LP audit and history checks at realistic sizes.

    python benchmarks/bench_disclosure.py            # --rows N (respondents), --requests K, --seed S

Prints figures only (no assertions): cells, primary and secondary suppressions, information loss
(share of respondents behind suppressed inner cells), wall time of each step, and the time of the
differencing checks as a requester's history grows. Synthetic data shaped like the WBM employees file
(16 sectors, 5 age bands, 3 statutes with few civil servants in industry), weights ~ U(50, 300).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from pipeline.disclosure.audit import audit
from pipeline.disclosure.cells import Condition, membership, table_cells
from pipeline.disclosure.history import ReleasedCell
from pipeline.disclosure.protect import TableData, numerator, protect
from pipeline.disclosure.rules import TableKind, is_suppressed
from pipeline.disclosure.secondary import suppress_secondary
from pipeline.disclosure.structure import build, flat


def frame(rows: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    sector = rng.choice(np.arange(1, 17), rows, p=rng.dirichlet(np.ones(16) * 2)).astype(float)
    statute = rng.choice([1.0, 2.0, 3.0], rows, p=[0.35, 0.5, 0.15])
    statute[(sector <= 5) & (statute == 3) & (rng.random(rows) < 0.95)] = 1.0
    return {
        "sector": sector,
        "statute": statute,
        "age_band": rng.choice([1.0, 2.0, 3.0, 4.0, 5.0], rows, p=[0.18, 0.25, 0.25, 0.12, 0.2]),
        "sex": rng.choice([1.0, 2.0], rows),
        "weight": rng.uniform(50, 300, rows),
        "werkstress": np.where(rng.random(rows) < 0.02, np.nan, (rng.random(rows) < 0.36).astype(float)),
    }


def percent_table(cols: dict[str, np.ndarray], base: list[Condition], dims: list[tuple[str, list[int]]]) -> TableData:
    st = build([flat(v, lv) for v, lv in dims])
    cells = table_cells(st, [*base, Condition("werkstress", None)], "werkstress")
    m = membership(cells, cols)
    w = cols["weight"]
    wn = w @ m
    num = (w * np.nan_to_num(cols["werkstress"])) @ m
    est = np.divide(100 * num, wn, out=np.zeros_like(num), where=wn > 0)
    return TableData(st, TableKind.percent, {"n": m.sum(axis=0).tolist(), "weighted_n": wn.tolist(),
                                             "numerator": list(numerator(est, wn))}, cells)


def loss(t: TableData, suppressed: tuple[bool, ...]) -> float:
    inner = [i for i, k in enumerate(t.structure.keys) if "" not in k]
    tot = sum(t.n[i] for i in inner)
    return sum(t.n[i] for i in inner if suppressed[i]) / tot if tot else 0.0


def bench_table(cols: dict[str, np.ndarray], name: str, dims: list[tuple[str, list[int]]]) -> None:
    t = percent_table(cols, [], dims)
    t0 = time.perf_counter()
    p = protect(t)
    t1 = time.perf_counter()
    audits = {k: audit(t.structure, v, p.suppressed) for k, v in t.layers.items()}
    t2 = time.perf_counter()
    n_prim = sum(s.startswith("primary") for s in p.statuses)
    n_sec = sum(s.startswith("secondary") for s in p.statuses)
    print(f"{name:<28} cells {t.structure.n_cells:4d}  primary {n_prim:3d}  secondary {n_sec:3d}  "
          f"loss {100 * loss(t, p.suppressed):5.1f}% of respondents  protect {t1 - t0:6.2f}s  "
          f"LP audit (3 layers, {sum(a.lps_solved for a in audits.values())} LP calls) {t2 - t1:6.2f}s  "
          f"ok={all(a.ok for a in audits.values())}")
    # the same table by greedy closure alone (no group rule): how much the audit loop adds
    base = suppress_secondary(t.structure, {"n": t.layers["n"]}, [s.startswith("primary") for s in p.statuses])
    print(f"{'':<28} n-layer only, no group rule: secondary {len(base.added)}  rounds {base.rounds}")


def bench_history(cols: dict[str, np.ndarray], requests: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    history: list[ReleasedCell] = []
    variables = {"age_band": [1, 2, 3, 4, 5], "statute": [1, 2, 3], "sex": [1, 2]}
    times, decisions = [], {"release": 0, "suppress": 0, "refuse": 0}
    for k in range(requests):
        dims = list(rng.choice(sorted(variables), rng.integers(1, 3), replace=False))
        base = [Condition("sector", (float(rng.integers(1, 6)),))]
        rest = [v for v in variables if v not in dims]
        if rest and rng.random() < 0.5:
            v = str(rng.choice(rest))
            lv = variables[v]
            base.append(Condition(v, tuple(float(x) for x in lv[: max(1, len(lv) - 1)])))
        t = percent_table(cols, base, [(d, variables[d]) for d in dims])
        t0 = time.perf_counter()
        p = protect(t, history=history, columns=cols)
        times.append(time.perf_counter() - t0)
        decisions[p.decision] += 1
        if p.decision != "refuse":
            history.extend(ReleasedCell(c.cell, c.kind, c.status, c.n, c.weighted_n, f"r{k}", c.index)
                           for c in p.released_cells(t))
    pub = sum(not is_suppressed(c.status) for c in history)
    print(f"history: {requests} requests, {len(history)} logged cells ({pub} published); decisions {decisions}")
    print(f"  protect() with history checks: first {times[0]:.2f}s, median {np.median(times):.2f}s, "
          f"last {times[-1]:.2f}s, total {sum(times):.1f}s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=9000)
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    cols = frame(a.rows, a.seed)
    print(f"{a.rows} respondents")
    bench_table(cols, "sector x age (2-D)", [("sector", list(range(1, 17))), ("age_band", [1, 2, 3, 4, 5])])
    bench_table(cols, "sector x statute (2-D)", [("sector", list(range(1, 17))), ("statute", [1, 2, 3])])
    bench_table(cols, "sector x age x statute (3-D)", [("sector", list(range(1, 17))), ("age_band", [1, 2, 3, 4, 5]),
                                                      ("statute", [1, 2, 3])])
    bench_history(cols, a.requests, a.seed)


if __name__ == "__main__":
    main()
