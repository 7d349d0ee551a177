"""Estimation benchmark, svy: rake (svy records the adjustment and credits it in the Taylor
variance), then proportions of every indicator overall and by the domain variable.

    python estimate_svy.py PROBLEM_DIR        (inside benchmarks/.peers-venv)

Reads PROBLEM_DIR/data.parquet, margins.json and meta.json written by bench_estimate.py; prints one
JSON line with the time of the rake + estimation calls; writes estimates_svy.parquet (indicator,
level, estimate, se) for the comparison with ours.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(problem: str) -> None:
    import pandas as pd
    import polars as pl
    import svy

    d = Path(problem)
    data = pd.read_parquet(d / "data.parquet")
    margins = json.loads((d / "margins.json").read_text())
    meta = json.loads((d / "meta.json").read_text())
    inds, by, strata, base = meta["indicators"], meta["by"], meta["strata"], meta["base_weight"]
    controls = {
        var: {int(k): float(v) for k, v in totals.items()} for var, totals in margins.items()
    }
    df = pl.from_pandas(data)
    t0 = time.perf_counter()
    sample = svy.Sample(df, svy.Design(stratum=strata, wgt=base))
    raked = sample.weighting.rake(controls=controls, wgt_name="rk_wgt", tol=1e-10, max_iter=1000)
    overall = raked.estimation.prop(inds)
    domains = raked.estimation.prop(inds, by=by)
    seconds = time.perf_counter() - t0
    rows = []
    for ind, e_all, e_dom in zip(inds, overall, domains, strict=True):
        for e, is_dom in ((e_all, False), (e_dom, True)):
            p = e.to_polars().to_pandas()
            p = p[p[ind].astype(float) == 1.0]
            for _, r in p.iterrows():
                rows.append(
                    {
                        "indicator": ind,
                        "level": str(int(r[by])) if is_dom else "",
                        "estimate": float(r["est"]),
                        "se": float(r["se"]),
                    }
                )
    pd.DataFrame(rows).to_parquet(d / "estimates_svy.parquet", index=False)
    print(json.dumps({"peer": "svy", "seconds": seconds, "version": svy.__version__}))


if __name__ == "__main__":
    main(sys.argv[1])
