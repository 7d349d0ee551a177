"""Compile the scoring part of a questionnaire into a :class:`ScoringPlan` (spec -> numbers).

The plan is what the numpy engine (:mod:`pipeline.scoring.engine`) runs: for every scale the item
lookup tables (substantive codes -> points, reverse coding already applied), the scoring method and
range, and for every indicator the cut-offs chosen for one population. Compiling checks the spec's
cross-references in one pass and reports every problem at once (:class:`~pipeline.errors.SpecError`).

Definitions (the contract the tests pin down):

* **Item score**: ``Choice.score`` of the code's choice (default: the code itself). A reverse-coded
  item scores ``high + low - score`` where ``low``/``high`` are the smallest/largest score of that
  item's choice list. A value is a *valid item* only when it is one of the item's choice codes;
  NaN, negative codes (-1 not applicable, -7 invalid, -8 don't know, -9 no answer) and any other
  declared missing code are not valid. A non-negative value that is neither a choice nor a declared
  missing code is a data error (:class:`~pipeline.errors.InputError`), never silently ignored.
* **mean_rescaled**: each valid item is rescaled to 0-1 over its list's range
  (``(score - low) / (high - low)``), the mean of the valid items is mapped to ``[min, max]``.
* **sum_rescaled**: the sum of the valid items' ``score - low`` divided by the sum of their ranges,
  mapped to ``[min, max]``. With all items answered this is the classic rescaled sum score
  (``100 * sum / max_sum``); with missing items it is the sum prorated over the answered items.
  Both methods agree when every item has the same range; they differ when ranges differ (the sum
  weights an item by its range, the mean weights every item equally).
* A score needs at least ``min_valid`` valid items, otherwise it is NaN. Scores are rounded to
  :data:`SCORE_DECIMALS` decimals so that a score that *is* a cut-off compares equal to it.
* **Traffic light** (``problem_if: high``): ``score >= problematisch`` is a problem (orange, 1),
  ``score >= acuut`` acute (red, 2). ``problem_if: low``: ``<=`` instead. Cut-offs are looked up by
  population, falling back to the ``default`` entry.
* **none_problem** (werkbaar werk): 1 when none of the combined indicators is a problem, 0 when at
  least one is, NaN when any of them is NaN. **count_problem**: the number of problems, NaN when
  any of them is NaN (so ``werkbaar_werk == (aantal_problemen == 0)`` wherever both are defined).
  A count with ``bands`` (e.g. 0 / 1 / 2 / 3-4) also gets one 0/1 column per band
  (``aantal_problemen_3_4``: 1 where the count lies from 3 to 4), NaN where the count is NaN, so the
  distribution is estimated as shares with CIs like any other indicator.
* **condition** (module indicators such as telework, frequent or long absence): 1 where the
  ``condition`` expression holds, 0 where it does not, NaN where ``defined_if`` does not hold. Without
  ``defined_if`` the indicator is defined where every variable the condition names has a substantive
  value (so an unanswered ``abs_spells`` gives NaN, never a silent 0). Expressions follow
  :mod:`pipeline.questionnaire.expr` (non-substantive codes carry no value). A single-choice
  variable holding a non-negative code outside its choice list is a data error, as for scale items.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from pipeline.errors import Problem, SpecError, UsageError, one_of
from pipeline.questionnaire.expr import Answered, Expr, Logic, try_parse
from pipeline.questionnaire.model import Indicator, ItemType, Questionnaire, Scale
from pipeline.rundata.columns import acute_column, band_column, score_column, tl_column

#: Scores are rounded to this many decimals (well below any meaningful difference, well above
#: floating-point noise), so a score equal to a cut-off with at most this many decimals compares equal.
SCORE_DECIMALS = 9

DEFAULT_POPULATION = "default"

#: Traffic-light codes of the ``tl_<indicator>`` columns.
GREEN, ORANGE, RED = 0, 1, 2


@dataclass(frozen=True, eq=False)
class ItemPlan:
    """One scale item: sorted substantive ``codes`` and the ``points`` each code adds to the numerator.

    ``points[j] * weight`` is already reverse-coded and offset to the list minimum;
    ``denominator`` is what a valid answer adds to the denominator (see the module docstring).
    ``missing`` holds the item's non-negative declared missing codes (rare; negatives are never valid).
    """

    name: str
    codes: np.ndarray
    points: np.ndarray
    denominator: float
    reverse: bool
    missing: np.ndarray
    low: float
    high: float


@dataclass(frozen=True, eq=False)
class ScalePlan:
    """One scale: its items in spec order, scoring method, output range and ``min_valid``."""

    name: str
    column: str
    method: Literal["mean_rescaled", "sum_rescaled"]
    items: tuple[ItemPlan, ...]
    min: float
    max: float
    min_valid: int


@dataclass(frozen=True)
class TrafficLightPlan:
    """A traffic-light indicator with the cut-offs chosen for the plan's population."""

    name: str
    group: str
    scale: str
    score_column: str
    problem_if: Literal["high", "low"]
    problematisch: float
    acuut: float | None
    cutoff_key: str  # the cut-off entry used: the population itself or "default"
    status: str
    note: str | None

    @property
    def columns(self) -> tuple[str, ...]:
        """``tl_<name>``, ``<name>`` and (when there is an acute cut-off) ``<name>_acuut``."""
        acute = (acute_column(self.name),) if self.acuut is not None else ()
        return (tl_column(self.name), self.name, *acute)


