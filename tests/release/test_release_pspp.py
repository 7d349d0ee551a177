"""GNU PSPP (an independent reader of .sav files) opens the released file: ``WEIGHT BY weight`` +
``FREQUENCIES`` give the pipeline's weighted estimates, and the labels and user-missing values
survived. Output is read with ``pspp -O format=csv``.

Tolerances: PSPP prints percentages with one decimal, so a printed percentage must be within 0.05
percentage points of the pipeline's estimate; it prints weighted frequencies with at least six
significant digits after the decimal point of numbers of about 10^6, so the share computed from
PSPP's weighted frequencies must equal the estimate to 1e-7 (the two agree to about 1e-12).
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from pipeline.release.build import ReleaseBuild
from pipeline.release.frequencies import frequencies
from pipeline.release.table import ReleaseTable
from pipeline.rundata import layout
from pipeline.scoring.api import indicator_columns

pytestmark = [
    pytest.mark.needs_pspp,
    pytest.mark.skipif(
        shutil.which("pspp") is None, reason="GNU PSPP not installed (Debian package pspp)"
    ),
]

PCT_TOL = 0.05  # percentage points: PSPP prints one decimal
SHARE_TOL = 1e-7


def pspp_tables(syntax: str, tmp_path: Path) -> list[tuple[str, list[list[str]]]]:
    """Run a PSPP syntax job; its tables as (title, rows) in output order."""
    job = tmp_path / "job.sps"
    job.write_text(syntax, encoding="utf-8")
    out = subprocess.run(
        ["pspp", "-O", "format=csv", str(job)], capture_output=True, text=True, check=True
    ).stdout
    assert "error" not in out.lower(), out[:2000]
    tables: list[tuple[str, list[list[str]]]] = []
    for block in out.strip().split("\n\n"):
        lines = block.splitlines()
        # the title line is a CSV field too: quoted when the label holds a comma
        title = next(csv.reader([lines[0]]), [""])[0] if lines else ""
        if title.startswith("Table: "):
            tables.append(
                (title[len("Table: ") :], list(csv.reader(io.StringIO("\n".join(lines[1:])))))
            )
    return tables


def frequency_tables(tables: list[tuple[str, list[list[str]]]]) -> list[list[list[str]]]:
    return [rows for title, rows in tables if rows and rows[0][2:4] == ["Frequency", "Percent"]]


def valid_rows(rows: list[list[str]]) -> dict[str, tuple[float, float]]:
    """label -> (weighted frequency, valid percent) of the valid rows of a FREQUENCIES table."""
    out: dict[str, tuple[float, float]] = {}
    section = ""
    for r in rows[1:]:
        section = r[0] or section
        if section == "Valid" and r[1]:
            out[r[1]] = (float(r[2]), float(r[4].rstrip("%")))
    return out


def share_of(rows: list[list[str]], label: str) -> tuple[float, float]:
    """(share from the weighted frequencies, printed valid percent) of the value labelled ``label``."""
    valid = valid_rows(rows)
    total = sum(f for f, _ in valid.values())
    freq, pct = valid.get(label, (0.0, 0.0))
    return freq / total, pct


def _binary_indicators(table: ReleaseTable, q) -> list[str]:
    names = {v.name for v in table.variables}
    return [c for c in indicator_columns(q) if c in names]


def test_weighted_frequencies_in_pspp_equal_the_pipeline_estimates(
    sci: ReleaseBuild, small_run_dir: Path, q, tmp_path
):
    t = sci.table
    est = pd.read_parquet(layout.stage_file(small_run_dir, "estimate", layout.ESTIMATES))
    est["by"] = est["by"].fillna("")
    inds = _binary_indicators(t, q)
    assert {"werkbaar_werk", "werkstress"} <= set(inds)
    # sex and sector are the most important keys: nothing suppressed, so their domains are the published ones
    assert (t.values("sex") >= 0).all() and (t.values("sector") >= 0).all()
    syntax = [f"GET FILE='{sci.sav}'.", "WEIGHT BY weight."]
    syntax += [f"FREQUENCIES /VARIABLES={ind}." for ind in inds]
    syntax += [
        "SORT CASES BY sex.",
        "SPLIT FILE BY sex.",
        "FREQUENCIES /VARIABLES=werkbaar_werk werkstress.",
        "SPLIT FILE OFF.",
    ]
    tables = frequency_tables(pspp_tables("\n".join(syntax) + "\n", tmp_path))
    assert len(tables) == len(inds) + 4
    checked = 0
    for ind, rows in zip(inds, tables[: len(inds)], strict=True):
        yes = dict(t.variable(ind).values)[1]
        share, pct = share_of(rows, yes)
        row = est[(est["indicator"] == ind) & (est["by"] == "")]
        assert len(row) == 1, ind
        e = float(row["estimate"].iloc[0])
        assert abs(pct - 100 * e) <= PCT_TOL + 1e-9, (ind, pct, e)
        assert abs(share - e) < SHARE_TOL, (ind, share, e)
        checked += 1
    for (sex, ind), rows in zip(
        [(1, "werkbaar_werk"), (1, "werkstress"), (2, "werkbaar_werk"), (2, "werkstress")],
        tables[len(inds) :],
        strict=True,
    ):
        share, pct = share_of(rows, dict(t.variable(ind).values)[1])
        e = float(
            est[
                (est["indicator"] == ind)
                & (est["by"] == "sex")
                & (est["level"].astype(str) == str(sex))
            ]["estimate"].iloc[0]
        )
        assert abs(pct - 100 * e) <= PCT_TOL + 1e-9 and abs(share - e) < SHARE_TOL, (
            sex,
            ind,
            share,
            e,
        )
    assert checked >= 10


@pytest.mark.parametrize("which", ["sci", "pub"])
def test_pspp_weighted_percentages_equal_the_codebook(which, request, tmp_path):
    """Keys with suppressed values: PSPP's valid percentages (user-missing left out) equal the
    codebook's weighted valid percentages; for the public file with its recalibrated weights too."""
    b: ReleaseBuild = request.getfixturevalue(which)
    t = b.table
    names = ["sex", "age", "sector", "statute", "province", "occupation", "werkbaar_werk"]
    tables = frequency_tables(
        pspp_tables(
            f"GET FILE='{b.sav}'.\nWEIGHT BY weight.\nFREQUENCIES /VARIABLES={' '.join(names)}.\n",
            tmp_path,
        )
    )
    assert len(tables) == len(names)
    for name, rows in zip(names, tables, strict=True):
        ours = {r.label: r for r in frequencies(t, name).rows if not r.missing and r.weighted}
        theirs = valid_rows(rows)
        assert set(theirs) == set(ours), name
        for label, (freq, pct) in theirs.items():
            r = ours[label]
            assert abs(pct - r.weighted_valid_percent) <= PCT_TOL + 1e-9, (name, label)
            assert freq == pytest.approx(r.weighted, rel=1e-9, abs=1e-4), (name, label)


