"""Population margins: the spec (plain frozen data, no pandas) and its file format.

A margins file is a long-form CSV ``variable,level,total`` (optional fourth column ``label``) with a
YAML sidecar of metadata beside it (same name, ``.yaml``). A joint margin is written with ``*``:
``variable=sex*age_band``, ``level=1*2``. Lines starting with ``#`` are comments. Levels are the
questionnaire's codes written as text; ``1.0`` is read as ``1``. See ``weights/README.md``.

Loading checks in two passes and reports every problem at once (:class:`SpecError`): first each line
and the metadata keys, then the cross-checks (grand totals agree, joint margins agree with the
single margins they contain).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import Problem, SpecError, one_of
from pipeline.rundata.levels import level_text

KIND = "wbm-margins"
SCHEMA_VERSION = 1
UNITS = ("persons", "organisations", "jobs")
TOTAL_RTOL = 1e-9  # same as pipeline.weighting.raking.TOTAL_RTOL
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_META_REQUIRED = (
    "kind",
    "schema_version",
    "name",
    "synthetic",
    "source",
    "reference_date",
    "population",
    "unit",
)
_META_OPTIONAL = ("title", "notes", "collapse")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class MarginsMeta:
    """What a margins file describes. ``synthetic`` must be true until real register totals are in."""

    name: str
    synthetic: bool
    source: str
    reference_date: str
    population: str
    unit: str
    title: str = ""
    notes: str = ""
    kind: str = KIND
    schema_version: int = SCHEMA_VERSION


@dataclass(frozen=True)
class CollapseRule:
    """Declared rule: a level of ``variable`` with fewer than ``min_count`` sample rows is merged with
    its neighbour in ``order`` (default: the file's order) that has the fewest rows, until every
    merged level has at least ``min_count`` rows. Applied to every margin containing the variable."""

    variable: str
    min_count: int
    order: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Margin:
    """One (possibly joint) margin: for each level a tuple of codes (one per variable) and a total."""

    variables: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]
    totals: tuple[float, ...]
    labels: tuple[str, ...] | None = None

    @property
    def name(self) -> str:
        return "*".join(self.variables)

    @property
    def total(self) -> float:
        return math.fsum(self.totals)

    @property
    def level_names(self) -> tuple[str, ...]:
        return tuple("*".join(lv) for lv in self.levels)


@dataclass(frozen=True)
class Margins:
    margins: tuple[Margin, ...]
    meta: MarginsMeta | None = None
    collapse: tuple[CollapseRule, ...] = ()
    source_file: str | None = field(default=None, compare=False)

    @property
    def variables(self) -> tuple[str, ...]:
        """Every data column used, in first-seen order."""
        seen: dict[str, None] = {}
        for m in self.margins:
            for v in m.variables:
                seen.setdefault(v, None)
        return tuple(seen)

    @property
    def total(self) -> float:
        return self.margins[0].total if self.margins else 0.0

    def margin(self, name: str) -> Margin:
        for m in self.margins:
            if m.name == name:
                return m
        raise KeyError(one_of(name, [m.name for m in self.margins]))


# --------------------------------------------------------------------------------------------------
# building and cross-checking


def margins_from_rows(
    rows: Iterable[tuple[str, str, float] | tuple[str, str, float, str]],
    *,
    meta: MarginsMeta | None = None,
    collapse: Sequence[CollapseRule] = (),
    source_file: str | None = None,
) -> Margins:
    """Build (and check) margins from ``(variable, level, total[, label])`` rows, in file order."""
    margins, problems = _group([(i + 1, *r) for i, r in enumerate(rows)], source_file)
    if problems:
        raise SpecError("margins are not valid", problems=tuple(problems), code="margins_invalid")
    out = Margins(tuple(margins), meta, tuple(collapse), source_file)
    cross = check_margins(out)
    if cross:
        raise SpecError(
            "margins are not consistent", problems=tuple(cross), code="margins_inconsistent"
        )
    return out


def _group(rows: list[tuple], file: str | None) -> tuple[list[Margin], list[Problem]]:
    problems: list[Problem] = []
    order: dict[str, list[tuple[tuple[str, ...], float, str | None]]] = {}
    seen: dict[tuple[str, tuple[str, ...]], int] = {}
    for line, variable, level, total, *rest in rows:
        label = rest[0] if rest else None
        var = str(variable).strip()
        where = f"{var}={level}"
        parts = tuple(p.strip() for p in var.split("*"))
        if not var or not all(_NAME_RE.match(p) for p in parts):
            problems.append(
                Problem(
                    "bad variable name",
                    file=file,
                    line=line,
                    value=var,
                    expected="a column name, or names joined by '*' for a joint margin",
                    code="bad_variable",
                )
            )
            continue
        if len(set(parts)) != len(parts):
            problems.append(
                Problem(
                    "a variable appears twice in a joint margin",
                    file=file,
                    line=line,
                    value=var,
                    code="bad_variable",
                )
            )
            continue
        lv = tuple(level_text(p) for p in str(level).split("*"))
        if len(lv) != len(parts) or any(p == "" for p in lv):
            problems.append(
                Problem(
                    "level does not match the variable",
                    file=file,
                    line=line,
                    path=where,
                    value=str(level),
                    expected=f"{len(parts)} code(s) joined by '*'",
                    code="bad_level",
                )
            )
            continue
        try:
            tot = float(total)
        except (TypeError, ValueError):
            problems.append(
                Problem(
                    "total is not a number",
                    file=file,
                    line=line,
                    path=where,
                    value=total,
                    expected="a number >= 0",
                    code="bad_total",
                )
            )
            continue
        if not math.isfinite(tot) or tot < 0:
            problems.append(
                Problem(
                    "negative or non-finite population total",
                    file=file,
                    line=line,
                    path=where,
                    value=total,
                    expected="a number >= 0",
                    hint="population totals cannot be negative",
                    code="negative_total",
                )
            )
            continue
        key = (var, lv)
        if key in seen:
            problems.append(
                Problem(
                    f"duplicate level (first on line {seen[key]})",
                    file=file,
                    line=line,
                    path=where,
                    code="duplicate_level",
                )
            )
            continue
        seen[key] = line
        order.setdefault("*".join(parts), []).append((lv, tot, label))
    margins = []
    for var, entries in order.items():
        labels = tuple(e[2] or "" for e in entries)
        margins.append(
            Margin(
                variables=tuple(var.split("*")),
                levels=tuple(e[0] for e in entries),
                totals=tuple(e[1] for e in entries),
                labels=labels if any(labels) else None,
            )
        )
    return margins, problems


def _looks_like_shares(ms: Sequence[Margin]) -> bool:
    """Margins given as proportions: every margin adds up to 1 or less. No population of weighting
    interest has one unit; such a file is refused (``margins_are_shares``)."""
    return all(0 < m.total <= 1 + 1e-9 for m in ms)


def looks_like_percentages(margins: Margins) -> bool:
    """Every margin adds up to exactly 100 and some level holds a fraction: probably percentages.
    Not refused (a hand-made population of 100 is legal), but weighting says so in a notice
    (``margins_look_like_percentages``)."""
    ms = margins.margins
    return (
        bool(ms)
        and all(abs(m.total - 100) <= 1e-6 for m in ms)
        and any(abs(x - round(x)) > 1e-9 for m in ms for x in m.totals)
    )


def check_margins(margins: Margins) -> list[Problem]:
    """Cross-checks: non-empty, grand totals agree, joint margins agree with contained margins,
    collapse rules name known variables."""
    file = margins.source_file
    problems: list[Problem] = []
    ms = margins.margins
    if not ms:
        return [Problem("no margins", file=file, code="no_margins")]
    ref = ms[0].total
    for m in ms:
        if m.total <= 0:
            problems.append(
                Problem("margin has a grand total of 0", file=file, path=m.name, code="zero_total")
            )
    if _looks_like_shares(ms):
        problems.append(
            Problem(
                "the totals are proportions or percentages, not population totals",
                file=file,
                path=ms[0].name,
                value=ref,
                expected="population totals (number of persons, organisations or jobs per level)",
                hint="multiply the shares by the population size; weights made to shares would "
                "sum to 1 and every total estimated from them would come out as a share",
                code="margins_are_shares",
            )
        )
    for m in ms[1:]:
        if abs(m.total - ref) > TOTAL_RTOL * max(abs(ref), 1.0):
            problems.append(
                Problem(
                    "grand total differs from the first margin's",
                    file=file,
                    path=m.name,
                    value=m.total,
                    expected=f"{ref:.10g} (the total of {ms[0].name})",
                    hint="every margin must describe the same population total",
                    code="totals_disagree",
                )
            )
    for big in ms:
        for small in ms:
            if small is big or not set(small.variables) < set(big.variables):
                continue
            idx = [big.variables.index(v) for v in small.variables]
            agg: dict[tuple[str, ...], float] = {}
            for lv, tot in zip(big.levels, big.totals, strict=True):
                k = tuple(lv[i] for i in idx)
                agg[k] = agg.get(k, 0.0) + tot
            mine = dict(zip(small.levels, small.totals, strict=True))
            for k in sorted(set(agg) | set(mine)):
                a, b = agg.get(k), mine.get(k)
                if a is None or b is None or abs(a - b) > 1e-6 * max(abs(b), 1.0):
                    problems.append(
                        Problem(
                            f"joint margin {big.name} does not add up to margin {small.name}",
                            file=file,
                            path=f"{small.name}={'*'.join(k)}",
                            value=a,
                            expected=f"{b!r}" if b is not None else "no such level",
                            code="joint_inconsistent",
                        )
                    )
    known = set(margins.variables)
    for rule in margins.collapse:
        if rule.variable not in known:
            problems.append(
                Problem(
                    "collapse rule names an unknown variable",
                    file=file,
                    path="collapse",
                    value=rule.variable,
                    expected=one_of(rule.variable, sorted(known)),
                    code="bad_collapse",
                )
            )
    return problems


# --------------------------------------------------------------------------------------------------
# file format


def sidecar_path(csv_path: str | Path) -> Path:
    return Path(csv_path).with_suffix(".yaml")


def load_margins(path: str | Path, *, require_meta: bool = False) -> Margins:
    """Read a margins CSV (and its ``.yaml`` sidecar when present); raise SpecError with all problems."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise SpecError(
            f"margins file not found: {file}",
            code="file_not_found",
            problems=(
                Problem(
                    "no such file", file=file, hint="give the path of a variable,level,total CSV"
                ),
            ),
        )
    problems: list[Problem] = []
    rows: list[tuple] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(
            "margins file is not UTF-8 text",
            code="margins_invalid",
            problems=(Problem(str(exc), file=file),),
        ) from None
    lines = [
        (i + 1, ln)
        for i, ln in enumerate(text.splitlines())
        if ln.strip() and not ln.lstrip().startswith("#")
    ]
    header: list[str] | None = None
    for lineno, ln in lines:
        try:  # one record per line: a line break inside a quoted field is not a margins file
            rec = next(csv.reader([ln]), [])
        except csv.Error as exc:
            problems.append(
                Problem(
                    f"the line cannot be read as CSV ({exc})",
                    file=file,
                    line=lineno,
                    value=ln[:80],
                    expected="variable,level,total[,label] on one line",
                    code="bad_line",
                )
            )
            continue
        if header is None:
            header = [h.strip().lower() for h in rec]
            if (
                header[:3] != ["variable", "level", "total"]
                or len(header) > 4
                or (len(header) == 4 and header[3] != "label")
            ):
                raise SpecError(
                    "margins file has the wrong columns",
                    code="margins_invalid",
                    problems=(
                        Problem(
                            "bad header",
                            file=file,
                            line=lineno,
                            value=",".join(rec),
                            expected="variable,level,total[,label]",
                        ),
                    ),
                )
            continue
        if len(rec) != len(header):
            problems.append(
                Problem(
                    "wrong number of fields",
                    file=file,
                    line=lineno,
                    value=len(rec),
                    expected=str(len(header)),
                    code="bad_line",
                )
            )
            continue
        rows.append((lineno, *rec))
    if header is None:
        raise SpecError(
            "margins file is empty",
            code="margins_invalid",
            problems=(
                Problem(
                    "no header and no rows", file=file, expected="variable,level,total[,label]"
                ),
            ),
        )
    margins, more = _group(rows, file)
    problems += more
    meta: MarginsMeta | None = None
    collapse: tuple[CollapseRule, ...] = ()
    side = sidecar_path(path)
    if side.is_file():
        meta, collapse, meta_problems = _load_meta(side)
        problems += meta_problems
    elif require_meta:
        problems.append(
            Problem(
                "metadata file missing",
                file=str(side),
                hint="write the YAML sidecar described in weights/README.md",
                code="meta_missing",
            )
        )
    if problems:
        raise SpecError(
            f"margins file {file} is not valid", problems=tuple(problems), code="margins_invalid"
        )
    out = Margins(tuple(margins), meta, tuple(collapse), file)
    cross = check_margins(out)
    if cross:
        raise SpecError(
            f"margins file {file} is not consistent",
            problems=tuple(cross),
            code="margins_inconsistent",
        )
    return out


