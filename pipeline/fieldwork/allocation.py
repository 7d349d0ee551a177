"""Allocation of the next wave's invitations over strata (the levels of the reported domain):
the fewest euros for which every domain's precision target is met with the stated assurance.

Per stratum h (from the last wave): population N_h, response rate r_h (and its SE), response rate
per mode r_hm, per indicator the weighted proportion p_hk (and SE), the design effect of weighting
deff_h (Kish, 1 + CV^2 of the final weights of the domain's respondents). The next wave is a
stratified simple random sample with n_h invitations.

**Required invitations of a domain.** A half-width target h on indicator k needs
m_hk = z^2 deff_h p*(1 - p*) / h^2 respondents (z = 1.96; p* the value within p_hk's confidence
interval closest to 1/2, so a different true p cannot break it); ``min_respondents`` needs m_h
itself. The respondents of the next wave are random: M_h ~ Binomial(n_h, r_h) with r_h itself
estimated, so Var(M_h) = n r (1 - r) + n^2 se(r)^2. The lower bound L_h is the smallest n with
n r - z_a sqrt(n r (1 - r) + n^2 se(r)^2) >= m_h, where z_a is the one-sided normal quantile of
1 - (1 - assurance) / K for K targets (Bonferroni: all targets together are met with at least the
stated assurance).

**Optimisation** (Bethel 1989; Chromy 1987): minimise the expected cost sum_h c_h n_h, with
c_h = cost per invitation + sum_m r_hm x cost per response in mode m, subject to
L_h <= n_h <= U_h (U_h = the maximal sampling fraction x N_h) and, with an ``overall`` target, for
every indicator k sum_h a_hk / n_h <= V_k, a_hk = W_h^2 deff_h p*_hk q*_hk / r~_h (W_h = N_h / N,
r~_h the lower confidence bound of r_h, V_k = (h / z)^2). In x_h = 1/n_h the constraints are linear
and the objective convex (Bethel's form); it is solved by the Lagrange conditions with Chromy's iteration for the
multipliers (:func:`_solve`) and rounded up.

**Budget.** When the plan costs more than the budget, the domain targets that cost most are given
up one at a time (greedy: the largest number of domains keep their target), then the overall
target; what cannot be reached is said, with the reason (``population``: not even inviting every
unit up to the maximal sampling fraction reaches it; ``budget``).

**Proportional allocation for the same targets**: n_h = f N_h (rounded up, at most U_h), with the
smallest f that meets every target the plan meets: the comparison of cost.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from pipeline.errors import EstimationError, Notice, Problem

Z95 = 1.959963984540054
#: every stratum is invited for at least this many expected respondents (weighting needs them)
MIN_EXPECTED_RESPONDENTS = 30


@dataclass(frozen=True)
class StratumInput:
    level: str
    label: str
    population: float
    invited: int  # last wave
    respondents: int  # last wave
    rate: float
    rate_se: float
    rate_by_mode: Mapping[str, float]
    p: Mapping[str, float]  # indicator -> weighted proportion (0..1)
    p_se: Mapping[str, float]
    deff: float


@dataclass(frozen=True)
class Target:
    """A domain's target (None: not reported)."""

    min_respondents: int | None
    max_half_width: float | None  # percentage points


@dataclass(frozen=True)
class Costs:
    per_invitation: float
    per_response: Mapping[str, float]
    total: float | None = None


@dataclass(frozen=True)
class StratumPlan:
    level: str
    label: str
    population: float
    rate: float
    invitations: int
    expected_respondents: float
    assured_respondents: float  # the lower (1 - alpha) quantile of the respondents
    required_respondents: float  # 0 without a target
    expected_half_width: dict[str, float]  # indicator -> percentage points
    cost: float
    target: str  # "n>=200; hw<=4.0" or ""
    reached: bool
    reason: str  # "", "population", "budget"
    proportional_invitations: int
    proportional_cost: float


