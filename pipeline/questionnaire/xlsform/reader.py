"""Import an XLSForm (``survey``, ``choices``, optional ``settings``) into a questionnaire.

Nothing is lost silently: every column and row is either imported, reported as a *notice* (it
carries no data the pipeline validates: notes, presentation columns, ODK metadata, languages other
than Dutch and English), or *refused* with a located problem (sheet, row, column as the spreadsheet
shows it, what to change). All problems are reported in one pass. See docs/xlsform.md.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline.errors import Problem, SpecError
from pipeline.questionnaire.model import Questionnaire
from pipeline.questionnaire.xlsform.importer import (
    LANGUAGE_CODES,
    SURVEY_READ,
    XlsformImport,
    _list,
    _slug,
    language,
)
from pipeline.questionnaire.xlsform.survey import SurveyImporter
from pipeline.questionnaire.xlsform.workbook import read_workbook

__all__ = ["SURVEY_READ", "XlsformImport", "import_xlsform", "language", "read_xlsform"]


def read_xlsform(
    path: Path,
    *,
    wave: int | None = None,
    population: str | None = None,
    modes: tuple[str, ...] | None = None,
) -> XlsformImport:
    """Import the workbook; :class:`SpecError` lists every problem at once (sheet, row, column).

    ``wave``, ``population``, ``modes``: used where the settings sheet does not say (a notice
    records every default taken)."""
    from pipeline.questionnaire.module import Located
    from pipeline.questionnaire.source import Source
    from pipeline.questionnaire.structure import structure_problems

    path = Path(path)
    sheets = read_workbook(path)
    imp = SurveyImporter(path, sheets)
    if "survey" not in sheets:
        raise SpecError(
            f"{path}: the workbook has no 'survey' sheet",
            [
                Problem(
                    "sheet 'survey' is missing",
                    file=str(path),
                    code="missing_sheet",
                    expected="a sheet named survey (and choices for select questions)",
                    hint="rename the sheet with the questions to 'survey'",
                )
            ],
        )
    for name, sheet in sheets.items():
        if name not in ("survey", "choices", "settings"):
            imp.notice(
                sheet,
                None,
                None,
                "this sheet is not read (an XLSForm has survey, choices and settings)",
            )
    settings = sheets.get("settings")
    st: dict[str, Any] = dict(settings.rows[0][1]) if settings and settings.rows else {}
    srow = settings.rows[0][0] if settings and settings.rows else None
    lang = str(st.get("default_language") or "")
    m = re.search(r"\(([a-z]{2,3})\)", lang.lower())
    imp.default_lang = {"en": "en"}.get(
        (m.group(1) if m else LANGUAGE_CODES.get(lang.lower(), "nl")), "nl"
    )
    lists, names, assigned = imp.choices()
    items, rows_of = imp.survey(lists, names)
    # ---- settings (the study); defaults are notices ----
    where = settings if settings is not None else "settings"

    def default(key: str, value: Any, why: str) -> Any:
        imp.notice(
            where,
            srow,
            key,
            f"no {key!r}: {value!r} {why}",
            hint=f"add a '{key}' column to the settings sheet",
        )
        return value

    title = {
        "nl": str(st.get("form_title") or st.get("title::nl") or st.get("form_id") or path.stem)
    }
    if st.get("title::en"):
        title["en"] = str(st["title::en"])
    form_id = str(st.get("form_id") or "") or default(
        "form_id", _slug(path.stem), "(from the file name) is used"
    )
    id_variable = st.get("id_variable")
    if id_variable is None:
        id_variable = default(
            "id_variable", "instance_id", "is used: a text item for ODK's meta/instanceID was added"
        )
        items.insert(
            0,
            {
                "name": "instance_id",
                "type": "text",
                "role": "direct_identifier",
                "missing": [],
                "label": {
                    "nl": "formulier-id (ODK instanceID)",
                    "en": "form instance id (ODK instanceID)",
                },
            },
        )
        rows_of.insert(0, srow or 1)
    study = {
        "id": _slug(form_id) if not re.fullmatch(r"[a-z0-9-]+", form_id) else form_id,
        "title": title,
        "wave": st.get("wave")
        if st.get("wave") is not None
        else (wave if wave is not None else default("wave", 0, "is recorded")),
        "population": st.get("population")
        or population
        or default("population", "werknemers", "is assumed"),
        "target_population": imp.texts(settings, st, "target_population") if settings else None,
        "modes": _list(st.get("modes"))
        or list(modes or ())
        or default("modes", ["web"], "are assumed"),
        "id_variable": id_variable,
        "version": str(st.get("version") or "1"),
    }
    if study["target_population"] is None:
        study["target_population"] = title
    for key in ("status", "languages", "strata"):
        if st.get(key):
            study[key] = st[key] if key == "status" else _list(st[key])
    note = imp.texts(settings, st, "note") if settings else None
    if note is not None:
        study["note"] = note
    if st.get("unit"):
        study["unit"] = st["unit"]
    elif study["population"] == "ondernemingen":
        study["unit"] = "organisation"
    data: dict[str, Any] = {
        "kind": "questionnaire",
        "schema_version": 1,
        "study": study,
        "choice_lists": [{"name": n, "choices": c} for n, c in lists.items()],
        "items": items,
    }
    for key in ("weighting", "domains"):
        if st.get(key):
            data[key] = _list(st[key])
    # ---- the two passes, located back to sheet rows ----
    lines: dict[tuple[str | int, ...], int] = {("study",): srow or 1}
    for i, r in enumerate(rows_of):
        lines[("items", i)] = r
    src = Source(path, data, lines)

    def relocate(p: Problem) -> Problem:
        top = (p.path or "").split(".")[0]
        sheet = (
            "settings"
            if top == "study"
            else "choices"
            if top.startswith("choice_lists")
            else "survey"
        )
        row = p.line if sheet == "survey" else srow if sheet == "settings" else None
        return replace(
            p,
            file=str(path),
            line=None,
            row=row,
            message=f"sheet {sheet}" + (f", row {row}" if row else "") + f": {p.message}",
        )

    problems = list(imp.problems)
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
            if not is_warning(p.code) and not _follows_refusal(p, imp.refused)
        ]
        if not problems:
            return XlsformImport(q, tuple(imp.notices), tuple(assigned))
    raise SpecError(f"{path}: the workbook has {len(problems)} problem(s)", problems)


def _follows_refusal(p: Problem, refused: set[str]) -> bool:
    """An unknown-variable problem about a question that was itself refused (already reported)."""
    if p.code != "unknown_variable":
        return False
    return any(re.search(rf"'{re.escape(n)}(_\d+)?'", p.message) for n in refused)


def import_xlsform(path: Path, **kw: Any) -> Questionnaire:
    """The questionnaire of an XLSForm (see :func:`read_xlsform`)."""
    return read_xlsform(path, **kw).questionnaire
