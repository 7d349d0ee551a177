"""The words of a published table, in the request's language (Dutch or English): labels of
indicators, breakdowns and levels, the definitions, and the notes sheet (method, source, wave,
filters, suppression legend, disclosure rules, data version, request hash).

Pure functions of the questionnaire and the request; every label comes from the questionnaire.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline import __version__
from pipeline.questionnaire.model import Questionnaire
from pipeline.reports.labels import domain_label, indicator_label, level_labels
from pipeline.sdc.registry import PUBLIC
from pipeline.sdc.tables.rules import PrimaryRules
from pipeline.tables.request import (
    DEFAULT_CUTOFFS,
    MISSING_LEVEL,
    ResolvedRequest,
    indicator_catalogue,
    magnitude_names,
    numeric_indicators,
)

WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "table": "Tabel",
        "notes": "Toelichting",
        "total": "Totaal",
        "missing": "onbekend",
        "indicator": "Indicator",
        "unit_percent": "%",
        "unit_mean": "gemiddelde",
        "unit_total": "totaal",
        "unit_count": "aantal respondenten",
        "estimate": "schatting",
        "ci_low": "BI onder",
        "ci_high": "BI boven",
        "n": "n",
        "weighted_n": "N (gewogen)",
        "flag": "vlag",
        "suppressed": "x",
        "unreliable": "onbetrouwbaar",
        "empty": "geen respondenten",
        "wave": "golf",
        "not": "niet",
        "all": "alle",
        "title": "Titel",
        "note": "LET OP",
        "synthetic": "Synthetische gegevens: deze cijfers zeggen niets over de werkelijkheid.",
        "request": "Aanvraag",
        "requester": "Aanvrager",
        "population": "Populatie",
        "filters": "Filters",
        "waves": "Golf",
        "source": "Bron",
        "rows": "Rijen",
        "columns": "Kolommen",
        "figures": "Cijfers",
        "method": "Methode",
        "definition": "Definitie",
        "legend": "Legende",
        "rules": "Geheimhouding",
        "decision": "Beslissing",
        "data_version": "Gegevensversie",
        "request_hash": "Aanvraag (SHA-256)",
        "policy": "Geheimhoudingsbeleid",
        "made_with": "Gemaakt met",
        "none": "geen",
        "change": "verandering t.o.v.",
        "change_test": "toets verandering",
        "significant": "significant",
        "not_significant": "niet significant",
        "not_comparable": "niet vergelijkbaar",
        "difference": "verschil",
        "benchmark_flanders": "Vlaanderen",
        "benchmark_rest": "rest van Vlaanderen",
        "benchmark_group": "t.o.v.",
        "benchmark_test": "toets verschil",
        "reference": "referentie",
        "benchmark_note": "Vergelijking",
        "benchmark_text": "Elke cel naast {what}: het verschil (procentpunt bij percentages), met "
        "95%-betrouwbaarheidsinterval en een toets die het steekproefontwerp en de kalibratie van "
        "de weging meeneemt (p < 0,05: significant). Alleen waar de cel en haar referentie beide "
        "gepubliceerd zijn.",
        "benchmark_what_flanders": "heel Vlaanderen (de hele populatie van de golf, zonder de filters)",
        "benchmark_what_rest": "de rest van Vlaanderen (iedereen van de populatie die niet in de cel zit)",
        "benchmark_what_group": "de cel van de referentiegroep {label} in dezelfde rij of kolom",
        "too_few_respondents": "te weinig respondenten",
        "protects_another_cell": "beschermt een andere cel",
        "reason_note": "Reden van onderdrukking",
        "reason_text": "Bij een onderdrukte cel staat de reden (te weinig respondenten, of verborgen om "
        "een andere cel te beschermen) alleen waar de gepubliceerde aantallen die reden al vastleggen. "
        "Elders zou de reden meer zeggen dan de cijfers: dat een cel te klein is en haar buur niet, "
        "begrenst het aantal respondenten in die cel.",
        "change_note": "Verandering",
        "change_text": "Verschil met dezelfde cel in een vroegere golf (procentpunt bij percentages), "
        "met 95%-betrouwbaarheidsinterval en toets voor twee onafhankelijke steekproeven, elk met "
        "haar eigen weging (p < 0,05: significant). Alleen waar beide cellen gepubliceerd zijn; "
        "niet over een breuk in de reeks heen (gewijzigde definitie).",
    },
    "en": {
        "table": "Table",
        "notes": "Notes",
        "total": "Total",
        "missing": "unknown",
        "indicator": "Indicator",
        "unit_percent": "%",
        "unit_mean": "mean",
        "unit_total": "total",
        "unit_count": "number of respondents",
        "estimate": "estimate",
        "ci_low": "CI low",
        "ci_high": "CI high",
        "n": "n",
        "weighted_n": "N (weighted)",
        "flag": "flag",
        "suppressed": "x",
        "unreliable": "unreliable",
        "empty": "no respondents",
        "wave": "wave",
        "not": "not",
        "all": "all",
        "title": "Title",
        "note": "NOTE",
        "synthetic": "Synthetic data: these figures say nothing about reality.",
        "request": "Request",
        "requester": "Requester",
        "population": "Population",
        "filters": "Filters",
        "waves": "Wave",
        "source": "Source",
        "rows": "Rows",
        "columns": "Columns",
        "figures": "Figures",
        "method": "Method",
        "definition": "Definition",
        "legend": "Legend",
        "rules": "Disclosure control",
        "decision": "Decision",
        "data_version": "Data version",
        "request_hash": "Request (SHA-256)",
        "policy": "Disclosure policy",
        "made_with": "Made with",
        "none": "none",
        "change": "change since",
        "change_test": "test of change",
        "significant": "significant",
        "not_significant": "not significant",
        "not_comparable": "not comparable",
        "difference": "difference",
        "benchmark_flanders": "Flanders",
        "benchmark_rest": "rest of Flanders",
        "benchmark_group": "vs",
        "benchmark_test": "test of difference",
        "reference": "reference",
        "benchmark_note": "Comparison",
        "benchmark_text": "Each cell beside {what}: the difference (percentage points for "
        "percentages), with its 95% confidence interval and a test that takes the sample design and "
        "the calibration of the weights into account (p < 0.05: significant). Only where the cell "
        "and its reference are both published.",
        "benchmark_what_flanders": "all of Flanders (the wave's whole population, without the filters)",
        "benchmark_what_rest": "the rest of Flanders (everyone in the population not in the cell)",
        "benchmark_what_group": "the cell of the reference group {label} in the same row or column",
        "too_few_respondents": "too few respondents",
        "protects_another_cell": "protects another cell",
        "reason_note": "Reason for suppression",
        "reason_text": "A suppressed cell shows its reason (too few respondents, or hidden to protect "
        "another cell) only where the published counts already fix that reason. Elsewhere the reason "
        "would say more than the figures: that a cell is too small and its neighbour is not bounds "
        "the number of respondents in that cell.",
        "change_note": "Change",
        "change_text": "Difference with the same cell in an earlier wave (percentage points for "
        "percentages), with its 95% confidence interval and a test for two independent samples, each "
        "with its own weighting (p < 0.05: significant). Only where both cells are published; never "
        "across a break in the series (changed definition).",
    },
}
GENERATED_BY = f"wbm-pipeline {__version__}"


def words(lang: str) -> dict[str, str]:
    return WORDS["en" if lang == "en" else "nl"]


def requester_text(requester: str, name: str, lang: str) -> str:
    """Who asked for the table, as a reader understands it: the registered organisation's name with
    its id; the publisher's own publications (id ``public``) as such, never the bare id."""
    if requester == PUBLIC:
        return (
            "public (the foundation's own publication)"
            if lang == "en"
            else "publiek (eigen publicatie van de stichting)"
        )
    return f"{name} ({requester})" if name and name != requester else requester


