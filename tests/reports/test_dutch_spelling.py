"""A Dutch spell check of every user-facing Dutch text (issue 19): the demo's reports, the Dutch parts
of its validation, weighting and release documents, the table notes, and the Dutch labels and texts
of every shipped questionnaire; each word must be in the curated list ``dutch_words.txt`` (see
``dutch_spelling``). The datatool's page is checked in tests/datatool. Known misspellings and English
jargon are asserted by name as well."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from pipeline.paths import QUESTIONNAIRES_DIR
from pipeline.rundata import layout

from .dutch_spelling import (
    FORBIDDEN,
    forbidden,
    html_text,
    markdown_text,
    unknown_words,
    word_list,
    words,
)


def _report(found: dict[str, dict[str, int]]) -> str:
    return "\n".join(
        f"{where}: {', '.join(sorted(bad))}" for where, bad in sorted(found.items()) if bad
    )


# ---- the checker itself can fail ----


def test_a_planted_misspelling_fails():
    ok = "De officiële cijfers van de financiële sector: problematische werk-privébalans."
    assert unknown_words(ok) == {}
    assert forbidden(ok) == {}
    bad = "De officiele cijfers van de financiele sector: problematische werk-privebalans."
    assert set(unknown_words(bad)) == {"officiele", "financiele", "privebalans"}
    assert set(forbidden(bad)) >= {"officiele", "financiele", "privebalans", "werk-privebalans"}
    assert unknown_words("De drempels met status reference zijn") == {"reference": 1}
    assert forbidden("verwerking run run") == {"run run": "run"}
    assert unknown_words("een onbekendwoord") == {"onbekendwoord": 1}


def test_what_counts_as_dutch_text():
    page = (
        '<html lang="nl"><head><title>Werkbaarheid</title><style>.reference{}</style></head><body>'
        '<p title="gemaakt">De sector <code>werk_prive</code></p><p lang="en">English words</p>'
        "<p>wel\u00adbe\u00advin\u00addings\u00adpro\u00adbleem, 2.826 respondenten, versie 2023.1-reference"
        "</p><script>var reference;</script></body></html>"
    )
    got = words(html_text(page))
    assert got == [
        "werkbaarheid",
        "gemaakt",
        "de",
        "sector",
        "welbevindingsprobleem",
        "respondenten",
        "versie",
    ]
    en = '<html lang="en"><body><p>Profile</p><td lang="nl">financiele sector</td></body></html>'
    assert words(html_text(en)) == ["financiele", "sector"]
    assert words(markdown_text("De `werk_prive` kolom\n```\ncode block\n```\n")) == ["de", "kolom"]


def test_the_word_list_is_clean():
    """Sorted, lower case, one word a line, and no known misspelling in it."""
    lines = [w for w in Path(__file__).with_name("dutch_words.txt").read_text("utf-8").splitlines()]
    entries = [w for w in lines if w and not w.startswith("#")]
    assert entries == sorted(set(entries)), "keep dutch_words.txt sorted and without duplicates"
    assert all(w == w.strip().lower() and " " not in w for w in entries)
    assert not {k for k in FORBIDDEN if " " not in k} & word_list()


# ---- the shipped questionnaires ----


def _dutch_strings(node: object) -> list[str]:
    if isinstance(node, dict):
        out = []
        for k, v in node.items():
            out += [v] if k == "nl" and isinstance(v, str) else _dutch_strings(v)
        return out
    if isinstance(node, list):
        return [s for v in node for s in _dutch_strings(v)]
    return []


def test_questionnaire_labels_and_texts_are_spelled_right():
    found: dict[str, dict[str, int]] = {}
    files = sorted(Path(QUESTIONNAIRES_DIR).rglob("*.yaml"))
    assert len(files) >= 10
    for f in files:
        text = "\n".join(_dutch_strings(yaml.safe_load(f.read_text(encoding="utf-8"))))
        found[f.name] = {**unknown_words(text), **{k: 1 for k in forbidden(text)}}
    assert not any(found.values()), "not in tests/reports/dutch_words.txt:\n" + _report(found)


# ---- the message catalogues of the documents (every text, not only those the demo shows) ----


def _catalogue_texts() -> dict[str, str]:
    from pipeline.release import words as release
    from pipeline.sdc.microdata import words as risk
    from pipeline.validate import words as validation
    from pipeline.weighting import words as weighting

    out: dict[str, str] = {}
    for name, catalogue in (
        ("validation", validation.WORDS["nl"]),
        ("validation.issue", validation.ISSUE_TITLES_NL),
        ("validation.edit", validation.EDIT_RULES_NL),
        ("validation.mode", validation.MODES["nl"]),
        ("validation.severity", validation.SEVERITIES["nl"]),
        ("validation.keying", validation.KEYING_ROLES["nl"]),
        ("weighting", weighting.WORDS["nl"]),
        ("release", release.WORDS["nl"]),
        ("risk", risk.WORDS["nl"]),
        ("risk.dropped", risk.DROP_REASONS["nl"]),
    ):
        out.update({f"{name}.{k}": v for k, v in catalogue.items()})
    return out


def test_the_document_catalogues_are_spelled_right():
    found = {}
    for key, text in _catalogue_texts().items():
        # the README's texts are Markdown, the pages' HTML: code spans and elements are skipped
        words_of = markdown_text(html_text(f'<html lang="nl"><body><p>{text}</p></body></html>'))
        found[key] = {**unknown_words(words_of), **{k: 1 for k in forbidden(words_of)}}
    assert not any(found.values()), "not in tests/reports/dutch_words.txt:\n" + _report(found)


# ---- the demo's outputs ----


@pytest.fixture(scope="module")
def demo_texts(small_run_dir: Path) -> dict[str, str]:
    """The Dutch text of every user-facing output of the small demo, by file."""
    out: dict[str, str] = {}
    reports = sorted((layout.stage_dir(small_run_dir, "outputs") / "reports").glob("*.html"))
    assert len(reports) >= 10
    pages = [
        *reports,
        *sorted(small_run_dir.glob("01_*/*.html")),
        *sorted(small_run_dir.glob("02_*/*.html")),
        *sorted((layout.stage_dir(small_run_dir, "outputs") / "microdata").glob("*.html")),
    ]
    for p in pages:
        out[p.name] = html_text(p.read_text(encoding="utf-8"))
    for p in sorted((layout.stage_dir(small_run_dir, "outputs") / "microdata").glob("*.md")):
        out[p.name] = markdown_text(p.read_text(encoding="utf-8"))  # the release README, Dutch
    for p in sorted((layout.stage_dir(small_run_dir, "outputs")).rglob("*.json")):
        doc = json.loads(p.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and doc.get("language") == "nl" and "notes" in doc:
            out[p.name] = "\n".join(f"{k}\n{v}" for k, v in doc["notes"])
    return out


def test_demo_outputs_are_spelled_right(demo_texts):
    assert any(name.endswith(".json") for name in demo_texts)  # the table notes are there
    found = {name: unknown_words(text) for name, text in demo_texts.items()}
    assert not any(found.values()), "not in tests/reports/dutch_words.txt:\n" + _report(found)


def test_demo_outputs_have_no_known_misspelling_or_jargon(demo_texts, small_run_dir: Path):
    assert "README.md" in demo_texts  # the release README is Dutch by default: checked too
    found = {name: forbidden(text) for name, text in demo_texts.items()}
    assert not any(found.values()), {k: v for k, v in found.items() if v}
    joined = "\n".join(demo_texts.values())
    for right in ("officiële", "werk-privébalans", "financiële sector"):
        assert right in joined, right


def test_the_validation_and_weighting_reports_are_dutch(small_run_dir: Path):
    """The run's own reports are written in Dutch by default (``language: en`` in the run
    configuration, or ``--lang en``, for English), so the spell check above reads them."""
    for stage in ("01_*", "02_*"):
        pages = sorted(small_run_dir.glob(f"{stage}/*.html"))
        assert pages, stage
        for p in pages:
            assert '<html lang="nl">' in p.read_text(encoding="utf-8"), p.name


def test_the_standard_tables_requester_is_said_in_words(small_run_dir: Path):
    """The standard table goes to the publisher's own id ``public``: its notes say so in Dutch."""
    found = []
    for p in sorted(layout.stage_dir(small_run_dir, "outputs").rglob("*.json")):
        doc = json.loads(p.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and doc.get("language") == "nl" and "notes" in doc:
            found.append(dict(doc["notes"])["Aanvrager"])
    assert found and all(a == "publiek (eigen publicatie van de stichting)" for a in found)


def test_no_header_is_broken_with_a_hyphen(small_run_dir: Path):
    """Column headers break between words only: no soft hyphen in a ``<thead>``, and the style
    sheet turns automatic hyphenation off there."""
    import re

    from pipeline.reports.render import css_text

    reports = sorted((layout.stage_dir(small_run_dir, "outputs") / "reports").glob("*.html"))
    heads = [
        h
        for p in reports
        for h in re.findall(r"<thead>.*?</thead>", p.read_text(encoding="utf-8"), re.S)
    ]
    assert len(heads) > 5 * len(reports)
    assert not [h for h in heads if "\u00ad" in h or "&shy;" in h]
    assert re.search(r"thead th \{[^}]*hyphens: manual", css_text())