def test_labels_measures_and_missing_values_survive_in_pspp(sci: ReleaseBuild, tmp_path):
    t = sci.table
    names = ["sex", "age", "province", "hours", "werkbaar_werk", "score_werkdruk", "weight"]
    tables = dict(
        pspp_tables(
            f"GET FILE='{sci.sav}'.\nDISPLAY DICTIONARY /VARIABLES={' '.join(names)}.\n", tmp_path
        )
    )
    head, *rows = tables["Variables"]
    info = {r[0]: dict(zip(head, r, strict=True)) for r in rows}
    for name in names:
        v = t.variable(name)
        assert info[name]["Label"] == v.label
        assert info[name]["Measurement Level"].lower() == v.measure
    assert (
        info["sex"]["Missing Values"] == "-9 THRU -1"
        and info["province"]["Missing Values"] == "-9 THRU -1"
    )
    assert info["weight"]["Missing Values"] == "" and info["weight"]["Print Format"] == "F14.6"
    labels: dict[str, dict[str, str]] = {}
    current = ""
    for r in tables["Value Labels"][1:]:
        if len(r) < 3:  # the footnote line
            continue
        current = r[0] or current
        labels.setdefault(current, {})[r[1]] = r[2]
    prov = labels["province"]
    assert (
        prov["-5[a]"] == "suppressed for confidentiality" and prov["-9[a]"] == "no answer"
    )  # [a]: user-missing
    assert prov["1"] == "Antwerp"
    assert labels["age"]["5"] == "55 and over"
    assert (
        labels[t.variable("hours").label]["50.00"] == "50 or more"
    )  # PSPP names a variable by its label here
