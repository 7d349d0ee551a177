"""The change column of a table over several waves: each published cell of a wave against the same
cell (indicator, row level, column level) of an earlier requested wave, with its test.

The waves are independent samples with their own designs: the change is ``estimate - earlier``, its
standard error ``sqrt(se^2 + se_earlier^2)``, the 95% interval ``change +/- 1.96 se`` and a two-sided
z test (:func:`pipeline.estimation.compare.compare_waves`, the one implementation; golden-tested
against R ``survey``). A change is published only where both cells are (not suppressed, not empty,
with an estimate in the request's statistics): it is then the difference of two published numbers and
reveals nothing more. Across a break in the indicator's series
(:func:`pipeline.questionnaire.breaks.comparability` of the two waves' questionnaires) there is no
change (flag ``not_comparable``).

``change`` in the request: ``previous`` (default: each wave against the next older requested wave),
``first`` (against the oldest requested wave) or ``none``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.sdc.tables.rules import TableKind

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.tables.compute import IndicatorTable
    from pipeline.tables.release import TableRelease

Z95 = 1.959963984540054
CHANGE_FLAGS = ("", "suppressed", "not_comparable", "empty")


@dataclass(frozen=True)
class CellChange:
    since: int
    change: float | None  # in the table's unit (percentage points for percentage tables)
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    significant: bool | None
    flag: str  # '' | suppressed (either cell not published) | not_comparable | empty


def table_changes(release: TableRelease) -> dict[tuple[int, str, int], CellChange]:
    """(wave, indicator, cell index in that wave's table) -> its change (see the module docstring)."""
    from pipeline.estimation.compare import compare_waves
    from pipeline.questionnaire.breaks import comparability

    req = release.request.request
    waves = sorted(release.waves, key=lambda w: w.wave)
    if req.change == "none" or len(waves) < 2 or "estimate" not in req.published_statistics():
        return {}
    out: dict[tuple[int, str, int], CellChange] = {}
    for k, wr in enumerate(waves[1:], start=1):
        base = waves[0] if req.change == "first" else waves[k - 1]
        names = release.request.wave(wr.wave)
        old_names = release.request.wave(base.wave)
        comp = comparability(old_names.questionnaire, names.questionnaire)
        by_ind = {pt.numbers.indicator: pt for pt in base.tables}
        for pt in wr.tables:
            t = pt.numbers
            old = by_ind.get(t.indicator)
            if old is None or t.kind == TableKind.count or not t.se:
                continue
            column = names.indicators[t.indicator]
            if names.is_numeric(t.indicator):  # a numeric indicator: its own break or its item's
                own = next(k for k, v in names.numeric.items() if v == column)
                broken = comp.indicator_break(own) or comp.variable_break(column)
            else:
                broken = comp.indicator_break(column.removesuffix("_acuut"))
            scale = 100.0 if t.kind == TableKind.percent else 1.0
            where = {key: i for i, key in enumerate(old.numbers.structure.keys)}
            pairs: list[tuple[int, int]] = []
            for i, key in enumerate(t.structure.keys):
                j = where.get(key)
                if j is None:
                    continue
                f_now, f_old = pt.flag(i), old.flag(j)
                if broken is not None:
                    out[(wr.wave, t.indicator, i)] = _empty(base.wave, "not_comparable")
                elif "suppressed" in (f_now, f_old):
                    out[(wr.wave, t.indicator, i)] = _empty(base.wave, "suppressed")
                elif "empty" in (f_now, f_old):
                    out[(wr.wave, t.indicator, i)] = _empty(base.wave, "empty")
                else:
                    pairs.append((i, j))
            if not pairs:
                continue

            cmp = compare_waves(
                _frame(t, [i for i, _ in pairs]), _frame(old.numbers, [j for _, j in pairs])
            )
            for (i, _j), r in zip(pairs, cmp.itertuples(index=False), strict=True):
                d, se = float(r.diff), float(r.diff_se)
                out[(wr.wave, t.indicator, i)] = CellChange(
                    base.wave,
                    d * scale,
                    (d - Z95 * se) * scale,
                    (d + Z95 * se) * scale,
                    float(r.p_value),
                    bool(r.significant),
                    "",
                )
    return out


def _frame(tab: IndicatorTable, idx: list[int]) -> pd.DataFrame:
    """Cells of one table as estimates rows (keyed by their position in ``idx``)."""
    import pandas as pd

    return pd.DataFrame(
        {
            "indicator": tab.indicator,
            "by": "cell",
            "level": [str(k) for k in range(len(idx))],
            "n": [tab.n[x] for x in idx],
            "estimate": [tab.estimate[x] for x in idx],
            "se": [tab.se[x] for x in idx],
            "flags": "",
        }
    )


def _empty(since: int, flag: str) -> CellChange:
    return CellChange(since, None, None, None, None, None, flag)
