"""An organisation survey's shares of employees and magnitude totals as report figures under
``protect_reports: true`` (issue 13, finding 5): the rows of ``estimates_employment.parquet`` the
enterprise report shows (all organisations: ``by`` empty), as cells of the figures' joint space of
:mod:`pipeline.tables.figures`, protected with the other figures and logged with the report's
release.

- **Total** of a magnitude item (e.g. the number of employees): a magnitude cell of Flanders'
  request (the item is one more indicator of it: the weighted total over the organisations that
  answered it, :mod:`pipeline.tables.compute`, with each organisation's contribution, weight x
  value). Primary: ``min_n_magnitude``, dominance and p% on the contributions; then the space's
  secondary suppression and differencing, derived groups judged by the same rules.
- **Share of employees** of an indicator: the ratio of two magnitude totals, the employees of the
  organisations with the property over all employees of the organisations that answered
  (``sum w e y / sum w e``, :mod:`pipeline.estimation.employment`). A cell of the space on the
  same organisations as the share of organisations (kind percent: ``min_n_percent``), its measure
  ``<indicator>:werknemers``, with the primary rules of a ratio on top
  (:func:`pipeline.sdc.tables.rules.ratio_status`): the magnitude rules on the denominator's
  contributions (each organisation's weighted employees ``w e``), the numerator's and the rest's
  (denominator minus numerator). One large organisation that holds most of the employees, or most
  of those with (or without) the property, hides the share: it would all but say that
  organisation's answer or size. Then secondary suppression and differencing with the rest of the
  space (its respondent set is the share of organisations' own, so it is hidden or shown with the
  figures of that group).

A row is shown only where the engine released its cell with the same n (organisations); every
other row (a breakdown the report does not show, an acute variant, an indicator without a cell)
is flagged ``suppressed`` and loses its numbers (fail closed). The values shown are the estimate
stage's own, unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from pipeline.rundata.columns import ACUTE_SUFFIX, BASIS, BASIS_EMPLOYEES, BASIS_ORGANISATIONS
from pipeline.sdc.tables.rules import PUBLIC_SUPPRESSED, TableKind, ratio_status

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from pipeline.sdc.tables.rules import PrimaryRules
    from pipeline.sdc.tables.space import SpaceTable
    from pipeline.tables.compute import IndicatorTable

#: the measure (and space indicator) of a share of employees: ``<indicator>:werknemers``
SHARE_SUFFIX = f":{BASIS_EMPLOYEES}"


def share_name(indicator: str) -> str:
    return indicator + SHARE_SUFFIX


def _overall(employment: pd.DataFrame | None, basis: str) -> list[str]:
    if employment is None or not len(employment) or BASIS not in employment.columns:
        return []
    rows = employment[
        (employment[BASIS] == basis) & (employment["by"].fillna("").astype(str) == "")
    ]
    return list(dict.fromkeys(rows["indicator"].astype(str)))


def share_indicators(employment: pd.DataFrame | None) -> list[str]:
    """The indicators whose share of employees the enterprise report shows (all organisations; an
    acute variant is not shown)."""
    return [i for i in _overall(employment, BASIS_EMPLOYEES) if not i.endswith(ACUTE_SUFFIX)]


def total_items(employment: pd.DataFrame | None, allowed: Sequence[str]) -> list[str]:
    """The magnitude items whose total (all organisations) the report shows, among ``allowed``
    (the items a request may total)."""
    return [i for i in _overall(employment, BASIS_ORGANISATIONS) if i in set(allowed)]


def share_tables(
    flanders: Sequence[IndicatorTable],
    indicators: Sequence[str],
    jobs: np.ndarray,
    columns: Mapping[str, np.ndarray],
    rules: PrimaryRules,
) -> list[tuple[SpaceTable, tuple[str, ...]]]:
    """The shares of employees of ``indicators`` as tables of the space, one per indicator whose
    share of organisations is among ``flanders`` (the tables of Flanders' request): the same cells
    (organisations), measure ``<indicator>:werknemers``, weighted by ``jobs`` (each organisation's
    weight x employees), with the ratio's primary rules (see the module); each with its cells'
    digests (the ledger's)."""
    import numpy as np

    from pipeline.sdc.tables.cells import CellDef
    from pipeline.sdc.tables.protect import TableData, numerator
    from pipeline.sdc.tables.rules import OK
    from pipeline.sdc.tables.space import SpaceTable

    wanted = set(indicators)
    out = []
    for t in flanders:
        if t.indicator not in wanted or t.kind != TableKind.percent:
            continue
        y = np.nan_to_num(np.asarray(columns[t.variable], dtype=float))
        cells = tuple(CellDef.of(c.conditions, share_name(t.variable)) for c in t.cells)
        wn, est, primary = [], [], {}
        for i in range(len(cells)):
            m = t.masks[:, i]
            total = float(jobs[m].sum())
            wn.append(total)
            est.append(float((jobs[m] * y[m]).sum() / total) if total > 0 else float("nan"))
            if t.n[i] > 0:
                status = ratio_status(jobs[m], y[m], rules)
                if status != OK:
                    primary[i] = status
        layers = {
            "n": [float(x) for x in t.n],
            "weighted_n": wn,
            "numerator": list(numerator(est, wn, percent=False)),
        }
        table = SpaceTable(
            share_name(t.indicator),
            "",
            TableKind.percent,
            t.structure,
            TableData(t.structure, TableKind.percent, layers, cells),
            t.masks,
            {"weighted_n": np.asarray(wn), "estimate": np.asarray(est)},
            list(t.n),
            {d: i for i, d in enumerate(t.digests)},
            primary=primary,
        )
        out.append((table, t.digests))
    return out


def protected_employment(
    employment: pd.DataFrame, released: Mapping[tuple[str, str, str], tuple[str, int]]
) -> pd.DataFrame:
    """``employment`` with every row the report may not show flagged ``suppressed`` and its
    numbers removed; ``released``: (space indicator, by, level) -> (public flag, n) of the cells
    the engine released (a share of employees under :func:`share_name`)."""
    import numpy as np

    from pipeline.tables.figures import NUMBERS, _add_flag

    out = employment.copy()
    by = out["by"].fillna("").astype(str)
    hide = []
    for ind, b, basis, n in zip(
        out["indicator"].astype(str), by, out[BASIS], out["n"], strict=True
    ):
        name = share_name(ind) if basis == BASIS_EMPLOYEES else ind
        hit = released.get((name, b, "")) if b == "" else None
        ok = hit is not None and hit[0] != PUBLIC_SUPPRESSED and n == n and int(n) == hit[1]
        hide.append(not ok)
    rows = np.asarray(hide, dtype=bool)
    if rows.any():
        flags = out["flags"].fillna("").astype(str).tolist()
        out["flags"] = [_add_flag(f) if h else f for f, h in zip(flags, hide, strict=True)]
        for c in NUMBERS:
            if c in out.columns:
                out[c] = out[c].astype("float64")
                out.loc[rows, c] = np.nan
    return out
