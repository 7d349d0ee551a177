"""Reliability flags from unweighted sample sizes, used by every output.

One frozen rule set (:class:`ReliabilityRules`) turns each estimate's unweighted ``n`` (and whether it
has a usable variance) into flags. Outputs keep the numbers and read the flags: a report or custom
table blanks ``suppressed`` cells and marks ``unreliable`` ones ("to be read with care"); the
microdata checks use the same rules. :func:`mask_suppressed` is the one way to blank them.

Flags (a ``;``-joined, sorted string, empty when none apply):

- ``suppressed``: ``n < suppress_below`` (default 30);
- ``unreliable``: ``suppress_below <= n < careful_below`` (default 50), to be read with care;
- ``no_variance``: the standard error or interval could not be computed (e.g. one PSU in the domain,
  so no design degrees of freedom).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pipeline.errors import SpecError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

SUPPRESSED = "suppressed"
UNRELIABLE = "unreliable"
NO_VARIANCE = "no_variance"
FLAG_CODES: tuple[str, ...] = (NO_VARIANCE, SUPPRESSED, UNRELIABLE)


@dataclass(frozen=True)
class ReliabilityRules:
    """Thresholds on the unweighted number of observations behind an estimate."""

    suppress_below: int = 30
    careful_below: int = 50

    def __post_init__(self) -> None:
        if self.suppress_below < 0 or self.careful_below < self.suppress_below:
            raise SpecError(
                f"reliability thresholds must satisfy 0 <= suppress_below <= careful_below "
                f"(found {self.suppress_below}, {self.careful_below})",
                code="bad_reliability_rules",
            )

    def flags(self, n: np.ndarray, no_variance: np.ndarray | None = None) -> np.ndarray:
        """One flag string per estimate (object array)."""
        n = np.asarray(n)
        sup = n < self.suppress_below
        care = ~sup & (n < self.careful_below)
        nov = (
            np.zeros(n.shape, dtype=bool)
            if no_variance is None
            else np.asarray(no_variance, dtype=bool)
        )
        out = np.empty(n.shape, dtype=object)
        for i in range(n.size):
            parts = []
            if nov.flat[i]:
                parts.append(NO_VARIANCE)
            if sup.flat[i]:
                parts.append(SUPPRESSED)
            elif care.flat[i]:
                parts.append(UNRELIABLE)
            out.flat[i] = ";".join(parts)
        return out


def has_flag(flags: object, flag: str) -> bool:
    return isinstance(flags, str) and flag in flags.split(";")


def significant_unless_suppressed(
    p_value: np.ndarray, flags: np.ndarray, alpha: float
) -> np.ndarray:
    """``p_value < alpha``, but never for a row whose flags hold ``suppressed``: an estimate too small
    to publish is not declared significantly different either (a missing p-value is not significant)."""
    p = np.asarray(p_value, dtype=np.float64)
    sup = np.array([has_flag(f, SUPPRESSED) for f in np.asarray(flags, dtype=object).ravel()])
    sig = np.where(np.isfinite(p), p < alpha, False)
    return sig & ~sup.reshape(p.shape) if p.size else sig.astype(bool)


def merge_flags(*flag_strings: object) -> str:
    """Union of several flag strings, sorted (for comparisons of two estimates)."""
    seen: set[str] = set()
    for f in flag_strings:
        if isinstance(f, str) and f:
            seen.update(f.split(";"))
    return ";".join(sorted(seen))


def mask_suppressed(
    table: pd.DataFrame, columns: tuple[str, ...] = ("estimate", "se", "ci_low", "ci_high", "deff")
) -> pd.DataFrame:
    """A copy of an estimates table with the numbers of ``suppressed`` rows blanked (NaN)."""
    out = table.copy()
    sup = out["flags"].map(lambda f: has_flag(f, SUPPRESSED)).to_numpy(dtype=bool)
    for c in columns:
        if c in out.columns:
            out[c] = out[c].astype("float64").where(~sup)
    return out
