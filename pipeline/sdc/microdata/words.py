"""The words of a release's risk report (``reports/release_risk.html.j2``), Dutch (default) and
English. A message catalogue, not code: the template names a key, values are filled in with
``str.format`` on escaped arguments (:func:`pipeline.sdc.microdata.report.render_html`).
``risk_report.json`` keeps its English keys and codes: it is a contract.
"""

from __future__ import annotations

from collections.abc import Mapping

WORDS: Mapping[str, Mapping[str, str]] = {
    "nl": {
        "default_title": "Onthullingsrisico: {profile}",
        "intro": "Profiel <b><code>{profile}</code></b> ({use}), {n} records. Doel: elke combinatie van de "
        "sleutelvariabelen komt minstens <b>k = {k}</b> keer voor{max_risk}. Sleutelvariabelen, "
        "de belangrijkste eerst: {keys}. Onderdrukte en ontbrekende waarden tellen als passend bij "
        "elke waarde.",
        "intro_max_risk": " en geen individueel risico boven {max_risk}",
        "use_public_use": "publiek gebruik",
        "use_scientific_use": "wetenschappelijk gebruik",
        "stages": "Risico voor en na",
        "stage": "Stap",
        "violating": "Records die k niet halen",
        "share": "Aandeel",
        "unique": "Unieke records in de steekproef",
        "fk_min": "Kleinste f<sub>k</sub>",
        "expected": "Verwachte heridentificaties",
        "global_risk": "Globaal risico",
        "median_risk": "Mediaan risico",
        "p95": "95e percentiel",
        "max_risk": "Grootste risico",
        "stage_original": "oorspronkelijk",
        "stage_recoded": "gehercodeerd",
        "stage_released": "vrijgegeven",
        "stages_note": "Individueel risico: de schatting van Benedetti en Franconi uit de "
        "steekproeffrequentie f<sub>k</sub> en de geschatte populatiefrequentie F<sub>k</sub> (som "
        "van de gewichten), zoals <code>indivRisk</code> van sdcMicro. \u201coorspronkelijk\u201d "
        "is voor de hercoderingen van de vrijgave, \u201cgehercodeerd\u201d erna, "
        "\u201cvrijgegeven\u201d na PRAM en lokale onderdrukking.",
        "stages_consistent": "Elke stap werkt verder op de vorige en telt op dezelfde "
        "sleutelvariabelen ({keys}), dus het aantal records dat k niet haalt en het aantal unieke "
        "records kunnen van stap tot stap alleen dalen.",
        "stages_keys_differ": "De stappen tellen niet op dezelfde sleutelvariabelen: "
        "\u201coorspronkelijk\u201d op {original}, de andere op {keys}; vergelijk de aantallen "
        "daarom alleen vanaf \u201cgehercodeerd\u201d.",
        "combinations": "Combinaties die een aanvaller kan kennen",
        "combinations_line": "Naast de sleutelvariabelen werden {combinations} combinaties van "
        "hoogstens {size} van deze variabelen nagekeken: {variables}. Een record is een risico als "
        "het op zo'n combinatie minder dan k records heeft die erop passen. {fixed} combinaties "
        "vroegen onderdrukking, van {cells} waarden (in de tabel hierboven).",
        "records_at_risk": "Records met een risico",
        "minimal_uniques": "Unieke records",
        "suppression_split": "Van de {total} onderdrukte waarden komen er {keys} van de stap op "
        "de sleutelvariabelen en {combinations} van de stap op de combinaties die een aanvaller kan "
        "kennen (hieronder).",
        "loss_hidden": "Het grootste verschil ligt in een groep die hier niet staat (de cijfers "
        "per categorie van beschermde variabelen worden niet gegeven); de getoonde rijen "
        "verschillen hoogstens {shown} procentpunt.",
        "loss_before": "\u201cVoor\u201d is de gehercodeerde stap (na de hercoderingen, voor PRAM "
        "en onderdrukking), \u201cna\u201d de vrijgegeven.",
        "suppression": "Lokale onderdrukking",
        "suppression_line": "{total} waarde(n) onderdrukt in {records} record(s) ({share}).",
        "variable": "Variabele",
        "suppressed_values": "Onderdrukte waarden",
        "linked": "(gekoppeld)",
        "recodes": "Hercoderingen",
        "recode": "Hercodering",
        "changed": "Veranderde waarden",
        "recode_top_code": "afgetopt",
        "recode_bands": "in klassen",
        "recode_map": "codes samengevoegd",
        "recode_merge_small": "kleine categorieën samengevoegd",
        "pram": "PRAM",
        "retention": "Kans om te behouden",
        "loss": "Informatieverlies",
        "loss_line": "Verandering van gewogen aandelen tussen de gehercodeerde en de vrijgegeven "
        "gegevens: grootste absolute verschil {max} procentpunt, gemiddeld {mean}.",
        "key_variable": "Sleutelvariabele",
        "tvd": "Totale variatieafstand",
        "withheld": "Cijfers per categorie staan er niet bij voor de sleutelvariabelen, de "
        "variabelen die ervan afgeleid zijn, PRAM- en weegvariabelen ({variables}): naast de "
        "aantallen in het bestand zelf zouden ze tonen wat onderdrukking en PRAM verborgen. De "
        "samenvattende cijfers zijn om dezelfde reden afgerond.",
        "min_n": "Groepen met minder dan {min_n} respondenten staan er niet bij.",
        "indicator": "Indicator",
        "by": "Naar",
        "level": "Niveau",
        "n_before": "n voor",
        "n_after": "n na",
        "before": "Voor",
        "after": "Na",
        "difference": "Verschil (procentpunt)",
        "all": "iedereen",
        "n_note": "\u201cn na\u201d is het aantal records met een vrijgegeven waarde in de groep: "
        "een onderdrukte waarde verlaat haar groep, dus n na is nooit groter dan n voor.",
        "weights": "Gewichten",
        "weights_original": "zoals gekalibreerd (oorspronkelijke kalibratiegewichten)",
        "weights_recalibrated": "opnieuw gekalibreerd op de vrijgegeven waarden van {variables}",
        "weights_line": "Gewichten in de vrijgave: <b>{how}</b>. Kalibratiegewichten zijn één getal "
        "per weegcel ({cells}), dus ze kunnen onderdrukte of door PRAM veranderde waarden van deze "
        "variabelen teruggeven{unreleased}. Twee aanvallen worden gemeten: records met hetzelfde "
        "gewicht (de meest voorkomende waarde onder hen) en het kalibratiemodel (logaritme van het "
        "gewicht additief in de vrijgegeven weegvariabelen; elke combinatie van niveaus geprobeerd "
        "voor de verborgen waarden).",
        "weights_unreleased": ", en de waarden van de variabelen die het bestand niet bevat "
        "({variables})",
        "linkage": "Gewichten",
        "distinct": "Verschillende gewichten",
        "unique_weights": "Unieke gewichten",
        "perturbed": "Door PRAM veranderde waarden",
        "unreleased": "Niet vrijgegeven waarden",
        "same_weight": "Terug te vinden: zelfde gewicht",
        "model": "Terug te vinden: model",
        "recoverable": "Terug te vinden",
        "function": "Functie van de vrijgegeven waarden",
        "yes": "ja",
        "no": "nee",
        "row_original": "oorspronkelijk",
        "row_released": "vrijgegeven",
        "linkage_note": "* de gewichten volgen geen kalibratiemodel op de vrijgegeven variabelen, dus "
        "de aanval met het model vindt niets: een ondergrens. \u201cFunctie van de vrijgegeven "
        "waarden\u201d: records die in de vrijgave op elkaar lijken, hebben hetzelfde gewicht, dus "
        "het gewicht vertelt niets wat de vrijgegeven waarden niet vertellen.",
        "cost": "Kost van de herkalibratie: designeffect van Kish {kish_before} (oorspronkelijk) "
        "en {kish_after} (vrijgegeven); nieuw/oorspronkelijk gewicht van {ratio_min} tot "
        "{ratio_max} (mediaan {ratio_median}); gewogen totalen van de vrijgegeven categorieën "
        "behouden binnen {margin} (categorieën van minstens {min_count} records; de "
        "{small_records} record(s) in kleinere tellen mee met het gemiddelde gewicht). Gewogen "
        "aandelen op de vrijgegeven gegevens, oorspronkelijke tegenover vrijgegeven gewichten: "
        "grootste absolute verschil {max} procentpunt, gemiddeld {mean}.",
        "original_weights": "Oorspronkelijke gewichten",
        "released_weights": "Vrijgegeven gewichten",
        "notices": "Meldingen",
        "notices_en": "De uitleg bij een melding met een Engelse tekst is in het Engels.",
        "dropped": "Niet vrijgegeven",
        "column": "Kolom",
        "reason": "Reden",
    },
    "en": {
        "default_title": "Disclosure risk: {profile}",
        "intro": "Profile <b><code>{profile}</code></b> ({use}), {n} records. Target: every combination of the "
        "key variables occurs at least <b>k = {k}</b> times{max_risk}. Key variables, most "
        "important first: {keys}. Suppressed and missing values count as wildcards that match any "
        "value.",
        "intro_max_risk": " and no individual risk above {max_risk}",
        "use_public_use": "public use",
        "use_scientific_use": "scientific use",
        "stages": "Risk before and after",
        "stage": "Stage",
        "violating": "Records violating k",
        "share": "Share",
        "unique": "Sample uniques",
        "fk_min": "Smallest f<sub>k</sub>",
        "expected": "Expected re-identifications",
        "global_risk": "Global risk",
        "median_risk": "Median risk",
        "p95": "95th pct.",
        "max_risk": "Largest risk",
        "stage_original": "original",
        "stage_recoded": "recoded",
        "stage_released": "released",
        "stages_note": "Individual risk: the Benedetti–Franconi estimate from the sample frequency "
        "f<sub>k</sub> and the estimated population frequency F<sub>k</sub> (sum of the weights), "
        "as sdcMicro's <code>indivRisk</code>. \u201coriginal\u201d is before the release "
        "recodes, \u201crecoded\u201d after them, \u201creleased\u201d after PRAM and local "
        "suppression.",
        "stages_consistent": "Each stage works on the one before and counts on the same key "
        "variables ({keys}), so the records violating k and the sample uniques can only go down "
        "from stage to stage.",
        "stages_keys_differ": "The stages do not count on the same key variables: "
        "\u201coriginal\u201d on {original}, the others on {keys}; compare the counts from "
        "\u201crecoded\u201d on only.",
        "combinations": "Combinations an attacker may know",
        "combinations_line": "Beyond the key variables, {combinations} combinations of at most "
        "{size} of these variables were checked: {variables}. A record is at risk when fewer than "
        "k records match it on such a combination. {fixed} combinations needed suppression, of "
        "{cells} values (in the table above).",
        "records_at_risk": "Records at risk",
        "minimal_uniques": "Unique records",
        "suppression_split": "Of the {total} suppressed values, {keys} come from the step on the "
        "key variables and {combinations} from the step on the combinations an attacker may know "
        "(below).",
        "loss_hidden": "The largest difference is in a domain not shown here (figures per "
        "category of protected variables are not given); the rows shown differ by at most "
        "{shown} percentage points.",
        "loss_before": "\u201cBefore\u201d is the recoded stage (after the recodes, before PRAM "
        "and suppression), \u201cafter\u201d the released one.",
        "suppression": "Local suppression",
        "suppression_line": "{total} value(s) suppressed in {records} record(s) ({share}).",
        "variable": "Variable",
        "suppressed_values": "Suppressed values",
        "linked": "(linked)",
        "recodes": "Recodes",
        "recode": "Recode",
        "changed": "Changed values",
        "recode_top_code": "top code",
        "recode_bands": "bands",
        "recode_map": "map",
        "recode_merge_small": "merge small",
        "pram": "PRAM",
        "retention": "Retention probability",
        "loss": "Information loss",
        "loss_line": "Change in weighted shares between the recoded and the released data: "
        "largest absolute difference {max} percentage points, mean {mean}.",
        "key_variable": "Key variable",
        "tvd": "Total variation distance",
        "withheld": "Figures per category are not given for the key variables, the variables "
        "derived from them, PRAM and weighting variables ({variables}): next to this file's own "
        "counts they would tell what suppression and PRAM hid. The summary figures are rounded "
        "for the same reason.",
        "min_n": "Domains with fewer than {min_n} respondents are not shown.",
        "indicator": "Indicator",
        "by": "By",
        "level": "Level",
        "n_before": "n before",
        "n_after": "n after",
        "before": "Before",
        "after": "After",
        "difference": "Difference (pp)",
        "all": "all",
        "n_note": "\u201cn after\u201d counts the records with a released value in the domain: a "
        "suppressed value leaves its domain, so n after is never larger than n before.",
        "weights": "Weights",
        "weights_original": "as calibrated (original raked weights)",
        "weights_recalibrated": "recalibrated on the released values of {variables}",
        "weights_line": "Weights in the release: <b>{how}</b>. Raked weights are one number per "
        "weighting cell ({cells}), so they can give suppressed or PRAM-changed values of these "
        "variables back{unreleased}. Two attacks are measured: records with the same weight (most "
        "common value among them) and the raking model (log weight additive in the released "
        "weighting variables; every combination of levels tried for the hidden values).",
        "weights_unreleased": ", and the values of those the file does not contain ({variables})",
        "linkage": "Weights",
        "distinct": "Distinct weights",
        "unique_weights": "Unique weights",
        "perturbed": "PRAM-changed values",
        "unreleased": "Values not released",
        "same_weight": "Recoverable: same weight",
        "model": "Recoverable: model",
        "recoverable": "Recoverable",
        "function": "Function of released values",
        "yes": "yes",
        "no": "no",
        "row_original": "original",
        "row_released": "released",
        "linkage_note": "* the weights do not follow a raking model on the released variables, so "
        "the model attack finds nothing: a lower bound. \u201cFunction of released values\u201d: "
        "records that look alike in the release have the same weight, so the weight tells nothing "
        "the released values do not.",
        "cost": "Cost of the recalibration: Kish design effect {kish_before} (original) and "
        "{kish_after} (released); new/original weight from {ratio_min} to {ratio_max} (median "
        "{ratio_median}); weighted totals of the released categories kept within {margin} "
        "(categories of at least {min_count} records; the {small_records} record(s) in smaller "
        "ones count with the mean weight). Weighted shares on the released data, original vs "
        "released weights: largest absolute difference {max} percentage points, mean {mean}.",
        "original_weights": "Original weights",
        "released_weights": "Released weights",
        "notices": "Notices",
        "notices_en": "",
        "dropped": "Not released",
        "column": "Column",
        "reason": "Reason",
    },
}

