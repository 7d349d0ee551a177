"""The previous wave beside this wave's estimates: its estimate per (indicator, by, level) under this
wave's names, and the test of the change.

Two sources, in this order:

1. wave columns in the estimates table itself: ``estimate_prev`` (required for this route) and
   optionally ``ci_low_prev``, ``ci_high_prev``, ``se_prev``, ``n_prev``, ``flags_prev`` and the
   test ``wave_diff``, ``wave_p_value``, ``wave_significant``;
2. the previous wave's own estimates table (the same contract, that wave's indicator and variable
   names), passed as ``ReportContext.previous``. Names are translated through the questionnaire's
   ``mapping`` (``[this wave, previous wave]`` pairs); the test of the change is the estimation
   engine's :func:`pipeline.estimation.compare.compare_waves` (independent samples, z test), so the
   statistics live in one place.

A previous-wave cell flagged ``suppressed`` carries no numbers (as in :mod:`.estimates`), and a
change involving a suppressed cell is never marked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from pipeline.errors import InputError, Problem
from pipeline.reports.estimates import Cell, Estimates, text_value
from pipeline.rundata.levels import CROSS_SEP, level_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.questionnaire.model import Questionnaire

PREV_SUFFIX = "_prev"
PREV_FIELDS: tuple[str, ...] = ("estimate", "ci_low", "ci_high", "se", "n", "flags", "weighted_n")
WAVE_TEST_COLUMNS: tuple[str, ...] = ("wave_diff", "wave_p_value", "wave_significant")
KEY = ("indicator", "by", "level")


@dataclass(frozen=True)
class WaveCell:
    """The previous wave's estimate for one key of this wave, and the test of the change."""

    previous: Cell  # keyed by the previous table's (indicator, by, level) for tracing
    diff: float | None = None  # this wave minus the previous one
    p_value: float | None = None
    significant: bool | None = None

    def marked(self, alpha: float = 0.05) -> bool | None:
        if self.previous.suppressed or self.previous.estimate is None:
            return None
        if self.significant is not None:
            return self.significant
        if self.p_value is not None:
            return self.p_value < alpha
        return None


class PreviousWave:
    """Lookups of :class:`WaveCell` by this wave's (indicator, by, level)."""

    def __init__(
        self, cells: dict[tuple[str, str, str], WaveCell], wave: int | None, source: str, kind: str
    ) -> None:
        self._cells = cells
        self.wave = wave
        self.source = source
        # "table": numbers traced to the previous table's rows (data-source="previous");
        # "columns": to the ``*_prev`` columns of this table (data-source="previous-columns")
        self.kind = kind

    def get(self, indicator: str, by: str = "", level: str | int = "") -> WaveCell | None:
        return self._cells.get((indicator, by, level_text(level)))

    def __len__(self) -> int:
        return len(self._cells)


def _rename_maps(q: Questionnaire) -> tuple[dict[str, str], dict[str, str]]:
    """(previous indicator -> this wave's, previous variable -> this wave's)."""
    if q.mapping is None:
        return {}, {}
    return (
        {prev: now for now, prev in q.mapping.indicators},
        {prev: now for now, prev in q.mapping.items},
    )


def _translate(prev: pd.DataFrame, q: Questionnaire) -> pd.DataFrame:
    """The previous table under this wave's names, keys normalised; the previous names kept in
    ``_prev_indicator`` / ``_prev_by`` so a shown number can be traced to its row."""
    ind_map, var_map = _rename_maps(q)
    out = prev.copy()
    out["_prev_indicator"] = [text_value(v) for v in out["indicator"]]
    out["_prev_by"] = [text_value(v) for v in out["by"]]
    out["level"] = [level_text(v) for v in out["level"]]

    def ind(name: str) -> str:
        for suffix in ("_acuut", ""):
            base = name[: -len(suffix)] if suffix and name.endswith(suffix) else name
            if base in ind_map and (not suffix or name.endswith(suffix)):
                return ind_map[base] + suffix
        return name

    out["indicator"] = [ind(v) for v in out["_prev_indicator"]]
    out["by"] = [
        CROSS_SEP.join(var_map.get(p, p) for p in b.split(CROSS_SEP)) if b else ""
        for b in out["_prev_by"]
    ]
    return out


def _now_frame(now: pd.DataFrame | Estimates) -> pd.DataFrame:
    """This wave's keys, estimates, SEs, n and flags (from the table, or from checked cells)."""
    import pandas as pd

    if isinstance(now, Estimates):
        return pd.DataFrame(
            [
                {
                    "indicator": c.indicator,
                    "by": c.by,
                    "level": c.level,
                    "stat": c.stat,
                    "estimate": c.estimate,
                    "se": c.se,
                    "n": c.n,
                    "flags": ";".join(sorted(c.flags)),
                }
                for c in now.cells()
            ],
            columns=[*KEY, "stat", "estimate", "se", "n", "flags"],
        )
    return now[
        [c for c in (*KEY, "stat", "estimate", "se", "n", "flags") if c in now.columns]
    ].copy()


