"""Import dialects: the shapes in which survey tools and field agencies deliver their data.

A dialect is detected from the file (or declared with ``--dialect`` / a mapping's ``dialect:``) and
says how the table read from the file is turned into questionnaire variables and codes *before*
validation; validation then sees one canonical shape. Nothing is dropped silently: every step is a
:class:`Reading` (shown in the validation report's issue table and in ``diagnostics.json``).

==============  ================================================================================
``plain``       the pipeline's own shape: one column per variable, codes as numbers
``limesurvey``  LimeSurvey response export (CSV with answer codes, or its .sav): ``N/A`` marks a
                question that was not shown (read as blank: routing or break-off decide -1/-9);
                array and multiple-choice columns ``Q[SQ001]`` (``Q_SQ001`` in the .sav) are matched
                to ``q01``/``q_1``; ``Y``/``N`` answers are read as yes/no; its metadata columns
                (``id``, ``submitdate``, ``lastpage``, ``startlanguage``, ...) are ignored
``qualtrics``   Qualtrics CSV/TSV/xlsx export: the 2nd and 3rd header rows (question text and
                ``{"ImportId": ...}``) are dropped, never read as respondents; choice text or
                numeric values; ``-99`` (seen but unanswered) is read as no answer (-9);
                multi-value fields (``1,3``) are split over the options; its metadata columns
                (``StartDate``, ``ResponseId``, ``Progress``, ...) are ignored
``spss``        a .sav from a CATI or field agency: string answers (``ja``/``nee``) are matched to
                the questionnaire's value labels; the agency's own user-missing codes are
                translated by their labels (``weet niet`` -> -8 don't know, ``weigert`` -> -9, ...)
``keying``      keyed paper forms (Excel keying sheets, CSV): ticks keyed as ``x`` are 1 on
                multiple-choice options
==============  ================================================================================

Every dialect also matches text answers to value labels (Dutch and English, case-insensitive) and
applies the input's mapping file (:mod:`pipeline.ingest.mapping`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pipeline.errors import Problem, UsageError, one_of
from pipeline.ingest.inputs import PAPER_MARKER_COLUMNS

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from pipeline.ingest.mapping import ColumnPlan, LoadedMapping
    from pipeline.ingest.readers import RawTable
    from pipeline.questionnaire.model import Questionnaire

DialectName = Literal["plain", "limesurvey", "qualtrics", "spss", "keying"]
DIALECTS: tuple[DialectName, ...] = ("plain", "limesurvey", "qualtrics", "spss", "keying")

LIMESURVEY_META = (
    "id",
    "submitdate",
    "lastpage",
    "startlanguage",
    "seed",
    "startdate",
    "datestamp",
    "ipaddr",
    "refurl",
)
QUALTRICS_META = (
    "StartDate",
    "EndDate",
    "Status",
    "IPAddress",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "RecordedDate",
    "ResponseId",
    "ResponseID",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
    "ExternalReference",
    "ExternalDataReference",
    "LocationLatitude",
    "LocationLongitude",
    "DistributionChannel",
    "UserLanguage",
)
LIMESURVEY_NA = "N/A"
QUALTRICS_SEEN_UNANSWERED = "-99"
TICKS = {"x", "✓", "✔", "v", "y", "yes", "ja", "true"}
UNTICKED = {"n", "no", "nee", "false"}
YES = {"y", "yes", "ja", "j", "true", "waar"}
NO = {"n", "no", "nee", "false", "onwaar"}
#: words in the label of an agency's own user-missing code -> the questionnaire's missing kind
MISSING_WORDS: tuple[tuple[str, str], ...] = (
    ("weet niet", "dont_know"),
    ("weet het niet", "dont_know"),
    ("don't know", "dont_know"),
    ("dont know", "dont_know"),
    ("geen mening", "dont_know"),
    ("geen antwoord", "no_answer"),
    ("weigert", "no_answer"),
    ("weigering", "no_answer"),
    ("wil niet zeggen", "no_answer"),
    ("refused", "no_answer"),
    ("no answer", "no_answer"),
    ("niet van toepassing", "not_applicable"),
    ("n.v.t", "not_applicable"),
    ("not applicable", "not_applicable"),
)


@dataclass(frozen=True)
class Detection:
    name: DialectName
    declared: bool
    evidence: str  # in English (diagnostics.json, the CLI)
    # what the evidence is, for the reports' words (pipeline.validate.words.EVIDENCE): a code and
    # the values it names (column names, a number of header rows)
    evidence_code: str = ""
    evidence_values: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"{self.name} ({'declared' if self.declared else 'detected: ' + self.evidence})"


@dataclass(frozen=True)
class Reading:
    """One thing done to the input while reading it (an issue of the validation report)."""

    code: str  # an issue code of pipeline.validate.catalogue (file or column level)
    column: str | None
    detail: str


def check_dialect(name: str, *, where: str) -> DialectName:
    for d in DIALECTS:
        if d == name:
            return d
    raise UsageError(
        f"unknown dialect {name!r}",
        [Problem(one_of(name, DIALECTS), file=where, hint="or leave it out: it is detected")],
    )


# ------------------------------------------------------------------------------------ detection
def _first_cells(table: pa.Table, row: int) -> list[str]:
    if table.num_rows <= row:
        return []
    out = []
    for c in table.columns:
        v = c[row].as_py()
        out.append("" if v is None else str(v))
    return out


def qualtrics_header_rows(table: pa.Table) -> int:
    """How many of the table's first rows are Qualtrics header rows (0, 1 or 2)."""
    row2 = _first_cells(table, 1)
    if row2 and sum(c.startswith('{"ImportId"') for c in row2) >= max(1, len(row2) // 2):
        return 2
    row1 = _first_cells(table, 0)
    if row1 and sum(c.startswith('{"ImportId"') for c in row1) >= max(1, len(row1) // 2):
        return 1  # a file exported with the question-text row removed
    return 0


def detect(raw: RawTable, declared: str | None) -> Detection:
    if declared:
        return Detection(check_dialect(declared, where=str(raw.input.path)), True, "", "declared")
    cols = list(raw.columns)
    lower = {c.lower() for c in cols}
    if raw.format in ("csv", "xlsx"):
        n = qualtrics_header_rows(raw.table)
        if n:
            return Detection(
                "qualtrics",
                False,
                f'{n + 1} header rows ({{"ImportId": ...}})',
                "header_rows",
                (str(n + 1),),
            )
        q_meta = [c for c in QUALTRICS_META if c in cols]
        if len(q_meta) >= 3:
            return Detection(
                "qualtrics", False, "columns " + ", ".join(q_meta[:4]), "columns", tuple(q_meta[:4])
            )
    lime = [c for c in LIMESURVEY_META if c in lower]
    arrays = [c for c in cols if re.search(r"\[[^\]]+\]$", c)]
    if len(lime) >= 3 or (lime and arrays):
        shown = tuple(lime[:4] + arrays[:2])
        return Detection("limesurvey", False, "columns " + ", ".join(shown), "columns", shown)
    if arrays and raw.format == "csv" and _has_cell(raw.table, LIMESURVEY_NA):
        return Detection(
            "limesurvey", False, f"columns {arrays[0]} and 'N/A' cells", "columns_na", (arrays[0],)
        )
    if raw.format == "sav":
        return Detection("spss", False, ".sav file", "sav")
    if {"keyer", "batch"} & lower:
        return Detection("keying", False, "columns keyer/batch", "columns", ("keyer", "batch"))
    return Detection("plain", False, "no tool's export shape recognised", "none")


def _has_cell(table: pa.Table, value: str) -> bool:
    import pyarrow as pa
    import pyarrow.compute as pc

    for c in table.columns:
        if pa.types.is_string(c.type) and pc.any(pc.equal(c, value)).as_py():
            return True
    return False


# -------------------------------------------------------------------------------- normalisation
def normalise(
    raw: RawTable,
    detection: Detection,
    q: Questionnaire,
    mapping: LoadedMapping | None,
) -> tuple[pa.Table, ColumnPlan, list[Reading]]:
    """The table with questionnaire variable names and codes, the column plan and what was done."""
    import pyarrow as pa

    from pipeline.ingest.mapping import plan_columns

    table = raw.table
    readings: list[Reading] = [Reading("dialect", None, detection.describe())]
    name = detection.name
    if name == "qualtrics":
        n = qualtrics_header_rows(table)
        if n:
            table = table.slice(n)
            readings.append(
                Reading(
                    "dialect_header_rows",
                    None,
                    f"{n} Qualtrics header row(s) under the column names (question text, ImportId) "
                    "dropped; they are not respondents",
                )
            )
            if table.num_rows == 0:
                from pipeline.errors import InputError

                raise InputError(
                    f"{raw.input.path}: no responses under the Qualtrics header rows",
                    [
                        Problem(
                            "the file has Qualtrics header rows but no responses",
                            file=str(raw.input.path),
                            code="file_no_rows",
                        )
                    ],
                    code="file_no_rows",
                )
    meta = {
        "limesurvey": LIMESURVEY_META,
        "qualtrics": QUALTRICS_META,
    }.get(name, ())
    cols = list(table.column_names)
    plan = plan_columns(
        cols,
        q,
        mapping,
        file=str(raw.input.path),
        array_names=name in ("limesurvey", "qualtrics", "spss"),
    )
    known = set(q.variables())
    dropped = [
        c
        for c in cols
        if c not in plan.rename
        and (c in plan.ignored or c in meta or (name == "limesurvey" and c.lower() in meta))
        and c not in known
    ]
    if dropped:
        readings.append(
            Reading(
                "columns_ignored",
                None,
                f"{len(dropped)} column(s) ignored ({'the mapping' if set(dropped) <= set(plan.ignored) else name + ' metadata or the mapping'}): "
                + _short(dropped),
            )
        )
    words = {
        "mapping": "by the mapping",
        "case": "by name, ignoring case",
        "dialect": f"by {name}'s naming of array questions",
    }
    for how, said in words.items():
        pairs = [f"{c} -> {t}" for c, t in plan.rename.items() if plan.how[c] == how]
        if pairs:
            readings.append(
                Reading("column_mapped", None, f"{len(pairs)} column(s) {said}: {_short(pairs)}")
            )
    for col, hint in plan.unknown:
        if col not in dropped and col.lower() not in PAPER_MARKER_COLUMNS:
            readings.append(Reading("unknown_column", col, hint))
    # build the renamed table; values translated column by column
    out: dict[str, pa.Array | pa.ChunkedArray] = {}
    labels = _label_tables(q)
    multiple = {it.name: it for it in q.items if it.type.value == "multiple"}
    value_labels = raw.value_labels
    user_missing = raw.user_missing
    tokens: dict[str, list[int]] = {}  # dialect token -> [cells, columns]
    for col in cols:
        if col in dropped:
            continue
        arr = table.column(col)
        if col not in plan.rename:
            out[col] = arr
            continue
        target = plan.rename[col]
        if target in multiple:
            for var, values in _split_multiple(arr, target, q, readings, col).items():
                if var in plan.rename.values() or var in out:
                    continue
                out[var] = values
            continue
        arr = _translate(
            arr,
            target,
            col,
            name,
            plan.codes.get(col, {}),
            plan.missing,
            labels.get(target, {}),
            value_labels.get(col, {}),
            user_missing.get(col, ()),
            q,
            readings,
            tokens,
        )
        out[target] = arr
    for what, (cells, ncols) in tokens.items():
        readings.append(
            Reading("values_recoded", None, f"{what}: {cells} cell(s) in {ncols} column(s)")
        )
    return pa.table(out), plan, readings


def _short(names: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" (and {len(names) - limit} more)" if len(names) > limit else "")


def _norm(s: str) -> str:
    return " ".join(str(s).strip().casefold().split())


def _label_tables(q: Questionnaire) -> dict[str, dict[str, int]]:
    """Per variable: normalised label text (nl, en) -> code; yes/no words for yes/no lists; for the
    options of multiple-choice items: ticks -> 1."""
    from pipeline.questionnaire.model import ItemType

    missing = {}
    for m in q.missing_codes:
        for t in (m.label.nl, m.label.en):
            if t:
                missing[_norm(t)] = m.code
    out: dict[str, dict[str, int]] = {}
    for it in q.items:
        if it.type == ItemType.single:
            table = dict(missing)
            choices = q.choices_of(it)
            for c in choices:
                for t in (c.label.nl, c.label.en, c.name):  # name: e.g. an ODK export's 'yes'
                    if t:
                        table[_norm(t)] = c.code
            by_label = {_norm(c.label.en or c.label.nl): c.code for c in choices} | {
                _norm(c.label.nl): c.code for c in choices
            }
            yes = next((by_label[w] for w in ("yes", "ja") if w in by_label), None)
            no = next((by_label[w] for w in ("no", "nee") if w in by_label), None)
            if yes is not None and no is not None:
                table.update({w: yes for w in YES} | {w: no for w in NO})
            out[it.name] = table
        elif it.type == ItemType.multiple:
            for var in q.item_variables(it):
                out[var] = dict(missing) | {w: 1 for w in TICKS} | {w: 0 for w in UNTICKED}
    return out


def _is_number(s: str) -> bool:
    try:
        float(s.replace(",", "."))
    except ValueError:
        return False
    return True


def _translate(
    arr: pa.ChunkedArray,
    target: str,
    col: str,
    dialect: str,
    codes: Mapping[str, int],
    missing: Mapping[str, int],
    labels: Mapping[str, int],
    sav_labels: Mapping[float | str, str],
    sav_missing: Sequence[float | str],
    q: Questionnaire,
    readings: list[Reading],
    tokens: dict[str, list[int]],
) -> pa.ChunkedArray | pa.Array:
    """Source values -> codes (as text for text columns, as numbers for numeric .sav columns)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from pipeline.ingest.parse import fmt_number

    is_text = pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
    if not is_text:
        # numeric (.sav): the mapping's codes, then the agency's own user-missing codes by label
        table: dict[float, float] = {}
        for k, v in {**missing, **codes}.items():
            if _is_number(k):
                table[float(k.replace(",", "."))] = float(v)
        kinds = {m.kind.value: m.code for m in q.missing_codes}
        for value in sav_missing:
            if not isinstance(value, (int, float)) or float(value) in table:
                continue
            label = _norm(sav_labels.get(value, ""))
            kind = next((k for w, k in MISSING_WORDS if w in label), None)
            if kind in kinds and float(value) not in q.missing_code_values():
                table[float(value)] = float(kinds[kind])
        if not table:
            return arr
        vals = arr.to_numpy(zero_copy_only=False).astype("float64")
        import numpy as np

        out = vals.copy()
        changed = []
        for src, dst in sorted(table.items()):
            hit = vals == src
            if hit.any() and src != dst:
                out[hit] = dst
                changed.append(f"{fmt_number(src)} -> {fmt_number(dst)} ({int(hit.sum())})")
        if changed:
            readings.append(Reading("values_recoded", target, f"{target}: " + ", ".join(changed)))
        return pa.array(np.asarray(out, dtype=np.float64), type=pa.float64())
    s = pc.utf8_trim_whitespace(arr)
    distinct = [v for v in pc.unique(s).to_pylist() if v is not None and v != ""]
    if not distinct:
        return s
    counts = {
        str(r["values"]): int(r["counts"]) for r in pc.value_counts(s).to_pylist() if r["values"]
    }
    replace: dict[str, str | None] = {}
    how: dict[str, list[str]] = {"mapping": [], "labels": []}

    def token(what: str, v: str) -> None:
        t = tokens.setdefault(what, [0, 0])
        t[0] += counts.get(v, 0)
        t[1] += 1

    for v in distinct:
        if v in codes or v in missing:
            replace[v] = str(codes.get(v, missing.get(v)))
            how["mapping"].append(f"{v!r} -> {replace[v]} ({counts.get(v, 0)})")
        elif dialect == "limesurvey" and v == LIMESURVEY_NA:
            replace[v] = None
            token("LimeSurvey 'N/A' (question not shown) read as blank", v)
        elif dialect == "qualtrics" and v == QUALTRICS_SEEN_UNANSWERED:
            replace[v] = "-9"
            token("Qualtrics -99 (seen, not answered) read as -9 (no answer)", v)
        elif not _is_number(v) and _norm(v) in labels:
            replace[v] = str(labels[_norm(v)])
            how["labels"].append(f"{v!r} -> {replace[v]} ({counts.get(v, 0)})")
    if how["mapping"]:
        readings.append(Reading("values_recoded", target, f"{target}: " + _short(how["mapping"])))
    if how["labels"]:
        readings.append(Reading("values_by_label", target, _short(how["labels"])))
    unmatched = [v for v in distinct if v not in replace and not _is_number(v)]
    if unmatched and target in labels_targets(q):
        readings.append(
            Reading(
                "text_not_matched",
                target,
                f"{_short([repr(u) for u in unmatched], 5)} in column {col!r}",
            )
        )
    if not replace:
        return s
    keys = pa.array(list(replace), type=pa.string())
    vals = pa.array(list(replace.values()), type=pa.string())
    idx = pc.index_in(s, value_set=keys)
    mapped = pc.take(vals, pc.fill_null(idx, 0))
    return pc.if_else(pc.is_null(idx), s, mapped)


def labels_targets(q: Questionnaire) -> set[str]:
    """Variables whose answers are codes with labels (single choice and multiple-choice options)."""
    from pipeline.questionnaire.model import ItemType

    out: set[str] = set()
    for it in q.items:
        if it.type in (ItemType.single, ItemType.multiple):
            out.update(q.item_variables(it))
    return out


def _split_multiple(
    arr: pa.ChunkedArray, item: str, q: Questionnaire, readings: list[Reading], col: str
) -> dict[str, pa.Array]:
    """A multi-value field (``1,3`` or ``Files,Rust``) -> one 0/1 column per option."""
    import pyarrow as pa

    it = q.item(item)
    choices = q.choices_of(it)
    by_text: dict[str, int] = {}
    for c in choices:
        by_text[str(c.code)] = c.code
        for t in (c.label.nl, c.label.en):
            if t:
                by_text[_norm(t)] = c.code
    values = arr.to_pylist()
    cols: dict[str, list[str | None]] = {f"{item}_{c.code}": [] for c in choices}
    bad: list[str] = []
    for v in values:
        text = "" if v is None else str(v).strip()
        if text in ("", LIMESURVEY_NA):
            for lst in cols.values():
                lst.append(None)
            continue
        if _is_number(text.replace(",", "")) and "," not in text and ";" not in text:
            parts = [text]
        else:
            parts = [p for p in re.split(r"[,;]", text) if p.strip()]
        chosen = set()
        ok = True
        for p in parts:
            code = by_text.get(_norm(p)) if not _is_number(p.strip()) else by_text.get(p.strip())
            if code is None:
                ok = False
                bad.append(p.strip())
            else:
                chosen.add(code)
        for c in choices:
            cols[f"{item}_{c.code}"].append(
                ("1" if c.code in chosen else "0") if ok else text  # unreadable: read as invalid
            )
    readings.append(
        Reading(
            "column_mapped",
            None,
            f"multi-value column {col!r} split over the {len(cols)} option variables of {item}",
        )
    )
    if bad:
        readings.append(
            Reading(
                "text_not_matched",
                item,
                f"{_short(sorted({repr(b) for b in bad}), 5)} in column {col!r} are no option of "
                f"{item}; the row's options are read as invalid",
            )
        )
    return {k: pa.array(v, type=pa.string()) for k, v in cols.items()}
