"""The diagnostics of a wave's fieldwork from the linked frame (one row per invited unit):
response by mode and register group, R-indicators, mode effects on the indicators and on the
paradata (item nonresponse, straightlining), completion time by mode.

Input: a data frame with one row per invited unit: the register variables, ``design_weight`` /
``stratum`` when the draw was stratified, ``mode`` (the mode of the unit's accepted response, empty
when none), and per indicator / paradata variable a float (NaN where not observed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.errors import Notice, Problem, UsageError
from pipeline.fieldwork.modes import ModeEffects, mode_effects
from pipeline.fieldwork.propensity import Factors, FrameDesign, factors_from_values, frame_design
from pipeline.fieldwork.rindicator import Z95, RIndicator, r_indicator

#: Register variables used by default in the propensity and mode-adjustment models, in this order.
MODEL_VARIABLES: tuple[str, ...] = ("sex", "age_band", "sector", "statute", "province", "origin")
PARADATA: tuple[str, ...] = ("item_nonresponse", "straightlining")


@dataclass(frozen=True)
class ResponseRow:
    variable: str  # "" for the whole sample
    level: str
    invited: int
    respondents: int
    rate: float
    ci_low: float
    ci_high: float
    by_mode: tuple[tuple[str, int, float], ...]  # (mode, respondents, rate)


@dataclass(frozen=True)
class Duration:
    mode: str
    n: int
    median: float
    p10: float
    p90: float


@dataclass(frozen=True, eq=False)
class FieldworkResult:
    invited: int
    respondents: int
    modes: tuple[str, ...]
    variables: tuple[str, ...]
    response: tuple[ResponseRow, ...]
    representativeness: RIndicator
    by_mode_representativeness: tuple[tuple[str, RIndicator], ...]
    mode_effects: ModeEffects | None
    paradata: ModeEffects | None
    durations: tuple[Duration, ...]
    notices: tuple[Notice, ...] = ()

    def to_dict(self) -> dict[str, object]:
        from dataclasses import asdict

        return {
            "invited": self.invited,
            "respondents": self.respondents,
            "modes": list(self.modes),
            "variables": list(self.variables),
            "response": [asdict(r) for r in self.response],
            "r_indicator": self.representativeness.to_dict(),
            "r_indicator_by_mode": {m: r.to_dict() for m, r in self.by_mode_representativeness},
            "mode_effects": None if self.mode_effects is None else self.mode_effects.to_dict(),
            "paradata": None if self.paradata is None else self.paradata.to_dict(),
            "durations": [asdict(d) for d in self.durations],
            "notices": [{"code": n.code, "message": n.message} for n in self.notices],
        }


def _wilson(k: int, n: int) -> tuple[float, float]:
    if n == 0:
        return float("nan"), float("nan")
    p = k / n
    z2 = Z95**2
    mid = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return float(mid - half), float(mid + half)


def _response_rows(
    linked: pd.DataFrame, variables: Sequence[str], modes: Sequence[str]
) -> list[ResponseRow]:
    mode = linked["mode"].fillna("").astype(str).to_numpy()
    out = []

    def row(var: str, level: str, mask: np.ndarray) -> ResponseRow:
        n = int(mask.sum())
        k = int((mask & (mode != "")).sum())
        lo, hi = _wilson(k, n)
        per = tuple(
            (m, int((mask & (mode == m)).sum()), (mask & (mode == m)).sum() / n if n else np.nan)
            for m in modes
        )
        return ResponseRow(
            var,
            level,
            n,
            k,
            k / n if n else float("nan"),
            lo,
            hi,
            tuple((a, b, float(c)) for a, b, c in per),
        )

    out.append(row("", "", np.ones(len(linked), dtype=bool)))
    for var in variables:
        v = linked[var].to_numpy()
        for level in sorted({x for x in v if x == x}):
            out.append(row(var, _text(level), v == level))
    return out


def _text(x: object) -> str:
    if isinstance(x, (float, np.floating)) and float(x).is_integer():
        return str(int(x))
    return str(x)


def diagnose(
    linked: pd.DataFrame,
    indicators: Sequence[str],
    *,
    variables: Sequence[str] | None = None,
    reference: str = "paper",
    method: str = "calibration",
    population: float | None = None,
) -> FieldworkResult:
    """Every diagnostic of :mod:`pipeline.fieldwork` on a linked frame (see the module docstring)."""
    chosen = [
        v for v in (variables or MODEL_VARIABLES) if v in linked.columns and linked[v].notna().all()
    ]
    if not chosen:
        raise UsageError(
            "the frame has no complete register variable for the response model",
            [Problem("expected at least one of " + ", ".join(MODEL_VARIABLES), column="frame")],
            code="frame_no_variables",
        )
    mode = linked["mode"].fillna("").astype(str).to_numpy()
    modes = tuple(m for m in ("paper", "web", "cati") if (mode == m).any())
    weights = linked["design_weight"].to_numpy() if "design_weight" in linked else None
    strata = linked["stratum"].to_numpy() if "stratum" in linked else None
    design: FrameDesign = frame_design(weights, strata, len(linked), population=population)
    factors: Factors = factors_from_values(chosen, [linked[v].to_numpy() for v in chosen])
    responded = (mode != "").astype(np.float64)
    notices: list[Notice] = []
    rind = r_indicator(design, factors, responded)
    notices.extend(rind.notices)
    per_mode = []
    for m in modes:
        per_mode.append((m, r_indicator(design, factors, (mode == m).astype(np.float64))))
    effects = paradata = None
    durations: list[Duration] = []
    if reference in modes and len(modes) > 1:
        code = np.full(len(linked), -1)
        for k, m in enumerate(modes):
            code[mode == m] = k
        values = {i: linked[i].to_numpy(dtype=np.float64) for i in indicators if i in linked}
        effects = mode_effects(
            design, factors, code, modes, values, reference=reference, method=method
        )
        para = {p: linked[p].to_numpy(dtype=np.float64) for p in PARADATA if p in linked}
        if para:
            paradata = mode_effects(
                design, factors, code, modes, para, reference=reference, method=method
            )
        notices.extend(effects.notices)
    elif len(modes) < 2:
        notices.append(
            Notice(
                "one_mode", "only one mode responded: no mode comparison", {"modes": list(modes)}
            )
        )
    if "duration_sec" in linked:
        t = linked["duration_sec"].to_numpy(dtype=np.float64)
        for m in modes:
            x = t[(mode == m) & np.isfinite(t) & (t >= 0)]
            if x.size:
                q10, q50, q90 = np.percentile(x, [10, 50, 90])
                durations.append(Duration(m, int(x.size), float(q50), float(q10), float(q90)))
    return FieldworkResult(
        invited=len(linked),
        respondents=int(responded.sum()),
        modes=modes,
        variables=tuple(chosen),
        response=tuple(_response_rows(linked, chosen, modes)),
        representativeness=rind,
        by_mode_representativeness=tuple(per_mode),
        mode_effects=effects,
        paradata=paradata,
        durations=tuple(durations),
        notices=tuple(notices),
    )
