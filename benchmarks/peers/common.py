"""Shared by the peer runners: read the benchmark problem written by bench_weighting.py.

Runs inside the peers venv (benchmarks/.peers-venv), so it imports nothing from the pipeline.
Problem directory: data.parquet (columns m0..m3 = level codes 0..L-1, w = base weight) and
targets.json ({"m0": [t0, t1, ...], ...}).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def load(problem: str):
    import pandas as pd

    d = Path(problem)
    data = pd.read_parquet(d / "data.parquet")
    targets = json.loads((d / "targets.json").read_text())
    return data, targets


def report(problem: str, name: str, seconds: float, weights, extra: dict | None = None) -> None:
    import numpy as np

    np.save(Path(problem) / f"weights_{name}.npy", np.asarray(weights, dtype=np.float64))
    print(json.dumps({"peer": name, "seconds": seconds, **(extra or {})}))
    sys.stdout.flush()


def timer() -> float:
    return time.perf_counter()
