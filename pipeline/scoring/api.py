"""Scoring as functions of (questionnaire, data): :func:`score_frame` for pandas frames,
:func:`score_arrays` for plain numpy columns, and the column catalogue (:func:`output_columns`,
:func:`indicator_columns`) that estimation, reports and the synthetic generator rely on.

Pure: no I/O, the input frame is never modified. Definitions of scores, traffic lights and the
composite are in :mod:`pipeline.scoring.plan`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from pipeline.errors import InputError, Notice, Problem
from pipeline.questionnaire.model import Questionnaire, Text
from pipeline.rundata.columns import SOURCE_FILE, SOURCE_ROW, acute_column, tl_column
from pipeline.scoring.engine import RunOutcome, run
from pipeline.scoring.plan import (
    DEFAULT_POPULATION,
    CombinePlan,
    ConditionPlan,
    ScalePlan,
    ScoringPlan,
    TrafficLightPlan,
    compile_plan,
)

MAX_ROWS_SHOWN = 5

ColumnKind = Literal[
    "score", "traffic_light", "problem", "acute", "composite", "count", "condition", "band"
]

_NO_YES = ((0, Text(nl="nee", en="no")), (1, Text(nl="ja", en="yes")))
_LIGHTS = (
    (0, Text(nl="geen probleem", en="no problem")),
    (1, Text(nl="problematisch", en="problematic")),
    (2, Text(nl="acuut", en="acute")),
)


@dataclass(frozen=True)
class OutputColumn:
    """One column added by scoring, with what it measures and its value labels (codes are values)."""

    name: str
    kind: ColumnKind
    source: str  # the scale or indicator it comes from
    group: str | None  # workability / risk / module (indicators only)
    label: Text
    value_labels: tuple[tuple[int, Text], ...] = ()

    @property
    def binary(self) -> bool:
        """A 0/1 column whose mean is a share (what estimation estimates)."""
        return self.kind in ("problem", "acute", "composite", "condition", "band")


def output_columns(
    q: Questionnaire, population: str = DEFAULT_POPULATION
) -> tuple[OutputColumn, ...]:
    """Every column :func:`score_frame` adds, in order: the scale scores, then per indicator in
    schema order ``tl_<name>``, ``<name>``, ``<name>_acuut`` (traffic lights), ``<name>`` (composite
    and count). ``<name>_acuut`` exists only when the population's cut-offs have an acute cut-off."""
    plan = compile_plan(q, population)
    return _catalogue(q, plan)


def indicator_columns(q: Questionnaire, population: str = DEFAULT_POPULATION) -> list[str]:
    """The 0/1 columns estimation should estimate, in schema order, ``_acuut`` variants included
    (e.g. ``werkstress, werkstress_acuut, ..., werkbaar_werk, werkdruk_risico, ...``)."""
    return [c.name for c in output_columns(q, population) if c.binary]


def _catalogue(q: Questionnaire, plan: ScoringPlan) -> tuple[OutputColumn, ...]:
    out = [
        OutputColumn(s.column, "score", s.name, None, q.scale(s.name).label) for s in plan.scales
    ]
    for ind in plan.indicators:
        label = q.indicator(ind.name).label
        if isinstance(ind, TrafficLightPlan):
            out.append(
                OutputColumn(
                    tl_column(ind.name),
                    "traffic_light",
                    ind.name,
                    ind.group,
                    _suffix(label, " (verkeerslicht)", " (traffic light)"),
                    _LIGHTS if ind.acuut is not None else _LIGHTS[:2],
                )
            )
            out.append(OutputColumn(ind.name, "problem", ind.name, ind.group, label, _NO_YES))
            if ind.acuut is not None:
                out.append(
                    OutputColumn(
                        acute_column(ind.name),
                        "acute",
                        ind.name,
                        ind.group,
                        _suffix(label, " (acuut)", " (acute)"),
                        _NO_YES,
                    )
                )
        elif isinstance(ind, ConditionPlan):
            out.append(OutputColumn(ind.name, "condition", ind.name, ind.group, label, _NO_YES))
        elif ind.rule == "none_problem":
            out.append(OutputColumn(ind.name, "composite", ind.name, ind.group, label, _NO_YES))
        else:
            out.append(OutputColumn(ind.name, "count", ind.name, ind.group, label))
            for (lo, hi), col in zip(ind.bands, ind.band_columns, strict=True):
                out.append(
                    OutputColumn(
                        col, "band", ind.name, ind.group, band_label(label, lo, hi), _NO_YES
                    )
                )
    return tuple(out)


