"""What goes into the microdata release and with which SPSS metadata: a pure plan from the frame's
column names and the questionnaire (no pandas, no data).

Every input column gets a decision: kept (with label, value labels, user-missing codes, measure level,
format and the release recode to apply) or dropped with a reason. Unknown columns are an error rather
than a silent release, because an unknown column may be an identifier. Labels, value labels,
user-missing codes and measure levels of questionnaire, derived and scored variables come from
:func:`pipeline.questionnaire.metadata.spss_metadata` (``release=True``); this module adds what only
the release knows: the release id, ``mode``/``completeness`` codes, weights, print formats and the
label of a top-coded value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pipeline.errors import InputError, Problem, SpecError
from pipeline.questionnaire.metadata import SpssMetadata, spss_metadata
from pipeline.questionnaire.model import Item, ItemType, Questionnaire, Role

Measure = Literal["nominal", "ordinal", "scale"]
_MEASURES: dict[str, Measure] = {"nominal": "nominal", "ordinal": "ordinal", "scale": "scale"}

ID_COLUMN = "release_id"
MODE_CODES: dict[str, int] = {"paper": 1, "web": 2, "cati": 3}
COMPLETENESS_CODES: dict[str, int] = {"complete": 1, "partial": 2, "breakoff": 3}
DROP_META = frozenset({"_source_file", "_source_row", "_record_id"})
WEIGHT_COLUMNS = ("weight", "weight_normalised")

_T = {  # the release's own texts, per language
    "release_id": {"nl": "willekeurig releasenummer (niet te koppelen aan de steekproef)",
                   "en": "random release id (cannot be linked to the sample)"},
    "mode": {"nl": "manier van invullen", "en": "survey mode"},
    "paper": {"nl": "papier", "en": "paper"}, "web": {"nl": "web", "en": "web"},
    "cati": {"nl": "telefonisch (CATI)", "en": "telephone (CATI)"},
    "completeness": {"nl": "volledigheid van de vragenlijst", "en": "questionnaire completeness"},
    "complete": {"nl": "volledig", "en": "complete"}, "partial": {"nl": "gedeeltelijk", "en": "partial"},
    "breakoff": {"nl": "afgebroken", "en": "break-off"},
    "weight": {"nl": "gewicht (gekalibreerd op populatietotalen)", "en": "weight (calibrated to population totals)"},
    "weight_normalised": {"nl": "genormaliseerd gewicht (gemiddelde 1)", "en": "normalised weight (mean 1)"},
    "or_more": {"nl": "{v} of meer", "en": "{v} or more"},
}


def text(key: str, lang: str, **kw: object) -> str:
    entry = _T[key]
    return (entry.get(lang) or entry["nl"]).format(**kw)


@dataclass(frozen=True)
class Recode:
    kind: Literal["none", "bands", "top_code", "map", "mode", "completeness", "release_id"]
    bands: tuple[tuple[float, float, int], ...] = ()  # (low, high, code)
    top: float | None = None
    mapping: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class ReleaseVariable:
    name: str  # name in the release
    source: str  # column of the analysis frame
    label: str
    measure: Measure
    format: str  # SPSS print format, e.g. F8.0
    value_labels: tuple[tuple[float, str], ...] = ()
    missing: tuple[Any, ...] = ()  # user-missing values as pyreadstat takes them (codes, or a {"lo", "hi"} range)
    recode: Recode = Recode("none")


@dataclass(frozen=True)
class Dropped:
    column: str
    reason: str


@dataclass(frozen=True)
class ReleasePlan:
    variables: tuple[ReleaseVariable, ...]
    dropped: tuple[Dropped, ...]
    lang: str

    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)


def _fmt(name: str, item: Item | None) -> str:
    if name.startswith("score_"):
        return "F8.2"
    return "F8.2" if item is not None and item.type == ItemType.decimal else "F8.0"


def _described(meta: SpssMetadata, name: str, source: str, fmt: str, recode: Recode = Recode("none"),
               extra_labels: tuple[tuple[float, str], ...] = ()) -> ReleaseVariable:
    """A variable whose label, value labels, user-missing codes and measure come from the
    questionnaire's SPSS metadata."""
    values = tuple(sorted((float(c), t) for c, t in meta.variable_value_labels.get(name, {}).items()))
    measure = meta.variable_measure.get(name, "nominal")
    return ReleaseVariable(name, source, meta.column_labels[name], _MEASURES.get(measure, "nominal"), fmt,
                           values + extra_labels, tuple(meta.missing_ranges.get(name, ())), recode)


