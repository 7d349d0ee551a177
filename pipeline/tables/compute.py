"""The numbers of a request's tables, from the estimation engine: one table per wave and indicator.

A table's cells are sets of respondents (:mod:`pipeline.sdc.tables.cells`): the request's filters, a
substantive value of the indicator, and one level (or the total) of each breakdown. The estimation
domains are built *from those sets*, so the published n is the disclosure engine's n by construction:
cells with the same breakdowns summed over (row levels, column levels, row totals, column totals,
the grand total) form one categorical domain variable each, and a single call of
:func:`pipeline.estimation.api.estimate` gives every cell's estimate, SE and CI. The design is the
whole sample with calibration-aware linearization (the run's recorded calibration model, as the estimate stage
does), so a filtered table is a domain estimate, never a re-weighted subset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from pipeline.errors import EstimationError
from pipeline.sdc.tables.cells import (
    CellDef,
    Condition,
    digest,
    members,
    membership,
    table_cells,
)
from pipeline.sdc.tables.protect import TableData
from pipeline.sdc.tables.rules import TableKind
from pipeline.sdc.tables.structure import TOTAL, Dimension, TableStructure, build
from pipeline.tables.request import ResolvedRequest, WaveNames
from pipeline.tables.source import WEIGHT, WaveData, numeric_values

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.estimation.design import Design

DOMAIN_PREFIX = "__cells_"
ALL = "all"


@dataclass(frozen=True)
class IndicatorTable:
    """One wave's table of one indicator: cells in structure order with the engine's numbers.

    ``estimate``, ``ci_low`` and ``ci_high`` are in the engine's units (a proportion in [0, 1] for
    percentage tables, a mean, or a weighted total for magnitude tables); NaN where there is none (an
    empty cell). ``masks`` is the respondents x cells membership the estimation domains were built
    from; ``digests`` are over each cell's members' row numbers (never respondent ids), computed once
    from it. Magnitude tables also carry every unit's contribution (weight x value): ``unit_values``
    per respondent (0 outside the cells), for the dominance and p% rules."""

    wave: int
    indicator: str  # the request's name
    variable: str  # this wave's column name (also the cells' measure)
    kind: TableKind
    structure: TableStructure
    cells: tuple[CellDef, ...]
    n: tuple[int, ...]
    weighted_n: tuple[float, ...]
    estimate: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    digests: tuple[str, ...]  # SHA-256 of each cell's members' row numbers, for the ledger
    masks: np.ndarray = field(compare=False, repr=False)
    unit_values: np.ndarray | None = field(default=None, compare=False, repr=False)
    se: tuple[float, ...] = ()  # the estimates' standard errors (change tests between waves)

    def table_data(self) -> TableData:
        """What :func:`pipeline.sdc.tables.protect.protect` protects: every additive quantity the
        table publishes (unweighted n, weighted N, and the weighted numerator estimate x N, which for
        a magnitude table is its total), with each magnitude cell's contributions."""
        from pipeline.sdc.tables.protect import numerator

        layers = {"n": [float(x) for x in self.n], "weighted_n": list(self.weighted_n)}
        if self.kind == TableKind.magnitude:
            layers["total"] = [0.0 if np.isnan(x) else x for x in self.estimate]
        else:
            layers["numerator"] = list(numerator(self.estimate, self.weighted_n, percent=False))
        units = self.unit_values
        contributions = (
            None
            if units is None
            else tuple(_t(units[self.masks[:, i]]) for i in range(len(self.cells)))
        )
        return TableData(self.structure, self.kind, layers, self.cells, contributions)


def _structure(
    resolved: ResolvedRequest, wave: WaveNames, base: CellDef, columns: Mapping[str, np.ndarray]
) -> TableStructure:
    """The table's structure; a breakdown gets its ``missing`` level only if someone in the base set
    has no substantive value (an always-empty row would only clutter the table)."""
    inside = members(base, columns)
    codes = resolved.level_codes(wave)
    need = []
    for v in resolved.breakdowns():
        name = wave.variables[v]
        miss = np.isin(columns[name], np.asarray(codes[name]["missing"]))
        if np.any(inside & miss):
            need.append(v)
    dims = resolved.dimensions(wave, missing_level=need)
    if not dims:  # no breakdown: one cell, the filtered population
        return TableStructure((), ((),), (), {(): 0})
    return build(dims)


def _domains(
    structure: TableStructure, masks: np.ndarray
) -> tuple[dict[str, object], dict[tuple[str, str], int]]:
    """One categorical domain column per total pattern; (column, level) -> cell index."""
    import pandas as pd

    patterns: dict[tuple[bool, ...], list[int]] = {}
    for i, key in enumerate(structure.keys):
        patterns.setdefault(tuple(k == TOTAL for k in key), []).append(i)
    cols: dict[str, object] = {}
    where: dict[tuple[str, str], int] = {}
    n_rows = masks.shape[0]
    for p, idx in enumerate(patterns.values()):
        name = f"{DOMAIN_PREFIX}{p}"
        cats = ["|".join(k for k in structure.keys[i] if k != TOTAL) or ALL for i in idx]
        code = np.full(n_rows, -1, dtype=np.int64)
        for j, i in enumerate(idx):
            m = masks[:, i]
            if np.any(code[m] >= 0):
                raise EstimationError(
                    f"cells {cats[j]!r} of one breakdown overlap", code="overlapping_cells"
                )
            code[m] = j
            where[(name, cats[j])] = i
        cols[name] = pd.Categorical.from_codes(code, categories=cats)
    return cols, where