@dataclass(frozen=True, eq=False)
class Plan:
    strata: tuple[StratumPlan, ...]
    indicators: tuple[str, ...]
    assurance: float
    z_assurance: float
    cost: float
    proportional_cost: float
    budget: float | None
    within_budget: bool
    overall_target: float | None
    overall_reached: bool
    overall_half_width: dict[str, float]
    proportional_overall_half_width: dict[str, float]
    notices: tuple[Notice, ...] = field(default=())

    @property
    def invitations(self) -> int:
        return sum(s.invitations for s in self.strata)

    @property
    def proportional_invitations(self) -> int:
        return sum(s.proportional_invitations for s in self.strata)

    def to_dict(self) -> dict[str, object]:
        return {
            "method": "Bethel-Chromy minimum-cost allocation (Lagrange solution, Chromy iteration), rounded up",
            "indicators": list(self.indicators),
            "assurance": self.assurance,
            "z_assurance": self.z_assurance,
            "invitations": self.invitations,
            "cost": self.cost,
            "budget": self.budget,
            "within_budget": self.within_budget,
            "overall_target": self.overall_target,
            "overall_reached": self.overall_reached,
            "overall_half_width": self.overall_half_width,
            "proportional": {
                "invitations": self.proportional_invitations,
                "cost": self.proportional_cost,
                "overall_half_width": self.proportional_overall_half_width,
            },
            "strata": [asdict(s) for s in self.strata],
            "notices": [{"code": n.code, "message": n.message} for n in self.notices],
        }


def _pq_star(p: float, se: float, z: float) -> float:
    lo, hi = max(p - z * se, 0.0), min(p + z * se, 1.0)
    if lo <= 0.5 <= hi:
        return 0.25
    q = lo if abs(lo - 0.5) < abs(hi - 0.5) else hi
    return max(q * (1 - q), 1e-4)


def _needed_invitations(m: float, r: float, se: float, z: float) -> float:
    """Smallest n with n r - z sqrt(n r (1 - r) + n^2 se^2) >= m (inf when r <= z se)."""
    if m <= 0:
        return 0.0
    if r <= z * se or r <= 0:
        return math.inf

    def short(n: float) -> float:
        return n * r - z * math.sqrt(n * r * (1 - r) + n * n * se * se) - m

    lo, hi = m / r, max(2 * m / r, 1.0)
    while short(hi) < 0:
        hi *= 2
        if hi > 1e12:
            return math.inf
    for _ in range(100):
        mid = (lo + hi) / 2
        if short(mid) >= 0:
            hi = mid
        else:
            lo = mid
    return hi


def _check(strata: Sequence[StratumInput]) -> None:
    problems = []
    for s in strata:
        if not (s.population > 0 and math.isfinite(s.population)):
            problems.append(Problem("no population", path=s.level, value=s.population))
        if not (0 <= s.rate <= 1) or not math.isfinite(s.rate_se):
            problems.append(Problem("response rate not in [0, 1]", path=s.level, value=s.rate))
        if not (s.deff >= 1 - 1e-9 and math.isfinite(s.deff)):
            problems.append(Problem("design effect below 1", path=s.level, value=s.deff))
    if not strata:
        problems.append(Problem("no stratum"))
    if problems:
        raise EstimationError(
            "the last wave gives no usable response rates per stratum",
            problems,
            code="plan_bad_input",
        )


def _solve(
    cost: np.ndarray, low: np.ndarray, up: np.ndarray, a: np.ndarray, v: np.ndarray
) -> np.ndarray:
    """min cost . n s.t. low <= n <= up, a @ (1/n) <= v (rows of a: indicators).

    The Lagrange solution n_h = sqrt(sum_k lambda_k a_kh / c_h) clipped to the bounds, with the
    multipliers' ratios from Chromy's iteration (lambda_k <- lambda_k (g_k / v_k)^2, g_k the
    variance reached) and their common scale found by bisection, so that the constraints hold."""
    if a.shape[0] == 0 or np.all(a @ (1.0 / low) <= v):
        return low.copy()
    a = a / v[:, None]  # constraints a @ (1/n) <= 1
    c = np.maximum(cost, 1e-12)
    lam = np.ones(a.shape[0])

    def n_of(scale: float, lam: np.ndarray) -> np.ndarray:
        return np.clip(np.sqrt(scale * (lam @ a) / c), low, up)

    def fit_scale(lam: np.ndarray) -> float:
        lo, hi = -80.0, 80.0  # log10 of the scale
        for _ in range(200):
            mid = (lo + hi) / 2
            if np.all(a @ (1.0 / n_of(10**mid, lam)) <= 1.0):
                hi = mid
            else:
                lo = mid
        return float(10**hi)

    for _ in range(200 if a.shape[0] > 1 else 0):
        scale = fit_scale(lam)
        g = a @ (1.0 / n_of(scale, lam))
        new = lam * g**2
        new = new / new.max()
        if np.allclose(new, lam, rtol=1e-8, atol=1e-12):
            break
        lam = np.maximum(new, 1e-12)
    return n_of(fit_scale(lam), lam)