def band_label(label: Text, lo: int, hi: int) -> Text:
    """``aantal knelpunten: 3 tot 4`` (nl) / ``number of problem indicators: 3 to 4`` (en)."""
    nl = f"{lo}" if lo == hi else f"{lo} tot {hi}"
    en = f"{lo}" if lo == hi else f"{lo} to {hi}"
    return _suffix(label, f": {nl}", f": {en}")


def _suffix(t: Text, nl: str, en: str) -> Text:
    return Text(nl=t.nl + nl, en=(t.en + en) if t.en else None)


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class ScaleSummary:
    """Per scale: how many rows got a score and how many had too few valid items."""

    scale: str
    column: str
    method: str
    n_items: int
    min_valid: int
    min: float
    max: float
    n_rows: int
    n_scored: int
    n_too_few_items: int  # rows with fewer than min_valid valid items (score NaN)


@dataclass(frozen=True)
class CutoffRow:
    """One line of the cut-off table used: which entry, which values, how official they are."""

    indicator: str
    scale: str
    problem_if: str
    population: str  # the population asked for
    cutoff_key: str  # the entry used: the population itself or "default"
    problematisch: float
    acuut: float | None
    status: str  # "reference" | "official" | "user"
    note: str | None
    rule: str  # human-readable, e.g. "score >= 54.5: problematisch; score >= 81.8: acuut"


@dataclass(frozen=True)
class IndicatorSummary:
    """Unweighted distribution of an indicator's main column (tl_ for traffic lights)."""

    indicator: str
    kind: str
    group: str
    column: str
    n_defined: int
    distribution: tuple[tuple[int, int], ...]  # (value, n rows)


