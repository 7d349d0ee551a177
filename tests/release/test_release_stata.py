"""The Stata writer on its own: format 118 (Stata 14+), every name of up to 32 characters kept whole,
value-label sets named after their variables, extended missing values; read back by pyreadstat,
pandas and, where installed, R haven (an independent reader)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from pipeline.errors import SpecError
from pipeline.release.stata import stata_names, write_dta
from pipeline.release.table import ReleaseTable, Variable

LONG = "werkbaarheid_indicator_langnaam1"  # 32 characters: fits Stata, must not be shortened
LONGER = "x" * 40


def _table(n_vars: int = 3) -> ReleaseTable:
    variables = [
        Variable(
            LONG, LONG, "lang", "item", "nominal", 0, ((1, "ja"), (2, "nee")), ((-9, "no answer"),)
        ),
        Variable(LONGER, LONGER, "langer", "item", "nominal", 0, ((1, "één"),)),
        Variable("score", "score", "score", "score", "scale", 2),
    ]
    extra = [
        Variable(f"v{i:02d}_{'y' * 28}", f"e{i}", f"extra {i}", "item", "nominal", 0, ((1, "a"),))
        for i in range(max(0, n_vars - 3))
    ]
    frame = pd.DataFrame(
        {
            LONG: [1.0, 2.0, -9.0],
            LONGER: [1.0, 1.0, np.nan],
            "score": [3.5, 4.0, 1.0],
            **{v.name: [1.0, 1.0, 1.0] for v in extra},
        }
    )
    return ReleaseTable(
        frame,
        tuple(variables + extra),
        None,
        ((-9, "no_answer", "no answer"),),
        "en",
    )


def test_format_118_and_names_of_32_characters_kept(tmp_path: Path) -> None:
    t = _table(14)  # more than 9 variables: the old writer cut names to 30 characters
    path = write_dta(t, tmp_path / "r.dta", file_label="test")
    assert path.read_bytes()[:60].startswith(b"<stata_dta><header><release>118</release>")
    df, meta = pyreadstat.read_dta(str(path), user_missing=True)
    names = stata_names([v.name for v in t.variables])
    assert names[LONG] == LONG and names[LONGER] == "x" * 32
    assert all(names[v.name] == v.name for v in t.variables if len(v.name) <= 32)
    assert list(df.columns) == [names[v.name] for v in t.variables]
    # each value-label set is named after its variable
    assert meta.variable_to_label[LONG] == LONG
    assert meta.value_labels[LONG] == {1: "ja", 2: "nee", "a": "no answer"}
    assert meta.value_labels["x" * 32] == {1: "één"}
    assert df[LONG].tolist() == [1.0, 2.0, "a"]
    pdf = pd.read_stata(path, convert_missing=True, convert_categoricals=False)
    assert list(pdf.columns) == list(df.columns)
    assert getattr(pdf[LONG].iloc[2], "string", None) == ".a"


def test_names_cut_to_32_stay_unique() -> None:
    names = stata_names(["a" * 33 + "1", "a" * 33 + "2", "b"])
    assert len(set(names.values())) == 3 and all(len(n) <= 32 for n in names.values())


def test_an_unsupported_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecError):
        write_dta(_table(), tmp_path / "r.dta", file_label="x", dta_format=115)


def test_format_119_on_request(tmp_path: Path) -> None:
    path = write_dta(_table(), tmp_path / "r.dta", file_label="x", dta_format=119)
    assert b"<release>119</release>" in path.read_bytes()[:60]
    df, _ = pyreadstat.read_dta(str(path))
    assert LONG in df.columns


def _r_has(package: str) -> bool:
    if shutil.which("Rscript") is None:
        return False
    r = subprocess.run(
        ["Rscript", "-e", f"quit(status = !requireNamespace('{package}', quietly = TRUE))"],
        capture_output=True,
    )
    return r.returncode == 0


@pytest.mark.needs_r
def test_r_haven_reads_names_labels_and_tagged_missing(tmp_path: Path) -> None:
    if not _r_has("haven"):
        pytest.skip("R haven is not installed (Debian: r-cran-haven)")
    path = write_dta(_table(), tmp_path / "r.dta", file_label="test")
    script = (
        f"x <- haven::read_dta('{path}'); "
        "cat(names(x), sep='\\n'); "
        "cat(haven::na_tag(x[[1]])[3], '\\n'); "
        "cat(names(attr(x[[1]], 'labels')), sep='\\n')"
    )
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=True)
    lines = out.stdout.split("\n")
    assert lines[:3] == [LONG, "x" * 32, "score"]
    assert lines[3].strip() == "a"
    assert {"ja", "nee", "no answer"} <= set(lines[4:])


@pytest.mark.needs_r
def test_r_foreign_reads_no_format_after_115(tmp_path: Path) -> None:
    """What docs/microdata.md says: foreign::read.dta stops at Stata 12 (format 115), so users of R
    read the release with haven (or readstata13). Checked so the documentation stays true."""
    if not _r_has("foreign"):
        pytest.skip("R foreign is not installed (Debian: r-cran-foreign)")
    path = write_dta(_table(), tmp_path / "r.dta", file_label="test")
    r = subprocess.run(
        ["Rscript", "-e", f"foreign::read.dta('{path}')"], capture_output=True, text=True
    )
    assert r.returncode != 0 and "5-12" in r.stderr
