"""Draft a mapping file for one input (``wbm questionnaire map --input FILE``).

The draft is what the pipeline would do on its own, written out so that it can be checked and edited:
every source column with the variable it is read as (and how it was matched), the columns matched to
nothing (ignored, with a "did you mean"), the questionnaire variables the file lacks, text answers and
the .sav's own codes with the questionnaire codes their labels match, and the agency's user-missing
codes. Lines that need a decision are marked ``TODO``. Loading the draft as it is gives the same
reading as no mapping (plus the explicit codes), so it is safe to record in a run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pipeline.ingest.dialects import (
    LIMESURVEY_META,
    MISSING_WORDS,
    QUALTRICS_META,
    _label_tables,
    _norm,
    detect,
    labels_targets,
    qualtrics_header_rows,
)
from pipeline.ingest.mapping import MAPPING_KIND, MAPPING_VERSION, plan_columns

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from pipeline.ingest.inputs import InputFile
    from pipeline.questionnaire.model import Questionnaire

MAX_VALUES = 30  # distinct text values looked at per column


def _q(s: object) -> str:
    """A YAML scalar: JSON quoting is valid YAML and keeps codes like '01' or 'N/A' text."""
    return json.dumps(s, ensure_ascii=False)


def propose_mapping(inp: InputFile, q: Questionnaire) -> str:
    """The draft mapping of ``inp`` against ``q`` as YAML text (see the module docstring)."""
    from pipeline.ingest.readers import read_table

    raw = read_table(inp)
    det = detect(raw, inp.dialect)
    table = raw.table
    if det.name == "qualtrics":
        table = table.slice(qualtrics_header_rows(table))
    cols = list(table.column_names)
    plan = plan_columns(
        cols,
        q,
        None,
        file=str(inp.path),
        array_names=det.name in ("limesurvey", "qualtrics", "spss"),
    )
    meta = set(LIMESURVEY_META if det.name == "limesurvey" else ())
    meta |= set(QUALTRICS_META if det.name == "qualtrics" else ())
    labels = _label_tables(q)
    coded = labels_targets(q)
    kinds = {m.kind.value: m.code for m in q.missing_codes}
    lines = [
        f"# Mapping of {inp.name} to {q.study.id}, drafted by 'wbm questionnaire map'.",
        "# Check every line; lines marked TODO need a decision. Use it with",
        f"#   wbm validate --questionnaire {q.study.id} --input {inp.name} --mapping THIS_FILE ...",
        f"kind: {MAPPING_KIND}",
        f"schema_version: {MAPPING_VERSION}",
        f"questionnaire: {_q(q.study.id)}",
        f"dialect: {det.name}  # {det.describe()}",
    ]
    missing_lines: list[str] = []
    seen_missing: set[str] = set()
    for col in cols:
        for value in raw.user_missing.get(col, ()):
            label = _norm(raw.value_labels.get(col, {}).get(value, ""))
            kind = next((k for w, k in MISSING_WORDS if w in label), None)
            key = str(value)
            if key in seen_missing or not isinstance(value, (int, float)):
                continue
            seen_missing.add(key)
            if kind in kinds:
                missing_lines.append(
                    f"  - {{source: {_q(_num(value))}, code: {kinds[kind]}}}  # {label!r}"
                )
            elif float(value) not in q.missing_code_values():
                missing_lines.append(
                    f"  # TODO: user-missing {_num(value)} ({label!r}): which missing code? "
                    + ", ".join(f"{m.code} {m.kind.value}" for m in q.missing_codes)
                )
    lines.append("missing:" + ("" if missing_lines else " []"))
    lines += missing_lines
    lines.append("columns:")
    for col in cols:
        target = plan.rename.get(col)
        if target is None:
            hint = dict(plan.unknown).get(col, "")
            why = (
                f"{det.name} metadata"
                if col in meta or col.lower() in meta
                else (
                    f"TODO: not a questionnaire variable; {hint}"
                    if hint
                    else "TODO: not a questionnaire variable"
                )
            )
            lines.append(f"  - {{source: {_q(col)}}}  # ignored: {why}")
            continue
        entry = f"  - source: {_q(col)}\n    variable: {target}  # matched: {plan.how[col]}"
        code_lines = _code_lines(
            table.column(col),
            target,
            labels.get(target, {}),
            raw.value_labels.get(col, {}),
            target in coded,
        )
        if code_lines:
            entry += "\n    codes:\n" + "\n".join(code_lines)
        lines.append(entry)
    present = set(plan.rename.values())
    multiple = {it.name: q.item_variables(it) for it in q.items if it.type.value == "multiple"}
    covered = set(present)
    for item, variables in multiple.items():
        if item in present:
            covered |= set(variables)
    absent = [v for v in q.variables() if v not in covered]
    if absent:
        lines.append(
            f"# TODO: {len(absent)} questionnaire variable(s) not found in {inp.name}: "
            + ", ".join(absent[:40])
            + (" ..." if len(absent) > 40 else "")
        )
    return "\n".join(lines) + "\n"


def _num(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _code_lines(
    col: pa.ChunkedArray,
    target: str,
    labels: Mapping[str, int],
    sav_labels: Mapping[float | str, str],
    is_coded: bool,
) -> list[str]:
    """Code entries for a column: text answers by label; a .sav's own codes whose labels name
    other questionnaire codes."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out: list[str] = []
    if not is_coded:
        return out
    if pa.types.is_string(col.type):
        distinct = [
            v for v in pc.unique(pc.utf8_trim_whitespace(col)).to_pylist() if v not in (None, "")
        ][:MAX_VALUES]
        for v in sorted(distinct, key=str):
            if _is_number(v) or v == "N/A":
                continue
            code = labels.get(_norm(v))
            out.append(
                f"      - {{source: {_q(v)}, code: {code}}}"
                if code is not None
                else f"      # TODO: {{source: {_q(v)}, code: ?}}  (no value label matches)"
            )
        return out
    for value, label in sorted(sav_labels.items(), key=lambda kv: str(kv[0])):
        code = labels.get(_norm(label))
        if code is not None and isinstance(value, (int, float)) and float(value) != float(code):
            out.append(f"      - {{source: {_q(_num(value))}, code: {code}}}  # {label!r}")
    return out


def _is_number(s: str) -> bool:
    try:
        float(s.replace(",", "."))
    except ValueError:
        return False
    return True
