"""Disclosure control: secondary suppression, LP audit and history checks at realistic sizes.

    python benchmarks/bench_disclosure.py            # --rows N (respondents), --requests K, --seed S
    python benchmarks/bench_disclosure.py --tau DIR  # also compare with tau-Argus (pytauargus in DIR)
    python benchmarks/bench_disclosure.py --run RUNDIR  # also time ``wbm table`` end to end on a run

Prints figures only (no assertions): cells, primary and secondary suppressions, information loss
(share of respondents behind suppressed inner cells), wall time of each step, and the time of the
differencing checks as a requester's history grows. Synthetic data shaped like the WBM employees file
(16 sectors, 5 age bands, 3 statutes with few civil servants in industry), weights ~ U(50, 300).
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from collections.abc import Sequence

import numpy as np

from pipeline.sdc.tables.audit import audit
from pipeline.sdc.tables.cells import Condition, membership, table_cells
from pipeline.sdc.tables.history import ReleasedCell
from pipeline.sdc.tables.protect import TableData, numerator, protect
from pipeline.sdc.tables.rules import TableKind, is_suppressed
from pipeline.sdc.tables.secondary import suppress_secondary
from pipeline.sdc.tables.structure import build, flat


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
        "werkstress": np.where(
            rng.random(rows) < 0.02, np.nan, (rng.random(rows) < 0.36).astype(float)
        ),
    }


def percent_table(
    cols: dict[str, np.ndarray], base: list[Condition], dims: list[tuple[str, list[int]]]
) -> TableData:
    st = build([flat(v, lv) for v, lv in dims])
    cells = table_cells(st, [*base, Condition("werkstress", None)], "werkstress")
    m = membership(cells, cols)
    w = cols["weight"]
    wn = w @ m
    num = (w * np.nan_to_num(cols["werkstress"])) @ m
    est = np.divide(100 * num, wn, out=np.zeros_like(num), where=wn > 0)
    return TableData(
        st,
        TableKind.percent,
        {
            "n": m.sum(axis=0).tolist(),
            "weighted_n": wn.tolist(),
            "numerator": list(numerator(est, wn)),
        },
        cells,
    )


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
    print(
        f"{name:<28} cells {t.structure.n_cells:4d}  primary {n_prim:3d}  secondary {n_sec:3d}  "
        f"loss {100 * loss(t, p.suppressed):5.1f}% of respondents  protect {t1 - t0:6.2f}s  "
        f"LP audit (3 layers, {sum(a.lps_solved for a in audits.values())} LP calls) {t2 - t1:6.2f}s  "
        f"ok={all(a.ok for a in audits.values())}"
    )
    # the same table by greedy closure alone (no group rule): how much the audit loop adds
    base = suppress_secondary(
        t.structure, {"n": t.layers["n"]}, [s.startswith("primary") for s in p.statuses]
    )
    print(
        f"{'':<28} n-layer only, no group rule: secondary {len(base.added)}  rounds {base.rounds}"
    )


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
            history.extend(
                ReleasedCell(c.cell, c.kind, c.status, c.n, c.weighted_n, f"r{k}", c.index)
                for c in p.released_cells(t)
            )
    pub = sum(not is_suppressed(c.status) for c in history)
    print(
        f"history: {requests} requests, {len(history)} logged cells ({pub} published); decisions {decisions}"
    )
    print(
        f"  protect() with history checks: first {times[0]:.2f}s, median {np.median(times):.2f}s, "
        f"last {times[-1]:.2f}s, total {sum(times):.1f}s"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=9000)
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--tau",
        metavar="DIR",
        help="directory where pytauargus is installed: compare with tau-Argus",
    )
    ap.add_argument(
        "--run",
        metavar="RUNDIR",
        help="a finished run (e.g. demo-output/run): time wbm table on it",
    )
    a = ap.parse_args()
    cols = frame(a.rows, a.seed)
    print(f"{a.rows} respondents")
    bench_table(
        cols, "sector x age (2-D)", [("sector", list(range(1, 17))), ("age_band", [1, 2, 3, 4, 5])]
    )
    bench_table(
        cols, "sector x statute (2-D)", [("sector", list(range(1, 17))), ("statute", [1, 2, 3])]
    )
    bench_table(
        cols,
        "sector x age x statute (3-D)",
        [("sector", list(range(1, 17))), ("age_band", [1, 2, 3, 4, 5]), ("statute", [1, 2, 3])],
    )
    bench_history(cols, a.requests, a.seed)
    if a.tau:
        bench_tau(a.tau)
    if a.run:
        bench_table_command(a.run)


def bench_table_command(run: str) -> None:
    """``wbm table``'s function on the shipped demo request: load, estimate, protect, log, write."""
    from dataclasses import replace
    from pathlib import Path

    from pipeline.tables.api import make_table
    from pipeline.tables.compute import calibrated_design, compute_wave
    from pipeline.tables.request import load_request
    from pipeline.tables.source import disclosure_columns, load_run

    request = (
        Path(__file__).resolve().parent.parent
        / "examples"
        / "requests"
        / "demo-werkstress-industrie.yaml"
    )
    t0 = time.perf_counter()
    resolved = load_request(request)
    data = replace(
        load_run(run), run_dir=None
    )  # log in a temporary ledger only, never in the run's own
    t1 = time.perf_counter()
    tables = compute_wave(
        resolved, resolved.latest, data, disclosure_columns(data), design=calibrated_design(data)
    )
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        t3 = time.perf_counter()
        out = make_table(resolved, [data], Path(tmp) / "out", ledger=Path(tmp) / "ledger")
        t4 = time.perf_counter()
    cells = sum(t.structure.n_cells for t in tables)
    print(
        f"wbm table {request.name} on {len(data.frame)} respondents: {len(tables)} tables, {cells} cells; "
        f"load {t1 - t0:.2f}s, estimates {t2 - t1:.2f}s, all (estimate + protect + ledger + xlsx/csv/json) "
        f"{t4 - t3:.2f}s; decision {out.decision}"
    )


