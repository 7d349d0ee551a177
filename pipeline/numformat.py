"""Numbers in a reader's language, for the documents the engines write themselves (the validation
and weighting reports): Dutch ``8.593`` and ``51,8%``, English ``8,593`` and ``51.8%``.

The products have their own formatters for their tables (``pipeline/reports/estimates.py``); this
one is in the foundation so that an engine's report can use it too. ``lang`` is ``"nl"`` or ``"en"``.
"""

from __future__ import annotations

import math

LANGUAGES = ("nl", "en")
DASH = "–"


def check_language(lang: str) -> str:
    """``lang`` if it is a language of the documents (nl, en), else the located usage error."""
    from pipeline.errors import Problem, UsageError

    if lang not in LANGUAGES:
        raise UsageError(
            f"language {lang!r} is not one of 'nl', 'en'",
            [Problem("unknown language", value=lang, expected="nl or en", hint="--lang nl")],
            code="bad_option",
        )
    return lang


def count(n: object, lang: str) -> str:
    """A whole number with a thousands separator (``8.593`` / ``8,593``); text and None as they are."""
    if n is None:
        return DASH
    if isinstance(n, bool) or not isinstance(n, int | float):
        return str(n)
    if isinstance(n, float) and not math.isfinite(n):
        return DASH
    s = f"{int(round(n)):,}"
    return s.replace(",", ".") if lang == "nl" else s


def decimal(x: float | None, decimals: int, lang: str, *, grouped: bool = False) -> str:
    """A number with ``decimals`` decimals (``0,153`` / ``0.153``); optionally thousands grouped."""
    if x is None or not math.isfinite(x):
        return DASH
    s = f"{x:,.{decimals}f}" if grouped else f"{x:.{decimals}f}"
    if s.startswith("-") and float(s.replace(",", "")) == 0:
        s = s[1:]
    if lang != "nl":
        return s
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")


def percent(x: float | None, lang: str, decimals: int = 1) -> str:
    """A share as a percentage (``0.518`` -> ``51,8%`` / ``51.8%``); a dash for None or NaN."""
    if x is None or not math.isfinite(x):
        return DASH
    return decimal(100 * x, decimals, lang) + "%"


def general(x: float | None, lang: str, spec: str = ".3g") -> str:
    """A number in a printf-style format (``.3g``, ``.2e``, ``.4f``) with the decimal comma in Dutch."""
    if x is None or not math.isfinite(x):
        return DASH
    s = format(x, spec)
    return s.replace(".", ",") if lang == "nl" else s
