"""The words of the validation report (``reports/validation.html.j2``), Dutch (default) and English.

A message catalogue, not code: the template names a key, this module gives its text per language.
Texts may hold markup (they are ours, never data); values are filled in with ``str.format`` on
escaped arguments (:func:`pipeline.validate.report.render_report`). The issue titles and edit rules
of :mod:`pipeline.validate.catalogue` are English; their Dutch titles are here, one per code
(a test holds the two catalogues to the same codes). Machine-readable files (``diagnostics.json``,
the parquet logs) keep their codes and English titles: they are contracts.
"""

from __future__ import annotations

from collections.abc import Mapping

WORDS: Mapping[str, Mapping[str, str]] = {
    "nl": {
        "doc_title": "Validatierapport",
        "intro": "<strong>{title}</strong> — vragenlijst <code>{id}</code> versie {version}; "
        "wbm-pipeline {pipeline}.",
        "totals": "Gelezen rijen: <strong>{read}</strong>; aanvaard: <strong>{accepted}</strong>; "
        "apart gezet: <strong>{set_aside}</strong>.",
        "balanced": "Elke rij is verantwoord (gelezen = aanvaard + apart gezet, voor elk "
        "invoerbestand).",
        "unbalanced": "De aantallen rijen sluiten niet: dit is een fout in het programma, meld ze.",
        "inputs": "Invoerbestanden",
        "file": "Bestand",
        "mode": "Modus",
        "format": "Formaat",
        "dialect": "Dialect",
        "mapping": "Koppeling",
        "encoding": "Tekenset",
        "delimiter": "Scheidingsteken",
        "rows_read": "Gelezen",
        "accepted": "Aanvaard",
        "set_aside": "Apart gezet",
        "balanced_col": "Sluitend",
        "yes": "ja",
        "no": "nee",
        "tab": "tab",
        "completeness": "Volledigheid van de aanvaarde rijen, per modus",
        "complete": "volledig",
        "partial": "gedeeltelijk",
        "breakoff": "afgebroken",
        "reasons": "Apart gezette rijen, per reden en modus",
        "reasons_note": "Een rij kan meer dan één reden hebben: de kolommen kunnen samen meer zijn "
        "dan het aantal apart gezette rijen.",
        "reason": "Reden",
        "code": "Code",
        "total": "Totaal",
        "no_set_aside": "Er werden geen rijen apart gezet.",
        "issues": "Meldingen, per code en modus",
        "issue": "Melding",
        "severity": "Ernst",
        "no_issues": "Geen meldingen.",
        "edits": "Correcties (gewijzigde waarden), per regel en modus",
        "rule": "Regel",
        "what": "Wat ze doet",
        "no_edits": "Er werd geen enkele waarde gewijzigd.",
        "keying": "Dubbele invoer van papieren formulieren",
        "keying_line": "<code>{first}</code> tegenover <code>{second}</code>: {forms} formulieren "
        "gekoppeld, {fields} velden vergeleken, {disc} verschillen ({rate}), {unmatched} formulieren "
        "maar één keer ingevoerd. De verschillen staan in <code>issues.parquet</code> (code "
        "<code>keying_discrepancy</code>) om na te kijken.",
        "keying_role": "Invoer",
        "keyer": "Invoerder",
        "fields": "Velden",
        "discrepancies": "Verschillen",
        "rate": "Aandeel",
        "frame": "Steekproefkader en respons",
        "frame_line": "{invited} uitgenodigd in het steekproefkader <code>{file}</code>; "
        "{respondents} aanvaarde respondenten ({rate}): {by_mode}. Weegvariabelen ingevuld uit het "
        "kader: {filled} (correctieregel <code>frame_value</code>); antwoorden die niet in het kader "
        "staan: {unlinked}; antwoorden die afwijken van het register: {disagree}. "
        "Representativiteit (R-indicatoren) en verschillen tussen de modi: "
        "<code>wbm fieldwork --run RUN</code>.",
        "register_variable": "registervariabele",
        "level": "niveau",
        "invited": "uitgenodigd",
        "respondents": "respondenten",
        "response": "respons",
        "r_indicator": "Representativiteit: R-indicator {r} (95%-betrouwbaarheidsinterval {low} tot "
        "{high}; variatiecoëfficiënt {cv}) uit een model van de responskans op {variables}.",
        "r_strongest": " De onevenwichtigheid komt het meest van {strongest}.",
        "r_more": " Partiële indicatoren, verschillen tussen de modi en grafieken: "
        "<code>wbm fieldwork</code>.",
        "aapor": "AAPOR-responsgraden (eindresultaat van de contactpogingen)",
        "aapor_note": "Eindresultaten uit de kolom <code>disposition</code> van het kader (AAPOR, "
        '<span lang="en">Standard Definitions</span>): I volledig, P gedeeltelijk, R weigering of '
        "afgebroken, <code>NC</code> geen contact, O andere, <code>UH</code> geschiktheid onbekend, "
        "<code>NE</code> niet geschikt. <code>RR1 = I / (I + P + R + NC + O + UH)</code>; RR2 telt "
        "gedeeltelijke antwoorden als respondent; RR3 en RR4 tellen van <code>UH</code> alleen het "
        "geschatte geschikte aandeel e.",
        "aapor_strata": " Per stratum: {strata}.",
        "stratum": "stratum",
        "sampled": "getrokken",
        "all_units": "alle eenheden",
        "per_item": "Per vraag",
        "items_note": "Geen antwoord = aandeel -9 (geen antwoord) onder de rijen waar de vraag van "
        "toepassing is (de routing sloeg ze niet over), over alle gelezen rijen. Ongeldig = waarden "
        "met code -7. Correcties en meldingen tellen de regels van het logboek voor de vraag.",
        "item": "Vraag",
        "label": "Label",
        "nonresponse": "geen antwoord",
        "invalid": "ongeldig",
        "edits_col": "correcties",
        "issues_col": "meldingen",
        "settings": "Instellingen",
        "settings_line": "Dubbele respondenten op <code>{id}</code>, voorrang: {precedence}. "
        "Snelle invullers {speeders}; overtredingen van harde regels {hard}. Drempels: volledig "
        "vanaf {complete} van de toepasselijke vragen beantwoord, afgebroken onder {breakoff}; "
        "rechtlijnig antwoorden gecontroleerd op vragenblokken van minstens {grid} vragen met een "
        "omgekeerd geformuleerde vraag ({grids}).",
        "set_aside_kept": "apart gezet",
        "flagged": "gemarkeerd (behouden)",
        "none": "geen",
    },
    "en": {
        "doc_title": "Validation report",
        "intro": "<strong>{title}</strong> — questionnaire <code>{id}</code> version {version}; "
        "wbm-pipeline {pipeline}.",
        "totals": "Rows read: <strong>{read}</strong>; accepted: <strong>{accepted}</strong>; "
        "set aside: <strong>{set_aside}</strong>.",
        "balanced": "Every row is accounted for (read = accepted + set aside, for every input).",
        "unbalanced": "Row counts do not balance: this is a bug, please report it.",
        "inputs": "Inputs",
        "file": "File",
        "mode": "Mode",
        "format": "Format",
        "dialect": "Dialect",
        "mapping": "Mapping",
        "encoding": "Encoding",
        "delimiter": "Delimiter",
        "rows_read": "Rows read",
        "accepted": "Accepted",
        "set_aside": "Set aside",
        "balanced_col": "Balanced",
        "yes": "yes",
        "no": "no",
        "tab": "TAB",
        "completeness": "Completeness of accepted rows, by mode",
        "complete": "complete",
        "partial": "partial",
        "breakoff": "breakoff",
        "reasons": "Rows set aside, by reason and mode",
        "reasons_note": "A row can have several reasons, so the columns may add up to more than "
        "the rows set aside.",
        "reason": "Reason",
        "code": "Code",
        "total": "Total",
        "no_set_aside": "No rows were set aside.",
        "issues": "Issues, by code and mode",
        "issue": "Issue",
        "severity": "Severity",
        "no_issues": "No issues.",
        "edits": "Edits (changed values), by rule and mode",
        "rule": "Rule",
        "what": "What it does",
        "no_edits": "No value was changed.",
        "keying": "Double keying of paper forms",
        "keying_line": "<code>{first}</code> against <code>{second}</code>: {forms} forms matched, "
        "{fields} fields compared, {disc} discrepancies ({rate}), {unmatched} forms keyed only once. "
        "Discrepancies are listed in <code>issues.parquet</code> (code "
        "<code>keying_discrepancy</code>) for resolution.",
        "keying_role": "Keying",
        "keyer": "Keyer",
        "fields": "Fields",
        "discrepancies": "Discrepancies",
        "rate": "Rate",
        "frame": "Sample frame and response",
        "frame_line": "{invited} invited in the sample frame <code>{file}</code>; {respondents} "
        "accepted respondents ({rate}): {by_mode}. Weighting variables filled from the frame: "
        "{filled} (edit rule <code>frame_value</code>); responses not in the frame: {unlinked}; "
        "answers that differ from the register: {disagree}. Representativeness (R-indicators) and "
        "mode effects: <code>wbm fieldwork --run RUN</code>.",
        "register_variable": "register variable",
        "level": "level",
        "invited": "invited",
        "respondents": "respondents",
        "response": "response",
        "r_indicator": "Representativeness: R-indicator {r} (95% CI {low} to {high}; maximal bias "
        "CV {cv}) from a response-propensity model on {variables}.",
        "r_strongest": " The imbalance is driven most by {strongest}.",
        "r_more": " Partial indicators, mode effects and charts: <code>wbm fieldwork</code>.",
        "aapor": "AAPOR response rates (final call outcomes)",
        "aapor_note": "Final dispositions from the frame's <code>disposition</code> column (AAPOR "
        "Standard Definitions): I complete, P partial, R refusal or break-off, NC non-contact, O "
        "other, UH unknown eligibility, NE not eligible. RR1 = I / (I + P + R + NC + O + UH); RR2 "
        "counts partials as respondents; RR3 and RR4 count only the estimated eligible share e of UH.",
        "aapor_strata": " Per stratum: {strata}.",
        "stratum": "stratum",
        "sampled": "sampled",
        "all_units": "all units",
        "per_item": "Per item",
        "items_note": "Item nonresponse = share of -9 (no answer) among the rows where the item "
        "applies (routing did not skip it), all rows read. Invalid = values coded -7. Edits and "
        "issues count log entries for the item.",
        "item": "Item",
        "label": "Label",
        "nonresponse": "nonresp.",
        "invalid": "invalid",
        "edits_col": "edits",
        "issues_col": "issues",
        "settings": "Settings",
        "settings_line": "Duplicates by <code>{id}</code>, precedence: {precedence}. Speeders "
        "{speeders}; hard rule violations {hard}. Thresholds: complete at &ge; {complete} of "
        "applicable items answered, break-off below {breakoff}; straightlining checked on grids of "
        "at least {grid} items with a reverse-keyed item ({grids}).",
        "set_aside_kept": "set aside",
        "flagged": "flagged (kept)",
        "none": "none",
    },
}