def indicator_text(q: Questionnaire, name: str, lang: str) -> str:
    """A magnitude item's label, or the indicator's as the reports give it (acute variants too)."""
    return (
        q.item(name).label.get(lang)
        if name in magnitude_names(q)
        else indicator_label(q, name, lang)
    )


def level_text(q: Questionnaire, variable: str, level: str, lang: str) -> str:
    w = words(lang)
    if level == "":
        return w["total"]
    if level == MISSING_LEVEL:
        return w["missing"]
    return level_labels(q, variable, lang).get(int(level), level)


def definition(
    q: Questionnaire, name: str, lang: str, cutoff_population: str = DEFAULT_CUTOFFS
) -> str:
    """What an indicator measures, from its questionnaire definition (the cut-offs of the population
    the data were scored with)."""
    en = lang == "en"
    if name in magnitude_names(q):
        it = q.item(name)
        unit = f" ({it.unit})" if it.unit else ""
        return (
            f"weighted total of '{it.label.get(lang)}'{unit} over the organisations in the cell"
            if en
            else f"gewogen totaal van '{it.label.get(lang)}'{unit} over de organisaties in de cel"
        )
    numeric = numeric_indicators(q)
    if name in numeric:
        it = q.item(numeric[name])
        unit = f" ({it.unit})" if it.unit else ""
        return (
            f"weighted mean of '{it.label.get(lang)}'{unit} over the respondents who answered it"
            if en
            else f"gewogen gemiddelde van '{it.label.get(lang)}'{unit} over de respondenten die "
            "de vraag beantwoordden"
        )
    col = indicator_catalogue(q, cutoff_population)[name]
    ind, acute = q.indicator(col.source), col.kind == "acute"
    if ind.kind == "traffic_light" and ind.cutoffs:
        c = q.cutoffs_for(ind, cutoff_population)
        op = ">=" if ind.problem_if == "high" else "<="
        cut = c.acuut if acute and c.acuut is not None else c.problematisch
        scale = q.scale(ind.scale).label.get(lang) if ind.scale else ""
        kind = (
            ("acute" if acute else "problematic or acute")
            if en
            else ("acuut" if acute else "problematisch of acuut")
        )
        ref = (
            (
                " (reference value, not an official cut-off)"
                if en
                else " (referentiewaarde, geen officiële drempel)"
            )
            if ind.cutoff_status == "reference"
            else ""
        )
        return (
            f"{'score on the scale' if en else 'score op de schaal'} '{scale}' (0-100) {op} {_num(cut, lang)}: "
            f"{kind}{ref}"
        )
    if ind.kind == "condition":
        note = ind.definition_note.get(lang) if ind.definition_note else ""
        return f"{ind.condition}" + (f" ({note})" if note else "")
    parts = ", ".join(indicator_text(q, o, lang) for o in ind.of)
    if ind.rule == "count_problem":
        return f"number of problems among: {parts}" if en else f"aantal problemen van: {parts}"
    return (
        f"none of these is a problem: {parts}" if en else f"geen van deze is een probleem: {parts}"
    )


