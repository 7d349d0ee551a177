"""Rake the benchmark problem with balance (weighting_methods.rake.rake); prints JSON with the time.

The margins are passed as a target frame: every combination of levels, weighted by the product of
the margin shares times the population (its one-way margins are exactly the targets). balance's
``target_margins=`` argument instead rounds the margins to integer counts of a synthetic frame
(``target_margins_max_length`` rows), which changes the weights by about 0.5% at the default length.
"""

from __future__ import annotations

import itertools
import logging
import sys

from common import load, report, timer


def main(problem: str) -> None:
    logging.disable(logging.CRITICAL)
    import balance
    import numpy as np
    import pandas as pd
    from balance.weighting_methods.rake import rake

    data, targets = load(problem)
    names = list(targets)
    sample = data[names].astype(str)
    total = float(np.sum(targets[names[0]]))
    shares = [np.asarray(targets[k], dtype=float) / np.sum(targets[k]) for k in names]
    combos = list(itertools.product(*[range(len(s)) for s in shares]))
    target = pd.DataFrame(combos, columns=names).astype(str)
    tw = pd.Series(
        [total * float(np.prod([s[i] for s, i in zip(shares, c, strict=True)])) for c in combos]
    )
    t0 = timer()
    res = rake(
        sample,
        data["w"],
        target,
        tw,
        transformations=None,
        convergence_rate=1e-10,
        rate_tolerance=0.0,
        max_iteration=1000,
    )
    seconds = timer() - t0
    report(problem, "balance", seconds, res["weight"].to_numpy(), {"version": balance.__version__})


if __name__ == "__main__":
    main(sys.argv[1])
