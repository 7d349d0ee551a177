"""The requester registry: the organisations (and their people) the publisher releases to.

```yaml
kind: requester-registry
schema_version: 1
organisations:
  - id: woodwize                 # what a table request names as its requester
    name: Woodwize (PC 126)
    kind: sector-fund            # sector-fund | research-institute | government | publisher | other
    recipients:                  # people who may receive microdata on the organisation's behalf
      - {id: woodwize-onderzoek, name: Studiedienst Woodwize}
```

A table request names a registered organisation as ``requester``; a microdata release names a
registered recipient. Anything else is refused (``unregistered_requester``): identities are the
publisher's list, never free text. The organisation ``public`` (the publisher's own publications:
reports, the standard table, the datatool) is always registered. Names are slugs; an id is unique
over organisations and recipients together, so a recipient can never pose as an organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.errors import DisclosureError, Problem, SpecError, did_you_mean

KIND = "requester-registry"
SLUG = r"^[a-z0-9][a-z0-9._-]{0,63}$"
PUBLIC = "public"  # the publisher's own publications: always registered


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Recipient(_Spec):
    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=1)


class Organisation(_Spec):
    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=1)
    kind: Literal["sector-fund", "research-institute", "government", "publisher", "other"] = "other"
    recipients: tuple[Recipient, ...] = ()


class Registry(_Spec):
    kind: Literal["requester-registry"] = "requester-registry"
    schema_version: Literal[1] = 1
    organisations: tuple[Organisation, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> Registry:
        ids = [o.id for o in self.organisations] + [
            r.id for o in self.organisations for r in o.recipients
        ]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(
                f"ids must be unique over organisations and recipients: {', '.join(dup)}"
            )
        return self


@dataclass(frozen=True)
class LoadedRegistry:
    registry: Registry
    file: Path | None

    def organisation(self, requester: str) -> Organisation:
        """The registered organisation ``requester`` (a table request's requester), or refused."""
        for o in self.registry.organisations:
            if o.id == requester:
                return o
        if requester == PUBLIC:
            return Organisation(id=PUBLIC, name="publisher", kind="publisher")
        known = [o.id for o in self.registry.organisations]
        raise self._refuse(requester, "organisation", known)

    def recipient(self, recipient: str) -> tuple[Recipient, Organisation]:
        """A registered recipient and the organisation it belongs to, or refused."""
        for o in self.registry.organisations:
            for r in o.recipients:
                if r.id == recipient:
                    return r, o
        known = [r.id for o in self.registry.organisations for r in o.recipients]
        raise self._refuse(recipient, "recipient", known)

    def _refuse(self, name: str, what: str, known: list[str]) -> DisclosureError:
        return DisclosureError(
            f"{name!r} is not a registered {what}: nothing is released to it",
            [
                Problem(
                    f"unknown {what}: " + did_you_mean(name, known),
                    file=None if self.file is None else str(self.file),
                    value=name,
                    expected=f"an {what} of the publisher's registry"
                    if what[0] in "aeiou"
                    else f"a {what} of the publisher's registry",
                    hint="the publisher registers organisations and recipients in the registry file "
                    "named by the policy; a request cannot choose its own identity",
                )
            ],
            code="unregistered_requester",
        )


def load_registry(path: str | Path) -> LoadedRegistry:
    from pipeline.specfile import read_yaml

    p = Path(path)
    if not p.is_file():
        raise SpecError(
            f"requester registry {str(p)!r} not found",
            [Problem("no such file", file=str(p), hint="the policy's 'registry' names it")],
            code="registry_not_found",
        )
    src, problems = read_yaml(p, expected="kind: requester-registry, requesters: [...]")
    empty = src is None and [q.code for q in problems] == ["not_a_mapping"]
    if problems and not empty:  # an empty file is an empty registry
        raise SpecError(
            f"{p}: the requester registry cannot be read", problems, code="bad_registry"
        )
    data = src.data if src is not None else None
    try:
        reg = Registry.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise SpecError(
            f"{p}: the registry has {exc.error_count()} problem(s)",
            [
                Problem(
                    e["msg"],
                    file=str(p),
                    path=".".join(str(x) for x in e["loc"]) or None,
                    value=e.get("input") if not isinstance(e.get("input"), (dict, list)) else None,
                )
                for e in exc.errors()
            ],
            code="bad_registry",
        ) from None
    return LoadedRegistry(reg, p.resolve())
