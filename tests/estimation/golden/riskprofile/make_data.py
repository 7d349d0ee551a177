"""Data for the risk-profile golden test (run once from the repository root; deterministic):
python tests/estimation/golden/riskprofile/make_data.py -> data.csv

1,200 respondents of a stratified sample (base weight by sector), sex, five age bands, three
sectors; two outcomes and two exposures (0/1, some not answered) with known prevalence ratios."""

from __future__ import annotations

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def main() -> None:
    rng = np.random.default_rng(20261205)
    n = 1200
    sector = rng.choice([1, 2, 3], n, p=[0.5, 0.3, 0.2])
    w0 = np.array([0.0, 40.0, 55.0, 80.0])[sector]
    sex = rng.choice([1, 2], n)
    age = rng.choice([1, 2, 3, 4, 5], n, p=[0.2, 0.25, 0.25, 0.15, 0.15])
    e1 = (rng.random(n) < 0.25 + 0.1 * (sector == 2) + 0.05 * (sex == 2)).astype(float)
    e2 = (rng.random(n) < 0.4 - 0.04 * age + 0.1 * (sector == 3)).astype(float)
    base = 0.12 * (1 + 0.15 * (age - 3)) * np.where(sector == 1, 1.2, 1.0)
    p1 = np.minimum(base * np.where(e1 == 1, 1.9, 1.0) * np.where(e2 == 1, 1.3, 1.0), 0.95)
    p2 = np.minimum(0.2 * np.where(sex == 2, 1.2, 1.0) * np.where(e2 == 1, 1.6, 1.0), 0.95)
    y1 = (rng.random(n) < p1).astype(float)
    y2 = (rng.random(n) < p2).astype(float)
    for a in (e1, e2, y1, y2):
        a[rng.random(n) < 0.04] = np.nan
    age_f = age.astype(float)
    age_f[rng.random(n) < 0.01] = np.nan
    lines = ["id,sector,sex,age,w0,e1,e2,y1,y2"]
    for i in range(n):
        vals = [i + 1, sector[i], sex[i], age_f[i], w0[i], e1[i], e2[i], y1[i], y2[i]]
        lines.append(
            ",".join("NA" if isinstance(v, float) and np.isnan(v) else f"{v:g}" for v in vals)
        )
    (HERE / "data.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
