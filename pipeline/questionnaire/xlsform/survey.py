"""The survey sheet of an XLSForm: questions, groups (sections, relevant on groups), or_other,
routing, required, constraints, hints; refused features (repeats, choice filters, unsupported types
and conditions) as located problems, rows without data (notes, calculate, metadata) as notices."""

from __future__ import annotations

import re
from typing import Any

from pipeline.questionnaire.xlsform.conditions import ConditionError, from_xlsform
from pipeline.questionnaire.xlsform.importer import (
    METADATA,
    OTHER_LABEL,
    PRESENTATION,
    SPECIFY_LABEL,
    SURVEY_READ,
    TYPES,
    _bool,
    _Importer,
    _list,
    language,
)
from pipeline.questionnaire.xlsform.workbook import Sheet

_CONSTRAINT = re.compile(r"^\s*\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")


class SurveyImporter(_Importer):
    def survey(
        self, lists: dict[str, list[dict[str, Any]]], names: dict[str, dict[str, int]]
    ) -> tuple[list[dict[str, Any]], list[int]]:
        sheet = self.sheets["survey"]
        self.text_columns(sheet)
        for h, _letter, _w in sheet.headers:
            if h in SURVEY_READ or language(h) is not None:
                continue
            rows = [r for r, rec in sheet.rows if rec.get(h) is not None]
            if not rows:
                continue
            what = (
                "form presentation only"
                if h in PRESENTATION or h.startswith(("media::", "body::", "instance::"))
                else "not a questionnaire column"
            )
            self.notice(
                sheet, None, h, f"{what}: not imported ({len(rows)} row(s), first row {rows[0]})"
            )
        # item name -> {choice name -> code}, for conditions
        cond_names: dict[str, dict[str, int]] = {}
        for _r, rec in sheet.rows:
            parts = str(rec.get("type") or "").split()
            if (
                len(parts) >= 2
                and parts[0] in ("select_one", "select_multiple")
                and rec.get("name")
            ):
                cond_names[str(rec["name"])] = names.get(parts[1], {})
                if parts[0] == "select_one":
                    self.single.add(str(rec["name"]))
            elif (
                len(parts) >= 4
                and parts[:2] == ["select", "one"]
                and parts[2] == "from"
                and rec.get("name")
            ):
                cond_names[str(rec["name"])] = names.get(parts[3], {})
                self.single.add(str(rec["name"]))
        items: list[dict[str, Any]] = []
        rows_of: list[int] = []
        groups: list[tuple[str | None, dict[str, str] | None]] = []  # (relevant, label)
        repeat_depth = 0
        pending_section: dict[str, str] | None = None
        skipped: dict[str, list[int]] = {}
        for r, rec in sheet.rows:
            typ = " ".join(str(rec.get("type") or "").split())
            low = typ.lower()
            if not typ:
                self.error(
                    sheet,
                    r,
                    "type",
                    "missing_key",
                    "the row has no type",
                    hint="fill in a type (e.g. select_one yes_no, integer) or delete the row",
                )
                continue
            if low in (
                "begin repeat",
                "begin_repeat",
                "begin loop",
                "begin_loop",
            ) or low.startswith("begin loop"):
                if repeat_depth == 0:
                    self.error(
                        sheet,
                        r,
                        "type",
                        "xlsform_unsupported",
                        "repeats are not supported: a questionnaire has one row of answers per respondent",
                        hint="replace the repeat by numbered questions (member1_age, member2_age, ...), or import the repeated part as a questionnaire of its own",
                    )
                repeat_depth += 1
                continue
            if low in ("end repeat", "end_repeat", "end loop", "end_loop"):
                repeat_depth = max(0, repeat_depth - 1)
                continue
            if repeat_depth:
                self.refused.add(str(rec.get("name")))
                continue  # inside a refused repeat: reported once at its begin row
            if low in ("begin group", "begin_group"):
                rel = self.condition(sheet, r, "relevant", rec.get("relevant"), cond_names)
                label = self.texts(sheet, rec, "label")
                groups.append((rel, label))
                if label:
                    pending_section = label
                continue
            if low in ("end group", "end_group"):
                if groups:
                    groups.pop()
                else:
                    self.error(
                        sheet,
                        r,
                        "type",
                        "bad_structure",
                        "'end group' without a 'begin group'",
                        hint="delete the row or add the matching begin group",
                    )
                continue
            base = low.split()[0]
            if base in METADATA or base in ("note", "calculate", "hidden"):
                skipped.setdefault(base, []).append(r)
                continue
            if rec.get("choice_filter") is not None:
                self.error(
                    sheet,
                    r,
                    "choice_filter",
                    "xlsform_unsupported",
                    "choice filters are not supported: every choice of the list is allowed in a questionnaire",
                    value=rec["choice_filter"],
                    hint="delete the filter, or give this question its own list with only the choices it may take",
                )
            item: dict[str, Any] = {"name": rec.get("name")}
            other: dict[str, Any] | None = None
            if rec.get("name") is None:
                self.error(
                    sheet,
                    r,
                    "name",
                    "missing_key",
                    "the question has no name",
                    hint="fill in a variable name",
                )
                continue
            select = re.fullmatch(
                r"(select_one|select_multiple)\s+(\S+)(\s+or_other)?", typ
            ) or re.fullmatch(
                r"select (one|all that apply|multiple) from\s+(\S+)(\s+or specify other)?", typ
            )
            if select:
                kind = select.group(1)
                ln = select.group(2)
                item["type"] = "single" if kind in ("select_one", "one") else "multiple"
                if ln not in lists:
                    self.error(
                        sheet,
                        r,
                        "type",
                        "unknown_choice_list",
                        f"choice list {ln!r} is not on the choices sheet",
                        expected="one of " + ", ".join(sorted(lists))
                        if lists
                        else "a list on the choices sheet",
                        hint="add the list to the choices sheet or correct the name",
                    )
                    continue
                if select.group(3):
                    ln, other = self.or_other(lists, names, ln, item, cond_names)
                item["choices"] = ln
            elif base in TYPES and len(low.split()) == 1:
                item["type"] = TYPES[base]
            else:
                self.error(
                    sheet,
                    r,
                    "type",
                    "xlsform_unsupported",
                    f"question type {typ!r} is not supported",
                    value=typ,
                    expected="select_one LIST, select_multiple LIST (or_other), integer, decimal, text, date, note, calculate, begin/end group",
                    hint="change the type, or delete the row if its answer is not analysed",
                )
                continue
            question = self.texts(sheet, rec, "label")
            item["label"] = (
                self.texts(sheet, rec, "variable_label") or question or {"nl": str(rec["name"])}
            )
            if question is not None:
                item["text"] = question
            hint = self.texts(sheet, rec, "hint")
            if hint is not None:
                item["hint"] = hint
            if pending_section is not None:
                item["section"], pending_section = pending_section, None
            rels = [g for g, _l in groups if g]
            own = self.condition(sheet, r, "relevant", rec.get("relevant"), cond_names)
            if own:
                rels.append(own)
            if rels:
                item["relevant"] = " and ".join(f"({x})" if len(rels) > 1 else x for x in rels)
            if rec.get("required") is not None:
                req = _bool(rec["required"])
                if req is None:
                    self.error(
                        sheet,
                        r,
                        "required",
                        "xlsform_unsupported",
                        "only yes/no (true()/false()) is supported in 'required'; a condition is not",
                        value=rec["required"],
                        hint="write yes or no; put the condition in 'relevant' instead",
                    )
                else:
                    item["required"] = req
            limits: dict[str, Any] = {}
            for k in ("hard_min", "hard_max", "soft_min", "soft_max"):
                if rec.get(k) is not None:
                    try:
                        limits[k] = float(rec[k])
                    except (TypeError, ValueError):
                        self.error(sheet, r, k, "bad_type", f"{k} is a number", value=rec[k])
            if rec.get("constraint") is not None:
                parsed = _constraint_limits(str(rec["constraint"]))
                if parsed is None:
                    self.error(
                        sheet,
                        r,
                        "constraint",
                        "unsupported_constraint",
                        "only range constraints ('. >= a and . <= b') are supported",
                        value=rec["constraint"],
                        hint="write the range as '. >= a and . <= b' (or use hard_min/hard_max), or move the check to a rule in the YAML",
                    )
                else:
                    limits.update(parsed)
            message = self.texts(sheet, rec, "constraint_message")
            if message is not None:
                if limits:
                    limits["message"] = message
                else:
                    self.error(
                        sheet,
                        r,
                        "constraint_message",
                        "xlsform_unsupported",
                        "a constraint message without a supported constraint",
                        hint="add the constraint or delete the message",
                    )
            if limits:
                item["limits"] = limits
            for key in ("measure", "role", "unit", "grid"):
                if rec.get(key) is not None:
                    item[key] = str(rec[key])
            if rec.get("modes") is not None:
                item["modes"] = _list(rec["modes"])
            if rec.get("missing") is not None and str(rec["missing"]).strip().lower() == "none":
                item["missing"] = []
            elif rec.get("missing") is not None:
                try:
                    item["missing"] = [int(x) for x in _list(rec["missing"])]
                except ValueError:
                    self.error(
                        sheet,
                        r,
                        "missing",
                        "bad_type",
                        "missing codes are whole numbers",
                        value=rec["missing"],
                    )
            items.append(item)
            rows_of.append(r)
            if other is not None:
                items.append(other)
                rows_of.append(r)
        bad_rows = {p.row for p in self.problems if p.message.startswith("sheet survey")}
        self.refused |= {str(rec.get("name")) for r, rec in sheet.rows if r in bad_rows}
        if repeat_depth or groups:
            self.error(
                sheet,
                None,
                "type",
                "bad_structure",
                "a 'begin group' or 'begin repeat' has no matching end",
                hint="add the missing 'end group' / 'end repeat' row",
            )
        for base, rows in skipped.items():
            why = {
                "note": "notes carry no answer",
                "calculate": "calculated fields are not answers; a value the data holds for them is reported as an unknown column when validating",
                "hidden": "hidden fields are not answers",
            }.get(base, "ODK metadata, not an answer")
            self.notice(
                sheet,
                rows[0],
                "type",
                f"{len(rows)} '{base}' row(s) not imported ({why}): rows {', '.join(map(str, rows))}",
            )
        return items, rows_of

    def condition(
        self, sheet: Sheet, row: int, header: str, text: Any, names: dict[str, dict[str, int]]
    ) -> str | None:
        if text is None:
            return None
        try:
            return from_xlsform(str(text), names, self.single)
        except ConditionError as exc:
            self.error(
                sheet,
                row,
                header,
                "xlsform_unsupported",
                f"the condition cannot be imported: {exc}",
                value=str(text),
                hint="write it with ${name}, =, !=, <, >, and, or, not() and selected()",
            )
            return None

    def or_other(
        self,
        lists: dict[str, list[dict[str, Any]]],
        names: dict[str, dict[str, int]],
        ln: str,
        item: dict[str, Any],
        cond_names: dict[str, dict[str, int]],
    ) -> tuple[str, dict[str, Any]]:
        """``or_other``: the list plus an 'other' choice, and a text item ``<name>_other`` asked when
        'other' is chosen (what ODK adds to the form and the data)."""
        new = f"{ln}_or_other"
        if new not in lists:
            code = max([c["code"] for c in lists[ln]] + [0]) + 1
            lists[new] = [*lists[ln], {"code": code, "label": dict(OTHER_LABEL), "name": "other"}]
            names[new] = {**names.get(ln, {}), "other": code}
        code = names[new]["other"]
        name = str(item["name"])
        cond_names[name] = names[new]
        rel = f"{name} == {code}" if item["type"] == "single" else f"{name}_{code} == 1"
        return new, {
            "name": f"{name}_other",
            "type": "text",
            "label": dict(SPECIFY_LABEL),
            "relevant": rel,
        }


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