@dataclass(frozen=True)
class CombinePlan:
    """A composite (``none_problem``) or count (``count_problem``) over traffic-light indicators."""

    name: str
    group: str
    rule: Literal["none_problem", "count_problem"]
    of: tuple[str, ...]
    bands: tuple[tuple[int, int], ...] = ()  # count: the distribution's bands (lowest, highest)

    @property
    def band_columns(self) -> tuple[str, ...]:
        """``<name>_<lo>[_<hi>]`` per band: 1 where the count lies in the band."""
        return tuple(band_column(self.name, lo, hi) for lo, hi in self.bands)

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.name, *self.band_columns)


@dataclass(frozen=True)
class ConditionPlan:
    """A 0/1 indicator computed from items by an expression (module indicators)."""

    name: str
    group: str
    condition: Expr
    defined: Expr  # where the indicator is defined
    variables: tuple[str, ...]  # the data columns both expressions read, sorted
    choices: tuple[
        tuple[str, tuple[float, ...]], ...
    ] = ()  # single-choice variables: their valid codes

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.name,)


IndicatorPlan = TrafficLightPlan | CombinePlan | ConditionPlan


@dataclass(frozen=True, eq=False)
class ScoringPlan:
    """Everything needed to score data of one questionnaire for one population (no pandas)."""

    questionnaire: str
    population: str
    scales: tuple[ScalePlan, ...]
    indicators: tuple[IndicatorPlan, ...]  # in schema order

    @property
    def input_columns(self) -> tuple[str, ...]:
        """Every data column scoring reads: the scale items, then the condition indicators' variables."""
        return tuple(
            dict.fromkeys(
                [it.name for s in self.scales for it in s.items] + list(self.condition_columns)
            )
        )

    @property
    def condition_columns(self) -> tuple[str, ...]:
        """The variables the condition indicators read (numeric codes; derived variables allowed)."""
        return tuple(
            dict.fromkeys(
                v
                for ind in self.indicators
                if isinstance(ind, ConditionPlan)
                for v in ind.variables
            )
        )

    def scales_only(self) -> ScoringPlan:
        """This plan without its condition indicators: what needs only the scale items (the synthetic
        generator's latent-trait model scores item draws of the scales alone)."""
        return ScoringPlan(
            questionnaire=self.questionnaire,
            population=self.population,
            scales=self.scales,
            indicators=tuple(i for i in self.indicators if not isinstance(i, ConditionPlan)),
        )

    @property
    def output_columns(self) -> tuple[str, ...]:
        out = [s.column for s in self.scales]
        for ind in self.indicators:
            out.extend(ind.columns)
        return tuple(out)


