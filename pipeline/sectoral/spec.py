"""The configuration of a sectoral measurement's benchmark (``sectoral/<name>.yaml``, plain data).

::

    kind: sectoral-benchmark
    schema_version: 1
    name: pc126
    title: "PC 126 - hout- en meubelindustrie"
    sector_label: "PC 126"
    benchmark:
      label: "arbeiders in de industrie (Werkbaarheidsmonitor werknemers)"
      where: {statute: [1], sector: [1, 2, 3, 4]}   # the main wave's respondents compared
      reweight: [sex, age_band]                      # reweighted to the sector's composition
    indicators: [werkbaar_werk, werkstress, ...]

Read with the safe YAML reader; every problem is reported at once with its line (two passes: the
structure here, the names and codes against the questionnaires in :func:`check_against`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import Problem, SpecError

KIND = "sectoral-benchmark"
SCHEMA_VERSION = 1
TOP_KEYS = ("kind", "schema_version", "name", "title", "sector_label", "benchmark", "indicators")
BENCHMARK_KEYS = ("label", "where", "reweight")


@dataclass(frozen=True)
class BenchmarkSpec:
    name: str
    title: str
    sector_label: str
    label: str  # the benchmark group, in Dutch
    where: tuple[tuple[str, tuple[int, ...]], ...]  # variable -> codes kept
    reweight: tuple[str, ...]
    indicators: tuple[str, ...]
    source: str = ""


def resolve(name_or_path: str | Path) -> Path:
    """A path, or the name of a shipped configuration (``pc126`` -> ``sectoral/pc126.yaml``)."""
    from pipeline.paths import SECTORAL_DIR

    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return p
    return SECTORAL_DIR / f"{name_or_path}.yaml"


def shipped() -> tuple[str, ...]:
    from pipeline.paths import SECTORAL_DIR

    return tuple(sorted(p.stem for p in SECTORAL_DIR.glob("*.yaml")))


def load_benchmark_spec(name_or_path: str | Path) -> BenchmarkSpec:
    from pipeline.specfile import load_yaml

    path = resolve(name_or_path)
    if not path.is_file():
        raise SpecError(
            f"no sectoral benchmark configuration {str(name_or_path)!r}",
            [
                Problem(
                    "no such file",
                    file=str(path),
                    expected="a YAML path or one of " + ", ".join(shipped()),
                    code="benchmark_spec",
                )
            ],
            code="benchmark_spec",
        )
    src = load_yaml(path, what="sectoral benchmark configuration", code="benchmark_spec")
    d = src.data
    problems: list[Problem] = []
    file = str(path)

    def bad(msg: str, where: list[str | int], value: object = None, expected: str = "") -> None:
        problems.append(
            Problem(
                msg,
                file=file,
                line=src.line(where),
                path=".".join(map(str, where)) or None,
                value=value,
                expected=expected or None,
                code="benchmark_spec",
            )
        )

    for k in d:
        if k not in TOP_KEYS:
            bad("unknown key", [k], k, ", ".join(TOP_KEYS))
    if d.get("kind") != KIND:
        bad("not a sectoral benchmark configuration", ["kind"], d.get("kind"), KIND)
    if d.get("schema_version") != SCHEMA_VERSION:
        bad("unsupported schema version", ["schema_version"], d.get("schema_version"), "1")
    for k in ("name", "title", "sector_label"):
        if not isinstance(d.get(k), str) or not d.get(k):
            bad("missing or not text", [k], d.get(k), "text")
    b = d.get("benchmark")
    where: list[tuple[str, tuple[int, ...]]] = []
    reweight: list[str] = []
    label = ""
    if not isinstance(b, dict):
        bad("missing or not a mapping", ["benchmark"], None, "label, where, reweight")
    else:
        for k in b:
            if k not in BENCHMARK_KEYS:
                bad("unknown key", ["benchmark", k], k, ", ".join(BENCHMARK_KEYS))
        label = str(b["label"]) if isinstance(b.get("label"), str) else ""
        if not label:
            bad("missing or not text", ["benchmark", "label"], b.get("label"), "text")
        w = b.get("where")
        if not isinstance(w, dict) or not w:
            bad("missing or empty", ["benchmark", "where"], None, "variable: [codes]")
        else:
            for var, codes in w.items():
                ok = (
                    isinstance(codes, list)
                    and codes
                    and all(isinstance(c, int) and not isinstance(c, bool) for c in codes)
                )
                if not ok:
                    bad("not a list of codes", ["benchmark", "where", var], codes, "[1, 2]")
                else:
                    where.append((str(var), tuple(codes)))
        r = b.get("reweight", [])
        if not isinstance(r, list) or not all(isinstance(x, str) for x in r):
            bad("not a list of variable names", ["benchmark", "reweight"], r, "[sex, age_band]")
        else:
            reweight = list(r)
    ind = d.get("indicators")
    if not isinstance(ind, list) or not ind or not all(isinstance(x, str) for x in ind):
        bad("missing or not a list of indicator names", ["indicators"], ind, "[werkbaar_werk]")
        ind = []
    if problems:
        raise SpecError(
            f"sectoral benchmark configuration {path.name}: {len(problems)} problem(s)",
            problems,
            code="benchmark_spec",
        )
    return BenchmarkSpec(
        str(d["name"]),
        str(d["title"]),
        str(d["sector_label"]),
        label,
        tuple(where),
        tuple(reweight),
        tuple(ind),
        file,
    )


def check_against(
    spec: BenchmarkSpec, sector_columns: set[str], main_columns: set[str], main_codes: dict
) -> None:
    """The second pass: indicators in both runs, ``where`` variables and codes in the main wave,
    reweighting variables in both; every problem at once (``benchmark_mismatch``)."""
    problems: list[Problem] = []

    def bad(msg: str, path: str, value: object, expected: str) -> None:
        problems.append(
            Problem(
                msg,
                file=spec.source or None,
                path=path,
                value=value,
                expected=expected,
                code="benchmark_mismatch",
            )
        )

    for i, name in enumerate(spec.indicators):
        for what, cols in (("sector run", sector_columns), ("main wave", main_columns)):
            if name not in cols:
                bad(f"indicator not in the {what}", f"indicators[{i}]", name, "a scored indicator")
    for var, codes in spec.where:
        if var not in main_columns:
            bad("variable not in the main wave", f"benchmark.where.{var}", var, "a variable")
            continue
        known = main_codes.get(var)
        if known is not None:
            unknown = [c for c in codes if c not in known]
            if unknown:
                bad(
                    "code not in the main wave's questionnaire",
                    f"benchmark.where.{var}",
                    unknown,
                    "one of " + ", ".join(map(str, sorted(known))),
                )
    for i, var in enumerate(spec.reweight):
        for what, cols in (("sector run", sector_columns), ("main wave", main_columns)):
            if var not in cols:
                bad(
                    f"reweighting variable not in the {what}",
                    f"benchmark.reweight[{i}]",
                    var,
                    "a variable",
                )
    if problems:
        raise SpecError(
            f"sectoral benchmark {spec.name!r} does not fit the runs: {len(problems)} problem(s)",
            problems,
            code="benchmark_mismatch",
        )
