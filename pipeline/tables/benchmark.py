"""The benchmark columns of a table: every cell beside a reference, with the difference and its test.

A request's ``benchmark`` (:class:`pipeline.tables.request.TableRequest`) is

- ``flanders``: the whole population of the wave with the indicator answered (no filter, no
  breakdown: the Flemish figure). It is a cell of its own, the *reference cell*: computed by the
  estimation engine like every cell, protected and logged with the request (before its tables, so a
  table cell whose difference with it would single out a small group is suppressed, not the
  reference; :mod:`pipeline.tables.release`);
- ``rest``: the rest of that population, everyone not in the cell. Its numbers are those of the
  reference cell minus the cell's, so the reference cell is protected and logged as for
  ``flanders``, and the rest is shown only where both the cell and the reference cell are published:
  it is then the difference of two published cells, which the disclosure engine has checked (a
  small ``rest`` is a small group that is the difference of two published cells: refused or
  suppressed by the differencing checks like any other);
- ``{variable, level}``: the cell of that level of one of the table's breakdowns in the same row or
  column; a cell of the table itself, so nothing new is published.

The difference ``cell - reference`` is one estimator of the run's design: its variance comes from
the influence functions of both (they overlap or are nested: their covariance counts), with the
run's calibration model, by :func:`pipeline.estimation.compare.contrast_pairs` (golden-tested against
R ``survey``; for the rest it is the reports' domain-vs-rest test). The 95% interval is
``diff +/- t(0.975, df) se`` and the test two-sided with the design's degrees of freedom, the same
``df`` as the cell's interval. Magnitude tables (weighted totals) get no benchmark.

Only a cell that is published gets benchmark numbers, and only if its reference is published too;
otherwise the benchmark columns are empty with a flag (``suppressed``, ``empty``), so no benchmark
number of a suppressed cell exists anywhere (:mod:`pipeline.tables.publish`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pipeline.sdc.tables.cells import CellDef, Condition
from pipeline.sdc.tables.rules import TableKind
from pipeline.sdc.tables.structure import TOTAL, TableStructure

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.estimation.config import Stat
    from pipeline.estimation.design import Design
    from pipeline.tables.compute import IndicatorTable
    from pipeline.tables.request import ResolvedRequest, WaveNames
    from pipeline.tables.source import WaveData

REFERENCE_CELL = -1  # the cell's reference is the reference table's cell (flanders, rest)
NO_REFERENCE = -2  # no comparison: a total over the reference group's breakdown
ALPHA = 0.05
BENCHMARK_FLAGS = ("", "suppressed", "empty", "reference", "not_applicable")


@dataclass(frozen=True)
class BenchmarkNumbers:
    """Per cell of one table (structure order), in the engine's units (proportions, means); NaN
    where there is no comparison. ``ref``: the reference cell's index in the table,
    :data:`REFERENCE_CELL` or :data:`NO_REFERENCE`; ``same``: the cell *is* its reference (the
    same respondents)."""

    against: str  # flanders | rest | <variable>=<level>
    ref: tuple[int, ...]
    same: tuple[bool, ...]
    n_reference: tuple[int, ...]
    estimate: tuple[float, ...]  # the reference's estimate
    diff: tuple[float, ...]
    se: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    p_value: tuple[float, ...]
    df: tuple[float, ...]


def flanders_cell(wave: WaveNames, indicator: str) -> CellDef:
    """Everyone of the wave's population who answered the indicator (no filter, no breakdown)."""
    var = wave.indicators[indicator]
    return CellDef.of([Condition(var, None)], var)


def needs_reference(resolved: ResolvedRequest, indicator: str) -> bool:
    """Whether the request's benchmark for ``indicator`` needs the reference cell."""
    return resolved.request.benchmark in ("flanders", "rest") and resolved.table_kind(
        indicator
    ) in (TableKind.percent, TableKind.mean)


