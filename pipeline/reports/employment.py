"""The enterprise report's "Organisaties en werknemers" section: every indicator as a share of
organisations beside the share of employees, and the magnitude items (number of employees, training
days) as population totals, from ``04_estimate/estimates_employment.parquet``
(:mod:`pipeline.estimation.employment`). Numbers in Dutch format; suppressed cells as a dash. Under
the publisher's protection (``protected``: :mod:`pipeline.tables.employmentfigures`) a dash carries
its reason (the figures' own for a share of organisations, :data:`DASH_PROTECTED_MAGNITUDE` for a
share of employees or a total) and a hidden total no number of organisations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.estimation.reliability import SUPPRESSED, UNRELIABLE, has_flag
from pipeline.rundata.columns import ACUTE_SUFFIX
from pipeline.rundata.columns import BASIS as BASIS_COLUMN
from pipeline.rundata.columns import BASIS_EMPLOYEES as EMPLOYEES
from pipeline.rundata.columns import BASIS_ORGANISATIONS as ORGANISATIONS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.questionnaire.model import Questionnaire
    from pipeline.reports.estimates import Cell

DASH = "–"
#: Why a share of employees or a total is a dash under the publisher's protection: the magnitude
#: rules (too few organisations, dominance and p%: which one is not told) or another figure's
#: protection.
DASH_PROTECTED_MAGNITUDE = (
    "niet gepubliceerd: te weinig organisaties, een of twee organisaties met het grootste deel "
    "van de werknemers of van het totaal, of verborgen om een ander cijfer te beschermen"
)


@dataclass(frozen=True)
class ShareRow:
    label: str
    organisations: str  # "55,5"
    organisations_ci: str  # "52,0 – 59,1"
    employees: str
    employees_ci: str
    organisations_reason: str = ""  # why a dash (protected reports only)
    employees_reason: str = ""


@dataclass(frozen=True)
class TotalRow:
    label: str
    total: str  # "1.964.772"
    ci: str
    n: str
    reason: str = ""  # why a dash (protected reports only)


def fmt_count(x: float) -> str:
    """A whole number with Dutch thousands separators: 1964771.9 -> "1.964.772"."""
    return f"{round(x):,}".replace(",", ".")


def _pct(x: float) -> str:
    return f"{x * 100:.1f}".replace(".", ",")


def _overall(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["by"].fillna("").astype(str) == ""]


def share_rows(
    organisations: dict[str, tuple[str, Cell | None]],
    employment: pd.DataFrame,
    protected: bool = False,
) -> tuple[ShareRow, ...]:
    """One row per indicator with a share of employees, in the employment table's order;
    ``organisations``: indicator -> (label, the report's overall cell); ``protected``: the
    figures went through the disclosure engine (a dash says why)."""
    from pipeline.reports.estimates import dash_reason

    emp = _overall(employment[employment[BASIS_COLUMN] == EMPLOYEES])
    rows = []
    for r in emp.itertuples():
        name = str(r.indicator)
        if name.endswith(ACUTE_SUFFIX):  # the acute level is in the organisations' tables
            continue
        label, o = organisations.get(name, (name, None))
        if o is None or o.suppressed or o.estimate is None:
            oe, oci = DASH, DASH
        else:
            oe = _pct(o.estimate)
            oe = f"({oe})" if o.unreliable else oe
            oci = f"{_pct(o.ci_low or 0.0)} – {_pct(o.ci_high or 0.0)}"
        if has_flag(r.flags, SUPPRESSED):
            ee, eci = DASH, DASH
        else:
            ee = _pct(float(r.estimate))
            ee = f"({ee})" if has_flag(r.flags, UNRELIABLE) else ee
            eci = f"{_pct(float(r.ci_low))} – {_pct(float(r.ci_high))}"
        rows.append(
            ShareRow(
                label,
                oe,
                oci,
                ee,
                eci,
                dash_reason(True) if protected and oe == DASH else "",
                DASH_PROTECTED_MAGNITUDE if protected and ee == DASH else "",
            )
        )
    return tuple(rows)


def total_rows(
    employment: pd.DataFrame, q: Questionnaire, protected: bool = False
) -> tuple[TotalRow, ...]:
    """The magnitude items' population totals (all organisations); ``protected``: the figures
    went through the disclosure engine (a dash says why, and a hidden total has no n: it could
    tell which rule hid it)."""
    tot = _overall(employment[employment[BASIS_COLUMN] == ORGANISATIONS])
    rows = []
    for r in tot.itertuples():
        name = str(r.indicator)
        label = q.item(name).label.nl if name in q.variables() else name
        if has_flag(r.flags, SUPPRESSED):
            if protected:
                rows.append(TotalRow(label, DASH, DASH, DASH, DASH_PROTECTED_MAGNITUDE))
            else:
                rows.append(TotalRow(label, DASH, DASH, fmt_count(float(r.n))))
            continue
        rows.append(
            TotalRow(
                label,
                fmt_count(float(r.estimate)),
                f"{fmt_count(float(r.ci_low))} – {fmt_count(float(r.ci_high))}",
                fmt_count(float(r.n)),
            )
        )
    return tuple(rows)