def _num(x: float, lang: str) -> str:
    text = f"{x:.1f}" if not float(x).is_integer() else str(int(x))
    return text if lang == "en" else text.replace(".", ",")


def filter_text(resolved: ResolvedRequest, lang: str) -> str:
    q = resolved.latest.questionnaire
    w = words(lang)
    out = []
    for f in resolved.request.filters:
        labels = level_labels(q, f.variable, lang)
        codes = f.levels if f.levels is not None else f.exclude or ()
        named = ", ".join(labels.get(c, str(c)) for c in codes)
        out.append(
            f"{domain_label(q, f.variable, lang)}: {named if f.levels is not None else w['not'] + ' ' + named}"
        )
    return "; ".join(out) or w["none"]


def legend_rows(
    rules: PrimaryRules, lang: str, magnitudes: bool = False
) -> tuple[tuple[str, str], ...]:
    w = words(lang)
    en = lang == "en"
    dom = ""
    if magnitudes:
        dom = (
            f"; for totals also fewer than {rules.min_n_magnitude} organisations or one or two organisations "
            "making up most of the total"
            if en
            else f"; voor totalen ook minder dan {rules.min_n_magnitude} organisaties of een of twee organisaties die "
            "het grootste deel van het totaal uitmaken"
        )
    return (
        (
            w["suppressed"],
            (
                f"not published: too few respondents (fewer than {rules.min_n_count} for counts, "
                f"{rules.min_n_percent} for percentages and means){dom}, or hidden so that another "
                "unpublished figure cannot be derived from totals or earlier tables"
            )
            if en
            else (
                f"niet gepubliceerd: te weinig respondenten (minder dan {rules.min_n_count} voor aantallen, "
                f"{rules.min_n_percent} voor percentages en gemiddelden){dom}, of verborgen opdat een ander "
                "niet-gepubliceerd cijfer niet uit totalen of eerdere tabellen kan worden afgeleid"
            ),
        ),
        (
            w["unreliable"],
            (
                f"based on {rules.min_n_percent} to {rules.unreliable_below - 1} respondents: interpret "
                "with care"
            )
            if en
            else (
                f"gebaseerd op {rules.min_n_percent} tot {rules.unreliable_below - 1} respondenten: met voorzichtigheid "
                "lezen"
            ),
        ),
        (
            w["empty"],
            "nobody in the table's population is in this cell"
            if en
            else "niemand uit de populatie van de tabel valt in deze cel",
        ),
    )


