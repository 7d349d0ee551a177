"""Generate the two synthetic waves of the change-test golden values (deterministic).

Run from the repository root: ``python tests/estimation/golden/trend/make_trend_data.py``. Writes,
beside this file:

- ``trend_waves.csv``: two independent samples (wave 2019: 1,100 respondents, wave 2023: 900) with
  sector (1-4), sex (1-2), age band (1-3), a 0/1 indicator ``y`` (about 5% missing) and a count
  ``m`` (0-4); response depends on sex and age band, so raking matters;
- ``trend_margins.csv``: each wave's population totals (``wave,variable,level,total``).

Only numpy is used, so the files are byte-identical on every machine with the same numpy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 20250117
WAVES = ((2019, 1100, 0.0), (2023, 900, 0.35))  # (year, respondents, shift of sector 3)


def generate() -> tuple[str, str]:
    rng = np.random.default_rng(SEED)
    rows = ["wave,id,sector,sex,age_band,y,m"]
    margins = ["wave,variable,level,total"]
    for year, n, shift in WAVES:
        pop = 40_000
        sector = rng.choice([1, 2, 3, 4], size=pop, p=[0.2, 0.3, 0.15, 0.35])
        sex = 1 + (rng.random(pop) < 0.48).astype(int)
        age = rng.choice([1, 2, 3], size=pop, p=[0.25, 0.45, 0.3])
        for var, v, levels in (("sector", sector, 4), ("sex", sex, 2), ("age_band", age, 3)):
            for lv in range(1, levels + 1):
                margins.append(f"{year},{var},{lv},{int((v == lv).sum())}")
        p_resp = 0.05 + 0.04 * (sex == 2) + 0.03 * (age - 1)
        idx = rng.choice(pop, size=n, replace=False, p=p_resp / p_resp.sum())
        s, x, a = sector[idx], sex[idx], age[idx]
        eta = -0.4 + 0.5 * (x == 2) - 0.3 * (a == 3) + 0.4 * (s == 2) + shift * (s == 3)
        eta += 0.15 * (year == 2023)
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
        y[rng.random(n) < 0.05] = np.nan
        m = np.minimum(4, rng.poisson(np.exp(0.2 + 0.3 * (s == 4) - 0.2 * (x == 2))))
        for i in range(n):
            yv = "" if np.isnan(y[i]) else str(int(y[i]))
            rows.append(f"{year},{year}{i + 1:05d},{s[i]},{x[i]},{a[i]},{yv},{m[i]}")
    return "\n".join(rows) + "\n", "\n".join(margins) + "\n"


def main() -> None:
    data, margins = generate()
    (HERE / "trend_waves.csv").write_text(data, encoding="utf-8", newline="\n")
    (HERE / "trend_margins.csv").write_text(margins, encoding="utf-8", newline="\n")


if __name__ == "__main__":
    main()
