"""The targets file of ``wbm plan`` (``kind: wbm-plan-targets``): what precision every reported
domain needs and what the fieldwork may cost. Plain typed data (pydantic, frozen); read with the
project's safe YAML reader (:mod:`pipeline.specfile`) and checked in two passes: the structure here
(unknown keys refused, every problem located on its line), the names (domain variable, indicators,
levels) against the run by :func:`check_names`.

Example (docs/plan.md)::

    kind: wbm-plan-targets
    schema_version: 1
    domain: sector                 # the register variable whose levels are reported (the strata)
    indicators: [werkbaar_werk]    # precision targets hold for each of them
    assurance: 0.95                # chance that every target is met together
    response_change: 0.9           # next wave's response = the last one's x 0.9 (default 1)
    domains:
      default: {min_respondents: 200, max_half_width: 4}   # half-width in percentage points
      levels:
        "13": {min_respondents: 150}
    overall: {max_half_width: 1}   # optional: the whole population (Flanders)
    budget:
      total: 150000                # optional: euros for the wave
      per_invitation: 1.10         # printing and postage of an invitation
      per_response: {paper: 2.40, web: 0.25}   # return postage and keying; web hosting
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.errors import Problem, SpecError
from pipeline.specfile import Source, load_yaml, located_problems

KIND = "wbm-plan-targets"
SCHEMA_VERSION = 1


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DomainTarget(_Spec):
    """At least ``min_respondents`` respondents and/or a 95% CI half-width of at most
    ``max_half_width`` percentage points on every indicator (the design effect of weighting
    included). ``report: false`` leaves the level without a target (it is still invited)."""

    min_respondents: int | None = Field(default=None, ge=1, le=10_000_000)
    max_half_width: float | None = Field(default=None, gt=0, le=50)
    report: bool = True

    @model_validator(mode="after")
    def _some_target(self) -> DomainTarget:
        if self.report and self.min_respondents is None and self.max_half_width is None:
            raise ValueError("give min_respondents, max_half_width or both (or report: false)")
        return self


class Domains(_Spec):
    default: DomainTarget
    levels: dict[str, DomainTarget] = {}


class OverallTarget(_Spec):
    max_half_width: float = Field(gt=0, le=50)


class Budget(_Spec):
    total: float | None = Field(default=None, gt=0)
    per_invitation: float = Field(ge=0)
    per_response: dict[str, float] = {}

    @model_validator(mode="after")
    def _modes(self) -> Budget:
        for m, c in self.per_response.items():
            if m not in ("paper", "web", "cati"):
                raise ValueError(f"per_response: unknown mode {m!r} (paper, web, cati)")
            if not c >= 0:
                raise ValueError(f"per_response: the cost of {m} must be 0 or more")
        return self


class PlanTargets(_Spec):
    kind: str
    schema_version: int
    domain: str = Field(min_length=1, max_length=64)
    indicators: tuple[str, ...] = Field(default=("werkbaar_werk",), min_length=1, max_length=20)
    assurance: float = Field(default=0.95, gt=0.5, lt=1)
    max_sampling_fraction: float = Field(default=1.0, gt=0, le=1)
    # next wave's response rates = the last wave's x this factor (response keeps falling: 0.9)
    response_change: float = Field(default=1.0, gt=0, le=2)
    domains: Domains
    overall: OverallTarget | None = None
    budget: Budget

    @model_validator(mode="after")
    def _kind(self) -> PlanTargets:
        if self.kind != KIND:
            raise ValueError(f"kind must be {KIND!r}")
        if self.schema_version != SCHEMA_VERSION:
            raise ValueError(f"schema_version must be {SCHEMA_VERSION}")
        if len(set(self.indicators)) != len(self.indicators):
            raise ValueError("an indicator is listed twice")
        return self

    def target(self, level: str) -> DomainTarget:
        return self.domains.levels.get(level, self.domains.default)


def parse_targets(data: object, file: str, *, src: Source | None = None) -> PlanTargets:
    if not isinstance(data, dict):
        raise SpecError(
            f"{file}: a targets file must be a mapping",
            [Problem("top level is not a mapping", file=file, code="not_a_mapping")],
            code="plan_targets_invalid",
        )
    try:
        return PlanTargets.model_validate(data)
    except ValidationError as exc:
        problems = located_problems(exc, src, code="plan_targets_invalid", file=file)
        raise SpecError(
            f"{file}: the targets file has {len(problems)} problem(s)",
            problems,
            code="plan_targets_invalid",
        ) from None


def read_targets(path: str | Path) -> PlanTargets:
    """Read and check the structure of a targets file (names: :func:`check_names`)."""
    p = Path(path)
    if not p.is_file():
        raise SpecError(
            f"targets file {str(p)!r} not found",
            [Problem("no such file", file=str(p), code="file_not_found")],
            code="plan_targets_invalid",
        )
    src = load_yaml(p, what="targets file", code="plan_targets_invalid")
    return parse_targets(src.data, str(p), src=src)


@dataclass(frozen=True)
class Names:
    """What the run offers: register variables of the frame, indicators, levels of the domain."""

    variables: Sequence[str]
    indicators: Sequence[str]
    levels: Sequence[str]
    modes: Sequence[str]


def check_names(t: PlanTargets, names: Names, file: str) -> None:
    """Second pass: every name in the targets file exists in the run (all problems at once)."""
    problems: list[Problem] = []
    if t.domain not in names.variables:
        problems.append(
            Problem(
                f"domain variable {t.domain!r} is not a register variable of the frame",
                file=file,
                path="domain",
                value=t.domain,
                expected="one of " + ", ".join(names.variables),
                code="plan_targets_invalid",
            )
        )
    for ind in t.indicators:
        if ind not in names.indicators:
            problems.append(
                Problem(
                    f"indicator {ind!r} is not a 0/1 indicator of the run",
                    file=file,
                    path="indicators",
                    value=ind,
                    expected="one of " + ", ".join(names.indicators),
                    code="plan_targets_invalid",
                )
            )
    if t.domain in names.variables:
        for level in t.domains.levels:
            if level not in names.levels:
                problems.append(
                    Problem(
                        f"level {level!r} of {t.domain} is not in the frame",
                        file=file,
                        path=f"domains.levels.{level}",
                        value=level,
                        expected="one of " + ", ".join(names.levels),
                        code="plan_targets_invalid",
                    )
                )
    if problems:
        raise SpecError(
            f"{file}: the targets file names what the run does not have "
            f"({len(problems)} problem(s))",
            problems,
            code="plan_targets_invalid",
        )