def bench_tau(path: str, seeds: int = 8) -> None:
    """Our secondary suppression against tau-Argus (pytauargus, OPT with HiGHS) on the same primaries.

    pytauargus is not a project dependency; install it anywhere (``pip install --target DIR
    pytauargus``) and pass ``--tau DIR``. Each pattern is checked with our LP audit.
    """
    import sys

    import pandas as pd

    sys.path.insert(0, path)
    from pytauargus import protect as tau_protect

    from pipeline.sdc.tables.structure import TOTAL

    print(
        "tau-Argus (OPT(1), FREQ(30,0)) vs this engine, same primary cells; cost = sum of n of secondary cells"
    )
    tot = {"tau": 0.0, "ours": 0.0}
    for seed in range(seeds):
        cols = frame(3000, seed)
        for dims in (("sector", "statute"), ("sector", "age_band")):
            df = pd.DataFrame({k: np.char.zfill(cols[k].astype(int).astype(str), 2) for k in dims})
            df["one"] = 1.0
            t0 = time.perf_counter()
            with (
                tempfile.TemporaryDirectory() as tmp,
                contextlib.chdir(tmp),
            ):  # the engine writes logs to the cwd
                res = tau_protect(
                    df,
                    list(dims),
                    response="one",
                    safety_rules="FREQ(30,0)",
                    suppress="OPT(1)",
                    workdir=tmp,
                )
                d = res.tables[0].dataframe()
            t_tau = time.perf_counter() - t0
            st = build([flat(k, sorted(set(df[k]))) for k in dims])
            val, stat = {}, {}
            for _, r in d.iterrows():
                key = tuple(TOTAL if r[k] == "Total" else r[k] for k in dims)
                val[key], stat[key] = float(r["freq"]), r["status"]
            vals = [val.get(k, 0.0) for k in st.keys]
            prim = [stat.get(k) == "U" for k in st.keys]
            tau_sup = [stat.get(k) in ("U", "M") for k in st.keys]
            t0 = time.perf_counter()
            ours = suppress_secondary(st, {"n": vals}, prim)
            t_ours = time.perf_counter() - t0

            def cost(s: Sequence[bool], vals: list[float] = vals, prim: list[bool] = prim) -> float:
                return sum(v for v, x, p in zip(vals, s, prim, strict=True) if x and not p)

            tot["tau"] += cost(tau_sup)
            tot["ours"] += cost(ours.suppressed)
            print(
                f"  seed {seed} {'x'.join(dims):<16} primary {sum(prim):2d}  secondary tau {sum(tau_sup) - sum(prim):2d} "
                f"(n {cost(tau_sup):6.0f}, audit ok {audit(st, vals, tau_sup).ok!s:5}, {t_tau:.2f}s)  "
                f"ours {len(ours.added):2d} (n {cost(ours.suppressed):6.0f}, audit ok {audit(st, vals, ours.suppressed).ok!s:5}, {t_ours:.2f}s)"
            )
    print(
        f"  total suppressed n: tau {tot['tau']:.0f}, ours {tot['ours']:.0f} (ratio {tot['ours'] / max(tot['tau'], 1):.2f})"
    )


if __name__ == "__main__":
    main()
