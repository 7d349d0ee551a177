"""The publisher's disclosure policy: one file the publisher keeps, never the requester's choice.

```yaml
kind: disclosure-policy
schema_version: 1
id: sia-referentie
version: "2025-1"
tables:
  min_n_count: 5           # counts (frequencies)
  min_n_percent: 30        # percentages and means
  unreliable_below: 50     # 30-49: published, flagged unreliable
  min_n_magnitude: 5       # enterprises per magnitude cell
  dominance: [{n: 2, k: 85}]
  p_percent: 10
  on_disclosure: suppress  # suppress further cells, or refuse the request
  weighted_n_base: 100     # published weighted N rounded to a multiple of this
  breakdowns_allowed: []   # raw questionnaire items allowed as breakdowns or filters
  sensitive_breakdowns:    # register-only special-category variables allowed, with stricter minimums
    origin: {min_n_count: 10, min_n_percent: 50, unreliable_below: 100}
ledger: ledger             # the release history, one folder per data version (relative to this file)
registry: requesters.yaml  # registered organisations and recipients (relative to this file)
release_register: register # the microdata release register (relative to this file)
```

``sensitive_breakdowns`` names the register-only variables of the sample frame that are special
category data (origin: :data:`pipeline.rundata.columns.REGISTER_ONLY`) and that a request may use as
a breakdown or filter; a table that uses one gets at least the minimums given there (the whole
table, every cell). One the policy does not name is refused (``sensitive_breakdown_not_allowed``).

A request may make the rules stricter (a higher minimum, ``on_disclosure: refuse``), never looser:
:func:`effective_rules` merges them and reports every looser value as a located problem. The paths
say where the history lives: the ledger is found from the policy and the data version, never from
the run directory a table happens to be made from.

Which policy: ``--policy FILE``, else the ``WBM_POLICY`` environment variable, else the policy a run
recorded in its manifest (commands reading a run), else none (an error: nothing is published without
a policy). The project ships a reference policy and registry in ``publisher/``; ``wbm demo`` copies
them into its output folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.errors import Problem, SpecError, UsageError
from pipeline.rundata.columns import REGISTER_ONLY
from pipeline.sdc.tables.rules import DominanceRule, PrimaryRules

KIND = "disclosure-policy"
SCHEMA_VERSION = 1
ENV = "WBM_POLICY"
SLUG = r"^[a-z0-9][a-z0-9._-]{0,63}$"


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Dominance(_Spec):
    n: Annotated[int, Field(ge=1)] = 2
    k: Annotated[float, Field(gt=0, le=100)] = 85.0


class SensitiveBreakdown(_Spec):
    """Stricter minimums of every table that breaks down or filters by a sensitive variable (unset:
    the table policy's own)."""

    min_n_count: Annotated[int, Field(ge=1)] | None = None
    min_n_percent: Annotated[int, Field(ge=1)] | None = None
    unreliable_below: Annotated[int, Field(ge=1)] | None = None


class TablePolicy(_Spec):
    """Thresholds of every published figure (tables, reports, the datatool)."""

    min_n_count: Annotated[int, Field(ge=1)] = 5
    min_n_percent: Annotated[int, Field(ge=1)] = 30
    unreliable_below: Annotated[int, Field(ge=1)] = 50
    min_n_magnitude: Annotated[int, Field(ge=1)] = 5
    dominance: tuple[Dominance, ...] = (Dominance(),)
    p_percent: Annotated[float | None, Field(gt=0, le=100)] = 10.0
    on_disclosure: Literal["suppress", "refuse"] = "suppress"
    weighted_n_base: Annotated[int, Field(ge=1)] = 100
    breakdowns_allowed: tuple[str, ...] = ()
    sensitive_breakdowns: dict[str, SensitiveBreakdown] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _order(self) -> TablePolicy:
        if self.unreliable_below < self.min_n_percent:
            raise ValueError("unreliable_below must be at least min_n_percent")
        unknown = [k for k in self.sensitive_breakdowns if k not in REGISTER_ONLY]
        if unknown:
            raise ValueError(
                f"sensitive_breakdowns names {', '.join(map(repr, unknown))}: only the sample "
                f"frame's register-only variables ({', '.join(REGISTER_ONLY)}) are listed here"
            )
        return self

    def rules(self) -> PrimaryRules:
        return PrimaryRules(
            min_n_count=self.min_n_count,
            min_n_percent=self.min_n_percent,
            unreliable_below=self.unreliable_below,
            min_n_magnitude=self.min_n_magnitude,
            dominance=tuple(DominanceRule(d.n, d.k) for d in self.dominance),
            p_percent=self.p_percent,
        )


class Policy(_Spec):
    kind: Literal["disclosure-policy"] = "disclosure-policy"
    schema_version: Literal[1] = 1
    id: str = Field(pattern=SLUG)
    version: str = "1"
    tables: TablePolicy = Field(default_factory=TablePolicy)
    ledger: str = "ledger"
    registry: str = "requesters.yaml"
    release_register: str = "register"
    # the reports' figures through the table engine and logged (pipeline.tables.figures); a
    # publisher may switch it off only for internal drafts (docs/custom-tables.md)
    protect_reports: bool = True
    # the reports' figures also checked exactly as a whole, small-group search included, breakdown
    # after breakdown (pipeline.sdc.tables.space._sequential): minutes on a small wave instead of
    # seconds, more than an hour on a full-size wave (docs/custom-tables.md)
    exact_reports: bool = False
    # the datatool's space too (pipeline.datatool.precompute): with the reports' figures in the
    # ledger a minute or two per full-size wave of the demo's subset
    exact_datatool: bool = False


@dataclass(frozen=True)
class LoadedPolicy:
    """A policy and the file it came from (its paths are relative to that file's folder)."""

    policy: Policy
    file: Path

    @property
    def rules(self) -> PrimaryRules:
        return self.policy.tables.rules()

    @property
    def ledger_dir(self) -> Path:
        return self._at(self.policy.ledger)

    @property
    def registry_file(self) -> Path:
        return self._at(self.policy.registry)

    @property
    def register_dir(self) -> Path:
        return self._at(self.policy.release_register)

    def _at(self, rel: str) -> Path:
        p = Path(rel)
        return p if p.is_absolute() else (self.file.parent / p).resolve()

    def describe(self) -> dict[str, object]:
        """What a workbook, a ledger entry and a report state about the policy."""
        t = self.policy.tables
        return {
            "id": self.policy.id,
            "version": self.policy.version,
            **self.rules.describe(),
            "on_disclosure": t.on_disclosure,
            "weighted_n_base": t.weighted_n_base,
        }


def load_policy(path: str | Path) -> LoadedPolicy:
    """Read and check a policy file (every problem at once)."""
    from pipeline.specfile import load_yaml

    p = Path(path)
    if not p.is_file():
        raise SpecError(
            f"policy file {str(p)!r} not found",
            [Problem("no such file", file=str(p), hint="give the publisher's policy.yaml")],
            code="policy_not_found",
        )
    # the project's safe YAML reader: a threshold given twice must never silently take the last
    data = load_yaml(
        p, what="disclosure policy", expected=f"kind: {KIND}, ...", code="bad_policy"
    ).data
    try:
        pol = Policy.model_validate(data)
    except ValidationError as exc:
        raise SpecError(
            f"{p}: the policy has {exc.error_count()} problem(s)",
            [
                Problem(
                    e["msg"],
                    file=str(p),
                    path=".".join(str(x) for x in e["loc"]) or None,
                    value=e.get("input") if not isinstance(e.get("input"), (dict, list)) else None,
                )
                for e in exc.errors()
            ],
            code="bad_policy",
        ) from None
    return LoadedPolicy(pol, p.resolve())


def find_policy(
    explicit: str | Path | None = None, recorded: str | Path | None = None
) -> LoadedPolicy:
    """The policy in force: ``explicit`` (``--policy``), else ``$WBM_POLICY``, else ``recorded``
    (what a run's manifest names), else a :class:`UsageError` (``no_policy``)."""
    for candidate in (explicit, os.environ.get(ENV) or None, recorded):
        if candidate:
            return load_policy(candidate)
    raise UsageError(
        "no disclosure policy: nothing is published without the publisher's policy",
        [
            Problem(
                "neither --policy nor the environment variable WBM_POLICY names a policy file",
                expected="a policy file (kind: disclosure-policy)",
                hint="pass --policy FILE or set WBM_POLICY; the reference is publisher/policy.yaml in "
                "the project, and 'wbm demo' writes one to OUT/publisher/policy.yaml",
            )
        ],
        code="no_policy",
    )


STRICTER_IS_HIGHER = ("min_n_count", "min_n_percent", "unreliable_below", "min_n_magnitude")


def effective_rules(
    policy: LoadedPolicy,
    asked: dict[str, object],
    file: str | None = None,
    *,
    sensitive: dict[str, str] | None = None,
) -> tuple[PrimaryRules, Literal["suppress", "refuse"]]:
    """The policy's rules made stricter by a request's ``disclosure:`` block (only the keys the
    request set). A looser value is a :class:`SpecError` (``looser_than_policy``) naming the policy's.
    ``sensitive``: the register-only variables the table breaks down or filters by (name -> where
    the request names it): each must be in the policy's ``sensitive_breakdowns`` (else a
    :class:`SpecError`, ``sensitive_breakdown_not_allowed``), and its minimums apply."""
    t = policy.policy.tables
    sensitive_floor = _sensitive_floors(policy, sensitive or {}, file)
    base = t.rules()
    problems: list[Problem] = []
    values: dict[str, object] = {}
    for key in STRICTER_IS_HIGHER:
        if key in asked:
            v, floor = int(asked[key]), int(getattr(t, key))  # type: ignore[call-overload]
            if v < floor:
                problems.append(_looser(key, v, f">= {floor}", policy, file))
            values[key] = v
    dom = base.dominance
    if "dominance_n" in asked or "dominance_k" in asked:
        n = int(asked.get("dominance_n", dom[0].n))  # type: ignore[call-overload]
        k = float(asked.get("dominance_k", dom[0].k))  # type: ignore[arg-type]
        if n < dom[0].n:
            problems.append(_looser("dominance_n", n, f">= {dom[0].n}", policy, file))
        if k > dom[0].k:
            problems.append(_looser("dominance_k", k, f"<= {dom[0].k:g}", policy, file))
        dom = (DominanceRule(n, k), *dom[1:])
    p_pct = base.p_percent
    if "p_percent" in asked:
        pv = asked["p_percent"]
        v = float(pv) if isinstance(pv, (int, float)) else 0.0
        if p_pct is not None and v < p_pct:
            problems.append(_looser("p_percent", pv, f">= {p_pct:g}", policy, file))
        else:
            p_pct = v
    on = t.on_disclosure
    if "on_disclosure" in asked:
        if asked["on_disclosure"] == "suppress" and on == "refuse":
            problems.append(_looser("on_disclosure", "suppress", "refuse", policy, file))
        else:
            on = asked["on_disclosure"]  # type: ignore[assignment]
    if problems:
        raise SpecError(
            f"{file or 'request'}: the request asks for looser disclosure rules than the publisher's "
            f"policy {policy.policy.id!r} allows",
            problems,
            code="looser_than_policy",
        )
    merged: dict[str, int] = {k: int(getattr(base, k)) for k in STRICTER_IS_HIGHER}
    merged.update({k: int(v) for k, v in values.items()})  # type: ignore[call-overload]
    for key, floor in sensitive_floor.items():
        merged[key] = max(merged[key], floor)
    merged["unreliable_below"] = max(merged["unreliable_below"], merged["min_n_percent"])
    rules = PrimaryRules(
        min_n_count=merged["min_n_count"],
        min_n_percent=merged["min_n_percent"],
        unreliable_below=merged["unreliable_below"],
        min_n_magnitude=merged["min_n_magnitude"],
        dominance=dom,
        p_percent=p_pct,
    )
    return rules, on


def _sensitive_floors(
    policy: LoadedPolicy, used: dict[str, str], file: str | None
) -> dict[str, int]:
    """The highest minimums of the sensitive variables a table uses; refused if one is not allowed."""
    allowed = policy.policy.tables.sensitive_breakdowns
    problems = [
        Problem(
            f"{name!r} is special category data that the publisher's policy does not allow as a "
            "breakdown or filter",
            file=file,
            path=path,
            value=name,
            expected="a variable of tables.sensitive_breakdowns: "
            + (", ".join(allowed) or "none")
            + f" (policy {policy.policy.id!r}, {policy.file.name})",
            hint="leave it out of the request; only the publisher can allow it, in its policy "
            "(tables.sensitive_breakdowns, with stricter minimums)",
            code="sensitive_breakdown_not_allowed",
        )
        for name, path in used.items()
        if name not in allowed
    ]
    if problems:
        raise SpecError(
            f"{file or 'request'}: the publisher's policy {policy.policy.id!r} does not allow "
            f"tables by {', '.join(n for n in used if n not in allowed)}",
            problems,
            code="sensitive_breakdown_not_allowed",
        )
    out: dict[str, int] = {}
    for name in used:
        rule = allowed[name]
        for key in ("min_n_count", "min_n_percent", "unreliable_below"):
            v = getattr(rule, key)
            if v is not None:
                out[key] = max(out.get(key, 0), int(v))
    return out


def _looser(
    key: str, value: object, expected: str, policy: LoadedPolicy, file: str | None
) -> Problem:
    return Problem(
        f"disclosure.{key} is looser than the publisher's policy",
        file=file,
        path=f"disclosure.{key}",
        value=value,
        expected=f"{expected} (policy {policy.policy.id!r}, {policy.file.name})",
        hint="a request may only make the rules stricter; leave the key out to use the policy's value",
    )