def _load_meta(side: Path) -> tuple[MarginsMeta | None, tuple[CollapseRule, ...], list[Problem]]:
    from pipeline.specfile import read_yaml

    file = str(side)
    src, read_problems = read_yaml(
        side, expected="the margins metadata (kind, schema_version, ...)"
    )
    if src is None or read_problems:
        return None, (), read_problems
    doc = src.data
    problems = []
    for key in doc:
        if key not in _META_REQUIRED + _META_OPTIONAL:
            problems.append(
                Problem(
                    "unknown key",
                    file=file,
                    path=str(key),
                    expected=one_of(key, _META_REQUIRED + _META_OPTIONAL),
                    code="meta_invalid",
                )
            )
    for key in _META_REQUIRED:
        if key not in doc:
            problems.append(
                Problem("required key missing", file=file, path=key, code="meta_invalid")
            )
    if problems:
        return None, (), problems
    checks = [
        ("kind", doc["kind"] == KIND, repr(KIND)),
        ("schema_version", doc["schema_version"] == SCHEMA_VERSION, str(SCHEMA_VERSION)),
        ("synthetic", isinstance(doc["synthetic"], bool), "true or false"),
        ("unit", doc["unit"] in UNITS, ", ".join(UNITS)),
        ("reference_date", bool(_DATE_RE.match(str(doc["reference_date"]))), "YYYY-MM-DD"),
    ]
    for key, ok, expected in checks:
        if not ok:
            problems.append(
                Problem(
                    "bad value",
                    file=file,
                    path=key,
                    value=doc[key],
                    expected=expected,
                    code="meta_invalid",
                )
            )
    collapse = []
    for i, rule in enumerate(doc.get("collapse") or []):
        where = f"collapse[{i}]"
        if (
            not isinstance(rule, dict)
            or set(rule) - {"variable", "min_count", "order"}
            or "variable" not in rule
            or not isinstance(rule.get("min_count"), int)
            or rule["min_count"] < 1
        ):
            problems.append(
                Problem(
                    "bad collapse rule",
                    file=file,
                    path=where,
                    value=rule,
                    expected="{variable: NAME, min_count: N>=1, order: [codes]}",
                    code="meta_invalid",
                )
            )
            continue
        order = rule.get("order")
        collapse.append(
            CollapseRule(
                str(rule["variable"]),
                int(rule["min_count"]),
                tuple(level_text(o) for o in order) if order else None,
            )
        )
    if problems:
        return None, (), problems
    meta = MarginsMeta(
        name=str(doc["name"]),
        synthetic=doc["synthetic"],
        source=str(doc["source"]),
        reference_date=str(doc["reference_date"]),
        population=str(doc["population"]),
        unit=str(doc["unit"]),
        title=str(doc.get("title") or ""),
        notes=str(doc.get("notes") or ""),
    )
    return meta, tuple(collapse), []


