"""Primary suppression: which cells may not be published on their own.

A *cell* is one figure of a table (a count, a percentage, a mean or an enterprise magnitude) computed on
``n`` unweighted respondents (or enterprises). Rules (all configurable, frozen):

- **minimum n** -- counts need ``n >= min_n_count`` (default 5); percentages and means need
  ``n >= min_n_percent`` (default 30) and are flagged *unreliable* below ``unreliable_below``
  (default 50, i.e. 30-49). An empty cell (n = 0: a count of zero, a percentage or mean that does
  not exist) is safe, since nobody is described, unless ``zero_unsafe``.
- **(n,k) dominance** for magnitude tables: unsafe if the ``n`` largest contributions make up more
  than ``k`` percent of the cell total (default n=2, k=85).
- **p% rule** for magnitude tables: unsafe if the cell total minus its two largest contributions is
  less than ``p`` percent of the largest (the second largest contributor could then estimate the
  largest to within p%; default p=10).

Status codes are stable strings (reports and tests refer to codes, never to message text):
``ok``, ``unreliable``, ``primary:min_n``, ``primary:zero``, ``primary:dominance``,
``primary:p_percent``, ``secondary`` (complementary suppression inside the table) and
``secondary:history`` (suppressed by the respondent-level differencing checks: because of earlier
releases to the same requester, or because a group the table's own cells derive is unsafe, e.g. a
dominated union of magnitude cells). Published
output must not tell primary from secondary suppression (that would point at the small cells):
:func:`public_flag` maps every suppressed status to the single public flag ``suppressed``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from pipeline.errors import Problem, SpecError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

OK = "ok"
UNRELIABLE = "unreliable"
PRIMARY_MIN_N = "primary:min_n"
PRIMARY_ZERO = "primary:zero"
PRIMARY_DOMINANCE = "primary:dominance"
PRIMARY_P_PERCENT = "primary:p_percent"
SECONDARY = "secondary"
SECONDARY_HISTORY = "secondary:history"

STATUSES = (
    OK,
    UNRELIABLE,
    PRIMARY_MIN_N,
    PRIMARY_ZERO,
    PRIMARY_DOMINANCE,
    PRIMARY_P_PERCENT,
    SECONDARY,
    SECONDARY_HISTORY,
)

PUBLIC_SUPPRESSED = "suppressed"
PUBLIC_UNRELIABLE = "unreliable"


class TableKind(StrEnum):
    """What a table's cells publish; decides which rules apply."""

    count = "count"  # type: ignore[assignment]  # frequencies / weighted population counts (shadows str.count)
    percent = "percent"  # percentages (shares) of a domain
    mean = "mean"  # means of a score; same minimum n as percentages
    magnitude = "magnitude"  # sums of a quantity over enterprises (turnover, staff, ...)


@dataclass(frozen=True)
class DominanceRule:
    n: int = 2
    k: float = 85.0  # percent


