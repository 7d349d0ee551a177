"""The synthetic history's past waves in worker processes against one after another in one process.
Prints both times, their ratio and whether the two histories are the same bytes; no assertions.

    python benchmarks/bench_history.py [--years 2016,2019] [--scale 1.0] [--workers N] [--plain]

Each build is a fresh process (``pipeline.history.build_history`` into a temporary folder, under a
publisher of its own with ``protect_reports: true`` unless ``--plain``): the peer with
``WBM_WORKERS=1`` (every wave in the calling process), ours with ``WBM_WORKERS=--workers`` (default:
as many as the waves, which the memory and the CPUs may lower). The same seed, so both builds
must give the same files, ledgers included (compared byte for byte).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BUILD = """
import sys
from pathlib import Path
from pipeline.history import build_history
from tests.publisher_helpers import make_publisher

if __name__ == "__main__":
    out, years, scale, protect = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4]
    policy = make_publisher(out / "publisher", protect_reports=protect == "1")
    build_history(out, years=[int(y) for y in years.split(",")], scale=scale, policy=policy)
"""


def build(out: Path, years: str, scale: float, protect: bool, workers: str) -> float:
    script = out.parent / f"build-{out.name}.py"
    script.write_text(BUILD, encoding="utf-8")
    env = {**os.environ, "WBM_WORKERS": workers, "PYTHONPATH": str(ROOT)}
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, str(script), str(out), years, str(scale), "1" if protect else "0"],
        check=True,
        env=env,
        cwd=ROOT,
    )
    return time.perf_counter() - t


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", default="2016,2019")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--workers", default=None, help="WBM_WORKERS of the build in workers")
    ap.add_argument("--plain", action="store_true", help="without publishing the figures")
    a = ap.parse_args()
    n = a.workers or str(len(a.years.split(",")))
    with tempfile.TemporaryDirectory() as tmp:
        one, many = Path(tmp) / "one", Path(tmp) / "many"
        t1 = build(one, a.years, a.scale, not a.plain, "1")
        tn = build(many, a.years, a.scale, not a.plain, n)
        same = tree(one) == tree(many)
    print(f"history {a.years} at scale {a.scale} ({'plain' if a.plain else 'figures published'})")
    print(f"one process (WBM_WORKERS=1, the peer): {t1:8.1f} s")
    print(f"worker processes (WBM_WORKERS={n}):    {tn:8.1f} s   ours / peer {tn / t1:.2f}")
    print(f"the same bytes: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
