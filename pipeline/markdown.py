"""Text from specs and data placed into Markdown (the questionnaire codebook, the release README).

A label is data, not markup: ``<script>`` or ``[click](http://...)`` in a choice label must show as
those characters, not become HTML or a link when the file is rendered (GitHub, an editor's preview,
pandoc). :func:`escape` backslash-escapes what CommonMark (and GitHub's tables) would read as markup;
:func:`code` writes an identifier or expression as a code span.
"""

from __future__ import annotations

import re

_INLINE = re.compile(r"[\\`*\[\]<|~]|(?<!\w)_|_(?!\w)")
_LINE_START = re.compile(r"^(\s*)([#>+=-])|^(\s*\d+)([.)])(?=\s|$)")
_NEWLINES = re.compile(r"\r\n|\r|\n")


class Markdown(str):
    """Text that is already Markdown (not escaped again by :func:`finalize`)."""


def escape(text: object) -> str:
    """``text`` as literal Markdown inline text, safe anywhere in a line or a table cell: line
    breaks become spaces, markup characters and raw HTML are backslash-escaped."""
    if isinstance(text, Markdown):
        return text
    s = _NEWLINES.sub(" ", str(text))
    s = _INLINE.sub(lambda m: "\\" + m.group(0), s)
    return _LINE_START.sub(_escape_start, s)


def _escape_start(m: re.Match[str]) -> str:
    if m.group(2) is not None:
        return m.group(1) + "\\" + m.group(2)
    return m.group(3) + "\\" + m.group(4)


def code(text: object) -> Markdown:
    """``text`` as a code span (longer fences when the text holds backticks)."""
    s = _NEWLINES.sub(" ", str(text))
    fence = "`" * (max((len(r) for r in re.findall(r"`+", s)), default=0) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return Markdown(f"{fence}{pad}{s}{pad}{fence}")


def finalize(value: object) -> object:
    """A Jinja ``finalize``: every string a Markdown template outputs is escaped unless it is
    :class:`Markdown` (numbers and None pass through)."""
    return escape(value) if isinstance(value, str) else value
