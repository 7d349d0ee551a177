"""An explicit decision for every raw item of a release (the profile's ``items``; no pandas here).

A public-use file must say, for each raw questionnaire item in the data, whether it is released as
answered, released in bands, or dropped: an item nobody decided on is never released by default
(it could be the one that makes a record unique). Items that are never released whatever the profile
says (direct identifiers, the id variable, free text, dates, items whose release rule drops them)
need no decision.

A near-continuous item (type integer or decimal: hours, absence days, telework days, age) cannot
be released as answered in public use: its exact value singles a person out with almost any other
fact. It must be banded (a band list in the profile's ``bands`` or the questionnaire's release rule;
a top code alone leaves the rest exact) or dropped.

Register-only variables of the sample frame (:data:`pipeline.rundata.columns.REGISTER_ONLY`:
origin, special category data) are in the run's data but asked on no form. A public-use file never
releases them (:mod:`pipeline.sdc.microdata.plan` drops them); every other profile must decide
(``items.dropped``, or ``drop``): they are never released by default. ``items.released`` is refused
for a sensitive one (``sensitive_released``): a respondent-level file with migration background
needs its own legal basis (GDPR art. 9) and assessment; tables by origin go through ``wbm table``.
A scientific-use profile whose ``items`` names only register-only variables decides those alone.
"""

from __future__ import annotations

from collections.abc import Collection

from pipeline.errors import Problem, close_names, did_you_mean, one_of, similar_first
from pipeline.frame.model import REGISTER_ONLY
from pipeline.questionnaire.model import Item, ItemType, Questionnaire, Role
from pipeline.sdc.microdata.profile import ReleaseProfile

DECISIONS = ("released", "banded", "dropped")
CONTINUOUS = (ItemType.integer, ItemType.decimal)


def never_released(item: Item, q: Questionnaire) -> bool:
    """Items every release drops, whatever the profile (see :mod:`pipeline.sdc.microdata.plan`)."""
    return (
        item.name == q.study.id_variable
        or item.role == Role.direct_identifier
        or item.type in (ItemType.text, ItemType.date)
        or (item.release is not None and item.release.drop)
    )


def item_columns(item: Item, q: Questionnaire) -> tuple[str, ...]:
    if item.type == ItemType.multiple:
        return tuple(f"{item.name}_{c.code}" for c in q.choices_of(item))
    return (item.name,)


def raw_items(q: Questionnaire, columns: Collection[str] = ()) -> tuple[Item, ...]:
    """The raw items that need a decision: in the data (every item if ``columns`` is empty)."""
    cols = set(columns)
    return tuple(
        it
        for it in q.items
        if not never_released(it, q) and (not cols or any(c in cols for c in item_columns(it, q)))
    )


def _grids(q: Questionnaire) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for it in q.items:
        if it.grid:
            out.setdefault(it.grid, []).append(it.name)
    return {g: tuple(v) for g, v in out.items()}


def decided(profile: ReleaseProfile, q: Questionnaire) -> dict[str, str]:
    """item name -> decision (names of grids expanded; register-only variables the questionnaire
    does not ask included; unknown names left out)."""
    items = {it.name for it in q.items} | register_only(q)
    grids = _grids(q)
    out: dict[str, str] = {}
    if profile.items is None:
        return out
    for what in DECISIONS:
        for name in getattr(profile.items, what):
            for it in (name,) if name in items else grids.get(name, ()):
                out.setdefault(it, what)
    return out


def register_only(q: Questionnaire, columns: Collection[str] | None = None) -> set[str]:
    """The register-only variables (not asked by ``q``), those in ``columns`` if given."""
    own = set(q.known_variables())
    return {v for v in REGISTER_ONLY if v not in own and (columns is None or v in set(columns))}


def decides_raw_items(profile: ReleaseProfile, q: Questionnaire) -> bool:
    """Whether the profile must decide every raw item: public use, or ``items`` naming any raw
    item (a scientific-use ``items`` that names only register-only variables decides those)."""
    if profile.use == "public_use":
        return True
    if profile.items is None:
        return False
    extra = register_only(q)
    return any(name not in extra for what in DECISIONS for name in getattr(profile.items, what))


def has_bands(profile: ReleaseProfile, item: Item) -> bool:
    return profile.band_rule(item.name) is not None or bool(
        item.release is not None and item.release.bands
    )


