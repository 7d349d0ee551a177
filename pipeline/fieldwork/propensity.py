"""Response-propensity model on the sample frame: the frame's design, the model matrix and a
logistic fit (iteratively reweighted least squares, as R's ``glm(family = binomial)``).

Plain numpy, no pandas: a :class:`FrameDesign` holds the design weight and stratum of every invited
unit, a :class:`Factors` the integer codes of the auxiliary (register) variables. The model matrix is
R's treatment coding of factors (``model.matrix(~ a + b)``): an intercept and a dummy for every level
but the first observed one, so the fit, its covariance matrix and the predicted propensities equal
R's ``glm`` on the same data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.errors import EstimationError, Notice, Problem


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class FrameDesign:
    """The design of the invited sample: design weight d_i (population units each invited unit
    stands for) and stratum code 0..H-1. Weights must be constant within a stratum (simple random
    sampling within strata); the one-stratum case is simple random sampling."""

    weights: np.ndarray
    strata: np.ndarray

    @property
    def n(self) -> int:
        return int(self.weights.shape[0])

    @property
    def population(self) -> float:
        return float(self.weights.sum())

    def var_total(self, y: np.ndarray) -> float:
        """Estimated variance of the estimated total of ``y`` under stratified simple random
        sampling without replacement: sum_h N_h^2 (1 - n_h/N_h) s_h^2 / n_h."""
        out = 0.0
        for h in range(int(self.strata.max()) + 1 if self.n else 0):
            m = self.strata == h
            n_h = int(m.sum())
            if n_h < 2:
                continue
            big_n = float(self.weights[m].sum())
            s2 = float(np.var(y[m], ddof=1))
            out += big_n**2 * (1.0 - n_h / big_n) * s2 / n_h
        return out

    def var_total_wr(self, u: np.ndarray) -> float:
        """Variance of the estimated total of ``u`` (sum of d_i u_i) with units drawn with
        replacement within strata (no finite population correction): the variance of a
        linearised estimator whose variable ``u`` includes the response of each unit."""
        out = 0.0
        du = self.weights * u
        for h in range(int(self.strata.max()) + 1 if self.n else 0):
            m = self.strata == h
            n_h = int(m.sum())
            if n_h < 2:
                continue
            x = du[m]
            out += n_h / (n_h - 1.0) * float(np.sum((x - x.mean()) ** 2))
        return out


def frame_design(
    weights: np.ndarray | None, strata: np.ndarray | None, n: int, *, population: float | None
) -> FrameDesign:
    """A checked :class:`FrameDesign`. Without weights every unit stands for population/n units
    (simple random sample of a population of that size; n/N = 0 when the size is unknown)."""
    if strata is None:
        codes = np.zeros(n, dtype=np.intp)
    else:
        _, codes = np.unique(np.asarray(strata), return_inverse=True)
        codes = codes.astype(np.intp)
    if weights is None:
        # an unknown population size: a very large one (no finite population correction)
        total = float(population) if population else 1e12 * max(n, 1)
        w = np.full(n, total / max(n, 1))
    else:
        w = np.asarray(weights, dtype=np.float64).copy()
        if w.shape != (n,) or not np.isfinite(w).all() or (w <= 0).any():
            raise EstimationError(
                "design weights of the frame must be positive numbers",
                [Problem("a design weight is missing, zero or negative", column="design_weight")],
                code="bad_frame_weights",
            )
    for h in np.unique(codes):
        wh = w[codes == h]
        if not np.allclose(wh, wh[0], rtol=1e-9, atol=0.0):
            raise EstimationError(
                "design weights vary within a stratum of the frame",
                [
                    Problem(
                        "R-indicators need simple random sampling within strata",
                        column="design_weight",
                        hint="give the stratum of every unit (stratum column)",
                    )
                ],
                code="bad_frame_weights",
            )
    return FrameDesign(_readonly(w), _readonly(codes))


@dataclass(frozen=True, eq=False)
class Factors:
    """Categorical auxiliary variables: codes 0..K-1 per unit and the labels of the codes."""

    names: tuple[str, ...]
    codes: tuple[np.ndarray, ...]
    labels: tuple[tuple[str, ...], ...]

    @property
    def n(self) -> int:
        return int(self.codes[0].shape[0]) if self.codes else 0

    def select(self, names: Sequence[str]) -> Factors:
        idx = [self.names.index(v) for v in names]
        return Factors(
            tuple(self.names[i] for i in idx),
            tuple(self.codes[i] for i in idx),
            tuple(self.labels[i] for i in idx),
        )

    def cells(self, exclude: str | None = None) -> np.ndarray:
        """Cell index 0..C-1 of every unit over the cross-classification of the variables (but
        ``exclude``)."""
        key = np.zeros(self.n, dtype=np.int64)
        for name, c, lab in zip(self.names, self.codes, self.labels, strict=True):
            if name != exclude:
                key = key * max(len(lab), 1) + c
        _, inv = np.unique(key, return_inverse=True)
        return inv.astype(np.intp)


def factors_from_values(names: Sequence[str], values: Sequence[np.ndarray]) -> Factors:
    """Factorise raw values (numbers or text; sorted levels as R's ``factor``)."""
    codes, labels = [], []
    for name, v in zip(names, values, strict=True):
        arr = np.asarray(v)
        levels, inv = np.unique(arr, return_inverse=True)
        if arr.dtype.kind == "f" and np.isnan(arr).any():
            raise EstimationError(
                f"frame variable {name!r} has missing values",
                [Problem("a value is missing", column=name, hint="complete the frame")],
                code="frame_value_missing",
            )
        codes.append(inv.astype(np.intp))
        labels.append(tuple(_level_text(x) for x in levels))
    return Factors(tuple(names), tuple(codes), tuple(labels))


def _level_text(x: object) -> str:
    if isinstance(x, (float, np.floating)) and float(x).is_integer():
        return str(int(x))
    return str(x)


def model_matrix(f: Factors) -> tuple[np.ndarray, tuple[str, ...]]:
    """R's ``model.matrix(~ v1 + v2 + ...)`` for factors: intercept, then per variable one dummy
    per observed level except the first (treatment contrasts)."""
    cols = [np.ones(f.n)]
    names = ["(Intercept)"]
    for name, c, lab in zip(f.names, f.codes, f.labels, strict=True):
        present = np.flatnonzero(np.bincount(c, minlength=len(lab)))
        for k in present[1:]:
            cols.append((c == k).astype(np.float64))
            names.append(f"{name}{lab[k]}")
    return np.column_stack(cols), tuple(names)


@dataclass(frozen=True, eq=False)
class LogitFit:
    """A fitted logistic model: coefficients, their covariance (R's ``vcov``), linear predictor and
    fitted propensities per unit, and whether IRLS converged."""

    coef: np.ndarray
    cov: np.ndarray
    eta: np.ndarray
    prop: np.ndarray
    keep: np.ndarray  # the model-matrix columns used (False: aliased, R's NA coefficient)
    converged: bool
    iterations: int
    notices: tuple[Notice, ...] = ()


def fit_logit(
    x: np.ndarray,
    y: np.ndarray,
    prior: np.ndarray | None = None,
    *,
    tol: float = 1e-12,
    max_iter: int = 50,
) -> LogitFit:
    """Maximum-likelihood logistic regression by IRLS (R's ``glm.fit``: same start, same deviance
    convergence rule, prior weights as ``glm(weights=)``). Columns that are linear combinations of
    earlier ones are dropped (R sets their coefficient to NA); the covariance is
    ``(X' W X)^{-1}`` on the kept columns."""
    n = x.shape[0]
    w0 = np.ones(n) if prior is None else np.asarray(prior, dtype=np.float64)
    keep = _independent_columns(x)
    xk = x[:, keep]
    mu = (w0 * y + 0.5) / (w0 + 1.0)  # R's binomial()$initialize
    eta = np.log(mu / (1.0 - mu))
    dev_old = _deviance(y, mu, w0)
    converged = False
    beta = np.zeros(xk.shape[1])
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        var = mu * (1.0 - mu)
        z = eta + (y - mu) / var
        wt = w0 * var
        sw = np.sqrt(wt)
        beta, *_ = np.linalg.lstsq(xk * sw[:, None], z * sw, rcond=None)
        eta = xk @ beta
        mu = 1.0 / (1.0 + np.exp(-eta))
        dev = _deviance(y, mu, w0)
        if abs(dev - dev_old) / (abs(dev) + 0.1) < tol:
            converged = True
            break
        dev_old = dev
    wt = w0 * mu * (1.0 - mu)
    info = (xk * wt[:, None]).T @ xk
    cov = np.linalg.inv(info)
    notices: list[Notice] = []
    if not converged:
        notices.append(
            Notice(
                "propensity_not_converged",
                f"the response-propensity model did not converge in {max_iter} iterations",
                {"iterations": max_iter},
            )
        )
    if np.any((mu < 1e-8) | (mu > 1 - 1e-8)):
        notices.append(
            Notice(
                "propensity_separation",
                "some fitted propensities are 0 or 1: a frame group responded entirely or not at "
                "all (quasi-separation); merge small groups",
                {},
            )
        )
    return LogitFit(
        _readonly(beta),
        _readonly(cov),
        _readonly(eta),
        _readonly(mu),
        _readonly(keep),
        converged,
        it,
        tuple(notices),
    )


def _deviance(y: np.ndarray, mu: np.ndarray, w: np.ndarray) -> float:
    eps = 1e-300
    d = y * np.log(np.maximum(y, eps) / np.maximum(mu, eps)) + (1 - y) * np.log(
        np.maximum(1 - y, eps) / np.maximum(1 - mu, eps)
    )
    return float(2.0 * np.sum(w * d))


def _independent_columns(x: np.ndarray) -> np.ndarray:
    """Columns kept by a pivoting-free QR, as R's ``lm.fit`` (tolerance 1e-7): a column is dropped
    when it is (numerically) a combination of the columns before it."""
    keep = np.zeros(x.shape[1], dtype=bool)
    basis: list[np.ndarray] = []
    for j in range(x.shape[1]):
        v = x[:, j].astype(np.float64)
        norm = np.linalg.norm(v)
        r = v.copy()
        for q in basis:
            r -= (q @ r) * q
        if norm > 0 and np.linalg.norm(r) > 1e-7 * norm:
            keep[j] = True
            basis.append(r / np.linalg.norm(r))
    return keep