def _item_variable(meta: SpssMetadata, item: Item, name: str, lang: str) -> ReleaseVariable:
    rel = item.release
    if item.type == ItemType.multiple or rel is None:
        return _described(meta, name, name, _fmt(name, item))
    if rel.bands:
        return _described(meta, name, name, "F8.0", Recode("bands", bands=tuple((b.low, b.high, b.code) for b in rel.bands)))
    if rel.map:
        return _described(meta, name, name, _fmt(name, item), Recode("map", mapping=tuple(rel.map)))
    if rel.top_code is not None:
        v = f"{rel.top_code:g}"
        return _described(meta, name, name, _fmt(name, item), Recode("top_code", top=rel.top_code),
                          ((float(rel.top_code), text("or_more", lang, v=v)),))
    return _described(meta, name, name, _fmt(name, item))


def _scored_columns(q: Questionnaire) -> frozenset[str]:
    """Columns scoring adds (run-directory contract): score_<scale>, tl_<i>, <i>, <i>_acuut, composites, counts."""
    out = {f"score_{s.name}" for s in q.scales}
    for ind in q.indicators:
        out.add(ind.name)
        if ind.kind == "traffic_light":
            out |= {f"tl_{ind.name}", f"{ind.name}_acuut"}
    return frozenset(out)


def release_plan(columns: Sequence[str], q: Questionnaire, lang: str = "en") -> ReleasePlan:
    """Decide, for every column of the analysis frame, whether and how it is released."""
    cols = list(columns)
    meta = spss_metadata(q, lang, release=True, include_scores=True)
    keep: list[ReleaseVariable] = [ReleaseVariable(ID_COLUMN, "", text("release_id", lang), "nominal", "F8.0",
                                                   recode=Recode("release_id"))]
    dropped: list[Dropped] = []
    items = {it.name: it for it in q.items}
    multi = {f"{it.name}_{c.code}": it for it in q.items if it.type == ItemType.multiple for c in q.choices_of(it)}
    derived = {d.name: d for d in q.derived}
    scored = _scored_columns(q)
    for col in cols:
        item = items.get(col) or multi.get(col)
        if item is not None:
            if item.role == Role.direct_identifier:
                dropped.append(Dropped(col, "direct identifier"))
            elif item.type == ItemType.text:
                dropped.append(Dropped(col, "free text"))
            elif item.type == ItemType.date:
                dropped.append(Dropped(col, "dates are not released in this version"))
            elif item.release is not None and item.release.drop:
                dropped.append(Dropped(col, "dropped by the questionnaire's release rule"))
            else:
                keep.append(_item_variable(meta, item, col, lang))
        elif col in derived:
            keep.append(_described(meta, col, col, "F8.0"))
        elif col == "_mode":
            keep.append(ReleaseVariable("mode", col, text("mode", lang), "nominal", "F8.0",
                                        tuple((float(c), text(m, lang)) for m, c in MODE_CODES.items()), (),
                                        Recode("mode")))
        elif col == "_completeness":
            keep.append(ReleaseVariable("completeness", col, text("completeness", lang), "ordinal", "F8.0",
                                        tuple((float(c), text(m, lang)) for m, c in COMPLETENESS_CODES.items()), (),
                                        Recode("completeness")))
        elif col in DROP_META or col.startswith("_"):
            dropped.append(Dropped(col, "internal processing column"))
        elif col in WEIGHT_COLUMNS:
            keep.append(ReleaseVariable(col, col, text(col, lang), "scale", "F12.6"))
        elif col in scored:
            keep.append(_described(meta, col, col, _fmt(col, None)))
        else:
            dropped.append(Dropped(col, "unknown"))
    unknown = [d.column for d in dropped if d.reason == "unknown"]
    if unknown:
        raise InputError(
            f"cannot release the frame: {len(unknown)} column(s) the questionnaire does not describe",
            [Problem("unknown column (it could identify respondents)", column=c,
                     expected="a questionnaire variable, a derived or scored variable, a weight or an _internal column",
                     hint="drop it before the release or describe it in the questionnaire") for c in unknown],
            code="unknown_release_column")
    names = [v.name for v in keep]
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        raise SpecError("release variable names clash", [Problem("name used twice", value=n) for n in clash])
    return ReleasePlan(tuple(keep), tuple(dropped), lang)
