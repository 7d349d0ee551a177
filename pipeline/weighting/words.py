"""The words of the weighting report (``reports/weighting.html.j2``), Dutch (default) and English.

A message catalogue, not code: the template names a key, this module gives its text per language;
values are filled in with ``str.format`` on escaped arguments (:func:`pipeline.weighting.diagnostics.
render_report`). ``diagnostics.json`` keeps its English keys and codes: it is a contract. The
notices' messages come from the engine in English (``diagnostics.json``); the Dutch report words
each notice from its code and details (:data:`NOTICES_NL`, :func:`notice_text`), and marks a
notice it has no words for as English text.
"""

from __future__ import annotations

from collections.abc import Mapping

WORDS: Mapping[str, Mapping[str, str]] = {
    "nl": {
        "doc_title": "Weging",
        "margins": "Marges: <b>{name}</b> — {population} ({unit}), referentiedatum {date}; "
        "bron: {source}.",
        "synthetic": "Deze marges zijn SYNTHETISCH, geen echte registertotalen.",
        "method": "Methode",
        "bounds": " (grenzen {low}–{high})",
        "converged": "Geconvergeerd",
        "converged_yes": "ja",
        "converged_no": "NEE",
        "converged_line": "{answer} na {iterations} iteraties; grootste relatieve margefout {error}",
        "trimming": "Afknotten",
        "trimming_line": "plafond {cap} (absoluut {absolute}, veelvoud van de mediaan {k})",
        "rows": "Rijen",
        "rows_line": "{n} ({positive} met een positief gewicht)",
        "total": "Som van de gewichten",
        "kish": "Designeffect van de weging (Kish)",
        "effective_n": "Effectieve steekproefomvang",
        "notices": "Meldingen",
        "notices_en": "De uitleg bij een melding met een Engelse tekst is in het Engels.",
        "achieved": "Bereikte en beoogde marges",
        "margin": "Marge",
        "level": "Niveau",
        "sample_rows": "Rijen in de steekproef",
        "target": "Doel",
        "achieved_col": "Bereikt",
        "rel_error": "Relatieve fout",
        "convergence": "Verloop van de convergentie",
        "convergence_note": "Grootste relatieve margefout na elke iteratie (logaritmische schaal).",
        "iteration": "Iteratie",
        "error": "Fout",
        "distribution": "Verdeling van de gewichten",
        "distribution_line": "Gemiddelde {mean}, variatiecoëfficiënt {cv}, grootste / mediaan "
        "{ratio}.",
        "histogram": "Histogram van de positieve gewichten ({bins} klassen).",
        "largest": "Grootste gewichten",
        "row": "Rij",
        "weight": "Gewicht",
        "bar_iteration": "iteratie {i}: {err}",
    },
    "en": {
        "doc_title": "Weighting",
        "margins": "Margins: <b>{name}</b> — {population} ({unit}), reference date {date}; "
        "source: {source}.",
        "synthetic": "These margins are SYNTHETIC, not real register totals.",
        "method": "Method",
        "bounds": " (bounds {low}–{high})",
        "converged": "Converged",
        "converged_yes": "yes",
        "converged_no": "NO",
        "converged_line": "{answer} after {iterations} iteration(s); largest relative margin "
        "error {error}",
        "trimming": "Trimming",
        "trimming_line": "cap {cap} (absolute {absolute}, median multiple {k})",
        "rows": "Rows",
        "rows_line": "{n} ({positive} with a positive weight)",
        "total": "Sum of weights",
        "kish": "Kish design effect",
        "effective_n": "Effective sample size",
        "notices": "Notices",
        "notices_en": "",
        "achieved": "Achieved versus target margins",
        "margin": "Margin",
        "level": "Level",
        "sample_rows": "Sample rows",
        "target": "Target",
        "achieved_col": "Achieved",
        "rel_error": "Relative error",
        "convergence": "Convergence history",
        "convergence_note": "Largest relative margin error after each iteration (log scale).",
        "iteration": "Iteration",
        "error": "Error",
        "distribution": "Weight distribution",
        "distribution_line": "Mean {mean}, coefficient of variation {cv}, largest / median {ratio}.",
        "histogram": "Histogram of the positive weights ({bins} bins).",
        "largest": "Largest weights",
        "row": "Row",
        "weight": "Weight",
        "bar_iteration": "iteration {i}: {err}",
    },
}


