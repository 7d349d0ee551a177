"""Coverage of the enterprise survey's 95% CIs over many synthetic waves (issue 16).

    .venv/bin/python scripts/oe_coverage.py --seeds 1-100 --out OUT

For every seed: a synthetic OE wave at the model's size (3,900 selected), the stages validate ->
estimate, then each headline as a share of organisations (04_estimate/estimates.parquet) and of
employees (estimates_employment.parquet) beside the synthetic truth (truth.json). Also the SE of
the same estimator without the finite population correction: the generator draws every sampled
organisation from the model (no finite population is realised), so the distance to the model's
expectation has the variance without fpc. Prints coverage, mean and SD of z = (estimate - truth) /
SE per indicator. Writes only under --out.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

HEADLINES = (
    "beperkt_competentiebeleid",
    "geen_innovatie",
    "lage_digitalisering",
    "beperkte_participatie",
)


def one(seed: int, base: Path) -> list[dict[str, object]]:
    from pipeline.estimation.api import DesignSpec, estimate
    from pipeline.fileio import read_parquet
    from pipeline.rundata import layout
    from pipeline.runner import Run, RunConfig, run_stages
    from pipeline.synth.wave import generate_wave

    generate_wave(base / "wave", seed=seed, questionnaire="oe-2025")
    run = base / "run"
    run_stages(
        Run(run, RunConfig.from_wave_dir(base / "wave")),
        ("validate", "weight", "score", "estimate"),
    )
    truth = json.loads((base / "wave" / "truth.json").read_text(encoding="utf-8"))
    by_jobs = next(iter(truth["weighted_by"].values()))["indicators"]
    scored = read_parquet(layout.stage_file(run, "score", layout.SCORED)).copy()
    scored["_jobs"] = scored["weight"] * scored["employees"].astype(float)
    out = []
    for kind, name, weight, true in (
        ("organisaties", layout.ESTIMATES, "weight", truth["indicators"]),
        ("werknemers", layout.ESTIMATES_EMPLOYMENT, "_jobs", by_jobs),
    ):
        est = read_parquet(layout.stage_file(run, "estimate", name))
        nofpc = estimate(
            scored, DesignSpec(weight=weight, strata="design_stratum"), list(HEADLINES), []
        ).table
        for ind in HEADLINES:
            r = est[(est["indicator"] == ind) & (est["by"].fillna("") == "")].iloc[0]
            r2 = nofpc[(nofpc["indicator"] == ind) & (nofpc["by"].fillna("") == "")].iloc[0]
            out.append(
                {
                    "seed": seed,
                    "basis": kind,
                    "indicator": ind,
                    "estimate": float(r["estimate"]),
                    "se": float(r["se"]),
                    "se_without_fpc": float(r2["se"]),
                    "truth": float(true[ind]["overall"]),
                }
            )
    shutil.rmtree(base)
    return out


def main() -> None:
    import pandas as pd

    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="1-100", help="FIRST-LAST")
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    first, last = (int(x) for x in a.seeds.split("-"))
    rows = []
    for seed in range(first, last + 1):
        rows += one(seed, a.out / f"seed-{seed}")
    d = pd.DataFrame(rows)
    (a.out / "coverage.csv").write_text(d.to_csv(index=False), encoding="utf-8")
    for se in ("se", "se_without_fpc"):
        d["z"] = (d["estimate"] - d["truth"]) / d[se]
        d["covered"] = d["z"].abs() <= 1.959964
        g = d.groupby(["basis", "indicator"]).agg(
            coverage=("covered", "mean"), mean_z=("z", "mean"), sd_z=("z", "std")
        )
        print(f"\n{se}\n{g.round(3).to_string()}")
        print(d.groupby("basis").agg(coverage=("covered", "mean")).round(4).to_string())


if __name__ == "__main__":
    main()