def method_text(margins: Sequence[str], q: Questionnaire, lang: str, method: str = "") -> str:
    names = ", ".join(domain_label(q, m, lang) for m in margins)
    if lang != "en" and method:
        from pipeline.weighting.api import METHOD_LABELS_NL

        method = METHOD_LABELS_NL.get(method, method)
    how = f" ({method})" if method else ""
    if lang == "en":
        return (
            f"Design-based estimates: weights calibrated{how} to the population by {names}; standard errors by "
            "linearization that accounts for the calibration; 95% intervals for percentages by the logit method "
            "(Korn-Graubard for extreme percentages), for means mean +/- t x SE. Filtered tables and cells are "
            "domain estimates on the whole sample."
        )
    return (
        f"Schattingen volgens het steekproefontwerp: gewichten gekalibreerd{how} op de populatie naar {names}; "
        "standaardfouten met linearisatie die rekening houdt met de kalibratie; 95%-betrouwbaarheidsintervallen "
        "voor percentages met de logit-methode (Korn-Graubard bij extreme percentages), voor gemiddelden "
        "gemiddelde +/- t x standaardfout. Gefilterde tabellen en cellen zijn domeinschattingen op de hele steekproef."
    )


def figures_text(statistics: Sequence[str], lang: str) -> str:
    en = lang == "en"
    parts = []
    if "estimate" in statistics:
        parts.append(
            "weighted percentages (or means or totals where the indicator says so)"
            if en
            else "gewogen percentages (of gemiddelden of totalen, waar de indicator dat zegt)"
        )
    if "ci" in statistics:
        parts.append("their 95% confidence interval" if en else "hun 95%-betrouwbaarheidsinterval")
    if "n" in statistics:
        parts.append(
            "n: the number of respondents (unweighted)"
            if en
            else "n: het aantal respondenten (ongewogen)"
        )
    if "weighted_n" in statistics:
        parts.append("N: the weighted number of people" if en else "N: het gewogen aantal personen")
    return "; ".join(parts)


