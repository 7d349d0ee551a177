"""Deterministic data for the run-model golden cases (numpy only, fixed seed).

    python tests/estimation/golden/runmodel/make_data.py   # writes oe.csv, oe_margins.csv,
                                                          # employees.csv, employees_margins.csv

- ``oe.csv``: 9 strata (sector_group 1-3 x size_class 1-3) of an organisation sample, respondents
  only, with the stratum's population size ``N_h`` (fpc) and three 0/1 indicators and a domain
  ``multi_site``; ``oe_margins.csv``: the joint margin sector_group*size_class (= the N_h).
- ``employees.csv``: 900 respondents with a base weight, sex (1-2), age_band (1-5; band 5 sparse, so
  a collapse rule merges it) and two 0/1 indicators and a domain ``sector`` (1-3);
  ``employees_margins.csv``: population totals of sex and age_band.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HERE = Path(__file__).parent


def main() -> None:
    rng = np.random.default_rng(20250116)
    rows = []
    N = {}
    for s in (1, 2, 3):
        for k in (1, 2, 3):
            Nh = int(rng.integers(150, 4000)) // k
            nh = int(rng.integers(25, 70))
            N[(s, k)] = Nh
            for _ in range(nh):
                p = 0.25 + 0.1 * s + 0.08 * k
                rows.append(
                    (
                        s,
                        k,
                        Nh,
                        int(rng.random() < 0.2 + 0.15 * k),
                        int(rng.random() < p),
                        int(rng.random() < 0.6 - 0.1 * s),
                        int(rng.random() < 0.5),
                    )
                )
    with open(HERE / "oe.csv", "w", encoding="utf-8") as f:
        f.write("sector_group,size_class,N_h,multi_site,tr_plan,inn_product,telework\n")
        for r in rows:
            f.write(",".join(map(str, r)) + "\n")
    with open(HERE / "oe_margins.csv", "w", encoding="utf-8") as f:
        f.write("variable,level,total\n")
        for (s, k), Nh in N.items():
            f.write(f"sector_group*size_class,{s}*{k},{Nh}\n")

    n = 900
    sex = rng.integers(1, 3, n)
    age = rng.choice([1, 2, 3, 4, 5], n, p=[0.25, 0.3, 0.27, 0.172, 0.008])
    sector = rng.integers(1, 4, n)
    base = rng.uniform(50, 150, n)
    base = base * (100000 / base.sum())  # sums to the population: R's bounds= are on w / base
    stress = (rng.random(n) < 0.25 + 0.05 * sex + 0.03 * age).astype(int)
    wbaar = (rng.random(n) < 0.65 - 0.05 * sector).astype(int)
    with open(HERE / "employees.csv", "w", encoding="utf-8") as f:
        f.write("base,sex,age_band,sector,stress,werkbaar\n")
        for i in range(n):
            f.write(f"{float(base[i])!r},{sex[i]},{age[i]},{sector[i]},{stress[i]},{wbaar[i]}\n")
    with open(HERE / "employees_margins.csv", "w", encoding="utf-8") as f:
        f.write("variable,level,total\n")
        for lv, t in ((1, 48000), (2, 52000)):
            f.write(f"sex,{lv},{t}\n")
        for lv, t in ((1, 21000), (2, 27000), (3, 30000), (4, 19000), (5, 3000)):
            f.write(f"age_band,{lv},{t}\n")


if __name__ == "__main__":
    main()
