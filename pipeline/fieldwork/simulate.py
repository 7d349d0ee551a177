"""Simulation of an allocation on a (synthetic) population: draw, respond, weight, estimate.

The population is given by cells (e.g. sex x age band x sector x statute x province) with their
counts, the stratum of each cell (a level of the planned domain), the register codes of each cell
for the weighting margins, and per cell the probability to respond, to respond on the web (given a
response) and to have each 0/1 indicator. One replication:

1. **draw**: per stratum a simple random sample of n_h units (multivariate hypergeometric over the
   stratum's cells);
2. **respond**: respondents per cell ~ Binomial(sampled, P(respond)); web ~ Binomial(respondents,
   P(web)); each indicator's count among the respondents ~ Binomial(respondents, P(indicator));
3. **weight**: design weight N_h / n_h, raked to the population margins (the project's raking);
4. **estimate**: the domain and overall proportions with the project's estimation engine
   (calibration-aware linearisation, stratified design, the reports' confidence intervals).

A replication meets a domain's target when the domain has at least ``min_respondents`` respondents
and every indicator's CI half-width is at most ``max_half_width`` points. Reported per domain: the
share of replications meeting the target and quantiles of respondents and half-widths; overall: the
share meeting every target together and the simulated cost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from pipeline.errors import EstimationError, Problem, WeightingError
from pipeline.fieldwork.allocation import Costs, Target

QUANTILES = (0.05, 0.5, 0.95)


@dataclass(frozen=True, eq=False)
class SimPopulation:
    counts: np.ndarray  # per cell (int)
    stratum: np.ndarray  # per cell: index of the stratum (plan order)
    margins: Mapping[str, np.ndarray]  # weighting variable -> code per cell (0..L-1)
    respond: np.ndarray  # per cell
    web: np.ndarray | None  # per cell, P(web | respond)
    indicators: Mapping[str, np.ndarray]  # per cell P(indicator)
    truth_source: str = "the synthetic generator's model"


@dataclass(frozen=True)
class SimDomain:
    level: str
    replications: int
    met_share: float
    respondents: tuple[float, ...]  # QUANTILES
    half_width: dict[str, tuple[float, ...]]  # indicator -> QUANTILES (points)
    estimate_bias: dict[str, float]  # mean estimate - truth (points)
    truth: dict[str, float]  # population proportion (points)
    reported: bool


@dataclass(frozen=True, eq=False)
class Simulation:
    replications: int
    seed: int
    all_met_share: float  # every reachable target met together
    failed_replications: int  # weighting impossible (an empty margin level)
    cost_mean: float
    cost_quantiles: tuple[float, ...]
    domains: tuple[SimDomain, ...]
    overall_half_width: dict[str, tuple[float, ...]]
    overall_met_share: float | None
    half_widths: dict[str, np.ndarray]  # indicator -> (R, H) realised half-widths (for charts)

    def to_dict(self) -> dict[str, object]:
        return {
            "replications": self.replications,
            "seed": self.seed,
            "quantiles": list(QUANTILES),
            "all_met_share": self.all_met_share,
            "failed_replications": self.failed_replications,
            "cost_mean": self.cost_mean,
            "cost_quantiles": list(self.cost_quantiles),
            "overall_half_width": {k: list(v) for k, v in self.overall_half_width.items()},
            "overall_met_share": self.overall_met_share,
            "domains": [asdict(d) for d in self.domains],
        }


def _check(pop: SimPopulation, n_h: np.ndarray) -> None:
    H = n_h.shape[0]
    if pop.stratum.min() < 0 or pop.stratum.max() >= H:
        raise EstimationError("a population cell has no stratum of the plan", code="plan_bad_input")
    avail = np.bincount(pop.stratum, weights=pop.counts, minlength=H)
    over = np.flatnonzero(n_h > avail)
    if over.size:
        raise EstimationError(
            "the plan invites more units than the population has",
            [Problem("more invitations than units", path=str(int(h))) for h in over[:5]],
            code="plan_bad_input",
        )


def simulate(
    pop: SimPopulation,
    levels: Sequence[str],
    n_h: Sequence[int],
    targets: Sequence[Target | None],
    reached: Sequence[bool],
    costs: Costs,
    *,
    replications: int = 200,
    seed: int = 20260,
    overall_half_width: float | None = None,
) -> Simulation:
    """Run ``replications`` of the plan ``n_h`` (see the module docstring)."""
    import pandas as pd

    from pipeline.estimation.api import estimate, raking_calibration
    from pipeline.estimation.design import make_design
    from pipeline.weighting.raking import rake

    n = np.asarray(n_h, dtype=np.int64)
    counts = np.asarray(pop.counts, dtype=np.int64)
    _check(pop, n)
    H = n.shape[0]
    inds = list(pop.indicators)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 21]))
    cells_of = [np.flatnonzero(pop.stratum == h) for h in range(H)]
    mnames = list(pop.margins)
    mcodes = [np.asarray(pop.margins[m], dtype=np.intp) for m in mnames]
    mtargets = [
        np.bincount(c, weights=counts.astype(np.float64), minlength=int(c.max()) + 1)
        for c in mcodes
    ]
    truth = {
        k: np.array(
            [
                float(pop.indicators[k][cs] @ counts[cs] / max(counts[cs].sum(), 1))
                for cs in cells_of
            ]
        )
        for k in inds
    }
    big_n = np.bincount(pop.stratum, weights=counts.astype(np.float64), minlength=H)
    resp_n = np.zeros((replications, H))
    hw = {k: np.full((replications, H), np.inf) for k in inds}
    est = {k: np.full((replications, H), np.nan) for k in inds}
    overall = {k: np.full(replications, np.inf) for k in inds}
    cost = np.zeros(replications)
    failed = 0
    pr = np.asarray(pop.respond, dtype=np.float64)
    pw = None if pop.web is None else np.asarray(pop.web, dtype=np.float64)
    for rep in range(replications):
        sampled = np.zeros(counts.shape[0], dtype=np.int64)
        for h in range(H):
            cs = cells_of[h]
            if n[h] > 0:
                sampled[cs] = rng.multivariate_hypergeometric(counts[cs], int(n[h]))
        resp = rng.binomial(sampled, pr)
        web = rng.binomial(resp, pw) if pw is not None else np.zeros_like(resp)
        paper = resp - web
        cost[rep] = costs.per_invitation * float(n.sum()) + sum(
            float(v) * float({"web": web.sum(), "paper": paper.sum()}.get(m, 0))
            for m, v in costs.per_response.items()
        )
        resp_n[rep] = np.bincount(pop.stratum, weights=resp, minlength=H)
        cell = np.repeat(np.arange(counts.shape[0]), resp)
        if cell.size < 2:
            failed += 1
            continue
        ys = {}
        for k in inds:
            ones = rng.binomial(resp, pop.indicators[k])
            # within a cell: the first `ones` respondents have the indicator
            start = np.repeat(np.cumsum(resp) - resp, resp)
            ys[k] = ((np.arange(cell.size) - start) < np.repeat(ones, resp)).astype(np.float64)
        st = pop.stratum[cell]
        base = (big_n / np.maximum(n, 1))[st]
        try:
            res = rake([c[cell] for c in mcodes], mtargets, base, names=mnames)
        except WeightingError:
            failed += 1
            continue
        df = pd.DataFrame(
            {"domain": st, **{m: c[cell] for m, c in zip(mnames, mcodes, strict=True)}}
        )
        for k in inds:
            df[k] = ys[k]
        cal = raking_calibration(df, mnames)
        des = make_design(res.weights, strata=st, calibration=cal, lonely_psu="certainty")
        tab = estimate(df, des, inds, by=["domain"]).table
        for k in inds:
            rows = tab[tab["indicator"] == k]
            o = rows[rows["by"] == ""].iloc[0]
            overall[k][rep] = 50.0 * float(o["ci_high"] - o["ci_low"])
            d = rows[rows["by"] == "domain"]
            idx = d["level"].astype(int).to_numpy()
            hw[k][rep, idx] = 50.0 * (d["ci_high"] - d["ci_low"]).to_numpy()
            est[k][rep, idx] = d["estimate"].to_numpy()
    ok_rep = np.ones(replications, dtype=bool)
    domains = []
    for h in range(H):
        t = targets[h]
        met = np.ones(replications, dtype=bool)
        if t is not None:
            if t.min_respondents is not None:
                met &= resp_n[:, h] >= t.min_respondents
            if t.max_half_width is not None:
                for k in inds:
                    met &= hw[k][:, h] <= t.max_half_width
            if reached[h]:
                ok_rep &= met
        domains.append(
            SimDomain(
                level=levels[h],
                replications=replications,
                met_share=float(met.mean()) if t is not None else float("nan"),
                respondents=tuple(float(x) for x in np.quantile(resp_n[:, h], QUANTILES)),
                half_width={
                    k: tuple(float(x) for x in np.quantile(hw[k][:, h], QUANTILES)) for k in inds
                },
                estimate_bias={
                    k: float(100 * (np.nanmean(est[k][:, h]) - truth[k][h])) for k in inds
                },
                truth={k: float(100 * truth[k][h]) for k in inds},
                reported=t is not None,
            )
        )
    overall_met = None
    if overall_half_width is not None:
        om = np.ones(replications, dtype=bool)
        for k in inds:
            om &= overall[k] <= overall_half_width
        overall_met = float(om.mean())
    return Simulation(
        replications=replications,
        seed=seed,
        all_met_share=float(ok_rep.mean()),
        failed_replications=failed,
        cost_mean=float(cost.mean()),
        cost_quantiles=tuple(float(x) for x in np.quantile(cost, QUANTILES)),
        domains=tuple(domains),
        overall_half_width={
            k: tuple(float(x) for x in np.quantile(v, QUANTILES)) for k, v in overall.items()
        },
        overall_met_share=overall_met,
        half_widths=hw,
    )
