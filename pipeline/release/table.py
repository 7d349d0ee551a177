"""The released table: the anonymised frame as numbers only, and what every variable is.

From an :class:`~pipeline.sdc.microdata.api.ReleaseResult` (which decided what is kept, recoded, perturbed and
suppressed: :mod:`pipeline.sdc.microdata.plan` is the one place that decides which columns go) and the
questionnaire, one :class:`Variable` per released column: label, question, value labels, the
non-substantive codes that can occur (the questionnaire's missing codes, and the "suppressed" code on
key variables and the variables linked to them), measure level, decimals and what the release did to
it. Every writer (.sav, .dta, CSV + datapackage, codebook, README) takes a :class:`ReleaseTable`
and nothing else, so the formats cannot disagree and nothing is recoded twice.

Labels of items and derived variables come from
:func:`pipeline.questionnaire.metadata.spss_metadata` (``release=True`` for the items whose release
recode the profile applied, the questionnaire's own labels for the others), the value labels of
recoded or merged variables from the SDC result, the labels of scored columns from the scoring
catalogue (:func:`pipeline.scoring.api.output_columns`), so new indicators need no change here.
``_mode`` and ``_completeness`` are released as coded ``mode`` and ``completeness``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from pipeline.errors import InputError, Problem
from pipeline.questionnaire.model import ItemType, Questionnaire, Text
from pipeline.rundata.columns import (
    COMPLETENESS,
    MODE,
    WEIGHT,
    WEIGHT_COLUMNS,
    WEIGHT_NORMALISED,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.sdc.microdata.api import ReleaseResult

Kind = Literal["id", "item", "derived", "score", "indicator", "weight", "meta"]
Measure = Literal["nominal", "ordinal", "scale"]
MODE_CODES = (("paper", 1), ("web", 2), ("cati", 3))
COMPLETENESS_CODES = (("complete", 1), ("partial", 2), ("breakoff", 3))
RENAMED = {MODE: "mode", COMPLETENESS: "completeness"}

_T = {  # the release's own texts
    "release_id": Text(
        nl="willekeurig vrijgavenummer (niet te koppelen aan de steekproef)",
        en="random release id (cannot be linked to the sample)",
    ),
    "mode": Text(nl="manier van invullen", en="survey mode"),
    "paper": Text(nl="papier", en="paper"),
    "web": Text(nl="web", en="web"),
    "cati": Text(nl="telefonisch (CATI)", en="telephone (CATI)"),
    "completeness": Text(nl="volledigheid van de vragenlijst", en="questionnaire completeness"),
    "complete": Text(nl="volledig", en="complete"),
    "partial": Text(nl="gedeeltelijk", en="partial"),
    "breakoff": Text(nl="afgebroken", en="break-off"),
    "weight": Text(
        nl="gewicht (gekalibreerd op populatietotalen)",
        en="weight (calibrated to population totals)",
    ),
    "weight_normalised": Text(
        nl="genormaliseerd gewicht (gemiddelde 1)", en="normalised weight (mean 1)"
    ),
    "weight_released": Text(
        nl="gewicht (herkalibreerd op de vrijgegeven waarden)",
        en="weight (recalibrated on the released values)",
    ),
    "weight_normalised_released": Text(
        nl="genormaliseerd gewicht (herkalibreerd, gemiddelde 1)",
        en="normalised weight (recalibrated, mean 1)",
    ),
}
_MEASURES: dict[str, Measure] = {"nominal": "nominal", "ordinal": "ordinal", "scale": "scale"}
_SCORED_MEASURE: dict[str, tuple[Measure, int]] = {
    "score": ("scale", 2),
    "traffic_light": ("ordinal", 0),
    "problem": ("nominal", 0),
    "acute": ("nominal", 0),
    "composite": ("nominal", 0),
    "condition": ("nominal", 0),
    "count": ("scale", 0),
}


def _g(x: float, lang: str) -> str:
    return f"{x:g}".replace(".", ",") if lang == "nl" else f"{x:g}"


def text(key: str, lang: str) -> str:
    return _T[key].get(lang)


@dataclass(frozen=True)
class Variable:
    name: str
    source: str  # the column of the analysis frame
    label: str
    kind: Kind
    measure: Measure
    decimals: int
    values: tuple[tuple[int, str], ...] = ()  # substantive value labels
    missing: tuple[tuple[int, str], ...] = ()  # non-substantive codes that can occur, with labels
    question: str | None = None
    unit: str | None = None
    treatment: str | None = None  # what the release did to it
    routing: str | None = None  # who was asked (in words), from the questionnaire

    @property
    def labelled(self) -> tuple[tuple[int, str], ...]:
        return self.values + self.missing


@dataclass(frozen=True, eq=False)
class ReleaseTable:
    frame: pd.DataFrame  # float64 (release_id int64) columns in variable order, rows by release id
    variables: tuple[Variable, ...]
    weight: str | None  # the weight to analyse with
    missing_codes: tuple[
        tuple[int, str, str], ...
    ]  # (code, kind, label) of every non-substantive code
    lang: str

    def variable(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(name)

    def values(self, name: str) -> np.ndarray:
        return self.frame[name].to_numpy(dtype=np.float64, na_value=np.nan)


def _coded(values: pd.Series, source: str, codes: tuple[tuple[str, int], ...]) -> np.ndarray:
    known = dict(codes)
    text_values = values.astype("string")
    unknown = sorted(set(text_values.dropna().unique()) - set(known))
    if unknown or text_values.isna().any():
        raise InputError(
            f"column {source!r} has values the release cannot code",
            [
                Problem(
                    "unexpected value",
                    column=source,
                    value=v,
                    expected=", ".join(known),
                    hint="run validation first: it writes the canonical mode and completeness values",
                )
                for v in (unknown or ["(empty)"])[:5]
            ],
            code="bad_release_value",
        )
    return text_values.map(known).to_numpy(dtype=np.float64)


def _treatments(result: ReleaseResult, lang: str) -> dict[str, list[str]]:
    from pipeline.release.words import word, words

    w = words(lang)
    out: dict[str, list[str]] = {}
    for r in result.recodes:
        kind = word(f"recode_{r.kind}", lang, r.kind.replace("_", " "))
        out.setdefault(r.variable, []).append(w["treat_recode"].format(kind=kind, n=r.changed))
    for p in result.pram:
        out.setdefault(p.variable, []).append(
            w["treat_pram"].format(retention=_g(p.retention, lang), n=p.changed)
        )
    rep = result.report
    for var, n in rep.suppressed + rep.linked_suppressed:
        if n:
            out.setdefault(var, []).append(w["treat_suppressed"].format(n=n))
    wt = rep.weights
    if wt is not None and wt.method != "original":
        for col in WEIGHT_COLUMNS:
            out.setdefault(col, []).append(
                w["treat_recalibrated"].format(variables=", ".join(wt.variables))
            )
    return out


def release_table(
    result: ReleaseResult, q: Questionnaire, *, lang: str = "nl", population: str = "default"
) -> ReleaseTable:
    """The released table of an SDC result (see the module docstring)."""
    import pandas as pd

    from pipeline.questionnaire.codebook import variable_docs
    from pipeline.questionnaire.metadata import spss_metadata
    from pipeline.scoring.api import output_columns

    applied = set(result.plan.recoded)  # the questionnaire's release recodes this profile applied
    released_meta = spss_metadata(q, lang, release=True, include_scores=False)
    base_meta = spss_metadata(q, lang, release=False, include_scores=False)
    docs = {d.name: d for d in variable_docs(q, lang)}
    scored = {c.name: c for c in output_columns(q, population)}
    miss_labels = {m.code: m.label.get(lang) for m in q.missing_codes}
    items = {c: it for it in q.items for c in q.item_variables(it)}
    derived = {d.name: d for d in q.derived}
    protected = (
        set(result.report.keys)
        | {v for v, _n in result.report.suppressed}
        | {d for _, deps in result.plan.linked for d in deps}
    )
    suppressed = (result.suppressed_code, result.suppressed_label.get(lang))
    treatments = _treatments(result, lang)
    recalibrated = result.report.weights is not None and result.report.weights.method != "original"
    frame = result.frame
    data: dict[str, np.ndarray] = {}
    variables: list[Variable] = []
    for col in (str(c) for c in frame.columns):
        name = RENAMED.get(col, col)
        treat = "; ".join(treatments.get(col, [])) or None
        if col == "release_id":
            data[name] = frame[col].to_numpy(dtype=np.int64)
            variables.append(
                Variable(name, col, text("release_id", lang), "id", "nominal", 0, treatment=None)
            )
            continue
        if col in RENAMED:
            coding = MODE_CODES if col == MODE else COMPLETENESS_CODES
            data[name] = _coded(frame[col], col, coding)
            variables.append(
                Variable(
                    name,
                    col,
                    text(name, lang),
                    "meta",
                    "nominal" if col == MODE else "ordinal",
                    0,
                    tuple((c, text(k, lang)) for k, c in coding),
                )
            )
            continue
        data[name] = frame[col].to_numpy(dtype=np.float64, na_value=np.nan)
        if col in WEIGHT_COLUMNS:
            key = f"{col}_released" if recalibrated else col
            variables.append(
                Variable(name, col, text(key, lang), "weight", "scale", 6, treatment=treat)
            )
            continue
        if col in scored:
            oc = scored[col]
            measure, decimals = _SCORED_MEASURE.get(oc.kind, ("scale", 2))
            variables.append(
                Variable(
                    name,
                    col,
                    oc.label.get(lang),
                    "score" if oc.kind == "score" else "indicator",
                    measure,
                    decimals,
                    tuple((c, t.get(lang)) for c, t in oc.value_labels),
                )
            )
            continue
        meta = released_meta if col in applied else base_meta
        labelled = dict(meta.variable_value_labels.get(col, {}))
        changed = result.labels_of(col)
        values = (
            tuple((c, t.get(lang)) for c, t in changed)
            if changed is not None
            else tuple(sorted((c, t) for c, t in labelled.items() if c not in miss_labels))
        )
        missing = [(c, t) for c, t in sorted(labelled.items(), reverse=True) if c in miss_labels]
        if col in protected:
            missing.append(suppressed)
        item = items.get(col)
        doc = docs.get(col)
        measure = _MEASURES.get(meta.variable_measure.get(col, "nominal"), "nominal")
        decimals = 2 if item is not None and item.type == ItemType.decimal else 0
        variables.append(
            Variable(
                name,
                col,
                meta.column_labels.get(col, col),
                "derived" if col in derived else "item",
                measure,
                decimals,
                values,
                tuple(missing),
                doc.question if doc else None,
                doc.unit if doc else None,
                treat,
                doc.routing if doc else None,
            )
        )
    weight = (
        WEIGHT if WEIGHT in data else (WEIGHT_NORMALISED if WEIGHT_NORMALISED in data else None)
    )
    codes = [(m.code, m.kind.value, m.label.get(lang)) for m in q.missing_codes]
    codes.append((suppressed[0], "suppressed", suppressed[1]))
    return ReleaseTable(pd.DataFrame(data), tuple(variables), weight, tuple(codes), lang)
