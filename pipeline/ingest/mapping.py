"""Input mappings: which source column is which questionnaire variable, and which source value is
which code. The *spec* (a YAML file per input, no pandas here) and its two-pass check.

A mapping file (``kind: input-mapping``)::

    kind: input-mapping
    schema_version: 1
    questionnaire: wbm-werknemers-2023      # optional: the study id it was written for
    dialect: limesurvey                     # optional: how the file is read (see dialects)
    missing:                                # source values meaning a missing code, every column
      - {source: "99", code: -8}
    columns:
      - {source: SEX, variable: sex, codes: [{source: M, code: 1}, {source: V, code: 2}]}
      - {source: "PV[SQ001]", variable: pv01}
      - {source: submitdate}                # no variable: the column is ignored on purpose

Codes are values (``source``/``code`` pairs), never dict keys. Columns without an entry are matched
to variables by name: exactly, then case-insensitively, then by the dialect's naming rule (e.g.
LimeSurvey's ``PV[SQ001]`` or Qualtrics' ``PV_1`` to ``pv01`` when exactly one variable fits). Every
problem of a mapping is reported at once, with the file, line and a "did you mean".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline.errors import InputError, Problem, close_names, did_you_mean
from pipeline.questionnaire.model import ItemType, Questionnaire

MAPPING_KIND = "input-mapping"
MAPPING_VERSION = 1
How = Literal["mapping", "exact", "case", "dialect"]


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CodeMap(_Spec):
    source: str | int | float | bool
    code: int


class ColumnMap(_Spec):
    source: str
    variable: str | None = None  # None: the column is ignored on purpose
    codes: tuple[CodeMap, ...] = ()


class InputMapping(_Spec):
    kind: Literal["input-mapping"] = "input-mapping"
    schema_version: Literal[1] = 1
    questionnaire: str | None = None
    dialect: str | None = None
    missing: tuple[CodeMap, ...] = ()
    columns: tuple[ColumnMap, ...] = ()


def source_text(v: str | int | float | bool) -> str:
    """A source value as the text it is compared with (``1.0`` -> ``1``, ``True`` -> ``1``)."""
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


@dataclass(frozen=True)
class LoadedMapping:
    path: Path
    spec: InputMapping
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)

    def line(self, *path: str | int) -> int | None:
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return None


def load_mapping(path: Path) -> LoadedMapping:
    """Read and check the structure of a mapping file; :class:`InputError` lists every problem."""
    from pipeline.questionnaire.source import read_source
    from pipeline.questionnaire.structure import structure_problems

    path = Path(path)
    src, problems = read_source(path)
    problems = [_coded(p) for p in problems]
    if src is not None and not problems:
        try:
            spec = InputMapping.model_validate(src.data)
        except ValidationError as exc:
            problems = [_coded(p) for p in structure_problems(InputMapping, exc, src)]
        else:
            return LoadedMapping(path, spec, dict(src.lines))
    raise InputError(
        f"{path}: the mapping file has {len(problems)} problem(s)", problems, code="mapping_error"
    )


def _coded(p: Problem) -> Problem:
    from dataclasses import replace

    return replace(p, code="mapping_error", message=f"{p.message}")


# --------------------------------------------------------------------------------- column names
_LIME = re.compile(r"^(?P<base>[A-Za-z][A-Za-z0-9_]*?)[\[_](?P<sub>[A-Za-z]*0*(?P<n>\d+))\]?$")


def variable_candidates(source: str, variables: Sequence[str]) -> list[str]:
    """Variables an array/matrix column name such as ``PV[SQ001]``, ``PV_SQ001`` or ``PV_1`` may
    stand for: ``pv01``, ``pv1``, ``pv_1`` (case-insensitive, any zero padding)."""
    m = _LIME.match(source.strip())
    if not m:
        return []
    base, n = m.group("base").lower(), int(m.group("n"))
    pat = re.compile(rf"^{re.escape(base)}_?0*{n}$", re.IGNORECASE)
    return [v for v in variables if pat.match(v)]


@dataclass(frozen=True)
class ColumnPlan:
    """How each source column of one input is read."""

    rename: dict[str, str]  # source column -> questionnaire variable (or multiple item name)
    how: dict[str, How]
    ignored: tuple[str, ...]  # ignored on purpose by the mapping
    unknown: tuple[tuple[str, str], ...]  # (source column, hint) matched to nothing
    codes: dict[str, dict[str, int]]  # source column -> {source text -> code}
    missing: dict[str, int]  # every column: {source text -> code}


def plan_columns(
    columns: Sequence[str],
    q: Questionnaire,
    mapping: LoadedMapping | None,
    *,
    file: str,
    array_names: bool = False,
) -> ColumnPlan:
    """Match source columns to variables (see the module docstring); :class:`InputError` with every
    problem (a mapping naming an unknown variable or column, two columns for one variable, codes the
    variable does not allow) at once."""
    variables = list(q.variables())
    multiple = [it.name for it in q.items if it.type == ItemType.multiple]
    targets = variables + multiple
    lower: dict[str, list[str]] = {}
    for v in targets:
        lower.setdefault(v.lower(), []).append(v)
    problems: list[Problem] = []
    rename: dict[str, str] = {}
    how: dict[str, How] = {}
    ignored: list[str] = []
    codes: dict[str, dict[str, int]] = {}
    spec = mapping.spec if mapping else InputMapping()
    where = str(mapping.path) if mapping else file
    present = {c.lower(): c for c in columns}
    for i, cm in enumerate(spec.columns):
        src = cm.source if cm.source in columns else present.get(cm.source.lower())
        if src is None:
            problems.append(
                Problem(
                    f"the mapping names column {cm.source!r}, which {Path(file).name} does not have",
                    file=where,
                    line=mapping.line("columns", i, "source") if mapping else None,
                    value=cm.source,
                    hint=did_you_mean(cm.source, columns),
                    code="mapping_error",
                )
            )
            continue
        if cm.variable is None:
            ignored.append(src)
            continue
        if cm.variable not in targets:
            problems.append(
                Problem(
                    f"the mapping maps {cm.source!r} to {cm.variable!r}, which is not a variable of {q.study.id}",
                    file=where,
                    line=mapping.line("columns", i, "variable") if mapping else None,
                    value=cm.variable,
                    hint=did_you_mean(cm.variable, targets),
                    code="mapping_error",
                )
            )
            continue
        rename[src] = cm.variable
        how[src] = "mapping"
        if cm.codes:
            allowed = _allowed_codes(q, cm.variable)
            table: dict[str, int] = {}
            for j, c in enumerate(cm.codes):
                key = source_text(c.source)
                if allowed is not None and c.code not in allowed:
                    problems.append(
                        Problem(
                            f"code {c.code} is not a code of {cm.variable}",
                            file=where,
                            line=mapping.line("columns", i, "codes", j, "code")
                            if mapping
                            else None,
                            value=c.code,
                            expected="one of " + ", ".join(str(a) for a in sorted(allowed)),
                            code="mapping_error",
                        )
                    )
                if key in table and table[key] != c.code:
                    problems.append(
                        Problem(
                            f"source value {key!r} of {cm.source!r} is mapped twice ({table[key]} and {c.code})",
                            file=where,
                            line=mapping.line("columns", i, "codes", j) if mapping else None,
                            hint="keep one of them",
                            code="mapping_error",
                        )
                    )
                table[key] = c.code
            codes[src] = table
    mapped = set(rename) | set(ignored)
    unknown: list[tuple[str, str]] = []
    for col in columns:
        if col in mapped:
            continue
        if col in targets:
            rename[col], how[col] = col, "exact"
            continue
        hit = lower.get(col.lower(), [])
        if len(hit) == 1:
            rename[col], how[col] = hit[0], "case"
            continue
        cands = variable_candidates(col, targets) if array_names else []
        if len(cands) == 1:
            rename[col], how[col] = cands[0], "dialect"
            continue
        close = cands or close_names(col, targets, n=3) or close_names(col.lower(), targets, n=3)
        hint = ("did you mean " + " or ".join(repr(c) for c in close) + "?") if close else ""
        unknown.append((col, hint))
    # two columns for one variable: never "last one wins"
    by_target: dict[str, list[str]] = {}
    for s, t in rename.items():
        by_target.setdefault(t, []).append(s)
    for t, srcs in sorted(by_target.items()):
        if len(srcs) > 1:
            problems.append(
                Problem(
                    f"columns {', '.join(repr(s) for s in srcs)} would all be read as {t!r}",
                    file=file,
                    value=t,
                    hint="map one of them to another variable or ignore it in a mapping file "
                    "(wbm questionnaire map --input FILE proposes one)",
                    code="mapping_error",
                )
            )
    missing_codes = set(q.missing_code_values())
    missing: dict[str, int] = {}
    for j, c in enumerate(spec.missing):
        if c.code not in missing_codes:
            problems.append(
                Problem(
                    f"code {c.code} is not a missing code of {q.study.id}",
                    file=where,
                    line=mapping.line("missing", j, "code") if mapping else None,
                    value=c.code,
                    expected="one of " + ", ".join(str(m) for m in sorted(missing_codes)),
                    code="mapping_error",
                )
            )
        missing[source_text(c.source)] = c.code
    if problems:
        raise InputError(
            f"{file}: the columns cannot be matched to {q.study.id} ({len(problems)} problem(s))",
            problems,
            code="mapping_error",
        )
    return ColumnPlan(rename, how, tuple(ignored), tuple(unknown), codes, missing)


def _allowed_codes(q: Questionnaire, variable: str) -> set[int] | None:
    """Codes a mapped variable may take (its codes, plus the item's missing codes; a multiple-choice
    item named as a whole: its options); None for numbers, text and names that are no item's."""
    for it in q.items:
        if it.name == variable and it.type == ItemType.multiple:
            return {c.code for c in q.choices_of(it)} | set(it.missing)
        if it.name == variable or variable in q.item_variables(it):
            codes = q.codes_of(variable)
            return None if codes is None else set(codes) | set(it.missing)
    return None
