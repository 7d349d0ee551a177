"""The one text form of a domain level (a code of a breakdown variable), used wherever a level is
written or compared as text: the estimates table's ``level`` column, crossed domains, the margins
file's levels, lookups in reports and tables.

- a code is its integer in decimal: ``3``, ``3.0``, ``"3"``, ``" 3 "``, ``"3.0"``, ``numpy.int8(3)``
  all give ``"3"``; ``True``/``False`` give ``"1"``/``"0"``;
- a non-integer number is Python's shortest round-trip text (``"2.5"``);
- other text is kept (stripped): ``"BE-VLG"``;
- a missing value (None, NaN, ``""``, ``"nan"``, ``"None"``, ``"<NA>"``) is ``""``, which is also
  the level of an overall row;
- a crossed level joins the codes of its variables with :data:`CROSS_SEP`: ``sector:sex`` has
  levels such as ``"3:1"``; every part is normalised (``"3.0:1"`` gives ``"3:1"``).

No pandas or numpy is imported here (numpy scalars are recognised through :mod:`numbers`).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable
from typing import Final

CROSS_SEP: Final = ":"
"""Joins the variables of a crossed domain (``sector:sex``) and the codes of its levels (``3:1``)."""

_MISSING_TEXT = frozenset(("", "nan", "NaN", "None", "<NA>"))
_INTEGER_TEXT = re.compile(r"[+-]?\d+(\.0*)?")


def code_text(value: object) -> str:
    """The text form of one code (see the module docstring); ``""`` for a missing value."""
    if value is None:
        return ""
    if isinstance(value, numbers.Integral):  # int, bool, numpy integers
        return str(int(value))
    if isinstance(value, numbers.Real):  # float, numpy floats
        f = float(value)
        if math.isnan(f):
            return ""
        if math.isfinite(f) and f.is_integer():
            return str(int(f))
        return repr(f)
    text = str(value).strip()
    if text in _MISSING_TEXT:
        return ""
    if _INTEGER_TEXT.fullmatch(text):
        return str(int(float(text)))
    return text


def level_text(value: object) -> str:
    """The text form of a level, crossed or not: each :data:`CROSS_SEP`-separated part through
    :func:`code_text`. Idempotent: ``level_text(level_text(v)) == level_text(v)``."""
    if isinstance(value, str) and CROSS_SEP in value:
        return CROSS_SEP.join(code_text(p) for p in value.split(CROSS_SEP))
    return code_text(value)


def crossed_level(codes: Iterable[object]) -> str:
    """The level of a crossed domain from the codes of its variables: ``crossed_level((3, 1.0))``
    is ``"3:1"``."""
    return CROSS_SEP.join(code_text(c) for c in codes)


def crossed_domain(variables: Iterable[str]) -> str:
    """The ``by`` of a crossed domain: ``crossed_domain(("sector", "sex"))`` is ``"sector:sex"``."""
    return CROSS_SEP.join(variables)


def domain_variables(by: str) -> tuple[str, ...]:
    """The variables of a ``by`` value: ``("sector", "sex")`` for ``"sector:sex"``, ``()`` for the
    overall row."""
    return tuple(p.strip() for p in by.split(CROSS_SEP)) if by else ()


def level_code(level: object) -> int | None:
    """The integer code of a (not crossed) level (``"3"``, ``"3.0"``, 3); None for a missing or
    overall level and for a level that is not an integer code."""
    text = code_text(level)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if math.isfinite(value) and value.is_integer() else None
