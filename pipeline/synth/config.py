"""The synthetic generator's population model as typed, frozen data (the *spec*; no numpy here).

The numbers live in ``pipeline/synth/model.yaml``; every calibration target carries its ``source``
(a published figure from the domain brief, or a labelled synthetic assumption). Items, choice lists,
scales, routing and missing codes are *not* here: they come from the questionnaire. Tables are keyed
by the questionnaire's codes; :func:`check_model` verifies every key and every list length against the
questionnaire and reports all problems at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.errors import Problem, SpecError
from pipeline.questionnaire.model import Questionnaire

KIND = "wbm-synth-model"
SCHEMA_VERSION = 1
MODEL_PATH = Path(__file__).resolve().parent / "model.yaml"

#: The population variables (questionnaire items; ``age_band`` is the questionnaire's derived band).
CELL_VARIABLES = ("sex", "age_band", "sector", "statute", "province")
#: Variables the trait and response effects may use.
EFFECT_VARIABLES = ("sex", "age_band", "sector", "statute", "province")

Effects = dict[str, dict[int, float]]  # variable -> code -> effect
SHARE_TOL = 1e-6


class Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Sourced(Spec):
    """A number with where it comes from (a published figure or a synthetic assumption)."""

    value: float
    source: str


class PopulationSpec(Spec):
    source: str
    total: Sourced
    reference_date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    sector_share: dict[int, float]
    statute_share_by_sector: dict[int, tuple[float, ...]]
    sex_share_by_sector: dict[int, tuple[float, ...]]
    age_share: tuple[float, ...]
    age_share_by_sector: dict[int, tuple[float, ...]] = {}
    province_share: tuple[float, ...]
    province_share_by_sector: dict[int, tuple[float, ...]] = {}
    age_min: int
    age_max: int


class ItemModelSpec(Spec):
    discrimination: float = Field(gt=0)
    threshold_spread: float = Field(ge=0)
    item_shift: float = Field(ge=0)


class TraitSpec(Spec):
    target: Sourced | None = None
    effects: Effects = {}
    item_model: ItemModelSpec | None = None  # overrides traits.item_model for this scale


class TraitsSpec(Spec):
    source: str
    item_model: ItemModelSpec
    composite: str
    composite_target: Sourced
    other_loading: Sourced
    indicators: dict[str, TraitSpec]


class ResponseSpec(Spec):
    source: str
    rate: Sourced
    effects: Effects = {}
    web_share: Sourced
    web_effects: Effects = {}
    both_modes: Sourced
    out_of_target: Sourced


class BackgroundSpec(Spec):
    source: str
    occupation_by_statute: dict[int, tuple[float, ...]]
    education_by_statute: dict[int, tuple[float, ...]]
    hours_fulltime: tuple[tuple[float, float], ...]
    hours_parttime: tuple[tuple[float, float], ...]
    parttime_share_by_sex: dict[int, float]
    telework_by_statute: dict[int, float]
    telework_sector_logit: dict[int, float] = {}
    tw_days_share: tuple[float, ...]
    abs_spells_mean: float = Field(gt=0)
    abs_stress_slope: float
    abs_days_per_spell: float = Field(ge=1)
    training_logit: float
    training_learning_slope: float
    retire_logit: tuple[float, float]
    retire_slope: float
    comment_share: float = Field(ge=0, le=1)


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


class SynthModel(Spec):
    """The whole population model (``model.yaml``)."""

    kind: str
    schema_version: int
    name: str
    synthetic: bool
    population: PopulationSpec
    traits: TraitsSpec
    response: ResponseSpec
    background: BackgroundSpec
    paper: PaperSpec
    web: WebSpec


def load_model(path: str | Path | None = None) -> SynthModel:
    """Read and structurally check a model file (default: the shipped ``model.yaml``)."""
    from pipeline.specfile import load_yaml

    p = Path(path) if path is not None else MODEL_PATH
    data = load_yaml(p, what="synthetic population model", code="unreadable_model").data
    if (
        not isinstance(data, dict)
        or data.get("kind") != KIND
        or data.get("schema_version") != SCHEMA_VERSION
    ):
        raise SpecError(
            f"{p}: not a synthetic population model",
            [
                Problem(
                    "wrong kind or schema_version",
                    file=str(p),
                    expected=f"kind: {KIND}, schema_version: {SCHEMA_VERSION}",
                    code="wrong_kind",
                )
            ],
        )
    try:
        model = SynthModel.model_validate(data)
    except ValidationError as exc:
        probs = [
            Problem(
                e["msg"],
                file=str(p),
                path=".".join(str(x) for x in e["loc"]),
                value=e.get("input"),
                code="bad_model",
            )
            for e in exc.errors()
        ]
        raise SpecError(
            f"{p}: the synthetic population model has {len(probs)} problem(s)", probs
        ) from None
    if not model.synthetic:
        raise SpecError(
            f"{p}: a synthetic population model must say 'synthetic: true'",
            [Problem("synthetic is false", file=str(p), path="synthetic", code="not_synthetic")],
        )
    return model


# ------------------------------------------------------------------ checks against the questionnaire


def variable_codes(q: Questionnaire, name: str) -> tuple[int, ...]:
    """Codes of a population variable: a single-choice item's choices or a derived variable's bands."""
    for d in q.derived:
        if d.name == name:
            return tuple(b.code for b in d.bands)
    return tuple(c.code for c in q.choices_of(q.item(name)))


def check_model(model: SynthModel, q: Questionnaire) -> None:
    """Raise :class:`SpecError` listing every mismatch between the model and the questionnaire."""
    probs: list[Problem] = []

    def bad(path: str, msg: str, value: object = None, expected: str | None = None) -> None:
        probs.append(
            Problem(
                msg,
                file=str(MODEL_PATH.name),
                path=path,
                value=value,
                expected=expected,
                code="model_questionnaire_mismatch",
            )
        )

    hint = [
        Problem(
            "the generator's population model describes employees (sex, age band, sector, statute, "
            "province and the workability indicators)",
            hint="use an employees questionnaire such as "
            "wbm-werknemers-2023 (or a module extending it), or adapt pipeline/synth/model.yaml",
            code="model_questionnaire_mismatch",
        )
    ]

    codes: dict[str, tuple[int, ...]] = {}
    for var in CELL_VARIABLES:
        try:
            codes[var] = variable_codes(q, var)
        except KeyError:
            bad(
                var,
                f"the questionnaire has no variable {var!r}, which the generator needs",
                expected="a single-choice item or a derived variable",
            )
    if probs:
        raise SpecError(
            f"questionnaire {q.study.id!r} does not fit the synthetic population model",
            probs + hint,
        )

    def keys(path: str, mapping: Mapping[int, object], var: str, complete: bool) -> None:
        known = set(codes[var])
        extra = sorted(set(mapping) - known)
        if extra:
            bad(path, f"unknown {var} code(s)", extra, f"codes of {var}: {sorted(known)}")
        if complete and set(mapping) != known:
            bad(path, f"every {var} code needs an entry", sorted(known - set(mapping)))

    def lengths(
        path: str, rows: dict[int, tuple[float, ...]] | tuple[float, ...], var: str
    ) -> None:
        items = rows.items() if isinstance(rows, dict) else [(None, rows)]
        for k, row in items:
            if len(row) != len(codes[var]):
                bad(
                    f"{path}[{k}]" if k is not None else path,
                    f"needs one share per {var} code",
                    len(row),
                    str(len(codes[var])),
                )

    pop = model.population
    keys("population.sector_share", pop.sector_share, "sector", True)
    for name, var in (
        ("statute_share_by_sector", "statute"),
        ("sex_share_by_sector", "sex"),
        ("age_share_by_sector", "age_band"),
        ("province_share_by_sector", "province"),
    ):
        table = getattr(pop, name)
        keys(
            f"population.{name}",
            table,
            "sector",
            name in ("statute_share_by_sector", "sex_share_by_sector"),
        )
        lengths(f"population.{name}", table, var)
    lengths("population.age_share", pop.age_share, "age_band")
    lengths("population.province_share", pop.province_share, "province")
    shares: list[tuple[str, tuple[float, ...]]] = [
        ("population.sector_share", tuple(pop.sector_share.values())),
        ("population.age_share", pop.age_share),
        ("population.province_share", pop.province_share),
    ]
    for name in (
        "statute_share_by_sector",
        "sex_share_by_sector",
        "age_share_by_sector",
        "province_share_by_sector",
    ):
        shares += [(f"population.{name}[{k}]", row) for k, row in getattr(pop, name).items()]
    bg = model.background
    for name in ("occupation_by_statute", "education_by_statute"):
        shares += [(f"background.{name}[{k}]", row) for k, row in getattr(bg, name).items()]
    shares += [
        ("background.tw_days_share", bg.tw_days_share),
        ("background.hours_fulltime", tuple(p for _v, p in bg.hours_fulltime)),
        ("background.hours_parttime", tuple(p for _v, p in bg.hours_parttime)),
    ]
    for path, row in shares:
        if any(x < 0 for x in row) or abs(sum(row) - 1.0) > SHARE_TOL:
            bad(path, "shares must be >= 0 and sum to 1", round(sum(row), 9), f"1 +- {SHARE_TOL}")

    effects: list[tuple[str, Effects]] = [
        (f"traits.indicators.{n}.effects", t.effects) for n, t in model.traits.indicators.items()
    ]
    effects += [
        ("response.effects", model.response.effects),
        ("response.web_effects", model.response.web_effects),
    ]
    for path, eff in effects:
        for var, table in eff.items():
            if var not in codes:
                bad(
                    f"{path}.{var}",
                    "effects may only use the population variables",
                    var,
                    ", ".join(CELL_VARIABLES),
                )
            else:
                keys(f"{path}.{var}", table, var, False)

    ind_names = {i.name: i for i in q.indicators}
    for name in model.traits.indicators:
        if name not in ind_names or ind_names[name].kind != "traffic_light":
            bad(
                f"traits.indicators.{name}",
                "not a traffic-light indicator of the questionnaire",
                name,
            )
    comp = ind_names.get(model.traits.composite)
    if comp is None or comp.kind != "composite":
        bad(
            "traits.composite",
            "not a composite indicator of the questionnaire",
            model.traits.composite,
        )
    scales = [ind_names[n].scale for n in model.traits.indicators if n in ind_names]
    dup = sorted({s for s in scales if s is not None and scales.count(s) > 1})
    if dup:
        bad(
            "traits.indicators",
            "two indicators of the same scale cannot both drive its latent trait",
            dup,
        )
    if probs:
        raise SpecError(
            f"questionnaire {q.study.id!r} does not fit the synthetic population model",
            probs + hint,
        )