#: Dutch wording of the engine's notices, by code (``{name}``: a detail of the notice, formatted the
#: Dutch way by :func:`notice_text`). A code of ``trim_infeasible`` is worded by its ``reason_code``.
NOTICES_NL: Mapping[str, str] = {
    "margins_look_like_percentages": "elke marge telt op tot precies 100 en een niveau bevat een "
    "breuk: dit lijken percentages, geen populatietotalen; de gewichten tellen op tot 100 en "
    "geschatte totalen worden percentages",
    "trim_skipped": "niet afgeknot: de gewichten convergeerden niet",
    "not_converged": "de weging convergeerde niet in {iterations} iteraties (grootste relatieve "
    "margefout {max_error} > tolerantie {tol})",
    "negative_weights": "de lineaire kalibratie gaf negatieve gewichten ({count}); kies iteratief "
    "bijwegen, begrensde kalibratie of grenzen",
    "collapsed": "{variable}: niveaus met minder dan {min_count} rijen samengevoegd: {groups}",
    "zero_target_level": "{margin}: niveaus met populatietotaal 0 bevatten eenheden uit de "
    "steekproef ({levels}); hun gewichten worden 0",
    "trimmed": "gewichten afgeknot op het plafond {cap}: {n_trimmed}; het teveel is herverdeeld "
    "door de marges opnieuw te passen (rondes: {rounds})",
    "trim_infeasible": "het plafond {cap} voor de gewichten is niet haalbaar zolang de marges "
    "kloppen ({reason})",
}
TRIM_REASONS_NL: Mapping[str, str] = {
    "exceeds_total": "de eenheden op het plafond vastzetten overschrijdt een populatietotaal",
    "empty_cell": "elke eenheid van {levels} zou op het plafond staan, maar het populatietotaal "
    "van dat niveau vraagt grotere gewichten",
    "refit_not_converged": "de vrije eenheden opnieuw passen convergeerde niet",
    "still_above": "nog boven het plafond na het maximale aantal rondes ({rounds})",
}
KEPT_UNTRIMMED_NL = (
    "; de niet-afgeknotte gekalibreerde gewichten blijven (grootste gewicht {max_weight})"
)


#: Details that are names in the data (shown as code, not as Dutch words).
NAME_DETAILS = frozenset({"variable", "variables", "margin", "groups", "levels", "weight"})


def _detail(key: str, value: object) -> str:
    from markupsafe import Markup, escape

    from pipeline import numformat as nf

    if key in NAME_DETAILS:
        names = value if isinstance(value, (list, tuple)) else [value]
        return str(Markup(", ").join(Markup("<code>{}</code>").format(v) for v in names))
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int):
        return nf.count(value, "nl")
    if isinstance(value, float):
        spec = {"cap": ".6g", "max_weight": ".6g", "max_error": ".3g"}.get(key, "g")
        return nf.general(value, "nl", spec)
    if isinstance(value, (list, tuple)):
        return str(escape("; ".join(str(v) for v in value)))
    return str(escape(str(value)))


def notice_text(code: str, details: Mapping[str, object], lang: str) -> str | None:
    """The notice (HTML-safe) worded in ``lang`` from its code and details; None when there are no words for it
    (English: the engine's own message is used; Dutch: a code or detail this catalogue lacks)."""
    from markupsafe import Markup, escape

    if lang != "nl" or code not in NOTICES_NL:
        return None
    d = {k: _detail(k, v) for k, v in details.items()}
    try:
        if code == "trim_infeasible":
            reason = TRIM_REASONS_NL.get(str(details.get("reason_code", "")))
            if reason is None:
                return None
            d["reason"] = str(escape(reason).format(**{k: Markup(v) for k, v in d.items()}))
        safe = {k: Markup(v) for k, v in d.items()}  # escaped above (names as code)
        text = escape(NOTICES_NL[code]).format(**safe)
        if code == "trim_infeasible" and details.get("kept_untrimmed"):
            text += escape(KEPT_UNTRIMMED_NL).format(**safe)
    except KeyError:  # a detail the wording needs is missing: keep the engine's message
        return None
    return Markup(text)  # our words, the details escaped (names as code)


#: The unit a margins file counts in (its ``unit``), in Dutch.
UNITS_NL: Mapping[str, str] = {
    "persons": "personen",
    "organisations": "organisaties",
    "jobs": "banen",
    "employees": "werknemers",
    "enterprises": "ondernemingen",
}
