"""R-indicators and partial R-indicators of representativeness (Schouten, Cobben & Bethlehem 2009;
Schouten, Shlomo & Skinner 2011), with the standard errors and bias adjustment of Shlomo, Skinner &
Schouten (2012), computed as the RISQ manual 2.1 describes them (de Heij, Schouten & Shlomo 2015).

Inputs: the invited sample (every unit, responding or not) with its design (:class:`FrameDesign`),
a response indicator and categorical register variables (:class:`Factors`). A logistic
response-propensity model ``response ~ v1 + v2 + ...`` is fitted on the frame (design weights
normalised to mean 1, as RISQ does), giving a propensity rho_i for every invited unit.

* **R-indicator** ``R = 1 - 2 S(rho)``, S the design-weighted standard deviation of the propensities
  (1 = every group responds alike). The reported ``r`` is bias-adjusted: S^2 is reduced by the
  estimated small-sample bias of the variance of fitted propensities; ``r_unadjusted`` is not.
  Its standard error is the analytic approximation of the variance of S^2 divided by S^2.
* **Partial R-indicators** per variable and per category: *unconditional* (between-category
  variation of the mean propensity: how much a variable on its own is related to response; the
  category value's sign says whether the category is under- (-) or over-represented (+)) and
  *conditional* (variation within the cells of the other variables: the part of the variable's
  effect that the other variables do not explain).
* **Coefficient of variation** ``CV = S / mean(rho)``: an upper bound of the absolute bias of a
  respondent mean, in standard deviations of the variable (Schouten, Cobben & Bethlehem 2009).

R code computing the same numbers with base R's ``glm`` is stored beside the golden test
(``tests/fieldwork/golden/rindicator.R``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.errors import EstimationError, Notice, Problem
from pipeline.fieldwork.propensity import Factors, FrameDesign, LogitFit, fit_logit, model_matrix

Z95 = 1.959963984540054


@dataclass(frozen=True)
class CategoryPartial:
    variable: str
    category: str
    n: int  # invited units in the category
    response_rate: float  # design-weighted mean propensity (= observed response rate)
    unconditional: float  # signed
    unconditional_se: float
    conditional: float  # >= 0
    conditional_se: float


@dataclass(frozen=True)
class VariablePartial:
    variable: str
    unconditional: float
    unconditional_unadjusted: float
    unconditional_se: float
    conditional: float
    conditional_unadjusted: float
    conditional_se: float  # RISQ's approximation: the unconditional SE


@dataclass(frozen=True, eq=False)
class RIndicator:
    """A bias-adjusted R-indicator with its CI, the unadjusted value, CV, and partial indicators."""

    variables: tuple[str, ...]
    n: int
    respondents: int
    response_rate: float  # design-weighted mean propensity
    r: float
    r_unadjusted: float
    se: float
    ci_low: float
    ci_high: float
    cv: float
    cv_unadjusted: float
    cv_se: float
    bias_factor: float  # 1 - bias / S^2 (0 when the bias exceeds the variance)
    variables_partial: tuple[VariablePartial, ...]
    categories_partial: tuple[CategoryPartial, ...]
    propensity: np.ndarray  # fitted propensity per invited unit
    notices: tuple[Notice, ...] = ()

    def to_dict(self) -> dict[str, object]:
        from dataclasses import asdict

        return {
            "variables": list(self.variables),
            "n": self.n,
            "respondents": self.respondents,
            "response_rate": self.response_rate,
            "r": self.r,
            "r_unadjusted": self.r_unadjusted,
            "se": self.se,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "cv": self.cv,
            "cv_unadjusted": self.cv_unadjusted,
            "cv_se": self.cv_se,
            "bias_factor": self.bias_factor,
            "partial_variables": [asdict(v) for v in self.variables_partial],
            "partial_categories": [asdict(c) for c in self.categories_partial],
            "notices": [{"code": n.code, "message": n.message} for n in self.notices],
        }


@dataclass(frozen=True, eq=False)
class _Core:
    fit: LogitFit
    z: np.ndarray  # d rho / d beta per unit (n x p)
    mean: float
    var_unbiased: float
    var_ml: float
    bias_factor: float
    var_r: float  # variance of the (unadjusted) R-indicator


def _weighted_mean(y: np.ndarray, w: np.ndarray) -> float:
    return float(np.sum(w * y) / np.sum(w))


def _trace_product(b: np.ndarray, sigma: np.ndarray) -> float:
    m = b @ sigma
    return float(np.sum(m * m.T))  # trace(B S B S)


def _core(design: FrameDesign, factors: Factors, response: np.ndarray) -> _Core:
    w = design.weights
    x, _ = model_matrix(factors)
    fit = fit_logit(x, response, w / w.mean())
    prop = fit.prop
    xk = x[:, fit.keep]
    z = (prop * (1.0 - prop))[:, None] * xk
    big_n = design.population
    mean = _weighted_mean(prop, w)
    dev2 = (prop - mean) ** 2
    var_unb = float(np.sum(w * dev2) / (big_n - 1.0))
    var_ml = float(np.sum(w * dev2) / big_n)
    sigma = fit.cov
    # bias of the variance of fitted propensities
    zs = z @ sigma
    lambda1 = float(np.sum(w * np.sum(zs * z, axis=1)))
    lambda2 = design.var_total(prop) / big_n
    bias = (lambda1 - lambda2) / big_n
    bias_factor = 0.0 if var_unb <= 0 or bias > var_unb else 1.0 - bias / var_unb
    # variance of the R-indicator
    zc = z - (w @ z) / w.sum()
    a = (w * (prop - mean)) @ zc / w.sum()
    b = (zc * w[:, None]).T @ zc / w.sum()
    c = design.var_total(dev2)
    v = 4.0 * float(a @ sigma @ a) + 2.0 * _trace_product(b, sigma) + c / big_n**2
    var_r = v / var_ml if var_ml > 0 else float("nan")
    return _Core(fit, z, mean, var_unb, var_ml, bias_factor, var_r)


def _check(design: FrameDesign, factors: Factors, response: np.ndarray) -> None:
    problems = []
    if response.shape != (design.n,):
        problems.append(Problem("the response indicator has another length than the frame"))
    elif not np.isin(response, (0.0, 1.0)).all():
        problems.append(Problem("the response indicator must be 0 or 1", column="response"))
    if factors.n != design.n:
        problems.append(Problem("the frame variables have another length than the frame"))
    if not factors.names:
        problems.append(Problem("give at least one frame variable for the propensity model"))
    if design.n < 3:
        problems.append(Problem("the frame needs at least 3 units", value=design.n))
    if problems:
        raise EstimationError("cannot compute R-indicators", problems, code="rindicator_bad_input")


def r_indicator(
    design: FrameDesign, factors: Factors, response: np.ndarray, *, level: float = 0.95
) -> RIndicator:
    """R-indicator, CV and partial R-indicators of ``response`` (0/1 per invited unit) given the
    register variables ``factors`` (all of them in the propensity model)."""
    response = np.asarray(response, dtype=np.float64)
    _check(design, factors, response)
    from scipy.stats import norm

    zq = float(norm.ppf(0.5 + level / 2.0))
    core = _core(design, factors, response)
    w = design.weights
    big_n = design.population
    prop = core.fit.prop
    s = np.sqrt(core.var_unbiased * core.bias_factor)
    r = 1.0 - 2.0 * s
    se = float(np.sqrt(core.var_r))
    cv = s / core.mean
    cv_se = float(np.sqrt(0.25 * core.var_r / core.mean**2 + cv**4 / design.n))

    var_parts: list[VariablePartial] = []
    cat_parts: list[CategoryPartial] = []
    for j, name in enumerate(factors.names):
        codes, labels = factors.codes[j], factors.labels[j]
        # unconditional: between categories
        n_k = np.bincount(codes, weights=w, minlength=len(labels))
        sum_k = np.bincount(codes, weights=w * prop, minlength=len(labels))
        present = n_k > 0
        mean_k = np.divide(sum_k, n_k, out=np.zeros_like(sum_k), where=present)
        between = n_k * (mean_k - core.mean) ** 2 / big_n
        pu_unadj = float(np.sqrt(between.sum()))
        pu = float(np.sqrt(between.sum() * core.bias_factor))
        alone = _core(design, factors.select([name]), response)
        pu_se = 0.5 * float(np.sqrt(alone.var_r))
        # conditional: within the cells of the other variables
        if len(factors.names) > 1:
            cell = factors.cells(exclude=name)
        else:
            cell = np.zeros(design.n, dtype=np.intp)
        ncell = int(cell.max()) + 1
        wc = np.bincount(cell, weights=w, minlength=ncell)
        prop_cell = np.bincount(cell, weights=w * prop, minlength=ncell) / wc
        z = core.z
        z_cell = np.column_stack(
            [
                np.bincount(cell, weights=w * z[:, k], minlength=ncell) / wc
                for k in range(z.shape[1])
            ]
        )
        d_prop = prop - prop_cell[cell]
        d_z = z - z_cell[cell]
        within = np.bincount(codes, weights=w * d_prop**2 / big_n, minlength=len(labels))
        pc_unadj = float(np.sqrt(within.sum()))
        pc = float(np.sqrt(within.sum() * core.bias_factor))
        var_parts.append(VariablePartial(name, pu, pu_unadj, pu_se, pc, pc_unadj, pu_se))
        sigma = core.fit.cov
        counts = np.bincount(codes, minlength=len(labels))
        for k in np.flatnonzero(present):
            delta = (codes == k).astype(np.float64)
            v1 = design.var_total(delta * prop)
            v2 = design.var_total((1.0 - delta) * prop)
            u_se = float(
                np.sqrt(n_k[k] / big_n * (v1 * (1 / n_k[k] - 1 / big_n) ** 2 + v2 / big_n**2))
            )
            dzw = d_z * (delta * w)[:, None]
            a = d_prop @ dzw
            b = d_z.T @ dzw
            d2 = d_prop**2 * delta
            denom = big_n * float(np.sum(d2 * w))
            c_var = (
                0.25
                * (
                    4.0 * float(a @ sigma @ a)
                    + 2.0 * _trace_product(b, sigma)
                    + design.var_total(d2)
                )
                / denom
                if denom > 0
                else 0.0
            )
            cat_parts.append(
                CategoryPartial(
                    name,
                    labels[k],
                    int(counts[k]),
                    float(mean_k[k]),
                    float(np.sign(mean_k[k] - core.mean) * np.sqrt(between[k])),
                    u_se,
                    float(np.sqrt(within[k])),
                    float(np.sqrt(max(c_var, 0.0))),
                )
            )
    return RIndicator(
        variables=factors.names,
        n=design.n,
        respondents=int(response.sum()),
        response_rate=core.mean,
        r=float(r),
        r_unadjusted=float(1.0 - 2.0 * np.sqrt(core.var_unbiased)),
        se=se,
        ci_low=float(r - zq * se),
        ci_high=float(r + zq * se),
        cv=float(cv),
        cv_unadjusted=float(np.sqrt(core.var_unbiased) / core.mean),
        cv_se=cv_se,
        bias_factor=core.bias_factor,
        variables_partial=tuple(var_parts),
        categories_partial=tuple(cat_parts),
        propensity=prop,
        notices=core.fit.notices,
    )
