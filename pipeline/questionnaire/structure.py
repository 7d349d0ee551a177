"""Pass 1 of a spec check: turn pydantic's validation errors into located, fixable problems.

Pydantic reports locations as tuples such as ``("items", 3, "choices", "tuple[Choice, ...]", 0,
"code")``. We drop the union-branch tags, find the YAML line, and translate the error type into a
problem code from :mod:`pipeline.questionnaire.problems` with what was expected and how to fix it.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from enum import Enum
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from pipeline.errors import Problem
from pipeline.questionnaire.source import Source

_BAD_TYPE = {
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "string_type": "text",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "tuple_type": "a list",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "finite_number": "a finite number",
}
#: words methodologists use for keys of the language (XLSForm, Blaise, LimeSurvey habits)
SYNONYMS = {
    "routing": "relevant",
    "route": "relevant",
    "filter": "relevant",
    "skip": "relevant",
    "condition": "relevant",
    "options": "choices",
    "answers": "choices",
    "values": "choices",
    "question": "text",
    "measure_level": "measure",
    "min": "limits",
    "max": "limits",
    "constraint": "limits",
    "level": "measure",
    "label_nl": "label",
}
_TEXT_HINT = "write a text per language, e.g. {nl: 'geslacht', en: 'sex'}"


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType)


def _tag_matches(tag: str, arg: Any) -> bool:
    origin = typing.get_origin(arg) or arg
    name = getattr(origin, "__name__", str(origin))
    return tag == name or tag.startswith(name + "[") or tag.startswith(f"function-after[{name}")


def _navigate(
    model: type[BaseModel], loc: Sequence[str | int]
) -> tuple[tuple[str | int, ...], Any, int | None]:
    """Clean path (union tags removed), the type at the end, and the index of the first union tag."""
    tp: Any = model
    clean: list[str | int] = []
    first_tag: int | None = None
    for k, seg in enumerate(loc):
        tp = _unwrap(tp)
        if _is_union(tp):
            branches = [a for a in typing.get_args(tp) if a is not type(None)]
            chosen = next(
                (a for a in branches if isinstance(seg, str) and _tag_matches(seg, a)), None
            )
            if chosen is not None:
                first_tag = k if first_tag is None else first_tag
                tp = chosen
                continue
            tp = next(
                (a for a in branches if typing.get_origin(a) is not None or isinstance(a, type)),
                branches[0],
            )
            tp = _unwrap(tp)
        clean.append(seg)
        origin = typing.get_origin(tp)
        if isinstance(seg, int):
            args = typing.get_args(tp)
            tp = args[0] if origin in (tuple, list) and args else Any
        elif isinstance(tp, type) and issubclass(tp, BaseModel):
            f = tp.model_fields.get(seg)
            tp = f.annotation if f is not None else Any
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        else:
            tp = Any
    return tuple(clean), tp, first_tag


def _fields_of(model: type[BaseModel], path: Sequence[str | int]) -> list[str]:
    tp = _navigate(model, path)[1] if path else model
    tp = _unwrap(tp)
    if _is_union(tp):
        tp = next(
            (a for a in typing.get_args(tp) if isinstance(a, type) and issubclass(a, BaseModel)),
            None,
        )
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return []


def _allowed_values(tp: Any) -> list[str]:
    tp = _unwrap(tp)
    if _is_union(tp):
        out: list[str] = []
        for a in typing.get_args(tp):
            out += _allowed_values(a)
        return out
    if typing.get_origin(tp) is typing.Literal:
        return [str(a) for a in typing.get_args(tp)]
    if isinstance(tp, type) and issubclass(tp, Enum):
        return [str(m.value) for m in tp]
    return []


def structure_problems(
    model: type[BaseModel], exc: ValidationError, src: Source, prefix: tuple[str | int, ...] = ()
) -> list[Problem]:
    """All pydantic errors as located problems, union-branch noise removed, one per location."""
    raw = []
    for e in exc.errors():
        clean, tp, tag_at = _navigate(model, e["loc"])
        raw.append((e, clean, tp, tag_at))
    # A union (``choices: str | tuple[...]``) reports one error per branch; keep the deepest ones.
    deepest: dict[tuple[Any, ...], int] = {}
    for e, _clean, _tp, tag_at in raw:
        if tag_at is not None:
            key = tuple(e["loc"][:tag_at])
            deepest[key] = max(deepest.get(key, 0), len(e["loc"]))
    out: list[Problem] = []
    seen: set[tuple[Any, ...]] = set()
    for e, clean, tp, tag_at in raw:
        if tag_at is not None:
            key = tuple(e["loc"][:tag_at])
            if len(e["loc"]) < deepest[key] or (deepest[key] == tag_at + 1 and key in seen):
                continue
            if deepest[key] == tag_at + 1:  # every branch failed at its top: one merged problem
                seen.add(key)
                out.append(
                    _one(
                        model, e, tuple(clean), tp, src, prefix, merged=_union_expected(model, key)
                    )
                )
                continue
        out.append(_one(model, e, tuple(clean), tp, src, prefix))
    return out


def _union_expected(model: type[BaseModel], key: tuple[Any, ...]) -> str:
    tp = _unwrap(_navigate(model, key)[1])
    names = []
    for a in typing.get_args(tp):
        if a is type(None):
            continue
        o = typing.get_origin(a) or a
        names.append(
            {str: "a name", tuple: "a list", list: "a list"}.get(o, getattr(o, "__name__", str(o)))
        )
    return " or ".join(names)


def _key(clean: tuple[str | int, ...]) -> str:
    return next((str(s) for s in reversed(clean) if isinstance(s, str)), "value")


def _one(
    model: type[BaseModel],
    e: Any,
    clean: tuple[str | int, ...],
    tp: Any,
    src: Source,
    prefix: tuple[str | int, ...],
    merged: str | None = None,
) -> Problem:
    typ = e["type"]
    path = prefix + clean
    inp = e.get("input")
    value = inp if not isinstance(inp, (dict, list, tuple)) else None
    if merged is not None:
        return src.problem(
            "bad_type",
            "value of the wrong type",
            path,
            value=value,
            expected=merged,
            hint="a choice list is either the name of a shared list or a list of {code, label}",
        )
    if typ == "extra_forbidden":
        key = str(clean[-1]) if clean else "?"
        allowed = _fields_of(model, clean[:-1])
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        syn = [
            SYNONYMS[k]
            for k in difflib.get_close_matches(key.lower(), list(SYNONYMS), n=1, cutoff=0.75)
        ]
        guess = close[0] if close else (syn[0] if syn and syn[0] in allowed else None)
        return src.problem(
            "unknown_key",
            f"unknown key {key!r}",
            path,
            expected="one of " + ", ".join(allowed),
            hint=f"did you mean {guess!r}?" if guess else "remove it or check the spelling",
        )
    if typ == "missing":
        key = str(clean[-1]) if clean else "?"
        return src.problem(
            "missing_key",
            f"required key {key!r} is missing",
            path,
            expected=f"a value for {key!r}",
            hint=f"add '{key}: ...' here"
            + (f"; {_TEXT_HINT}" if key in ("label", "title", "message") else ""),
        )
    if typ in ("enum", "literal_error"):
        allowed = _allowed_values(tp)
        return src.problem(
            "bad_value",
            f"value not allowed for {_key(clean)!r}",
            path,
            value=value,
            expected="one of " + ", ".join(repr(a) for a in allowed) if allowed else e["msg"],
            hint="use one of the listed values (lower case)",
        )
    if typ in _BAD_TYPE:
        expected = _BAD_TYPE[typ]
        hint: str | None = None
        annot = _unwrap(tp)
        if isinstance(annot, type) and annot.__name__ == "Text":
            expected, hint = "a text per language (a mapping with nl and en)", _TEXT_HINT
        elif typ in ("tuple_type", "list_type"):
            hint = "write a YAML list: [a, b] or one '- a' line per element"
        return src.problem(
            "bad_type",
            f"{_key(clean)}: wrong type of value",
            path,
            value=value,
            expected=expected,
            hint=hint,
        )
    if typ == "string_pattern_mismatch" and _key(clean) == "id":
        from pipeline.outpath import ID_EXPECTED

        return src.problem(
            "bad_id",
            "an id must be a slug (it becomes part of file names)",
            path,
            value=str(value)[:80] if value is not None else None,
            expected=ID_EXPECTED,
            hint="use a short name such as 'wbm-werknemers-2023'",
        )
    if typ == "value_error":
        msg = str(e.get("ctx", {}).get("error", e["msg"]))
        code = "bad_name" if "SPSS-safe" in msg else "bad_structure"
        return src.problem(
            code,
            msg,
            path,
            value=value if code == "bad_name" else None,
            hint="rename it, e.g. with letters, digits and _ only" if code == "bad_name" else None,
        )
    return src.problem("bad_structure", e["msg"], path, value=value)
