"""Write the constructed frames of the R-indicator golden test (numpy only, fixed seeds).

    python tests/fieldwork/golden/make_frames.py     # frame_si.csv, frame_stsi.csv
    Rscript tests/fieldwork/golden/rindicator.R      # rindicator_*.csv

``frame_si.csv``: a simple random sample of 2,400 from a population of 500,000 (one stratum).
``frame_stsi.csv``: a sample stratified by ``stratum`` (3 strata, different sampling fractions).
Response follows a known logistic model in sex, age band and sector (young people, men and sector 3
respond less), so every partial indicator has something to find.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent


def frame(n: int, seed: int, strata: dict[int, tuple[int, int]] | None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    if strata is None:
        stratum = np.ones(n, dtype=int)
        weight = np.full(n, 500_000 / n)
    else:
        stratum = np.concatenate([np.full(nh, h) for h, (nh, _) in strata.items()])
        weight = np.concatenate([np.full(nh, big / nh) for h, (nh, big) in strata.items()])
        n = stratum.size
    sex = rng.integers(1, 3, n)
    age = rng.choice(5, n, p=[0.2, 0.25, 0.25, 0.12, 0.18]) + 1
    sector = rng.choice(4, n, p=[0.3, 0.3, 0.2, 0.2]) + 1
    eta = -1.0 - 0.3 * (sex == 1) + np.array([0, -0.7, -0.3, 0.0, 0.2, 0.4])[age]
    eta += np.array([0, 0.0, 0.2, -0.5, 0.1])[sector] + 0.1 * (stratum - 2)
    responded = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return pd.DataFrame(
        {
            "stratum": stratum,
            "design_weight": weight,
            "sex": sex,
            "age_band": age,
            "sector": sector,
            "responded": responded,
        }
    )


def main() -> None:
    frame(2400, 20240611, None).to_csv(HERE / "frame_si.csv", index=False)
    strata = {1: (900, 60_000), 2: (700, 300_000), 3: (800, 120_000)}
    frame(0, 20240612, strata).to_csv(HERE / "frame_stsi.csv", index=False)


if __name__ == "__main__":
    main()