#: How a mode is named in the report (the codes stay in diagnostics.json).
MODES: Mapping[str, Mapping[str, str]] = {
    "nl": {"paper": "papier", "web": "web", "cati": "telefoon"},
    "en": {"paper": "paper", "web": "web", "cati": "telephone"},
}

SEVERITIES: Mapping[str, Mapping[str, str]] = {
    "nl": {"error": "fout", "warning": "waarschuwing", "info": "ter info"},
    "en": {"error": "error", "warning": "warning", "info": "info"},
}

KEYING_ROLES: Mapping[str, Mapping[str, str]] = {
    "nl": {"first": "eerste", "second": "tweede"},
    "en": {"first": "first", "second": "second"},
}

#: The Dutch title of every issue code of :data:`pipeline.validate.catalogue.CATALOGUE`.
ISSUE_TITLES_NL: Mapping[str, str] = {
    "file_missing": "Bestand niet gevonden",
    "file_empty": "Leeg bestand",
    "file_no_rows": "Geen rijen met gegevens",
    "file_format": "Verkeerd of beschadigd formaat",
    "file_truncated": "Afgebroken bestand",
    "file_encoding": "Onleesbare tekens",
    "columns_missing": "Verwachte kolommen ontbreken",
    "columns_duplicate": "Dubbele kolomnamen",
    "mapping_error": "Kolommen of codes niet te koppelen",
    "dialect": "Exportformaat van het bestand",
    "dialect_header_rows": "Extra kopregels",
    "columns_ignored": "Kolommen genegeerd",
    "column_mapped": "Kolommen gekoppeld aan variabelen",
    "values_recoded": "Bronwaarden gehercodeerd",
    "values_by_label": "Tekstantwoorden gekoppeld aan waardelabels",
    "text_not_matched": "Tekstantwoorden zonder passend waardelabel",
    "unknown_column": "Kolom niet in de vragenlijst",
    "column_not_in_mode": "Variabele niet gevraagd in deze modus",
    "invalid_code": "Code niet toegelaten",
    "multiple_ticks": "Meer dan één vakje aangekruist",
    "unparseable_value": "Waarde is geen getal",
    "not_integer": "Geen geheel getal",
    "hard_limit": "Buiten de harde grenzen",
    "soft_limit": "Buiten de zachte grenzen",
    "routing_tool_error": "Routing niet gevolgd door de enquêtesoftware",
    "routing_text_answered": "Tekstantwoord waar de routing de vraag overslaat",
    "required_missing": "Verplichte vraag niet beantwoord",
    "rule_soft": "Zachte consistentieregel overtreden",
    "rule_hard": "Harde consistentieregel overtreden",
    "missing_id": "Respondentnummer ontbreekt",
    "weighting_variable_missing": "Weegvariabele onbekend",
    "outside_target_population": "Buiten de doelpopulatie",
    "target_population_unknown": "Doelpopulatie onbekend",
    "breakoff": "Afgebroken",
    "duplicate": "Dubbele respondent (weggelaten exemplaar)",
    "speeder": "Snelle invuller",
    "straightlining": "Rechtlijnig antwoorden op een vragenblok",
    "frame_value_used": "Weegvariabele uit het steekproefkader",
    "frame_unlinked": "Steekproefnummer niet in het steekproefkader",
    "frame_disagrees": "Antwoord wijkt af van het register",
    "keying_discrepancy": "Verschil tussen twee invoeringen",
    "keying_unmatched": "Formulier maar één keer ingevoerd",
}

