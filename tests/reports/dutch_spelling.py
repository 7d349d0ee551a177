"""A Dutch spell check of what a reader sees: the words of the Dutch text of an output, looked up in a
curated word list (``dutch_words.txt`` beside this file; no network, no system dictionary).

Why a curated list and not hunspell-nl: the check must run the same everywhere (CI, a laptop) without
a system package, and the monitor's own words (werkbaarheidsknelpunt, sectorfonds, the sector names) are
in no general dictionary, so a list is needed anyway. Each word in the list was read by a person; a new
word in an output fails the test until someone adds it (spelled right) to the list.

What counts as Dutch text: in HTML, the text and the ``title``/``alt``/``aria-label`` attributes of
every element not inside ``<style>``, ``<script>`` or ``<code>`` and not marked ``lang="en"`` (or
inside a page whose ``<html lang>`` is not nl); in Markdown, every line outside code spans and fences.
Tokens that are identifiers, not words (with ``_``, ``/``, ``@``, ``=``, digits, or a file extension),
are left out: they are names of columns and files, which are contracts, not Dutch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

WORDS_FILE = Path(__file__).with_name("dutch_words.txt")
SKIP_TAGS = {"style", "script", "code", "pre", "kbd", "samp"}
VOID = {"br", "img", "meta", "link", "hr", "input", "col", "area", "base", "wbr", "source", "track"}
ATTRS = ("title", "alt", "aria-label")
_IDENT = re.compile(r"[_/\\@=<>{}|`~#$^*+]|\d|\.[a-z]{2,4}\b|^[a-z]+\(|^wbm-")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
SOFT = "\u00ad"

#: Known misspellings and English jargon that must never show in Dutch text (each found once).
FORBIDDEN = {
    "officiele": "officiële",
    "financiele": "financiële",
    "privebalans": "privébalans",
    "werk-privebalans": "werk-privébalans",
    "ondernemingsenquete": "Ondernemingsenquête",
    "ideeenbus": "ideeënbus",
    "categorieen": "categorieën",
    "traffic_light": "verkeerslicht",
    "run run": "run",
}


class _Text(HTMLParser):
    """Collects the Dutch text chunks of a page (see the module docstring)."""

    def __init__(self, default_lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.default_skip = not default_lang.startswith("nl")
        self.chunks: list[str] = []

    def _skipping(self) -> bool:
        return self.stack[-1][1] if self.stack else self.default_skip

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        lang = a.get("lang")
        skip = self._skipping()
        if tag == "html" and lang is not None:
            self.default_skip = not lang.startswith("nl")
            skip = self.default_skip
        elif tag in SKIP_TAGS:
            skip = True
        elif lang is not None:
            skip = not lang.startswith("nl")
        if not skip:
            self.chunks += [v for k, v in a.items() if k in ATTRS and v]
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._skipping():
            self.chunks += [v for k, v in dict(attrs).items() if k in ATTRS and v]

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.chunks.append(data)


def html_text(html: str, default_lang: str = "nl") -> str:
    """The Dutch text of a page, chunks separated by newlines."""
    p = _Text(default_lang)
    p.feed(html)
    p.close()
    return "\n".join(p.chunks).replace(SOFT, "")


def markdown_text(md: str) -> str:
    """A Markdown document without code fences, code spans and HTML comments (not shown)."""
    md = re.sub(r"```.*?```", " ", md, flags=re.S)
    md = re.sub(r"<!--.*?-->", " ", md, flags=re.S)
    md = re.sub(r"`[^`\n]*`", " ", md)
    return md.replace(SOFT, "")


def words(text: str) -> list[str]:
    """The words of ``text`` (lower case), identifiers and numbers left out; compounds with a hyphen
    give their parts (``werk-privébalans`` -> ``werk``, ``privébalans``)."""
    out: list[str] = []
    for token in text.split():
        token = token.strip(".,;:!?()[]\"'“”‘’«»–—…*")
        if not token or _IDENT.search(token):
            continue
        out += [w.lower() for w in _WORD.findall(token) if len(w) > 1]
    return out


@lru_cache(maxsize=1)
def word_list() -> frozenset[str]:
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


def unknown_words(text: str, known: Iterable[str] | None = None) -> dict[str, int]:
    """Words of ``text`` not in the list, with how often each occurs."""
    vocab = word_list() if known is None else frozenset(known)
    out: dict[str, int] = {}
    for w in words(text):
        if w not in vocab:
            out[w] = out.get(w, 0) + 1
    return out


def forbidden(text: str) -> dict[str, str]:
    """Known misspellings and English jargon found in ``text`` (case-insensitive): {found: right}."""
    low = text.lower()
    return {bad: good for bad, good in FORBIDDEN.items() if bad in low}
