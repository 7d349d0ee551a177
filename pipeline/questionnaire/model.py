"""The questionnaire schema language as typed, frozen models (the *spec*; no pandas here).

A questionnaire file (YAML in ``questionnaires/``) is one :class:`Questionnaire`. It drives
validation, routing, scoring, value labels, the codebook and the microdata metadata. See
``questionnaires/README.md`` for the language reference.

Habits kept from svy/frictionless: codes are *values* (``code``/``label`` pairs, never dict keys,
because YAML/JSON silently turn integer keys into strings); missing codes carry a *kind*.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.outpath import ID_PATTERN
from pipeline.questionnaire.populations import Population

SCHEMA_KIND = "questionnaire"
SCHEMA_VERSION = 1  # version of the schema *language*; bump with a migration note
SPSS_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


class Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(Spec):
    """A text per language; ``nl`` is required, ``en`` is used for the microdata release."""

    nl: str
    en: str | None = None

    def get(self, lang: str) -> str:
        return getattr(self, lang, None) or self.nl


class MissingKind(StrEnum):
    not_applicable = "not_applicable"  # -1, routing says skip
    invalid = "invalid"  # -7, e.g. several ticks on paper
    dont_know = "dont_know"  # -8
    no_answer = "no_answer"  # -9


class MissingCode(Spec):
    code: int
    kind: MissingKind
    label: Text


DEFAULT_MISSING: tuple[MissingCode, ...] = (
    MissingCode(
        code=-1,
        kind=MissingKind.not_applicable,
        label=Text(nl="niet van toepassing", en="not applicable"),
    ),
    MissingCode(
        code=-7, kind=MissingKind.invalid, label=Text(nl="ongeldig antwoord", en="invalid answer")
    ),
    MissingCode(code=-8, kind=MissingKind.dont_know, label=Text(nl="weet niet", en="don't know")),
    MissingCode(
        code=-9, kind=MissingKind.no_answer, label=Text(nl="geen antwoord", en="no answer")
    ),
)


class Choice(Spec):
    code: int
    label: Text
    score: float | None = None  # item score used by scales; defaults to the code
    name: str | None = None  # the choice's name in a source with text names (e.g. XLSForm 'yes')


class ChoiceList(Spec):
    name: str
    choices: tuple[Choice, ...]

    def codes(self) -> tuple[int, ...]:
        return tuple(c.code for c in self.choices)

    def score_of(self, code: int) -> float:
        for c in self.choices:
            if c.code == code:
                return float(c.code if c.score is None else c.score)
        raise KeyError(code)


class ItemType(StrEnum):
    single = "single"  # single choice
    multiple = "multiple"  # multiple choice -> one 0/1 variable per option: <name>_<code>
    integer = "integer"
    decimal = "decimal"
    text = "text"
    date = "date"


class Measure(StrEnum):
    nominal = "nominal"
    ordinal = "ordinal"
    scale = "scale"


class Role(StrEnum):
    """Disclosure role, used by the microdata release."""

    direct_identifier = "direct_identifier"
    key = "key"  # quasi-identifier used in disclosure risk
    sensitive = "sensitive"
    weight = "weight"
    none = "none"


class Limits(Spec):
    """Hard limits reject (value set to invalid and logged); soft limits flag."""

    hard_min: float | None = None
    hard_max: float | None = None
    soft_min: float | None = None
    soft_max: float | None = None
    message: Text | None = None  # shown when a hard limit is violated (XLSForm constraint_message)


class Band(Spec):
    low: float
    high: float
    code: int
    label: Text


class ReleaseRecode(Spec):
    """How an item is coarsened in the microdata release."""

    bands: tuple[Band, ...] | None = None  # e.g. age to bands
    top_code: float | None = None  # e.g. hours top-coded at 60
    map: tuple[tuple[int, int], ...] | None = None  # code -> coarser code (e.g. sector groups)
    map_labels: tuple[Choice, ...] | None = None  # labels of the coarser codes
    drop: bool = False


class Item(Spec):
    name: str
    type: ItemType
    label: Text  # short variable label
    text: Text | None = None  # question text (paraphrased, never licensed wording)
    hint: Text | None = None  # help text shown with the question (XLSForm hint)
    choices: str | tuple[Choice, ...] | None = None  # a shared list name, or inline choices
    limits: Limits | None = None
    required: bool = False
    relevant: str | None = None  # routing condition in the expression language
    missing: tuple[int, ...] = (-1, -7, -8, -9)  # allowed non-substantive codes
    measure: Measure | None = None
    role: Role = Role.none
    release: ReleaseRecode | None = None
    grid: str | None = None  # items answered as one grid (straightlining checks)
    unit: str | None = None
    modes: tuple[Literal["paper", "web", "cati"], ...] | None = None  # None: all modes
    section: Text | None = (
        None  # starts a new section (heading on the paper proof and in the codebook)
    )

    @field_validator("name")
    @classmethod
    def _spss_safe(cls, v: str) -> str:
        if not SPSS_NAME.match(v):
            raise ValueError(
                f"item name {v!r} is not SPSS-safe: start with a letter, then letters, digits or _, at most 64 characters"
            )
        return v


class Rule(Spec):
    """A cross-item rule: ``check`` must hold (where ``when`` holds)."""

    id: str
    check: str
    when: str | None = None
    severity: Literal["hard", "soft"] = "soft"
    message: Text


class Scoring(Spec):
    method: Literal["mean_rescaled", "sum_rescaled"] = "mean_rescaled"
    min: float = 0.0
    max: float = 100.0
    min_valid: int  # minimum number of valid (substantive) items for a score


class Scale(Spec):
    name: str
    label: Text
    items: tuple[str, ...]
    reverse: tuple[str, ...] = ()
    scoring: Scoring
    higher_means: Text | None = None  # what a high score means, for readers


class Cutoffs(Spec):
    """Scores at or beyond ``problematisch`` are a problem; at or beyond ``acuut`` acute."""

    problematisch: float
    acuut: float | None = None


class Indicator(Spec):
    """A scored indicator. ``traffic_light``: a scale against cut-offs; ``composite`` / ``count``:
    traffic lights combined; ``condition``: a 0/1 indicator straight from items (module indicators such
    as telework or frequent absence), 1 where ``condition`` holds, 0 where it does not, undefined where
    ``defined_if`` does not hold (default: every variable the condition names is answered);
    ``numeric``: a numeric item (``variable``, e.g. commuting minutes) summarised by its mean and
    median, estimated from the item itself (no scored column)."""

    name: str
    label: Text
    kind: Literal["traffic_light", "composite", "count", "condition", "numeric"]
    group: Literal["workability", "risk", "module"] = "workability"
    scale: str | None = None  # traffic_light
    problem_if: Literal["high", "low"] = "high"
    cutoffs: dict[str, Cutoffs] | None = None  # per population ("default" always present)
    cutoff_status: Literal["reference", "official", "user"] = "reference"
    cutoff_note: str | None = None
    of: tuple[str, ...] = ()  # composite / count: the indicators combined
    rule: Literal["none_problem", "count_problem"] | None = None
    condition: str | None = (
        None  # condition: an expression in the questionnaire's expression language
    )
    defined_if: str | None = (
        None  # condition: where the indicator is defined (default: its variables answered)
    )
    definition_note: Text | None = (
        None  # condition: where the definition comes from (e.g. a published threshold), per language
    )
    variable: str | None = None  # numeric: the item summarised (an integer or decimal item)
    # count: the distribution's bands as (lowest, highest) number, e.g. [[0, 0], [1, 1], [2, 2], [3, 4]];
    # each band becomes a 0/1 column ``<name>_<lo>`` or ``<name>_<lo>_<hi>`` (estimated as a share)
    bands: tuple[tuple[int, int], ...] = ()

    @field_validator("definition_note", mode="before")
    @classmethod
    def _note_as_text(cls, v: object) -> object:
        """A plain string (questionnaires before the note had languages, e.g. in archived runs)
        is the note in every language."""
        return {"nl": v} if isinstance(v, str) else v

    @model_validator(mode="after")
    def _shape(self) -> Indicator:
        if self.kind == "condition" and not self.condition:
            raise ValueError(
                "a condition indicator needs 'condition' (an expression, e.g. \"abs_spells >= 3\")"
            )
        if self.kind != "condition" and (self.condition or self.defined_if):
            raise ValueError(
                f"'condition' and 'defined_if' belong to condition indicators, not {self.kind}"
            )
        if self.kind == "traffic_light":
            if not self.scale:
                raise ValueError("a traffic_light indicator needs 'scale'")
            if not self.cutoffs or "default" not in self.cutoffs:
                raise ValueError("a traffic_light indicator needs 'cutoffs' with a 'default' entry")
        if (self.kind == "numeric") != (self.variable is not None):
            raise ValueError(
                "a numeric indicator needs 'variable' (the item it summarises)"
                if self.kind == "numeric"
                else f"'variable' belongs to numeric indicators, not {self.kind}"
            )
        if self.kind in ("composite", "count") and not self.of:
            raise ValueError(f"a {self.kind} indicator needs 'of' (the indicators it combines)")
        if self.bands:
            if self.kind != "count":
                raise ValueError(f"'bands' belong to count indicators, not {self.kind}")
            last = -1
            for lo, hi in self.bands:
                if not 0 <= lo <= hi <= len(self.of):
                    raise ValueError(
                        f"band [{lo}, {hi}] must satisfy 0 <= lowest <= highest <= {len(self.of)}"
                        " (the number of indicators combined)"
                    )
                if lo <= last:
                    raise ValueError(f"band [{lo}, {hi}] overlaps or is out of order")
                last = hi
        return self


class Quality(Spec):
    """Case-level quality thresholds."""

    complete_min_share: float = 0.9  # share of applicable items answered -> complete
    breakoff_max_share: float = 0.5  # below this -> break-off
    straightlining_min_items: int = 6
    speeder_variable: str | None = None
    speeder_min_seconds: float | None = None
    target_population: str | None = None  # expression that must hold for an eligible respondent
    duplicate_precedence: tuple[Literal["most_complete", "web", "paper", "cati", "latest"], ...] = (
        "most_complete",
        "web",
    )


class Derived(Spec):
    """A variable computed from an item, e.g. ``age_band`` from ``age`` (used for weighting/domains)."""

    name: str
    source: str
    bands: tuple[Band, ...]
    label: Text
    role: Role = Role.key


class WaveMapping(Spec):
    previous: str  # questionnaire id of the previous wave
    items: tuple[tuple[str, str], ...] = ()  # (this wave's name, previous wave's name)
    indicators: tuple[tuple[str, str], ...] = ()


class Study(Spec):
    id: str = Field(pattern=ID_PATTERN)  # a slug: it names files (codebook, proof, release)
    title: Text
    wave: int
    population: Population
    unit: Literal["person", "organisation"] = "person"
    target_population: Text
    modes: tuple[Literal["paper", "web", "cati"], ...]
    languages: tuple[str, ...] = ("nl", "en")
    id_variable: str
    version: str  # version of this instrument file
    status: Literal["reference", "official"] = "reference"
    note: Text | None = None
    strata: tuple[str, ...] = ()  # design strata variables (e.g. the OE)
    # the domain of the group reports (one report per level); default: the first of ``domains``
    # (a sectoral measurement reports by its subsectors, not by the employees' sectors)
    report_domain: str | None = None


class Questionnaire(Spec):
    kind: Literal["questionnaire"] = "questionnaire"
    schema_version: int = SCHEMA_VERSION
    study: Study
    missing_codes: tuple[MissingCode, ...] = DEFAULT_MISSING
    choice_lists: tuple[ChoiceList, ...] = ()
    items: tuple[Item, ...]
    derived: tuple[Derived, ...] = ()
    rules: tuple[Rule, ...] = ()
    scales: tuple[Scale, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    quality: Quality = Field(default_factory=Quality)
    weighting: Annotated[tuple[str, ...], Field(description="weighting variables (margins)")] = ()
    domains: tuple[str, ...] = ()  # standard breakdowns
    mapping: WaveMapping | None = None

    # ---- lookups (pure, cheap) ----
    def item(self, name: str) -> Item:
        for it in self.items:
            if it.name == name:
                return it
        raise KeyError(name)

    def choice_list(self, name: str) -> ChoiceList:
        for cl in self.choice_lists:
            if cl.name == name:
                return cl
        raise KeyError(name)

    def choices_of(self, item: Item) -> tuple[Choice, ...]:
        if item.choices is None:
            return ()
        if isinstance(item.choices, str):
            return self.choice_list(item.choices).choices
        return item.choices

    def scale(self, name: str) -> Scale:
        for s in self.scales:
            if s.name == name:
                return s
        raise KeyError(name)

    def indicator(self, name: str) -> Indicator:
        for i in self.indicators:
            if i.name == name:
                return i
        raise KeyError(name)

    def variables(self) -> tuple[str, ...]:
        """Data column names, with multiple-choice items expanded to ``<name>_<code>``."""
        out: list[str] = []
        for it in self.items:
            if it.type == ItemType.multiple:
                out.extend(f"{it.name}_{c.code}" for c in self.choices_of(it))
            else:
                out.append(it.name)
        return tuple(out)

    def missing_code_values(self) -> tuple[int, ...]:
        return tuple(m.code for m in self.missing_codes)

    def item_variables(self, item: Item) -> tuple[str, ...]:
        """The data columns of one item (``<name>_<code>`` per option for multiple choice)."""
        if item.type == ItemType.multiple:
            return tuple(f"{item.name}_{c.code}" for c in self.choices_of(item))
        return (item.name,)

    def codes_of(self, variable: str) -> tuple[int, ...] | None:
        """The codes a categorical variable can take, in the order the questionnaire defines them:
        a derived variable's bands, a single-choice item's choices, ``(0, 1)`` for each column of a
        multiple-choice item (``<name>_<code>``). None for a number, text or date item and for a
        name that is no variable. Missing codes (``item.missing``) are not among them.

        The one answer to "which codes can this variable take": checks, mappings, the frame,
        tables, trends and the synthetic generator all ask here."""
        for d in self.derived:
            if d.name == variable:
                return tuple(b.code for b in d.bands)
        for it in self.items:
            if it.name == variable:
                if it.type == ItemType.single:
                    return tuple(c.code for c in self.choices_of(it))
                return None
            if it.type == ItemType.multiple and variable in self.item_variables(it):
                return (0, 1)
        return None

    def known_variables(self) -> tuple[str, ...]:
        """Item variables plus derived variables (what expressions, weighting and domains may use)."""
        return self.variables() + tuple(d.name for d in self.derived)

    def cutoffs_for(self, indicator: Indicator | str, population: str | None = None) -> Cutoffs:
        """Cut-offs of a traffic_light indicator for ``population`` (default: the study population),
        falling back to the ``default`` entry."""
        ind = self.indicator(indicator) if isinstance(indicator, str) else indicator
        if not ind.cutoffs:
            raise KeyError(f"{ind.name} has no cut-offs")
        return ind.cutoffs.get(population or self.study.population) or ind.cutoffs["default"]