#: What each edit rule of :data:`pipeline.validate.catalogue.EDIT_RULES` does, in Dutch.
EDIT_RULES_NL: Mapping[str, str] = {
    "multiple_ticks": "meer dan één antwoord aangekruist op papier -> -7 (ongeldig)",
    "invalid_code": "een code buiten de antwoordmogelijkheden en de ontbrekende codes -> -7 "
    "(ongeldig)",
    "unparseable_value": "een waarde die geen getal is -> -7 (ongeldig)",
    "not_integer": "een kommagetal bij een vraag met gehele getallen -> -7 (ongeldig)",
    "hard_limit": "een waarde buiten de harde grenzen van de vraag -> -7 (ongeldig)",
    "routing_not_applicable": "papier: beantwoord terwijl de routing de vraag overslaat -> -1 "
    "(niet van toepassing)",
    "blank_not_applicable": "leeg bij een vraag die de routing overslaat -> -1 (niet van toepassing)",
    "blank_no_answer": "leeg bij een toepasselijke vraag -> -9 (geen antwoord)",
    "multiple_unticked": "meerkeuzevraag: een niet-aangekruiste optie terwijl een andere optie "
    "aangekruist is -> 0",
    "frame_value": "een weegvariabele leeg of ongeldig op het formulier -> de waarde uit het "
    "steekproefkader (register)",
    "frame_register": "een variabele alleen uit het register die het formulier niet vraagt "
    "(herkomst) -> de waarde uit het steekproefkader, gekoppeld op steekproefnummer",
}


