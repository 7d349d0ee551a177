"""The parts of an XLSForm import every sheet needs: located messages (errors and notices), texts
per language, the column vocabulary, and the choices sheet (codes for text choice names)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import Problem
from pipeline.questionnaire.model import Questionnaire
from pipeline.questionnaire.xlsform.workbook import Sheet

TYPES = {
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "text": "text",
    "string": "text",
    "date": "date",
}
#: ODK metadata and form-only rows: no answer in the data the pipeline validates
METADATA = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "imei",
    "start-geopoint",
}
#: columns of the survey sheet that only shape how a form is shown or filled in
PRESENTATION = {
    "appearance",
    "default",
    "read_only",
    "required_message",
    "requiredmsg",
    "image",
    "audio",
    "video",
    "media::image",
    "media::audio",
    "media::video",
    "guidance_hint",
    "autoplay",
    "parameters",
    "trigger",
    "rows",
    "style",
    "instance::odk:client-editable",
}
SURVEY_READ = {
    "type",
    "name",
    "relevant",
    "required",
    "constraint",
    "calculation",
    "choice_filter",
    "repeat_count",
    "measure",
    "role",
    "unit",
    "grid",
    "modes",
    "missing",
    "hard_min",
    "hard_max",
    "soft_min",
    "soft_max",
}
TEXTS = ("label", "hint", "constraint_message", "variable_label", "target_population", "note")
LANGUAGE_CODES = {
    "nl": "nl",
    "dutch": "nl",
    "nederlands": "nl",
    "vlaams": "nl",
    "flemish": "nl",
    "en": "en",
    "english": "en",
    "engels": "en",
}
YES = {"yes", "true", "true()", "1", "ja", "y"}
NO = {"no", "false", "false()", "0", "nee", "n"}
_CONSTRAINT = re.compile(r"^\s*\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")
OTHER_LABEL = {"nl": "andere", "en": "other"}
SPECIFY_LABEL = {"nl": "andere, namelijk", "en": "other, please specify"}


@dataclass(frozen=True)
class XlsformImport:
    """What an import made: the questionnaire, the notices, the codes given to text choice names."""

    questionnaire: Questionnaire
    notices: tuple[Problem, ...]
    choice_codes: tuple[tuple[str, str, int], ...]  # (list, choice name, code assigned)


def language(header: str) -> tuple[str, str | None] | None:
    """``label::english (en)`` -> ("label", "en"); ``label`` -> ("label", None); ``label::chinese``
    -> ("label", "?chinese"); not a text column -> None."""
    for key in TEXTS:
        if header == key:
            return key, None
        if header.startswith(key + "::"):
            lang = header[len(key) + 2 :].strip()
            m = re.search(r"\(([a-z]{2,3})\)\s*$", lang)
            code = m.group(1) if m else LANGUAGE_CODES.get(lang)
            return key, code if code in ("nl", "en") else f"?{lang}"
    return None


def _bool(v: Any) -> bool | None:
    s = str(v).strip().lower()
    return True if s in YES else False if s in NO else None


def _list(v: Any) -> list[str]:
    return [x for x in re.split(r"[\s,]+", str(v)) if x] if v is not None else []


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-") or "form"


class _Importer:
    def __init__(self, path: Path, sheets: dict[str, Sheet]) -> None:
        self.path = path
        self.sheets = sheets
        self.problems: list[Problem] = []
        self.notices: list[Problem] = []
        self.default_lang = "nl"
        self.refused: set[str] = set()
        self.single: set[str] = (
            set()
        )  # select_one questions  # names of refused questions (their references follow)

    # ---- located messages ----
    def _p(self, sheet: Sheet | str, row: int | None, header: str | None, **kw: Any) -> Problem:
        name = sheet.name if isinstance(sheet, Sheet) else sheet
        col = sheet.where(header) if isinstance(sheet, Sheet) and header else header
        message = kw.pop("message")
        return Problem(f"sheet {name}: {message}", file=str(self.path), row=row, column=col, **kw)

    def error(
        self,
        sheet: Sheet | str,
        row: int | None,
        header: str | None,
        code: str,
        message: str,
        **kw: Any,
    ) -> None:
        self.problems.append(self._p(sheet, row, header, message=message, code=code, **kw))

    def notice(
        self, sheet: Sheet | str, row: int | None, header: str | None, message: str, **kw: Any
    ) -> None:
        self.notices.append(
            self._p(sheet, row, header, message=message, code="xlsform_not_imported", **kw)
        )

    # ---- texts ----
    def texts(self, sheet: Sheet, rec: dict[str, Any], key: str) -> dict[str, str] | None:
        out: dict[str, str] = {}
        for h, v in rec.items():
            lang = language(h)
            if lang is None or lang[0] != key or v is None:
                continue
            code = lang[1] or self.default_lang
            if not code.startswith("?"):
                out.setdefault(code, str(v))
        if not out:
            return None
        if "nl" not in out:
            out = {"nl": out["en"], **out}
        return out

    def text_columns(self, sheet: Sheet) -> None:
        """Languages the questionnaire cannot hold, and forms without Dutch texts: notices."""
        langs = {language(h) for h, _l, _w in sheet.headers} - {None}
        for key, code in sorted((x for x in langs if x is not None), key=str):
            if code is not None and code.startswith("?"):
                h = f"{key}::{code[1:]}"
                self.notice(
                    sheet,
                    None,
                    h,
                    f"{key} texts in {code[1:]!r} are not imported: a questionnaire holds Dutch (nl) and English (en)",
                    hint="rename the column label::Dutch (nl) or label::English (en) if it is one of those",
                )
        has_nl = any(
            key == "label" and (code == "nl" or (code is None and self.default_lang == "nl"))
            for key, code in (x for x in langs if x is not None)
        )
        if not has_nl and any(k == "label" for k, _c in (x for x in langs if x is not None)):
            self.notice(
                sheet,
                None,
                "label",
                "there are no Dutch labels: the English texts are also used as the Dutch ones",
                hint="add label::Dutch (nl) columns",
            )

    # ---- choices ----
    def choices(
        self,
    ) -> tuple[
        dict[str, list[dict[str, Any]]], dict[str, dict[str, int]], list[tuple[str, str, int]]
    ]:
        sheet = self.sheets.get("choices")
        lists: dict[str, list[dict[str, Any]]] = {}
        names: dict[str, dict[str, int]] = {}
        assigned: list[tuple[str, str, int]] = []
        if sheet is None:
            return lists, names, assigned
        self.text_columns(sheet)
        known = {"list_name", "name", "score", "code"}
        for h, _letter, _w in sheet.headers:
            if (
                h not in known
                and language(h) is None
                and any(rec.get(h) is not None for _r, rec in sheet.rows)
            ):
                self.notice(
                    sheet,
                    None,
                    h,
                    "this column is not imported (choice filters and media are not part of a questionnaire)",
                )
        rows_by_list: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for r, rec in sheet.rows:
            ln, name = rec.get("list_name"), rec.get("name")
            if ln is None or name is None:
                self.error(
                    sheet,
                    r,
                    "list_name" if ln is None else "name",
                    "missing_key",
                    "a choice needs a list name and a name",
                    hint="fill in both cells or delete the row",
                )
                continue
            rows_by_list.setdefault(str(ln), []).append((r, rec))
        for ln, rows in rows_by_list.items():
            seen: dict[str, int] = {}
            ints = [
                int(rec["name"]) for _r, rec in rows if re.fullmatch(r"-?\d+", str(rec["name"]))
            ]
            given = [rec.get("code") for _r, rec in rows]
            next_code = max([c for c in ints if c >= 0] + [0]) + 1
            entries = []
            for r, rec in rows:
                name = str(rec["name"])
                if name in seen:
                    self.error(
                        sheet,
                        r,
                        "name",
                        "duplicate_code",
                        f"choice {name!r} is in list {ln!r} twice (first in row {seen[name]})",
                        hint="give every choice of a list its own name",
                    )
                    continue
                seen[name] = r
                if rec.get("code") is not None:
                    try:
                        code = int(rec["code"])
                    except (TypeError, ValueError):
                        self.error(
                            sheet,
                            r,
                            "code",
                            "bad_type",
                            "a code is a whole number",
                            value=rec["code"],
                        )
                        continue
                elif re.fullmatch(r"-?\d+", name):
                    code = int(name)
                else:
                    code = next_code
                    next_code += 1
                entry: dict[str, Any] = {
                    "code": code,
                    "label": self.texts(sheet, rec, "label") or {"nl": name},
                }
                if not re.fullmatch(r"-?\d+", name) or any(g is not None for g in given):
                    entry["name"] = name
                    assigned.append((ln, name, code))
                if rec.get("score") is not None:
                    try:
                        entry["score"] = float(rec["score"])
                    except (TypeError, ValueError):
                        self.error(
                            sheet, r, "score", "bad_type", "a score is a number", value=rec["score"]
                        )
                entries.append(entry)
                names.setdefault(ln, {})[name] = code
            lists[ln] = entries
        return lists, names, assigned

    # ---- survey ----
