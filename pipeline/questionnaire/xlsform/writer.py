"""Write a questionnaire as an XLSForm workbook (.xlsx): the inverse of :mod:`.reader`.

Everything the reader imports is written back (texts in Dutch and English, hints, routing, required,
range constraints and their messages, sections as groups, choice names and codes, the extension
columns), so XLSForm -> YAML -> XLSForm -> YAML gives the same questionnaire. What an XLSForm has
no place for (scales, indicators, rules, derived variables, release recodes, quality settings) stays
in the YAML; :func:`write_xlsform` returns the list of what it did not write.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.questionnaire.model import Item, ItemType, Questionnaire, Text
from pipeline.questionnaire.xlsform.conditions import to_xlsform

SURVEY_COLUMNS = (
    "type",
    "name",
    "label::Dutch (nl)",
    "label::English (en)",
    "hint::Dutch (nl)",
    "hint::English (en)",
    "variable_label::nl",
    "variable_label::en",
    "relevant",
    "required",
    "constraint",
    "constraint_message::Dutch (nl)",
    "constraint_message::English (en)",
    "soft_min",
    "soft_max",
    "measure",
    "role",
    "unit",
    "grid",
    "modes",
    "missing",
)
CHOICE_COLUMNS = ("list_name", "name", "code", "label::Dutch (nl)", "label::English (en)", "score")
DEFAULT_MISSING = (-1, -7, -8, -9)


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _texts(t: Text | None) -> tuple[str | None, str | None]:
    return (t.nl, t.en) if t is not None else (None, None)


def _constraint(it: Item) -> str | None:
    lim = it.limits
    if lim is None:
        return None
    parts = []
    if lim.hard_min is not None:
        parts.append(f". >= {_num(lim.hard_min)}")
    if lim.hard_max is not None:
        parts.append(f". <= {_num(lim.hard_max)}")
    return " and ".join(parts) or None


def xlsform_rows(q: Questionnaire) -> dict[str, list[list[Any]]]:
    """The three sheets as rows (header first)."""
    names: dict[str, dict[str, int]] = {}
    multiple: dict[str, dict[int, str]] = {}
    for it in q.items:
        its = q.choices_of(it)
        named = {c.name: c.code for c in its if c.name is not None}
        if it.type == ItemType.single and named:
            names[it.name] = named
        if it.type == ItemType.multiple:
            multiple[it.name] = {c.code: c.name or str(c.code) for c in its}
    survey: list[list[Any]] = [list(SURVEY_COLUMNS)]
    in_group = 0
    for it in q.items:
        if it.name == q.study.id_variable and it.name == "instance_id":
            continue  # ODK's meta/instanceID, added by the reader
        if it.section is not None:
            if in_group:
                survey.append(["end group"])
            in_group += 1
            survey.append(["begin group", f"section_{in_group}", it.section.nl, it.section.en])
        if it.type in (ItemType.single, ItemType.multiple):
            ln = it.choices if isinstance(it.choices, str) else f"{it.name}_choices"
            typ = f"{'select_one' if it.type == ItemType.single else 'select_multiple'} {ln}"
        else:
            typ = it.type.value
        q_nl, q_en = _texts(it.text)
        h_nl, h_en = _texts(it.hint)
        m_nl, m_en = _texts(it.limits.message if it.limits else None)
        lim = it.limits
        row: dict[str, Any] = {
            "type": typ,
            "name": it.name,
            "label::Dutch (nl)": q_nl,
            "label::English (en)": q_en,
            "hint::Dutch (nl)": h_nl,
            "hint::English (en)": h_en,
            "variable_label::nl": it.label.nl,
            "variable_label::en": it.label.en,
            "relevant": to_xlsform(it.relevant, names, multiple) if it.relevant else None,
            "required": "yes" if it.required else None,
            "constraint": _constraint(it),
            "constraint_message::Dutch (nl)": m_nl,
            "constraint_message::English (en)": m_en,
            "soft_min": lim.soft_min if lim else None,
            "soft_max": lim.soft_max if lim else None,
            "measure": it.measure.value if it.measure else None,
            "role": it.role.value if it.role.value != "none" else None,
            "unit": it.unit,
            "grid": it.grid,
            "modes": " ".join(it.modes) if it.modes is not None else None,
            "missing": (
                " ".join(str(m) for m in it.missing)
                if tuple(it.missing) != DEFAULT_MISSING
                else None
            ),
        }
        if it.missing == ():
            row["missing"] = "none"  # no missing code allowed (an empty cell means the default)
        survey.append([row[c] for c in SURVEY_COLUMNS])
    if in_group:
        survey.append(["end group"])
    choices: list[list[Any]] = [list(CHOICE_COLUMNS)]
    lists = [(cl.name, cl.choices) for cl in q.choice_lists]
    lists += [(f"{it.name}_choices", it.choices) for it in q.items if isinstance(it.choices, tuple)]
    for ln, cs in lists:
        for c in cs:
            choices.append(
                [
                    ln,
                    c.name if c.name is not None else c.code,
                    c.code if c.name is not None else None,
                    c.label.nl,
                    c.label.en,
                    c.score,
                ]
            )
    st = q.study
    settings: dict[str, Any] = {
        "form_id": st.id,
        "form_title": st.title.nl,
        "title::en": st.title.en,
        "version": st.version,
        "wave": st.wave,
        "population": st.population,
        "unit": st.unit,
        "modes": " ".join(st.modes),
        "languages": " ".join(st.languages),
        "id_variable": None if st.id_variable == "instance_id" else st.id_variable,
        "target_population::nl": st.target_population.nl,
        "target_population::en": st.target_population.en,
        "status": st.status,
        "note::nl": st.note.nl if st.note else None,
        "note::en": st.note.en if st.note else None,
        "strata": " ".join(st.strata) or None,
        "weighting": " ".join(v for v in q.weighting if v in q.variables()) or None,
        "domains": " ".join(v for v in q.domains if v in q.variables()) or None,
    }
    settings_cols, settings_vals = list(settings), list(settings.values())
    return {"survey": survey, "choices": choices, "settings": [settings_cols, settings_vals]}


def not_written(q: Questionnaire) -> list[str]:
    """What the questionnaire holds that an XLSForm has no place for (it stays in the YAML)."""
    out = []
    for key, what in (
        ("scales", "scales"),
        ("indicators", "indicators"),
        ("rules", "cross-item rules"),
        ("derived", "derived variables"),
    ):
        n = len(getattr(q, key))
        if n:
            out.append(f"{n} {what}")
    derived = [v for v in (*q.weighting, *q.domains) if v not in q.variables()]
    if derived:
        out.append(
            "weighting variables and domains that are derived: " + ", ".join(dict.fromkeys(derived))
        )
    n = sum(it.release is not None for it in q.items)
    if n:
        out.append(f"release recodes of {n} items")
    from pipeline.questionnaire.model import DEFAULT_MISSING as MISSING_CODES
    from pipeline.questionnaire.model import Quality

    if q.missing_codes != MISSING_CODES:
        out.append("the missing codes")
    if q.quality != Quality():
        out.append("the quality settings")
    if q.mapping is not None:
        out.append("the wave mapping")
    return out


def write_xlsform(q: Questionnaire, path: Path) -> list[str]:
    """Write ``q`` as an XLSForm .xlsx (atomically); returns :func:`not_written`."""
    from pipeline.fileio import write_with
    from pipeline.spreadsheet import append_text_row, openpyxl_print_setup, openpyxl_workbook

    sheets = xlsform_rows(q)

    def writer(tmp: Path) -> None:
        wb = openpyxl_workbook()
        first = True
        for name, rows in sheets.items():
            ws = wb.active if first else wb.create_sheet(name)
            assert ws is not None
            ws.title = name
            openpyxl_print_setup(ws)  # landscape, one page wide, the header row on every page
            first = False
            for r in rows:
                append_text_row(ws, ["" if v is None else v for v in r])  # text stays text
        wb.save(tmp)

    write_with(Path(path), writer, suffix=".xlsx")
    return not_written(q)
