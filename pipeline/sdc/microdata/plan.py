"""Which columns a release keeps, which it drops and why, and which are its key variables: a pure
plan from the frame's column names, the questionnaire and the profile (no pandas, no data).

Always dropped, whatever the profile says: items whose role is ``direct_identifier``, the study's
id variable, free text (items of type ``text``), dates, internal columns that point back to the raw
files (``_record_id``, ``_source_file``, ``_source_row``, any other ``_`` column except ``_mode`` and
``_completeness``) and items the questionnaire's release rule drops. A column the questionnaire
does not describe is an error (it could be an identifier) unless the profile drops it.
Register-only variables of the sample frame (origin) are dropped from every public-use file
(``special_category``) and need an explicit decision in any other
(:mod:`pipeline.sdc.microdata.decisions`).

Key variables: the profile's list, or the questionnaire's items with role ``key`` (derived variables
with role ``key`` too, unless derived from a key item: such a derived variable, e.g. ``age_band``
from ``age``, is *linked* to its source and gets the source's suppressions).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

from pipeline.errors import InputError, Problem, SpecError, did_you_mean, one_of, similar_first
from pipeline.questionnaire.model import Item, ItemType, Measure, Questionnaire, Role
from pipeline.rundata.columns import (
    COMPLETENESS,
    DESIGN_COLUMNS,
    MODE,
    WEIGHT_COLUMNS,
    acute_column,
    band_column,
    score_column,
    tl_column,
)
from pipeline.sdc.microdata.decisions import check_decisions, decided, register_only
from pipeline.sdc.microdata.profile import ReleaseProfile

DropReason = Literal[
    "direct_identifier",
    "id_variable",
    "free_text",
    "date",
    "internal",
    "release_rule",
    "profile_drop",
    "not_in_keep",
    "unweighted_release",
    "design_column",
    "item_decision",
    "special_category",
]
KEPT_META = (MODE, COMPLETENESS)
ID_COLUMN = "release_id"


@dataclass(frozen=True)
class Dropped:
    column: str
    reason: DropReason


@dataclass(frozen=True)
class ColumnPlan:
    kept: tuple[str, ...]  # in input order
    dropped: tuple[Dropped, ...]
    keys: tuple[str, ...]  # key variables, most important first (suppressed last)
    linked: tuple[
        tuple[str, tuple[str, ...]], ...
    ]  # (key, variables that inherit its suppressions)
    recoded: tuple[str, ...]  # variables whose questionnaire release recode is applied

    def linked_to(self, key: str) -> tuple[str, ...]:
        return dict(self.linked).get(key, ())


def scored_columns(q: Questionnaire) -> set[str]:
    """Columns the scoring stage adds (:mod:`pipeline.rundata.columns`, ``03_score``)."""
    out = {score_column(s.name) for s in q.scales}
    for ind in q.indicators:
        out.add(ind.name)
        if ind.kind == "traffic_light":
            out |= {tl_column(ind.name), acute_column(ind.name)}
        out |= {band_column(ind.name, lo, hi) for lo, hi in ind.bands}
    return out


def _items_by_column(q: Questionnaire) -> dict[str, Item]:
    out: dict[str, Item] = {}
    for it in q.items:
        if it.type == ItemType.multiple:
            out.update({f"{it.name}_{c.code}": it for c in q.choices_of(it)})
        else:
            out[it.name] = it
    return out


def is_ordinal(q: Questionnaire, variable: str) -> bool:
    if variable in {d.name for d in q.derived}:
        return True
    items = _items_by_column(q)
    it = items.get(variable)
    if it is None:
        return False
    if it.release is not None and it.release.bands:
        return True
    return it.measure in (Measure.ordinal, Measure.scale) or (
        it.measure is None and it.type in (ItemType.integer, ItemType.decimal)
    )


def check_profile(
    profile: ReleaseProfile, q: Questionnaire, columns: Collection[str] = ()
) -> list[Problem]:
    """Cross-references of a profile against a questionnaire; every problem at once. ``columns``:
    the data's columns, which ``drop`` may name besides the questionnaire's variables (an extra
    column of the data is released only if dropped)."""
    items = _items_by_column(q)
    derived = {d.name for d in q.derived}
    known = set(items) | derived | scored_columns(q) | set(WEIGHT_COLUMNS) | set(KEPT_META)
    problems: list[Problem] = []

    def need(names: Sequence[str], where: str, pool: set[str]) -> None:
        for i, v in enumerate(names):
            if v not in pool:
                problems.append(
                    Problem(
                        "unknown variable",
                        path=f"{where}[{i}]",
                        value=v,
                        expected=one_of(v, similar_first(v, pool), limit=8),
                        code="unknown_variable",
                        hint=f"{did_you_mean(v, pool)} Use a variable name of the questionnaire "
                        "(see 'wbm questionnaire codebook'); an unknown name is never ignored",
                    )
                )

    protected = {
        it.name for it in q.items if it.role == Role.direct_identifier or it.type == ItemType.text
    }
    protected.add(q.study.id_variable)
    keys = default_keys(q) if profile.key_variables is None else profile.key_variables
    need(keys, "key_variables", known)
    # a misspelt name in 'drop' would silently release the column it meant to drop
    need(profile.drop, "drop", known | protected | set(columns))
    need(profile.importance, "importance", set(keys))
    if profile.keep is not None:
        need(profile.keep, "keep", known)
        for i, v in enumerate(profile.keep):
            if v in protected or v in items and items[v].role == Role.direct_identifier:
                problems.append(
                    Problem(
                        "a direct identifier or free text can never be released",
                        path=f"keep[{i}]",
                        value=v,
                        hint="remove it from 'keep'",
                        code="protected_in_keep",
                    )
                )
        for i, v in enumerate(keys):
            if v not in profile.keep:
                problems.append(
                    Problem(
                        "key variable not in the keep list",
                        path=f"key_variables[{i}]",
                        value=v,
                        hint="add it to 'keep' or remove it from the key variables",
                        code="key_not_kept",
                    )
                )
    for i, v in enumerate(keys):
        if v in profile.drop or v in protected:
            problems.append(
                Problem(
                    "key variable is dropped from the release",
                    path=f"key_variables[{i}]",
                    value=v,
                    code="key_dropped",
                )
            )
    if isinstance(profile.recodes, tuple):
        with_rule = {it.name for it in q.items if it.release is not None}
        need(profile.recodes, "recodes", with_rule)
    for i, rule in enumerate(profile.merge_small):
        if rule.variable not in known:
            need([rule.variable], f"merge_small[{i}].variable", known)
            continue
        if rule.into is None and not is_ordinal(q, rule.variable):
            problems.append(
                Problem(
                    "a nominal variable needs 'into' (the code small categories go to)",
                    path=f"merge_small[{i}]",
                    value=rule.variable,
                    hint="add 'into: <code>' and a 'label', or merge an ordinal variable",
                    code="merge_needs_into",
                )
            )
    pram = profile.pram
    if pram.enabled:
        need(pram.variables, "pram.variables", known)
        linked = dict(linked_variables(q, keys))
        for i, v in enumerate(pram.variables):
            if linked.get(v):
                problems.append(
                    Problem(
                        "a PRAM variable has derived variables in the release that would reveal the original",
                        path=f"pram.variables[{i}]",
                        value=v,
                        hint=f"drop {', '.join(linked[v])} or do not PRAM {v}",
                        code="pram_linked",
                    )
                )
    if profile.combinations is not None:
        need(profile.combinations.variables, "combinations.variables", known)
        for i, extra in enumerate(profile.combinations.key_sets):
            need(extra, f"combinations.key_sets[{i}]", set(profile.combinations.variables))
        for i, v in enumerate(profile.combinations.variables):
            if v in profile.drop or decided(profile, q).get(v) == "dropped":
                problems.append(
                    Problem(
                        "an attacker variable is dropped from the release",
                        path=f"combinations.variables[{i}]",
                        value=v,
                        hint=f"remove {v} from combinations.variables (a dropped variable needs no check)",
                        code="key_dropped",
                    )
                )
    problems += check_decisions(profile, q, columns)
    need(profile.utility.indicators or (), "utility.indicators", scored_columns(q))
    need(profile.utility.by, "utility.by", known)
    if profile.suppressed_code in q.missing_code_values():
        problems.append(
            Problem(
                "the suppressed code is already a missing code of the questionnaire",
                path="suppressed_code",
                value=profile.suppressed_code,
                expected="a negative code not in "
                + ", ".join(str(c) for c in q.missing_code_values()),
                code="suppressed_code_clash",
            )
        )
    return problems


def default_keys(q: Questionnaire) -> tuple[str, ...]:
    keys = [it.name for it in q.items if it.role == Role.key and it.type != ItemType.multiple]
    for d in q.derived:
        if d.role == Role.key and d.source not in keys:
            keys.append(d.name)
    return tuple(keys)


def linked_variables(
    q: Questionnaire, keys: Sequence[str]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Derived variables whose source is a key variable (they inherit its suppressions)."""
    out = []
    for k in keys:
        dep = tuple(d.name for d in q.derived if d.source == k and d.name not in keys)
        if dep:
            out.append((k, dep))
    return tuple(out)