#: Why a column is not in the release (the codes of :data:`pipeline.sdc.microdata.plan.DropReason`).
DROP_REASONS: Mapping[str, Mapping[str, str]] = {
    "nl": {
        "direct_identifier": "directe identificator",
        "id_variable": "respondentnummer",
        "free_text": "vrije tekst",
        "date": "datum",
        "internal": "verwerkingskolom",
        "release_rule": "regel van de vragenlijst voor vrijgaven",
        "profile_drop": "weggelaten door het profiel",
        "not_in_keep": "niet in de lijst van het profiel",
        "unweighted_release": "vrijgave zonder gewichten",
        "design_column": "kolom van het steekproefontwerp",
        "item_decision": "beslissing per vraag",
        "special_category": "bijzondere categorie van persoonsgegevens",
    },
    "en": {
        "direct_identifier": "direct identifier",
        "id_variable": "id variable",
        "free_text": "free text",
        "date": "date",
        "internal": "internal",
        "release_rule": "release rule",
        "profile_drop": "profile drop",
        "not_in_keep": "not in keep",
        "unweighted_release": "unweighted release",
        "design_column": "design column",
        "item_decision": "item decision",
        "special_category": "special category",
    },
}


#: Dutch wording of the anonymisation's notices, by code, from details the English message itself
#: shows (never a count the report withholds). The recalibration's notices are worded by
#: :func:`pipeline.weighting.words.notice_text`.
NOTICES_NL: Mapping[str, str] = {
    "weight_linkage": "{recoverable_cells} van de {protected_cells} beschermde waarden van de "
    "weegvariabelen ({variables}) zijn uit het gewicht af te lezen (iteratief bijwegen geeft een "
    "gewicht per weegcel)",
    "key_many_categories": "sleutelvariabelen met veel categorieën na de hercodering: {items}; "
    "lokale onderdrukking haalt er veel van weg (voeg een hercodering voor de vrijgave toe)",
    "pram_variable_absent": "de PRAM-variabele {variable} zit niet in de vrijgave",
    "weights_below_one": "sommige gewichten zijn kleiner dan 1 (F_k < f_k): hun individuele risico "
    "is op 1/f_k gezet; geef ophooggewichten, geen genormaliseerde",
    "merged_category_small": "{variable}: de samengevoegde categorie {code} heeft nog minder dan "
    "{min_count} respondenten",
    "merged_category_all": "{variable}: alle categorieën samengevoegd en nog altijd minder dan "
    "{min_count} respondenten",
    "no_weighting_variables_released": "geen enkele weegvariabele zit in de vrijgave: elk record "
    "krijgt het gemiddelde gewicht",
}


