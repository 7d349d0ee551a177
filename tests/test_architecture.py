"""ARCHITECTURE.md's module table matches the tree: every module and package of ``pipeline/`` has an
owner row (itself, or every part of it), every path the table names exists, and no path has two rows.

The first column of the table names paths in backticks, each spelled from the repository root:
``pipeline/x.py`` (a module), ``pipeline/x/`` (a package), ``pipeline/x/*`` (every module of a
package). A package is covered when it is named itself or when each of its modules and subpackages
is covered.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARCHITECTURE = ROOT / "ARCHITECTURE.md"
PACKAGE = ROOT / "pipeline"
TABLE_HEADING = "## Module ownership"


def table_paths(text: str) -> list[str]:
    """The paths of the module table's first column, in order (duplicates kept)."""
    section = text.split(TABLE_HEADING, 1)[1].split("\n## ", 1)[0]
    paths: list[str] = []
    for line in section.splitlines():
        if not line.startswith("|") or line.startswith("|---") or line.startswith("| module"):
            continue
        first = line.split("|")[1]
        paths += re.findall(r"`([^`]+)`", first)
    return paths


def _normal(path: str) -> str:
    """``pipeline/x/`` and ``pipeline/x/*`` name the package ``pipeline/x``."""
    return path.removesuffix("*").rstrip("/")


def parts_of(package: Path) -> list[Path]:
    """The modules (except ``__init__``) and subpackages directly inside a package."""
    return [p for p in sorted(package.iterdir()) if _is_package(p) or _is_module(p)]


def _is_package(p: Path) -> bool:
    return p.is_dir() and (p / "__init__.py").exists()


def _is_module(p: Path) -> bool:
    return p.suffix == ".py" and p.name != "__init__.py"


def uncovered(package: Path, named: set[str]) -> list[str]:
    """The modules and packages under ``package`` that no row covers (relative to the root)."""
    missing = []
    for p in parts_of(package):
        rel = p.relative_to(ROOT).as_posix()
        if rel in named:
            continue
        if p.is_dir():
            missing += uncovered(p, named) or []
            if not parts_of(p):
                missing.append(rel + "/")
        else:
            missing.append(rel)
    return missing


def problems(text: str) -> list[str]:
    paths = table_paths(text)
    out = [f"not spelled from the repository root: {p}" for p in paths if "/" not in p]
    normal = [_normal(p) for p in paths]
    seen: set[str] = set()
    for p in normal:
        if p in seen:
            out.append(f"two rows name {p}")
        seen.add(p)
    for p in sorted(seen):
        if "/" in p and not (ROOT / p).exists():
            out.append(f"the table names {p}, which does not exist")
    out += [f"no row owns {p}" for p in uncovered(PACKAGE, seen)]
    return out


def test_the_module_table_matches_the_tree() -> None:
    assert problems(ARCHITECTURE.read_text(encoding="utf-8")) == []


# The check itself, on small tables (it must be able to fail).
HEAD = "# A\n\n## Module ownership\n\n| module | owns |\n|---|---|\n"


def _with_rows(*rows: str) -> str:
    real = table_paths(ARCHITECTURE.read_text(encoding="utf-8"))
    lines = [f"| `{p}` | x |" for p in real]
    return HEAD + "\n".join(lines + list(rows)) + "\n\n## Decisions\n"


def test_the_check_finds_a_name_that_does_not_exist() -> None:
    assert problems(_with_rows("| `pipeline/nosuch.py` | x |")) == [
        "the table names pipeline/nosuch.py, which does not exist"
    ]


def test_the_check_finds_a_package_named_twice() -> None:
    assert problems(_with_rows("| `pipeline/weighting/` | again |")) == [
        "two rows name pipeline/weighting"
    ]


@pytest.mark.parametrize("drop", ["pipeline/paths.py", "pipeline/weighting/"])
def test_the_check_finds_a_module_without_a_row(drop: str) -> None:
    real = table_paths(ARCHITECTURE.read_text(encoding="utf-8"))
    assert drop in real
    rows = [f"| `{p}` | x |" for p in real if p != drop]
    text = HEAD + "\n".join(rows) + "\n"
    found = problems(text)
    assert found and all(f.startswith("no row owns " + drop.rstrip("/")) for f in found)


def test_table_paths_reads_only_the_first_column() -> None:
    text = HEAD + "| `pipeline/a.py`, `pipeline/b/` | see `pipeline/c.py` |\n"
    assert table_paths(text) == ["pipeline/a.py", "pipeline/b/"]


def test_every_command_of_the_cli_registry_exists() -> None:
    """``wbm`` lists every command of its registry (no "not built yet" commands are hidden)."""
    import importlib

    import click

    from pipeline.cli import COMMANDS, cli

    ctx = click.Context(cli)
    assert cli.list_commands(ctx) == sorted(COMMANDS)
    for name, (module, attr, _) in COMMANDS.items():
        assert isinstance(getattr(importlib.import_module(module), attr), click.Command), name
        assert cli.get_command(ctx, name) is not None
    assert cli.get_command(ctx, "no-such-command") is None
