"""Harmonisation: each wave of a series under the names of the series' latest questionnaire, and where
the series breaks.

A **series** is a chain of waves linked by their questionnaires' trend ``mapping`` (``previous``: the
study id of the wave before). Its *current* questionnaire is the latest wave's. Walking the chain back,
:func:`pipeline.questionnaire.trend.trend_map` pairs each wave's variables and indicators with the next
one's (renames from the mapping, same names with the same codes implicitly); composing the pairs gives
every wave's own name -> current name. A name with no counterpart somewhere along the chain is not
carried over (never joined silently). Comparability between neighbours comes from
:func:`pipeline.questionnaire.breaks.comparability`: an indicator whose definition changed starts a
new *segment* of its series at the later wave (the break marker), and a breakdown variable whose codes
or bands changed is harmonised only within its latest segment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.questionnaire.breaks import Break, comparability
from pipeline.questionnaire.model import ItemType, Questionnaire, Role

#: Internal columns of scored data kept in the harmonised respondents (the rest are pipeline internals).
KEPT_INTERNAL = ("_mode",)


BAND_COLUMN = re.compile(r"(.+?)(_\d+(?:_\d+)?)")
"""A count indicator's band column (``pipeline.rundata.columns.band_column``)."""


@dataclass(frozen=True)
class Translation:
    """One wave under the series' current names."""

    study: str
    year: int
    variables: Mapping[str, str]  # own variable -> current variable
    indicators: Mapping[str, str]  # own indicator -> current indicator
    breaks: tuple[Break, ...] = ()  # indicators that are not comparable with the wave before
    variable_breaks: tuple[Break, ...] = ()
    excluded_by: frozenset[str] = field(
        default_factory=frozenset
    )  # current by-variables not comparable

    def indicator(self, own: str) -> str | None:
        """The current name of an indicator column (``_acuut`` variants and ``tl_`` lights too)."""
        if own in self.indicators:
            return self.indicators[own]
        for prefix, suffix in (("", "_acuut"), ("tl_", "")):
            if own.startswith(prefix) and own.endswith(suffix):
                base = own[len(prefix) : len(own) - len(suffix) if suffix else None]
                if base in self.indicators and (prefix or suffix):
                    return prefix + self.indicators[base] + suffix
        m = BAND_COLUMN.fullmatch(own)  # a count's band: aantal_problemen_3_4
        if m and m.group(1) in self.indicators:
            return self.indicators[m.group(1)] + m.group(2)
        return None

    def column(self, own: str) -> str | None:
        """The harmonised respondents' name of a variable: its current name, or, when its codes or
        bands are not the current wave's, ``<current>__<year>`` (kept, never joined silently)."""
        name = self.variables.get(own)
        if name is None:
            return None
        return f"{name}__{self.year}" if name in self.excluded_by else name

    def by(self, own: str) -> str | None:
        """The current name of a breakdown (crossed ``a:b`` too), None if any part has none or is
        not comparable with the current wave."""
        if own == "":
            return ""
        parts = [self.variables.get(p) for p in own.split(":")]
        if any(p is None or p in self.excluded_by for p in parts):
            return None
        return ":".join(p for p in parts if p is not None)


def _compose(later: Mapping[str, str], pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """``later``: names in the later wave -> current; ``pairs``: (later name, earlier name)."""
    out: dict[str, str] = {}
    for new, old in pairs:
        if new in later and old not in out:
            out[old] = later[new]
    return out


def translations(
    qs: Sequence[Questionnaire], populations: Sequence[str] | None = None
) -> tuple[tuple[Translation, ...], dict[str, list[int]]]:
    """Translations of a chain of questionnaires given newest first (``populations``: the cut-off
    population each wave was scored with, default each study's own), and per current indicator the
    years at which a new comparable segment starts (its break markers)."""
    pops = list(populations) if populations is not None else [""] * len(qs)
    if not qs:
        return (), {}
    cur = qs[0]
    own_vars = {v: v for v in cur.known_variables()}
    own_inds = {i.name: i.name for i in cur.indicators}
    out = [Translation(cur.study.id, cur.study.wave, dict(own_vars), dict(own_inds))]
    breaks_at: dict[str, list[int]] = {}
    excluded: set[str] = set()
    for k, (later, earlier) in enumerate(zip(qs, qs[1:], strict=False)):
        comp = comparability(earlier, later, pops[k], pops[k + 1])
        prev = out[-1]
        # the later wave's breaks, renamed to current names, are the markers at the later year
        inv_i = dict(prev.indicators)
        marked = []
        for b in comp.breaks:
            current = inv_i.get(b.name)
            if current is not None:
                breaks_at.setdefault(current, []).append(later.study.wave)
                marked.append(b)
        for b in comp.variable_breaks:
            current = prev.variables.get(b.name)
            if current is not None:
                excluded.add(current)
        out[-1] = Translation(
            prev.study,
            prev.year,
            prev.variables,
            prev.indicators,
            tuple(marked),
            comp.variable_breaks,
            prev.excluded_by,
        )
        out.append(
            Translation(
                earlier.study.id,
                earlier.study.wave,
                _compose(prev.variables, comp.trend.variables),
                _compose(prev.indicators, comp.trend.indicators),
                excluded_by=frozenset(excluded),
            )
        )
    return tuple(out), {k: sorted(v) for k, v in breaks_at.items()}


def respondent_columns(
    q: Questionnaire, current: Questionnaire, t: Translation, columns: Sequence[str]
) -> dict[str, str]:
    """Own column -> current column for the harmonised respondents of the wave of ``q``: variables
    (no direct identifiers, no free text),
    indicator columns, scores of scales the current wave has under the same name, the weight columns,
    the design columns of a stratified wave (base weight, stratum, fpc) and :data:`KEPT_INTERNAL`. A variable whose codes or bands differ is kept as ``<name>__<year>``
    (:meth:`Translation.column`). Everything else stays only in the wave's original files."""
    from pipeline.rundata.columns import DESIGN_COLUMNS, WEIGHT_COLUMNS
    from pipeline.scoring.plan import score_column

    drop: set[str] = set()
    for it in q.items:
        if it.role == Role.direct_identifier or it.type == ItemType.text:
            drop.update(q.item_variables(it))
    scales = {score_column(s.name) for s in q.scales} & {
        score_column(s.name) for s in current.scales
    }
    out: dict[str, str] = {}
    for c in columns:
        if c in drop:
            continue
        if (name := t.column(c)) is not None or (name := t.indicator(c)) is not None:
            out[c] = name
        elif c in scales or c in KEPT_INTERNAL or c in WEIGHT_COLUMNS or c in DESIGN_COLUMNS:
            out[c] = c
    return out
