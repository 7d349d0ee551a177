"""Mode effects: how much of the difference between paper and web respondents is selection (who
answers in which mode) and how much could be measurement (how the mode makes people answer).

For each mode, its respondents are weighted to the same population: the whole invited sample
(frame), so both modes stand for the same people.

* ``calibration`` (default): the mode's respondents are raked to the invited sample's totals of the
  register variables (sex, age band, sector, statute, province, origin: whatever the frame holds).
* ``propensity``: inverse of the fitted probability of responding in that mode, from a logistic
  model on the frame (same variables).

The **raw difference** between the modes' respondent means is split into

* **selection** = raw difference - adjusted difference: the part explained by the modes' different
  composition on the register variables;
* **remaining (adjusted) difference**: the modes compared on the same population. It is a
  measurement effect *if* the register variables explain who chooses which mode (mode choice
  missing at random given them); anything else that drives both mode choice and the answers also
  ends up here. The report says so.

Variances: every estimate is an M-estimator over the invited units, linearised to a variable u_i
per invited unit (responding or not) so that the variance of any difference of estimates is the
variance of the total of the difference of their u's under the frame's design (with replacement).
Calibration: u_i = x_i'B + R_i g_i (z_i - x_i'B), the two-phase (reverse) form of the calibration
estimator whose totals are estimated from the frame (Sarndal & Lundstrom 2005, ch. 11), B the
base-weighted regression of z on the register dummies among the mode's respondents. Propensity:
u_i = R_i z_i / p_i - h' I^-1 x_i (R_i - p_i), the sandwich variance with the estimated logistic
propensity (Lunceford & Davidian 2004). z_i = y_i - estimate (ratio mean), zero where y is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from pipeline.errors import EstimationError, Notice, Problem, one_of
from pipeline.fieldwork.propensity import Factors, FrameDesign, fit_logit, model_matrix
from pipeline.fieldwork.rindicator import Z95

METHODS = ("calibration", "propensity")


@dataclass(frozen=True)
class ModeEstimate:
    indicator: str
    mode: str
    n: int  # respondents of the mode with a value
    raw: float
    raw_se: float
    adjusted: float
    adjusted_se: float


@dataclass(frozen=True)
class ModeContrast:
    """``mode`` minus ``reference`` for one indicator: raw, selection and remaining difference."""

    indicator: str
    mode: str
    reference: str
    raw: float
    raw_se: float
    selection: float
    selection_se: float
    adjusted: float  # the remaining difference (possible measurement effect)
    adjusted_se: float
    level: float

    def ci(self, what: str) -> tuple[float, float]:
        from scipy.stats import norm

        est, se = getattr(self, what), getattr(self, f"{what}_se")
        zq = float(norm.ppf(0.5 + self.level / 2.0))
        return est - zq * se, est + zq * se

    def significant(self, what: str) -> bool:
        lo, hi = self.ci(what)
        return bool(lo > 0 or hi < 0)


@dataclass(frozen=True, eq=False)
class ModeEffects:
    method: str
    variables: tuple[str, ...]
    modes: tuple[str, ...]
    reference: str
    estimates: tuple[ModeEstimate, ...]
    contrasts: tuple[ModeContrast, ...]
    notices: tuple[Notice, ...] = ()

    def contrast(self, indicator: str, mode: str) -> ModeContrast:
        for c in self.contrasts:
            if c.indicator == indicator and c.mode == mode:
                return c
        raise KeyError((indicator, mode))

    def to_dict(self) -> dict[str, object]:
        out: list[dict[str, object]] = []
        for c in self.contrasts:
            d: dict[str, object] = asdict(c)
            for what in ("raw", "selection", "adjusted"):
                d[f"{what}_ci_low"], d[f"{what}_ci_high"] = c.ci(what)
            out.append(d)
        return {
            "method": self.method,
            "variables": list(self.variables),
            "modes": list(self.modes),
            "reference": self.reference,
            "estimates": [asdict(e) for e in self.estimates],
            "contrasts": out,
            "notices": [{"code": n.code, "message": n.message} for n in self.notices],
        }


@dataclass(frozen=True, eq=False)
class _Weights:
    """The adjustment of one mode: final weights of its respondents and how to linearise."""

    responded: np.ndarray  # bool per invited unit
    weights: np.ndarray  # per invited unit (0 for others)
    x: np.ndarray  # model matrix (invited units)
    prop: np.ndarray | None  # propensity (propensity method)
    info_inv: np.ndarray | None  # (sum d p (1-p) x x')^-1 (propensity method)


def _calibrate(
    design: FrameDesign, factors: Factors, r: np.ndarray
) -> tuple[_Weights, list[Notice]]:
    from pipeline.weighting.raking import rake

    d = design.weights
    codes = [c[r] for c in factors.codes]
    targets = [
        np.bincount(c, weights=d, minlength=len(lab))
        for c, lab in zip(factors.codes, factors.labels, strict=True)
    ]
    notices: list[Notice] = []
    # levels nobody of this mode has: the mode cannot stand for them (merged into the total)
    for name, c, t, lab in zip(factors.names, codes, targets, factors.labels, strict=True):
        empty = np.flatnonzero((t > 0) & (np.bincount(c, minlength=len(lab)) == 0))
        if empty.size:
            raise EstimationError(
                f"mode adjustment: no respondent of this mode in {name} = "
                + ", ".join(lab[k] for k in empty),
                [
                    Problem(
                        "a register group has no respondents in one mode",
                        column=name,
                        hint="merge small groups or drop the variable from the adjustment",
                    )
                ],
                code="mode_group_empty",
            )
    res = rake(codes, targets, d[r], names=list(factors.names))
    notices.extend(res.notices)
    w = np.zeros(design.n)
    w[r] = res.weights
    x, _ = model_matrix(factors)
    return _Weights(r, w, x, None, None), notices


def _propensity(
    design: FrameDesign, factors: Factors, r: np.ndarray
) -> tuple[_Weights, list[Notice]]:
    d = design.weights
    x, _ = model_matrix(factors)
    fit = fit_logit(x, r.astype(np.float64), d / d.mean())
    xk = x[:, fit.keep]
    p = fit.prop
    w = np.where(r, d / p, 0.0)
    info = (xk * (d * p * (1 - p))[:, None]).T @ xk
    return _Weights(r, w, xk, p, np.linalg.inv(info)), list(fit.notices)


def _linearised(
    design: FrameDesign, adj: _Weights | None, r: np.ndarray, y: np.ndarray
) -> tuple[float, np.ndarray, int]:
    """(estimate, u per invited unit already divided by the estimated domain size, n)."""
    d = design.weights
    obs = r & np.isfinite(y)
    yv = np.where(obs, y, 0.0)
    w = d * obs if adj is None else adj.weights * obs
    size = float(w.sum())
    n = int(obs.sum())
    if n == 0 or size <= 0:
        return float("nan"), np.zeros(design.n), n
    est = float(np.sum(w * yv) / size)
    z = np.where(obs, yv - est, 0.0)
    if adj is None:
        u = z
    elif adj.prop is None:
        # two-phase calibration: x'B for every invited unit + g-weighted residual for respondents
        x = adj.x
        rr = adj.responded
        xr, dr, zr = x[rr], d[rr], z[rr]
        xtx = (xr * dr[:, None]).T @ xr
        b = np.linalg.lstsq(xtx, (xr * dr[:, None]).T @ zr, rcond=None)[0]
        fitted = x @ b
        g = np.where(rr, adj.weights / d, 0.0)
        u = fitted + g * (z - fitted) * rr
    else:
        p = adj.prop
        assert adj.info_inv is not None
        h = (adj.x * (d * r * z * (1 - p) / p)[:, None]).sum(axis=0)
        u = r * z / p - (adj.x @ (adj.info_inv @ h)) * (r - p)
    return est, u / size, n


def mode_effects(
    design: FrameDesign,
    factors: Factors,
    mode: np.ndarray,
    mode_labels: Sequence[str],
    values: Mapping[str, np.ndarray],
    *,
    reference: str,
    method: str = "calibration",
    level: float = 0.95,
) -> ModeEffects:
    """Raw and adjusted estimates per mode and each mode against ``reference``.

    ``mode``: per invited unit the index of its mode in ``mode_labels`` (-1: no accepted
    response); ``values``: per indicator a float per invited unit (NaN where not observed).
    """
    if method not in METHODS:
        raise EstimationError(f"mode adjustment {one_of(method, METHODS)}", code="bad_option")
    if reference not in mode_labels:
        raise EstimationError(f"reference mode {one_of(reference, mode_labels)}", code="bad_option")
    mode = np.asarray(mode)
    notices: list[Notice] = []
    adjust = {}
    for k, label in enumerate(mode_labels):
        r = mode == k
        if r.sum() < 2:
            notices.append(
                Notice("mode_too_small", f"mode {label}: fewer than 2 respondents", {"mode": label})
            )
            continue
        adj, nts = (_calibrate if method == "calibration" else _propensity)(design, factors, r)
        adjust[label] = adj
        notices.extend(nts)
    estimates: list[ModeEstimate] = []
    contrasts: list[ModeContrast] = []
    for ind, y in values.items():
        y = np.asarray(y, dtype=np.float64)
        lin: dict[str, tuple[float, np.ndarray, float, np.ndarray]] = {}
        for label, adj in adjust.items():
            r = adj.responded
            raw, u_raw, n = _linearised(design, None, r, y)
            est, u_adj, _ = _linearised(design, adj, r, y)
            lin[label] = (raw, u_raw, est, u_adj)
            estimates.append(
                ModeEstimate(ind, label, n, raw, _se(design, u_raw), est, _se(design, u_adj))
            )
        if reference not in lin:
            continue
        raw0, ur0, adj0, ua0 = lin[reference]
        for label, (raw, ur, est, ua) in lin.items():
            if label == reference:
                continue
            d_raw, u_raw = raw - raw0, ur - ur0
            d_adj, u_adj = est - adj0, ua - ua0
            contrasts.append(
                ModeContrast(
                    ind,
                    label,
                    reference,
                    d_raw,
                    _se(design, u_raw),
                    d_raw - d_adj,
                    _se(design, u_raw - u_adj),
                    d_adj,
                    _se(design, u_adj),
                    level,
                )
            )
    return ModeEffects(
        method,
        factors.names,
        tuple(adjust),
        reference,
        tuple(estimates),
        tuple(contrasts),
        tuple(notices),
    )


def _se(design: FrameDesign, u: np.ndarray) -> float:
    return float(np.sqrt(design.var_total_wr(u)))


__all__ = ["METHODS", "ModeContrast", "ModeEffects", "ModeEstimate", "Z95", "mode_effects"]
