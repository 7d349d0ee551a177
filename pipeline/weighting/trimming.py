"""Weight trimming with redistribution, repeated until the margins hold.

Rule: the cap is ``min(cap, k x median)`` where the median is that of the untrimmed calibrated
weights (computed once, so the target does not move). Units above the cap are fixed *at* the cap and
the other units are re-fitted (raked or calibrated) to the totals that remain; units that now exceed
the cap join the fixed set; repeat. The fixed set only grows, so the loop ends; the margins hold
exactly and no weight exceeds the cap. When the cap cannot be met while the margins hold (the
remaining totals cannot be carried by the free units, a re-fit fails or does not converge, or units
are still above the cap after ``max_rounds``), the **untrimmed calibrated weights** are kept and the
result carries a ``trim_infeasible`` notice saying so. A partial round is never returned: fixing units
at the cap pushes the remaining totals onto the free units, so an abandoned round can hold weights
far above the cap (24x on a test case) and a far worse Kish deff than no trimming at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.errors import Notice, WeightingError
from pipeline.weighting.raking import RakePlan, RakeResult, _readonly

Fit = Callable[[np.ndarray, Sequence[np.ndarray] | None], RakeResult]


@dataclass(frozen=True)
class TrimSpec:
    """``cap``: absolute largest weight; ``median_k``: largest weight as a multiple of the median."""

    cap: float | None = None
    median_k: float | None = None
    max_rounds: int = 100

    def __post_init__(self) -> None:
        if self.cap is None and self.median_k is None:
            raise WeightingError("trimming needs a cap or a median multiple", code="bad_option")
        if (self.cap is not None and not self.cap > 0) or (
            self.median_k is not None and not self.median_k > 1
        ):
            raise WeightingError(
                f"trim cap must be > 0 and median multiple > 1 (found {self.cap}, {self.median_k})",
                code="bad_option",
            )


@dataclass(frozen=True, eq=False)
class TrimResult:
    fit: RakeResult  # the final fit (weights after trimming)
    cap: float
    n_trimmed: int
    rounds: int
    notices: tuple[Notice, ...]


def trim(
    plan: RakePlan, base_weights: np.ndarray, untrimmed: RakeResult, spec: TrimSpec, fit: Fit
) -> TrimResult:
    """Trim ``untrimmed.weights`` to the cap and re-fit with ``fit(base, targets)`` until it holds."""
    w = np.asarray(untrimmed.weights)
    caps = []
    if spec.cap is not None:
        caps.append(float(spec.cap))
    if spec.median_k is not None:
        pos = w[w > 0]
        caps.append(float(spec.median_k * np.median(pos)) if pos.size else np.inf)
    cap = min(caps)
    N = float(plan.targets[0].sum())
    fixed = np.zeros(plan.n, dtype=bool)
    current = untrimmed
    notices: list[Notice] = []
    rounds = 0
    slack = cap * (1 + 1e-9)
    while rounds < spec.max_rounds and np.any(current.weights[~fixed] > slack):
        rounds += 1
        new_fixed = fixed | (np.asarray(current.weights) > slack)
        fixed_w = np.where(new_fixed, cap, 0.0)
        remaining = []
        for k, t in enumerate(plan.targets):
            codes = plan.cell_codes[k][plan.cell]
            r = t - np.bincount(codes, weights=fixed_w, minlength=t.shape[0])
            r[np.abs(r) < 1e-9 * N] = 0.0
            remaining.append(r)
        if any(np.any(r < 0) for r in remaining) or not np.any(~new_fixed & (base_weights > 0)):
            notices.append(
                _infeasible(
                    cap,
                    current,
                    "fixing the capped units at the cap exceeds a population total",
                    "exceeds_total",
                )
            )
            break
        try:
            res = fit(np.where(new_fixed, 0.0, base_weights), remaining)
        except WeightingError as exc:
            extra: dict[str, object] = {}
            if exc.code == "empty_cell":
                levels = ", ".join(str(p.path) for p in exc.problems[:5])
                why = (
                    f"every unit of {levels} would be at the cap, yet the level's population "
                    "total needs larger weights"
                )
                extra = {"levels": levels}
            else:
                why = exc.message
            notices.append(_infeasible(cap, current, why, exc.code, extra))
            break
        if not res.converged:
            notices.append(
                _infeasible(
                    cap,
                    current,
                    "re-fitting the free units did not converge",
                    "refit_not_converged",
                )
            )
            break
        fixed = new_fixed
        weights = np.where(fixed, cap, res.weights)
        current = RakeResult(
            weights=_readonly(weights),
            converged=True,
            iterations=current.iterations + res.iterations,
            history=current.history + res.history,
            factors=(),
            notices=res.notices,
        )
    else:
        if np.any(current.weights > slack):
            notices.append(
                _infeasible(
                    cap,
                    current,
                    f"still above the cap after {rounds} rounds",
                    "still_above",
                    {"rounds": rounds},
                )
            )
    if any(n.code == "trim_infeasible" for n in notices):
        return TrimResult(
            fit=untrimmed, cap=cap, n_trimmed=0, rounds=rounds, notices=_kept(notices, untrimmed)
        )
    n_trimmed = int(fixed.sum())
    if n_trimmed:
        notices.append(
            Notice(
                "trimmed",
                f"{n_trimmed} weight(s) trimmed to the cap {cap:.6g}; "
                f"the excess was redistributed by re-fitting the margins "
                f"({rounds} round(s))",
                {"cap": cap, "n_trimmed": n_trimmed, "rounds": rounds},
            )
        )
    return TrimResult(
        fit=current, cap=cap, n_trimmed=n_trimmed, rounds=rounds, notices=tuple(notices)
    )


def _infeasible(
    cap: float,
    current: RakeResult,
    why: str,
    reason_code: str,
    extra: dict[str, object] | None = None,
) -> Notice:
    """``reason_code`` names ``why`` for the reports' words (``pipeline.weighting.words``)."""
    return Notice(
        "trim_infeasible",
        f"the weight cap {cap:.6g} cannot be met while the margins hold ({why})",
        {"cap": cap, "reason": why, "reason_code": reason_code, **(extra or {})},
    )


def _kept(notices: list[Notice], untrimmed: RakeResult) -> tuple[Notice, ...]:
    """The ``trim_infeasible`` notice, completed: the untrimmed calibrated weights are kept."""
    top = float(np.max(untrimmed.weights))
    out = []
    for n in notices:
        if n.code == "trim_infeasible":
            n = Notice(
                n.code,
                n.message
                + f"; the untrimmed calibrated weights are kept (largest weight {top:.6g})",
                {**n.details, "max_weight": top, "kept_untrimmed": True},
            )
        out.append(n)
    return tuple(out)