def _drop_reason(col: str, item: Item | None, q: Questionnaire) -> DropReason | None:
    if col == q.study.id_variable:
        return "id_variable"
    if item is not None:
        if item.role == Role.direct_identifier:
            return "direct_identifier"
        if item.type == ItemType.text:
            return "free_text"
        if item.type == ItemType.date:
            return "date"
        if item.release is not None and item.release.drop:
            return "release_rule"
    if col.startswith("_") and col not in KEPT_META:
        return "internal"
    if col in DESIGN_COLUMNS:  # base weight, stratum, fpc of a stratified design: they locate the
        return "design_column"  # unit's stratum (sector x size class) exactly; never released
    return None


def plan_columns(columns: Sequence[str], q: Questionnaire, profile: ReleaseProfile) -> ColumnPlan:
    """Decide for every column of the analysis frame; raises for columns nobody describes."""
    items = _items_by_column(q)
    derived = {d.name for d in q.derived}
    known = set(items) | derived | scored_columns(q) | set(WEIGHT_COLUMNS) | set(KEPT_META)
    kept: list[str] = []
    dropped: list[Dropped] = []
    unknown: list[str] = []
    decision = decided(profile, q)
    extra = register_only(q)
    for col in columns:
        reason = _drop_reason(col, items.get(col), q)
        if reason is None and col in extra:
            if profile.use == "public_use":
                reason = "special_category"
            elif col in profile.drop:
                reason = "profile_drop"
            elif decision.get(col) == "dropped":
                reason = "item_decision"
            elif decision.get(col) != "released":
                unknown.append(col)  # no decision: never released by default
                continue
        if reason is None and col in profile.drop:
            reason = "profile_drop"
        if reason is None and col in items and decision.get(items[col].name) == "dropped":
            reason = "item_decision"
        if reason is None and col not in known and col not in extra:
            unknown.append(col)
            continue
        if reason is None and profile.keep is not None and col not in profile.keep:
            reason = "not_in_keep"
        if reason is None:
            kept.append(col)
        else:
            dropped.append(Dropped(col, reason))
    if ID_COLUMN in columns:
        unknown.append(ID_COLUMN)
    if unknown:
        raise InputError(
            f"cannot release the frame: {len(unknown)} column(s) the questionnaire does not describe",
            [
                Problem(
                    "unknown column (it could identify respondents)",
                    column=c,
                    expected="a questionnaire variable, a derived or scored variable, a weight or an _internal column",
                    hint="describe it in the questionnaire or list it under 'drop' in the release profile",
                )
                for c in unknown
            ],
            code="unknown_release_column",
        )
    keys = default_keys(q) if profile.key_variables is None else profile.key_variables
    missing = [k for k in keys if k not in kept]
    if missing:
        raise InputError(
            f"key variable(s) not in the data: {', '.join(missing)}",
            [
                Problem(
                    "key variable missing from the frame",
                    column=k,
                    hint="release from a frame that holds every key variable, or change 'key_variables'",
                )
                for k in missing
            ],
            code="key_variable_missing",
        )
    linked = tuple(
        (k, tuple(v for v in deps if v in kept)) for k, deps in linked_variables(q, keys)
    )
    recoded = tuple(
        c
        for c in kept
        if c in items
        and (
            profile.band_rule(c) is not None
            or (_has_recode(items[c]) and profile.applies_recode(c))
            or (decision.get(c) == "banded" and _has_recode(items[c]))
        )
    )
    return ColumnPlan(
        tuple(kept),
        tuple(dropped),
        importance_order(keys, profile.importance),
        tuple((k, v) for k, v in linked if v),
        recoded,
    )


def _has_recode(item: Item) -> bool:
    rel = item.release
    return rel is not None and not rel.drop and item.type != ItemType.multiple


def importance_order(
    keys: Sequence[str], importance: Sequence[str], categories: dict[str, int] | None = None
) -> tuple[str, ...]:
    """Listed keys first (most important first), then the others: with ``categories`` (number of
    distinct values per key) fewer categories first, as sdcMicro's default (a variable with many
    categories is suppressed first); else in their declared order."""
    listed = [k for k in importance if k in keys]
    rest = [k for k in keys if k not in listed]
    if categories is not None:
        rest.sort(key=lambda k: categories.get(k, 0))
    return tuple(listed + rest)


def require_valid(profile: ReleaseProfile, q: Questionnaire, columns: Collection[str] = ()) -> None:
    problems = check_profile(profile, q, columns)
    if problems:
        raise SpecError(
            f"release profile {profile.name!r} does not fit questionnaire {q.study.id!r}: "
            f"{len(problems)} problem(s)",
            problems,
            code="profile_mismatch",
        )