@dataclass(frozen=True)
class PrimaryRules:
    """Primary suppression configuration (frozen). Defaults follow common statistical-office practice."""

    min_n_count: int = 5
    min_n_percent: int = 30
    unreliable_below: int = 50  # percentages/means with min_n_percent <= n < this are 'unreliable'
    min_n_magnitude: int = 5  # enterprises per magnitude cell (threshold rule)
    dominance: tuple[DominanceRule, ...] = field(default_factory=lambda: (DominanceRule(),))
    p_percent: float | None = 10.0
    zero_unsafe: bool = False  # treat empty count cells as unsafe (group disclosure)

    def __post_init__(self) -> None:
        problems = []
        for name in ("min_n_count", "min_n_percent", "unreliable_below", "min_n_magnitude"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                problems.append(
                    Problem(f"{name} must be a non-negative integer", path=name, value=v)
                )
        if (
            isinstance(self.unreliable_below, int)
            and isinstance(self.min_n_percent, int)
            and self.unreliable_below < self.min_n_percent
        ):
            problems.append(
                Problem(
                    "unreliable_below must be at least min_n_percent",
                    path="unreliable_below",
                    value=self.unreliable_below,
                    expected=f">= {self.min_n_percent}",
                )
            )
        for i, d in enumerate(self.dominance):
            if d.n < 1 or not (0 < d.k <= 100):
                problems.append(
                    Problem(
                        "a dominance rule needs n >= 1 and 0 < k <= 100",
                        path=f"dominance[{i}]",
                        value=(d.n, d.k),
                    )
                )
        if self.p_percent is not None and not (0 < self.p_percent <= 100):
            problems.append(
                Problem("p_percent must be in (0, 100]", path="p_percent", value=self.p_percent)
            )
        if problems:
            raise SpecError("invalid disclosure rules", problems)

    def min_n(self, kind: TableKind) -> int:
        """The minimum unweighted n of a publishable cell (or derived group) of this kind."""
        if kind == TableKind.count:
            return self.min_n_count
        if kind == TableKind.magnitude:
            return self.min_n_magnitude
        return self.min_n_percent

    def describe(self) -> dict[str, object]:
        """Plain data for notes sheets, logs and request hashes."""
        return {
            "min_n_count": self.min_n_count,
            "min_n_percent": self.min_n_percent,
            "unreliable_below": self.unreliable_below,
            "min_n_magnitude": self.min_n_magnitude,
            "dominance": [[d.n, d.k] for d in self.dominance],
            "p_percent": self.p_percent,
            "zero_unsafe": self.zero_unsafe,
        }


DEFAULT_RULES = PrimaryRules()


def primary_status(
    kind: TableKind | str,
    n: int,
    rules: PrimaryRules = DEFAULT_RULES,
    contributions: Sequence[float] | np.ndarray | None = None,
) -> str:
    """The primary status of one cell. ``contributions`` (magnitude tables) are the per-unit values
    (already weighted if the table is weighted); absolute values are used for dominance and p%."""
    kind = TableKind(kind)
    if n < 0:
        raise ValueError(f"a cell count cannot be negative: {n}")
    if (
        n == 0
    ):  # describes no one (no percentage, mean or total exists; hiding it would cost other cells)
        return PRIMARY_ZERO if rules.zero_unsafe else OK
    if kind == TableKind.count:
        return PRIMARY_MIN_N if n < rules.min_n_count else OK
    if kind in (TableKind.percent, TableKind.mean):
        if n < rules.min_n_percent:
            return PRIMARY_MIN_N
        return UNRELIABLE if n < rules.unreliable_below else OK
    # magnitude
    if n < rules.min_n_magnitude:
        return PRIMARY_MIN_N
    if contributions is None:
        raise ValueError("a magnitude cell needs its contributions for the dominance and p% rules")
    return _magnitude_status(contributions, rules)


def _magnitude_status(contributions: Sequence[float] | np.ndarray, rules: PrimaryRules) -> str:
    xs = sorted((abs(float(x)) for x in contributions), reverse=True)
    if any(math.isnan(x) for x in xs):
        raise ValueError("contributions contain NaN")
    total = math.fsum(xs)
    if total <= 0:
        return OK
    for d in rules.dominance:
        if math.fsum(xs[: d.n]) > d.k / 100.0 * total:
            return PRIMARY_DOMINANCE
    if rules.p_percent is not None:
        x1 = xs[0]
        rest = total - x1 - (xs[1] if len(xs) > 1 else 0.0)
        if rest < rules.p_percent / 100.0 * x1:
            return PRIMARY_P_PERCENT
    return OK


def ratio_status(
    weights: np.ndarray, values: np.ndarray, rules: PrimaryRules = DEFAULT_RULES
) -> str:
    """The primary status of a ratio of two magnitude totals over one cell's units,
    ``sum(w * y) / sum(w)`` (a share of employees: ``w`` an organisation's weighted number of
    employees, ``y`` its 0/1 answer): the magnitude rules on the denominator's contributions
    ``w``, then on the numerator's ``w * y`` and on the rest's ``w * (1 - y)`` (the denominator
    minus the numerator: derivable from the two), each with its own contributors. A numerator or
    rest without contributors is no total of anyone (the ratio is 0 or 1, which the unweighted
    share of the same units tells anyway): not checked. An empty cell: :func:`primary_status`."""
    import numpy as np

    w = np.abs(np.asarray(weights, dtype=float))
    y = np.asarray(values, dtype=float)
    status = primary_status(TableKind.magnitude, int(w.size), rules, w)
    if status != OK or w.size == 0:
        return status
    for part in (w * y, w * (1.0 - y)):
        units = part[part != 0]
        if units.size:
            status = primary_status(TableKind.magnitude, int(units.size), rules, units)
            if status != OK:
                return status
    return OK


def primary_statuses(
    kind: TableKind | str,
    n: Sequence[int],
    rules: PrimaryRules = DEFAULT_RULES,
    contributions: Sequence[Sequence[float]] | None = None,
) -> tuple[str, ...]:
    """:func:`primary_status` for every cell of a table."""
    if contributions is not None and len(contributions) != len(n):
        raise ValueError("one contribution list per cell is needed")
    return tuple(
        primary_status(kind, int(ni), rules, None if contributions is None else contributions[i])
        for i, ni in enumerate(n)
    )


def is_primary(status: str) -> bool:
    return status.startswith("primary:")


def is_suppressed(status: str) -> bool:
    return status.startswith(("primary:", "secondary"))


def public_flag(status: str) -> str:
    """The flag shown in published output: '' | 'unreliable' | 'suppressed' (primary and secondary alike)."""
    if status not in STATUSES:
        raise ValueError(f"unknown cell status {status!r}")
    if is_suppressed(status):
        return PUBLIC_SUPPRESSED
    return PUBLIC_UNRELIABLE if status == UNRELIABLE else ""


def legend(rules: PrimaryRules, lang: str = "nl") -> tuple[tuple[str, str, str], ...]:
    """(public flag, symbol, explanation) rows for a notes sheet's suppression legend."""
    nl = lang != "en"
    sup = (
        f"Niet gepubliceerd: te weinig respondenten (minder dan {rules.min_n_count} voor aantallen, "
        f"{rules.min_n_percent} voor percentages en gemiddelden), dominantie of p%-regel, of onderdrukt "
        "opdat een ander niet-gepubliceerd cijfer niet uit totalen of eerdere tabellen kan worden berekend."
        if nl
        else f"Not published: too few respondents (fewer than {rules.min_n_count} for counts, {rules.min_n_percent} "
        "for percentages and means), dominance or p% rule, or suppressed so that another unpublished figure "
        "cannot be derived from totals or earlier tables."
    )
    unr = (
        f"Onbetrouwbaar: gebaseerd op {rules.min_n_percent} tot {rules.unreliable_below - 1} respondenten; "
        "voorzichtig interpreteren."
        if nl
        else f"Unreliable: based on {rules.min_n_percent} to {rules.unreliable_below - 1} respondents; interpret with care."
    )
    return ((PUBLIC_SUPPRESSED, "x", sup), (PUBLIC_UNRELIABLE, "(!)", unr))
