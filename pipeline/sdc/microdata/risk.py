"""Disclosure risk of a microdata file on its key variables (numpy only, no pandas).

Definitions (as in sdcMicro's ``freqCalc``/``indivRisk``/``measure_risk``, method ``approx``):

- **Key codes.** Each key variable is coded 0..L-1 per distinct substantive value; a
  *wildcard* (-1) stands for a value that tells an intruder nothing: NaN, any non-substantive code
  (< 0: not applicable, invalid, don't know, no answer) and the release's "suppressed" code.
- **Sample frequency** ``f_k`` of record i: the number of records j whose key is *compatible* with
  i's key: on every key variable the two values are equal or at least one is a wildcard (a
  wildcard matches any value, as sdcMicro's ``freqCalc`` with ``alpha = 1``). A record is always
  compatible with itself, so ``f_k >= 1``.
- **Estimated population frequency** ``F_k`` = sum of the expansion weights of those records
  (without weights ``F_k = f_k``).
- **k-anonymity**: every record has ``f_k >= k``; a record with ``f_k < k`` *violates* k.
- **Individual risk** (Benedetti & Franconi 1998; Franconi & Polettini 2004; sdcMicro
  ``indivRisk(method = "approx")``), with ``p = f_k / F_k``::

      f_k = 1:  r = p / (1 - p) * log(1 / p)
      f_k = 2:  r = p / (1 - p) - (p / (1 - p))**2 * log(1 / p)
      f_k > 2:  r = p / (f_k - (1 - p))
      f_k = F_k (a population, or weights of 1): r = 1 / f_k

  If weights below 1 make ``F_k < f_k`` (p > 1, outside the model) the risk is set to ``1 / f_k``
  and the caller is told (:attr:`RiskMeasure.capped`).
- **Global risk**: the expected number of re-identifications ``sum(r)`` and the mean ``sum(r)/n``.

Golden values: sdcMicro's own unit tests (``tests/testthat/test_indivRisk.R``, with and without
missing values) are reproduced in ``tests/sdc/test_sdc_risk.py``.

Two independent frequency engines are kept on purpose: :func:`frequencies_by_pattern` groups
records by wildcard pattern (fast when few patterns exist), :func:`frequencies_pairwise` compares
unique keys pairwise (fast when there are many patterns over a few thousand records, as on raw
answers with item non-response). :func:`frequencies` takes the cheaper one for the data. Local
suppression keeps its own incremental counts; the release step recounts from scratch, and the tests
check the two engines against each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

WILDCARD = -1
QUANTILES = (0.5, 0.9, 0.95, 0.99, 1.0)
RISK_THRESHOLDS = (0.01, 0.05, 0.1, 0.2, 0.5)
_PAIRWISE_CELLS = 4_000_000  # unique-key pairs compared per chunk


# ---- key codes ----


def code_column(values: np.ndarray) -> np.ndarray:
    """Codes 0..L-1 for the distinct substantive values (>= 0) of one column, WILDCARD otherwise."""
    x = np.asarray(values, dtype=np.float64)
    sub = ~np.isnan(x) & (x >= 0)
    out = np.full(x.shape[0], WILDCARD, dtype=np.int64)
    if sub.any():
        _, inv = np.unique(x[sub], return_inverse=True)
        out[sub] = inv
    return out


def code_keys(columns: Mapping[str, np.ndarray], keys: Sequence[str]) -> np.ndarray:
    """An n x p int64 matrix of key codes (one column per key variable, in ``keys`` order)."""
    if not keys:
        n = len(next(iter(columns.values()))) if columns else 0
        return np.zeros((n, 0), dtype=np.int64)
    return np.column_stack([code_column(columns[k]) for k in keys])


def _row_ids(sub: np.ndarray) -> np.ndarray:
    """Dense ids of the distinct rows of a non-negative int matrix (mixed radix, re-densified per
    column so it never overflows)."""
    n = sub.shape[0]
    ids = np.zeros(n, dtype=np.int64)
    for j in range(sub.shape[1]):
        col = sub[:, j]
        width = int(col.max()) + 1 if n else 1
        _, ids = np.unique(ids * width + col, return_inverse=True)
        ids = ids.astype(np.int64, copy=False)
    return ids


# ---- frequencies ----


def _weights(n: int, weights: np.ndarray | None) -> np.ndarray:
    return np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)


def frequencies(
    codes: np.ndarray, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``(f_k, F_k)`` per record with wildcard semantics (module docstring), from whichever of the
    two exact engines the shape of the data makes cheaper (:func:`engine_for`).

    The pattern engine costs about one grouping per pair of wildcard patterns, the pairwise engine
    one comparison per pair of distinct keys. Raw answers with item non-response have hundreds of
    patterns over a few thousand records, where the pairwise engine is tens of times faster; a
    large file with a few patterns is the other way round. Both give the same ``f_k``; ``F_k``
    agrees to rounding (sums in another order), and a given file always takes the same engine."""
    codes = np.asarray(codes, dtype=np.int64)
    if engine_for(codes) == "pairwise":
        return frequencies_pairwise(codes, weights)
    return frequencies_by_pattern(codes, weights)


