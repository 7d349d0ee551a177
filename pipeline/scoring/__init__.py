"""Scoring: scale scores, traffic-light indicators, werkbaar werk and problem counts from the
questionnaire spec (:mod:`pipeline.scoring.plan` compiles the spec, :mod:`pipeline.scoring.engine`
is the numpy core, :mod:`pipeline.scoring.api` the frame-facing entry points). Pure, no I/O.
"""

from pipeline.rundata.columns import acute_column, score_column, tl_column
from pipeline.scoring.api import (
    CutoffRow,
    IndicatorSummary,
    OutputColumn,
    ScaleSummary,
    ScoringResult,
    indicator_columns,
    output_columns,
    score_arrays,
    score_frame,
)
from pipeline.scoring.plan import (
    SCORE_DECIMALS,
    ScoringPlan,
    compile_plan,
    known_populations,
)

__all__ = [
    "SCORE_DECIMALS",
    "CutoffRow",
    "IndicatorSummary",
    "OutputColumn",
    "ScaleSummary",
    "ScoringPlan",
    "ScoringResult",
    "acute_column",
    "compile_plan",
    "indicator_columns",
    "known_populations",
    "output_columns",
    "score_arrays",
    "score_column",
    "score_frame",
    "tl_column",
]