def issue_title(code: str, lang: str) -> str:
    from pipeline.validate.catalogue import CATALOGUE

    return ISSUE_TITLES_NL[code] if lang == "nl" else CATALOGUE[code].title


def edit_rule(rule: str, lang: str) -> str:
    from pipeline.validate.catalogue import EDIT_RULES

    return (EDIT_RULES_NL if lang == "nl" else EDIT_RULES).get(rule, "")


#: How an input's dialect was recognised (``Detection.evidence_code``), per language; ``{values}``:
#: the column names or number it names.
EVIDENCE: Mapping[str, Mapping[str, str]] = {
    "nl": {
        "declared": "opgegeven",
        "header_rows": "{values} kopregels",
        "columns": "kolommen {values}",
        "columns_na": "kolom {values} en cellen 'N/A'",
        "sav": "<code>.sav</code>-bestand",
        "none": "geen exportvorm van een enquêteprogramma herkend",
    },
    "en": {
        "declared": "declared",
        "header_rows": "{values} header rows",
        "columns": "columns {values}",
        "columns_na": "column {values} and 'N/A' cells",
        "sav": "<code>.sav</code> file",
        "none": "no tool's export shape recognised",
    },
}


def evidence(code: str, values: object, fallback: str, lang: str) -> tuple[str, bool]:
    """(text, in English?) of how a dialect was recognised: the catalogue's words for ``code`` (an
    HTML-safe text, the column names as code), else the English ``fallback`` (a run made before
    the code was recorded), marked as English."""
    from markupsafe import Markup

    words = EVIDENCE.get(lang, EVIDENCE["en"]).get(code)
    if words is None:
        return (fallback or "–", lang != "en" and bool(fallback))
    vals = values if isinstance(values, (list, tuple)) else ()
    shown = Markup(", ").join(
        Markup("{}").format(v) if code == "header_rows" else Markup("<code>{}</code>").format(v)
        for v in vals
    )
    return (Markup(words).format(values=shown), False)
