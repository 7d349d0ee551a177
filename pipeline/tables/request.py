"""A custom-table request: one small YAML file per request (the *spec*; no pandas here).

```yaml
kind: table-request
schema_version: 1
id: pc126-werkstress
requester: woodwize              # a registered organisation (the publisher's registry)
population: employees            # employees | self-employed | enterprises
waves: [2023]
indicators: [werkstress, werkbaar_werk]
rows: age_band                   # optional breakdowns (rows and/or columns)
columns: statute
filters:
  - {variable: sector, levels: [4]}
  - {variable: statute, exclude: [3]}
statistics: [percent, ci, n]     # percent (or estimate: the percentage, mean or total), ci, n, weighted_n,
                                 # p_value, significance (of the benchmark)
benchmark: flanders              # optional: flanders | rest | {variable: age_band, level: 1}
language: nl
disclosure: {min_n_percent: 50}  # optional: stricter than the publisher's policy, never looser
```

Checked in two passes, every problem reported at once: the structure (pydantic, unknown keys
rejected), then the names against the questionnaire of every requested wave (indicators, variables,
levels, language); an unknown name fails with the full list of valid names.

``indicators`` are the questionnaire's indicators (0/1: percentages; counts: means), their
``<name>_acuut`` variants, its numeric indicators (``kind: numeric``, e.g. ``mod_woonwerk_minuten``:
the weighted mean of the item over the respondents who answered it, :func:`numeric_indicators`),
and, for ``population: enterprises``, numeric items (e.g. ``employees``): those give *magnitude
tables* of weighted totals, protected by the (n,k) dominance and p% rules. Names are those of the
latest requested wave; earlier waves are reached through the questionnaires' wave mappings.

An entry ``verdeling:<name>`` of ``indicators`` is a *distribution* (:func:`distribution_groups`):
``verdeling:aantal_problemen`` gives the count's bands (0, 1, 2, 3-4 problems: ``aantal_problemen_0``
... ``aantal_problemen_3_4``), ``verdeling:werkstress`` the problematic / acute split (``werkstress``,
``werkstress_acuut``): its indicators, in that order, one after the other in the table.

``benchmark`` sets every cell beside a reference, with the difference and its test
(:mod:`pipeline.tables.benchmark`): ``flanders`` (the whole population of the wave, without the
request's filters), ``rest`` (the rest of that population: everyone not in the cell) or a group of
one of the table's breakdowns (``{variable, level}``: each cell against the cell of that level in
the same row or column). It needs the estimate among the statistics; ``p_value`` and
``significance`` (which need a benchmark) add the test's p-value and its verdict at 5%.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.errors import Problem, SpecError, did_you_mean, similar_first
from pipeline.frame.model import REGISTER_ONLY
from pipeline.paths import QUESTIONNAIRES_DIR
from pipeline.questionnaire.model import ItemType, Measure, Questionnaire, Role, Text
from pipeline.questionnaire.populations import REQUEST_NAMES
from pipeline.sdc.tables.cells import Condition
from pipeline.sdc.tables.rules import TableKind
from pipeline.sdc.tables.structure import Dimension
from pipeline.specfile import Source, load_yaml, located_problems, read_yaml

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.scoring.api import OutputColumn

KIND = "table-request"
SCHEMA_VERSION = 1
POPULATIONS = REQUEST_NAMES  # request name -> the questionnaire's population
SLUG = r"^[a-z0-9][a-z0-9._-]{0,63}$"
MISSING_LEVEL = "missing"
DEFAULT_CUTOFFS = (
    "default"  # = pipeline.scoring.plan.DEFAULT_POPULATION (not imported here: it loads pandas)
)


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Filter(_Spec):
    """Keep respondents whose ``variable`` is in ``levels`` (or not in ``exclude``)."""

    variable: str
    levels: tuple[int, ...] | None = None
    exclude: tuple[int, ...] | None = None

    @model_validator(mode="after")
    def _one(self) -> Filter:
        if (self.levels is None) == (self.exclude is None):
            raise ValueError("a filter needs exactly one of 'levels' or 'exclude'")
        if not (self.levels or self.exclude):
            raise ValueError("a filter needs at least one level")
        return self


class BenchmarkGroup(_Spec):
    """A reference group of the same breakdown: ``variable`` (the request's rows or columns) at
    ``level``."""

    variable: str
    level: int


BENCHMARKS = ("flanders", "rest")
STATISTICS = ("estimate", "ci", "n", "weighted_n", "p_value", "significance")


class DisclosureOptions(_Spec):
    """A request's own disclosure settings: each may only be stricter than the publisher's policy
    (:func:`pipeline.sdc.policy.effective_rules`); a key left out takes the policy's value."""

    min_n_count: Annotated[int, Field(ge=1)] | None = None
    min_n_percent: Annotated[int, Field(ge=1)] | None = None
    unreliable_below: Annotated[int, Field(ge=1)] | None = None
    min_n_magnitude: Annotated[int, Field(ge=1)] | None = None
    dominance_n: Annotated[int, Field(ge=1)] | None = None
    dominance_k: Annotated[float, Field(gt=0, le=100)] | None = None
    p_percent: Annotated[float, Field(gt=0, le=100)] | None = None
    on_disclosure: Literal["suppress", "refuse"] | None = None

    def asked(self) -> dict[str, object]:
        """The keys the request set."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


class TableRequest(_Spec):
    kind: Literal["table-request"] = "table-request"
    schema_version: Literal[1] = 1
    id: str = Field(pattern=SLUG)
    requester: str = Field(pattern=SLUG)
    title: Text | None = None
    population: Literal["employees", "self-employed", "enterprises"]
    waves: tuple[int, ...] = Field(min_length=1)
    indicators: tuple[str, ...] = Field(min_length=1)
    rows: str | None = None
    columns: str | None = None
    filters: tuple[Filter, ...] = ()
    statistics: tuple[
        Literal["percent", "estimate", "ci", "n", "weighted_n", "p_value", "significance"], ...
    ] = (
        "percent",
        "ci",
        "n",
    )
    language: str = "nl"
    questionnaire: str | None = (
        None  # a questionnaire id or path for a single-wave request (default: shipped)
    )
    disclosure: DisclosureOptions = Field(default_factory=DisclosureOptions)
    # several waves: each wave's change against the previous requested wave, or the first, tested
    change: Literal["previous", "first", "none"] = "previous"
    # every cell beside Flanders, the rest of the population, or a group of its breakdown
    benchmark: Literal["flanders", "rest"] | BenchmarkGroup | None = None

    @field_validator("waves", "indicators", "statistics")
    @classmethod
    def _unique(cls, v: tuple[object, ...]) -> tuple[object, ...]:
        if len(set(v)) != len(v):
            raise ValueError("names must not repeat")
        return v

    @model_validator(mode="after")
    def _shape(self) -> TableRequest:
        if self.rows is not None and self.rows == self.columns:
            raise ValueError("rows and columns must be different variables")
        if self.questionnaire is not None and len(self.waves) > 1:
            raise ValueError("'questionnaire' can only be given for a single-wave request")
        stats = set(self.statistics)
        if self.benchmark is None and stats & {"p_value", "significance"}:
            raise ValueError("'p_value' and 'significance' test a benchmark: give 'benchmark'")
        if self.benchmark is not None and not stats & {"percent", "estimate"}:
            raise ValueError("a benchmark needs the estimate: add 'percent' to 'statistics'")
        if isinstance(self.benchmark, BenchmarkGroup) and self.benchmark.variable not in (
            self.rows,
            self.columns,
        ):
            raise ValueError(
                f"the benchmark group's variable {self.benchmark.variable!r} must be the rows or "
                "the columns of the table"
            )
        return self

    def published_statistics(self) -> tuple[str, ...]:
        """The statistics shown, canonically named and ordered: ``estimate`` (``percent`` is its
        name for percentage tables), ``ci``, ``n``, ``weighted_n``, ``p_value``, ``significance``."""
        asked = {"estimate" if s == "percent" else s for s in self.statistics}
        return tuple(s for s in STATISTICS if s in asked)

    def benchmark_name(self) -> str:
        """The benchmark as the contract's ``benchmark`` column gives it: ``flanders``, ``rest``,
        ``<variable>=<level>`` or '' (none)."""
        b = self.benchmark
        if b is None:
            return ""
        return b if isinstance(b, str) else f"{b.variable}={b.level}"

    def hash(self) -> str:
        """SHA-256 of the request's content (not its formatting or comments)."""
        data = self.model_dump(mode="json")
        if data["change"] == "previous":  # the default: requests written before it keep their hash
            del data["change"]
        if data["benchmark"] is None:  # idem
            del data["benchmark"]
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class WaveNames:
    """One wave's questionnaire and the request's names translated into that wave's names;
    ``columns``: the wave's indicator columns as scoring makes them with the cut-offs of
    ``cutoff_population`` (the one its data were scored with), :func:`indicator_catalogue`."""

    wave: int
    questionnaire: Questionnaire
    variables: dict[str, str]  # request name -> this wave's name
    indicators: dict[str, str]
    cutoff_population: str = DEFAULT_CUTOFFS
    columns: Mapping[str, OutputColumn] = field(default_factory=dict, compare=False, repr=False)
    # this wave's numeric indicators: name -> the item it summarises (:func:`numeric_indicators`)
    numeric: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def column(self, indicator: str) -> OutputColumn | None:
        """The scored column behind a requested indicator (None for a magnitude item or a numeric
        indicator)."""
        return self.columns.get(self.indicators[indicator])

    def is_numeric(self, indicator: str) -> bool:
        """Whether a requested indicator is a numeric indicator of this wave (its column, in
        :attr:`indicators`, is the item it summarises)."""
        return self.indicators[indicator] in self.numeric.values()


@dataclass(frozen=True)
class ResolvedRequest:
    request: TableRequest
    waves: tuple[WaveNames, ...]  # latest first
    file: str | None = None

    @property
    def latest(self) -> WaveNames:
        return self.waves[0]

    def wave(self, wave: int) -> WaveNames:
        """The names of one requested wave."""
        for w in self.waves:
            if w.wave == wave:
                return w
        raise KeyError(
            f"wave {wave} is not requested (waves: {', '.join(str(w.wave) for w in self.waves)})"
        )

    def breakdowns(self) -> tuple[str, ...]:
        return tuple(v for v in (self.request.rows, self.request.columns) if v is not None)

    def sensitive_variables(self) -> dict[str, str]:
        """The special-category register variables the request breaks down or filters by, each with
        where the request first names it (for the policy check,
        :func:`pipeline.sdc.policy.effective_rules`)."""
        names = set(sensitive_names(self.latest.questionnaire))
        return {v: p for v, p in _variable_paths(self.request).items() if v in names}

    def levels(self, variable: str, wave: WaveNames | None = None) -> tuple[int, ...]:
        """Codes of a breakdown variable in questionnaire order, restricted by filters on it."""
        w = wave or self.latest
        codes = _codes(w.questionnaire, w.variables[variable]) or ()
        for f in self.request.filters:
            if f.variable == variable:
                codes = tuple(
                    c
                    for c in codes
                    if (f.levels is not None and c in f.levels)
                    or (f.exclude is not None and c not in f.exclude)
                )
        return codes

    def dimensions(
        self, wave: WaveNames | None = None, *, missing_level: bool | Collection[str] = True
    ) -> tuple[Dimension, ...]:
        """The disclosure structure's dimensions (named with the wave's variable names). With
        ``missing_level`` (True, or the request names of the breakdowns that need it) a dimension gets a
        last level ``"missing"`` (non-substantive codes, see :meth:`level_codes`), so a total is exactly
        the sum of its rows: without it, the respondents with a missing breakdown value form a hidden
        residual group that differencing can reveal. Leave it out only where nobody is missing."""
        w = wave or self.latest
        out = []
        for v in self.breakdowns():
            wanted = missing_level if isinstance(missing_level, bool) else v in missing_level
            extra = (MISSING_LEVEL,) if wanted else ()
            out.append(Dimension(w.variables[v], tuple(str(c) for c in self.levels(v, w)) + extra))
        return tuple(out)

    def level_codes(self, wave: WaveNames | None = None) -> dict[str, dict[str, tuple[float, ...]]]:
        """``codes`` argument of :func:`pipeline.sdc.tables.cells.table_cells` for the missing level."""
        w = wave or self.latest
        miss = missing_codes(w.questionnaire)
        return {w.variables[v]: {MISSING_LEVEL: miss} for v in self.breakdowns()}

    def conditions(self, indicator: str, wave: WaveNames | None = None) -> tuple[Condition, ...]:
        """The population filter plus a substantive value of the indicator (the cells' base set)."""
        w = wave or self.latest
        out = []
        for f in self.request.filters:
            name = w.variables[f.variable]
            if f.levels is not None:
                out.append(Condition(name, tuple(float(x) for x in f.levels)))
            else:
                keep = tuple(
                    float(c)
                    for c in (_codes(w.questionnaire, name) or ())
                    if c not in (f.exclude or ())
                )
                out.append(Condition(name, keep))
        out.append(Condition(w.indicators[indicator], None))
        return tuple(out)

    def table_kind(self, indicator: str) -> TableKind:
        """Percentages for 0/1 indicators; means for counts (e.g. the number of problems); magnitudes
        (weighted totals) for numeric items of an enterprise request; and plain counts when the
        request shows only n and weighted N (no estimate, no interval): then the count rule applies.
        A numeric indicator (commuting minutes) gives means, under the minimum n of means, not the
        magnitude rules (``docs/custom-tables.md``, "Means of numeric indicators")."""
        numeric = self.latest.is_numeric(indicator)
        col = self.latest.column(indicator)
        if col is None and not numeric:
            return TableKind.magnitude
        if not {"estimate", "ci"} & set(self.request.published_statistics()):
            return TableKind.count
        return TableKind.mean if numeric or (col and col.kind == "count") else TableKind.percent


def missing_codes(q: Questionnaire) -> tuple[float, ...]:
    """The codes of a breakdown's ``missing`` level: the questionnaire's missing codes (-1 if it has
    none). Data columns are normalised to these (:func:`pipeline.tables.source.disclosure_columns`)."""
    return tuple(float(c) for c in q.missing_code_values()) or (-1.0,)


def indicator_catalogue(
    q: Questionnaire, population: str = DEFAULT_CUTOFFS
) -> dict[str, OutputColumn]:
    """The scored columns a request may name as indicators, by name in schema order: 0/1 indicators,
    ``<name>_acuut`` where the population's cut-offs have an acute one, and counts (the scoring
    catalogue, :func:`pipeline.scoring.api.output_columns`, without scale scores and traffic lights)."""
    from pipeline.scoring.api import output_columns

    return {
        c.name: c for c in output_columns(q, population) if c.kind not in ("score", "traffic_light")
    }


def indicator_names(q: Questionnaire, population: str = DEFAULT_CUTOFFS) -> list[str]:
    """Indicators a request may name (:func:`indicator_catalogue`)."""
    return list(indicator_catalogue(q, population))


DISTRIBUTION = "verdeling:"


def distribution_groups(
    q: Questionnaire, population: str = DEFAULT_CUTOFFS
) -> dict[str, list[str]]:
    """The distributions a request may name in ``indicators``: ``verdeling:<count>`` (the count's
    bands, in order: for the number of problems 0, 1, 2 and 3-4) and ``verdeling:<indicator>`` (the
    indicator and its acute variant: problematic, of which acute)."""
    out: dict[str, list[str]] = {}
    for c in indicator_catalogue(q, population).values():
        if c.kind == "band":
            out.setdefault(DISTRIBUTION + c.source, []).append(c.name)
        elif c.kind == "acute":
            out[DISTRIBUTION + c.source] = [c.source, c.name]
    return out


def _expand(req: TableRequest, groups: Mapping[str, list[str]]) -> TableRequest:
    """``req`` with every known distribution in ``indicators`` replaced by its indicators (an
    indicator named twice is kept once, at its first place); unknown names are left for the check."""
    if not any(i.startswith(DISTRIBUTION) for i in req.indicators):
        return req
    names: list[str] = []
    for i in req.indicators:
        names += groups.get(i, [i])
    return req.model_copy(update={"indicators": tuple(dict.fromkeys(names))})


def numeric_indicators(q: Questionnaire) -> dict[str, str]:
    """The questionnaire's numeric indicators (``kind: numeric``, e.g. commuting minutes), each with
    the item it summarises: a request names the indicator and gets the weighted mean of the item
    over the respondents who answered it (missing codes left out, as
    :func:`pipeline.estimation.numeric.numeric_estimates`)."""
    return {
        i.name: i.variable for i in q.indicators if i.kind == "numeric" and i.variable is not None
    }


def magnitude_names(q: Questionnaire) -> list[str]:
    """Numeric items a request of an organisation survey may total (magnitude tables), e.g. the
    number of employees: integer or decimal items measured on a scale, not identifiers."""
    if q.study.unit != "organisation":
        return []
    return [
        it.name
        for it in q.items
        if it.type in (ItemType.integer, ItemType.decimal)
        and it.measure == Measure.scale
        and it.role != Role.direct_identifier
    ]


def tabulated_names(q: Questionnaire, population: str = DEFAULT_CUTOFFS) -> list[str]:
    """Everything ``indicators`` may name: indicators, acute variants, magnitude items (numeric
    indicators are named too, but their column is their item: :func:`numeric_indicators`)."""
    return indicator_names(q, population) + magnitude_names(q)


def _codes(q: Questionnaire, name: str) -> tuple[int, ...] | None:
    """Codes of a variable usable as a breakdown or filter (a derived variable or a single-choice
    item that identifies no one, or a register-only variable of the sample frame the questionnaire
    does not ask: origin), or None if it is not one."""
    if name in REGISTER_ONLY and name not in q.known_variables():
        return REGISTER_ONLY[name].code_values()
    if all(d.name != name for d in q.derived):
        item = next((it for it in q.items if it.name == name), None)
        if item is None or item.role == Role.direct_identifier:
            return None  # multiple-choice columns are no breakdowns
    return q.codes_of(name) or None


def _breakdown_names(q: Questionnaire) -> list[str]:
    names = [d.name for d in q.derived] + [it.name for it in q.items]
    names += [v for v in REGISTER_ONLY if v not in names]
    return [n for n in names if _codes(q, n)]


def sensitive_names(q: Questionnaire) -> list[str]:
    """Register-only variables that are special category data (origin): breakdowns or filters only
    where the publisher's policy lists them (``tables.sensitive_breakdowns``)."""
    return [v for v, spec in REGISTER_ONLY.items() if spec.sensitive and _codes(q, v)]


def documented_breakdowns(q: Questionnaire) -> list[str]:
    """Variables any request may break down or filter by: the questionnaire's domains, weighting
    variables and derived (banded) variables. Raw items (e.g. a single stress question) are not:
    as rows or filters they let differencing read one respondent's answers item by item, so only a
    publisher's policy can allow one (``tables.breakdowns_allowed``)."""
    names = [*q.domains, *q.weighting, *(d.name for d in q.derived)]
    return [n for n in dict.fromkeys(names) if _codes(q, n)]


def _catalogue() -> list[tuple[str, str, int]]:
    """(file stem, population, wave) of every shipped questionnaire, then every module (a module has
    its base's population), read from the files' ``study`` headers only: nothing is checked here (a
    questionnaire chosen from this list is loaded and checked in full), so listing them is cheap.
    For choosing a questionnaire by wave without data, and for messages."""
    from pipeline.questionnaire.load import shipped

    files = sorted(shipped().items(), key=lambda kv: (kv[1].parent != QUESTIONNAIRES_DIR, kv[0]))
    heads: dict[str, dict[str, object]] = {}
    for stem, path in files:
        src, _ = read_yaml(path)
        if src is not None and isinstance(src.data, dict):
            heads[stem] = src.data

    def study(stem: str, key: str, seen: tuple[str, ...] = ()) -> object:
        data = heads.get(stem, {})
        st = data.get("study")
        if isinstance(st, dict) and key in st:
            return st[key]
        base = data.get("extends")
        return (
            study(Path(base).stem, key, (*seen, stem))
            if isinstance(base, str) and base not in seen
            else None
        )

    out = []
    for stem, _ in files:
        pop, wave = study(stem, "population"), study(stem, "wave")
        if isinstance(pop, str) and isinstance(wave, int):
            out.append((stem, pop, wave))
    return out


def _shipped(population: str, wave: int) -> list[str]:
    return [i for i, p, w in _catalogue() if p == population and w == wave]


def available_waves(population: str) -> list[int]:
    """Waves of a population that a shipped questionnaire covers."""
    return sorted({w for _, p, w in _catalogue() if p == population})


def resolve(
    req: TableRequest,
    file: str | None = None,
    *,
    loaded: Questionnaire | None = None,
    questionnaires: Mapping[int, Questionnaire] | None = None,
    cutoff_populations: Mapping[int, str] | None = None,
    allowed_items: Collection[str] | None = None,
    sensitive_allowed: Collection[str] | None = None,
) -> ResolvedRequest:
    """Check every name against the questionnaires of the requested waves (all problems at once).
    The questionnaire of a wave is the request's ``questionnaire`` (``loaded``: already loaded, it is not
    read again), else the one in ``questionnaires`` (the data's, e.g. of the runs given), else the
    shipped questionnaire of that population and wave. ``cutoff_populations``: the population whose
    cut-offs scored each wave's data (default ``default``): it decides which acute variants exist.
    ``allowed_items``: the raw items the publisher's policy allows as breakdowns or filters besides
    :func:`documented_breakdowns` (None: no such check, e.g. for names only); ``sensitive_allowed``:
    the register-only variables of special category (origin) the policy allows (None: no such check;
    the publication path checks them again, :meth:`ResolvedRequest.sensitive_variables`)."""
    from pipeline.questionnaire.load import load_questionnaire

    problems: list[Problem] = []
    pop = POPULATIONS[req.population]
    waves = sorted(req.waves, reverse=True)
    qs: list[tuple[int, Questionnaire]] = []
    for w in waves:
        if req.questionnaire is not None:
            q = loaded if loaded is not None else load_questionnaire(req.questionnaire)
            if q.study.population != pop or q.study.wave != w:
                problems.append(
                    Problem(
                        f"questionnaire {q.study.id!r} is for {q.study.population} {q.study.wave}",
                        file=file,
                        path="questionnaire",
                        expected=f"{pop} {w}",
                    )
                )
            qs.append((w, q))
            continue
        if questionnaires is not None and w in questionnaires:
            qs.append((w, questionnaires[w]))
            continue
        ids = _shipped(pop, w)
        if not ids:
            valid = available_waves(pop)
            problems.append(
                Problem(
                    f"no questionnaire for {req.population} wave {w}",
                    file=file,
                    path=f"waves[{req.waves.index(w)}]",
                    value=w,
                    expected="one of " + ", ".join(map(str, valid)),
                    hint="request a wave that has a questionnaire in questionnaires/",
                )
            )
            continue
        qs.append((w, load_questionnaire(ids[0])))
    if problems or not qs:
        raise SpecError(
            f"{file or 'request'}: the table request has {len(problems)} problem(s)", problems
        )
    pops = {w: (cutoff_populations or {}).get(w, DEFAULT_CUTOFFS) for w, _ in qs}
    req = _expand(req, distribution_groups(qs[0][1], pops[qs[0][0]]))
    numeric = numeric_indicators(qs[0][1])
    latest = WaveNames(
        qs[0][0],
        qs[0][1],
        {v: v for v in _request_variables(req)},
        {i: numeric.get(i, i) for i in req.indicators},
        pops[qs[0][0]],
        indicator_catalogue(qs[0][1], pops[qs[0][0]]),
        numeric,
    )
    _check_latest(req, latest, file, problems, allowed_items)
    if sensitive_allowed is not None:
        _check_sensitive(req, latest, file, problems, sensitive_allowed)
    resolved_waves = [latest]
    for w, q in qs[1:]:
        older = WaveNames(
            w, q, {}, {}, pops[w], indicator_catalogue(q, pops[w]), numeric_indicators(q)
        )
        resolved_waves.append(
            _translate(resolved_waves[-1], older, _variable_paths(req), file, problems)
        )
    if problems:
        raise SpecError(
            f"{file or 'request'}: the table request has {len(problems)} problem(s)", problems
        )
    return ResolvedRequest(req, tuple(resolved_waves), file)


def _request_variables(req: TableRequest) -> list[str]:
    names = [v for v in (req.rows, req.columns) if v is not None] + [
        f.variable for f in req.filters
    ]
    return list(dict.fromkeys(names))


def _check_latest(
    req: TableRequest,
    wave: WaveNames,
    file: str | None,
    problems: list[Problem],
    allowed_items: Collection[str] | None = None,
) -> None:
    q = wave.questionnaire
    inds = [*wave.columns, *numeric_indicators(q), *magnitude_names(q)]
    groups = list(distribution_groups(q, wave.cutoff_population))
    for k, name in enumerate(req.indicators):
        if name not in inds:
            problems.append(
                Problem(
                    f"unknown indicator {name!r}",
                    file=file,
                    path=f"indicators[{k}]",
                    value=name,
                    expected="one of " + ", ".join(similar_first(name, [*inds, *groups], n=3)),
                    hint=f"{did_you_mean(name, [*inds, *groups])} Use an indicator of {q.study.id}"
                    " or a distribution (verdeling:aantal_problemen, verdeling:werkstress, ...)",
                    code="unknown_indicator",
                )
            )
    valid = _breakdown_names(q)
    where: list[tuple[str, str | None]] = [("rows", req.rows), ("columns", req.columns)]
    where += [(f"filters[{k}].variable", f.variable) for k, f in enumerate(req.filters)]
    sensitive = sensitive_names(q)
    allowed = (
        None if allowed_items is None else [*documented_breakdowns(q), *allowed_items, *sensitive]
    )
    for path, var in where:
        if var is not None and var not in valid:
            problems.append(
                Problem(
                    f"unknown variable {var!r}",
                    file=file,
                    path=path,
                    value=var,
                    expected="one of "
                    + ", ".join(similar_first(var, allowed if allowed is not None else valid, n=3)),
                    hint=f"{did_you_mean(var, allowed if allowed is not None else valid)} "
                    "Breakdowns and filters use the documented breakdown variables",
                    code="unknown_variable",
                )
            )
        elif var is not None and allowed is not None and var not in allowed:
            problems.append(
                Problem(
                    f"{var!r} is a questionnaire item, not a breakdown variable",
                    file=file,
                    path=path,
                    value=var,
                    expected="one of " + ", ".join(allowed),
                    hint="raw items are not allowed as breakdowns or filters unless the publisher's "
                    "policy lists them (tables.breakdowns_allowed)",
                    code="raw_item_not_allowed",
                )
            )
    for k, f in enumerate(req.filters):
        codes = _codes(q, f.variable)
        if codes is None:
            continue
        for key, levels in (("levels", f.levels), ("exclude", f.exclude)):
            for lv in levels or ():
                if lv not in codes:
                    problems.append(
                        Problem(
                            f"unknown level {lv} of {f.variable!r}",
                            file=file,
                            path=f"filters[{k}].{key}",
                            value=lv,
                            expected="one of " + ", ".join(map(str, codes)),
                        )
                    )
    bench = req.benchmark
    if not isinstance(bench, str) and bench is not None:
        codes = _codes(q, bench.variable) or ()
        for f in req.filters:
            if f.variable == bench.variable:
                codes = tuple(
                    c
                    for c in codes
                    if (f.levels is not None and c in f.levels)
                    or (f.exclude is not None and c not in f.exclude)
                )
        if codes and bench.level not in codes:
            problems.append(
                Problem(
                    f"unknown level {bench.level} of {bench.variable!r} for the benchmark",
                    file=file,
                    path="benchmark.level",
                    value=bench.level,
                    expected="one of " + ", ".join(map(str, codes)),
                    hint="the reference group must be a level the table shows (after the filters)",
                )
            )
    if req.language not in q.study.languages:
        problems.append(
            Problem(
                f"unknown language {req.language!r}",
                file=file,
                path="language",
                value=req.language,
                expected="one of " + ", ".join(q.study.languages),
            )
        )


def _check_sensitive(
    req: TableRequest,
    wave: WaveNames,
    file: str | None,
    problems: list[Problem],
    allowed: Collection[str],
) -> None:
    """A special-category register variable the publisher's policy does not allow (located)."""
    names = set(sensitive_names(wave.questionnaire))
    for var, path in _variable_paths(req).items():
        if var in names and var not in allowed:
            problems.append(
                Problem(
                    f"{var!r} is special category data that the publisher's policy does not allow "
                    "as a breakdown or filter",
                    file=file,
                    path=path,
                    value=var,
                    expected="a variable of tables.sensitive_breakdowns: "
                    + (", ".join(allowed) or "none"),
                    hint="leave it out of the request; only the publisher can allow it, in its "
                    "policy (tables.sensitive_breakdowns, with stricter minimums)",
                    code="sensitive_breakdown_not_allowed",
                )
            )


def _variable_paths(req: TableRequest) -> dict[str, str]:
    """Where the request names each breakdown or filter variable (the first place)."""
    where = [("rows", req.rows), ("columns", req.columns)]
    where += [(f"filters[{k}].variable", f.variable) for k, f in enumerate(req.filters)]
    out: dict[str, str] = {}
    for path, var in where:
        if var is not None:
            out.setdefault(var, path)
    return out


def _translate(
    newer: WaveNames,
    older: WaveNames,
    paths: Mapping[str, str],
    file: str | None,
    problems: list[Problem],
) -> WaveNames:
    """``older`` with the request's names translated from ``newer``'s names through the newer
    questionnaire's mapping (same name if unmapped). A variable must have the same codes in both
    waves: its levels and filters are codes, so a recoded variable would silently mean other groups."""
    nq, oq = newer.questionnaire, older.questionnaire
    m = nq.mapping
    if m is None or m.previous != oq.study.id:
        items: dict[str, str] = {}
        inds: dict[str, str] = {}
    else:
        items, inds = dict(m.items), dict(m.indicators)
    out_v = {k: items.get(v, v) for k, v in newer.variables.items()}
    out_i = {
        k: items.get(v, v)
        if v in magnitude_names(nq)
        else _older_numeric(k, newer, older, inds)
        if newer.is_numeric(k)
        else _older_indicator(v, newer.columns.get(v), inds)
        for k, v in newer.indicators.items()
    }
    valid_v = _breakdown_names(oq)
    valid_i = [*older.columns, *older.numeric.values(), *magnitude_names(oq)]
    for k, v in out_v.items():
        if v not in valid_v:
            problems.append(
                Problem(
                    f"variable {k!r} has no counterpart in wave {oq.study.wave}",
                    file=file,
                    value=v,
                    expected="one of " + ", ".join(valid_v),
                    hint=f"add it to the mapping of {nq.study.id}, or drop wave {oq.study.wave}",
                )
            )
            continue
        new_codes, old_codes = _codes(nq, newer.variables[k]) or (), _codes(oq, v) or ()
        if set(new_codes) != set(old_codes):
            problems.append(
                Problem(
                    f"variable {k!r} has codes {', '.join(map(str, new_codes))} in wave {nq.study.wave} but "
                    f"{', '.join(map(str, old_codes))} in wave {oq.study.wave} ({v!r})",
                    file=file,
                    path=paths.get(k),
                    value=k,
                    expected="the same codes in every requested wave",
                    hint=f"recode one wave, or drop wave {oq.study.wave}",
                )
            )
    for k, v in out_i.items():
        if v not in valid_i:
            problems.append(
                Problem(
                    f"indicator {k!r} has no counterpart in wave {oq.study.wave}",
                    file=file,
                    value=v,
                    expected="one of " + ", ".join(valid_i),
                    hint=f"add it to the mapping of {nq.study.id}, or drop wave {oq.study.wave}",
                )
            )
    return replace(older, variables=out_v, indicators=out_i)


def _older_numeric(
    request_name: str, newer: WaveNames, older: WaveNames, mapping: dict[str, str]
) -> str:
    """A numeric indicator's item in the older wave: the item of the older wave's numeric indicator
    of the (mapped) name, else the indicator's name (not a column of that wave: reported)."""
    name = next(k for k, v in newer.numeric.items() if v == newer.indicators[request_name])
    old = mapping.get(name, name)
    return older.numeric.get(old, old)


def _older_indicator(name: str, column: OutputColumn | None, mapping: dict[str, str]) -> str:
    """An indicator's name in the older wave: mapped, or (an acute variant) its mapped base's acute
    variant, else the same name."""
    if name in mapping:
        return mapping[name]
    from pipeline.rundata.columns import acute_column

    if column is not None and column.kind == "acute" and column.source in mapping:
        return acute_column(mapping[column.source])
    return name


def parse_request(
    data: object, file: str | None = None, *, src: Source | None = None
) -> TableRequest:
    """Structure pass: the YAML mapping -> :class:`TableRequest` (every problem at once; located on
    their lines when ``src``, the file read, is given)."""
    if not isinstance(data, dict):
        raise SpecError(
            f"{file or 'request'}: a table request must be a mapping",
            [Problem("top level is not a mapping", file=file, code="not_a_mapping")],
            code="request_invalid",
        )
    try:
        return TableRequest.model_validate(data)
    except ValidationError as exc:
        problems = located_problems(exc, src, code="request_invalid", file=file)
        raise SpecError(
            f"{file or 'request'}: the table request has {len(problems)} problem(s)",
            problems,
            code="request_invalid",
        ) from None


def read_request(path: str | Path) -> TableRequest:
    """Read a request file (the project's safe YAML reader: UTF-8 only, no duplicate keys, size
    caps) and check its structure (the names are checked by :func:`resolve`)."""
    p = Path(path)
    if not p.exists():
        raise SpecError(
            f"request file {str(p)!r} not found",
            [Problem("no such file", file=str(p), code="file_not_found")],
            code="request_not_found",
        )
    src = load_yaml(p, what="table request", code="request_unreadable")
    return parse_request(src.data, str(p), src=src)


def load_request(path: str | Path) -> ResolvedRequest:
    """Read, check and resolve a request file against the shipped questionnaires (``wbm table``
    resolves it against the runs' questionnaires instead: :func:`pipeline.tables.api.make_table`)."""
    return resolve(read_request(path), str(path))
