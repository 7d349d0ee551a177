"""What an output needs to know beyond the estimates: wave, run, fieldwork and weighting facts.

Every field is optional with a neutral default, so a report can be rendered from an estimates table
alone; the orchestration fills in what the run directory knows (validation and weighting
diagnostics). Frozen: a context is a value, not a settings bag.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline import __version__


@dataclass(frozen=True)
class WeightingSummary:
    method: str = ""  # e.g. "raking op geslacht, leeftijdsgroep, sector, statuut, provincie"
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

    @property
    def total_by_mode(self) -> int:
        return sum(n for _m, n in self.counts_by_mode)


MODE_LABELS_NL: dict[str, str] = {"paper": "papier", "web": "web (online)", "cati": "telefonisch (CATI)"}
