"""SPSS metadata generated from the questionnaire: what ``pyreadstat.write_sav`` needs.

``spss_metadata(q, lang)`` gives variable labels, value labels (choices plus the labels of the
non-substantive codes), user-missing declarations and measure levels for every variable the
pipeline writes: items (multiple choice expanded to ``<name>_<code>`` 0/1 variables), derived
variables, and (``include_scores``) the scored columns ``score_<scale>``, ``tl_<indicator>``,
``<indicator>``, ``<indicator>_acuut``, composites and counts. ``release=True`` describes the
*released* variables: banded, top-coded and mapped items get their coarse labels, dropped items go.

Usage::

    meta = spss_metadata(q, "en")
    pyreadstat.write_sav(df, path, **meta.write_kwargs(df.columns))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from pipeline.questionnaire.model import Item, ItemType, Measure, Questionnaire, Text
from pipeline.rundata.columns import band_column

MissingSpec = tuple[Any, ...]  # discrete codes, or one {"lo": .., "hi": ..} range

_TL = {
    "nl": ("groen (geen probleem)", "problematisch", "acuut"),
    "en": ("green (no problem)", "problematic", "acute"),
}
_YESNO_PROBLEM = {"nl": ("geen probleem", "probleem"), "en": ("no problem", "problem")}
_YESNO = {"nl": ("nee", "ja"), "en": ("no", "yes")}
_TICK = {"nl": ("niet aangekruist", "aangekruist"), "en": ("not ticked", "ticked")}
_WW = {"nl": ("geen werkbaar werk", "werkbaar werk"), "en": ("not workable work", "workable work")}


@dataclass(frozen=True)
class SpssMetadata:
    """Read-only SPSS metadata per variable name (pyreadstat's argument names)."""

    column_labels: Mapping[str, str]
    variable_value_labels: Mapping[str, Mapping[int, str]]
    missing_ranges: Mapping[str, MissingSpec]
    variable_measure: Mapping[str, str]
    lang: str

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(self.column_labels)

    def for_columns(self, columns: Iterable[str]) -> SpssMetadata:
        cols = [c for c in columns]
        keep = set(cols)

        def sub(m: Mapping[str, Any]) -> Mapping[str, Any]:
            return MappingProxyType({k: v for k, v in m.items() if k in keep})

        return SpssMetadata(
            sub(self.column_labels),
            sub(self.variable_value_labels),
            sub(self.missing_ranges),
            sub(self.variable_measure),
            self.lang,
        )

    def write_kwargs(self, columns: Iterable[str] | None = None) -> dict[str, Any]:
        """Plain dicts for ``pyreadstat.write_sav(df, path, **kwargs)``; columns without metadata get none."""
        m = self if columns is None else self.for_columns(columns)
        return {
            "column_labels": dict(m.column_labels),
            "variable_value_labels": {k: dict(v) for k, v in m.variable_value_labels.items()},
            "missing_ranges": {k: list(v) for k, v in m.missing_ranges.items()},
            "variable_measure": dict(m.variable_measure),
        }


def missing_spec(codes: Iterable[int]) -> MissingSpec:
    """SPSS allows three discrete user-missing values, or one range (+ one value): use a range when
    there are more than three codes (all non-substantive codes are negative, substantive ones >= 0)."""
    cs = sorted(set(codes))
    if len(cs) <= 3:
        return tuple(cs)
    return ({"lo": cs[0], "hi": cs[-1]},)


class _Builder:
    def __init__(self, q: Questionnaire, lang: str) -> None:
        self.q, self.lang = q, lang
        self.labels: dict[str, str] = {}
        self.values: dict[str, Mapping[int, str]] = {}
        self.missing: dict[str, MissingSpec] = {}
        self.measure: dict[str, str] = {}
        self.missing_labels = {m.code: m.label.get(lang) for m in q.missing_codes}

    def t(self, text: Text | None) -> str:
        return "" if text is None else text.get(self.lang)

    def pair(self, table: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
        return table.get(self.lang, table["nl"])

    def add(
        self,
        name: str,
        label: str,
        values: Mapping[int, str] | None,
        missing: Iterable[int],
        measure: str,
    ) -> None:
        self.labels[name] = label
        miss = [c for c in missing if c in self.missing_labels]
        vl = dict(values or {})
        vl.update({c: self.missing_labels[c] for c in miss})
        if vl:
            self.values[name] = MappingProxyType(vl)
        if miss:
            self.missing[name] = missing_spec(miss)
        self.measure[name] = measure

    def item(self, it: Item, release: bool) -> None:
        q = self.q
        measure = (it.measure or _default_measure(it)).value
        label = self.t(it.label)
        if it.type == ItemType.text or it.type == ItemType.date:
            self.labels[it.name] = label
            self.measure[it.name] = "nominal"
            return
        if it.type == ItemType.multiple:
            tick = self.pair(_TICK)
            for c in q.choices_of(it):
                self.add(
                    f"{it.name}_{c.code}",
                    f"{label}: {self.t(c.label)}",
                    {0: tick[0], 1: tick[1]},
                    it.missing,
                    "nominal",
                )
            return
        values: dict[int, str] = {c.code: self.t(c.label) for c in q.choices_of(it)}
        r = it.release if release else None
        if r is not None and r.bands:
            values = {b.code: self.t(b.label) for b in r.bands}
            measure = Measure.ordinal.value
        elif r is not None and r.map:
            values = {c.code: self.t(c.label) for c in (r.map_labels or ())}
        elif r is not None and r.top_code is not None:
            label = (
                f"{label} ({'afgetopt op' if self.lang == 'nl' else 'top-coded at'} {r.top_code:g})"
            )
        self.add(it.name, label, values, it.missing, measure)


def _default_measure(it: Item) -> Measure:
    return Measure.scale if it.type in (ItemType.integer, ItemType.decimal) else Measure.nominal


def spss_metadata(
    q: Questionnaire, lang: str = "nl", *, release: bool = False, include_scores: bool = True
) -> SpssMetadata:
    """Variable labels, value labels, user-missing values and measure levels for every variable."""
    b = _Builder(q, lang)
    for it in q.items:
        if release and it.release is not None and it.release.drop:
            continue
        b.item(it, release)
    for d in q.derived:
        src_missing = q.item(d.source).missing if d.source in {i.name for i in q.items} else ()
        b.add(
            d.name,
            b.t(d.label),
            {band.code: b.t(band.label) for band in d.bands},
            src_missing,
            "ordinal",
        )
    if include_scores:
        _scores(b)
    return SpssMetadata(
        MappingProxyType(b.labels),
        MappingProxyType(b.values),
        MappingProxyType(b.missing),
        MappingProxyType(b.measure),
        lang,
    )


def _scores(b: _Builder) -> None:
    q = b.q
    for s in q.scales:
        b.add(
            f"score_{s.name}",
            f"{b.t(s.label)} ({s.scoring.min:g}-{s.scoring.max:g})",
            None,
            (),
            "scale",
        )
    tl, prob, yn = b.pair(_TL), b.pair(_YESNO_PROBLEM), b.pair(_YESNO)
    for ind in q.indicators:
        if ind.kind == "numeric":  # no column of its own: summarised from its item
            continue
        label = b.t(ind.label)
        if ind.kind == "traffic_light":
            b.add(
                f"tl_{ind.name}",
                f"{label}: {'verkeerslicht' if b.lang == 'nl' else 'traffic light'}",
                dict(enumerate(tl)),
                (),
                "ordinal",
            )
            b.add(ind.name, label, dict(enumerate(prob)), (), "nominal")
            b.add(
                f"{ind.name}_acuut",
                f"{label}: {'acuut' if b.lang == 'nl' else 'acute'}",
                dict(enumerate(yn)),
                (),
                "nominal",
            )
        elif ind.kind == "composite":
            values = (
                dict(enumerate(b.pair(_WW))) if ind.name == "werkbaar_werk" else dict(enumerate(yn))
            )
            b.add(ind.name, label, values, (), "nominal")
        else:
            b.add(ind.name, f"{label} (0-{len(ind.of)})", None, (), "scale")
            for lo, hi in ind.bands:
                span = f"{lo}" if lo == hi else f"{lo}-{hi}"
                b.add(
                    band_column(ind.name, lo, hi),
                    f"{label}: {span}",
                    dict(enumerate(yn)),
                    (),
                    "nominal",
                )
