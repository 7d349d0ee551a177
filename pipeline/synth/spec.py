"""The synthetic generator's instrument model as typed, frozen data (the *spec*; no numpy here).

One model file per instrument and wave (``pipeline/synth/models/*.yaml``), chosen from the
questionnaire (:func:`pipeline.synth.config.select_model`). A model says what the questionnaire does
not: the population (its variables and their shares, ages and magnitudes such as an organisation's
number of employees), the sample design (simple random or stratified with an allocation), the
fieldwork (response by mail and web, or telephone calls with their outcomes), the latent traits that
drive the scale answers, how every other item is answered (``items``), the errors of each mode, and
which margins files are written. Every calibration target carries its ``source`` (a published figure
from the domain brief, or a labelled synthetic assumption).

Tables are keyed by the questionnaire's codes, lists are in the order of a choice list's codes; the
checks against the questionnaire are in :mod:`pipeline.synth.check`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline.questionnaire.populations import Population

KIND = "wbm-synth-model"
SCHEMA_VERSION = 2

Effects = dict[str, dict[int, float]]  # variable -> code -> effect (logit or latent units)


class Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Sourced(Spec):
    """A number with where it comes from (a published figure or a synthetic assumption)."""

    value: float
    source: str


# ------------------------------------------------------------------------------------ population
class PopulationVariable(Spec):
    """One population variable: unconditional ``shares``, or shares ``by`` code of the ``given``
    variable (listed earlier), with ``shares`` as the default for codes not in ``by``."""

    name: str
    given: str | None = None
    shares: tuple[float, ...] | dict[int, float] | None = None
    by: dict[int, tuple[float, ...]] = {}

    @model_validator(mode="after")
    def _shape(self) -> PopulationVariable:
        if self.given is None and (self.shares is None or self.by):
            raise ValueError("a variable without 'given' needs 'shares' and no 'by'")
        if self.given is not None and isinstance(self.shares, dict):
            raise ValueError("with 'given', 'shares' is the default list for codes not in 'by'")
        return self


class AgeSpec(Spec):
    """Ages drawn uniformly within the questionnaire's bands of ``band``, clipped to [min, max]."""

    variable: str = "age"
    band: str = "age_band"
    min: int
    max: int


class MagnitudeSpec(Spec):
    """A unit's size (e.g. an organisation's employees): integers on ``ranges[code of given]``
    with P(k) proportional to k ** -power. Population totals use the exact means."""

    variable: str
    given: str
    ranges: dict[int, tuple[int, int]]
    power: float = Field(ge=0)
    source: str


class MarginsFile(Spec):
    """A margins file the generator writes: the wave's ``population.csv`` (the first) and any
    further weight (``weight_column``, e.g. jobs: totals = units x mean ``size``)."""

    name: str  # shipped as weights/<name>.synthetic.csv
    title: str
    source: str
    unit: Literal["persons", "organisations", "jobs"]
    groups: tuple[tuple[str, ...], ...] | None = None  # None: one-way per weighting variable
    size: str | None = None  # magnitude variable: totals are sums of it
    weight_column: str | None = None  # the weight this file calibrates (not the first file)
    file: str | None = None  # name in the wave directory (default: population.csv / <name>.csv)


class PopulationSpec(Spec):
    source: str
    total: Sourced
    reference_date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    cells: tuple[str, ...] | None = None  # cell order (default: the variables' order)
    variables: tuple[PopulationVariable, ...]
    age: AgeSpec | None = None
    magnitudes: tuple[MagnitudeSpec, ...] = ()
    margins: tuple[MarginsFile, ...]

    @property
    def cell_order(self) -> tuple[str, ...]:
        return self.cells if self.cells is not None else tuple(v.name for v in self.variables)


# ---------------------------------------------------------------------------------- sample design
class AllocationSpec(Spec):
    """Disproportionate allocation: stratum h gets n_h proportional to N_h x rate[code of ``by``]."""

    by: str
    rate: dict[int, float]


class SampleSpec(Spec):
    size: Sourced  # the default number of units invited / selected
    design: Literal["srs", "stratified"] = "srs"
    strata: tuple[str, ...] = ()
    allocation: AllocationSpec | None = None
    min_per_stratum: int = Field(default=2, ge=1)
    id_prefix: str = Field(default="S", pattern=r"^[A-Z]{1,3}$")

    @model_validator(mode="after")
    def _shape(self) -> SampleSpec:
        if self.design == "stratified" and not self.strata:
            raise ValueError("a stratified design needs 'strata'")
        if self.design == "srs" and (self.strata or self.allocation):
            raise ValueError("'strata' and 'allocation' belong to a stratified design")
        return self


# ------------------------------------------------------------------------------------ latent traits
class ItemModelSpec(Spec):
    discrimination: float = Field(gt=0)
    threshold_spread: float = Field(ge=0)
    item_shift: float = Field(ge=0)


