"""Estimation benchmark: 100,000 rows, 10 indicators x (overall + 20 domains), raked design with
raking-aware linearization SEs. Prints our time beside svy's and R's, measured in the same run.

    python benchmarks/bench_estimate.py            # --rows N, --repeat K, --no-peers, --no-r, --r-rake

Problem (deterministic): 20 sectors as strata with disproportionate base weights, raked to three
margins (sector, the joint sex x age band margin with 10 cells, statute); 10 correlated 0/1
indicators without missing values (so the three libraries estimate exactly the same thing).

Timed, ours (median of --repeat calls, in this process):
- ``rake + estimate``: ``pipeline.weighting.raking.rake`` + the design + ``estimate_table`` (the
  tidy table: estimate, SE, deff, logit CI, flags for 210 rows);
- ``estimate only``: ``estimate_table`` on a ready design.
svy (``benchmarks/.peers-venv``, ``peers/estimate_svy.py``): ``Sample`` + ``weighting.rake`` (svy
credits the raking in its Taylor variance) + ``estimation.prop`` overall and ``by="sector"``.
R (``peers/estimate_r.R``): ``svydesign`` + ``calibrate(calfun="raking")`` + ``svymean`` and
``svyby(..., svymean)`` per indicator; with ``--r-rake`` also a ``rake()`` design.
Reading the data is never timed. The largest relative SE difference to each peer is printed too.
"""

from __future__ import annotations

import argparse
import json
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

from pipeline.estimation.api import estimate_table  # noqa: E402
from pipeline.estimation.design import make_calibration, make_design  # noqa: E402
from pipeline.weighting.raking import rake  # noqa: E402

N_IND = 10
N_SECTOR = 20


def make_problem(rows: int, seed: int = 20240611) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    sector = rng.integers(0, N_SECTOR, rows)
    sex = rng.integers(0, 2, rows)
    age = np.minimum(4, rng.binomial(4, 0.5, rows))
    statute = (rng.random(rows) < 0.35 + 0.02 * (sector % 5)).astype(np.int64)
    df = pd.DataFrame({"sector": sector, "sexage": sex * 5 + age, "statute": statute})
    df["w0"] = rng.uniform(20.0, 120.0, N_SECTOR)[sector]
    latent = rng.normal(size=rows)
    for j in range(N_IND):
        z = (
            -1.0
            + 0.1 * j
            + 0.3 * sex
            - 0.1 * age
            + 0.02 * sector
            + 0.6 * latent
            + rng.normal(size=rows)
        )
        df[f"y{j}"] = (z > 0).astype(np.float64)
    total = float(df["w0"].sum()) * 1.07
    share_sector = rng.dirichlet(np.full(N_SECTOR, 20.0))
    sexage_counts = np.bincount(df["sexage"], minlength=10) * rng.uniform(0.9, 1.1, 10)
    targets = {
        "sector": share_sector * total,
        "sexage": sexage_counts / sexage_counts.sum() * total,
        "statute": np.array([0.38, 0.62]) * total,
    }
    return df, targets


def write_problem(d: Path, df: pd.DataFrame, targets: dict[str, np.ndarray]) -> None:
    df.to_parquet(d / "data.parquet", index=False)
    df.to_csv(d / "data.csv", index=False)
    (d / "margins.json").write_text(
        json.dumps({k: {str(i): float(t) for i, t in enumerate(v)} for k, v in targets.items()})
    )
    rows = [f"{k},{i},{t!r}" for k, v in targets.items() for i, t in enumerate(v.tolist())]
    (d / "margins.csv").write_text("variable,level,total\n" + "\n".join(rows) + "\n")
    (d / "meta.json").write_text(
        json.dumps(
            {
                "indicators": [f"y{j}" for j in range(N_IND)],
                "by": "sector",
                "strata": "sector",
                "base_weight": "w0",
            }
        )
    )


