"""The catalogue of every code a user can see (frictionless habit: a stable code, a title, a meaning).

An error a command stops with (:class:`pipeline.errors.PipelineError`), each located problem inside
it (:class:`pipeline.errors.Problem`) and each notice in a result (:class:`pipeline.errors.Notice`)
carries a code; tests, reports and users refer to codes, never to message text. This module is the
one registry of them. Two families keep their own catalogues, with more fields, and are part of
this one: the questionnaire check (:data:`pipeline.questionnaire.problems.CATALOGUE`: pass and
warning) and validation (:data:`pipeline.validate.catalogue.CATALOGUE`: severity, level, set-aside
reason); they are joined to this one where all codes are needed (:mod:`pipeline.commands.errors`,
``wbm errors``: this module is foundation and imports no spec or engine). ``docs/errors.md`` is
generated (``wbm errors --markdown > docs/errors.md``) and a test keeps it equal to the registry;
another test fails when the code base uses a code that is not catalogued.

Exit codes of the ``wbm`` command are set by the error's class, not its code: see :data:`EXIT_CODES`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Kind = Literal["error", "problem", "notice"]


@dataclass(frozen=True)
class ErrorCode:
    """One code: what it is called, which area raises it, what it means and how to fix it."""

    code: str
    area: str
    title: str
    meaning: str
    kind: Kind = "error"


#: what the ``wbm`` command exits with
EXIT_CODES: tuple[tuple[int, str], ...] = (
    (0, "success (for `wbm validate`: every input could be read, even if rows were set aside)"),
    (
        1,
        "a data file, run or output location is wrong (input, weighting, estimation and "
        "disclosure errors; a table or release that would disclose is refused with 1)",
    ),
    (
        2,
        "a spec (questionnaire, margins, profile, request), the command line or the output "
        "location given is wrong",
    ),
    (
        3,
        "`wbm table`: the request is refused (it would disclose; the reasons are logged); "
        "`wbm archive`: the archive is damaged (nothing is changed while it is)",
    ),
    (130, "interrupted (Ctrl-C); nothing half-written is left behind"),
)

AREAS: tuple[tuple[str, str], ...] = (
    ("general", "Every command: classes of error, files and output locations"),
    ("spec", "Spec files (YAML): reading and structure"),
    ("run", "Run directories and stage outputs"),
    ("weighting", "Weighting and margins"),
    ("estimation", "Estimation"),
    ("scoring", "Scoring"),
    ("tables", "Custom tables and table disclosure control"),
    ("microdata", "Microdata releases and their disclosure control"),
    ("reports", "Reports"),
    ("synth", "Synthetic data"),
    ("archive", "The wave archive"),
    ("policy", "The publisher's disclosure policy and requester registry"),
    ("fieldwork", "The sample frame, fieldwork diagnostics and planning"),
)

_A, _D, _F = "archive", "policy", "fieldwork"
_G, _S, _R, _W, _E, _C, _T, _M, _P, _Y = (
    "general",
    "spec",
    "run",
    "weighting",
    "estimation",
    "scoring",
    "tables",
    "microdata",
    "reports",
    "synth",
)


def _e(code: str, area: str, title: str, meaning: str, kind: Kind = "error") -> ErrorCode:
    return ErrorCode(code, area, title, meaning, kind)


_CODES: tuple[ErrorCode, ...] = (
    # ---- classes (the default code of each exception class) ----
    _e(
        "pipeline_error",
        _G,
        "Pipeline error",
        "An error without a more specific code; the message says what went wrong.",
    ),
    _e("input_error", _G, "Input error", "A data file cannot be used; the problems say where."),
    _e("spec_error", _G, "Spec error", "A declarative file is broken; the problems say where."),
    _e("usage_error", _G, "Usage error", "An option or a combination of options is wrong."),
    _e(
        "weighting_error",
        _W,
        "Weighting error",
        "Weighting cannot proceed (a more specific code is usually given); the problems name the margins and levels.",
    ),
    _e(
        "estimation_error",
        _E,
        "Estimation error",
        "Estimation cannot proceed (a more specific code is usually given).",
    ),
    _e(
        "disclosure_error",
        _T,
        "Disclosure error",
        "A table or release would disclose a protected value; nothing is written.",
    ),
    # ---- files, paths and output locations ----
    _e("file_not_found", _G, "File not found", "A file named on the command line does not exist."),
    _e(
        "file_unreadable",
        _G,
        "File cannot be read",
        "The path is a folder, or the file cannot be opened (permissions).",
    ),
    _e(
        "unreadable",
        _G,
        "Data file cannot be read",
        "A data file is damaged, truncated or not of the format its name says.",
    ),
    _e(
        "bad_format",
        _G,
        "Unknown format",
        "The file's extension names no format the command reads.",
    ),
    _e(
        "bad_json",
        _G,
        "Damaged JSON",
        "A JSON file (a manifest, wave.json, diagnostics) is not valid JSON or not an object.",
    ),
    _e(
        "cannot_write",
        _G,
        "Cannot write here",
        "The output location cannot be written: it is under a file, read-only, full or a "
        "system folder. Nothing was written; choose another --out.",
    ),
    _e(
        "path_escape",
        _G,
        "Path outside the output folder",
        "A file name built from a spec (an id, a label) would lie outside the folder the command "
        "was given; it is refused, never written.",
    ),
    _e(
        "bad_id",
        _G,
        "Id is not a slug",
        "An id (questionnaire, form, request, release) must be a slug: lower-case letters, digits, "
        "'-', '_' and '.', starting with a letter or digit, at most 64 characters.",
        "problem",
    ),
    _e(
        "os_error",
        _G,
        "Operating system refused",
        "A file operation was refused (no such file, permissions, a folder where a file was "
        "expected) where no command gave a more precise error; the message names the file.",
    ),
    _e("bad_option", _G, "Bad option", "A command-line option has a value that cannot be used."),
    _e("column_exists", _G, "Column exists", "The output column already exists in the data."),
    _e("missing_column", _G, "Column missing", "A column the command needs is not in the data."),
    _e(
        "duplicate_column",
        _G,
        "Duplicated column name",
        "Two columns of a data file have the same name; which one is meant is ambiguous.",
        "problem",
    ),
    # ---- spec files (YAML) ----
    _e(
        "not_utf8",
        _S,
        "Not UTF-8",
        "The file is not UTF-8 text (UTF-16, Latin-1/Windows-1252 or binary); save it as UTF-8.",
        "problem",
    ),
    _e(
        "yaml_syntax",
        _S,
        "YAML syntax error",
        "The file is not valid YAML: check indentation, colons, and quotes around text containing ':' or '#'; one document per file.",
        "problem",
    ),
    _e(
        "yaml_too_large",
        _S,
        "Document too large",
        "The file, or what its aliases expand to, is larger than a spec file may be.",
        "problem",
    ),
    _e(
        "yaml_too_deep",
        _S,
        "Nested too deep",
        "Mappings and lists are nested more than 64 levels deep; check the indentation.",
        "problem",
    ),
    _e(
        "yaml_tag",
        _S,
        "YAML tag",
        "A tag such as '!!python/object' or '!custom' is refused: a spec file holds plain text, numbers, true/false, lists and mappings.",
        "problem",
    ),
    _e(
        "yaml_merge_key",
        _S,
        "Merge key",
        "Merge keys ('<<') are refused: write the values out.",
        "problem",
    ),
    _e(
        "duplicate_key",
        _S,
        "Duplicate key",
        "A key twice in one mapping (YAML would silently keep the last).",
        "problem",
    ),
    _e(
        "bad_key",
        _S,
        "Bad key",
        "A mapping key is not a plain word (a list, a mapping or null as a key).",
        "problem",
    ),
    _e(
        "not_a_mapping",
        _S,
        "Not a mapping",
        "The file is empty, or its top level is a list or a single value instead of keys and values.",
        "problem",
    ),
    _e(
        "wrong_kind",
        _S,
        "Wrong kind",
        "The file's 'kind' says it is another kind of spec.",
        "problem",
    ),
    _e(
        "spec_unreadable",
        _S,
        "Spec cannot be read",
        "A spec file cannot be read as YAML; the problems say where and why.",
    ),
    _e(
        "profile_yaml",
        _M,
        "Profile cannot be read",
        "A release profile cannot be read (YAML, encoding, duplicate keys, size); the problems say where.",
    ),
    _e(
        "profile_not_found",
        _M,
        "Profile not found",
        "No such profile file and no shipped profile of that name (public-use, scientific-use).",
    ),
    _e(
        "profile_invalid",
        _M,
        "Profile invalid",
        "A release profile has structural problems (unknown keys, wrong types, k below 2); each is located.",
    ),
    _e(
        "benchmark_spec",
        _P,
        "Broken sectoral benchmark configuration",
        "A sectoral benchmark configuration (sectoral/*.yaml) is missing, unreadable or has unknown "
        "or malformed keys; every problem is listed with its line.",
    ),
    _e(
        "benchmark_mismatch",
        _P,
        "Benchmark does not fit the runs",
        "The benchmark configuration names indicators, variables or codes that the sector's run or "
        "the main wave's run does not have.",
    ),
    _e(
        "benchmark_empty",
        _P,
        "Empty benchmark",
        "No respondent of the main wave is in the benchmark group, or a category of the sector "
        "(e.g. an age band) has no benchmark respondents to reweight to it.",
    ),
    _e(
        "profile_mismatch",
        _M,
        "Profile does not fit",
        "A release profile names variables or codes the questionnaire does not have.",
    ),
    _e(
        "request_not_found",
        _T,
        "Request not found",
        "The table request file does not exist; check the path.",
    ),
    _e(
        "request_unreadable",
        _T,
        "Request cannot be read",
        "A table request cannot be read (YAML, encoding, duplicate keys, size); the problems say where.",
    ),
    _e(
        "request_invalid",
        _T,
        "Request invalid",
        "A table request has structural problems (unknown keys, wrong types, an id that is not a slug); each is located.",
    ),
    _e(
        "unreadable_model",
        _Y,
        "Model cannot be read",
        "The synthetic population model (pipeline/synth/model.yaml or the file given) cannot be read.",
    ),
    _e(
        "bad_model",
        _Y,
        "Model invalid",
        "The synthetic population model has structural problems; each is located.",
        "problem",
    ),
    _e(
        "bad_estimation_config",
        _E,
        "Estimation options",
        "The estimation options are invalid (e.g. a confidence level outside 0.5-1); the message lists them.",
    ),
    _e(
        "bad_reliability_rules",
        _E,
        "Reliability rules",
        "Reliability thresholds are inconsistent: 0 <= suppress below <= careful below is required.",
    ),
    # ---- runs and stage outputs ----
    _e("no_run_dir", _R, "No run directory", "The run directory does not exist or is a file."),
    _e("not_a_run", _R, "Not a run", "The directory holds no finished run (no manifest)."),
    _e(
        "bad_calibration_model",
        _R,
        "Damaged calibration model",
        "The run's 02_weight/calibration.json (the calibration model of the weights that every "
        "estimate uses) is not a valid model, or names data columns or levels the data lack.",
    ),
    _e(
        "stage_output_changed",
        _R,
        "Stage output changed",
        "A stage's output file differs from the SHA-256 the run's manifest records (edited, cut or "
        "replaced after the stage wrote it), or is not among the stage's recorded outputs; it is "
        "not used. Rerun the stage.",
    ),
    _e(
        "stage_output_missing",
        _R,
        "Stage output missing",
        "The manifest records a stage output that is not there; rerun the stage.",
    ),
    _e(
        "no_questionnaire",
        _R,
        "No questionnaire",
        "The run's manifest names no questionnaire; pass --questionnaire, or rerun the pipeline.",
    ),
    _e(
        "questionnaire_mismatch",
        _R,
        "Not the run's questionnaire",
        "The run's own questionnaire (RUN/questionnaire.yaml) or the file the run recorded has "
        "changed since (another SHA-256), or --questionnaire names another questionnaire than the "
        "run used: its labels would be put on the wrong data.",
    ),
    _e("no_scored_data", _R, "Not scored", "The run has no scored data (score stage not run)."),
    _e(
        "bad_scored_data",
        _R,
        "Scored data damaged",
        "The run's scored data cannot be read (not parquet, damaged); rerun the score stage.",
    ),
    _e(
        "no_estimates",
        _R,
        "No estimates",
        "The run has no estimates table; run the estimate stage first.",
    ),
    _e(
        "bad_wave",
        _R,
        "Wave folder",
        "A wave folder's wave.json is damaged or names inputs that are not there.",
    ),
    # ---- weighting ----
    _e("bad_bounds", _W, "Bounds", "Calibration bounds are missing or inconsistent."),
    _e("bad_method", _W, "Method", "Unknown weighting method or a margin it needs is absent."),
    _e("empty_cell", _W, "Empty cell", "A margin level has a population but no respondents."),
    _e(
        "invalid_design_input",
        _W,
        "Design input",
        "Design variables (strata, selection counts) are out of range or inconsistent.",
    ),
    _e(
        "invalid_rake_input",
        _W,
        "Raking input",
        "The arrays given to the raking engine do not fit each other (a programming error when called from code).",
    ),
    _e(
        "margin_count_mismatch",
        _W,
        "Margins count",
        "The level codes and the target totals given to raking do not pair up.",
    ),
    _e(
        "no_margins",
        _W,
        "No margins",
        "Raking needs at least one margin; the margins file holds none.",
    ),
    _e(
        "totals_disagree",
        _W,
        "Totals disagree",
        "The margins' grand totals differ: every margin must add up to the same population.",
    ),
    _e("zero_population", _W, "Zero population", "The population total is zero."),
    _e(
        "margins_invalid",
        _W,
        "Margins invalid",
        "The margins file (CSV or its YAML metadata) has structural problems; each is located by line.",
    ),
    _e(
        "margins_inconsistent",
        _W,
        "Margins inconsistent",
        "Margins contradict each other (grand totals, joint margins that do not add up to their parts).",
    ),
    _e(
        "level_mismatch",
        _W,
        "Levels differ",
        "Values in the data and levels in the margins do not match; the problems list them.",
    ),
    _e(
        "missing_margin_value",
        _W,
        "No margin value",
        "Rows have no value for a margin variable, so they cannot be weighted; fix or drop those rows.",
    ),
    _e(
        "bad_collapse",
        _W,
        "Collapse rule",
        "A collapse rule in the margins metadata names a variable the margins do not have.",
        "problem",
    ),
    _e(
        "bad_level",
        _W,
        "Bad level",
        "A level in the margins does not match its variable (a joint margin needs one part per variable).",
        "problem",
    ),
    _e(
        "bad_line",
        _W,
        "Bad line",
        "A line of the margins CSV has the wrong number of fields or cannot be read as CSV.",
        "problem",
    ),
    _e(
        "bad_total",
        _W,
        "Bad total",
        "A population total in the margins is not a number.",
        "problem",
    ),
    _e(
        "bad_variable",
        _W,
        "Bad variable",
        "A margin's variable name is not a column name, or a variable appears twice in a joint margin.",
        "problem",
    ),
    _e(
        "code_out_of_range",
        _W,
        "Code range",
        "Level codes given to raking are out of range (a programming error when called from code).",
        "problem",
    ),
    _e(
        "duplicate_level",
        _W,
        "Duplicate level",
        "A level appears twice in one margin; keep one line per level.",
        "problem",
    ),
    _e(
        "joint_inconsistent",
        _W,
        "Joint margin",
        "A joint margin does not add up to the margin of one of its variables.",
        "problem",
    ),
    _e(
        "level_not_in_margins",
        _W,
        "Unknown level",
        "A value in the data is not a level of the margins; recode the data or add the level.",
        "problem",
    ),
    _e(
        "meta_invalid",
        _W,
        "Margins metadata",
        "The margins' YAML metadata has unknown keys, misses required ones or holds bad values.",
        "problem",
    ),
    _e(
        "meta_missing",
        _W,
        "No metadata",
        "The margins' YAML metadata file (same name, .yaml) is missing; a run needs it.",
        "problem",
    ),
    _e("missing_values", _W, "No value", "Rows have no value for a weighting variable.", "problem"),
    _e(
        "negative_total",
        _W,
        "Negative total",
        "A population total is negative or not finite.",
        "problem",
    ),
    _e("no_rows", _W, "No rows", "There are no rows to weight.", "problem"),
    _e(
        "sample_exceeds_population",
        _W,
        "Sample too large",
        "More units were selected in a stratum than the stratum has.",
        "problem",
    ),
    _e("zero_total", _W, "Zero total", "A margin's grand total is 0.", "problem"),
    _e(
        "margins_are_shares",
        _W,
        "Shares instead of totals",
        "Every margin adds up to 1 or less: these are proportions, not population totals. Refused, "
        "because every estimated total would come out as a share.",
        "problem",
    ),
    _e(
        "margins_look_like_percentages",
        _W,
        "Totals that look like percentages",
        "Every margin adds up to exactly 100 and some level holds a fraction: the weights sum to "
        "100, so totals estimated from them are percentages. Weighting goes on with this notice.",
        "notice",
    ),
    _e(
        "collapsed",
        _W,
        "Levels merged",
        "Levels with too few respondents were merged before weighting, as the margins' collapse rules say.",
        "notice",
    ),
    _e(
        "negative_weights",
        _W,
        "Negative weights",
        "Linear calibration gave negative weights; use raking, logit or bounds.",
        "notice",
    ),
    _e(
        "not_converged",
        _W,
        "Not converged",
        "Raking or calibration did not converge within the iterations allowed; the largest margin error is given.",
        "notice",
    ),
    _e(
        "trim_infeasible",
        _W,
        "Cap not met",
        "The weight cap cannot be met while the margins hold; the untrimmed calibrated weights are "
        "kept (never a partly trimmed set, which can be far worse than no trimming).",
        "notice",
    ),
    _e(
        "trim_skipped",
        _W,
        "Trimming skipped",
        "Trimming was skipped because the weights did not converge.",
        "notice",
    ),
    _e(
        "trimmed",
        _W,
        "Trimmed",
        "Weights above the cap were trimmed and the excess redistributed by re-raking.",
        "notice",
    ),
    _e(
        "zero_target_level",
        _W,
        "Zero target",
        "Sample units are in a level whose population total is 0; they get weight 0.",
        "notice",
    ),
    _e(
        "weighting_not_converged",
        _W,
        "Not converged",
        "Weighting did not converge; raise --max-iter or --tol, or collapse small levels.",
    ),
    # ---- estimation ----
    _e(
        "bad_design",
        _E,
        "Bad design",
        "The survey design does not fit the data (lengths, weights, strata, clusters).",
    ),
    _e("bad_estimates", _E, "Bad estimates file", "An estimates table has wrong rows or columns."),
    _e(
        "bad_estimates_table",
        _E,
        "Bad estimates table",
        "An estimates table lacks the columns of the contract or has duplicate rows.",
    ),
    _e("bad_indicator", _E, "Bad indicator", "An indicator column has infinite values."),
    _e(
        "bad_weight",
        _G,
        "Bad weight",
        "A weight (final, base, design or released) is missing, not a number, infinite or "
        "negative (or zero where it must be positive: design and released weights), or every "
        "weight is zero; one check for all (pipeline.rundata.weights).",
    ),
    _e(
        "non_numeric",
        _E,
        "Not numeric",
        "A column that must be numeric holds text; blank cells count as empty.",
    ),
    _e("not_binary", _E, "Not 0/1", "An indicator holds other values than 0 and 1."),
    _e(
        "weight_mismatch",
        _E,
        "Weights differ",
        "The weight column is not the weight obtained by raking the base weight to the margins given.",
    ),
    _e(
        "replicate_raking_failed",
        _E,
        "Replicate failed",
        "A bootstrap replicate could not be raked (an empty cell in the resample).",
    ),
    _e(
        "lonely_psu",
        _E,
        "Lonely PSU",
        "A stratum has a single PSU; choose --lonely-psu certainty, remove or adjust.",
        "problem",
    ),
    _e(
        "by_missing",
        _E,
        "No domain value",
        "Rows without a value for a breakdown variable are only in the overall rows.",
        "notice",
    ),
    _e(
        "replicate_not_converged",
        _E,
        "Replicates",
        "Raking did not converge in some bootstrap replicates.",
        "notice",
    ),
    # ---- scoring ----
    _e(
        "bad_score_input",
        _C,
        "Scoring input",
        "The data do not match the questionnaire's items (missing, non-numeric or mismatched columns).",
    ),
    _e(
        "unknown_code",
        _C,
        "Unknown code",
        "An item column holds a code that is not a choice of the item; the rows are listed.",
    ),
    _e(
        "unknown_population",
        _C,
        "Unknown population",
        "No indicator has cut-offs for this population; use one of those listed.",
    ),
    _e(
        "bad_choice_score",
        _C,
        "Choice score",
        "Scores of a scale item's choices must be finite numbers.",
        "problem",
    ),
    _e(
        "bad_min_valid",
        _C,
        "min_valid",
        "A scale's min_valid must be between 1 and its number of items.",
        "problem",
    ),
    _e(
        "bad_score_range",
        _C,
        "Scoring range",
        "A scale's scoring max must be larger than its min.",
        "problem",
    ),
    _e(
        "combines_non_traffic_light",
        _C,
        "Composite",
        "A composite indicator can only combine traffic-light indicators.",
        "problem",
    ),
    _e(
        "constant_condition",
        _C,
        "Constant",
        "A condition indicator's expression names no variable (it would be constant).",
        "problem",
    ),
    _e(
        "constant_item",
        _C,
        "Constant item",
        "All choices of a scale item score the same; it cannot measure anything.",
        "problem",
    ),
    _e(
        "cutoffs_out_of_order",
        _C,
        "Cut-off order",
        "The acute cut-off must lie beyond the problematic one in the direction of problem_if.",
        "problem",
    ),
    _e(
        "duplicate_combined_indicator",
        _C,
        "Combined twice",
        "A composite combines the same indicator more than once.",
        "problem",
    ),
    _e(
        "duplicate_indicator",
        _C,
        "Duplicate indicator",
        "Two indicators have the same name.",
        "problem",
    ),
    _e("duplicate_scale", _C, "Duplicate scale", "Two scales have the same name.", "problem"),
    _e(
        "duplicate_scale_item",
        _C,
        "Item twice",
        "An item appears more than once in a scale.",
        "problem",
    ),
    _e("empty_scale", _C, "Empty scale", "A scale needs at least one item.", "problem"),
    _e(
        "item_without_choices",
        _C,
        "No choices",
        "A scale item must be a single-choice item with choices.",
        "problem",
    ),
    _e(
        "length_mismatch",
        _C,
        "Lengths",
        "Columns given to scoring have different lengths.",
        "problem",
    ),
    _e(
        "missing_code_is_choice",
        _C,
        "Code clash",
        "A code is both a choice and a missing code of an item.",
        "problem",
    ),
    _e(
        "negative_choice_code",
        _C,
        "Negative code",
        "Choice codes of a scale item must be 0 or more (negative codes are non-substantive).",
        "problem",
    ),
    _e(
        "not_numeric",
        _C,
        "Not numeric",
        "An item column given to scoring is not numeric.",
        "problem",
    ),
    _e(
        "output_name_clash",
        _C,
        "Name clash",
        "A scoring output column would overwrite a questionnaire variable or another output.",
        "problem",
    ),
    _e(
        "reverse_not_in_scale",
        _C,
        "Reverse item",
        "Reverse-coded items must be items of the scale.",
        "problem",
    ),
    _e(
        "rule_kind_mismatch",
        _C,
        "Rule kind",
        "An indicator's rule does not fit its kind (e.g. a count needs rule count).",
        "problem",
    ),
    _e(
        "unknown_indicator",
        _C,
        "Unknown indicator",
        "A name is not an indicator of the questionnaire (the message says which was probably meant).",
        "problem",
    ),
    _e(
        "unknown_item", _C, "Unknown item", "A name is not an item of the questionnaire.", "problem"
    ),
    _e(
        "unknown_scale",
        _C,
        "Unknown scale",
        "A traffic-light indicator refers to a scale that does not exist.",
        "problem",
    ),
    _e(
        "unknown_variable",
        _C,
        "Unknown variable",
        "A name is not a variable of the questionnaire (the message says which was probably meant); it is never ignored.",
        "problem",
    ),
    _e(
        "expr_length",
        _C,
        "Expression lengths",
        "The columns an expression reads have different lengths.",
        "problem",
    ),
    _e(
        "expr_unknown_column",
        _C,
        "Column missing",
        "An expression names a column the data do not have.",
        "problem",
    ),
    _e(
        "expr_unknown_variable",
        _C,
        "Unknown variable",
        "An expression names a variable the questionnaire does not have.",
        "problem",
    ),
    _e(
        "cutoff_default_used",
        _C,
        "Default cut-offs",
        "Some indicators have no cut-offs for the population; their default cut-offs were used.",
        "notice",
    ),
    _e(
        "scale_unscored",
        _C,
        "Scale unscored",
        "No respondent has enough valid items to score a scale.",
        "notice",
    ),
    _e(
        "scoring_columns_replaced",
        _C,
        "Columns replaced",
        "Existing columns of the data were replaced by new scores.",
        "notice",
    ),
    # ---- tables ----
    _e("no_run", _T, "No run", "Give the run directory of every requested wave."),
    _e(
        "runs_do_not_match",
        _T,
        "Runs do not match",
        "The runs given do not match the request's waves (one run per requested wave).",
    ),
    _e(
        "sensitive_breakdown_not_allowed",
        _T,
        "Sensitive breakdown not allowed",
        "A request breaks down or filters by a special-category register variable of the sample "
        "frame (origin) that the publisher's policy does not list under "
        "tables.sensitive_breakdowns; only the publisher can allow it, with stricter minimums.",
        "error",
    ),
    _e(
        "raw_item_not_allowed",
        _T,
        "Raw item as breakdown",
        "A request breaks down or filters by a raw questionnaire item that the publisher's policy "
        "does not list (tables.breakdowns_allowed); use a documented breakdown variable.",
        "problem",
    ),
    _e(
        "bad_data_version",
        _T,
        "Bad data version",
        "A data version is not a content hash (it names a ledger folder, so it must be a safe name).",
    ),
    _e(
        "ledger_damaged",
        _T,
        "Ledger damaged",
        "The disclosure ledger cannot be read; restore it (releases cannot be checked against it).",
    ),
    _e(
        "request_refused",
        _T,
        "Request refused",
        "The table would disclose a protected figure (exit 3); the reasons are logged and printed.",
    ),
    _e(
        "standard_table_refused",
        _T,
        "Standard table",
        "The outputs stage's standard table cannot be published safely.",
    ),
    _e(
        "cell_n_mismatch",
        _T,
        "Cell sizes",
        "The estimates' n differ from the cells' sizes (an internal consistency check; report it).",
    ),
    _e(
        "cell_unknown_variable",
        _T,
        "Cell variable",
        "A table cell needs a column the data do not have.",
    ),
    _e(
        "overlapping_cells",
        _T,
        "Overlapping cells",
        "Cells of one breakdown overlap (an internal consistency check; report it).",
    ),
    _e(
        "audit_bad_values",
        _T,
        "Audit values",
        "The disclosure audit got missing, infinite or impossible values.",
    ),
    _e(
        "audit_failed",
        _T,
        "Audit failed",
        "The exact disclosure audit (a linear programme) could not be solved.",
    ),
    _e(
        "group_search_failed",
        _T,
        "Search failed",
        "The search for differencing groups did not finish.",
    ),
    _e(
        "check_workers_failed",
        _T,
        "Check processes stopped",
        "A worker process of the exact check stopped (out of memory, killed): nothing is "
        "published; run again, or with WBM_WORKERS=1 to check in one process.",
    ),
    _e(
        "secondary_impossible",
        _T,
        "Cannot protect",
        "A suppressed cell cannot be protected because the cells around it must stay published.",
    ),
    # ---- microdata ----
    _e(
        "out_dir_not_empty",
        _M,
        "Folder not empty",
        "--out holds other files than an earlier release; give an empty or new folder.",
    ),
    _e("no_release_manifest", _M, "No manifest", "The release folder has no manifest.json."),
    _e(
        "bad_release_manifest",
        _M,
        "Damaged manifest",
        "The release folder's manifest.json is damaged.",
    ),
    _e(
        "bad_release_value",
        _M,
        "Value",
        "A column has values the release cannot code (not numeric, or outside the codes).",
    ),
    _e(
        "key_variable_missing",
        _M,
        "Key missing",
        "A key variable of the profile is not in the data.",
    ),
    _e(
        "release_recode_gap",
        _M,
        "Recode gap",
        "Values are not covered by a release recode of the questionnaire; extend the recode.",
    ),
    _e(
        "unknown_release_column",
        _M,
        "Unknown column",
        "The data have columns the questionnaire does not describe; they cannot be released.",
    ),
    _e("weight_missing", _M, "No weight", "The weight column is not in the data."),
    _e(
        "k_unreachable",
        _M,
        "k impossible",
        "k-anonymity with this k is impossible: the data have fewer records than k.",
    ),
    _e(
        "too_many_keys",
        _M,
        "Too many keys",
        "Local suppression supports a limited number of key variables; use fewer or recode them.",
    ),
    _e(
        "target_unreachable",
        _M,
        "Target",
        "Local suppression cannot reach the k-anonymity or risk target for a record.",
    ),
    _e(
        "suppression_verification_failed",
        _M,
        "Verification",
        "After suppression the release still misses its target (a safety check; nothing is written).",
    ),
    _e(
        "release_weights_invalid",
        _M,
        "Release weights",
        "The recalibrated release weights are not all positive.",
    ),
    _e(
        "weight_linkage_too_high",
        _M,
        "Weight linkage",
        "The released weight gives back more hidden values than the profile's max_linkage allows.",
    ),
    _e(
        "weighting_variable_not_released",
        _M,
        "Weighting variable",
        "The original weights encode a variable that is not released.",
    ),
    _e(
        "frequency_mismatch",
        _M,
        "Frequencies",
        "An internal check of local suppression failed (incremental and independent counts differ).",
        "problem",
    ),
    _e(
        "k_violated",
        _M,
        "k violated",
        "A record violates the release target after suppression.",
        "problem",
    ),
    _e(
        "sensitive_released",
        _M,
        "Sensitive register variable released",
        "A release profile lists a special-category register variable of the sample frame (origin) "
        "under items.released or items.banded; it can only be dropped from a respondent-level file "
        "(tables by origin: wbm table under the publisher's policy).",
        "problem",
    ),
    _e(
        "item_decision_missing",
        _M,
        "Raw item without a release decision",
        "A public-use profile must say for every raw questionnaire item in the data whether it is "
        "released, banded or dropped (items.released, items.banded, items.dropped; grid names "
        "cover their items). The problem names the item and, if a listed name is misspelt, what "
        "was probably meant.",
        "problem",
    ),
    _e(
        "item_decision_conflict",
        _M,
        "Two decisions for one item",
        "An item is listed under two of released, banded and dropped, or has bands but is not "
        "banded.",
        "problem",
    ),
    _e(
        "item_bands_missing",
        _M,
        "Banded item without bands",
        "An item listed under items.banded has no band list in the profile's 'bands' nor in the "
        "questionnaire's release rule (a top code alone is not a band list).",
        "problem",
    ),
    _e(
        "continuous_item_released",
        _M,
        "Near-continuous item released as answered",
        "A public-use profile releases an integer or decimal item (hours, absence days, age) with "
        "its exact values; its exact value singles a person out. Band it or drop it.",
        "problem",
    ),
    _e(
        "combination_risk",
        _M,
        "Attacker combination below k",
        "After suppression a record still has fewer than k compatible records on a combination "
        "of the profile's attacker variables (combinations.variables with the key variables); "
        "the problems name the combinations. Nothing is written.",
    ),
    _e(
        "key_dropped",
        _M,
        "Key dropped",
        "A key variable is dropped from the release (by the profile or as a protected column).",
        "problem",
    ),
    _e(
        "key_not_kept",
        _M,
        "Key not kept",
        "A key variable is not in the profile's keep list.",
        "problem",
    ),
    _e(
        "merge_needs_into",
        _M,
        "Merge target",
        "Merging small categories of a nominal variable needs 'into' (the code they go to).",
        "problem",
    ),
    _e(
        "pram_linked",
        _M,
        "PRAM linked",
        "Derived variables in the release would reveal a PRAM variable's original value.",
        "problem",
    ),
    _e(
        "protected_in_keep",
        _M,
        "Protected",
        "Identifiers and free text are never released.",
        "problem",
    ),
    _e(
        "suppressed_code_clash",
        _M,
        "Code clash",
        "The profile's suppressed code is already a missing code of the questionnaire.",
        "problem",
    ),
    _e(
        "key_many_categories",
        _M,
        "Many categories",
        "A key variable has many categories after recoding; consider a coarser recode.",
        "notice",
    ),
    _e(
        "merged_category_small",
        _M,
        "Still small",
        "A merged category still has fewer respondents than min_count.",
        "notice",
    ),
    _e(
        "no_weighting_variables_released",
        _M,
        "Mean weight",
        "No weighting variable is in the release: every record gets the mean weight.",
        "notice",
    ),
    _e(
        "pram_variable_absent",
        _M,
        "PRAM variable",
        "A PRAM variable of the profile is not in the release.",
        "notice",
    ),
    _e(
        "weight_linkage",
        _M,
        "Weight linkage",
        "How many protected values the released weight gives back (the risk report has the figures).",
        "notice",
    ),
    _e(
        "weights_below_one",
        _M,
        "Weights below 1",
        "Some weights are below 1; their individual risk is set to 1/f_k.",
        "notice",
    ),
    # ---- reports ----
    _e(
        "no_domain_rows",
        _P,
        "No domain",
        "The estimates table has no rows for the domain of the requested reports.",
    ),
    _e(
        "no_overall_rows",
        _P,
        "No overall rows",
        "The estimates table has no overall rows, so no enterprise report can be made.",
    ),
    _e(
        "no_weasyprint",
        _P,
        "No WeasyPrint",
        "PDF output needs WeasyPrint, which cannot be loaded; install the pdf extra or use --format html.",
    ),
    # ---- synthetic data ----
    _e(
        "no_model",
        _Y,
        "No synthetic model",
        "No synthetic model (pipeline/synth/models/) fits the questionnaire's population and wave; "
        "add one or pass --model.",
        "problem",
    ),
    _e(
        "bad_extends",
        _Y,
        "Model extends nothing",
        "A synthetic model extends a model that does not exist, or itself.",
    ),
    _e(
        "bad_disposition",
        _E,
        "Unknown AAPOR disposition",
        "A fieldwork count names a disposition that is not one of the AAPOR keys the response "
        "rates use.",
    ),
    _e(
        "bad_call_record",
        _F,
        "Bad call record",
        "A row of a telephone survey's call records (paradata) cannot be used: a missing column, "
        "an attempt that is not a whole number from 1, no id or interviewer, an unknown AAPOR "
        "disposition code, a unit with no or several final dispositions, or a unit not in the "
        "sample frame.",
    ),
    _e("sav_header", _Y, ".sav header", "pyreadstat wrote an unexpected header (a bug)."),
    _e("bad_seed", _Y, "Bad seed", "The seed must not be negative.", "problem"),
    _e(
        "workers_failed",
        _Y,
        "Worker processes stopped",
        "A worker process building a synthetic history's past waves stopped (out of memory, "
        "killed): the waves before it are archived; run again, or with WBM_WORKERS=1 to build "
        "the waves one after another in one process.",
    ),
    _e(
        "bad_size", _Y, "Bad size", "The sample size is out of range for the population.", "problem"
    ),
    _e(
        "calibration_out_of_reach",
        _Y,
        "Target",
        "A calibration target of the synthetic model cannot be met; change the target or the effects.",
        "problem",
    ),
    _e(
        "model_questionnaire_mismatch",
        _Y,
        "Mismatch",
        "The synthetic model and the questionnaire do not fit (variables, codes, composites).",
        "problem",
    ),
    _e(
        "not_synthetic",
        _Y,
        "Not synthetic",
        "A synthetic model must say synthetic: true.",
        "problem",
    ),
)

_CODES += (
    # ---- the wave archive ----
    _e(
        "archive_damaged",
        _A,
        "Archive damaged",
        "An archived file is missing or differs from its recorded SHA-256, or archive.json is "
        "damaged (exit 3); 'wbm archive check' names every file, '--repair' rebuilds what is derived.",
    ),
    _e(
        "archive_not_found",
        _A,
        "Not an archive",
        "The folder is not a wave archive (no archive.json of the right kind); give the folder 'wbm archive add' created.",
    ),
    _e(
        "archive_not_a_run",
        _A,
        "Not a finished run",
        "The folder given to 'wbm archive add' is not a finished run: its manifest names no questionnaire.",
    ),
    _e(
        "archive_bad_run",
        _A,
        "Run cannot be archived",
        "A file the archive needs is missing, cannot be read, or differs from what the run's manifest records; rerun the stage or restore the file.",
    ),
    _e(
        "archive_questionnaire_changed",
        _A,
        "Questionnaire changed",
        "The questionnaire file a run recorded has changed since the run; restore it or rerun the pipeline before archiving.",
    ),
    _e(
        "archive_wave_exists",
        _A,
        "Wave already archived",
        "The archive holds this wave with other data or other run files; use --replace (the old copy is kept in superseded/).",
    ),
    _e(
        "archive_series_fork",
        _A,
        "Does not fit the series",
        "The run's questionnaire does not continue the archive's series (no mapping to the previous wave).",
    ),
    _e(
        "datatool_bad_query",
        _T,
        "Not a view of the datatool",
        "A query parameter of the datatool is unknown, repeated, too long or names something the "
        "published space does not have; the server answers 400 with the allowed values.",
    ),
    _e(
        "datatool_no_release",
        _T,
        "Not a datatool release",
        "The folder given to 'wbm datatool serve --release' holds no readable datatool.json; build "
        "it with 'wbm datatool build'.",
    ),
    _e(
        "datatool_port_busy",
        _T,
        "No free port for the datatool",
        "The port asked for and the next ones are all in use (another server, or a datatool "
        "started earlier); pick another with --port N (or WBM_DATATOOL_PORT=N) or stop the other "
        "program.",
    ),
    _e(
        "datatool_not_started",
        _T,
        "The datatool did not start",
        "The datatool server started in the background did not answer its page in time; its log "
        "(named in the message) says why.",
    ),
    _e(
        "reissue_changed",
        _T,
        "Re-issue with other cells",
        "The ledger holds an earlier issue of the same figures (same data version and requests) with "
        "other cells than they have now (another engine version?); nothing of them is published. "
        "Publish the figures as before with the version that issued them, or ask the publisher.",
    ),
    _e(
        "datatool_workers_failed",
        _T,
        "Datatool processes stopped",
        "A worker process protecting the datatool's waves stopped (out of memory, killed): nothing "
        "of the series is published, the waves before it are logged; run again, or with "
        "WBM_WORKERS=1 to protect the waves one after another in one process.",
    ),
    _e(
        "datatool_protection",
        _T,
        "The datatool's space did not settle",
        "Suppression over the datatool's space kept changing; nothing is published (a bug to "
        "report, with the archive's data versions).",
    ),
    _e(
        "archive_no_series",
        _A,
        "No such series",
        "The archive has no series of that name; see 'wbm archive list'.",
    ),
    _e(
        "archive_no_wave",
        _A,
        "No such wave",
        "The series has no wave of that year; see 'wbm archive list'.",
    ),
    _e(
        "archive_write_failed",
        _A,
        "Archive not written",
        "A file written to the archive does not read back; nothing was added.",
    ),
    # ---- the sample frame, fieldwork diagnostics (wbm fieldwork) and planning (wbm plan) ----
    _e(
        "frame_no_id",
        _F,
        "Frame without ids",
        "The sample frame has no sample_id column; name the column with the pseudonymised id "
        "printed on the forms sample_id (docs/frame.md).",
    ),
    _e(
        "frame_id_missing",
        _F,
        "Empty sample id",
        "A row of the sample frame has no sample id; every invited unit needs its id.",
        "problem",
    ),
    _e(
        "frame_id_duplicate",
        _F,
        "Sample id twice",
        "A sample id is listed twice in the frame; every invited unit appears once.",
        "problem",
    ),
    _e(
        "frame_bad_code",
        _F,
        "Register code not known",
        "A register variable in the frame is not a number or not one of the questionnaire's codes "
        "(origin: docs/frame.md); recode the register extract.",
        "problem",
    ),
    _e(
        "frame_no_variables",
        _F,
        "No register variable",
        "The frame has none of the register variables (sex, age, age_band, sector, statute, "
        "province, origin), or none complete enough for the response model.",
    ),
    _e(
        "frame_value_missing",
        _F,
        "Register value missing",
        "A register variable used in the response-propensity model is blank for some invited "
        "units; complete the frame or leave the variable out (--variables).",
    ),
    _e(
        "bad_frame_weights",
        _F,
        "Frame design unusable",
        "R-indicators need positive design weights that are equal within a stratum (simple random "
        "sampling within strata); give every unit's stratum.",
    ),
    _e(
        "rindicator_bad_input",
        _F,
        "R-indicator impossible",
        "The response model needs at least 3 invited units and one register variable of the "
        "frame's length.",
    ),
    _e(
        "propensity_not_converged",
        _F,
        "Response model not converged",
        "The logistic response model did not converge; R-indicators are shown but read them with "
        "care (merge small groups).",
        "notice",
    ),
    _e(
        "propensity_separation",
        _F,
        "Propensity 0 or 1",
        "A group of the frame responded all or not at all (fitted propensity 0 or 1); merge it "
        "with a neighbour.",
        "notice",
    ),
    _e(
        "origin_absent",
        _F,
        "No origin in the frame",
        "The sample frame has no origin (migration background) column, so the fieldwork report "
        "has no breakdown by origin.",
        "notice",
    ),
    _e(
        "origin_no_policy",
        _F,
        "No policy for origin",
        "No disclosure policy is in force (--policy, WBM_POLICY or the run's), so workability by "
        "origin is not shown: nothing is shown by origin unless the publisher's policy says how.",
        "notice",
    ),
    _e(
        "origin_not_allowed",
        _F,
        "Origin not allowed by the policy",
        "The publisher's disclosure policy does not list origin under tables.sensitive_breakdowns, "
        "so the fieldwork report shows no breakdown by origin.",
        "notice",
    ),
    _e(
        "origin_not_published",
        _F,
        "Origin not published under protected reports",
        "The publisher's disclosure policy protects the reports' figures (protect_reports: true): "
        "workability by origin is estimated in the fieldwork report itself, not checked against "
        "the ledger, so it is not shown; request a figure by origin with wbm table (rows: origin).",
        "notice",
    ),
    _e(
        "plan_targets_invalid",
        _F,
        "Targets file invalid",
        "The targets file of wbm plan has an unknown key, a missing or out-of-range value, or "
        "names a domain variable, indicator or level the run does not have (docs/plan.md); every "
        "problem is listed with its line.",
    ),
    _e(
        "plan_bad_input",
        _F,
        "Nothing to plan from",
        "The last wave gives no usable population, response rate or design effect for a stratum, "
        "or a simulation population does not match the plan.",
    ),
    _e(
        "plan_overall_unreachable",
        _F,
        "Overall target out of reach",
        "Even inviting every unit up to the maximal sampling fraction does not reach the overall "
        "half-width; the plan meets the domain targets only.",
        "notice",
    ),
    _e(
        "plan_overall_over_budget",
        _F,
        "Overall target over budget",
        "Once the domain targets that do not fit are given up, the overall target still does not "
        "fit the budget; it is given up too.",
        "notice",
    ),
    _e(
        "plan_over_budget",
        _F,
        "Minimum over budget",
        "Even with no target the minimum invitations per stratum (about 30 expected respondents "
        "each, for the weighting) cost more than the budget.",
        "notice",
    ),
    _e(
        "plan_no_simulation",
        _F,
        "Plan not simulated",
        "The wave is not a synthetic wave whose generator's population is known, so the plan is "
        "not simulated.",
        "notice",
    ),
    _e(
        "mode_group_empty",
        _F,
        "Group empty in a mode",
        "A register group has no respondents in one mode, so that mode cannot be weighted to the "
        "invited sample; merge small groups or drop the variable from the adjustment.",
    ),
    _e(
        "mode_too_small",
        _F,
        "Mode too small",
        "A mode has fewer than 2 respondents; it is left out of the mode comparison.",
        "notice",
    ),
    _e(
        "one_mode",
        _F,
        "One mode only",
        "Only one mode responded, so there is no mode comparison.",
        "notice",
    ),
    # ---- the publisher's policy and registry ----
    _e(
        "no_policy",
        _D,
        "No policy",
        "Nothing is published without the publisher's disclosure policy: give --policy FILE or set WBM_POLICY.",
    ),
    _e(
        "policy_not_found",
        _D,
        "Policy not found",
        "The policy file named by --policy or WBM_POLICY does not exist.",
    ),
    _e(
        "bad_policy",
        _D,
        "Policy invalid",
        "The disclosure policy cannot be read (YAML, encoding, duplicate keys) or has structural problems; each is located.",
    ),
    _e(
        "looser_than_policy",
        _D,
        "Looser than the policy",
        "A request's disclosure settings may only be stricter than the publisher's policy.",
    ),
    _e(
        "unregistered_requester",
        _D,
        "Unknown requester",
        "The requester (or organisation) is not in the publisher's registry; the message says which was probably meant.",
    ),
    _e(
        "registry_not_found",
        _D,
        "Registry not found",
        "The requester registry the policy names does not exist.",
    ),
    _e(
        "bad_registry",
        _D,
        "Registry invalid",
        "The requester registry cannot be read or has structural problems; each is located.",
    ),
    _e(
        "no_recipient",
        _D,
        "No recipient",
        "A microdata release goes to a registered recipient: give --recipient ID (a recipient of the publisher's registry).",
    ),
    _e(
        "release_linkable",
        _D,
        "Release can be linked",
        "A second release of the same data to the same recipient or organisation is refused unless the two files cannot be linked (same file again, or no shared column).",
    ),
    _e(
        "bad_register",
        _D,
        "Release register damaged",
        "A line of the microdata release register cannot be read; it is located.",
    ),
)

CODES: Mapping[str, ErrorCode] = {c.code: c for c in _CODES}


#: (family, code, title, what) of a catalogue that lives with its checks
FamilyRow = tuple[str, str, str, str]
FAMILIES: tuple[tuple[str, str, str], ...] = (
    (
        "questionnaire",
        "Questionnaire check (`wbm questionnaire check`)",
        "Problems in a questionnaire file, pass 1 (structure) or 2 (cross-references); "
        "catalogued in `pipeline/questionnaire/problems.py`.",
    ),
    (
        "validation",
        "Validation issues (`issues.parquet`, `set_aside.parquet`)",
        "Issues of a data file found by `wbm validate`: severity, level, and whether the code "
        "is a reason for setting a row aside; catalogued in `pipeline/validate/catalogue.py`.",
    ),
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(families: Iterable[FamilyRow] = ()) -> str:
    """``docs/errors.md``: every code a user can see, by area, then the ``families``' codes (the
    questionnaire and validation catalogues: :func:`pipeline.commands.errors.family_rows`)."""
    out = [
        "# Error codes",
        "",
        "<!-- Generated by `wbm errors --markdown > docs/errors.md`; do not edit by hand "
        "(a test checks that this file equals the registry in pipeline/errorcodes.py). -->",
        "",
        "Every error the `wbm` command stops with prints its message, the located problems "
        "(file, line, row, column, value, what was expected, how to fix it) and a stable code. "
        "Tests, scripts and reports refer to codes, never to message text. *Kind*: `error` is what a "
        "command stops with, `problem` a located item inside an error, `notice` a warning carried "
        "in a result (reports, diagnostics).",
        "",
        "## Exit codes",
        "",
        "| exit code | meaning |",
        "|---:|---|",
    ]
    out += [f"| {n} | {_cell(m)} |" for n, m in EXIT_CODES]
    families = list(families)
    for area, heading in AREAS:
        rows = sorted((c for c in CODES.values() if c.area == area), key=lambda c: c.code)
        out += ["", f"## {heading}", "", "| code | kind | title | meaning |", "|---|---|---|---|"]
        out += [f"| `{c.code}` | {c.kind} | {_cell(c.title)} | {_cell(c.meaning)} |" for c in rows]
    for fam, heading, intro in FAMILIES:
        out += ["", f"## {heading}", "", intro, "", "| code | title | meaning |", "|---|---|---|"]
        out += [
            f"| `{code}` | {_cell(title)} | {_cell(what)} |"
            for f, code, title, what in sorted(families, key=lambda r: r[1])
            if f == fam
        ]
    return "\n".join(out) + "\n"
