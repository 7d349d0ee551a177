"""Read-only view of the tidy estimates table (``04_estimate/estimates.parquet``) for the outputs.

The table is checked once (columns present, keys unique, proportions in [0, 1]) and turned into
frozen :class:`Cell` records. A cell flagged ``suppressed`` carries **no** numbers: its estimate,
CI and test results are dropped here, so no renderer can show them by mistake. Formatting helpers
write Dutch numbers (decimal comma).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from pipeline.errors import InputError, Problem
from pipeline.rundata.levels import level_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.questionnaire.model import Questionnaire

REQUIRED_COLUMNS: tuple[str, ...] = (
    "indicator",
    "by",
    "level",
    "n",
    "weighted_n",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "deff",
    "flags",
)
SUPPRESSED = "suppressed"
UNRELIABLE = "unreliable"
DASH = "–"  # shown instead of a suppressed number
#: An earlier wave's figure that no release in that wave's ledger logged (the wave was published
#: without protecting its reports, or the figure was not among them): not the engine's suppression.
UNRELEASED = "unreleased"

#: Why a dash is there, as the reports say it (the ``title`` of a dash and the legends). Without the
#: publisher's protection the estimate stage hides only figures on too few respondents. Under it
#: the engine also hides figures to protect others, and which of the two hid a figure is not told
#: (it would bound the n of the small one: :mod:`pipeline.tables.reasons`); a figure an earlier
#: wave never released says so.
DASH_TOO_FEW = "niet gepubliceerd: te weinig respondenten"
DASH_PROTECTED = (
    "niet gepubliceerd: te weinig respondenten, of verborgen om een ander cijfer te beschermen"
)
DASH_UNRELEASED = "niet gepubliceerd in die meting"


def dash_reason(protected: bool, flags: frozenset[str] | tuple[str, ...] = ()) -> str:
    """The true reason of a dash: ``protected`` (the reports' figures through the engine) and the
    figure's flags (an earlier wave's :data:`UNRELEASED`)."""
    if UNRELEASED in flags:
        return DASH_UNRELEASED
    return DASH_PROTECTED if protected else DASH_TOO_FEW


MEAN_STATS = frozenset({"mean", "total"})


@dataclass(frozen=True)
class Cell:
    """One estimate. For a suppressed cell every number except ``n`` is None."""

    indicator: str
    by: str
    level: str
    n: int
    flags: frozenset[str]
    stat: str = "proportion"
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    se: float | None = None
    weighted_n: float | None = None
    diff: float | None = None
    p_value: float | None = None
    significant: bool | None = None

    @property
    def suppressed(self) -> bool:
        return SUPPRESSED in self.flags

    @property
    def unreliable(self) -> bool:
        return UNRELIABLE in self.flags and not self.suppressed

    @property
    def is_share(self) -> bool:
        return self.stat not in MEAN_STATS

    def marked(self, alpha: float = 0.05) -> bool | None:
        """True/False when a test against the rest of Flanders is available, None otherwise."""
        if self.suppressed:
            return None
        if self.significant is not None:
            return self.significant
        if self.p_value is not None:
            return self.p_value < alpha
        return None


def number_value(v: Any) -> float | None:
    """A table value as a float; None for empty, NaN, NA or text that is not a number."""
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def bool_value(v: Any) -> bool | None:
    """A table value as a bool ("true"/"1"/1/True ...); None for empty or unreadable."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, str):
        t = v.strip().lower()
        if t in ("true", "1", "yes"):
            return True
        if t in ("false", "0", "no"):
            return False
        return None
    try:
        return bool(v)
    except (TypeError, ValueError):  # pandas.NA
        return None