def ours(
    df: pd.DataFrame, targets: dict[str, np.ndarray], repeat: int
) -> tuple[float, float, pd.DataFrame]:
    inds = [f"y{j}" for j in range(N_IND)]
    codes = [df[k].to_numpy() for k in targets]
    tv = list(targets.values())
    w0 = df["w0"].to_numpy()
    strata = df["sector"].to_numpy()

    def full() -> pd.DataFrame:
        res = rake(codes, tv, w0)
        des = make_design(res.weights, strata=strata, calibration=make_calibration(codes, w0))
        return estimate_table(df, des, inds, ["sector"])

    res = rake(codes, tv, w0)
    design = make_design(res.weights, strata=strata, calibration=make_calibration(codes, w0))
    table = full()  # warm-up
    t_full, t_est = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        full()
        t_full.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        estimate_table(df, design, inds, ["sector"])
        t_est.append(time.perf_counter() - t0)
    return statistics.median(t_full), statistics.median(t_est), table


def se_gap(table: pd.DataFrame, path: Path) -> float:
    peer = (
        pd.read_parquet(path)
        if path.suffix == ".parquet"
        else pd.read_csv(path, keep_default_na=False, dtype={"level": str})
    )
    t = table.assign(level=table["level"].astype(str))
    m = peer.merge(t, on=["indicator", "level"], suffixes=("_peer", ""))
    if len(m) != len(t):
        return float("nan")
    return float(np.max(np.abs(m["se"].to_numpy() / m["se_peer"].astype(float).to_numpy() - 1)))


def run_peer(cmd: list[str]) -> list[dict]:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"  ({cmd[0]} failed: {exc})")
        return []
    if p.returncode != 0:
        print(
            f"  ({' '.join(cmd[:2])} failed: {p.stderr.strip().splitlines()[-1:] or p.returncode})"
        )
        return []
    return [json.loads(ln) for ln in p.stdout.splitlines() if ln.startswith("{")]


def peers_python(no_setup: bool) -> str | None:
    py = HERE / ".peers-venv" / "bin" / "python"
    if py.exists():
        return str(py)
    if no_setup:
        return None
    p = subprocess.run(
        ["bash", str(HERE / "peers" / "setup.sh")], capture_output=True, text=True, check=False
    )
    return p.stdout.strip().splitlines()[-1] if p.returncode == 0 and p.stdout.strip() else None


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-peers", action="store_true", help="skip svy")
    ap.add_argument("--no-r", action="store_true", help="skip R")
    ap.add_argument("--r-rake", action="store_true", help="also time R with a rake() design (slow)")
    ap.add_argument(
        "--no-setup", action="store_true", help="do not create the peers venv if missing"
    )
    args = ap.parse_args()

    df, targets = make_problem(args.rows)
    print(
        f"estimation benchmark: {args.rows:,} rows, {N_IND} indicators x (overall + {N_SECTOR} sectors), "
        f"raked to sector + sex x age (10 cells) + statute, raking-aware linearization SEs"
    )
    t_full, t_est, table = ours(df, targets, args.repeat)
    results = [("ours: rake + estimate", t_full, ""), ("ours: estimate only", t_est, "")]
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        write_problem(d, df, targets)
        if not args.no_peers:
            py = peers_python(args.no_setup)
            if py is None:
                print("  (svy skipped: no peers venv; run bash benchmarks/peers/setup.sh)")
            else:
                for r in run_peer([py, str(HERE / "peers" / "estimate_svy.py"), str(d)]):
                    gap = se_gap(table, d / "estimates_svy.parquet")
                    results.append(
                        (
                            f"svy {r.get('version', '')}: rake + prop",
                            r["seconds"],
                            f"max SE rel. diff {gap:.1e}",
                        )
                    )
        if not args.no_r:
            cmd = ["Rscript", str(HERE / "peers" / "estimate_r.R"), str(d)] + (
                ["rake"] if args.r_rake else []
            )
            for r in run_peer(cmd):
                note = ""
                if r["peer"] == "R calibrate":
                    note = f"max SE rel. diff {se_gap(table, d / 'estimates_r.csv'):.1e}; {r.get('version', '')}"
                results.append((f"{r['peer']} + svyby", r["seconds"], note))
    print(f"{'':34s} {'seconds':>9s} {'ours/peer':>10s}")
    for name, sec, note in results:
        ratio = "" if name.startswith("ours") else f"{t_full / sec:10.3f}"
        print(f"{name:34s} {sec:9.3f} {ratio:>10s}  {note}")
    print(
        f"target: rake + estimate under 0.5 s -> {'met' if t_full < 0.5 else 'NOT met'} ({t_full:.3f} s)"
    )


if __name__ == "__main__":
    main()