class TraitSpec(Spec):
    target: Sourced | None = None
    effects: Effects = {}
    item_model: ItemModelSpec | None = None  # overrides traits.item_model for this scale


class GroupTargets(Spec):
    """The composite's rate in groups of one population variable (e.g. werkbaar werk per sector):
    met by a common shift of the composite's latents in each group's cells."""

    variable: str
    targets: dict[int, Sourced]


class TraitsSpec(Spec):
    source: str
    item_model: ItemModelSpec
    composite: str | None = None
    composite_target: Sourced | None = None
    composite_by: GroupTargets | None = None
    other_loading: Sourced
    indicators: dict[str, TraitSpec]

    @model_validator(mode="after")
    def _shape(self) -> TraitsSpec:
        if (self.composite is None) != (self.composite_target is None):
            raise ValueError("'composite' and 'composite_target' go together")
        if self.composite_by is not None and self.composite is None:
            raise ValueError("'composite_by' needs a composite")
        return self


# ------------------------------------------------------------------------------- response, modes
class OutOfTarget(Spec):
    """A share of respondents outside the target population (``item`` answered ``code``)."""

    value: float = Field(ge=0, le=1)
    source: str
    item: str = "working"
    code: int = 2


class WebMeasurement(Spec):
    """A measurement effect of the web mode: the latent trait behind an indicator's answers is
    shifted by ``shift[indicator]`` (standard deviations, problem direction) on every web record;
    the person is the same, only the answers move."""

    source: str
    shift: dict[str, float]


class ResponseSpec(Spec):
    """Who responds (logistic, intercept calibrated to ``rate``) and, for mail + web, in which mode."""

    source: str
    rate: Sourced
    effects: Effects = {}
    web_share: Sourced | None = None
    web_effects: Effects = {}
    both_modes: Sourced | None = None
    web_measurement: WebMeasurement | None = None
    out_of_target: OutOfTarget | None = None


class DispositionShares(Spec):
    """How eligible, known units that give no complete interview end (shares sum to 1)."""

    partial: float = Field(ge=0, le=1)
    refusal: float = Field(ge=0, le=1)
    non_contact: float = Field(ge=0, le=1)
    other: float = Field(ge=0, le=1)


class AgencyMissing(Spec):
    """The field agency's own missing codes in its .sav (per kind), for choice and numeric items."""

    not_applicable: int
    dont_know: int
    no_answer: int


class CatiSpec(Spec):
    """Telephone fieldwork: sample dispositions, call attempts by interviewers, the agency export."""

    source: str
    not_eligible: Sourced  # closed, no employees: AAPOR 4
    unknown_eligibility: Sourced  # never reached, eligibility unknown: AAPOR 3
    nonresponse: DispositionShares
    max_attempts: int = Field(ge=1)
    interviewers: int = Field(ge=1)
    attempts_mean: float = Field(gt=0)  # mean attempts to a final outcome (geometric)
    missing_choice: AgencyMissing
    missing_number: AgencyMissing
    no_answer: float = Field(ge=0, le=1)
    dont_know: dict[str, float] = {}
    partial_keep: float = Field(ge=0, le=1)  # share of the items a partial interview reached
    duration_median_min: float = Field(gt=0)
    duration_sigma: float = Field(gt=0)
    file_label: str = "CATI export"


class PaperSpec(Spec):
    source: str
    blank_first: float = Field(ge=0, le=1)
    blank_last: float = Field(ge=0, le=1)
    blank_background: float = Field(ge=0, le=1)
    multiple_ticks: float = Field(ge=0, le=1)
    out_of_range: float = Field(ge=0, le=1)
    keyer_factor: dict[str, float]
    forms_per_batch: int = Field(gt=0)
    routing_violation: float = Field(ge=0, le=1)
    breakoff: float = Field(ge=0, le=1)
    straightline: float = Field(ge=0, le=1)
    decimal_comma: float = Field(ge=0, le=1)
    birth_year_for_age: float = Field(ge=0, le=1)
    fewer_days_than_spells: float = Field(ge=0, le=1)


class WebSpec(Spec):
    source: str
    no_answer: float = Field(ge=0, le=1)
    dont_know: dict[str, float] = {}
    breakoff: float = Field(ge=0, le=1)
    straightline: float = Field(ge=0, le=1)
    speeders: float = Field(ge=0, le=1)
    speeder_noise: float = Field(ge=0, le=1)
    duration_median_sec: float = Field(gt=0)
    duration_sigma: float = Field(gt=0)


# --------------------------------------------------------------------------- items outside scales
class Conditional(Spec):
    """A probability or share list, optionally by code of ``given``."""

    given: str | None = None
    table: dict[int, float] = {}


