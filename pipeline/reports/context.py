"""What an output needs to know beyond the estimates: wave, run, fieldwork and weighting facts, and
the previous wave's estimates.

Every field is optional with a neutral default, so a report can be rendered from an estimates table
alone; :func:`pipeline.reports.rundir.context_from_run` fills in what a run directory knows
(validation and weighting diagnostics). Frozen: a context is a value, not a settings bag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline import __version__

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.archive.trend import Trend


@dataclass(frozen=True)
class WeightingSummary:
    method: str = ""  # e.g. "raking"
    n: int | None = None  # respondents weighted
    kish_deff: float | None = None  # Kish's design effect from the weights, 1 + CV^2
    margins: tuple[str, ...] = ()  # weighting variables


@dataclass(frozen=True)
class ResponseInfo:
    invited: int | None = None
    responded: int | None = None  # usable responses (accepted)

    @property
    def rate(self) -> float | None:
        if self.invited and self.responded is not None:
            return self.responded / self.invited
        return None


@dataclass(frozen=True)
class ReportContext:
    wave: int | None = None  # default: the questionnaire's wave
    run_id: str = ""
    counts_by_mode: tuple[tuple[str, int], ...] = ()  # e.g. (("paper", 812), ("web", 1403))
    response: ResponseInfo = field(default_factory=ResponseInfo)
    weighting: WeightingSummary = field(default_factory=WeightingSummary)
    generated_by: str = f"wbm-pipeline {__version__}"
    data_version: str = ""  # e.g. the sha256 of estimates.parquet from the manifest
    confidence: float = 0.95  # the level of the CIs in the table
    alpha: float = 0.05  # significance level used when only p-values are available
    min_n_publish: int = 30  # the estimation thresholds behind the flags (for the legend only)
    min_n_reliable: int = 50
    synthetic: bool = False  # data from the synthetic generator: say so on every page
    # The previous wave: its estimates table (same contract; indicator and variable names of that
    # wave, translated through the questionnaire's ``mapping``) and its year. None: the report says
    # "niet beschikbaar". Wave columns in the estimates table itself (``estimate_prev`` ...) win.
    previous: pd.DataFrame | None = field(default=None, compare=False, hash=False, repr=False)
    previous_wave: int | None = None  # default: the wave of the questionnaire named in ``mapping``
    # The series of earlier waves from the wave archive (pipeline.archive.trend.compute_trend): the
    # reports' "Evolutie" section. None: no trend section.
    trend: Trend | None = field(default=None, compare=False, hash=False, repr=False)
    # The risk-profile table of the estimate stage (pipeline.estimation.riskprofile): prevalence
    # ratios and attributable fractions per workability problem. None: no such section.
    risk_profiles: pd.DataFrame | None = field(default=None, compare=False, hash=False, repr=False)
    # The means and medians of the numeric indicators (04_estimate/numeric_estimates.csv,
    # pipeline.estimation.numeric); None: no such rows in the module section.
    numeric: pd.DataFrame | None = field(default=None, compare=False, hash=False, repr=False)
    # An organisation survey's shares of employees and magnitude totals
    # (04_estimate/estimates_employment.parquet); None: no such section.
    employment: pd.DataFrame | None = field(default=None, compare=False, hash=False, repr=False)
    # Labels of module indicators (``mod_<name>`` rows) that override the defaults of labels.py.
    module_labels: tuple[tuple[str, str], ...] = ()
    # The kinds of figures left out because the publisher protects the reports' figures
    # (policy ``protect_reports: true``; pipeline.reports.withheld): the methods section says so.
    withheld: tuple[str, ...] = ()
    # Under ``protect_reports: true`` with the numeric indicators protected
    # (pipeline.tables.numericfigures): a median is shown only where at least this many respondents
    # of its group gave exactly its value; the methods section says so. 0: no such rule.
    median_min_equal: int = 0
    # Under ``protect_reports: true`` with the risk profiles protected
    # (pipeline.tables.riskfigures): a prevalence ratio is shown only where the crossing of its
    # outcome by its exposure is released and each of its four counts is at least this; the
    # methods section and the risk profile's note say so. 0: no such rule (not protected).
    risk_min_count: int = 0
    # The publisher protects the reports' figures (``protect_reports: true``): a figure the engine
    # did not release is not shown at all, as if its group had no respondents, so that no report
    # tells a group of 0 from one under the minimum (pipeline.reports.withheld.published_rows).
    protected: bool = False

    @property
    def total_by_mode(self) -> int:
        return sum(n for _m, n in self.counts_by_mode)


MODE_LABELS_NL: dict[str, str] = {
    "paper": "papier",
    "web": "web (online)",
    "cati": "telefonisch (CATI)",
}
