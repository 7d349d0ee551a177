"""Composition: a module (e.g. a PC 126 sector measurement) extends a questionnaire without copying it.

A module file has ``kind: questionnaire_module``, names the questionnaire it ``extends`` and adds
choice lists, items, derived variables, rules, scales, indicators and domains; it may patch study
metadata (id, title, wave, target population, ...) and declare a trend ``mapping``. The loader
resolves it into one ordinary :class:`Questionnaire`, remembering which file and line every part came
from (:class:`Located`), so problems in a composed questionnaire point into the right file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from pipeline.errors import Problem
from pipeline.questionnaire.model import (
    SCHEMA_VERSION,
    ChoiceList,
    Derived,
    Indicator,
    Item,
    Questionnaire,
    Rule,
    Scale,
    Spec,
    Study,
    Text,
    WaveMapping,
)
from pipeline.questionnaire.source import PathT, Source

#: module key -> questionnaire section it extends
ADDS = {
    "add_choice_lists": "choice_lists",
    "add_items": "items",
    "add_derived": "derived",
    "add_rules": "rules",
    "add_scales": "scales",
    "add_indicators": "indicators",
    "add_domains": "domains",
}
INDEXED = (
    "choice_lists",
    "items",
    "derived",
    "rules",
    "scales",
    "indicators",
    "domains",
    "weighting",
)


class StudyPatch(Spec):
    """Study fields a module may override (all optional)."""

    id: str | None = None
    title: Text | None = None
    wave: int | None = None
    target_population: Text | None = None
    modes: tuple[Literal["paper", "web", "cati"], ...] | None = None
    version: str | None = None
    status: Literal["reference", "official"] | None = None
    note: Text | None = None
    strata: tuple[str, ...] | None = None
    report_domain: str | None = None


class QuestionnaireModule(Spec):
    kind: Literal["questionnaire_module"] = "questionnaire_module"
    schema_version: int = SCHEMA_VERSION
    extends: str  # id or path of the questionnaire (or module) extended
    study: StudyPatch
    insert_before: str | None = None  # module items go before this base item (default: at the end)
    add_choice_lists: tuple[ChoiceList, ...] = ()
    add_items: tuple[Item, ...] = ()
    add_derived: tuple[Derived, ...] = ()
    add_rules: tuple[Rule, ...] = ()
    add_scales: tuple[Scale, ...] = ()
    add_indicators: tuple[Indicator, ...] = ()
    add_domains: tuple[str, ...] = ()
    mapping: WaveMapping | None = None


@dataclass(frozen=True)
class Located:
    """A questionnaire plus where each part was written (for located problems)."""

    questionnaire: Questionnaire
    root: Source  # the file asked for
    chain: tuple[Source, ...]  # root first, then the files it extends
    origins: Mapping[tuple[str, int], tuple[Source, PathT]]

    @classmethod
    def single(cls, q: Questionnaire, src: Source) -> Located:
        origins = {
            (sec, i): (src, (sec, i)) for sec in INDEXED for i in range(len(getattr(q, sec)))
        }
        return cls(q, src, (src,), origins)

    def locate(self, path: PathT) -> tuple[Source, PathT]:
        if len(path) >= 2 and isinstance(path[1], int) and (str(path[0]), path[1]) in self.origins:
            src, base = self.origins[(str(path[0]), path[1])]
            return src, base + tuple(path[2:])
        best, best_depth = self.root, -1
        for src in self.chain:
            depth, node = 0, cast(Any, src.data)
            for seg in path:
                found = (isinstance(node, dict) and seg in node) or (
                    isinstance(node, list) and isinstance(seg, int) and seg < len(node)
                )
                if not found:
                    break
                node, depth = node[seg], depth + 1
            if depth > best_depth:
                best, best_depth = src, depth
        return best, tuple(path)

    def problem(self, code: str, message: str, path: PathT, **kw: object) -> Problem:
        src, spath = self.locate(path)
        return src.problem(code, message, spath, **kw)  # type: ignore[arg-type]

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(str(s.path) for s in self.chain)


def compose(
    module: QuestionnaireModule, msrc: Source, base: Located
) -> tuple[Located | None, list[Problem]]:
    """Resolve a module on top of its (already loaded) base into one questionnaire."""
    bq = base.questionnaire
    problems: list[Problem] = []
    items = list(bq.items)
    at = len(items)
    if module.insert_before is not None:
        names = [it.name for it in items]
        if module.insert_before in names:
            at = names.index(module.insert_before)
        else:
            problems.append(
                msrc.problem(
                    "unknown_position",
                    f"insert_before names {module.insert_before!r}, "
                    "which is not an item of the base questionnaire",
                    ("insert_before",),
                    expected="an item name of " + bq.study.id,
                    hint="use an existing item name",
                )
            )
    origins: dict[tuple[str, int], tuple[Source, PathT]] = {}
    sections: dict[str, list[object]] = {}
    for sec in INDEXED:
        base_list = list(getattr(bq, sec))
        base_orig = [
            base.origins.get((sec, i), (base.root, (sec, i))) for i in range(len(base_list))
        ]
        add_key = next((k for k, v in ADDS.items() if v == sec), None)
        added = list(getattr(module, add_key)) if add_key else []
        added_orig: list[tuple[Source, PathT]] = (
            [(msrc, (add_key, j)) for j in range(len(added))] if add_key else []
        )
        pos = at if sec == "items" else len(base_list)
        merged = base_list[:pos] + added + base_list[pos:]
        merged_orig = base_orig[:pos] + added_orig + base_orig[pos:]
        sections[sec] = merged
        for i, o in enumerate(merged_orig):
            origins[(sec, i)] = o
    patch = {k: v for k, v in module.study.model_dump(exclude_none=True).items()}
    study = Study.model_validate({**bq.study.model_dump(), **patch})
    q = bq.model_copy(
        update={
            **{sec: tuple(v) for sec, v in sections.items()},
            "study": study,
            "mapping": module.mapping if module.mapping is not None else None,
        }
    )
    located = Located(q, msrc, (msrc, *base.chain), origins)
    return located, problems
