"""Generate the synthetic WBM-like wave used by the estimation golden tests (deterministic).

Run from the repository root: ``python tests/estimation/golden/make_wbm_synth.py``. Writes, beside
this file:

- ``wbm_synth.csv``: ~3,000 respondents of a stratified (sector) sample of employees with
  differential non-response by sex and age, firm ids (for a clustered variant), base weights
  ``N_h / n_h``, ``fpc`` (population per sector), ``firm_fpc`` (firms per sector in the
  population) and 0/1 indicators with some missing values (``acute`` is rare, ~3%), plus a score.
- ``wbm_margins.csv``: population totals, long form ``variable,level,total``; the joint margin is
  ``sex*age_band`` with levels like ``1*3``.

Only numpy is used, so the files are byte-identical on every machine with the same numpy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 20240611


def generate() -> tuple[str, str]:
    rng = np.random.default_rng(SEED)
    n_sector = 8
    firms_per_sector = np.array([300, 420, 150, 800, 260, 520, 90, 640])
    workers_per_firm = rng.integers(5, 60, size=int(firms_per_sector.sum()))
    firm_sector = np.repeat(np.arange(1, n_sector + 1), firms_per_sector)
    sector = np.repeat(firm_sector, workers_per_firm)
    firm = np.repeat(np.arange(1, workers_per_firm.size + 1), workers_per_firm)
    N = sector.size
    sex = 1 + (rng.random(N) < np.where(np.isin(sector, [2, 5]), 0.3, 0.55)).astype(int)
    age_band = 1 + np.minimum(4, rng.binomial(4, 0.45 + 0.03 * (sector % 3), N))
    statute = 1 + (rng.random(N) < np.where(np.isin(sector, [1, 2, 3]), 0.35, 0.8)).astype(int)
    occupation = 1 + rng.integers(0, 4, N)
    size_class = 1 + np.minimum(2, workers_per_firm[firm - 1] // 20)

    # sample: stratified by sector, disproportionate; then non-response by sex and age
    n_target = np.array([420, 520, 260, 700, 380, 560, 200, 640])
    drawn = np.zeros(N, dtype=bool)
    for h in range(1, n_sector + 1):
        idx = np.flatnonzero(sector == h)
        drawn[rng.choice(idx, size=n_target[h - 1], replace=False)] = True
    propensity = 0.35 + 0.08 * (age_band - 1) + 0.07 * (sex == 2) + 0.05 * (statute == 2)
    resp = drawn & (rng.random(N) < propensity)

    pop_h = np.bincount(sector, minlength=n_sector + 1)[1:]
    firms_h = firms_per_sector
    drawn_h = np.bincount(sector[drawn], minlength=n_sector + 1)[1:]
    idx = np.flatnonzero(resp)
    s = sector[idx]

    def logistic(z: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-z))

    eta_firm = rng.normal(0.0, 0.35, workers_per_firm.size)[firm[idx] - 1]
    a = age_band[idx]
    stress_p = logistic(-0.6 + 0.12 * (s - 4) + 0.15 * (a - 3) + 0.25 * (sex[idx] == 2) + eta_firm)
    motiv_p = logistic(-1.6 + 0.3 * (statute[idx] == 1) - 0.1 * a + eta_firm)
    learn_p = logistic(-1.4 + 0.5 * (statute[idx] == 1) + 0.1 * a)
    wl_p = logistic(-1.9 + 0.2 * (s % 2) + 0.2 * (a == 2))
    acute_p = logistic(-3.6 + 0.2 * (a - 3) + 0.3 * (s == 7))
    u = rng.random((idx.size, 5))
    stress = (u[:, 0] < stress_p).astype(float)
    motivation = (u[:, 1] < motiv_p).astype(float)
    learning = (u[:, 2] < learn_p).astype(float)
    worklife = (u[:, 3] < wl_p).astype(float)
    acute = (u[:, 4] < acute_p).astype(float)
    werkbaar = ((stress + motivation + learning + worklife) == 0).astype(float)
    score = np.round(50 + 10 * rng.standard_normal(idx.size) + 4 * (a - 3) + 3 * stress, 3)
    for arr, rate in ((stress, 0.02), (motivation, 0.03), (learning, 0.015), (worklife, 0.04)):
        arr[rng.random(idx.size) < rate] = np.nan
    werkbaar[np.isnan(stress) | np.isnan(motivation) | np.isnan(learning) | np.isnan(worklife)] = (
        np.nan
    )

    base_weight = pop_h[s - 1] / drawn_h[s - 1]
    lines = [
        "id,sector,sex,age_band,statute,occupation,size_class,firm,base_weight,fpc,firm_fpc,"
        "stress,motivation,learning,worklife,werkbaar,acute,score"
    ]

    def f(v: float) -> str:
        return "" if np.isnan(v) else repr(float(v)) if not float(v).is_integer() else str(int(v))

    for k, i in enumerate(idx):
        lines.append(
            ",".join(
                [
                    str(k + 1),
                    str(sector[i]),
                    str(sex[i]),
                    str(age_band[i]),
                    str(statute[i]),
                    str(occupation[i]),
                    str(size_class[i]),
                    str(firm[i]),
                    repr(float(base_weight[k])),
                    str(int(pop_h[s[k] - 1])),
                    str(int(firms_h[s[k] - 1])),
                    f(stress[k]),
                    f(motivation[k]),
                    f(learning[k]),
                    f(worklife[k]),
                    f(werkbaar[k]),
                    f(acute[k]),
                    repr(float(score[k])),
                ]
            )
        )
    data = "\n".join(lines) + "\n"

    m = ["variable,level,total"]
    for h in range(1, n_sector + 1):
        m.append(f"sector,{h},{int(pop_h[h - 1])}")
    for sx in (1, 2):
        for ab in range(1, 6):
            m.append(f"sex*age_band,{sx}*{ab},{int(np.sum((sex == sx) & (age_band == ab)))}")
    for st in (1, 2):
        m.append(f"statute,{st},{int(np.sum(statute == st))}")
    return data, "\n".join(m) + "\n"


if __name__ == "__main__":
    data, margins = generate()
    (HERE / "wbm_synth.csv").write_text(data, encoding="utf-8")
    (HERE / "wbm_margins.csv").write_text(margins, encoding="utf-8")
    print(
        f"wrote {data.count(chr(10)) - 1} respondents and {margins.count(chr(10)) - 1} margin totals"
    )
