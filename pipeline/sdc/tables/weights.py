"""Published weighted N that cannot single out a respondent's weight (review finding 6).

The attack: the difference of two published weighted N whose respondent sets differ by one person is
that person's weight, and a weight that is unique in the scientific-use file finds the record. The
differencing check (:mod:`.history`) already refuses two released cells whose respondent sets differ
by fewer than the threshold; this module is the second line: even if such a pair were published,
their rounded difference must fit at least ``k`` respondents' weights.

Rounding both totals to a multiple of ``base`` (half away from zero) leaves the attacker the
difference ``d`` (a multiple of ``base``) with the true weight ``w`` in ``(d - base, d + base)``; ``d``
is one of the two multiples of ``base`` around ``w``. :func:`candidates` counts, for every weight, the
weights of the data that lie in the window the attacker would see, for both possible ``d``, and takes
the smaller count. :func:`safe_base` is the smallest multiple of the policy's base (at most
``max_factor`` times it) for which every weight has at least ``k`` candidates; ``None`` means that no
such base exists and the weighted N is left out of the publication.

The tail of a weight distribution (a few very large weights) is what forces a coarser base; the
data's own weights are used, which are the scientific-use file's weights (public-use files carry
recalibrated weights, which only makes the match harder).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

MAX_FACTOR = 20  # a base coarser than 20 x the policy's base: the weighted N is left out instead


def rounded(x: float, base: int) -> float | None:
    """A weighted N as published: rounded to a multiple of ``base`` (half away from zero)."""
    if math.isnan(x):
        return None
    return float(math.floor(abs(x) / base + 0.5) * base) * (1.0 if x >= 0 else -1.0)


def candidates(weights: Sequence[float] | np.ndarray, base: float) -> np.ndarray:
    """For each weight ``w``: the fewest weights (itself included) in ``(d - base, d + base)`` over
    the two multiples ``d`` of ``base`` that a difference of rounded totals can show for ``w``."""
    w = np.asarray(weights, dtype=float)
    w = w[np.isfinite(w) & (w > 0)]
    if w.size == 0:
        return np.zeros(0, dtype=np.int64)
    s = np.sort(w)
    lo_d = np.floor(s / base) * base
    out = None
    for d in (lo_d, lo_d + base):
        # open interval (d - base, d + base)
        left = np.searchsorted(s, d - base, side="right")
        right = np.searchsorted(s, d + base, side="left")
        c = right - left
        out = c if out is None else np.minimum(out, c)
    assert out is not None
    return out.astype(np.int64)


def safe_base(
    weights: Sequence[float] | np.ndarray, base: int, k: int, max_factor: int = MAX_FACTOR
) -> int | None:
    """The smallest multiple of ``base`` (up to ``max_factor`` times) at which every weight has at
    least ``k`` candidates (:func:`candidates`); ``None``: leave the weighted N out."""
    w = np.asarray(weights, dtype=float)
    if w.size == 0 or k <= 1:
        return base
    for m in range(1, max_factor + 1):
        c = candidates(w, base * m)
        if c.size == 0 or int(c.min()) >= k:
            return base * m
    return None
