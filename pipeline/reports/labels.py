"""Labels for outputs, looked up in the questionnaire (never hard-coded): indicators, domains and
their levels, missing codes. Pure functions of the spec; no pandas here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.questionnaire.model import Indicator, Questionnaire
from pipeline.rundata.columns import ACUTE_SUFFIX, band_column
from pipeline.rundata.levels import level_code

MODULE_PREFIX = "mod_"  # naming convention of the 0/1 module indicators (telework, absence, ...)

#: How a report names the people (or organisations) of a study population.
POPULATION_NOUNS_NL: dict[str, str] = {
    "werknemers": "werknemers",
    "zelfstandigen": "zelfstandige ondernemers",
    "ondernemingen": "organisaties",
}


@dataclass(frozen=True)
class IndicatorGroups:
    """The indicators a report shows, in schema order."""

    headline: Indicator | None  # the composite (werkbaar werk)
    workability: tuple[Indicator, ...]  # traffic lights of group "workability"
    risk: tuple[Indicator, ...]  # traffic lights of group "risk"


def indicator_groups(q: Questionnaire) -> IndicatorGroups:
    headline = next(
        (i for i in q.indicators if i.kind == "composite" and i.rule == "none_problem"), None
    )
    work = tuple(i for i in q.indicators if i.kind == "traffic_light" and i.group == "workability")
    risk = tuple(i for i in q.indicators if i.kind == "traffic_light" and i.group == "risk")
    return IndicatorGroups(headline, work, risk)


def indicator_label(q: Questionnaire, name: str, lang: str = "nl") -> str:
    """Label of an estimates-table indicator; ``<name>_acuut`` gets the base label plus "(acuut)"."""
    try:
        return q.indicator(name).label.get(lang)
    except KeyError:
        pass
    if name.endswith(ACUTE_SUFFIX):
        base = name[: -len(ACUTE_SUFFIX)]
        try:
            return q.indicator(base).label.get(lang) + (" (acuut)" if lang == "nl" else " (acute)")
        except KeyError:
            pass
    return name


def module_label(
    q: Questionnaire, name: str, overrides: Mapping[str, str] | None = None, lang: str = "nl"
) -> str:
    """Label of a module indicator row: the report context's override, else the questionnaire's
    indicator (or, for a ``mod_<item>`` row made elsewhere, item) label, else the name made readable."""
    if overrides and name in overrides:
        return overrides[name]
    base = name[len(MODULE_PREFIX) :] if name.startswith(MODULE_PREFIX) else name
    for cand in (name, base):
        try:
            return q.indicator(cand).label.get(lang)
        except KeyError:
            pass
        try:
            return q.item(cand).label.get(lang)
        except KeyError:
            pass
    return base.replace("_", " ")


def is_module_indicator(name: str, q: Questionnaire | None = None) -> bool:
    """A row of the "extra themes": an indicator of the questionnaire's ``module`` group (e.g. the
    ``condition`` indicators telework, frequent absence), or, in a table made elsewhere, a ``mod_*`` row.
    Acute variants (``<name>_acuut``) are never module rows of their own."""
    if name.endswith(ACUTE_SUFFIX):
        return False
    if q is not None:
        try:
            return q.indicator(name).group == "module"
        except KeyError:
            pass
    return name.startswith(MODULE_PREFIX)


def population_noun(q: Questionnaire) -> str:
    return POPULATION_NOUNS_NL.get(q.study.population, q.study.population)


def domain_label(q: Questionnaire, name: str, lang: str = "nl") -> str:
    for d in q.derived:
        if d.name == name:
            return d.label.get(lang)
    try:
        return q.item(name).label.get(lang)
    except KeyError:
        from pipeline.frame.model import REGISTER_ONLY  # origin: from the sample frame

        return REGISTER_ONLY[name].label(lang) if name in REGISTER_ONLY else name


def level_labels(q: Questionnaire, name: str, lang: str = "nl") -> dict[int, str]:
    """Code -> label for a domain variable (an item with choices, or a derived banded variable),
    including the questionnaire's missing codes."""
    out: dict[int, str] = {m.code: m.label.get(lang) for m in q.missing_codes}
    for d in q.derived:
        if d.name == name:
            out.update({b.code: b.label.get(lang) for b in d.bands})
            return out
    try:
        item = q.item(name)
    except KeyError:
        from pipeline.frame.model import REGISTER_ONLY  # origin: from the sample frame

        if name in REGISTER_ONLY:
            out.update(REGISTER_ONLY[name].level_labels(lang))
        return out
    out.update({c.code: c.label.get(lang) for c in q.choices_of(item)})
    return out


def level_label(q: Questionnaire, name: str, level: object, lang: str = "nl") -> str:
    code = level_code(level)
    if code is None:
        return str(level)
    return level_labels(q, name, lang).get(code, str(code))


def higher_good(q: Questionnaire, name: str) -> bool | None:
    """Whether a higher value of an estimates-table indicator is good for workers (True), bad
    (False) or neither (None), so a significant difference can be coloured by what it means:
    a problem, an acute problem, a risk factor and a number of problems above zero are bad; werkbaar
    werk and "no problem" (the count's band starting at 0) are good; module rows are neither (telework
    is not good or bad in itself)."""
    base = name[: -len(ACUTE_SUFFIX)] if name.endswith(ACUTE_SUFFIX) else name
    try:
        ind = q.indicator(base)
    except KeyError:
        ind = None
    if ind is not None:
        if ind.kind in ("traffic_light", "count"):
            return False
        if ind.kind == "composite":
            return ind.rule == "none_problem"
        return None
    for i in q.indicators:
        if i.kind == "count" and i.bands and name.startswith(i.name + "_"):
            for lo, hi in i.bands:
                if band_column(i.name, lo, hi) == name:
                    return lo == 0
    return None
