"""Rake the benchmark problem with svy (Sample.weighting.rake); prints JSON with the time."""

from __future__ import annotations

import sys

from common import load, report, timer


def main(problem: str) -> None:
    import polars as pl
    import svy

    data, targets = load(problem)
    df = pl.from_pandas(data)
    controls = {k: {i: float(t) for i, t in enumerate(v)} for k, v in targets.items()}
    sample = svy.Sample(df, svy.Design(wgt="w"))
    t0 = timer()
    out = sample.weighting.rake(controls=controls, wgt_name="rk_wgt", tol=1e-10, max_iter=1000)
    seconds = timer() - t0
    w = out.data["rk_wgt"].to_numpy()
    report(problem, "svy", seconds, w, {"version": svy.__version__})


if __name__ == "__main__":
    main(sys.argv[1])