def _item_plan(
    q: Questionnaire, scale: Scale, name: str, ref_range: float | None, problems: list[Problem]
) -> ItemPlan | None:
    where = f"scales[{scale.name}].items[{name}]"
    try:
        item = q.item(name)
    except KeyError:
        problems.append(
            Problem(
                "scale item is not a questionnaire item",
                path=where,
                value=name,
                hint="add the item or remove it from the scale",
                code="unknown_item",
            )
        )
        return None
    choices = q.choices_of(item) if item.type == ItemType.single else ()
    if not choices:
        problems.append(
            Problem(
                "a scale item must be a single-choice item with choices",
                path=where,
                value=item.type.value,
                code="item_without_choices",
            )
        )
        return None
    codes = np.array([c.code for c in choices], dtype=np.float64)
    scores = np.array(
        [float(c.code if c.score is None else c.score) for c in choices], dtype=np.float64
    )
    if np.any(codes < 0):
        problems.append(
            Problem(
                "choice codes of a scale item must be >= 0 (negative codes are non-substantive)",
                path=where,
                value=[int(c) for c in codes[codes < 0]],
                code="negative_choice_code",
            )
        )
        return None
    if not np.all(np.isfinite(scores)):
        problems.append(
            Problem("choice scores must be finite", path=where, code="bad_choice_score")
        )
        return None
    low, high = float(scores.min()), float(scores.max())
    if high <= low:
        problems.append(
            Problem(
                "the choices of a scale item must have at least two different scores",
                path=where,
                value=low,
                code="constant_item",
            )
        )
        return None
    reverse = name in scale.reverse
    offset = (high - scores) if reverse else (scores - low)
    rng = high - low
    if scale.scoring.method == "mean_rescaled":
        ref = rng if ref_range is None else ref_range
        weight = 1.0 if rng == ref else ref / rng
        points, denominator = offset * weight, ref
    else:
        points, denominator = offset, rng
    order = np.argsort(codes, kind="stable")
    nonneg_missing = sorted({float(m) for m in (*item.missing, *q.missing_code_values()) if m >= 0})
    clash = sorted(set(nonneg_missing) & set(codes.tolist()))
    if clash:
        problems.append(
            Problem(
                "a code is both a choice and a missing code",
                path=where,
                value=[int(c) for c in clash],
                code="missing_code_is_choice",
            )
        )
        return None
    return ItemPlan(
        name=name,
        codes=_ro(codes[order]),
        points=_ro(points[order]),
        denominator=float(denominator),
        reverse=reverse,
        missing=_ro(np.array(nonneg_missing, dtype=np.float64)),
        low=low,
        high=high,
    )


def _listed(keys: Iterable[str], limit: int = 5) -> str:
    names = list(keys)
    more = f" (and {len(names) - limit} more)" if len(names) > limit else ""
    return (
        "one of " + ", ".join(repr(n) for n in names[:limit]) + more if names else "(none defined)"
    )


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def _scale_plan(q: Questionnaire, scale: Scale, problems: list[Problem]) -> ScalePlan | None:
    where = f"scales[{scale.name}]"
    before = len(problems)
    if not scale.items:
        problems.append(Problem("a scale needs at least one item", path=where, code="empty_scale"))
    dupes = sorted({i for i in scale.items if scale.items.count(i) > 1})
    if dupes:
        problems.append(
            Problem(
                "an item appears more than once in the scale",
                path=where,
                value=dupes,
                code="duplicate_scale_item",
            )
        )
    stray = [r for r in scale.reverse if r not in scale.items]
    if stray:
        problems.append(
            Problem(
                "reverse-coded items must be items of the scale",
                path=f"{where}.reverse",
                value=stray,
                code="reverse_not_in_scale",
            )
        )
    sc = scale.scoring
    if not sc.max > sc.min:
        problems.append(
            Problem(
                "scoring max must be larger than min",
                path=f"{where}.scoring",
                value=(sc.min, sc.max),
                code="bad_score_range",
            )
        )
    if not 1 <= sc.min_valid <= max(len(scale.items), 1):
        problems.append(
            Problem(
                "min_valid must be between 1 and the number of items",
                path=f"{where}.scoring.min_valid",
                value=sc.min_valid,
                expected=f"1..{len(scale.items)}",
                code="bad_min_valid",
            )
        )
    items: list[ItemPlan] = []
    ref_range: float | None = None
    for name in dict.fromkeys(scale.items):
        ip = _item_plan(q, scale, name, ref_range, problems)
        if ip is not None:
            items.append(ip)
            if ref_range is None:
                ref_range = ip.high - ip.low
    if len(problems) > before:
        return None
    return ScalePlan(
        name=scale.name,
        column=score_column(scale.name),
        method=sc.method,
        items=tuple(items),
        min=float(sc.min),
        max=float(sc.max),
        min_valid=sc.min_valid,
    )


