"""The fixed words of a release's documents, Dutch (default) and English: the README
(:mod:`pipeline.release.readme`), the codebook (``templates/codebook.html.j2``) and the file list.

A message catalogue, not code: the documents name a key and fill in values with ``str.format``.
The texts of the questionnaire and the profile come in the same language from their own files; the
machine-readable files (CSV column names, ``datapackage.json``, ``risk_report.json``,
``manifest.json``) do not depend on the language: they are contracts.
"""

from __future__ import annotations

from collections.abc import Mapping

WORDS: Mapping[str, Mapping[str, str]] = {
    "nl": {
        # the file list (README and manifest descriptions)
        "file_sav": "SPSS-gegevens: variabele- en waardelabels, door de gebruiker gedefinieerde "
        "ontbrekende codes, meetniveaus",
        "file_dta": "Stata-gegevens: variabele- en waardelabels, uitgebreide ontbrekende waarden "
        "(.a, .b, ...)",
        "file_csv": "CSV-gegevens (UTF-8, gescheiden door komma's; codes als getallen)",
        "file_datapackage": "Frictionless-datapakket dat het CSV-bestand beschrijft",
        "file_risk_json": "onthullingsrisico voor en na, informatieverlies (JSON)",
        "file_risk_html": "onthullingsrisico voor en na, informatieverlies",
        "file_codebook": "codeboek: elke variabele met labels, codes en gewogen en ongewogen "
        "frequenties",
        "file_codebook_pdf": "het codeboek als PDF",
        "file_readme": "dit bestand: gebruiksvoorwaarden, bronvermelding, gewichten, codes, "
        "onthullingscontrole",
        "file_manifest": "SHA-256 en grootte van elk bestand",
        "risk_title": "Onthullingscontrole: {profile}",
        "risk_page": "{about} - onthullingscontrole",
        "reference_note": "De vragenlijst is een referentieversie (geparafraseerde vraagteksten, "
        "referentiedrempels).",
        # README
        "readme_head": "Profiel `{profile}` ({use}), {records} records, {variables} variabelen. "
        "Vragenlijst `{qid}` versie {version}; verwerking `{run}`; wbm-pipeline {pipeline}.",
        "use_public_use": "publiek gebruik",
        "use_scientific_use": "wetenschappelijk gebruik",
        "synthetic": "> **SYNTHETISCHE GEGEVENS.** Deze records komen uit de generator van "
        "synthetische golven van de wbm-pipeline en beschrijven geen echte persoon. Trek er geen "
        "inhoudelijke besluiten uit.",
        "reference": "> De vragenlijst is een *referentieversie* (geparafraseerde vraagteksten, "
        "referentiedrempels), niet het officiële instrument.",
        "conditions": "Gebruiksvoorwaarden",
        "citation": "Bronvermelding",
        "files": "Bestanden",
        "files_table": "| bestand | wat |",
        "check_files": "Controleer de bestanden met `manifest.json` (SHA-256 van elk bestand), "
        "bijvoorbeeld",
        "weights": "Gewichten",
        "no_weights": "Deze vrijgave heeft geen gewichten: cijfers die eruit berekend worden, "
        "beschrijven de respondenten, niet de populatie.",
        "weights_use": "Analyseer met het gewicht `{weight}` (het telt op tot de populatie; "
        "`weight_normalised` heeft gemiddelde 1). De gewichten zijn gekalibreerd (iteratief proportioneel aangepast) op "
        "{variables}{as_released}; behandel de steekproef voor standaardfouten als een enkelvoudige "
        "aselecte steekproef gekalibreerd op deze variabelen (bijvoorbeeld in R `survey`: "
        "`svydesign(ids = ~1, weights = ~weight)`, dan `calibrate()` naar de gewogen totalen van "
        "deze variabelen), of aanvaard de iets te ruime standaardfouten van de gewichten alleen.",
        "as_released": " zoals vrijgegeven in dit bestand",
        "weights_original": "De gewichten zijn de gekalibreerde gewichten zoals de stichting ze "
        "gebruikt: gewogen cijfers voor iedereen, en cijfers voor groepen van variabelen zonder "
        "onderdrukte of verstoorde waarden, geven de gepubliceerde schattingen exact terug"
        "{changed}. **Restrisico**: kalibratiegewichten zijn één getal per weegcel, dus een waarde van "
        "{variables} die de onthullingscontrole onderdrukte of verstoorde, kan uit het gewicht "
        "teruggelezen worden: in dit bestand {recoverable} van {protected} {kinds} waarden "
        "({share}). De gebruiksvoorwaarden verbieden elke poging daartoe.",
        "weights_changed": "; groepen van {variables} (variabelen met onderdrukte of verstoorde "
        "waarden) wijken af van de gepubliceerde, want een onderdrukte of verstoorde waarde verlaat "
        "haar groep: voor de indicatoren van het risicorapport tot {pp} procentpunt",
        "kinds_unreleased": "onderdrukte, verstoorde of niet-vrijgegeven",
        "kinds": "onderdrukte of verstoorde",
        "weights_recalibrated": "De gewichten zijn **opnieuw gekalibreerd op de vrijgegeven "
        "waarden** van {variables}: records die in dit bestand op elkaar lijken, hebben hetzelfde "
        "gewicht, dus het gewicht vertelt niets over een record dat de vrijgegeven waarden niet "
        "vertellen ({recoverable} van {protected} {kinds} waarden kunnen eruit teruggelezen "
        "worden{before}){unreleased}. De prijs: gewogen cijfers wijken licht af van de "
        "gepubliceerde (designeffect van Kish {kish_before} -> {kish_after}; zie het risicorapport "
        "voor de verandering van de belangrijkste schattingen).",
        "weights_before": "; met de oorspronkelijke kalibratiegewichten minstens {n}",
        "weights_unreleased": "; ze hangen niet af van {variables}, die dit bestand niet bevat",
        "missing_codes": "Codes zonder inhoudelijke waarde",
        "missing_table": "| code | betekenis | SPSS | Stata |",
        "user_missing": "door de gebruiker gedefinieerd ontbrekend",
        "empty_value": "Een lege waarde (in SPSS `system-missing`, in Stata `.`) kon niet berekend worden "
        "(bijvoorbeeld een score met te weinig beantwoorde items).",
        "stata_note": "Het `.dta`-bestand is Stata-formaat 118 (Stata 14 en later). Lees het in R "
        "met `haven::read_dta()` (of `readstata13`); `foreign::read.dta()` leest geen bestand van "
        "na Stata 12. Python: `pandas.read_stata()` of `pyreadstat.read_dta()`.",
        "sdc": "Onthullingscontrole",
        "sdc_removed": "- Weggelaten: directe identificatoren, het steekproefnummer (vervangen door "
        "een willekeurig `release_id`; de rijen staan in de volgorde van `release_id`), vrije "
        "tekst, datums en verwerkingskolommen.",
        "sdc_keys": "- Sleutelvariabelen (wat een buitenstaander over een persoon kan weten): "
        "{keys}. Elke combinatie van hun vrijgegeven waarden komt minstens k = {k} keer voor "
        "(onderdrukte en ontbrekende waarden tellen als passend bij elke waarde): {recoded} records "
        "voldeden daar niet aan na de hercoderingen, {released} na lokale onderdrukking.",
        "sdc_suppression": "- Lokale onderdrukking: {total} waarden in {records} records, met code "
        "{code} ({label}): {cells}.",
        "sdc_recodes": "- Hercoderingen: {recodes}.",
        "sdc_pram": "- PRAM (waarden willekeurig veranderd met een gekende kans; de verwachte "
        "verdeling blijft behouden): {pram}.",
        "pram_item": "{variable}, {changed} waarden veranderd (kans om te behouden {retention})",
        "sdc_more": "Het codeboek geeft elke variabele met haar frequenties; `risk_report.html` het "
        "risico voor en na en het informatieverlies.",
        "recode_top_code": "afgetopt",
        "recode_bands": "in klassen",
        "recode_map": "codes samengevoegd",
        "recode_merge_small": "kleine categorieën samengevoegd",
        "treat_recode": "{kind} ({n} waarde(n) veranderd)",
        "treat_pram": "PRAM, kans om te behouden {retention} ({n} waarde(n) veranderd): een "
        "vrijgegeven waarde kan van het antwoord verschillen",
        "treat_suppressed": "{n} waarde(n) onderdrukt voor de vertrouwelijkheid",
        "treat_recalibrated": "opnieuw gekalibreerd op de vrijgegeven waarden van {variables}",
        "construction": "Hoe de scores en indicatoren berekend worden",
        "construction_table": "| variabelen | label | berekening |",
        "construction_variables": "variabelen",
        "construction_how": "berekening",
        # codebook
        "codebook": "codeboek",
        "page": "pagina",
        "of": "van",
        "codebook_of": "codeboek van <code>{stem}</code> &middot; {records} records, {variables} "
        "variabelen",
        "synthetic_html": "<b>Synthetische gegevens.</b> Deze records werden gemaakt door de "
        "generator van synthetische golven van de wbm-pipeline; ze beschrijven geen echte persoon.",
        "study": "studie",
        "study_line": "<code>{id}</code>, golf {wave}, vragenlijstversie {version} ({status})",
        "status_reference": "referentieversie",
        "status_official": "officieel",
        "population": "populatie",
        "profile": "vrijgaveprofiel",
        "weight": "gewicht",
        "none": "geen",
        "files_row": "bestanden",
        "missing_intro": "In het SPSS-bestand en het CSV-bestand zijn deze codes waarden van de "
        "variabele, in SPSS gedeclareerd als ontbrekend (meer dan drie codes als één bereik). In "
        "het Stata-bestand zijn het uitgebreide ontbrekende waarden. Een lege cel (in SPSS "
        "<code>system-missing</code>, in Stata <code>.</code>) is een waarde die niet berekend kon worden, "
        "bijvoorbeeld een score met te weinig beantwoorde items.",
        "code": "code",
        "kind": "soort",
        "label": "label",
        "figures": "Gewogen en ongewogen cijfers",
        "figures_intro": "De frequenties hieronder zijn aantallen records (ongewogen) en, waar de "
        "vrijgave een gewicht heeft, gewogen aantallen en percentages met <code>{weight}</code>. "
        "<i>Geldig %</i> is van de records met een inhoudelijke waarde, zoals SPSS en PSPP ze geven "
        "met <code>WEIGHT BY {weight_by}</code> en <code>FREQUENCIES</code>. Standaardfouten vragen "
        "het steekproefontwerp: zie <code>README.md</code>.",
        "variables": "Variabelen",
        "name": "naam",
        "stata_name": "naam in Stata",
        "measure": "meetniveau",
        "asked_if": "Gevraagd als",
        "unit": "eenheid",
        "missing": "ontbrekend",
        "release": "Vrijgave",
        "valid_n": "geldige n",
        "mean": "gemiddelde",
        "weighted_mean": "gewogen gemiddelde",
        "sd": "standaardafwijking",
        "minimum": "minimum",
        "p25": "p25",
        "median": "mediaan",
        "p75": "p75",
        "maximum": "maximum",
        "value": "waarde",
        "n": "n",
        "percent": "%",
        "valid_percent": "geldig %",
        "weighted_n": "gewogen n",
        "weighted_percent": "gewogen %",
        "weighted_valid_percent": "gewogen geldig %",
        "empty": "(leeg)",
        "sdc_heading": "Onthullingscontrole",
        "kind_id": "identificatie",
        "kind_weight": "gewicht",
        "kind_item": "vraag",
        "kind_score": "score",
        "kind_indicator": "indicator",
        "kind_derived": "afgeleid",
        "kind_meta": "verwerking",
        "measure_nominal": "nominaal",
        "measure_ordinal": "ordinaal",
        "measure_scale": "schaal",
        "missing_not_applicable": "niet van toepassing",
        "missing_invalid": "ongeldig",
        "missing_dont_know": "weet niet",
        "missing_no_answer": "geen antwoord",
        "missing_suppressed": "onderdrukt",
    },
    "en": {
        "file_sav": "SPSS data: variable and value labels, user-missing codes, measure levels",
        "file_dta": "Stata data: variable and value labels, extended missing values (.a, .b, ...)",
        "file_csv": "CSV data (UTF-8, comma-separated; codes as numbers)",
        "file_datapackage": "Frictionless Data Package describing the CSV",
        "file_risk_json": "disclosure risk before/after, information loss (JSON)",
        "file_risk_html": "disclosure risk before/after, information loss",
        "file_codebook": "codebook: every variable with labels, codes and weighted/unweighted "
        "frequencies",
        "file_codebook_pdf": "the codebook as PDF",
        "file_readme": "this file: conditions of use, citation, weights, codes, disclosure control",
        "file_manifest": "SHA-256 and size of every file",
        "risk_title": "Disclosure control: {profile}",
        "risk_page": "{about} - disclosure control",
        "reference_note": "The questionnaire is a reference version (paraphrased item texts, "
        "reference cut-offs).",
        "readme_head": "Profile `{profile}` ({use}), {records} records, {variables} variables. "
        "Questionnaire `{qid}` version {version}; run `{run}`; wbm-pipeline {pipeline}.",
        "use_public_use": "public use",
        "use_scientific_use": "scientific use",
        "synthetic": "> **SYNTHETIC DATA.** These records come from the pipeline's synthetic-wave "
        "generator and describe no real person. Do not use them for substantive conclusions.",
        "reference": "> The questionnaire is a *reference version* (paraphrased item texts, "
        "reference cut-offs), not the official instrument.",
        "conditions": "Conditions of use",
        "citation": "Citation",
        "files": "Files",
        "files_table": "| file | what |",
        "check_files": "Check the files against `manifest.json` (SHA-256 of every file), e.g.",
        "weights": "Weights",
        "no_weights": "This release has no weights: figures computed from it describe the "
        "respondents, not the population.",
        "weights_use": "Analyse with the weight `{weight}` (it sums to the population; "
        "`weight_normalised` has mean 1). The weights are calibrated (raked) on "
        "{variables}{as_released}; for standard errors treat the sample as a simple random sample "
        "calibrated on these variables (e.g. R `survey`: `svydesign(ids = ~1, weights = ~weight)`, "
        "then `calibrate()` to the weighted totals of these variables), or accept the slightly "
        "conservative standard errors of the weights alone.",
        "as_released": " as released in this file",
        "weights_original": "The weights are the calibrated weights as the foundation uses them: "
        "overall weighted figures, and figures for domains of variables without suppressed or "
        "perturbed values, reproduce the published estimates exactly{changed}. **Residual risk**: "
        "raked weights are one number per weighting cell, so a value of {variables} that "
        "disclosure control suppressed or perturbed can be read back from the weight: in this file "
        "{recoverable} of {protected} {kinds} values ({share}). The conditions of use forbid any "
        "attempt to do so.",
        "weights_changed": "; domains of {variables} (variables with suppressed or perturbed "
        "values) differ from the published ones, since a suppressed or perturbed value leaves its "
        "domain: for the indicators of the risk report by up to {pp} percentage points",
        "kinds_unreleased": "suppressed, perturbed or unreleased",
        "kinds": "suppressed or perturbed",
        "weights_recalibrated": "The weights were **recalibrated on the released values** of "
        "{variables}: records that look alike in this file have the same weight, so the weight "
        "tells nothing about a record that its released values do not ({recoverable} of "
        "{protected} {kinds} values can be read back from it{before}){unreleased}. The price: "
        "weighted figures differ slightly from the published ones (Kish design effect "
        "{kish_before} -> {kish_after}; see the risk report for the change in key estimates).",
        "weights_before": "; with the original raked weights at least {n} could",
        "weights_unreleased": "; they do not depend on {variables}, which this file does not "
        "contain",
        "missing_codes": "Non-substantive codes",
        "missing_table": "| code | meaning | SPSS | Stata |",
        "user_missing": "user-missing",
        "empty_value": "An empty value (SPSS system-missing, Stata `.`) could not be computed "
        "(e.g. a score with too few answered items).",
        "stata_note": "The `.dta` file is Stata format 118 (Stata 14 and later). In R, read it "
        "with `haven::read_dta()` (or `readstata13`); `foreign::read.dta()` reads no file written "
        "after Stata 12. Python: `pandas.read_stata()` or `pyreadstat.read_dta()`.",
        "sdc": "Disclosure control",
        "sdc_removed": "- Removed: direct identifiers, the sample id (replaced by a random "
        "`release_id`; rows are in release-id order), free text, dates and processing columns.",
        "sdc_keys": "- Key variables (what an outsider may know about a person): {keys}. Every "
        "combination of their released values occurs at least k = {k} times (suppressed and "
        "missing values count as matching any value): {recoded} records violated this after the "
        "recodes, {released} after local suppression.",
        "sdc_suppression": "- Local suppression: {total} values in {records} records, coded "
        "{code} ({label}): {cells}.",
        "sdc_recodes": "- Recodes: {recodes}.",
        "sdc_pram": "- PRAM (values randomly changed with a known probability; the expected "
        "distribution is kept): {pram}.",
        "pram_item": "{variable}, {changed} values changed (retention {retention})",
        "sdc_more": "The codebook gives every variable with its frequencies; `risk_report.html` "
        "the risk before and after and the information loss.",
        "recode_top_code": "top code",
        "recode_bands": "bands",
        "recode_map": "map",
        "recode_merge_small": "merge small",
        "treat_recode": "{kind} ({n} value(s) changed)",
        "treat_pram": "PRAM, retention {retention} ({n} value(s) changed): a released value may "
        "differ from the answer",
        "treat_suppressed": "{n} value(s) suppressed for confidentiality",
        "treat_recalibrated": "recalibrated on the released values of {variables}",
        "construction": "How the scores and indicators are built",
        "construction_table": "| variables | label | how it is built |",
        "construction_variables": "variables",
        "construction_how": "how it is built",
        "codebook": "codebook",
        "page": "page",
        "of": "of",
        "codebook_of": "codebook of <code>{stem}</code> &middot; {records} records, {variables} "
        "variables",
        "synthetic_html": "<b>Synthetic data.</b> These records were generated by the pipeline's "
        "synthetic-wave generator; they describe no real person.",
        "study": "study",
        "study_line": "<code>{id}</code>, wave {wave}, questionnaire version {version} ({status})",
        "status_reference": "reference",
        "status_official": "official",
        "population": "population",
        "profile": "release profile",
        "weight": "weight",
        "none": "none",
        "files_row": "files",
        "missing_intro": "In the SPSS file and the CSV these codes are values of the variable, "
        "declared user-missing in SPSS (more than three codes as one range). In the Stata file "
        "they are extended missing values. An empty cell (SPSS system-missing, Stata "
        "<code>.</code>) is a value that could not be computed, e.g. a score with too few answered "
        "items.",
        "code": "code",
        "kind": "kind",
        "label": "label",
        "figures": "Weighted and unweighted figures",
        "figures_intro": "Frequencies below are counts of records (unweighted) and, where the "
        "release has a weight, weighted counts and percentages with <code>{weight}</code>. "
        "<i>Valid %</i> is of the records with a substantive value, as SPSS and PSPP report with "
        "<code>WEIGHT BY {weight_by}</code> and <code>FREQUENCIES</code>. Standard errors need the "
        "design: see the README.",
        "variables": "Variables",
        "name": "name",
        "stata_name": "Stata name",
        "measure": "measure",
        "asked_if": "Asked if",
        "unit": "unit",
        "missing": "missing",
        "release": "Release",
        "valid_n": "valid n",
        "mean": "mean",
        "weighted_mean": "weighted mean",
        "sd": "sd",
        "minimum": "min",
        "p25": "p25",
        "median": "median",
        "p75": "p75",
        "maximum": "max",
        "value": "value",
        "n": "n",
        "percent": "%",
        "valid_percent": "valid %",
        "weighted_n": "weighted n",
        "weighted_percent": "weighted %",
        "weighted_valid_percent": "weighted valid %",
        "empty": "(empty)",
        "sdc_heading": "Disclosure control",
        "kind_id": "id",
        "kind_weight": "weight",
        "kind_item": "item",
        "kind_score": "score",
        "kind_indicator": "indicator",
        "kind_derived": "derived",
        "kind_meta": "meta",
        "measure_nominal": "nominal",
        "measure_ordinal": "ordinal",
        "measure_scale": "scale",
        "missing_not_applicable": "not applicable",
        "missing_invalid": "invalid",
        "missing_dont_know": "don't know",
        "missing_no_answer": "no answer",
        "missing_suppressed": "suppressed",
    },
}


def words(lang: str) -> Mapping[str, str]:
    return WORDS[lang]


def word(key: str, lang: str, fallback: str) -> str:
    """``key``'s text in ``lang``; ``fallback`` (the code as it is) for a key not catalogued, e.g.
    a kind or recode added later."""
    return WORDS[lang].get(key, fallback)
