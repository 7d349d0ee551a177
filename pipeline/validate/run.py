"""``run_validation``: read and check every input, harmonise, run the case checks, write 01_validate/.

All inputs (and second keyings) are read and their structure checked *before* anything is computed or
written: if one cannot be read, an :class:`InputError` lists every unreadable file and nothing is
written. Every row read ends in exactly one of accepted / set aside (with all its reason codes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import InputError, Problem, UsageError
from pipeline.frame.model import SampleFrame
from pipeline.frame.read import register_labels
from pipeline.ingest import InputFile, KeyingResult, RawTable, compare_keyings, read_input
from pipeline.questionnaire.model import Questionnaire
from pipeline.rundata import layout
from pipeline.rundata.columns import (
    COMPLETENESS,
    FLAGS,
    ITEM_NONRESPONSE,
    MODE,
    REASONS,
    RECORD_ID,
    SOURCE_FILE,
    SOURCE_ROW,
)
from pipeline.validate.compiled import Compiled, compile_questionnaire
from pipeline.validate.framelink import carry_register, frame_response, link_frame
from pipeline.validate.harmonise import TableData, harmonise
from pipeline.validate.log import Log, empty_edits, empty_issues
from pipeline.validate.quality import (
    CaseResult,
    ValidationOptions,
    case_checks,
    join_codes,
    resolve_duplicates,
)
from pipeline.validate.result import InputSummary, KeyingSummary, ValidationSummary
from pipeline.validate.schema import check_structure

SecondKeyings = (
    Mapping[str | Path, InputFile | str | Path]
    | Sequence[tuple[str | Path, InputFile | str | Path]]
)


@dataclass
class _Table:
    td: TableData
    cases: CaseResult
    record_ids: np.ndarray
    keying: KeyingResult | None = None


def read_all(
    q: Questionnaire, inputs: Sequence[InputFile], second_keyings: SecondKeyings = ()
) -> tuple[list[RawTable], dict[int, RawTable]]:
    """Read every input and second keying; one InputError naming every file that cannot be read."""
    if not inputs:
        raise UsageError("no input files", [Problem("give at least one --input FILE")])
    raws: list[RawTable | None] = []
    problems: list[Problem] = []
    failed: list[str] = []

    def attempt(inp: InputFile) -> RawTable | None:
        try:
            raw = read_input(inp, q)
            check_structure(q, raw.mode, raw.columns, file=str(inp.path))
            return raw
        except InputError as exc:
            failed.append(inp.name)
            problems.extend(
                exc.problems or [Problem(exc.message, file=str(inp.path), code=exc.code)]
            )
            return None

    for inp in inputs:
        raws.append(attempt(inp))
    seconds: dict[int, RawTable] = {}
    pairs = (
        list(second_keyings.items())
        if isinstance(second_keyings, Mapping)
        else list(second_keyings)
    )
    for primary, second in pairs:
        k = _find_primary(inputs, primary)
        sec = second if isinstance(second, InputFile) else InputFile(Path(second), mode="paper")
        if sec.mode is None:
            sec = sec.with_mode("paper")
        if inputs[k].mode not in (None, "paper") or sec.mode != "paper":
            raise UsageError(
                f"second keying {sec.name}: double keying applies to paper inputs only",
                [Problem("pair a second keying with a paper input", file=str(sec.path))],
            )
        raw2 = attempt(sec)
        if raw2 is not None:
            seconds[k] = raw2
    if problems:
        names = ", ".join(dict.fromkeys(failed))
        raise InputError(
            f"{len(set(failed))} input file(s) cannot be read: {names}; nothing was written",
            problems,
            code=problems[0].code or "input_error",
        )
    out = [r for r in raws if r is not None]
    for k in seconds:
        if out[k].mode != "paper":
            raise UsageError(
                f"second keying given for {out[k].name}, which is not a paper input",
                [Problem(f"its mode is {out[k].mode}", file=str(out[k].input.path))],
            )
    return out, seconds


def _find_primary(inputs: Sequence[InputFile], primary: str | Path) -> int:
    if len(inputs) and primary in ("", None):
        paper = [i for i, inp in enumerate(inputs) if inp.mode in (None, "paper")]
        if len(paper) == 1:
            return paper[0]
    p = Path(primary)
    for i, inp in enumerate(inputs):
        if inp.path == p or inp.name == p.name:
            return i
    raise UsageError(
        f"second keying: {str(primary)!r} is not one of the inputs",
        [Problem("name the paper input it belongs to", hint="--second-keying PRIMARY=SECOND")],
    )


def _record_ids(raws: Sequence[RawTable]) -> list[np.ndarray]:
    names = [r.name for r in raws]
    out = []
    for k, r in enumerate(raws):
        label = r.name if names.count(r.name) == 1 else f"{r.name}#{k + 1}"
        out.append(np.array([f"{label}:{i}" for i in range(1, r.n_rows + 1)], dtype=object))
    return out


def _meta(t: _Table, c: Compiled) -> pd.DataFrame:
    raw = t.td.raw
    return pd.DataFrame(
        {
            "record_id": t.record_ids,
            "sample_id": t.td.texts[c.id_variable],
            "mode": raw.mode,
            "source_file": raw.name,
            "source_row": np.arange(1, raw.n_rows + 1, dtype=np.int64),
        }
    )


def _keying_issues(t: _Table, second: RawTable) -> Log:
    """Keying issues: discrepancies and forms keyed only once go on the first keying's rows; forms only
    in the second keying go in a log of their own (file-level rows of the second file)."""
    kr = t.keying
    assert kr is not None
    log = t.td.log
    d = kr.discrepancies
    for item, g in d.groupby("item", sort=True):
        log.issue(
            "keying_discrepancy",
            g["first_row"].to_numpy(dtype=np.int64),
            item=str(item),
            values=g["first_value"].astype(str).tolist(),
            details=g["second_value"].astype(str).tolist(),
        )
    u1 = kr.unmatched[kr.unmatched["keying"] == "first"]
    log.issue(
        "keying_unmatched",
        u1["row"].to_numpy(dtype=np.int64),
        values=["first"] * len(u1),
        details=[
            f"batch {b!r}, {i or '(no id)'}" for b, i in zip(u1["batch"], u1["id"], strict=True)
        ],
    )
    other = Log()
    u2 = kr.unmatched[kr.unmatched["keying"] == "second"]
    for b, i, r in zip(u2["batch"], u2["id"], u2["row"], strict=True):
        other.issue(
            "keying_unmatched",
            None,
            values=["second"],
            details=f"batch {b!r}, {i or '(no id)'} (row {int(r) + 1} of {second.name})",
        )
    return other


def _frames(
    tables: Sequence[_Table],
    c: Compiled,
    reasons: Sequence[np.ndarray],
    flags: Sequence[np.ndarray],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """accepted and set-aside frames, built column by column (no big concat + boolean split)."""
    q = c.q
    set_aside = np.concatenate([r != "" for r in reasons])
    parts = {"acc": np.flatnonzero(~set_aside), "sa": np.flatnonzero(set_aside)}

    def cat(get: object) -> np.ndarray:
        return np.concatenate([get(t) for t in tables])  # type: ignore[operator]

    columns: list[tuple[str, np.ndarray, str | None]] = []
    for var in q.variables():
        if var in tables[0].td.texts:
            columns.append((var, cat(lambda t, v=var: t.td.texts[v]), "string"))
        else:
            columns.append((var, cat(lambda t, v=var: t.td.values[v]), None))
    for d in q.derived:
        columns.append((d.name, cat(lambda t, v=d.name: t.td.values[v]), None))
    for var in tables[0].td.register:  # register-only variables from the frame (every table's)
        columns.append((var, cat(lambda t, v=var: t.td.register[v]), None))
    columns += [
        (MODE, cat(lambda t: np.full(t.td.n, t.td.mode, dtype=object)), "string"),
        (SOURCE_FILE, cat(lambda t: np.full(t.td.n, t.td.raw.name, dtype=object)), "string"),
        (SOURCE_ROW, cat(lambda t: np.arange(1, t.td.n + 1, dtype=np.int64)), None),
        (RECORD_ID, cat(lambda t: t.record_ids), "string"),
        (COMPLETENESS, cat(lambda t: t.cases.completeness), "string"),
        (ITEM_NONRESPONSE, cat(lambda t: t.cases.item_nonresponse.astype(np.float64)), None),
        (FLAGS, np.concatenate(list(flags)), "string"),
        (REASONS, np.concatenate(list(reasons)), "string"),
    ]
    out = {}
    for key, idx in parts.items():
        cols = {
            name: (pd.array(arr[idx], dtype=dtype) if dtype else arr[idx])
            for name, arr, dtype in columns
            if not (key == "acc" and name == REASONS)
        }
        out[key] = pd.DataFrame(cols)
    return out["acc"], out["sa"]


def validate_tables(
    q: Questionnaire,
    raws: Sequence[RawTable],
    seconds: Mapping[int, RawTable] | None = None,
    options: ValidationOptions | None = None,
    frame: SampleFrame | None = None,
) -> ValidationFrames:
    """Harmonise and check already-read tables (in memory; nothing written). With a sample
    ``frame``, weighting variables blank or invalid on a form are filled from it (logged)."""
    options = options or ValidationOptions()
    seconds = seconds or {}
    c = compile_questionnaire(q)
    rids = _record_ids(raws)
    tables: list[_Table] = []
    extra_issues: list[pd.DataFrame] = []
    for k, raw in enumerate(raws):
        td = harmonise(c, raw)
        if frame is not None:
            link_frame(c, td, frame)
            carry_register(c, td, frame)
        t = _Table(td, case_checks(c, td, options), rids[k])
        if k in seconds:
            t.keying = compare_keyings(raw, seconds[k], q)
            other = _keying_issues(t, seconds[k])
            extra_issues.append(
                other.issue_table(pd.DataFrame(), mode="paper", source_file=seconds[k].name)
            )
        tables.append(t)
    precedence = tuple(options.duplicate_precedence or q.quality.duplicate_precedence)
    losers, win_t, win_r = resolve_duplicates(
        [t.td.texts[c.id_variable] for t in tables],
        [t.cases.share for t in tables],
        [t.td.mode for t in tables],
        [np.logical_or.reduce(list(t.cases.reasons.values())) for t in tables],
        precedence,
    )
    all_reasons, all_flags, edits, issues = [], [], [], []
    for k, t in enumerate(tables):
        rows = np.flatnonzero(losers[k])
        kept = [str(rids[int(win_t[k][r])][int(win_r[k][r])]) for r in rows]
        t.td.log.issue(
            "duplicate", rows, item=c.id_variable, rule=",".join(precedence), details=kept
        )
        t.cases.reasons["duplicate"] = losers[k]
        all_reasons.append(join_codes(t.cases.reasons, t.td.n))
        all_flags.append(join_codes(t.cases.flags, t.td.n))
        meta = _meta(t, c)
        edits.append(t.td.log.edit_table(meta))
        issues.append(t.td.log.issue_table(meta, mode=t.td.mode, source_file=t.td.raw.name))
    accepted, set_aside = _frames(tables, c, all_reasons, all_flags)
    edits_df = pd.concat([e for e in edits if len(e)] or [empty_edits()], ignore_index=True)
    issues_df = pd.concat(
        [i for i in issues + extra_issues if len(i)] or [empty_issues()], ignore_index=True
    )
    summary_frame = (
        None
        if frame is None
        else frame_response(
            frame,
            accepted,
            issues_df,
            id_variable=c.id_variable,
            strata=c.q.study.strata,
            labels={v: register_labels(c.q, v) for v in c.q.study.strata},
        )
    )
    return ValidationFrames(
        c, tables, accepted, set_aside, edits_df, issues_df, options, precedence, summary_frame
    )


@dataclass
class ValidationFrames:
    compiled: Compiled
    tables: list[_Table]
    accepted: pd.DataFrame
    set_aside: pd.DataFrame
    edits: pd.DataFrame
    issues: pd.DataFrame
    options: ValidationOptions
    precedence: tuple[str, ...]
    frame: dict[str, object] | None = None  # response against the sample frame (framelink)

    def summary(self, out_dir: Path) -> ValidationSummary:
        # counted from the output frames themselves (record ids are unique per input row)
        acc = set(self.accepted[RECORD_ID].tolist())
        sa = set(self.set_aside[RECORD_ID].tolist())
        inputs = []
        for t in self.tables:
            raw = t.td.raw
            ids = t.record_ids.tolist()
            inputs.append(
                InputSummary(
                    raw.name,
                    raw.mode,
                    raw.format,
                    raw.encoding,
                    raw.delimiter,
                    raw.n_rows,
                    sum(1 for r in ids if r in acc and r not in sa),
                    sum(1 for r in ids if r in sa and r not in acc),
                    raw.dialect.name if raw.dialect else "plain",
                    (
                        ("declared" if raw.dialect.declared else raw.dialect.evidence)
                        if raw.dialect
                        else ""
                    ),
                    raw.input.mapping.name if raw.input.mapping else None,
                    raw.dialect.evidence_code if raw.dialect else "",
                    raw.dialect.evidence_values if raw.dialect else (),
                )
            )
        reasons: dict[str, int] = {}
        for s in self.set_aside[REASONS].tolist():
            for r in s.split(";"):
                reasons[r] = reasons.get(r, 0) + 1
        keying = []
        for t in self.tables:
            if t.keying is not None:
                kr = t.keying
                keying.append(
                    KeyingSummary(
                        kr.first,
                        kr.second,
                        kr.forms_matched,
                        kr.fields_compared,
                        len(kr.discrepancies),
                        len(kr.unmatched),
                        kr.rate,
                        tuple(
                            (
                                str(r.role),
                                str(r.keyer),
                                int(r.fields),
                                int(r.discrepancies),
                                float(r.rate),
                            )
                            for r in kr.keyers.itertuples()
                        ),
                    )
                )
        return ValidationSummary(
            self.compiled.q.study.id,
            tuple(inputs),
            tuple(sorted((str(k), int(v)) for k, v in self.issues["code"].value_counts().items())),
            tuple(sorted(reasons.items())),
            tuple(
                sorted((str(k), int(v)) for k, v in self.edits["rule_id"].value_counts().items())
            ),
            tuple(keying),
            out_dir,
        )


def run_validation(
    q: Questionnaire,
    inputs: Sequence[InputFile],
    out_dir: Path,
    *,
    second_keyings: SecondKeyings = (),
    options: ValidationOptions | None = None,
    frame: SampleFrame | None = None,
    lang: str = "nl",
) -> ValidationSummary:
    """Validate ``inputs`` against ``q`` and write the files of ``01_validate/`` into ``out_dir``
    (the report in ``lang``: ``nl``, the default, or ``en``).

    Raises :class:`InputError` (nothing written) when an input cannot be read.
    """
    from pipeline.fileio import ensure_dir, write_json, write_parquet, write_text
    from pipeline.validate.report import diagnostics, render_report

    raws, seconds = read_all(q, inputs, second_keyings)
    vf = validate_tables(q, raws, seconds, options, frame)
    out_dir = Path(out_dir)
    summary = vf.summary(out_dir)
    if not summary.balanced:  # pragma: no cover - a bug, never a user error
        raise AssertionError(f"rows read != accepted + set aside: {summary.inputs}")
    diag = diagnostics(vf, summary)
    html = render_report(vf, summary, diag, lang)
    ensure_dir(out_dir)
    write_parquet(out_dir / layout.ACCEPTED, vf.accepted)
    write_parquet(out_dir / layout.SET_ASIDE, vf.set_aside)
    write_parquet(out_dir / layout.EDITS, vf.edits)
    write_parquet(out_dir / layout.ISSUES, vf.issues)
    write_json(out_dir / layout.DIAGNOSTICS, diag)
    write_text(out_dir / layout.VALIDATION_REPORT, html)
    return summary