def dump_margins(margins: Margins, path: str | Path) -> Path:
    """Write the CSV (and the YAML sidecar when there is metadata); ``load_margins`` gives it back."""
    from pipeline.fileio import write_text
    from pipeline.spreadsheet import csv_rows

    path = Path(path)
    with_labels = any(m.labels for m in margins.margins)
    head = (
        "# SYNTHETIC population totals: not real register figures.\n"
        if margins.meta is not None and margins.meta.synthetic
        else ""
    )
    rows = []
    for m in margins.margins:
        for i, (lv, tot) in enumerate(zip(m.levels, m.totals, strict=True)):
            row = [m.name, "*".join(lv), f"{tot:.17g}" if tot != int(tot) else str(int(tot))]
            if with_labels:
                row.append(m.labels[i] if m.labels else "")
            rows.append(row)
    header = ["variable", "level", "total"] + (["label"] if with_labels else [])
    write_text(path, head + csv_rows(rows, header=header))
    if margins.meta is not None:
        import yaml

        meta = margins.meta
        doc: dict[str, object] = {
            "kind": meta.kind,
            "schema_version": meta.schema_version,
            "name": meta.name,
            "title": meta.title,
            "synthetic": meta.synthetic,
            "source": meta.source,
            "reference_date": meta.reference_date,
            "population": meta.population,
            "unit": meta.unit,
            "notes": meta.notes,
        }
        if margins.collapse:
            doc["collapse"] = [
                {"variable": r.variable, "min_count": r.min_count}
                | ({"order": list(r.order)} if r.order else {})
                for r in margins.collapse
            ]
        write_text(sidecar_path(path), yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    return path