def check_decisions(
    profile: ReleaseProfile, q: Questionnaire, columns: Collection[str] = ()
) -> list[Problem]:
    """Every problem of the profile's ``items`` and ``bands`` at once (required in public use)."""
    problems: list[Problem] = []
    by_name = {it.name: it for it in q.items}
    grids = _grids(q)
    extra = register_only(q)
    pool = set(by_name) | set(grids) | extra
    listed: dict[str, str] = {}
    unknown: list[str] = []
    if profile.items is not None:
        for what in DECISIONS:
            for i, name in enumerate(getattr(profile.items, what)):
                if name not in pool:
                    unknown.append(name)
                    problems.append(
                        Problem(
                            "unknown item or grid",
                            path=f"items.{what}[{i}]",
                            value=name,
                            expected=one_of(name, similar_first(name, pool), limit=8),
                            hint=did_you_mean(name, pool),
                            code="unknown_variable",
                        )
                    )
                    continue
                if name in extra:
                    problems += _register_decision(profile, name, what, i)
                for it in (name,) if name in by_name or name in extra else grids[name]:
                    if it in listed and listed[it] != what:
                        problems.append(
                            Problem(
                                "an item has two decisions",
                                path=f"items.{what}[{i}]",
                                value=it,
                                expected=f"one of released, banded, dropped (already {listed[it]})",
                                hint="keep one decision per item",
                                code="item_decision_conflict",
                            )
                        )
                    listed.setdefault(it, what)
    for i, rule in enumerate(profile.bands):
        item = by_name.get(rule.variable)
        if item is None or item.type not in CONTINUOUS:
            problems.append(
                Problem(
                    "bands for something that is not a numeric item",
                    path=f"bands[{i}].variable",
                    value=rule.variable,
                    expected="an integer or decimal item of the questionnaire",
                    hint=did_you_mean(
                        rule.variable, [it.name for it in q.items if it.type in CONTINUOUS]
                    ),
                    code="unknown_variable",
                )
            )
        elif listed.get(rule.variable) not in (None, "banded"):
            problems.append(
                Problem(
                    "bands for an item that is not banded",
                    path=f"bands[{i}].variable",
                    value=rule.variable,
                    expected="an item listed under items.banded",
                    hint=f"move {rule.variable} to items.banded or remove its bands",
                    code="item_decision_conflict",
                )
            )
    for name in sorted(register_only(q, columns)):
        if name not in listed and name not in profile.drop and profile.use != "public_use":
            problems.append(
                Problem(
                    "register-only variable without a release decision",
                    path="items",
                    value=name,
                    expected=f"{name} under items.dropped (or in 'drop')",
                    hint=f"{name} comes from the sample frame and is special category data: "
                    f"add 'items: {{dropped: [{name}]}}' to the profile",
                    code="item_decision_missing",
                )
            )
    if not decides_raw_items(profile, q):
        return problems
    keys = set(profile.key_variables or ())
    for it in raw_items(q, columns):
        cols = item_columns(it, q)
        if all(c in profile.drop for c in cols) or (
            profile.keep is not None and not any(c in profile.keep for c in cols)
        ):
            continue  # dropped by 'drop' or 'keep': that is its decision
        decision = listed.get(it.name)
        if decision is None:
            close = close_names(it.name, unknown)
            problems.append(
                Problem(
                    "raw item without a release decision",
                    path="items",
                    value=it.name,
                    expected="the item under items.released, items.banded or items.dropped",
                    hint=(
                        f"decide for {it.name}"
                        + (f" (grid {it.grid})" if it.grid else "")
                        + (
                            f"; items lists {close[0]!r}, which is no item: did you mean {it.name!r}?"
                            if close
                            else ""
                        )
                    ),
                    code="item_decision_missing",
                )
            )
            continue
        if decision == "banded" and not has_bands(profile, it):
            problems.append(
                Problem(
                    "banded item without bands",
                    path="bands",
                    value=it.name,
                    expected=f"a band list for {it.name} in 'bands' (a top code alone is not a band list)",
                    hint=f"add {{variable: {it.name}, bands: [...]}} to 'bands'",
                    code="item_bands_missing",
                )
            )
        if decision == "released" and it.type in CONTINUOUS and profile.use == "public_use":
            problems.append(
                Problem(
                    "near-continuous item released as answered in a public-use file",
                    path="items.released",
                    value=it.name,
                    expected="banded (with bands) or dropped",
                    hint=f"move {it.name} to items.banded and give it bands, or to items.dropped",
                    code="continuous_item_released",
                )
            )
        if decision == "dropped" and it.name in keys:
            problems.append(
                Problem(
                    "key variable is dropped from the release",
                    path="items.dropped",
                    value=it.name,
                    code="key_dropped",
                )
            )
    return problems


def _register_decision(profile: ReleaseProfile, name: str, what: str, i: int) -> list[Problem]:
    """A decision on a register-only variable: only ``dropped`` (or ``released`` for one that is
    not sensitive, outside public use)."""
    spec = REGISTER_ONLY[name]
    if what == "dropped":
        return []
    if what == "released" and not spec.sensitive and profile.use != "public_use":
        return []
    return [
        Problem(
            "a sensitive register variable cannot be released"
            if spec.sensitive
            else "a register variable cannot be banded or released in a public-use file",
            path=f"items.{what}[{i}]",
            value=name,
            expected=f"{name} under items.dropped",
            hint=f"{name} is special category data (GDPR art. 9): publish it only in tables under "
            "the publisher's policy (wbm table); a respondent-level release needs its own legal "
            "basis and assessment",
            code="sensitive_released",
        )
    ]
