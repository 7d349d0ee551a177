"""The words of the weighting report (``reports/weighting.html.j2``), Dutch (default) and English.

A message catalogue, not code: the template names a key, this module gives its text per language;
values are filled in with ``str.format`` on escaped arguments (:func:`pipeline.weighting.diagnostics.
render_report`). ``diagnostics.json`` keeps its English keys and codes: it is a contract. The
notices' messages come from the engine in English; the Dutch report marks them as English text.
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
        "notices_en": "De uitleg bij een melding is in het Engels.",
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
