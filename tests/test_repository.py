"""The repository is self-contained: no tracked file names a path outside it, and every relative link
in the Markdown documentation points at a file of the repository."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP_DIRS = {".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
BINARY = {".parquet", ".sav", ".dta", ".xlsx", ".pdf", ".png", ".woff", ".woff2", ".zst", ".gz"}

# Spelled in pieces so this file does not match itself.
OUTSIDE = re.compile(
    "|".join(
        (
            r"(?<![\w.])/" + "work/",
            r"(?<![\w.])/" + "tmp/",
            r"(?<![\w.])/" + "root/",
            r"(?<![\w.])/" + "home/",
            r"(?<![\w.])/" + "Users/",
            r"\.\./" + "shared",
            r"(?<![\w/])~" + "/",
            "notes/" + "contracts",
            r"\b[A-Z]:\\" + r"\\?(Users|work)",
        )
    )
)


def tracked_files() -> list[Path]:
    """The files git tracks (or, outside a git checkout, every file but caches and the venv)."""
    if shutil.which("git") and (ROOT / ".git").exists():
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        return [ROOT / p for p in out.decode().split("\0") if p]
    return [
        p
        for p in ROOT.rglob("*")
        if p.is_file() and not SKIP_DIRS.intersection(p.relative_to(ROOT).parts)
    ]


def text_files() -> list[tuple[Path, str]]:
    out = []
    for p in tracked_files():
        if p.suffix in BINARY or not p.is_file():
            continue
        try:
            out.append((p, p.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            continue
    return out


def test_no_tracked_file_names_a_path_outside_the_repository():
    offenders = [
        f"{p.relative_to(ROOT)}:{n}: {line.strip()[:120]}"
        for p, text in text_files()
        for n, line in enumerate(text.splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize(
    "line",
    [
        "see /" + "work/shared/domain/README.md",
        "see ../" + "shared/domain/README.md",
        "(formats: notes/" + "contracts.md)",
        "cp x /" + "tmp/out",
        "~" + "/data/wave",
    ],
)
def test_the_check_catches_outside_paths(line):
    assert OUTSIDE.search(line)


@pytest.mark.parametrize("line", ["tmp_path / 'run'", "docs/domain.md", "a/tmp/b", "x ~ y"])
def test_the_check_lets_inside_paths_pass(line):
    assert not OUTSIDE.search(line)


LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_markdown_links_point_inside_the_repository():
    broken = []
    for p, text in text_files():
        if p.suffix != ".md":
            continue
        for target in LINK.findall(text):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue  # a web address or an anchor
            path = (p.parent / target.split("#")[0]).resolve()
            if not path.is_relative_to(ROOT) or not path.exists():
                broken.append(f"{p.relative_to(ROOT)}: {target}")
    assert not broken, "\n".join(broken)