def calibrated_design(d: WaveData) -> Design:
    """The weights with the calibration model the run recorded (``02_weight/calibration.json``:
    margins as used, base weights, strata, fpc), as the estimate stage; without one, raking from
    weight 1 on the weighting variables."""
    from pipeline.estimation.runmodel import design_from_model
    from pipeline.rundata.calibration import weighting_fallback

    model = d.calibration if d.calibration is not None else weighting_fallback(d.weighting)
    return design_from_model(d.frame, model, weight=WEIGHT, file=d.source)


def compute_wave(
    resolved: ResolvedRequest,
    wave: WaveNames,
    data: WaveData,
    columns: Mapping[str, np.ndarray],
    design: Design,
) -> tuple[IndicatorTable, ...]:
    """Every indicator's table for one wave, in the request's order (``design``: :func:`calibrated_design`)."""
    return tuple(
        _indicator_table(resolved, wave, data, columns, ind, design)
        for ind in resolved.request.indicators
    )


def _indicator_table(
    resolved: ResolvedRequest,
    wave: WaveNames,
    data: WaveData,
    columns: Mapping[str, np.ndarray],
    indicator: str,
    design: Design,
) -> IndicatorTable:
    var = wave.indicators[indicator]
    base = resolved.conditions(indicator, wave)
    structure = _structure(resolved, wave, CellDef.of(base, var), columns)
    cells = table_cells(structure, base, var, resolved.level_codes(wave))
    return table_numbers(
        resolved,
        wave,
        data,
        columns,
        indicator,
        design,
        structure,
        cells,
        resolved.table_kind(indicator),
    )


#: The levels of a 0/1 indicator crossed with a table's breakdowns (:func:`crossing_table`).
CROSSED_LEVELS = ("0", "1")


def crossing_table(
    resolved: ResolvedRequest,
    wave: WaveNames,
    data: WaveData,
    columns: Mapping[str, np.ndarray],
    indicator: str,
    design: Design,
    crossed: str,
) -> IndicatorTable:
    """One indicator's table by the request's breakdowns and, last, a 0/1 indicator of the data
    (``crossed``: levels 0 and 1, its total) over the respondents who have both: the risk profiles'
    crossing of an outcome by an exposure (:mod:`pipeline.tables.riskfigures`). ``crossed`` is a
    column of ``columns`` (an indicator column: NaN where not answered), so every cell is a
    respondent set the ledger can evaluate again; its total (those with both answered) is another
    set than the indicator's own figure of the group, and the joint space checks the two against
    each other like any two cells."""
    var = wave.indicators[indicator]
    base = (*resolved.conditions(indicator, wave), Condition(crossed, None))
    inner = _structure(resolved, wave, CellDef.of(base, var), columns)
    structure = build((*inner.dims, Dimension(crossed, CROSSED_LEVELS)))
    cells = table_cells(structure, base, var, resolved.level_codes(wave))
    return table_numbers(
        resolved,
        wave,
        data,
        columns,
        indicator,
        design,
        structure,
        cells,
        resolved.table_kind(indicator),
    )


def table_numbers(
    resolved: ResolvedRequest,
    wave: WaveNames,
    data: WaveData,
    columns: Mapping[str, np.ndarray],
    indicator: str,
    design: Design,
    structure: TableStructure,
    cells: tuple[CellDef, ...],
    kind: TableKind,
) -> IndicatorTable:
    """The engine's numbers of ``cells`` (laid out by ``structure``) for one indicator."""
    import pandas as pd

    from pipeline.estimation.api import estimate

    var = wave.indicators[indicator]
    col = wave.column(
        indicator
    )  # this wave's scored column: a count gives a mean, a 0/1 indicator a share
    numeric = wave.is_numeric(indicator)  # the item's mean, as the numeric estimates give it
    stat = (
        "mean"
        if numeric
        else "total"
        if col is None
        else "mean"
        if col.kind == "count"
        else "proportion"
    )
    masks = membership(cells, columns)
    counts = masks.sum(axis=0)
    doms, where = _domains(structure, masks)
    out = {
        k: np.full(structure.n_cells, np.nan)
        for k in ("n", "weighted_n", "estimate", "ci_low", "ci_high", "se")
    }
    values = numeric_values(data, var) if numeric else data.frame[var].to_numpy()
    frame = pd.DataFrame({var: values, **doms}, index=pd.RangeIndex(len(data.frame)))
    est = estimate(frame, design, [var], list(doms), stat=stat, file=data.source).table  # type: ignore[arg-type]
    for row in est[est["by"] != ""].itertuples(
        index=False
    ):  # an empty cell: n = 0, weighted N = 0, no estimate
        i = where[(str(row.by), str(row.level))]
        for k in out:
            out[k][i] = float(getattr(row, k))
    if not np.array_equal(
        out["n"], counts
    ):  # the engine counts observed values in the domain: the cell
        raise EstimationError(
            f"{indicator}: the estimates' n differ from the cells' sizes", code="cell_n_mismatch"
        )
    units = None
    if kind == TableKind.magnitude:  # every unit's contribution to a total: weight x value
        units = np.nan_to_num(np.asarray(design.weights, dtype=float) * columns[var]) * masks.any(
            axis=1
        )
    return IndicatorTable(
        wave.wave,
        indicator,
        var,
        kind,
        structure,
        cells,
        tuple(int(x) for x in counts),
        _t(out["weighted_n"]),
        _t(out["estimate"]),
        _t(out["ci_low"]),
        _t(out["ci_high"]),
        tuple(digest(masks[:, i]) for i in range(structure.n_cells)),
        masks,
        units,
        _t(out["se"]),
    )


def _t(a: Sequence[float] | np.ndarray) -> tuple[float, ...]:
    return tuple(float(x) for x in a)