def allocate(
    strata: Sequence[StratumInput],
    targets: Sequence[Target | None],
    indicators: Sequence[str],
    costs: Costs,
    *,
    assurance: float = 0.95,
    max_sampling_fraction: float = 1.0,
    overall_half_width: float | None = None,
) -> Plan:
    """The minimum-cost plan (see the module docstring)."""
    from scipy.stats import norm

    _check(strata)
    H = len(strata)
    notices: list[Notice] = []
    n_targets = sum(
        (t.min_respondents is not None) + len(indicators) * (t.max_half_width is not None)
        for t in targets
        if t is not None
    ) + (len(indicators) if overall_half_width is not None else 0)
    z_a = float(norm.ppf(1 - (1 - assurance) / max(n_targets, 1)))
    big_n = np.array([s.population for s in strata])
    r = np.array([s.rate for s in strata])
    r_se = np.array([s.rate_se for s in strata])
    deff = np.array([s.deff for s in strata])
    up = np.maximum(np.floor(max_sampling_fraction * big_n), 1.0)
    c = np.array(
        [
            costs.per_invitation
            + sum(s.rate_by_mode.get(m, 0.0) * v for m, v in costs.per_response.items())
            for s in strata
        ]
    )
    pq = np.array([[_pq_star(s.p[k], s.p_se[k], z_a) for k in indicators] for s in strata]).reshape(
        H, len(indicators)
    )
    floor = np.array(
        [
            min(_needed_invitations(MIN_EXPECTED_RESPONDENTS, s.rate, 0.0, 0.0), u)
            if s.rate > 0
            else u
            for s, u in zip(strata, up, strict=True)
        ]
    )
    required = np.zeros(H)
    need = np.zeros(H)
    for h, (s, t) in enumerate(zip(strata, targets, strict=True)):
        if t is None:
            continue
        m = float(t.min_respondents or 0)
        if t.max_half_width is not None:
            hw = t.max_half_width / 100.0
            m = max(m, float(np.max(Z95**2 * deff[h] * pq[h] / hw**2)))
        required[h] = m
        need[h] = _needed_invitations(m, s.rate, s.rate_se, z_a)
    reason = ["" for _ in range(H)]
    keep = np.array([t is not None for t in targets])
    for h in range(H):
        if keep[h] and need[h] > up[h]:
            reason[h] = "population"
            keep[h] = False
    # overall constraint rows
    big_total = float(big_n.sum())
    r_low = np.maximum(r - z_a * r_se, 1e-6)
    a = (
        ((big_n / big_total) ** 2 * deff / r_low)[None, :] * pq.T
        if overall_half_width is not None
        else np.zeros((0, H))
    )
    v = np.full(a.shape[0], ((overall_half_width or 1.0) / 100.0 / Z95) ** 2)
    overall_on = overall_half_width is not None
    if overall_on and np.any(a @ (1.0 / up) > v):
        overall_on = False
        notices.append(
            Notice(
                "plan_overall_unreachable",
                "the overall target cannot be reached even at the maximal sampling fraction",
            )
        )

    def lower(kept: np.ndarray) -> np.ndarray:
        low = np.where(kept, np.maximum(need, floor), floor)
        low = np.where(~kept & (np.array(reason) == "population"), up, low)
        return np.minimum(np.maximum(low, 1.0), up)

    def solve(kept: np.ndarray, overall: bool) -> np.ndarray:
        aa = a if overall else np.zeros((0, H))
        return np.ceil(_solve(c, lower(kept), up, aa, v[: aa.shape[0]]) - 1e-9)

    n = solve(keep, overall_on)
    if costs.total is not None:
        while float(c @ n) > costs.total and keep.any():
            extra = np.where(keep, c * (lower(keep) - floor), -np.inf)
            h = int(np.argmax(extra))
            keep[h] = False
            reason[h] = "budget"
            n = solve(keep, overall_on)
        if float(c @ n) > costs.total and overall_on:
            overall_on = False
            notices.append(
                Notice("plan_overall_over_budget", "the overall target does not fit the budget")
            )
            n = solve(keep, overall_on)
        if float(c @ n) > costs.total:
            notices.append(
                Notice(
                    "plan_over_budget",
                    "even without targets the minimum invitations cost more than the budget",
                )
            )
    # proportional allocation meeting the same targets
    low = lower(keep)
    aa = a if overall_on else np.zeros((0, H))

    def prop(f: float) -> np.ndarray:
        return np.minimum(np.maximum(np.ceil(f * big_n - 1e-9), floor), up)

    f = float(np.max(np.where(keep, low / big_n, 0.0))) if keep.any() else 0.0
    f = max(f, float(np.max(floor / big_n)))
    if aa.shape[0] and np.any(aa @ (1.0 / prop(f)) > v[: aa.shape[0]]):
        lo_f, hi_f = f, float(max_sampling_fraction)
        for _ in range(80):
            mid = (lo_f + hi_f) / 2
            if np.all(aa @ (1.0 / prop(mid)) <= v[: aa.shape[0]]):
                hi_f = mid
            else:
                lo_f = mid
        f = hi_f
    n_prop = prop(f)
    # keep domains at their lower bound where proportional rounding would go under
    n_prop = np.where(keep, np.maximum(n_prop, np.minimum(low, up)), n_prop)
    # a domain out of reach of its population is invited whole in both plans (best effort)
    n_prop = np.where(np.array(reason) == "population", up, n_prop)
    # rounding up the optimum can cost a few invitations more than a feasible rounded proportional
    # allocation: then the proportional one is the cheapest plan found
    feasible = bool(np.all(n_prop >= np.minimum(lower(keep), up) - 1e-9)) and (
        aa.shape[0] == 0 or bool(np.all(aa @ (1.0 / n_prop) <= v[: aa.shape[0]] * (1 + 1e-12)))
    )
    if feasible and float(c @ n_prop) < float(c @ n):
        n = n_prop.copy()

    def half_widths(nn: np.ndarray, h: int) -> dict[str, float]:
        m = nn[h] * r[h]
        return {
            k: (
                100 * Z95 * math.sqrt(deff[h] * strata[h].p[k] * (1 - strata[h].p[k]) / m)
                if m > 0
                else math.inf
            )
            for k in indicators
        }

    def overall_hw(nn: np.ndarray) -> dict[str, float]:
        w = big_n / big_total
        out = {}
        for k in indicators:
            p = np.array([s.p[k] for s in strata])
            var = float(np.sum(w**2 * deff * p * (1 - p) / np.maximum(nn * r, 1e-12)))
            out[k] = 100 * Z95 * math.sqrt(var)
        return out

    rows = []
    for h, (s, t) in enumerate(zip(strata, targets, strict=True)):
        mean = n[h] * r[h]
        sd = math.sqrt(n[h] * r[h] * (1 - r[h]) + (n[h] * r_se[h]) ** 2)
        desc = ""
        if t is not None:
            parts = []
            if t.min_respondents is not None:
                parts.append(f"n>={t.min_respondents}")
            if t.max_half_width is not None:
                parts.append(f"hw<={t.max_half_width:g}")
            desc = "; ".join(parts)
        rows.append(
            StratumPlan(
                level=s.level,
                label=s.label,
                population=float(s.population),
                rate=float(r[h]),
                invitations=int(n[h]),
                expected_respondents=float(mean),
                assured_respondents=float(max(mean - z_a * sd, 0.0)),
                required_respondents=float(required[h]),
                expected_half_width=half_widths(n, h),
                cost=float(c[h] * n[h]),
                target=desc,
                reached=bool(t is not None and keep[h]),
                reason=reason[h] if t is not None else "",
                proportional_invitations=int(n_prop[h]),
                proportional_cost=float(c[h] * n_prop[h]),
            )
        )
    return Plan(
        strata=tuple(rows),
        indicators=tuple(indicators),
        assurance=assurance,
        z_assurance=z_a,
        cost=float(c @ n),
        proportional_cost=float(c @ n_prop),
        budget=costs.total,
        within_budget=costs.total is None or float(c @ n) <= costs.total,
        overall_target=overall_half_width,
        overall_reached=bool(overall_on),
        overall_half_width=overall_hw(n),
        proportional_overall_half_width=overall_hw(n_prop),
        notices=tuple(notices),
    )
