"""Catalogue of the problems a questionnaire check can report (frictionless-style stable codes).

Tests and reports refer to these codes, never to message text. ``PASS`` says in which pass a code is
found: 1 = structure (YAML, keys, types), 2 = cross-references (names, routing, scales, cut-offs).
Codes marked ``warning`` do not make a file invalid.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProblemType:
    code: str
    title: str
    description: str
    pass_: int
    warning: bool = False


_T = ProblemType
CATALOGUE: dict[str, ProblemType] = {
    t.code: t
    for t in [
        # ---- pass 1: structure ----
        _T(
            "file_not_found",
            "File not found",
            "The questionnaire file or shipped id does not exist.",
            1,
        ),
        _T(
            "file_unreadable",
            "File cannot be read",
            "The path is a folder, or the file cannot be opened.",
            1,
        ),
        _T(
            "not_utf8",
            "Not UTF-8",
            "The file is not UTF-8 text (UTF-16, Latin-1/Windows-1252 or binary).",
            1,
        ),
        _T(
            "yaml_too_large",
            "Document too large",
            "The file, or the values its aliases expand to, exceeds the size a spec file may have.",
            1,
        ),
        _T("yaml_too_deep", "Nested too deep", "Mappings and lists are nested too deep.", 1),
        _T(
            "yaml_tag",
            "YAML tag not allowed",
            "A tag such as '!!python/object' or '!foo': spec files hold plain values only.",
            1,
        ),
        _T(
            "yaml_syntax",
            "YAML syntax error",
            "The file is not valid YAML (indentation, colons, quotes).",
            1,
        ),
        _T(
            "yaml_merge_key",
            "Merge key",
            "YAML merge keys ('<<') are not supported; write the values out.",
            1,
        ),
        _T("bad_key", "Bad key", "A mapping key is not a plain word.", 1),
        _T(
            "bad_id",
            "Id is not a slug",
            "study.id must be letters, digits, '.', '_' and '-' (it becomes part of file names).",
            1,
        ),
        _T(
            "duplicate_key",
            "Duplicate key",
            "The same key appears twice in one mapping (YAML would keep the last silently).",
            1,
        ),
        _T(
            "not_a_mapping",
            "Not a mapping",
            "The file or a section is not a mapping of keys to values.",
            1,
        ),
        _T(
            "wrong_kind",
            "Wrong kind",
            "'kind' is not 'questionnaire' or 'questionnaire_module'.",
            1,
        ),
        _T(
            "unsupported_schema_version",
            "Unsupported schema version",
            "The file was written for another version of the schema language.",
            1,
        ),
        _T(
            "unknown_key",
            "Unknown key",
            "A key that the schema language does not know (often a typo).",
            1,
        ),
        _T("missing_key", "Missing key", "A required key is absent.", 1),
        _T(
            "bad_type",
            "Wrong type of value",
            "A value has the wrong type (text where a number is expected, ...).",
            1,
        ),
        _T("bad_value", "Value not allowed", "A value is not one of the allowed values.", 1),
        _T(
            "bad_name",
            "Name not SPSS-safe",
            "Variable names start with a letter, then letters, digits or _, at most 64 characters.",
            1,
        ),
        _T(
            "bad_structure",
            "Structure error",
            "Another structural rule is broken (see the message).",
            1,
        ),
        _T(
            "not_a_workbook",
            "Not a workbook",
            "The XLSForm file cannot be opened as an .xlsx or .xls workbook.",
            1,
        ),
        _T(
            "missing_sheet",
            "Sheet missing",
            "An XLSForm workbook needs a survey sheet (and choices for select questions).",
            1,
        ),
        _T(
            "xlsform_unsupported",
            "XLSForm feature not supported",
            "A feature a questionnaire cannot hold (repeats, choice filters, conditional required, "
            "question types without a numeric or text answer, functions in conditions); the "
            "message says what to change in the spreadsheet.",
            1,
        ),
        _T(
            "xlsform_not_imported",
            "Not imported from the XLSForm",
            "Something in the form that carries no answer the pipeline validates (notes, calculate "
            "and metadata rows, presentation columns, other languages, settings defaults): "
            "listed so that nothing is dropped silently.",
            1,
            warning=True,
        ),
        _T(
            "unsupported_constraint",
            "Constraint not understood",
            "Only '. >= a and . <= b' constraints are imported.",
            1,
        ),
        # ---- pass 2: cross-references ----
        _T(
            "duplicate_name",
            "Duplicate name",
            "Two items, variables, lists, scales, indicators or rules share a name.",
            2,
        ),
        _T(
            "duplicate_code",
            "Duplicate code",
            "A choice list, band set or recode uses the same code twice.",
            2,
        ),
        _T(
            "negative_choice_code",
            "Negative choice code",
            "Substantive codes are >= 0; negative codes are reserved for non-substantive answers.",
            2,
        ),
        _T(
            "unknown_choice_list",
            "Unknown choice list",
            "An item refers to a choice list that is not defined.",
            2,
        ),
        _T(
            "choices_missing",
            "Choices missing",
            "A single or multiple choice item has no choices.",
            2,
        ),
        _T(
            "choices_not_allowed",
            "Choices not allowed",
            "Only single and multiple choice items have choices.",
            2,
        ),
        _T(
            "limits_order",
            "Limits out of order",
            "Expected hard_min <= soft_min <= soft_max <= hard_max.",
            2,
        ),
        _T(
            "limits_not_numeric",
            "Limits on a non-numeric item",
            "Limits apply to integer and decimal items only.",
            2,
        ),
        _T(
            "undeclared_missing_code",
            "Undeclared missing code",
            "An item allows a non-substantive code that missing_codes does not declare.",
            2,
        ),
        _T(
            "bad_missing_code",
            "Bad missing code",
            "Non-substantive codes are negative and unique.",
            2,
        ),
        _T(
            "expr_syntax",
            "Expression syntax error",
            "A routing, rule or population expression does not parse.",
            2,
        ),
        _T(
            "expr_non_numeric",
            "Condition on a text item",
            "Conditions use numeric or coded variables only.",
            2,
        ),
        _T(
            "expr_unknown_code",
            "Condition on an unknown code",
            "A condition compares a coded variable with a code it does not have.",
            2,
        ),
        _T(
            "unknown_variable",
            "Unknown variable",
            "An expression or list refers to a variable that does not exist.",
            2,
        ),
        _T(
            "routing_forward_reference",
            "Routing refers to a later item",
            "Routing may only depend on items asked earlier.",
            2,
        ),
        _T(
            "routing_cycle",
            "Routing cycle",
            "Items whose routing conditions depend on each other in a circle.",
            2,
        ),
        _T(
            "unknown_item",
            "Unknown item",
            "A scale, recode, mapping or setting refers to an item that does not exist.",
            2,
        ),
        _T(
            "reverse_not_in_scale",
            "Reverse item not in scale",
            "A reverse-coded item is not among the scale's items.",
            2,
        ),
        _T(
            "scale_item_not_scorable",
            "Scale item not scorable",
            "Scale items must be single choice items with numeric scores.",
            2,
        ),
        _T(
            "scale_mixed_choices",
            "Scale items use different answer scales",
            "Items of one scale should share one choice list.",
            2,
            True,
        ),
        _T(
            "min_valid_range",
            "Minimum valid items out of range",
            "min_valid must be between 1 and the number of items.",
            2,
        ),
        _T("scoring_range", "Scoring range empty", "scoring.min must be below scoring.max.", 2),
        _T(
            "unknown_scale",
            "Unknown scale",
            "An indicator refers to a scale that does not exist.",
            2,
        ),
        _T(
            "unknown_indicator",
            "Unknown indicator",
            "A composite or mapping refers to an indicator that does not exist.",
            2,
        ),
        _T(
            "composite_of_non_traffic_light",
            "Composite of a non-traffic-light",
            "Composites and counts combine traffic_light indicators.",
            2,
        ),
        _T(
            "cutoff_out_of_range",
            "Cut-off outside the scale range",
            "Cut-offs must lie within the scale's scoring min and max.",
            2,
        ),
        _T(
            "cutoff_order",
            "Cut-offs in the wrong order",
            "acuut lies beyond problematisch in the problem direction.",
            2,
        ),
        _T(
            "cutoff_population_unknown",
            "Cut-off population unknown",
            "Cut-offs are given for 'default' or a population declared in study.populations.",
            2,
        ),
        _T(
            "band_overlap",
            "Bands overlap",
            "Bands of a derived variable or release recode overlap or are out of order.",
            2,
        ),
        _T(
            "recode_unknown_code",
            "Recode of an unknown code",
            "A release map recodes a code the item does not have, or to a code without a label.",
            2,
        ),
        _T(
            "recode_not_numeric",
            "Recode needs a numeric item",
            "Bands and top-coding apply to integer and decimal items.",
            2,
        ),
        _T(
            "not_categorical",
            "Variable is not categorical",
            "Weighting, domains and strata need single choice or derived variables.",
            2,
        ),
        _T(
            "not_numeric",
            "Variable is not numeric",
            "A numeric indicator (`kind: numeric`) summarises an integer or decimal item.",
            2,
        ),
        _T(
            "mode_not_in_study",
            "Mode not fielded",
            "An item is limited to a mode the study does not field.",
            2,
        ),
        _T("language_nl_required", "Dutch required", "study.languages must include nl.", 2),
        _T(
            "missing_translation",
            "Missing translation",
            "A label lacks the text for a declared language.",
            2,
            True,
        ),
        _T(
            "id_variable_role",
            "Identifier role",
            "The id variable should have role direct_identifier.",
            2,
            True,
        ),
        _T(
            "unit_population_mismatch",
            "Unit and population disagree",
            "ondernemingen are organisations; persons otherwise.",
            2,
        ),
        _T(
            "unknown_extends",
            "Base questionnaire not found",
            "A module extends a questionnaire that cannot be found.",
            2,
        ),
        _T("extends_cycle", "Modules extend each other", "Module composition forms a cycle.", 2),
        _T(
            "unknown_position",
            "Unknown insert position",
            "insert_before names an item that does not exist in the base.",
            2,
        ),
        _T(
            "mapping_previous_not_found",
            "Previous wave not found",
            "The mapping's previous questionnaire cannot be loaded.",
            2,
        ),
        _T(
            "mapping_code_mismatch",
            "Mapped items differ in codes",
            "A mapped item has other choice codes in the previous wave.",
            2,
            True,
        ),
    ]
}


def is_warning(code: str | None) -> bool:
    t = CATALOGUE.get(code or "")
    return bool(t and t.warning)
