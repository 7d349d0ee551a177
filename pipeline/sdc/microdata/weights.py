"""The weights of a release (profile section ``weights``): kept as calibrated, or recalibrated on
the released values so that they cannot give a protected value back (:mod:`pipeline.sdc.microdata.linkage`).

``released_margins``: a constant start weight is raked to one margin per weighting variable in the
release, over its *released* values (PRAM-changed values count as released; the "suppressed" code
and missing codes are values of their own). The targets are the totals of a proxy weight: the
original weight, except for records in a released category with fewer than ``min_count`` records,
which get the mean weight: the total of a small category is too close to its records' own weights
(a category of one suppressed record would carry that record's original weight, and with it the
suppressed value). The proxy is scaled to the population total and meets every margin itself, so
the raking always has a solution.

The result is ``w = c * prod_v f_v[released value]``, a function of the released values only:
records that look alike in the release get the same weight, and the weight tells an intruder
nothing the released values do not (the targets are totals over at least ``min_count`` records).
Kept: the population total and the weighted totals of the released categories of every weighting
variable (sex, age band, sector group, ...; up to the small categories, the largest relative change
is reported). Lost: the finer structure the file does not show (a detailed sector behind a sector
group, the true value behind a suppressed or PRAM-changed one, any design-weight variation). The
cost is reported as the change in weighted shares of the utility indicators and in the Kish design
effect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.errors import DisclosureError, Notice, Problem
from pipeline.sdc.microdata.profile import MIN_COUNT
from pipeline.weighting.diagnostics import kish_deff

MAX_ITER = 2000
TOL = 1e-10


@dataclass(frozen=True)
class WeightTreatment:
    method: str  # "original" or "released_margins"
    variables: tuple[str, ...]  # released weighting variables the weights were recalibrated on
    min_count: (
        int  # released categories with fewer records gave their records the mean weight as proxy
    )
    small_records: int  # records whose proxy weight was the mean weight
    converged: bool
    iterations: int
    max_margin_error: float  # largest relative change of a released category's weighted total (min_count+ records)
    kish_before: float  # Kish design effect 1 + CV^2 of the original weights
    kish_after: float
    ratio_min: float  # new / original weight
    ratio_median: float
    ratio_max: float
    total_before: float
    total_after: float


Codes = tuple[
    np.ndarray, int
]  # dense codes of a released column, and how many distinct values it has


def _codes(x: np.ndarray) -> Codes:
    x = np.nan_to_num(np.asarray(x, dtype=np.float64), nan=-1e18)
    levels, inv = np.unique(x, return_inverse=True)
    return inv.reshape(-1).astype(np.int64), int(levels.shape[0])


def _small(codes: Sequence[Codes], n: int, min_count: int) -> np.ndarray:
    small = np.zeros(n, dtype=bool)
    for c, size in codes:
        small |= np.bincount(c, minlength=size)[c] < min_count
    return small


def _proxy(w: np.ndarray, small: np.ndarray) -> np.ndarray:
    if w.shape[0] == 0:
        return w.copy()
    proxy = np.where(small, float(w.mean()), w)
    return proxy * (float(w.sum()) / float(proxy.sum()))


def in_small_category(
    released: Mapping[str, np.ndarray], variables: Sequence[str], min_count: int
) -> np.ndarray:
    """Records in a released category (of any of ``variables``) with fewer than ``min_count`` records."""
    n = len(next(iter(released.values()))) if released else 0
    return _small([_codes(released[v]) for v in variables], n, min_count)


def proxy_weights(
    weights: np.ndarray,
    released: Mapping[str, np.ndarray],
    variables: Sequence[str],
    *,
    min_count: int,
) -> np.ndarray:
    """The original weight, or the mean weight for records in a small released category; scaled to
    the original total."""
    return _proxy(
        np.asarray(weights, dtype=np.float64), in_small_category(released, variables, min_count)
    )


def released_margin_weights(
    weights: np.ndarray,
    released: Mapping[str, np.ndarray],
    variables: Sequence[str],
    *,
    min_count: int = MIN_COUNT,
) -> tuple[np.ndarray, WeightTreatment, tuple[Notice, ...]]:
    """Recalibrate on the released values of ``variables`` (see the module docstring)."""
    from pipeline.weighting.raking import rake

    w = np.asarray(weights, dtype=np.float64)
    n = w.shape[0]
    variables = tuple(v for v in variables if v in released)
    notices: list[Notice] = []
    if n == 0:
        return (
            w.copy(),
            WeightTreatment(
                "released_margins",
                variables,
                min_count,
                0,
                True,
                0,
                0.0,
                1.0,
                1.0,
                1.0,
                1.0,
                1.0,
                0.0,
                0.0,
            ),
            (),
        )
    codes = [
        _codes(released[v]) for v in variables
    ]  # computed once: targets, small categories, margin check
    small = _small(codes, n, min_count)
    new, converged, iterations = np.full(n, float(w.mean())), True, 0
    if variables:
        proxy = _proxy(w, small)
        targets = [np.bincount(c, weights=proxy, minlength=size) for c, size in codes]
        res = rake(
            [c for c, _ in codes], targets, new, max_iter=MAX_ITER, tol=TOL, names=list(variables)
        )
        new, converged, iterations = (
            np.array(res.weights, dtype=np.float64),
            res.converged,
            res.iterations,
        )
        notices += [
            Notice(
                f"release_weights_{x.code}",
                f"recalibrating the release weights: {x.message}",
                x.details,
            )
            for x in res.notices
        ]
    else:
        notices.append(
            Notice(
                "no_weighting_variables_released",
                "no weighting variable is in the release: every record gets the mean weight",
                {},
            )
        )
    if not np.all(np.isfinite(new)) or np.any(new <= 0):
        raise DisclosureError(
            "recalibrated release weights are not all positive",
            [Problem("non-positive or infinite release weight", hint="report this as a bug")],
            code="release_weights_invalid",
        )
    err = 0.0  # largest relative change of a released category's weighted total (categories of min_count or more)
    for c, size in codes:
        big = np.bincount(c, minlength=size) >= min_count
        a, b = (
            np.bincount(c, weights=w, minlength=size)[big],
            np.bincount(c, weights=new, minlength=size)[big],
        )
        if a.shape[0]:
            err = max(err, float(np.max(np.abs(b - a) / np.maximum(a, 1e-300))))
    ratio = new / w
    return (
        new,
        WeightTreatment(
            "released_margins",
            variables,
            min_count,
            int(small.sum()),
            bool(converged),
            int(iterations),
            err,
            kish_deff(w),
            kish_deff(new),
            float(ratio.min()),
            float(np.median(ratio)),
            float(ratio.max()),
            float(w.sum()),
            float(new.sum()),
        ),
        tuple(notices),
    )


def unchanged(weights: np.ndarray) -> WeightTreatment:
    w = np.asarray(weights, dtype=np.float64)
    k = kish_deff(w) if w.shape[0] else 1.0
    return WeightTreatment(
        "original", (), 0, 0, True, 0, 0.0, k, k, 1.0, 1.0, 1.0, float(w.sum()), float(w.sum())
    )