def reference_table(
    resolved: ResolvedRequest,
    wave: WaveNames,
    data: WaveData,
    columns: Mapping[str, np.ndarray],
    indicator: str,
    design: Design,
) -> IndicatorTable:
    """The reference cell of ``flanders``/``rest`` as a one-cell table (estimated, protected and
    logged like every table)."""
    from pipeline.tables.compute import table_numbers

    structure = TableStructure((), ((),), (), {(): 0})
    return table_numbers(
        resolved,
        wave,
        data,
        columns,
        indicator,
        design,
        structure,
        (flanders_cell(wave, indicator),),
        resolved.table_kind(indicator),
    )


def _group_refs(resolved: ResolvedRequest, structure: TableStructure) -> list[int]:
    """For a ``{variable, level}`` benchmark: each cell's reference cell (the same key with the
    variable's level replaced by the reference level), or :data:`NO_REFERENCE` for a total over it."""
    bench = resolved.request.benchmark
    assert bench is not None and not isinstance(bench, str)
    d = resolved.breakdowns().index(bench.variable)
    index = {key: i for i, key in enumerate(structure.keys)}
    out = []
    for key in structure.keys:
        if key[d] == TOTAL:
            out.append(NO_REFERENCE)
            continue
        ref = (*key[:d], str(bench.level), *key[d + 1 :])
        out.append(index.get(ref, NO_REFERENCE))
    return out


def benchmark_numbers(
    resolved: ResolvedRequest,
    table: IndicatorTable,
    reference: IndicatorTable | None,
    data: WaveData,
    design: Design,
) -> BenchmarkNumbers | None:
    """The benchmark of every cell of ``table`` (None without a benchmark, or for a magnitude table)."""
    from scipy import special

    from pipeline.estimation.compare import contrast_pairs
    from pipeline.estimation.config import EstimationConfig
    from pipeline.estimation.linearization import VarianceEngine
    from pipeline.tables.source import numeric_values

    req = resolved.request
    if req.benchmark is None or table.kind not in (TableKind.percent, TableKind.mean):
        return None
    K = table.structure.n_cells
    a = table.masks
    if isinstance(req.benchmark, str):
        assert reference is not None
        everyone = reference.masks[:, 0]
        refs = [REFERENCE_CELL] * K
        b = (
            np.repeat(everyone[:, None], K, axis=1)
            if req.benchmark == "flanders"
            else everyone[:, None] & ~a
        )
    else:
        refs = _group_refs(resolved, table.structure)
        b = np.zeros_like(a)
        for k, j in enumerate(refs):
            if j >= 0:
                b[:, k] = a[:, j]
    same = tuple(
        bool(refs[k] != NO_REFERENCE and np.array_equal(a[:, k], b[:, k])) for k in range(K)
    )
    n_b = b.sum(axis=0)
    todo = [
        k
        for k in range(K)
        if refs[k] != NO_REFERENCE and not same[k] and table.n[k] > 0 and n_b[k] > 0
    ]
    nan = np.full(K, np.nan)
    out = {k: nan.copy() for k in ("estimate", "diff", "se", "ci_low", "ci_high", "p", "df")}
    if todo:
        stat: Stat = "mean" if table.kind == TableKind.mean else "proportion"
        y = (
            np.nan_to_num(numeric_values(data, table.variable))  # missing: outside every cell
            if resolved.latest.is_numeric(table.indicator)
            else data.frame[table.variable].to_numpy(dtype=float)
        )
        res = contrast_pairs(
            VarianceEngine(design), y, a[:, todo], b[:, todo], stat, EstimationConfig(alpha=ALPHA)
        )
        half = special.stdtrit(res.df.astype(float), 0.975) * res.diff_se
        for name, values in (
            ("estimate", res.estimate_rest),
            ("diff", res.diff),
            ("se", res.diff_se),
            ("ci_low", res.diff - half),
            ("ci_high", res.diff + half),
            ("p", res.p_value),
            ("df", res.df.astype(float)),
        ):
            out[name][todo] = values
    return BenchmarkNumbers(
        req.benchmark_name(),
        tuple(refs),
        same,
        tuple(int(x) for x in n_b),
        *(
            tuple(float(x) for x in out[k])
            for k in ("estimate", "diff", "se", "ci_low", "ci_high", "p", "df")
        ),
    )
