"""The layer rule of ARCHITECTURE.md, asserted on the source (AST, every import including lazy ones
inside functions and under TYPE_CHECKING), and what importing a module may load (one place for the
import-cost checks).

Layers, lowest first; a module may import its own layer and the layers below it, with one exception
stated in ``ALLOWED``:

    foundation      pipeline (the package root), errors, fileio, paths, workers
    contract        rundata (the run-directory contract), manifest
    specs           questionnaire
    engines         ingest, validate, weighting, scoring, estimation, sdc, synth, frame, fieldwork,
                    sectoral
    products        reports, tables, release
    orchestration   runner, stages, demo
    cli             cli, commands, __main__

So engines and specs never import products, orchestration or the CLI, and nothing but the CLI
imports the CLI. The contract layer may read a questionnaire (a spec) lazily: a run names its own.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipeline"

LAYERS: dict[str, tuple[str, ...]] = {
    "foundation": (
        "pipeline",
        "pipeline.errors",
        "pipeline.fileio",
        "pipeline.paths",
        "pipeline.workers",
    ),
    "contract": ("pipeline.rundata", "pipeline.manifest"),
    "specs": ("pipeline.questionnaire",),
    "engines": (
        "pipeline.ingest",
        "pipeline.validate",
        "pipeline.weighting",
        "pipeline.scoring",
        "pipeline.estimation",
        "pipeline.sdc",
        "pipeline.synth",
        "pipeline.frame",
        "pipeline.fieldwork",
        "pipeline.sectoral",
    ),
    "products": (
        "pipeline.reports",
        "pipeline.tables",
        "pipeline.release",
        "pipeline.archive",
        "pipeline.datatool",
    ),
    "orchestration": ("pipeline.runner", "pipeline.stages", "pipeline.demo", "pipeline.history"),
    "cli": ("pipeline.cli", "pipeline.commands", "pipeline.__main__"),
}
ORDER = tuple(LAYERS)
ALLOWED: dict[str, set[str]] = {layer: set(ORDER[: i + 1]) for i, layer in enumerate(ORDER)}
ALLOWED["contract"].add("specs")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    best, found = -1, ""
    for layer, prefixes in LAYERS.items():
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best:
                best, found = len(p), layer
    if not found:
        raise AssertionError(f"{module}: in no layer; add it to LAYERS in tests/test_layers.py")
    return found


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every pipeline import in the file, relative ones resolved."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.append((node.lineno, mod))
            for a in node.names:  # "from pipeline import stages" imports the module pipeline.stages
                sub = f"{mod}.{a.name}"
                if (ROOT / sub.replace(".", "/")).with_suffix(".py").exists() or (
                    ROOT / sub.replace(".", "/")
                ).is_dir():
                    out.append((node.lineno, sub))
    return [(n, m) for n, m in out if m == "pipeline" or m.startswith("pipeline.")]


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_is_in_a_layer():
    for path in sources():
        layer_of(module_name(path))


def test_no_module_imports_a_higher_layer():
    bad = []
    for path in sources():
        me = layer_of(module_name(path))
        for line, mod in imports(path):
            theirs = layer_of(mod)
            if theirs not in ALLOWED[me]:
                bad.append(f"{path.relative_to(ROOT)}:{line}: {me} imports {theirs} ({mod})")
    assert not bad, "\n".join(bad)


def test_the_check_sees_lazy_and_relative_imports():
    """The AST walk finds imports inside functions and relative ones (a rule that misses them would
    pass whatever the code does)."""
    sample = PACKAGE / "scoring" / "plan.py"
    found = {m for _, m in imports(sample)}
    assert "pipeline.rundata.columns" in found
    lazy = PACKAGE / "stages.py"
    assert "pipeline.reports.rundir" in {m for _, m in imports(lazy)}  # imported inside a function
    assert layer_of("pipeline.sdc.tables.cells") == "engines"
    assert layer_of("pipeline.reports") == "products"
    assert "products" not in ALLOWED["engines"] and "cli" not in ALLOWED["products"]


# --------------------------------------------------------------------------------- import cost
HEAVY = ("pandas", "numpy", "pyarrow", "scipy", "pandera", "pyreadstat", "weasyprint", "jinja2")

CASES = [
    # (modules imported, libraries they must not load)
    (("pipeline", "pipeline.cli", "pipeline.errors"), HEAVY),
    (("pipeline.rundata.layout", "pipeline.rundata.columns", "pipeline.rundata.levels",
      "pipeline.rundata.read"), ("numpy", "pandas")),
    (("pipeline.ingest", "pipeline.validate", "pipeline.commands.validate"),
     ("pandas", "pyarrow", "pandera", "pyreadstat")),
    (("pipeline.tables.api",), ("pandas",)),
    (("pipeline.commands.report", "pipeline.reports.batch", "pipeline.reports.pdf",
      "pipeline.reports.overview", "pipeline.reports.enterprise", "pipeline.reports.rundir",
      "pipeline.reports.waves", "pipeline.reports.report"),
     ("pandas", "weasyprint", "jinja2", "matplotlib", "scipy", "pyarrow")),
    (("pipeline.reports.report", "pipeline.tables.files", "pipeline.release.sav"),
     ("matplotlib", "xlsxwriter", "pyreadstat", "weasyprint")),
]  # fmt: skip


@pytest.mark.parametrize("modules,forbidden", CASES, ids=lambda v: ",".join(v)[:60])
def test_importing_loads_no_heavy_library(modules, forbidden):
    code = (
        f"import sys; import {', '.join(modules)}; "
        f"print(sorted(m for m in {forbidden!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]", f"importing {modules} loads {out}"
