"""Benchmark: rake 1,000,000 rows x 4 margins (2, 5, 20 and 5 levels).

Prints our time beside svy's, balance's and R survey's measured in the same run on the same data,
the ratios against the fastest peer, and how far each peer's weights are from ours.

    python benchmarks/bench_weighting.py                 # peers from benchmarks/.peers-venv
    python benchmarks/bench_weighting.py --rows 200000 --no-peers

The peers run in a separate venv (``bash benchmarks/peers/setup.sh`` creates it; svy and balance
conflict with the main environment) through the small runner scripts in ``benchmarks/peers/``; R
runs when ``Rscript`` with the survey package is installed. Each peer's time covers its raking call
only (not reading the data); ours is the median of ``--repeat`` runs of ``rake()`` (codes already
integer arrays, as the weight stage has them), plus a separate figure for ``RakePlan.rake`` (the
compression reused, as in bootstrap replicates) and for the whole ``weight_frame`` (from a data frame
with checks and diagnostics).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from pipeline.weighting.raking import prepare, rake  # noqa: E402

LEVELS = (2, 5, 20, 5)
POPULATION = 5_000_000.0


def make_problem(rows: int, seed: int = 2023) -> tuple[pd.DataFrame, dict[str, list[float]]]:
    """A sample skewed against the population: level probabilities differ from the target shares."""
    rng = np.random.default_rng(seed)
    data = {}
    targets = {}
    latent = rng.random(rows)  # shared by all margins: the margins are correlated in the sample
    for k, lv in enumerate(LEVELS):
        noisy = np.clip(latent + rng.normal(0, 0.35, rows), 0, 1 - 1e-12)
        p = rng.dirichlet(np.full(lv, 2.0))
        data[f"m{k}"] = (
            np.searchsorted(np.cumsum(p), noisy * p.sum(), side="right")
            .clip(0, lv - 1)
            .astype(np.int64)
        )
        share = rng.dirichlet(np.full(lv, 2.0))
        targets[f"m{k}"] = list(share * POPULATION)
    df = pd.DataFrame(data)
    df["w"] = rng.uniform(0.5, 2.0, rows)
    return df, targets


def time_ours(df: pd.DataFrame, targets: dict[str, list[float]], repeat: int) -> dict[str, object]:
    codes = [df[k].to_numpy() for k in targets]
    t = [np.asarray(v) for v in targets.values()]
    b = df["w"].to_numpy()
    times = []
    res = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = rake(codes, t, b, tol=1e-10)
        times.append(time.perf_counter() - t0)
    plan = prepare(codes, t)
    ptimes = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        plan.rake(b, tol=1e-10)
        ptimes.append(time.perf_counter() - t0)
    assert res is not None and res.converged
    return {
        "seconds": statistics.median(times),
        "first": times[0],
        "plan": statistics.median(ptimes),
        "iterations": res.iterations,
        "cells": plan.n_cells,
        "weights": np.asarray(res.weights),
    }


def time_weight_frame(df: pd.DataFrame, targets: dict[str, list[float]]) -> float:
    from pipeline.weighting.api import weight_frame
    from pipeline.weighting.margins import margins_from_rows

    m = margins_from_rows(
        [(k, str(i), v) for k, vals in targets.items() for i, v in enumerate(vals)]
    )
    t0 = time.perf_counter()
    weight_frame(df, m, base_weight="w")
    return time.perf_counter() - t0


def run_peer(cmd: list[str], problem: Path, name: str, timeout: int) -> dict[str, object] | None:
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, cwd=HERE / "peers"
        )
    except (subprocess.TimeoutExpired, FileNotFoundError) as exc:
        print(f"  {name}: not measured ({type(exc).__name__})", file=sys.stderr)
        return None
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        print(
            f"  {name}: failed (exit {proc.returncode}): {proc.stderr.strip()[-500:]}",
            file=sys.stderr,
        )
        return None
    out: dict[str, object] = json.loads(lines[-1])
    wfile = problem / ("weights_r.csv" if name == "R survey" else f"weights_{name}.npy")
    if wfile.suffix == ".npy":
        out["weights"] = np.load(wfile)
    else:
        out["weights"] = pd.read_csv(wfile)["w"].to_numpy(dtype=float)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-peers", action="store_true", help="only time our engine")
    ap.add_argument("--no-r", action="store_true", help="skip R even when installed")
    ap.add_argument("--peers-python", default=str(HERE / ".peers-venv" / "bin" / "python"))
    ap.add_argument("--timeout", type=int, default=600)
    args = ap.parse_args(argv)

    df, targets = make_problem(args.rows)
    print(
        f"Raking {args.rows:,} rows x {len(LEVELS)} margins ({', '.join(map(str, LEVELS))} levels)"
    )
    ours = time_ours(df, targets, args.repeat)
    wf = time_weight_frame(df, targets)
    print(
        f"  ours  rake()            {ours['seconds']:8.3f} s (median of {args.repeat}; first call "
        f"{ours['first']:.3f} s; {ours['iterations']} iterations on {ours['cells']} cells)"
    )
    print(f"  ours  RakePlan.rake()   {ours['plan']:8.3f} s (compression reused, as in bootstrap)")
    print(f"  ours  weight_frame()    {wf:8.3f} s (from a DataFrame, with checks and diagnostics)")

    peers: list[dict[str, object]] = []
    if not args.no_peers:
        with tempfile.TemporaryDirectory(prefix="bench-weighting-") as tmp:
            problem = Path(tmp)
            df.to_parquet(problem / "data.parquet")
            (problem / "targets.json").write_text(json.dumps(targets))
            py = args.peers_python
            if Path(py).exists():
                for name in ("svy", "balance"):
                    r = run_peer([py, f"rake_{name}.py", str(problem)], problem, name, args.timeout)
                    if r:
                        peers.append(r)
            else:
                print(
                    f"  svy, balance: not measured (no {py}; run bash benchmarks/peers/setup.sh)",
                    file=sys.stderr,
                )
            if not args.no_r and shutil.which("Rscript"):
                df.to_csv(problem / "data.csv", index=False)
                pd.DataFrame(
                    [(k, i, v) for k, vals in targets.items() for i, v in enumerate(vals)],
                    columns=["variable", "level", "total"],
                ).to_csv(problem / "targets_long.csv", index=False, float_format="%.17g")
                r = run_peer(
                    ["Rscript", "rake_r.R", str(problem)], problem, "R survey", args.timeout
                )
                if r:
                    peers.append(r)
    w0 = ours["weights"]
    assert isinstance(w0, np.ndarray)
    for p in peers:
        w = p["weights"]
        assert isinstance(w, np.ndarray)
        rel = float(np.max(np.abs(w / w0 - 1))) if w.shape == w0.shape else float("nan")
        ratio = float(p["seconds"]) / float(ours["seconds"])  # type: ignore[arg-type]
        label = f"{p['peer']} {p.get('version', '')}"
        print(
            f"  {label:<24}{float(p['seconds']):8.3f} s   "  # type: ignore[arg-type]
            f"ours is {ratio:6.1f}x faster; max relative difference in weights {rel:.1e}"
        )
    if peers:
        fastest = min(peers, key=lambda p: float(p["seconds"]))  # type: ignore[arg-type]
        ratio = float(fastest["seconds"]) / float(ours["seconds"])  # type: ignore[arg-type]
        print(
            f"Fastest peer: {fastest['peer']} ({float(fastest['seconds']):.3f} s); "  # type: ignore[arg-type]
            f"ours {ours['seconds']:.3f} s = {ratio:.1f}x faster (target: at least 10x)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
