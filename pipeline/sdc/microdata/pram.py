"""PRAM (post-randomisation) with an invariant transition matrix, seeded and vectorised.

For a variable with categories 1..K and marginal distribution ``pi`` (weighted shares by default),
the transition matrix is ``P = r*I + (1 - r)*1*pi'``: ``P[k, l] = r*[k == l] + (1 - r)*pi[l]``.
Each row sums to 1 and ``pi' P = r*pi' + (1 - r)*pi' = pi'``, so the matrix is *invariant*: the
expected distribution after PRAM equals the distribution before (Gouweleeuw, Kooiman, Willenborg &
de Wolf 1998 call such matrices invariant; this is the simplest member of the family). With weighted
``pi`` the expected weighted total of every category is unchanged, because a record's transition
does not depend on its weight. Non-substantive values (NaN, negative codes) are never changed and
do not enter ``pi``.

Sampling: a record keeps its value with probability ``r``; otherwise a new value is drawn from
``pi`` (which may be the same value).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.sdc.microdata.recode import substantive


@dataclass(frozen=True)
class PramResult:
    variable: str
    categories: tuple[float, ...]
    marginal: tuple[float, ...]  # pi, the distribution the matrix keeps invariant
    matrix: tuple[tuple[float, ...], ...]  # P[k][l]: probability that category k is released as l
    retention: float
    changed: int  # records whose value changed

    def as_array(self) -> np.ndarray:
        return np.array(self.matrix, dtype=np.float64)


def invariant_matrix(pi: np.ndarray, retention: float) -> np.ndarray:
    pi = np.asarray(pi, dtype=np.float64)
    K = pi.shape[0]
    return retention * np.eye(K) + (1.0 - retention) * np.ones((K, 1)) @ pi[None, :]


def pram(
    variable: str,
    values: np.ndarray,
    *,
    retention: float,
    rng: np.random.Generator,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, PramResult]:
    """PRAM one column; returns the perturbed column and what was done."""
    x = np.asarray(values, dtype=np.float64)
    sub = substantive(x)
    cats, inv = np.unique(x[sub], return_inverse=True)
    if cats.shape[0] < 2:
        return x.copy(), PramResult(
            variable,
            tuple(float(c) for c in cats),
            (1.0,) * cats.shape[0],
            ((1.0,),) * cats.shape[0],
            retention,
            0,
        )
    w = np.ones(x.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    mass = np.bincount(inv, weights=w[sub], minlength=cats.shape[0])
    pi = mass / mass.sum()
    # draw for every row (fixed number of draws: the result does not depend on which rows are missing)
    u_keep = rng.random(x.shape[0])
    u_new = rng.random(x.shape[0])
    cdf = np.cumsum(pi)
    cdf[-1] = 1.0
    redraw = np.minimum(np.searchsorted(cdf, u_new, side="right"), cats.shape[0] - 1)
    out = x.copy()
    move = sub & (u_keep >= retention)
    out[move] = cats[redraw[move]]
    P = invariant_matrix(pi, retention)
    return out, PramResult(
        variable,
        tuple(float(c) for c in cats),
        tuple(float(p) for p in pi),
        tuple(tuple(float(v) for v in row) for row in P),
        retention,
        int(np.sum(sub & (out != x))),
    )
