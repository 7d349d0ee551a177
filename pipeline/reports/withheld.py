"""What the reports leave out when the publisher protects their figures (policy
``protect_reports: true``; review finding 5 of issue 13).

Under that policy every figure of the estimates table goes through the disclosure engine and is
logged as a public release (:mod:`pipeline.tables.figures`); a figure the engine does not release is
a dash. The report context carries figures from elsewhere, which that engine does not see. Each is
either a function of released figures or **fail closed** (left out, with a Dutch note in the
methods section saying the figure is not published under the disclosure policy):

- ``risk_ratios``: the risk profiles' prevalence ratios and attributable fractions
  (``risk_profiles.csv``, a Poisson model adjusted for age and sex) are **protected, not left
  out**, when the caller passes the table the figures' protection made of them
  (:func:`pipeline.tables.figures.protect_figures` with ``risk``;
  :mod:`pipeline.tables.riskfigures`). A ratio with the published shares of its outcome and its
  exposure gives back (approximately) the crossing of exposure and outcome within the group, so
  that crossing is published: the outcome's share among the exposed and among the unexposed of
  Flanders and of every group are cells of the figures' joint space, logged with the report's
  release. A ratio (interval, p-value, attributable fraction) is shown only where the engine
  released both cells, each of the crossing's four counts is at least the policy's
  ``min_n_count`` (an empty or tiny cell is a class disclosure) and the model's respondents are
  exactly those cells'; otherwise a dash with its true reason. The share exposed must be published
  too. Without that table (a caller that did not protect them) they are left out, as before
  (fail closed).
- ``numeric``: the numeric indicators' means and medians (``numeric_estimates.csv``, e.g.
  commuting minutes) are **protected, not left out**, when the caller passes the table the figures'
  protection made of them (:func:`pipeline.tables.figures.protect_figures` with ``numeric``;
  :mod:`pipeline.tables.numericfigures`): a mean is a cell of the figures' joint space, logged with
  the report's release, a dash where suppressed; a median is shown only where the mean of the same
  respondents is released and at least ``min_n_count`` of them gave exactly its value. Without that
  table (a caller that did not protect them) they are left out, as before (fail closed).
- ``employment``: an organisation survey's shares of employees and magnitude totals
  (``estimates_employment.parquet``: ratio estimates weighted by each organisation's employees,
  and totals that one large organisation can dominate) are **protected, not left out**, when the
  caller passes the table the figures' protection made of them
  (:func:`pipeline.tables.figures.protect_figures` with ``employment``;
  :mod:`pipeline.tables.employmentfigures`): a total is a magnitude cell of the figures' joint
  space (``min_n_magnitude``, dominance and p% on each organisation's contribution), a share of
  employees a ratio of two such totals (the same rules on the denominator's, the numerator's and
  the rest's contributions), both protected jointly with the other figures and logged with the
  report's release; a suppressed one is a dash with its reason. Without that table (a caller that
  did not protect them) they are left out, as before (fail closed).
- ``trend`` and ``previous``: the earlier waves' figures (the archive's trend, the previous wave's
  estimates or ``*_prev`` columns) and the changes between waves. An earlier wave's figure is a
  release of another data version: dropped here, then the archive's trend and previous wave are
  computed again with that wave's ledger checked (:func:`pipeline.reports.trend.with_trend` with
  the publisher: a figure is shown only where its wave's ledger released it, a change only
  between shown figures, since a function of released figures needs no protection of its own),
  and no longer listed as withheld. A previous wave given as a file (``--previous``) or as
  ``*_prev`` columns has no data version to look up: left out.

The fieldwork report's origin section (:mod:`pipeline.reports.origin`) follows the same policy
there: under ``protect_reports: true`` it is left out (a figure by origin for publication is a
``wbm table`` request).

Groups under the minimum (issue 13): a report must not tell a group without respondents from one
with 1 to ``min_n - 1``. Under the policy the engine treats an empty cell as unsafe too (its rules
for a space of tables, :func:`pipeline.sdc.tables.space.space_rules`), so both are hidden and
protected alike, and the reports then show a figure the engine did not release exactly as a figure
that does not exist (:func:`published_rows`): no row, no level, no dash of its own. A group is in a
report's lists, and gets its own report file, only where a figure of it is published
(:func:`pipeline.reports.batch.jobs_with_figures`); what the reports show is then a function of the
released figures only.

With ``protect_reports: false`` none of this applies: the context and the estimates are used as
they are.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from pipeline.reports.context import ReportContext

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

RISK_RATIOS = "risk_ratios"
NUMERIC = "numeric"
EMPLOYMENT = "employment"
TREND = "trend"
PREVIOUS = "previous"

#: What the methods section says is left out (Dutch), in this order.
WITHHELD_NL: dict[str, str] = {
    RISK_RATIOS: "de prevalentieratio's en toe te schrijven fracties van het risicoprofiel",
    NUMERIC: "de gemiddelden en medianen van de numerieke indicatoren",
    EMPLOYMENT: "de aandelen werknemers en de totalen over de organisaties",
    TREND: "de cijfers van de eerdere metingen en de evolutie",
    PREVIOUS: "de cijfers van de vorige meting en de verandering sindsdien",
}


def _has_rows(table: pd.DataFrame | None) -> bool:
    return table is not None and len(table) > 0


def withheld_context(
    ctx: ReportContext,
    numeric: pd.DataFrame | None = None,
    median_min_equal: int = 0,
    employment: pd.DataFrame | None = None,
    risk: pd.DataFrame | None = None,
    risk_min_count: int = 0,
) -> ReportContext:
    """The report context under ``protect_reports: true``: every figure that does not come from
    the protected estimates table left out, and named in ``withheld`` (for the methods note);
    ``numeric``: the numeric estimates as their protection made them (shown instead of left out;
    ``median_min_equal``: its rule for medians, which the methods note states); ``employment``:
    the employment estimates as their protection made them (shown instead of left out); ``risk``:
    the risk profiles as their protection made them (shown instead of left out;
    ``risk_min_count``: the least of a ratio's four counts, which the notes state)."""
    out: list[str] = list(ctx.withheld)
    if risk is None and _has_rows(ctx.risk_profiles):
        out.append(RISK_RATIOS)
    shown_risk = risk is not None and _has_rows(ctx.risk_profiles)
    if numeric is None and _has_rows(ctx.numeric):
        out.append(NUMERIC)
    if employment is None and _has_rows(ctx.employment):
        out.append(EMPLOYMENT)
    if ctx.trend is not None:
        out.append(TREND)
    if ctx.previous is not None:
        out.append(PREVIOUS)
    return replace(
        ctx,
        risk_profiles=risk if shown_risk else None,
        risk_min_count=risk_min_count if shown_risk else 0,
        numeric=numeric if numeric is not None and _has_rows(ctx.numeric) else None,
        median_min_equal=median_min_equal if numeric is not None else 0,
        employment=employment if employment is not None and _has_rows(ctx.employment) else None,
        trend=None,
        previous=None,
        withheld=tuple(k for k in WITHHELD_NL if k in out),
        protected=True,
    )


def published_rows(estimates: pd.DataFrame) -> pd.DataFrame:
    """The rows of an estimates table (this wave's or an earlier one's) that are published: a
    group's row flagged ``suppressed`` is left out, so it looks exactly like a group without
    respondents (which has no row). The overall rows (Flanders, ``by`` empty) stay, dash and all:
    they are no group of a breakdown, and a report needs them. Used for every table a protected
    report reads."""
    from pipeline.reports.estimates import SUPPRESSED

    if "flags" not in estimates.columns or estimates.empty:
        return estimates
    flags = estimates["flags"].fillna("").astype(str).str.split(";")
    hidden = flags.map(lambda parts: SUPPRESSED in [p.strip() for p in parts]).astype(bool)
    hidden &= estimates["by"].fillna("").astype(str) != ""
    if not hidden.any():
        return estimates
    return estimates[~hidden].reset_index(drop=True)


def previous_columns(estimates: pd.DataFrame) -> list[str]:
    """The estimates table's own previous-wave columns (``estimate_prev`` ...)."""
    from pipeline.reports.waves import PREV_FIELDS, PREV_SUFFIX

    return [f + PREV_SUFFIX for f in PREV_FIELDS if f + PREV_SUFFIX in estimates.columns]


def withheld_estimates(
    estimates: pd.DataFrame, ctx: ReportContext
) -> tuple[pd.DataFrame, ReportContext]:
    """The (protected) estimates without their previous-wave columns, and ``ctx`` saying so: an
    earlier wave's figures are not shown under ``protect_reports: true`` (see the module)."""
    cols = previous_columns(estimates)
    if not cols:
        return estimates, ctx
    withheld = (*ctx.withheld, PREVIOUS) if PREVIOUS not in ctx.withheld else ctx.withheld
    return estimates.drop(columns=cols), replace(
        ctx, withheld=tuple(k for k in WITHHELD_NL if k in withheld)
    )


def protect_report_inputs(
    estimates: pd.DataFrame,
    ctx: ReportContext,
    numeric: pd.DataFrame | None = None,
    median_min_equal: int = 0,
    employment: pd.DataFrame | None = None,
    risk: pd.DataFrame | None = None,
    risk_min_count: int = 0,
) -> tuple[pd.DataFrame, ReportContext]:
    """Both of the above: what the reports get under ``protect_reports: true`` besides the
    engine's protection of the estimates (:func:`pipeline.tables.figures.protect_run_figures`;
    ``numeric``, ``median_min_equal``, ``employment``: its release's protected numeric estimates,
    their median rule and its protected employment estimates; ``risk``, ``risk_min_count``: its
    protected risk profiles and their rule for the counts,
    :class:`pipeline.tables.figures.FiguresRelease`)."""
    est, ctx = withheld_estimates(
        estimates,
        withheld_context(ctx, numeric, median_min_equal, employment, risk, risk_min_count),
    )
    return est, ctx