def from_table(
    now: pd.DataFrame | Estimates,
    prev: pd.DataFrame,
    q: Questionnaire,
    wave: int | None,
    source: str = "previous estimates table",
) -> PreviousWave:
    """Attach the previous wave's own estimates table (see the module docstring)."""
    from pipeline.estimation.compare import compare_waves
    from pipeline.reports.estimates import REQUIRED_COLUMNS

    missing = [c for c in REQUIRED_COLUMNS if c not in prev.columns]
    if missing:
        raise InputError(
            f"{source}: not an estimates table ({len(missing)} column(s) missing)",
            [
                Problem(
                    "column missing",
                    file=source,
                    column=c,
                    expected="the columns of the estimates contract",
                )
                for c in missing
            ],
            code="bad_estimates",
        )
    tr = _translate(prev, q)
    cells = Estimates.from_frame(tr.drop(columns=["_prev_indicator", "_prev_by"]), source)
    names = {
        (i, b, lv): (pi, pb)
        for i, b, lv, pi, pb in zip(
            tr["indicator"],
            tr["by"],
            tr["level"],
            tr["_prev_indicator"],
            tr["_prev_by"],
            strict=True,
        )
    }
    left = _now_frame(now)
    left["by"] = [text_value(v) for v in left["by"]]
    left["level"] = [level_text(v) for v in left["level"]]
    left["indicator"] = [text_value(v) for v in left["indicator"]]
    right = tr[
        [c for c in (*KEY, "stat", "estimate", "se", "n", "flags") if c in tr.columns]
    ].copy()
    for t in (left, right):
        t["flags"] = [text_value(v) for v in t["flags"]]
        if "stat" in t.columns:
            t["stat"] = [text_value(v) or "proportion" for v in t["stat"]]
    test = compare_waves(left, right)
    tests = {
        (i, b, lv): (d, p, s)
        for i, b, lv, d, p, s in zip(
            test["indicator"],
            test["by"],
            test["level"],
            test["diff"],
            test["p_value"],
            test["significant"],
            strict=True,
        )
    }
    out: dict[tuple[str, str, str], WaveCell] = {}
    for c in cells.cells():
        key = (c.indicator, c.by, c.level)
        pi, pb = names[key]
        shown = replace(c, indicator=pi, by=pb)  # traced to the previous table's row
        d, p, s = tests.get(key, (None, None, None))
        usable = not c.suppressed and _num(p) is not None
        out[key] = WaveCell(
            shown,
            _num(d) if usable else None,
            _num(p) if usable else None,
            bool(s) if usable else None,
        )
    return PreviousWave(out, wave, source, "table")


def from_columns(
    df: pd.DataFrame, source: str = "estimates table", wave: int | None = None
) -> PreviousWave | None:
    """Wave columns of the estimates table itself; None when there is no ``estimate_prev`` column."""
    import pandas as pd

    if "estimate" + PREV_SUFFIX not in df.columns:
        return None
    cols = {f: f + PREV_SUFFIX for f in PREV_FIELDS if f + PREV_SUFFIX in df.columns}
    prev = pd.DataFrame({"indicator": df["indicator"], "by": df["by"], "level": df["level"]})
    for f in ("n", "weighted_n", "estimate", "se", "ci_low", "ci_high", "deff", "flags"):
        prev[f] = df[cols[f]] if f in cols else ("" if f == "flags" else float("nan"))
    if "stat" in df.columns:
        prev["stat"] = df["stat"]
    has_prev = (
        prev["estimate"].notna().to_numpy()
        | prev["flags"].astype(str).str.contains("suppressed").to_numpy()
    )
    if "n" not in cols:
        prev["n"] = 0
    prev = prev[has_prev & prev["n"].notna().to_numpy()]
    cells = Estimates.from_frame(prev, source + " (previous-wave columns)")
    tests = {}
    if any(c in df.columns for c in WAVE_TEST_COLUMNS):
        for rec in df.to_dict("records"):
            key = (
                text_value(rec["indicator"]),
                text_value(rec["by"]),
                level_text(rec["level"]),
            )
            tests[key] = (
                _num(rec.get("wave_diff")),
                _num(rec.get("wave_p_value")),
                _bool(rec.get("wave_significant")),
            )
    out: dict[tuple[str, str, str], WaveCell] = {}
    for c in cells.cells():
        key = (c.indicator, c.by, c.level)
        d, p, s = tests.get(key, (None, None, None))
        if c.suppressed:
            d = p = s = None
        out[key] = WaveCell(c, d, p, s)
    return PreviousWave(out, wave, source, "columns")


def _num(v: object) -> float | None:
    from pipeline.reports.estimates import number_value

    return number_value(v)


def _bool(v: object) -> bool | None:
    from pipeline.reports.estimates import bool_value

    return bool_value(v)