def rules_text(rules: PrimaryRules, lang: str, magnitudes: bool = False) -> str:
    d = rules.dominance[0] if rules.dominance else None
    if magnitudes:
        dom_en = (
            f" Totals: at least {rules.min_n_magnitude} organisations"
            + (f", the {d.n} largest at most {d.k:g}% of the total" if d else "")
            + (
                f", the rest at least {rules.p_percent:g}% of the largest (p% rule)"
                if rules.p_percent
                else ""
            )
            + "."
        )
        dom_nl = (
            f" Totalen: minstens {rules.min_n_magnitude} organisaties"
            + (f", de {d.n} grootste samen hoogstens {d.k:g}% van het totaal" if d else "")
            + (
                f", de rest minstens {rules.p_percent:g}% van de grootste (p%-regel)"
                if rules.p_percent
                else ""
            )
            + "."
        )
    else:
        dom_en = dom_nl = ""
    if lang == "en":
        return (
            f"Primary suppression: cells with fewer than {rules.min_n_count} respondents (counts) or "
            f"{rules.min_n_percent} (percentages, means); {rules.min_n_percent}-{rules.unreliable_below - 1} "
            f"flagged unreliable.{dom_en} Secondary suppression: further cells are hidden so that no hidden cell can be "
            "computed from totals. Every release from the same data is logged, whoever it went to; a table "
            "that, combined with any earlier release (tables, reports), would reveal a hidden figure or a "
            "group of fewer respondents than the minimum is further suppressed or refused."
        )
    return (
        f"Primaire onderdrukking: cellen met minder dan {rules.min_n_count} respondenten (aantallen) of "
        f"{rules.min_n_percent} (percentages, gemiddelden); {rules.min_n_percent}-{rules.unreliable_below - 1} "
        f"gemarkeerd als onbetrouwbaar.{dom_nl} Secundaire onderdrukking: er worden extra cellen verborgen zodat geen "
        "verborgen cel uit totalen kan worden berekend. Elke vrijgave uit dezelfde gegevens wordt bijgehouden, "
        "aan wie ook; een tabel die samen met een eerdere vrijgave (tabellen, rapporten) een verborgen cijfer "
        "of een groep van minder respondenten dan het minimum zou onthullen, wordt verder onderdrukt of "
        "geweigerd."
    )


def policy_text(policy: dict[str, object], rules: PrimaryRules, lang: str) -> str:
    """The publisher's policy as the notes sheet states it: its id, version and values, and where
    the request asked for stricter rules."""
    keys = ("min_n_count", "min_n_percent", "unreliable_below", "min_n_magnitude")
    stricter = [k for k in keys if getattr(rules, k) != policy.get(k)]
    base = policy.get("weighted_n_base")
    values = ", ".join(f"{k} = {policy.get(k)}" for k in keys)
    if lang == "en":
        out = (
            f"Publisher's policy {policy.get('id')} (version {policy.get('version')}): {values}; "
            f"weighted N rounded to a multiple of {base}."
        )
        if stricter:
            out += (
                " This request asked for stricter rules: "
                + ", ".join(f"{k} = {getattr(rules, k)}" for k in stricter)
                + "."
            )
        return out
    out = (
        f"Beleid van de uitgever {policy.get('id')} (versie {policy.get('version')}): {values}; "
        f"gewogen N afgerond op een veelvoud van {base}."
    )
    if stricter:
        out += (
            " Deze aanvraag vroeg strengere regels: "
            + ", ".join(f"{k} = {getattr(rules, k)}" for k in stricter)
            + "."
        )
    return out


def weighted_n_text(base: int | None, lang: str) -> str:
    """Why a wave's weighted N are rounded more coarsely than the policy says, or left out: the
    difference of two of them must never single out one respondent's weight
    (:mod:`pipeline.sdc.tables.weights`)."""
    if base is None:
        return (
            "left out: no rounding base up to twenty times the policy's keeps a difference of two weighted "
            "N from singling out one respondent's weight"
            if lang == "en"
            else "weggelaten: geen afrondingsbasis tot twintig keer die van het beleid voorkomt dat het "
            "verschil van twee gewogen N het gewicht van één respondent aanwijst"
        )
    text = f"{base:,}".replace(",", "." if lang != "en" else ",")
    return (
        f"rounded to a multiple of {text}: the weights of these data need a coarser base than the "
        "policy's so that a difference of two weighted N fits several respondents' weights"
        if lang == "en"
        else f"afgerond op een veelvoud van {text}: de gewichten van deze gegevens vragen een grovere "
        "basis dan die van het beleid, zodat het verschil van twee gewogen N bij meerdere "
        "respondenten past"
    )
