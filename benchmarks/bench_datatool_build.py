"""The datatool's waves protected in worker processes against one after another in one process.
Prints both times, their ratio, each wave's seconds and whether the two releases are the same
bytes; no assertions.

    python benchmarks/bench_datatool_build.py --demo DIR [--workers N]

``--demo``: the output folder of ``wbm demo`` (its ``archive`` and ``publisher``). Each build is a
fresh process (:func:`pipeline.demo.build_demo_datatool`, every population's reference subset, as the
demo builds it) on a copy of the archive and of the publisher, with the datatool's own releases
taken out of the copied ledgers (the reports' and tables' releases stay: each wave is checked
against them, as in the demo): the peer with ``WBM_WORKERS=1``, ours with ``WBM_WORKERS=--workers``
(default: the CPUs, which the memory may lower).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

BUILD = """
import json
import sys
from pathlib import Path
from typing import Any

import pipeline.datatool.precompute as precompute
from pipeline.demo import build_demo_datatool

if __name__ == "__main__":
    out = Path(sys.argv[1])
    waves = []
    real = precompute.build_release

    def build_release(*args, **kwargs):
        rel = real(*args, **kwargs)
        waves.extend([f"{n} {o.wave}", round(o.seconds, 1)] for n, os in rel.outcomes.items() for o in os)
        return rel

    precompute.build_release = build_release
    dt = build_demo_datatool(out, out / "archive", out / "publisher" / "policy.yaml", None)
    (out / "waves.json").write_text(json.dumps([dt.tables, dt.cells, dt.suppressed, waves]))
"""


def copy_demo(demo: Path, out: Path) -> None:
    """The demo's archive and publisher, without the datatool's releases in the ledgers."""
    shutil.copytree(demo / "archive", out / "archive")
    shutil.copytree(demo / "publisher", out / "publisher")
    for f in (out / "publisher" / "ledger").glob("*/tables.jsonl"):
        lines = f.read_text(encoding="utf-8").splitlines()
        kept = [x for x in lines if json.loads(x).get("label") != "datatool"]
        f.write_text("".join(x + "\n" for x in kept), encoding="utf-8")


def build(demo: Path, out: Path, workers: str) -> tuple[float, list[Any]]:
    copy_demo(demo, out)
    script = out.parent / f"build-{out.name}.py"
    script.write_text(BUILD, encoding="utf-8")
    env = {**os.environ, "WBM_WORKERS": workers, "PYTHONPATH": str(ROOT)}
    t = time.perf_counter()
    subprocess.run([sys.executable, str(script), str(out)], check=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - t
    return seconds, json.loads((out / "waves.json").read_text(encoding="utf-8"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", type=Path, required=True, help="the output folder of wbm demo")
    ap.add_argument("--workers", default=None, help="WBM_WORKERS of the build in workers")
    a = ap.parse_args()
    n = a.workers or str(min(len(os.sched_getaffinity(0)), 8))
    with tempfile.TemporaryDirectory() as tmp:
        one, many = Path(tmp) / "one", Path(tmp) / "many"
        t1, (tables, cells, suppressed, waves) = build(a.demo, one, "1")
        tn, (_, _, _, waves_n) = build(a.demo, many, n)
        same = (one / "datatool" / "datatool.json").read_bytes() == (
            many / "datatool" / "datatool.json"
        ).read_bytes()
    print(f"datatool of {a.demo}: {tables} tables, {cells:,} cells, {suppressed} suppressed")
    print(f"one process (WBM_WORKERS=1, the peer): {t1:8.1f} s")
    print(f"worker processes (WBM_WORKERS={n}):    {tn:8.1f} s   ours / peer {tn / t1:.2f}")
    print(
        "each wave, s (one process / workers): "
        + ", ".join(f"{w} {s:g}/{s_n:g}" for (w, s), (_, s_n) in zip(waves, waves_n, strict=True))
    )
    print(f"the same bytes: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
