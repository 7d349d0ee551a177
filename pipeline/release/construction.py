"""How every score and indicator of a release is built, written out from the questionnaire schema
(issue 19), so an institute can recompute them from the released items: a scale's items, which are
reversed, the rescaling and the minimum of answered items; a traffic light's cut-offs and their
status; what werkbaar werk and the number of problems combine; a module indicator's condition.

The rules are those of :mod:`pipeline.scoring.plan` (the contract the scoring tests pin down); this
module only says them in words, in the release's language (Dutch, or English), for the codebook and
the README. Only what the release contains is described (a score column, an indicator or its
acute/traffic-light/band columns).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.questionnaire.model import Indicator, Questionnaire, Scale
from pipeline.rundata.columns import acute_column, band_column, score_column, tl_column


@dataclass(frozen=True)
class Construction:
    """One released score or indicator: its columns in the file, its label and how it is built."""

    columns: tuple[str, ...]
    label: str
    how: str
    code: tuple[str, ...] = ()  # expressions of the questionnaire quoted in ``how`` (shown as code)


def segments(text: str, code: tuple[str, ...] | frozenset[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (part, is_code): the parts that are one of ``code`` (expressions, or
    variable names as whole words) are code, the rest words; for the README (code spans) and the
    codebook (``<code>``), so identifiers are never read as words of the document's language."""
    import re

    exprs = sorted({c for c in code if c}, key=len, reverse=True)
    if not exprs:
        return [(text, False)] if text else []
    pat = re.compile("|".join(rf"(?<![\w.]){re.escape(c)}(?![\w])" for c in exprs))
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in pat.finditer(text):
        if m.start() > pos:
            out.append((text[pos : m.start()], False))
        out.append((m.group(0), True))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def _num(x: float, lang: str) -> str:
    s = f"{x:.1f}".rstrip("0").rstrip(".")
    return s.replace(".", ",") if lang == "nl" else s


