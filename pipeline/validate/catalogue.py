"""The issue catalogue: every kind of issue validation can emit, with a stable code.

Reports and tests refer to codes, never to message text. Each :class:`IssueType` has a title (for
tables), a severity (``error``: the data or the survey tool is wrong; ``warning``: needs a look;
``info``: for the record), a level (file / column / value / case) and a message template rendered with
``item``, ``value``, ``rule`` and ``detail``. ``set_aside`` marks the codes that are also *reasons* for
setting a row aside. Edit rule ids (what changed a value) are catalogued in :data:`EDIT_RULES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
Level = Literal["file", "column", "value", "case"]


@dataclass(frozen=True)
class IssueType:
    code: str
    title: str
    severity: Severity
    level: Level
    template: str
    set_aside: bool = False  # a reason code for set_aside.parquet

    def render(
        self,
        *,
        item: str | None = None,
        value: object | None = None,
        rule: str | None = None,
        detail: str | None = None,
    ) -> str:
        return self.template.format(
            item=item or "",
            value="" if value is None else value,
            rule=rule or "",
            detail=detail or "",
        )


_TYPES: tuple[IssueType, ...] = (
    # file level: these stop the run (raised as InputError with the code on the Problem)
    IssueType("file_missing", "File not found", "error", "file", "{detail}"),
    IssueType("file_empty", "Empty file", "error", "file", "{detail}"),
    IssueType("file_no_rows", "No data rows", "error", "file", "{detail}"),
    IssueType("file_format", "Wrong or damaged format", "error", "file", "{detail}"),
    IssueType("file_truncated", "Truncated file", "error", "file", "{detail}"),
    IssueType("file_encoding", "Undecodable text", "error", "file", "{detail}"),
    IssueType("columns_missing", "Expected columns missing", "error", "file", "{detail}"),
    IssueType("columns_duplicate", "Duplicated column names", "error", "file", "{detail}"),
    IssueType("mapping_error", "Columns or codes cannot be matched", "error", "file", "{detail}"),
    # how the file was read (pipeline.ingest.dialects): file and column level, for the record
    IssueType("dialect", "Import dialect", "info", "file", "read as {detail}"),
    IssueType("dialect_header_rows", "Extra header rows", "info", "file", "{detail}"),
    IssueType("columns_ignored", "Columns ignored", "info", "file", "{detail}"),
    IssueType("column_mapped", "Columns matched to variables", "info", "file", "{detail}"),
    IssueType("values_recoded", "Source values recoded", "info", "column", "{detail}"),
    IssueType(
        "values_by_label",
        "Text answers matched to value labels",
        "info",
        "column",
        "{item}: text answers read by their value labels: {detail}",
    ),
    IssueType(
        "text_not_matched",
        "Text answers that match no value label",
        "warning",
        "column",
        "{item}: text answers {detail} match no value label and are read as invalid; map them in "
        "a mapping file (wbm questionnaire map --input FILE proposes one)",
    ),
    # column level
    IssueType(
        "unknown_column",
        "Column not in the questionnaire",
        "info",
        "column",
        "column {item!r} is not a questionnaire variable; it is ignored {detail}",
    ),
    IssueType(
        "column_not_in_mode",
        "Variable not asked in this mode",
        "info",
        "column",
        "{item} is not asked in this mode; the column is ignored and the variable coded -1",
    ),
    # value level
    IssueType(
        "invalid_code",
        "Code not allowed",
        "error",
        "value",
        "{item}: value {value} is not an allowed code; set to -7 (invalid)",
    ),
    IssueType(
        "multiple_ticks",
        "Several boxes ticked",
        "warning",
        "value",
        "{item}: several answers ticked ({value}); set to -7 (invalid)",
    ),
    IssueType(
        "unparseable_value",
        "Value cannot be read as a number",
        "error",
        "value",
        "{item}: value {value} is not a number; set to -7 (invalid)",
    ),
    IssueType(
        "not_integer",
        "Not a whole number",
        "error",
        "value",
        "{item}: {value} is not a whole number; set to -7 (invalid)",
    ),
    IssueType(
        "hard_limit",
        "Outside the hard limits",
        "error",
        "value",
        "{item}: {value} is outside the hard limits {detail}; set to -7 (invalid)",
    ),
    IssueType(
        "soft_limit",
        "Outside the soft limits",
        "warning",
        "value",
        "{item}: {value} is outside the soft limits {detail}; kept, please check",
    ),
    IssueType(
        "routing_tool_error",
        "Routing violated by the survey tool",
        "error",
        "value",
        "{item}: {detail} although routing ({rule}) says otherwise; a programming error of the survey tool, value kept",
    ),
    IssueType(
        "routing_text_answered",
        "Text answer where routing skips the item",
        "warning",
        "value",
        "{item}: a text answer although routing ({rule}) skips the item; the text is kept for coding",
    ),
    IssueType(
        "required_missing",
        "Required item not answered",
        "warning",
        "value",
        "{item} is required but was not answered; coded -9",
    ),
    # rules
    IssueType(
        "rule_soft", "Soft consistency rule violated", "warning", "case", "rule {rule}: {detail}"
    ),
    IssueType(
        "rule_hard",
        "Hard consistency rule violated",
        "error",
        "case",
        "rule {rule}: {detail}",
        set_aside=True,
    ),
    # case level
    IssueType(
        "missing_id",
        "Missing respondent id",
        "error",
        "case",
        "no {item}: the row cannot be linked to the sample",
        set_aside=True,
    ),
    IssueType(
        "weighting_variable_missing",
        "Weighting variable not known",
        "error",
        "case",
        "{item} is {value}: the row cannot be weighted to the population margins",
        set_aside=True,
    ),
    IssueType(
        "outside_target_population",
        "Outside the target population",
        "info",
        "case",
        "target population condition ({rule}) does not hold",
        set_aside=True,
    ),
    IssueType(
        "target_population_unknown",
        "Target population unknown",
        "warning",
        "case",
        "target population condition ({rule}) cannot be evaluated (not answered); row kept",
    ),
    IssueType(
        "breakoff",
        "Break-off",
        "info",
        "case",
        "only {value} of the applicable items answered (break-off below {detail})",
        set_aside=True,
    ),
    IssueType(
        "duplicate",
        "Duplicate respondent (losing copy)",
        "info",
        "case",
        "same {item} as record {detail}, which is kept (precedence: {rule})",
        set_aside=True,
    ),
    IssueType(
        "speeder",
        "Speeder",
        "warning",
        "case",
        "completed in {value} s, under the {detail} s threshold",
        set_aside=True,
    ),
    IssueType(
        "straightlining",
        "Straightlining on a grid",
        "warning",
        "case",
        "the same answer ({value}) on all {detail} items of grid {item}",
    ),
    # sample frame
    IssueType(
        "frame_value_used",
        "Weighting variable taken from the sample frame",
        "info",
        "value",
        "{item} was {value} on the form: the frame (register) value {detail} is used",
    ),
    IssueType(
        "frame_unlinked",
        "Sample id not in the sample frame",
        "warning",
        "case",
        "{item} {value} is not in the sample frame {detail}: nothing can be filled from the register",
    ),
    IssueType(
        "frame_disagrees",
        "Answer differs from the register",
        "info",
        "value",
        "{item} is {value} on the form but {detail} in the sample frame; the answer is kept",
    ),
    # double keying
    IssueType(
        "keying_discrepancy",
        "Double keying discrepancy",
        "warning",
        "value",
        "{item}: first keying {value}, second keying {detail}; resolve against the paper form",
    ),
    IssueType(
        "keying_unmatched",
        "Form keyed only once",
        "warning",
        "case",
        "form {detail} is in {value} keying only",
    ),
)

CATALOGUE: Mapping[str, IssueType] = {t.code: t for t in _TYPES}
SET_ASIDE_REASONS: tuple[str, ...] = tuple(t.code for t in _TYPES if t.set_aside)


# Edit rules: every change of a value in edits.parquet carries one of these ids.
EDIT_RULES: Mapping[str, str] = {
    "multiple_ticks": "several answers ticked on paper -> -7 (invalid)",
    "invalid_code": "a code outside the item's choices and missing codes -> -7 (invalid)",
    "unparseable_value": "a value that is not a number -> -7 (invalid)",
    "not_integer": "a fractional value for an integer item -> -7 (invalid)",
    "hard_limit": "a value outside the item's hard limits -> -7 (invalid)",
    "routing_not_applicable": "paper: answered although routing says the item is skipped -> -1 (not applicable)",
    "blank_not_applicable": "blank on an item routing skips -> -1 (not applicable)",
    "blank_no_answer": "blank on an applicable item -> -9 (no answer)",
    "multiple_unticked": "multiple choice: an unticked option when another option is ticked -> 0",
    "frame_value": "a weighting variable blank or invalid on the form -> the sample frame's (register) value",
    "frame_register": "a register-only variable the form does not ask (origin) -> the sample frame's value, linked by sample id",
}