def text_value(v: Any) -> str:
    """A table value as stripped text; "" for empty, NaN or NA."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    t = str(v).strip()
    return "" if t in ("nan", "None", "<NA>") else t


_num, _bool, _text = number_value, bool_value, text_value


def _flags(v: Any) -> frozenset[str]:
    return frozenset(f for f in _text(v).replace(";", ",").replace(" ", ",").split(",") if f)


class Estimates:
    """The checked estimates table with lookups by (indicator, by, level)."""

    def __init__(
        self, cells: Iterable[Cell], source: str = "estimates table", previous: Any = None
    ) -> None:
        self.source = source
        self.previous = previous  # a pipeline.reports.waves.PreviousWave, or None
        self._cells: dict[tuple[str, str, str], Cell] = {}
        dup: list[Problem] = []
        for c in cells:
            key = (c.indicator, c.by, c.level)
            if key in self._cells:
                dup.append(
                    Problem(
                        "duplicate estimate",
                        file=source,
                        value=f"{c.indicator} / {c.by or 'overall'} / {c.level}",
                        hint="the table must have one row per indicator, by and level",
                    )
                )
            self._cells[key] = c
        if dup:
            raise InputError(f"{source}: {len(dup)} duplicate row(s)", dup, code="bad_estimates")

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        source: str = "estimates table",
        *,
        mean_indicators: Collection[str] = (),
    ) -> Estimates:
        """Check and convert the table. Without a ``stat`` column every row is a share (0-1) except
        the ``mean_indicators`` (e.g. count indicators such as aantal_problemen)."""
        missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
        if missing:
            raise InputError(
                f"{source}: not an estimates table ({len(missing)} column(s) missing)",
                [
                    Problem(
                        "column missing",
                        file=source,
                        column=c,
                        expected="the columns of the estimates contract: "
                        + ", ".join(REQUIRED_COLUMNS),
                    )
                    for c in missing
                ],
                code="bad_estimates",
            )
        problems: list[Problem] = []
        cells: list[Cell] = []
        opt = {c: c in df.columns for c in ("stat", "diff", "p_value", "significant")}
        for pos, rec in enumerate(df.to_dict("records")):
            flags = _flags(rec["flags"])
            stat = _text(rec["stat"]) if opt["stat"] else ""
            stat = stat or ("mean" if _text(rec["indicator"]) in mean_indicators else "proportion")
            n_val = _num(rec["n"])
            if n_val is None:
                problems.append(
                    Problem("n is empty", file=source, row=pos + 1, column="n", expected="a count")
                )
                continue
            base = Cell(
                indicator=_text(rec["indicator"]),
                by=_text(rec["by"]),
                level=level_text(rec["level"]),
                n=int(n_val),
                flags=flags,
                stat=stat,
            )
            if SUPPRESSED in flags:
                cells.append(base)  # numbers deliberately dropped
                continue
            est = _num(rec["estimate"])
            if stat not in MEAN_STATS and est is not None and not (-1e-9 <= est <= 1 + 1e-9):
                problems.append(
                    Problem(
                        "a share outside [0, 1]",
                        file=source,
                        row=pos + 1,
                        column="estimate",
                        value=est,
                        expected="proportions as fractions (0.523, not 52.3)",
                        hint="write shares as fractions or set stat to 'mean'",
                    )
                )
            cells.append(
                replace(
                    base,
                    estimate=est,
                    ci_low=_num(rec["ci_low"]),
                    ci_high=_num(rec["ci_high"]),
                    se=_num(rec["se"]),
                    weighted_n=_num(rec["weighted_n"]),
                    diff=_num(rec["diff"]) if opt["diff"] else None,
                    p_value=_num(rec["p_value"]) if opt["p_value"] else None,
                    significant=_bool(rec["significant"]) if opt["significant"] else None,
                )
            )
        if problems:
            raise InputError(
                f"{source}: {len(problems)} bad row(s)", problems, code="bad_estimates"
            )
        return cls(cells, source)

    def get(self, indicator: str, by: str = "", level: str | int = "") -> Cell | None:
        return self._cells.get((indicator, by, level_text(level)))

    def overall(self, indicator: str) -> Cell | None:
        return self.get(indicator)

    def bys(self) -> frozenset[str]:
        return frozenset(k[1] for k in self._cells)

    def levels(self, by: str) -> tuple[str, ...]:
        """Levels present for a ``by``, sorted by code."""
        found = {k[2] for k in self._cells if k[1] == by}
        return tuple(sorted(found, key=_level_sort_key))

    def has_test_columns(self) -> bool:
        return any(c.significant is not None or c.p_value is not None for c in self._cells.values())

    def cells(self) -> tuple[Cell, ...]:
        return tuple(self._cells.values())

    def indicators(self, by: str = "") -> tuple[str, ...]:
        """Indicators with at least one row for ``by`` (overall: ""), in table order."""
        return tuple(dict.fromkeys(k[0] for k in self._cells if k[1] == by))

    def with_previous(self, previous: Any) -> Estimates:
        """The same cells with a previous wave attached (see :mod:`pipeline.reports.waves`)."""
        out = Estimates.__new__(Estimates)
        out.source, out._cells, out.previous = self.source, self._cells, previous
        return out


def estimates_for(
    estimates: pd.DataFrame | Estimates,
    q: Questionnaire,
    *,
    previous: pd.DataFrame | None = None,
    previous_wave: int | None = None,
    source: str = "estimates table",
) -> Estimates:
    """The checked table; count indicators of the questionnaire are means unless ``stat`` says otherwise.

    The previous wave comes from wave columns of the table itself (``estimate_prev`` ...) or else
    from ``previous`` (that wave's estimates table); an :class:`Estimates` is returned as is."""
    if isinstance(estimates, Estimates):
        return estimates
    from pipeline.reports import waves

    est = Estimates.from_frame(
        estimates, source, mean_indicators={i.name for i in q.indicators if i.kind == "count"}
    )
    prev = waves.from_columns(estimates, source, previous_wave)
    if prev is None and previous is not None:
        prev = waves.from_table(estimates, previous, q, previous_wave)
    return est.with_previous(prev) if prev is not None else est


def _level_sort_key(level: str) -> tuple[tuple[int, float | str], ...]:
    out: list[tuple[int, float | str]] = []
    for p in level.split(":"):
        try:
            out.append((0, float(p)))
        except ValueError:
            out.append((1, p))
    return tuple(out)


# ---- Dutch number formatting (also used by the tests' expectations) ----


def fmt_number(x: float, decimals: int = 1) -> str:
    s = f"{x:.{decimals}f}"
    if s.startswith("-") and float(s) == 0:
        s = s[1:]
    return s.replace(".", ",")


def fmt_count(n: object) -> str:
    """A count the Dutch way: ``2826`` -> ``2.826`` (a point between thousands); text as it is."""
    if isinstance(n, bool) or not isinstance(n, int | float):
        return "" if n is None else str(n)
    return f"{int(round(n)):,}".replace(",", ".")


def fmt_value(cell: Cell | None, v: float | None) -> str:
    """A share as a percentage ("52,3"), a mean as is ("1,2"); a dash for suppressed/missing."""
    if cell is None or cell.suppressed or v is None:
        return DASH
    return fmt_number(v * 100 if cell.is_share else v, 1)


def fmt_diff(cell: Cell | None) -> str:
    if cell is None or cell.suppressed or cell.diff is None:
        return DASH
    s = fmt_number(cell.diff * 100 if cell.is_share else cell.diff, 1)
    return s if s.startswith("-") or s == "0,0" else "+" + s