def notice_text(code: str, details: Mapping[str, object], lang: str) -> str | None:
    """The notice in ``lang`` from its code and details; None when there are no words for it (then
    the engine's English message is shown, marked as English)."""
    from pipeline import numformat as nf

    if lang != "nl":
        return None
    if code not in NOTICES_NL:
        from pipeline.weighting.words import notice_text as weighting_notice

        return weighting_notice(code, details, lang)
    from markupsafe import Markup, escape

    from pipeline.weighting.words import NAME_DETAILS

    d: dict[str, str] = {}
    for k, v in details.items():
        if k in NAME_DETAILS:
            names = v if isinstance(v, (list, tuple)) else [v]
            d[k] = str(Markup(", ").join(Markup("<code>{}</code>").format(x) for x in names))
        elif isinstance(v, bool):
            d[k] = "ja" if v else "nee"
        elif isinstance(v, int):
            d[k] = str(escape(nf.count(v, "nl")))
        elif isinstance(v, float):
            d[k] = str(escape(nf.general(v, "nl", "g")))
        elif isinstance(v, (list, tuple)):
            d[k] = str(escape(", ".join(str(x) for x in v)))
        else:
            d[k] = str(escape(str(v)))
    if code == "key_many_categories":
        d["items"] = str(
            Markup(", ").join(
                Markup("<code>{}</code> ({})").format(k, nf.count(v, "nl"))
                for k, v in details.items()
            )
        )
    if code == "merged_category_small" and "code" not in details:
        code = "merged_category_all"
    try:
        return escape(NOTICES_NL[code]).format(**{k: Markup(v) for k, v in d.items()})
    except KeyError:  # a detail the wording needs is missing: keep the engine's message
        return None
