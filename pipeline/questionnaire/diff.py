"""Compare two questionnaires (``wbm questionnaire diff OLD NEW``).

Elements are paired by name (rules by id); when NEW declares a trend mapping to OLD, renamed items
and indicators are paired through it and reported as ``renamed``. Choice items are compared on
their *resolved* choices (code and label), so moving inline choices to a shared list is no change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.questionnaire.model import Questionnaire
from pipeline.questionnaire.trend import trend_map

SECTIONS = (
    "study",
    "choice_lists",
    "items",
    "derived",
    "rules",
    "scales",
    "indicators",
    "quality",
    "settings",
)


@dataclass(frozen=True)
class Change:
    kind: str  # added | removed | changed | renamed
    section: str
    name: str
    field: str | None = None
    old: Any = None
    new: Any = None

    def render(self) -> str:
        if self.kind == "added":
            return f"+ {self.section} {self.name}"
        if self.kind == "removed":
            return f"- {self.section} {self.name}"
        if self.kind == "renamed":
            return f"~ {self.section} {self.old} -> {self.new} (renamed, trend mapping)"
        where = (
            f"{self.section}.{self.field}"
            if self.name == self.section
            else f"{self.section} {self.name}.{self.field}"
        )
        return f"~ {where}: {_short(self.old)} -> {_short(self.new)}"


@dataclass(frozen=True)
class QuestionnaireDiff:
    old_id: str
    new_id: str
    changes: tuple[Change, ...]

    @property
    def same(self) -> bool:
        return not self.changes

    def by_section(self, section: str) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.section == section)

    def render(self) -> str:
        lines = [f"diff {self.old_id} -> {self.new_id}: {len(self.changes)} change(s)"]
        for sec in SECTIONS:
            cs = self.by_section(sec)
            if cs:
                lines.append(f"\n[{sec}]")
                lines += ["  " + c.render() for c in cs]
        if self.same:
            lines.append("no differences")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "old": self.old_id,
            "new": self.new_id,
            "changes": [
                {k: v for k, v in c.__dict__.items() if v is not None} for c in self.changes
            ],
        }


def _short(v: Any, n: int = 80) -> str:
    s = repr(v)
    return s if len(s) <= n else s[: n - 3] + "..."


def _item_view(q: Questionnaire, name: str) -> dict[str, Any]:
    it = q.item(name)
    d = it.model_dump(mode="json", exclude={"name"})
    d["choices"] = [(c.code, c.label.nl, c.label.en) for c in q.choices_of(it)]
    return d


def _compare(
    section: str, name: str, a: dict[str, Any], b: dict[str, Any], out: list[Change]
) -> None:
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            out.append(Change("changed", section, name, key, a.get(key), b.get(key)))


def _named(
    section: str,
    old: dict[str, dict[str, Any]],
    new: dict[str, dict[str, Any]],
    renames: list[tuple[str, str]],
    out: list[Change],
) -> None:
    """``renames``: (new name, old name) pairs declared by the trend mapping."""
    paired_old = {o for n, o in renames if n in new and o in old and n != o}
    paired_new = {n for n, o in renames if n in new and o in old and n != o}
    for n, o in renames:
        if n in paired_new and o in paired_old:
            out.append(Change("renamed", section, n, None, o, n))
            _compare(section, n, old[o], new[n], out)
    for name in old:
        if name not in new and name not in paired_old:
            out.append(Change("removed", section, name))
    for name in new:
        if name in paired_new:
            continue
        if name not in old:
            out.append(Change("added", section, name))
        else:
            _compare(section, name, old[name], new[name], out)


def diff_questionnaires(old: Questionnaire, new: Questionnaire) -> QuestionnaireDiff:
    out: list[Change] = []
    tm = trend_map(new, old)
    item_renames = [(a, b) for a, b in tm.variables if a != b] if tm.explicit else []
    ind_renames = [(a, b) for a, b in tm.indicators if a != b] if tm.explicit else []

    _compare(
        "study", "study", old.study.model_dump(mode="json"), new.study.model_dump(mode="json"), out
    )
    _named(
        "choice_lists",
        {c.name: c.model_dump(mode="json") for c in old.choice_lists},
        {c.name: c.model_dump(mode="json") for c in new.choice_lists},
        [],
        out,
    )
    _named(
        "items",
        {it.name: _item_view(old, it.name) for it in old.items},
        {it.name: _item_view(new, it.name) for it in new.items},
        [(a, b) for a, b in item_renames if a in {i.name for i in new.items}],
        out,
    )
    _named(
        "derived",
        {d.name: d.model_dump(mode="json", exclude={"name"}) for d in old.derived},
        {d.name: d.model_dump(mode="json", exclude={"name"}) for d in new.derived},
        [(a, b) for a, b in item_renames if a in {d.name for d in new.derived}],
        out,
    )
    _named(
        "rules",
        {r.id: r.model_dump(mode="json") for r in old.rules},
        {r.id: r.model_dump(mode="json") for r in new.rules},
        [],
        out,
    )
    _named(
        "scales",
        {s.name: s.model_dump(mode="json", exclude={"name"}) for s in old.scales},
        {s.name: s.model_dump(mode="json", exclude={"name"}) for s in new.scales},
        [],
        out,
    )
    _named(
        "indicators",
        {i.name: i.model_dump(mode="json", exclude={"name"}) for i in old.indicators},
        {i.name: i.model_dump(mode="json", exclude={"name"}) for i in new.indicators},
        ind_renames,
        out,
    )
    _compare(
        "quality",
        "quality",
        old.quality.model_dump(mode="json"),
        new.quality.model_dump(mode="json"),
        out,
    )
    _compare(
        "settings",
        "settings",
        {
            "weighting": list(old.weighting),
            "domains": list(old.domains),
            "missing_codes": [m.model_dump(mode="json") for m in old.missing_codes],
        },
        {
            "weighting": list(new.weighting),
            "domains": list(new.domains),
            "missing_codes": [m.model_dump(mode="json") for m in new.missing_codes],
        },
        out,
    )
    return QuestionnaireDiff(old.study.id, new.study.id, tuple(out))