class ItemSpec(Spec):
    """How one item outside the scales is answered (default for items not listed: neutral, i.e. a
    uniform choice, a uniform number within its soft limits, no text). ``kind``:

    * ``constant``: ``value``;
    * ``categorical``: ``shares`` (a list in choice-code order), or ``by`` code of ``given``;
    * ``discrete``: ``values`` ([value, share] pairs); with ``split``, ``values`` for the units where a
      Bernoulli(``split``) draw is 1 and ``values_else`` for the rest;
    * ``binary``: yes (first code) with P = logistic(logit(``p``) + ``logit`` + effects + slopes x latents);
    * ``poisson``: mean ``mean`` x exp(slope x latent - slope^2 / 2);
    * ``spell_days``: days of the spells in item ``of`` (each spell 1 + geometric, mean ``mean``);
    * ``ordinal``: cumulative logits ``cutpoints`` shifted by ``slope`` x the ``latents``' weighted sum
      standardised (divided by the root of the summed squared weights) plus ``effects`` (a positive
      shift moves answers towards the higher codes);
    * ``text``: one of ``texts`` with probability ``share``, else empty;
    * ``per_unit``: round(item ``of`` x ``mean`` x lognormal(``sigma``) x exp(slope x latent));
    * ``lognormal``: a duration or distance, round(``mean`` x exp(``sigma`` x Z + effects + slopes x
      latents)): ``mean`` is the median where effects and latents are 0; clipped to the item's hard
      limits (e.g. commuting minutes).

    ``zero_unless`` (an expression on items answered earlier) sets the value to 0 where it does not hold.
    """

    kind: Literal[
        "constant",
        "categorical",
        "discrete",
        "binary",
        "poisson",
        "spell_days",
        "ordinal",
        "text",
        "per_unit",
        "lognormal",
    ]
    value: float | None = None
    shares: tuple[float, ...] | None = None
    given: str | None = None
    by: dict[int, tuple[float, ...]] = {}
    values: tuple[tuple[float, float], ...] = ()
    values_else: tuple[tuple[float, float], ...] = ()
    split: Conditional | None = None
    p: Conditional | None = None
    logit: float = 0.0
    effects: Effects = {}
    latents: dict[str, float] = {}  # indicator -> slope (problem-direction latent)
    mean: float | None = None
    slope: float = 1.0
    of: str | None = None
    cutpoints: tuple[float, ...] = ()
    share: float | None = None
    texts: tuple[str, ...] = ()
    sigma: float = 0.0
    zero_unless: str | None = None
    source: str | None = None


# ------------------------------------------------------------------------------------- the model
class Rename(Spec):
    """Model names -> questionnaire names (a wave whose questionnaire names things differently)."""

    variables: dict[str, str] = {}
    indicators: dict[str, str] = {}


class OriginSpec(Spec):
    """Migration background on the frame (register only, not asked): shares of the codes 1 Belgian,
    2 EU, 3 non-EU origin (``pipeline.frame.model.ORIGIN_CODES``), overall and per sector. Drawn
    per invited unit from its own random stream; answers and response do not depend on it beyond
    the sector."""

    source: str
    shares: dict[int, float]
    by_sector: dict[int, dict[int, float]] = {}

    @model_validator(mode="after")
    def _shares(self) -> OriginSpec:
        for table in (self.shares, *self.by_sector.values()):
            if (
                set(table) - {1, 2, 3}
                or any(v < 0 for v in table.values())
                or sum(table.values()) <= 0
            ):
                raise ValueError("origin shares: codes 1, 2, 3 with non-negative shares")
        return self


class SynthModel(Spec):
    """One instrument's model file (after ``extends`` is resolved and ``rename`` applied)."""

    kind: str
    schema_version: int
    name: str
    synthetic: bool
    instrument: Population
    wave: int
    questionnaires: tuple[str, ...] = ()  # questionnaire ids this model is the default for
    sector: str | None = None  # a sectoral measurement (never chosen for a population's wave)
    description: str = ""
    sample: SampleSpec
    population: PopulationSpec
    traits: TraitsSpec
    response: ResponseSpec
    cati: CatiSpec | None = None
    items: dict[str, ItemSpec] = {}
    paper: PaperSpec | None = None
    web: WebSpec | None = None
    origin: OriginSpec | None = None
    # Expected population shares of the module indicators (``kind: condition``) that the parameters of
    # their items under ``items`` were chosen for. The generator does not solve for them (the items'
    # logits and cut-points are set by hand); tests/synth checks a synthetic wave against them.
    module_targets: dict[str, Sourced] = {}

    @property
    def modes(self) -> tuple[str, ...]:
        return tuple(
            m
            for m, spec in (("paper", self.paper), ("web", self.web), ("cati", self.cati))
            if spec is not None
        )
