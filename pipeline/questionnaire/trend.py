"""Trend pairing between waves: which variable / indicator of this wave is which of the previous one.

A later wave declares ``mapping: {previous: <id>, items: [[new, old], ...], indicators: [[new, old], ...]}``.
Listed pairs are renames; variables and indicators with the same name in both waves pair implicitly
(variables only if their choice codes are the same).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.questionnaire.model import Questionnaire


@dataclass(frozen=True)
class TrendMap:
    new: str  # questionnaire id of the later wave
    old: str
    variables: tuple[tuple[str, str], ...]  # (new name, old name)
    indicators: tuple[tuple[str, str], ...]
    explicit: bool  # True when the later wave declares a mapping to the earlier one

    def old_variable(self, new_name: str) -> str | None:
        return dict(self.variables).get(new_name)

    def old_indicator(self, new_name: str) -> str | None:
        return dict(self.indicators).get(new_name)


def _codes(q: Questionnaire, var: str) -> tuple[int, ...] | None:
    codes = q.codes_of(var)
    return None if codes is None else tuple(sorted(codes))


def trend_map(new: Questionnaire, old: Questionnaire) -> TrendMap:
    """Pairs of (new, old) names for variables and indicators, renames from ``new.mapping`` first."""
    m = new.mapping if new.mapping is not None and new.mapping.previous == old.study.id else None
    var_pairs = list(m.items) if m else []
    ind_pairs = list(m.indicators) if m else []
    old_vars = set(old.known_variables())
    taken_new = {a for a, _ in var_pairs}
    taken_old = {b for _, b in var_pairs}
    for v in new.known_variables():
        if (
            v in old_vars
            and v not in taken_new
            and v not in taken_old
            and _codes(new, v) == _codes(old, v)
        ):
            var_pairs.append((v, v))
    old_ind = {i.name for i in old.indicators}
    taken_new = {a for a, _ in ind_pairs}
    taken_old = {b for _, b in ind_pairs}
    for i in new.indicators:
        if i.name in old_ind and i.name not in taken_new and i.name not in taken_old:
            ind_pairs.append((i.name, i.name))
    return TrendMap(new.study.id, old.study.id, tuple(var_pairs), tuple(ind_pairs), m is not None)