@dataclass(frozen=True, eq=False)
class ScoringResult:
    """The scored frame plus what a run report needs. ``frame`` is a new frame (input untouched)."""

    frame: pd.DataFrame
    questionnaire: str
    population: str
    columns: tuple[OutputColumn, ...]
    scales: tuple[ScaleSummary, ...]
    cutoffs: tuple[CutoffRow, ...]
    indicators: tuple[IndicatorSummary, ...]
    notices: tuple[Notice, ...] = field(default=())

    def cutoff_frame(self) -> pd.DataFrame:
        """The cut-off table as a frame (one row per traffic-light indicator)."""
        return pd.DataFrame(
            [asdict(c) for c in self.cutoffs], columns=list(CutoffRow.__dataclass_fields__)
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (everything except the frame), for ``diagnostics.json``."""
        return {
            "questionnaire": self.questionnaire,
            "population": self.population,
            "n_rows": int(len(self.frame)),
            "columns": [c.name for c in self.columns],
            "scales": [asdict(s) for s in self.scales],
            "cutoffs": [asdict(c) for c in self.cutoffs],
            "indicators": [
                {**asdict(i), "distribution": [list(d) for d in i.distribution]}
                for i in self.indicators
            ],
            "notices": [
                {"code": n.code, "message": n.message, "details": n.details} for n in self.notices
            ],
        }


# ---------------------------------------------------------------- entry points


def score_arrays(plan: ScoringPlan, columns: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Score plain numpy columns (item name -> 1-D array of codes) with a compiled plan.

    Returns the output columns (float64, NaN where undefined) in plan order. Meant for callers that
    score many times (the synthetic generator): compile once with
    :func:`~pipeline.scoring.plan.compile_plan`, call this per draw. Raises
    :class:`~pipeline.errors.InputError` for missing or non-numeric columns and unknown codes
    (rows are reported 1-based).
    """
    arrays: dict[str, np.ndarray] = {}
    problems: list[Problem] = []
    for name in dict.fromkeys(plan.input_columns):
        if name not in columns:
            problems.append(Problem("item column missing", column=name, code="missing_column"))
            continue
        a = np.asarray(columns[name])
        if a.ndim != 1 or a.dtype.kind not in "iuf":
            problems.append(
                Problem(
                    "expected a 1-D numeric array",
                    column=name,
                    value=f"{a.dtype}{a.shape}",
                    code="not_numeric",
                )
            )
            continue
        arrays[name] = a.astype(np.float64, copy=False)
    lengths = [a.shape[0] for a in arrays.values()]
    n = max(set(lengths), key=lengths.count) if lengths else 0  # the most common length
    for name, a in arrays.items():
        if a.shape[0] != n:
            problems.append(
                Problem(
                    "column length differs from the other columns",
                    column=name,
                    value=a.shape[0],
                    expected=str(n),
                    code="length_mismatch",
                )
            )
    if problems:
        raise InputError("cannot score: bad input columns", tuple(problems), code="bad_score_input")
    outcome = run(plan, arrays, n)
    _raise_unknown(plan, outcome, arrays, lambda pos: {"row": int(pos) + 1})
    return outcome.columns


def score_frame(
    q: Questionnaire, df: pd.DataFrame, population: str = DEFAULT_POPULATION
) -> ScoringResult:
    """Add scale scores and indicators to ``df`` (one row per respondent, canonical numeric codes).

    Output columns are named as in the run-directory contract: ``score_<scale>``, ``tl_<indicator>``,
    ``<indicator>``, ``<indicator>_acuut``, and the composite/count columns (``werkbaar_werk``,
    ``aantal_problemen``). Existing columns of those names (a frame scored before) are replaced,
    with a notice. Raises :class:`~pipeline.errors.SpecError` / :class:`~pipeline.errors.UsageError`
    for a broken scoring spec or unknown population, and :class:`~pipeline.errors.InputError` for
    missing or non-numeric item columns and codes that are neither a choice nor a missing code.
    """
    plan = compile_plan(q, population)
    arrays = _frame_columns(df, plan)
    n = len(df)
    outcome = run(plan, arrays, n)
    _raise_unknown(plan, outcome, arrays, _locator(df))
    catalogue = _catalogue(q, plan)
    replaced = [c for c in outcome.columns if c in df.columns]
    new = pd.DataFrame(outcome.columns, index=df.index)
    frame = (
        pd.concat([df.drop(columns=replaced), new], axis=1)
        if replaced
        else pd.concat([df, new], axis=1)
    )
    notices = []
    if replaced:
        notices.append(
            Notice(
                "scoring_columns_replaced",
                f"{len(replaced)} existing column(s) replaced by new scores",
                {"columns": replaced},
            )
        )
    scales = tuple(_scale_summary(s, outcome, n) for s in plan.scales)
    for s in scales:
        if n and s.n_scored == 0:
            notices.append(
                Notice(
                    "scale_unscored",
                    f"scale {s.scale!r}: no respondent has {s.min_valid} valid items",
                    {"scale": s.scale, "n_rows": n},
                )
            )
    cutoffs = tuple(
        _cutoff_row(ind, population) for ind in plan.indicators if isinstance(ind, TrafficLightPlan)
    )
    fallback = [c.indicator for c in cutoffs if c.cutoff_key != population]
    if population != DEFAULT_POPULATION and fallback:
        notices.append(
            Notice(
                "cutoff_default_used",
                f"{len(fallback)} indicator(s) have no cut-offs for "
                f"{population!r}; their 'default' cut-offs were used",
                {"indicators": fallback},
            )
        )
    return ScoringResult(
        frame=frame,
        questionnaire=plan.questionnaire,
        population=population,
        columns=catalogue,
        scales=scales,
        cutoffs=cutoffs,
        indicators=tuple(_indicator_summary(ind, outcome) for ind in plan.indicators),
        notices=tuple(notices),
    )


# ---------------------------------------------------------------- helpers


def _frame_columns(df: pd.DataFrame, plan: ScoringPlan) -> dict[str, np.ndarray]:
    problems: list[Problem] = []
    arrays: dict[str, np.ndarray] = {}
    names = list(dict.fromkeys(plan.input_columns))
    missing = [c for c in names if c not in df.columns]
    if missing:
        more = f" (first {MAX_ROWS_SHOWN} shown)" if len(missing) > MAX_ROWS_SHOWN else ""
        problems.append(
            Problem(
                f"{len(missing)} item column(s) needed for scoring are missing{more}",
                value=missing[:MAX_ROWS_SHOWN],
                hint="score the validated data (01_validate/accepted.parquet) "
                "or check the questionnaire version",
                code="missing_column",
            )
        )
    dupes = set(df.columns[df.columns.duplicated()])
    for name in names:
        if name in missing:
            continue
        if name in dupes:
            problems.append(
                Problem("column name appears more than once", column=name, code="duplicate_column")
            )
            continue
        s = df[name]
        if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
            problems.append(
                Problem(
                    "item column is not numeric",
                    column=name,
                    value=str(s.dtype),
                    expected="numeric codes (float64)",
                    code="not_numeric",
                )
            )
            continue
        arrays[name] = s.to_numpy(dtype=np.float64, na_value=np.nan)
    if problems:
        raise InputError(
            "cannot score: the data do not match the questionnaire",
            tuple(problems),
            code="bad_score_input",
        )
    return arrays


def _locator(df: pd.DataFrame) -> Any:
    files = df[SOURCE_FILE].to_numpy() if SOURCE_FILE in df.columns else None
    rows = df[SOURCE_ROW].to_numpy() if SOURCE_ROW in df.columns else None

    def where(pos: int) -> dict[str, Any]:
        loc: dict[str, Any] = {"row": int(rows[pos]) if rows is not None else int(pos) + 1}
        if files is not None:
            loc["file"] = str(files[pos])
        return loc

    return where


def _raise_unknown(
    plan: ScoringPlan, outcome: RunOutcome, arrays: Mapping[str, np.ndarray], where: Any
) -> None:
    """Codes outside an item's choice list, in scale items and in the single-choice items that
    condition indicators read: every such column reported at once, a few rows each."""
    problems: list[Problem] = []
    reported: set[str] = set()

    def report(name: str, pos: np.ndarray, codes: np.ndarray | tuple[float, ...]) -> None:
        reported.add(name)
        expected = "one of " + ", ".join(str(int(c)) for c in codes) + " or a missing code (< 0)"
        for p in pos[:MAX_ROWS_SHOWN]:
            problems.append(
                Problem(
                    "code is not a choice of the item",
                    column=name,
                    value=float(arrays[name][p]),
                    expected=expected,
                    hint="validate the data first (codes outside the list become -7)",
                    code="unknown_code",
                    **where(p),
                )
            )
        if pos.size > MAX_ROWS_SHOWN:
            problems.append(
                Problem(
                    f"... and {pos.size - MAX_ROWS_SHOWN} more row(s) with unknown codes",
                    column=name,
                    code="unknown_code",
                )
            )

    for scale in plan.scales:
        for item in scale.items:
            pos = outcome.scales[scale.name].unknown.get(item.name)
            if pos is not None and item.name not in reported:
                report(item.name, pos, item.codes)
    for ind in plan.indicators:
        if isinstance(ind, ConditionPlan):
            for name, codes in ind.choices:
                values = arrays[name]
                bad = np.flatnonzero((values >= 0) & ~np.isin(values, codes))
                if bad.size and name not in reported:
                    report(name, bad, codes)
    if problems:
        raise InputError(
            f"cannot score: {len(reported)} item column(s) hold codes outside their choice list",
            tuple(problems),
            code="unknown_code",
        )


def _scale_summary(scale: ScalePlan, outcome: RunOutcome, n: int) -> ScaleSummary:
    scored = int(np.count_nonzero(~np.isnan(outcome.scales[scale.name].score)))
    return ScaleSummary(
        scale=scale.name,
        column=scale.column,
        method=scale.method,
        n_items=len(scale.items),
        min_valid=scale.min_valid,
        min=scale.min,
        max=scale.max,
        n_rows=n,
        n_scored=scored,
        n_too_few_items=n - scored,
    )


def _cutoff_row(ind: TrafficLightPlan, population: str) -> CutoffRow:
    op = ">=" if ind.problem_if == "high" else "<="
    rule = f"score {op} {ind.problematisch:g}: problematisch"
    if ind.acuut is not None:
        rule += f"; score {op} {ind.acuut:g}: acuut"
    return CutoffRow(
        indicator=ind.name,
        scale=ind.scale,
        problem_if=ind.problem_if,
        population=population,
        cutoff_key=ind.cutoff_key,
        problematisch=ind.problematisch,
        acuut=ind.acuut,
        status=ind.status,
        note=ind.note,
        rule=rule,
    )


def _indicator_summary(
    ind: TrafficLightPlan | CombinePlan | ConditionPlan, outcome: RunOutcome
) -> IndicatorSummary:
    if isinstance(ind, TrafficLightPlan):
        column, kind = tl_column(ind.name), "traffic_light"
    elif isinstance(ind, ConditionPlan):
        column, kind = ind.name, "condition"
    else:
        column, kind = ind.name, ("composite" if ind.rule == "none_problem" else "count")
    values = outcome.columns[column]
    defined = values[~np.isnan(values)].astype(np.int64)
    counts = np.bincount(defined) if defined.size else np.zeros(0, dtype=np.int64)
    return IndicatorSummary(
        indicator=ind.name,
        kind=kind,
        group=ind.group,
        column=column,
        n_defined=int(defined.size),
        distribution=tuple((int(v), int(c)) for v, c in enumerate(counts) if c),
    )
