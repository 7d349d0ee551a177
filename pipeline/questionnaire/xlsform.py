"""Import an XLSForm-style workbook (sheets ``survey``, ``choices``, ``settings``) into a questionnaire.

For methodologists who author in a spreadsheet. Standard XLSForm columns are understood (``type``,
``name``, ``label::nl``/``label::en`` = question text, ``hint``, ``relevant``, ``required``,
``constraint``, ``begin group``/``end group``); extra columns carry what XLSForm has no place for:
``variable_label::nl``/``::en`` (short label), ``measure``, ``role``, ``unit``, ``grid``, ``modes``,
``missing``, ``hard_min``/``hard_max``/``soft_min``/``soft_max``; on ``choices``: ``score``; on
``settings``: ``form_id``, ``form_title``, ``version``, ``wave``, ``population``, ``modes``,
``id_variable``, ``target_population::nl``/``::en``, ``title::en``.

XLSForm routing (``${telework} = 1``, ``selected(${reasons}, '2')``) is translated into the
expression language. The result goes through the same two-pass check as a YAML file; every problem
is reported at once with the sheet, row and column it comes from.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline.errors import Problem, SpecError
from pipeline.questionnaire.model import Questionnaire
from pipeline.questionnaire.module import Located
from pipeline.questionnaire.source import Source
from pipeline.questionnaire.structure import structure_problems

TYPES = {"integer": "integer", "decimal": "decimal", "text": "text", "date": "date"}
SKIPPED = {"note", "calculate", "start", "end", "today", "deviceid", "hidden"}


def _cell(v: Any) -> Any:
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def _rows(ws: Any) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        return [], []
    header = [str(h).strip().lower() if h is not None else "" for h in rows[0]]
    out = []
    for r, values in enumerate(rows[1:], start=2):
        rec = {h: _cell(v) for h, v in zip(header, values, strict=False) if h}
        if any(v is not None for v in rec.values()):
            out.append((r, rec))
    return header, out


def _text(rec: dict[str, Any], key: str) -> dict[str, str] | None:
    nl = rec.get(f"{key}::nl") or rec.get(f"{key}::dutch (nl)") or rec.get(key)
    en = rec.get(f"{key}::en") or rec.get(f"{key}::english (en)")
    if nl is None and en is None:
        return None
    out = {"nl": str(nl if nl is not None else en)}
    if en is not None:
        out["en"] = str(en)
    return out


_SELECTED = re.compile(r"selected\(\s*\$\{(\w+)\}\s*,\s*'?(\d+)'?\s*\)")
_REF = re.compile(r"\$\{(\w+)\}")
_SINGLE_EQ = re.compile(r"(?<![=!<>])=(?!=)")
_QUOTED_NUM = re.compile(r"'(-?\d+(?:\.\d+)?)'")


def translate_condition(text: str) -> str:
    """XLSForm condition -> expression language (``${x} = '1'`` -> ``x == 1``)."""
    s = _SELECTED.sub(lambda m: f"{m.group(1)}_{m.group(2)} == 1", text)
    s = _REF.sub(lambda m: m.group(1), s)
    s = _QUOTED_NUM.sub(lambda m: m.group(1), s)
    s = _SINGLE_EQ.sub("==", s)
    s = re.sub(r"\bnot\s*\(", "not (", s)
    return s


_CONSTRAINT = re.compile(r"^\s*\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")


def _constraint_limits(text: str) -> dict[str, float] | None:
    """``. >= 0 and . <= 7`` -> hard limits; anything else is not understood (None)."""
    out: dict[str, float] = {}
    for part in re.split(r"\band\b", text):
        m = _CONSTRAINT.match(part)
        if not m:
            return None
        op, v = m.group(1), float(m.group(2))
        out["hard_min" if op.startswith(">") else "hard_max"] = v
    return out


def _bool(v: Any) -> bool:
    return str(v).strip().lower() in ("yes", "true", "1", "ja", "y")


def _list(v: Any) -> list[str]:
    return [x for x in re.split(r"[\s,]+", str(v)) if x] if v is not None else []


def import_xlsform(path: Path) -> Questionnaire:
    """Read the workbook; raises :class:`SpecError` listing every problem (sheet, row, column).
    A workbook whose parts are damaged or cut off (a truncated sheet) is a located SpecError too."""
    from pipeline.textfile import DAMAGED_PART_ERRORS

    try:
        return _import_xlsform(path)
    except DAMAGED_PART_ERRORS as exc:
        raise SpecError(
            f"{path}: the workbook is damaged",
            [
                Problem(
                    f"a part of the workbook cannot be read ({type(exc).__name__}: "
                    f"{str(exc)[:120]}): truncated or damaged",
                    file=str(path),
                    code="not_a_workbook",
                    hint="open it in Excel and save it again as .xlsx",
                )
            ],
        ) from None


def _import_xlsform(path: Path) -> Questionnaire:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a non-workbook
        raise SpecError(
            f"{path}: not an Excel workbook",
            [
                Problem(
                    str(exc), file=str(path), code="not_a_workbook", hint="save the form as .xlsx"
                )
            ],
        ) from None
    problems: list[Problem] = []
    sheets = {name.lower(): wb[name] for name in wb.sheetnames}
    for needed in ("survey", "choices", "settings"):
        if needed not in sheets:
            problems.append(
                Problem(
                    f"sheet {needed!r} is missing",
                    file=str(path),
                    code="missing_sheet",
                    expected="sheets survey, choices and settings",
                )
            )
    if problems:
        raise SpecError(f"{path}: the workbook has {len(problems)} problem(s)", problems)

    def at(sheet: str, row: int, column: str | None, code: str, message: str, **kw: Any) -> None:
        problems.append(
            Problem(
                f"sheet {sheet}: {message}", file=str(path), row=row, column=column, code=code, **kw
            )
        )

    # ---- choices ----
    _, choice_rows = _rows(sheets["choices"])
    lists: dict[str, list[dict[str, Any]]] = {}
    for r, rec in choice_rows:
        name, code = rec.get("list_name"), rec.get("name")
        try:
            icode = int(str(code))
        except ValueError:
            at(
                "choices",
                r,
                "name",
                "bad_type",
                "choice codes are whole numbers",
                value=code,
                hint="use 1, 2, 3 ...",
            )
            continue
        entry: dict[str, Any] = {"code": icode, "label": _text(rec, "label") or {"nl": str(icode)}}
        if rec.get("score") is not None:
            entry["score"] = float(rec["score"])
        lists.setdefault(str(name), []).append(entry)

    # ---- survey ----
    _, survey_rows = _rows(sheets["survey"])
    items: list[dict[str, Any]] = []
    row_of: list[int] = []
    section: dict[str, str] | None = None
    for r, rec in survey_rows:
        typ = str(rec.get("type") or "").strip()
        parts = typ.replace("_", " ").split()
        if not parts:
            at(
                "survey",
                r,
                "type",
                "missing_key",
                "the row has no type",
                hint="fill in e.g. select_one yesno or integer",
            )
            continue
        if parts[:2] == ["begin", "group"] or parts[:2] == ["begin", "repeat"]:
            section = _text(rec, "label")
            continue
        if parts[:2] in (["end", "group"], ["end", "repeat"]) or parts[0] in SKIPPED:
            continue
        item: dict[str, Any] = {"name": rec.get("name")}
        if parts[0] == "select" and len(parts) >= 3 and parts[1] in ("one", "multiple"):
            item["type"] = "single" if parts[1] == "one" else "multiple"
            item["choices"] = parts[2]
            if parts[2] not in lists:
                at(
                    "survey",
                    r,
                    "type",
                    "unknown_choice_list",
                    f"choice list {parts[2]!r} is not on the choices sheet",
                    expected="one of " + ", ".join(sorted(lists)),
                )
        elif parts[0] in TYPES:
            item["type"] = TYPES[parts[0]]
        else:
            at(
                "survey",
                r,
                "type",
                "bad_value",
                f"type {typ!r} is not supported",
                value=typ,
                expected="select_one L, select_multiple L, integer, decimal, text, date, begin/end group, note",
            )
            continue
        question = _text(rec, "label")
        item["label"] = _text(rec, "variable_label") or question or {"nl": str(rec.get("name"))}
        if question is not None:
            item["text"] = question
        if section is not None:
            item["section"], section = section, None
        if rec.get("relevant"):
            item["relevant"] = translate_condition(str(rec["relevant"]))
        if rec.get("required") is not None:
            item["required"] = _bool(rec["required"])
        limits = {
            k: float(rec[k])
            for k in ("hard_min", "hard_max", "soft_min", "soft_max")
            if rec.get(k) is not None
        }
        if rec.get("constraint"):
            parsed = _constraint_limits(str(rec["constraint"]))
            if parsed is None:
                at(
                    "survey",
                    r,
                    "constraint",
                    "unsupported_constraint",
                    "only '. >= a and . <= b' constraints are understood",
                    value=rec["constraint"],
                    hint="use the hard_min/hard_max columns, or a rule in the YAML",
                )
            else:
                limits.update(parsed)
        if limits:
            item["limits"] = limits
        for key in ("measure", "role", "unit", "grid"):
            if rec.get(key) is not None:
                item[key] = str(rec[key])
        if rec.get("modes") is not None:
            item["modes"] = _list(rec["modes"])
        if rec.get("missing") is not None:
            item["missing"] = [int(x) for x in _list(rec["missing"])]
        items.append(item)
        row_of.append(r)

    # ---- settings ----
    _, settings_rows = _rows(sheets["settings"])
    st = settings_rows[0][1] if settings_rows else {}
    srow = settings_rows[0][0] if settings_rows else 2
    title = {"nl": str(st.get("form_title") or st.get("title::nl") or st.get("form_id") or "")}
    if st.get("title::en"):
        title["en"] = str(st["title::en"])
    study = {
        "id": st.get("form_id"),
        "title": title,
        "wave": st.get("wave"),
        "population": st.get("population"),
        "unit": st.get("unit")
        or ("organisation" if st.get("population") == "ondernemingen" else "person"),
        "target_population": _text(st, "target_population") or title,
        "modes": _list(st.get("modes") or "paper web"),
        "id_variable": st.get("id_variable"),
        "version": str(st.get("version") or "1"),
    }
    data = {
        "kind": "questionnaire",
        "schema_version": 1,
        "study": {k: v for k, v in study.items() if v is not None},
        "choice_lists": [{"name": n, "choices": c} for n, c in lists.items()],
        "items": items,
    }
    if st.get("weighting"):
        data["weighting"] = _list(st["weighting"])
    if st.get("domains"):
        data["domains"] = _list(st["domains"])

    # ---- the two passes, located back to sheet rows ----
    lines: dict[tuple[str | int, ...], int] = {("study",): srow}
    for i, r in enumerate(row_of):
        lines[("items", i)] = r
    src = Source(Path(path), data, lines)

    def relocate(p: Problem) -> Problem:
        parts = (p.path or "").split(".")
        sheet = (
            "settings"
            if parts[0] == "study"
            else "choices"
            if parts[0].startswith("choice_lists")
            else "survey"
        )
        return replace(
            p,
            file=f"{path}",
            line=None,
            row=p.line if sheet != "choices" else None,
            message=f"sheet {sheet}: {p.message}",
        )

    if not problems:
        try:
            q = Questionnaire.model_validate(data)
        except ValidationError as exc:
            problems += [relocate(p) for p in structure_problems(Questionnaire, exc, src)]
        else:
            from pipeline.questionnaire.check import cross_reference_problems
            from pipeline.questionnaire.problems import is_warning

            problems += [
                relocate(p)
                for p in cross_reference_problems(Located.single(q, src))
                if not is_warning(p.code)
            ]
            if not problems:
                return q
    raise SpecError(f"{path}: the workbook has {len(problems)} problem(s)", problems)
