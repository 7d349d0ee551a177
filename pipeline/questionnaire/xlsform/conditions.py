"""XLSForm conditions <-> the questionnaire's expression language.

XLSForm (XPath) -> expression language:

===============================  ==========================================
``${x} = 'yes'``                 ``x == 1`` (the code assigned to choice ``yes`` of x's list)
``${x} = 1``, ``${x}='1'``       ``x == 1``
``selected(${x}, 'red')``        ``x_3 == 1`` (the option variable of choice ``red``)
``${x} != ''`` / ``${x} = ''``   ``answered(x)`` / ``not answered(x)``
``not(...)``, ``and``, ``or``    the same
===============================  ==========================================

Any other function (``count-selected``, ``string-length``, ``if``, ...) is refused with a message
naming it. :func:`to_xlsform` is the inverse for what :func:`from_xlsform` writes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: item name -> {choice name -> code} for select items
Names = Mapping[str, Mapping[str, int]]

_SELECTED = re.compile(r"selected\(\s*\$\{(\w+)\}\s*,\s*(?:'([^']*)'|\"([^\"]*)\"|(-?\d+))\s*\)")
_EMPTY = re.compile(r"\$\{(\w+)\}\s*(!=|=)\s*(?:''|\"\")")
_CMP_TEXT = re.compile(r"\$\{(\w+)\}\s*(!=|<=|>=|=|<|>)\s*(?:'([^']*)'|\"([^\"]*)\")")
_TEXT_CMP = re.compile(r"(?:'([^']*)'|\"([^\"]*)\")\s*(!=|<=|>=|=|<|>)\s*\$\{(\w+)\}")
_REF = re.compile(r"\$\{(\w+)\}")
_FUNC = re.compile(r"([A-Za-z_][\w:-]*)\s*\(")
_SINGLE_EQ = re.compile(r"(?<![=!<>])=(?!=)")
_NUM = re.compile(r"^-?\d+(\.\d+)?$")


class ConditionError(ValueError):
    """A condition that cannot be translated; the message says what to change."""


def _code(names: Names, item: str, value: str) -> str:
    if _NUM.match(value.strip()):
        return value.strip()
    table = names.get(item)
    if table is None:
        raise ConditionError(
            f"${{{item}}} is compared with the text {value!r}, but it is no select question of "
            "this form (a calculate or text field cannot be used in routing)"
        )
    if value not in table:
        raise ConditionError(
            f"{value!r} is not a choice of ${{{item}}} (choices: {', '.join(sorted(table))})"
        )
    return str(table[value])


def from_xlsform(text: str, names: Names, single: frozenset[str] | set[str] = frozenset()) -> str:
    """Translate one XLSForm condition (see the module docstring); :class:`ConditionError`.
    ``single``: select_one items (``selected()`` on one of them is an equality)."""
    s = str(text).strip()
    for m in _FUNC.finditer(s):
        if m.group(1) not in ("selected", "not", "and", "or"):
            raise ConditionError(
                f"the function {m.group(1)}() is not supported (supported: selected(), not())"
            )

    def sel(m: re.Match[str]) -> str:
        value = next(g for g in m.groups()[1:] if g is not None)
        if m.group(1) in single:
            return f"{m.group(1)} == {_code(names, m.group(1), value)}"
        return f"{m.group(1)}_{_code(names, m.group(1), value)} == 1"

    s = _SELECTED.sub(sel, s)
    s = _EMPTY.sub(
        lambda m: (
            f"answered({m.group(1)})" if m.group(2) == "!=" else f"not answered({m.group(1)})"
        ),
        s,
    )
    s = _CMP_TEXT.sub(
        lambda m: (
            f"{m.group(1)} {m.group(2)} "
            + _code(names, m.group(1), m.group(3) if m.group(3) is not None else m.group(4))
        ),
        s,
    )
    s = _TEXT_CMP.sub(
        lambda m: (
            _code(names, m.group(4), m.group(1) if m.group(1) is not None else m.group(2))
            + f" {m.group(3)} {m.group(4)}"
        ),
        s,
    )
    s = _REF.sub(lambda m: m.group(1), s)
    if "'" in s or '"' in s:
        raise ConditionError("a quoted text could not be read as a choice or a number")
    s = _SINGLE_EQ.sub("==", s)
    s = re.sub(r"\bnot\s*\(", "not (", s)
    return " ".join(s.split())


_OPTION = re.compile(r"\b([A-Za-z]\w*)_(\d+)\s*==\s*1\b")
_ANSWERED = re.compile(r"\b(not\s+)?answered\(\s*(\w+)\s*\)")
_CMP = re.compile(r"\b([A-Za-z]\w*)\s*(==|!=|<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)")


def to_xlsform(expr: str, names: Names, multiple: Mapping[str, Mapping[int, str]]) -> str:
    """The inverse of :func:`from_xlsform` for the expressions it writes (and plain ones).

    ``names``: select item -> {choice name -> code} (text-named choices are written by name);
    ``multiple``: multiple-choice item -> {code -> choice name or code text}.
    """
    by_code = {item: {c: n for n, c in table.items()} for item, table in names.items()}

    def option(m: re.Match[str]) -> str:
        item, code = m.group(1), int(m.group(2))
        if item in multiple and code in multiple[item]:
            return f"selected(${{{item}}}, '{multiple[item][code]}')"
        return m.group(0)

    s = _OPTION.sub(option, expr)
    s = _ANSWERED.sub(lambda m: f"${{{m.group(2)}}} {'=' if m.group(1) else '!='} ''", s)

    def cmp(m: re.Match[str]) -> str:
        item, op, value = m.group(1), m.group(2), m.group(3)
        named = by_code.get(item, {})
        v = f"'{named[int(float(value))]}'" if named and float(value) in named else value
        return f"${{{item}}} {'=' if op == '==' else op} {v}"

    s = _CMP.sub(cmp, s)
    return s
