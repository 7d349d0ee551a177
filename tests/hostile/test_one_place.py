"""Each class of hostile input is closed in one place: no module reads YAML, writes CSV or xlsx, or
creates a folder except through the module that owns it (so a new reader or writer cannot bypass the
duplicate-key check, the formula neutralisation or the located "cannot write here")."""

from __future__ import annotations

import re

import pytest

from pipeline.paths import PACKAGE_DIR, REPO_ROOT

RULES = {
    # what is called      the one module that may   why
    r"\byaml\.(safe_load|load|full_load|unsafe_load|compose)\(": (
        "specfile.py",
        "read YAML with pipeline.specfile (duplicate keys, aliases, encodings)",
    ),
    r"\.to_csv\(|\bcsv\.writer\(": (
        "spreadsheet.py",
        "write CSV with pipeline.spreadsheet (formula injection)",
    ),
    r"\b(xlsxwriter\.|openpyxl\.)?Workbook\(": (
        "spreadsheet.py",
        "write xlsx with pipeline.spreadsheet.workbook (formula injection)",
    ),
    r"\.mkdir\(": ("fileio.py", "create folders with pipeline.fileio.ensure_dir (cannot_write)"),
}


@pytest.mark.parametrize("pattern", sorted(RULES))
def test_one_place(pattern):
    owner, why = RULES[pattern]
    found = [
        f"{f.relative_to(REPO_ROOT)}:{i}: {line.strip()}"
        for f in sorted(PACKAGE_DIR.rglob("*.py"))
        if f.name != owner
        for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(pattern, line) and not line.lstrip().startswith("#")
    ]
    assert not found, f"{why}:\n" + "\n".join(found)