def _traffic_light(
    ind: Indicator, population: str, scales: dict[str, Scale], problems: list[Problem]
) -> TrafficLightPlan | None:
    where = f"indicators[{ind.name}]"
    assert ind.scale is not None and ind.cutoffs is not None  # guaranteed by the model
    if ind.scale not in scales:
        problems.append(
            Problem(
                "traffic-light indicator refers to an unknown scale",
                path=f"{where}.scale",
                value=ind.scale,
                expected=_listed(scales),
                code="unknown_scale",
            )
        )
        return None
    ok = True
    for key, cut in ind.cutoffs.items():
        if cut.acuut is None:
            continue
        beyond = (
            cut.acuut >= cut.problematisch
            if ind.problem_if == "high"
            else cut.acuut <= cut.problematisch
        )
        if not beyond:
            rel = ">=" if ind.problem_if == "high" else "<="
            problems.append(
                Problem(
                    f"with problem_if: {ind.problem_if} the acute cut-off must be {rel} the problematic one",
                    path=f"{where}.cutoffs.{key}",
                    value=(cut.problematisch, cut.acuut),
                    code="cutoffs_out_of_order",
                )
            )
            ok = False
    if not ok:
        return None
    key = population if population in ind.cutoffs else DEFAULT_POPULATION
    cut = ind.cutoffs[key]
    return TrafficLightPlan(
        name=ind.name,
        group=ind.group,
        scale=ind.scale,
        score_column=score_column(ind.scale),
        problem_if=ind.problem_if,
        problematisch=float(cut.problematisch),
        acuut=None if cut.acuut is None else float(cut.acuut),
        cutoff_key=key,
        status=ind.cutoff_status,
        note=ind.cutoff_note,
    )


def _combine(ind: Indicator, kinds: dict[str, str], problems: list[Problem]) -> CombinePlan | None:
    where = f"indicators[{ind.name}]"
    rule = ind.rule or ("none_problem" if ind.kind == "composite" else "count_problem")
    expected = "none_problem" if ind.kind == "composite" else "count_problem"
    before = len(problems)
    if rule != expected:
        problems.append(
            Problem(
                f"a {ind.kind} indicator needs rule {expected}",
                path=f"{where}.rule",
                value=rule,
                code="rule_kind_mismatch",
            )
        )
    for name in ind.of:
        if name not in kinds:
            problems.append(
                Problem(
                    "combines an unknown indicator",
                    path=f"{where}.of",
                    value=name,
                    expected=_listed(kinds),
                    code="unknown_indicator",
                )
            )
        elif kinds[name] != "traffic_light":
            problems.append(
                Problem(
                    "can only combine traffic-light indicators",
                    path=f"{where}.of",
                    value=name,
                    code="combines_non_traffic_light",
                )
            )
    if len(set(ind.of)) != len(ind.of):
        problems.append(
            Problem(
                "an indicator is combined more than once",
                path=f"{where}.of",
                value=list(ind.of),
                code="duplicate_combined_indicator",
            )
        )
    if len(problems) > before:
        return None
    return CombinePlan(
        name=ind.name, group=ind.group, rule=rule, of=tuple(ind.of), bands=tuple(ind.bands)
    )


def _condition(ind: Indicator, q: Questionnaire, problems: list[Problem]) -> ConditionPlan | None:
    where = f"indicators[{ind.name}]"
    known = set(q.known_variables())
    before = len(problems)
    parsed: dict[str, Expr] = {}
    for key, text in (("condition", ind.condition), ("defined_if", ind.defined_if)):
        if text is None:
            continue
        e, issue = try_parse(text)
        if issue is not None:
            problems.append(
                Problem(
                    f"{key}: {issue.message} at column {issue.column}",
                    path=f"{where}.{key}",
                    value=text,
                    expected=issue.expected,
                    code="expr_syntax",
                )
            )
            continue
        assert e is not None
        unknown = sorted(v for v in e.variables if v not in known)
        if unknown:
            problems.append(
                Problem(
                    f"{key} uses a variable the questionnaire does not have",
                    path=f"{where}.{key}",
                    value=unknown,
                    expected=_listed(sorted(known)),
                    code="unknown_variable",
                )
            )
        elif not e.variables:
            problems.append(
                Problem(
                    f"{key} must name at least one variable",
                    path=f"{where}.{key}",
                    value=text,
                    code="constant_condition",
                )
            )
        parsed[key] = e
    if len(problems) > before:
        return None
    condition = parsed["condition"]
    defined = parsed.get("defined_if")
    if defined is None:  # defined where every variable of the condition is answered
        names = sorted(condition.variables)
        defined = Answered(names[0])
        for v in names[1:]:
            defined = Logic("and", defined, Answered(v))
    variables = tuple(sorted(condition.variables | defined.variables))
    choices = []
    for v in variables:
        item = next((it for it in q.items if it.name == v), None)
        if item is not None and item.type == ItemType.single:
            valid = {float(c.code) for c in q.choices_of(item)} | {
                float(m) for m in item.missing if m >= 0
            }
            choices.append((v, tuple(sorted(valid))))
    return ConditionPlan(
        name=ind.name,
        group=ind.group,
        condition=condition,
        defined=defined,
        variables=variables,
        choices=tuple(choices),
    )