def _names(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(names)


def scale_text(s: Scale, q: Questionnaire, lang: str) -> str:
    nl = lang == "nl"
    n = len(s.items)
    lo, hi = _num(s.scoring.min, lang), _num(s.scoring.max, lang)
    rev = (
        (
            f" (omgekeerd gescoord: {_names(s.reverse)})"
            if nl
            else f" (reversed: {_names(s.reverse)})"
        )
        if s.reverse
        else ""
    )
    if s.scoring.method == "mean_rescaled":
        core = (
            f"gemiddelde van de items {_names(s.items)}{rev}, elk eerst herschaald naar 0-1 over de "
            f"scores van de antwoordschaal ((score - laagste) / (hoogste - laagste)), omgezet naar "
            f"{lo}-{hi}"
            if nl
            else f"mean of the items {_names(s.items)}{rev}, each first rescaled to 0-1 over its "
            f"answer scale's scores ((score - lowest) / (highest - lowest)), mapped to {lo}-{hi}"
        )
    else:
        core = (
            f"som van (score - laagste) over de items {_names(s.items)}{rev}, gedeeld door de som "
            f"van hun bereik, omgezet naar {lo}-{hi}"
            if nl
            else f"sum of (score - lowest) over the items {_names(s.items)}{rev}, divided by the sum "
            f"of their ranges, mapped to {lo}-{hi}"
        )
    if s.reverse:
        core += (
            "; een omgekeerd gescoord item telt als hoogste + laagste - score"
            if nl
            else "; a reversed item counts as highest + lowest - score"
        )
    rule = (
        f"; minstens {s.scoring.min_valid} van de {n} items beantwoord (anders leeg)"
        if nl
        else f"; at least {s.scoring.min_valid} of the {n} items answered (else empty)"
    )
    return core + rule + "."


def indicator_text(ind: Indicator, q: Questionnaire, lang: str) -> str:
    nl = lang == "nl"
    if ind.kind == "traffic_light" and ind.scale and ind.cutoffs:
        c = q.cutoffs_for(ind)
        op = ">=" if ind.problem_if == "high" else "<="
        col = score_column(ind.scale)
        status = {
            "reference": "referentiewaarden" if nl else "reference values",
            "official": "officiële waarden" if nl else "official values",
            "user": "eigen keuze" if nl else "user's choice",
        }[ind.cutoff_status]
        acute = (
            (
                f"; {acute_column(ind.name)} = 1 als {col} {op} {_num(c.acuut, lang)} (acuut)"
                if nl
                else f"; {acute_column(ind.name)} = 1 if {col} {op} {_num(c.acuut, lang)} (acute)"
            )
            if c.acuut is not None
            else ""
        )
        return (
            f"{ind.name} = 1 als {col} {op} {_num(c.problematisch, lang)} (problematisch), anders 0"
            f"{acute}; {tl_column(ind.name)}: 0 geen knelpunt, 1 problematisch, 2 acuut; leeg als de "
            f"score leeg is. Drempels: {status}."
            if nl
            else f"{ind.name} = 1 if {col} {op} {_num(c.problematisch, lang)} (problem), else 0{acute}; "
            f"{tl_column(ind.name)}: 0 no problem, 1 problem, 2 acute; empty where the score is empty. "
            f"Cut-offs: {status}."
        )
    if ind.kind == "composite":
        return (
            f"1 als geen van {_names(ind.of)} een knelpunt is, 0 als er minstens één is, leeg als "
            "één ervan leeg is."
            if nl
            else f"1 if none of {_names(ind.of)} is a problem, 0 if at least one is, empty if any "
            "of them is empty."
        )
    if ind.kind == "count":
        bands = ", ".join(
            f"{band_column(ind.name, lo, hi)} ({lo}{'' if lo == hi else f'-{hi}'})"
            for lo, hi in ind.bands
        )
        extra = (f"; 0/1 per groep: {bands}" if nl else f"; 0/1 per band: {bands}") if bands else ""
        return (
            f"aantal knelpunten van {_names(ind.of)} (0-{len(ind.of)}), leeg als één ervan leeg is"
            f"{extra}."
            if nl
            else f"number of problems among {_names(ind.of)} (0-{len(ind.of)}), empty if any of "
            f"them is empty{extra}."
        )
    if ind.kind == "condition":
        defined = (
            (f"; bepaald waar {ind.defined_if}" if nl else f"; defined where {ind.defined_if}")
            if ind.defined_if
            else (
                "; leeg waar een gebruikte variabele niet beantwoord is"
                if nl
                else "; empty where a variable it uses is not answered"
            )
        )
        note = f" ({ind.definition_note.get(lang)})" if ind.definition_note else ""
        return (
            f"1 als {ind.condition}, anders 0{defined}{note}."
            if nl
            else f"1 if {ind.condition}, else 0{defined}{note}."
        )
    return ""


def constructions(q: Questionnaire, released: set[str], lang: str) -> tuple[Construction, ...]:
    """Every score and indicator with a column in ``released``: scales first, then indicators in
    the questionnaire's order."""
    out: list[Construction] = []
    for s in q.scales:
        col = score_column(s.name)
        if col in released:
            out.append(Construction((col,), s.label.get(lang), scale_text(s, q, lang)))
    for ind in q.indicators:
        cols = [ind.name, acute_column(ind.name), tl_column(ind.name)]
        cols += [band_column(ind.name, lo, hi) for lo, hi in ind.bands]
        present = tuple(c for c in cols if c in released)
        if present:
            code = tuple(
                c for c in (ind.condition, ind.defined_if) if c and ind.kind == "condition"
            )
            out.append(
                Construction(present, ind.label.get(lang), indicator_text(ind, q, lang), code)
            )
    return tuple(out)


def werkbaar_werk_definition(q: Questionnaire, lang: str) -> str:
    """The sentence that says what werkbaar werk is (the ``none_problem`` composite), or ''."""
    for ind in q.indicators:
        if ind.kind == "composite" and ind.rule == "none_problem":
            labels = ", ".join(q.indicator(o).label.get(lang) for o in ind.of)
            return (
                f"{ind.label.get(lang)} ({ind.name}): geen knelpunt op {labels}."
                if lang == "nl"
                else f"{ind.label.get(lang)} ({ind.name}): no problem on {labels}."
            )
    return ""