def engine_for(codes: np.ndarray) -> str:
    """``"pattern"`` or ``"pairwise"``: the engine with the lower estimated cost for ``codes``.

    Estimates in seconds, fitted on a 2-core VM (numpy, one thread) over 2,000-9,000 records,
    6-100 key variables and 1-600 patterns; only their ratio matters, within a factor of a few."""
    n, p = codes.shape
    if n == 0 or p == 0:
        return "pattern"
    patterns = int(np.unique(codes >= 0, axis=0).shape[0])
    keys = int(np.unique(codes, axis=0).shape[0])
    pattern_cost = patterns * patterns * 1e-4 + n * patterns * 5e-6
    pairwise_cost = keys * keys * (1.7e-7 + 5e-9 * p)
    return "pairwise" if pairwise_cost < pattern_cost else "pattern"


_DIRECT_CELLS = 1 << 16  # a pair of pattern groups this small is compared record by record


def frequencies_by_pattern(
    codes: np.ndarray, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``(f_k, F_k)`` per record with wildcard semantics, grouping records by wildcard pattern.

    For two patterns a and b, records of a and b are compatible when they agree on the variables
    known in both; one grouping per pair of patterns present in the data (two small groups are
    compared record by record instead, which gives the same counts with less overhead)."""
    codes = np.asarray(codes, dtype=np.int64)
    n, p = codes.shape
    w = _weights(n, weights)
    fk = np.zeros(n, dtype=np.int64)
    Fk = np.zeros(n, dtype=np.float64)
    if n == 0:
        return fk, Fk
    if p == 0:
        return np.full(n, n, dtype=np.int64), np.full(n, float(w.sum()))
    known = codes >= 0
    pattern_ids = _row_ids(known.astype(np.int64))
    order = np.argsort(pattern_ids, kind="stable")
    bounds = np.flatnonzero(np.diff(pattern_ids[order])) + 1
    groups = np.split(order, bounds)
    masks = [known[g[0]] for g in groups]
    rows = [codes[g] for g in groups]
    for ga, ma, ca in zip(groups, masks, rows, strict=True):
        for gb, mb, cb in zip(groups, masks, rows, strict=True):
            shared = ma & mb
            if not shared.any():
                fk[ga] += gb.shape[0]
                Fk[ga] += w[gb].sum()
                continue
            xa, xb = ca[:, shared], cb[:, shared]
            if ga.shape[0] * gb.shape[0] * xa.shape[1] <= _DIRECT_CELLS:
                comp = (xa[:, None, :] == xb[None, :, :]).all(axis=2)
                fk[ga] += comp.sum(axis=1)
                Fk[ga] += comp @ w[gb]
                continue
            ids = _row_ids(np.concatenate([xa, xb]))
            ia, ib = ids[: ga.shape[0]], ids[ga.shape[0] :]
            m = int(ids.max()) + 1
            fk[ga] += np.bincount(ib, minlength=m)[ia]
            Fk[ga] += np.bincount(ib, weights=w[gb], minlength=m)[ia]
    return fk, Fk


def frequencies_pairwise(
    codes: np.ndarray, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``(f_k, F_k)`` by comparing every pair of distinct keys (an independent check of
    :func:`frequencies`; cost grows with the square of the number of distinct keys)."""
    codes = np.asarray(codes, dtype=np.int64)
    n, p = codes.shape
    w = _weights(n, weights)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if p == 0:
        return np.full(n, n, dtype=np.int64), np.full(n, float(w.sum()))
    uniq, inv, counts = np.unique(codes, axis=0, return_inverse=True, return_counts=True)
    inv = inv.reshape(-1)
    wsum = np.bincount(inv, weights=w, minlength=uniq.shape[0])
    u = uniq.shape[0]
    fk_u = np.zeros(u, dtype=np.int64)
    Fk_u = np.zeros(u)
    step = max(1, _PAIRWISE_CELLS // max(u * p, 1))
    wild_all = uniq < 0
    for start in range(0, u, step):
        a = uniq[start : start + step][:, None, :]
        ok = (a == uniq[None, :, :]) | (a < 0) | wild_all[None, :, :]
        comp = ok.all(axis=2)
        fk_u[start : start + step] = comp @ counts
        Fk_u[start : start + step] = comp @ wsum
    return fk_u[inv], Fk_u[inv]


# ---- individual and global risk ----


def individual_risk(fk: np.ndarray, Fk: np.ndarray) -> tuple[np.ndarray, int]:
    """sdcMicro's ``indivRisk(method="approx")`` per record; also the number of records whose
    ``F_k < f_k`` (weights below 1) were capped to ``1 / f_k``."""
    f = np.asarray(fk, dtype=np.float64)
    F = np.asarray(Fk, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        pk = f / F
        q = 1.0 - pk
        odds = pk / q
        log_inv = -np.log(pk)
        r1 = odds * log_inv
        r2 = odds - odds * odds * log_inv
        r3 = pk / (f - q)
    r = np.where(f == 1, r1, np.where(f == 2, r2, r3))
    population = pk >= 1.0 - 1e-9  # f_k == F_k (and the numerically unstable limit p -> 1)
    capped = int(np.sum(pk > 1.0 + 1e-9))
    r = np.where(population, 1.0 / np.maximum(f, 1.0), r)
    return r, capped


@dataclass(frozen=True)
class RiskSummary:
    """Risk of one stage of the release (original, recoded, released)."""

    stage: str
    keys: tuple[str, ...]
    n: int
    k: int
    violating: int  # records with f_k < k
    unique: int  # records with f_k == 1 (sample uniques)
    expected_reidentifications: float  # sum of individual risks
    global_risk: float  # mean individual risk
    max_risk: float
    quantiles: tuple[tuple[float, float], ...]  # (q, individual risk quantile)
    above: tuple[tuple[float, int], ...]  # (threshold, records with risk > threshold)
    fk_min: int
    weighted: bool
    capped: int = 0  # records whose F_k < f_k (weights below 1): risk capped to 1/f_k

    @property
    def violating_share(self) -> float:
        return self.violating / self.n if self.n else 0.0


@dataclass(frozen=True, eq=False)
class RiskMeasure:
    fk: np.ndarray
    Fk: np.ndarray
    risk: np.ndarray
    summary: RiskSummary


def measure(
    codes: np.ndarray,
    weights: np.ndarray | None,
    *,
    k: int,
    keys: Sequence[str],
    stage: str,
    pairwise: bool = False,
) -> RiskMeasure:
    """Frequencies, individual risk and the summary of one stage."""
    fk, Fk = (frequencies_pairwise if pairwise else frequencies)(codes, weights)
    r, capped = individual_risk(fk, Fk)
    return RiskMeasure(
        fk,
        Fk,
        r,
        summarise(fk, r, k=k, keys=keys, stage=stage, weighted=weights is not None, capped=capped),
    )


def summarise(
    fk: np.ndarray,
    r: np.ndarray,
    *,
    k: int,
    keys: Sequence[str],
    stage: str,
    weighted: bool,
    capped: int = 0,
) -> RiskSummary:
    n = int(fk.shape[0])
    qs = np.quantile(r, QUANTILES) if n else np.zeros(len(QUANTILES))
    return RiskSummary(
        stage=stage,
        keys=tuple(keys),
        n=n,
        k=k,
        violating=int(np.sum(fk < k)),
        unique=int(np.sum(fk == 1)),
        expected_reidentifications=float(r.sum()),
        global_risk=float(r.mean()) if n else 0.0,
        max_risk=float(r.max()) if n else 0.0,
        quantiles=tuple((q, float(v)) for q, v in zip(QUANTILES, qs, strict=True)),
        above=tuple((t, int(np.sum(r > t))) for t in RISK_THRESHOLDS),
        fk_min=int(fk.min()) if n else 0,
        weighted=weighted,
        capped=capped,
    )