def known_populations(q: Questionnaire) -> tuple[str, ...]:
    """Populations :func:`compile_plan` accepts: ``default``, the study's own population (e.g.
    ``werknemers``) and every population that has its own cut-offs in some indicator."""
    keys: dict[str, None] = {DEFAULT_POPULATION: None, q.study.population: None}
    for ind in q.indicators:
        for k in ind.cutoffs or {}:
            keys[k] = None
    return tuple(keys)


def compile_plan(q: Questionnaire, population: str = DEFAULT_POPULATION) -> ScoringPlan:
    """Check the scoring spec of ``q`` and compile it for ``population``.

    Raises :class:`~pipeline.errors.UsageError` when ``population`` is not one of
    :func:`known_populations` (a typo would otherwise fall back to the default cut-offs silently), and
    :class:`~pipeline.errors.SpecError` listing every problem of the scales and indicators.
    """
    pops = known_populations(q)
    if population not in pops:
        raise UsageError(
            f"no indicator has cut-offs for population {population!r}",
            [
                Problem(
                    one_of(population, pops),
                    hint="use 'default' or a population named in the cut-offs",
                    code="unknown_population",
                )
            ],
            code="unknown_population",
        )
    problems: list[Problem] = []
    scale_specs: dict[str, Scale] = {}
    for s in q.scales:
        if s.name in scale_specs:
            problems.append(
                Problem("duplicate scale name", path=f"scales[{s.name}]", code="duplicate_scale")
            )
        scale_specs[s.name] = s
    scales = [p for s in scale_specs.values() if (p := _scale_plan(q, s, problems)) is not None]
    kinds: dict[str, str] = {}
    for ind in q.indicators:
        if ind.name in kinds:
            problems.append(
                Problem(
                    "duplicate indicator name",
                    path=f"indicators[{ind.name}]",
                    code="duplicate_indicator",
                )
            )
        kinds[ind.name] = ind.kind
    indicators: list[IndicatorPlan] = []
    for ind in q.indicators:
        plan: IndicatorPlan | None
        if ind.kind == "traffic_light":
            plan = _traffic_light(ind, population, scale_specs, problems)
        elif ind.kind == "condition":
            plan = _condition(ind, q, problems)
        elif ind.kind == "numeric":
            plan = None  # no scored column: estimated from its item (pipeline.estimation.numeric)
        else:
            plan = _combine(ind, kinds, problems)
        if plan is not None:
            indicators.append(plan)
    if not problems:
        _check_names(q, scales, indicators, problems)
    if problems:
        raise SpecError(
            f"questionnaire {q.study.id!r}: the scoring spec has {len(problems)} problem(s)",
            tuple(problems),
        )
    return ScoringPlan(
        questionnaire=q.study.id,
        population=population,
        scales=tuple(scales),
        indicators=tuple(indicators),
    )


def _check_names(
    q: Questionnaire,
    scales: list[ScalePlan],
    indicators: list[IndicatorPlan],
    problems: list[Problem],
) -> None:
    taken = set(q.variables()) | {d.name for d in q.derived}
    seen: dict[str, str] = {}
    owners = [(s.column, f"scales[{s.name}]") for s in scales]
    owners += [(c, f"indicators[{i.name}]") for i in indicators for c in i.columns]
    for col, owner in owners:
        if col in taken:
            problems.append(
                Problem(
                    "output column would overwrite a questionnaire variable",
                    path=owner,
                    value=col,
                    hint="rename the scale or indicator",
                    code="output_name_clash",
                )
            )
        elif col in seen:
            problems.append(
                Problem(
                    f"output column also produced by {seen[col]}",
                    path=owner,
                    value=col,
                    hint="rename the scale or indicator",
                    code="output_name_clash",
                )
            )
        seen.setdefault(col, owner)
