"""``wbm table`` on the command line: files, workbook layout and notes, byte-identical reruns, and
clear errors (no traceback) for bad requests, runs and options."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import zipfile

import openpyxl
import pytest

from pipeline.paths import REPO_ROOT
from pipeline.rundata import layout

from .tables_helpers import copy_run, csv_rows, ledger_entries, request_file, wbm


def test_writes_workbook_csv_json(run_copy, tmp_path, capsys):
    req = request_file(tmp_path, name="fonds-sector456")
    code, err = wbm(
        "table",
        req,
        "--run",
        run_copy,
        "--out",
        tmp_path / "out",
        "--ledger",
        tmp_path / "l",
        capsys=capsys,
    )
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [
        "fonds-sector456.csv",
        "fonds-sector456.excel.csv",
        "fonds-sector456.json",
        "fonds-sector456.xlsx",
    ]
    assert "wave 2023: release" in err and "ledger fonds-test#1 (fonds-sector456)" in err
    (text,) = [p.read_text() for p in (tmp_path / "l").glob("*/tables.jsonl")]
    entry = json.loads(text.splitlines()[0])
    assert (
        entry["decision"] == "release"
        and entry["label"] == "fonds-sector456"
        and entry["logged_at"]
    )
    # cell definitions, counts, statuses and digests over row numbers: no answers, no respondent ids
    assert set(entry["cells"][0]) == {
        "conditions",
        "measure",
        "key",
        "kind",
        "status",
        "n",
        "weighted_n",
        "index",
        "members_sha256",
    }
    import pandas as pd

    from pipeline.sdc.tables.cells import digest, members
    from pipeline.sdc.tables.ledger import Release

    ids = pd.read_parquet(layout.stage_file(run_copy, "score", layout.SCORED))["sample_id"].astype(
        str
    )
    assert not any(i in text for i in ids)
    cell = Release.from_json(entry).cells[0].cell
    from pipeline.tables.source import disclosure_columns, load_run

    m = members(cell, disclosure_columns(load_run(run_copy)))
    assert entry["cells"][0]["members_sha256"] == digest(m) != digest(m, list(ids))


def test_workbook_layout_and_notes(run_copy, tmp_path, capsys):
    req = request_file(tmp_path, name="lay")
    wbm(
        "table",
        req,
        "--run",
        run_copy,
        "--out",
        tmp_path / "out",
        "--ledger",
        tmp_path / "l",
        capsys=capsys,
    )
    wb = openpyxl.load_workbook(tmp_path / "out" / "lay.xlsx")
    assert wb.sheetnames == ["Tabel", "Toelichting"]
    ws = wb["Tabel"]
    assert ws.freeze_panes == "C6"
    assert [ws.cell(4, c).value for c in (1, 2, 3)] == ["Indicator", "leeftijdsgroep", "arbeider"]
    assert [ws.cell(5, c).value for c in range(3, 9)] == [
        "%",
        "BI onder",
        "BI boven",
        "n",
        "N (gewogen)",
        "vlag",
    ]
    assert (
        ws.cell(6, 1).value.startswith("psychische vermoeidheid")
        and ws.cell(6, 2).value == "jonger dan 30"
    )
    rows = csv_rows(tmp_path / "out" / "lay.csv")
    # the sheet has the CSV's numbers: werkstress, all ages, bediende
    cell = next(
        r
        for r in rows
        if r["indicator"] == "werkstress" and r["row_level"] == "" and r["column_level"] == "2"
    )
    row = next(
        r
        for r in range(6, ws.max_row + 1)
        if ws.cell(r, 1).value.startswith("psychische") and ws.cell(r, 2).value == "Totaal"
    )
    assert math.isclose(
        ws.cell(row, 9).value, float(cell["estimate"]), rel_tol=1e-15
    )  # 16 digits in xlsx
    assert ws.cell(row, 12).value == int(cell["n"])
    suppressed = [r for r in rows if r["flag"] == "suppressed"]
    assert suppressed  # small cells exist in sectors 4-6 by age and statute
    notes = {r[0]: r[1] for r in wb["Toelichting"].iter_rows(values_only=True) if r[0]}
    import pandas as pd

    from pipeline.dataversion import data_version as version_of

    data_version = version_of(pd.read_parquet(layout.stage_file(run_copy, "score", layout.SCORED)))
    assert notes["Gegevensversie 2023"] == f"sha256:{data_version}"
    from pipeline.tables.request import load_request

    assert notes["Aanvraag (SHA-256)"] == load_request(req).request.hash()
    assert "LET OP" in notes and notes["Golf"] == "2023" and "sector" in notes["Filters"]
    assert notes["Aanvrager"] == "fonds-test"  # the registered name (the test registry's is the id)
    assert "logit" in notes["Methode"] and "gekalibreerd" in notes["Methode"]
    assert "30 voor percentages" in notes["Legende: x"] and notes["Beslissing"] == "vrijgegeven"
    assert notes["Definitie: psychische vermoeidheid (werkstress)"].startswith("score op de schaal")
    with zipfile.ZipFile(tmp_path / "out" / "lay.xlsx") as z:
        custom = z.read("docProps/custom.xml").decode()
    assert data_version in custom and load_request(req).request.hash() in custom


def test_same_request_same_data_gives_identical_bytes(small_run_dir, tmp_path, capsys, policy_file):
    req = request_file(tmp_path, name="same", language="en")
    outs = []
    runs = [copy_run(small_run_dir, tmp_path / r) for r in ("r1", "r1", "r2")]
    for k, (run, ledger) in enumerate(
        zip(runs, ("l1", "l1", "l2"), strict=True)
    ):  # a re-issue; a fresh run and ledger
        out = tmp_path / f"out{k}"
        assert (
            wbm(
                "table",
                req,
                "--run",
                run,
                "--out",
                out,
                "--ledger",
                tmp_path / ledger,
                capsys=capsys,
            )[0]
            == 0
        )
        outs.append(out)
    for name in ("same.xlsx", "same.csv", "same.json"):
        assert len({(o / name).read_bytes() for o in outs}) == 1, name
    for ledger in (tmp_path / "l1", policy_file.parent / "ledger"):  # a re-issue logs nothing new
        assert len(ledger_entries(ledger, "fonds-test")) == 1
    wb = openpyxl.load_workbook(outs[0] / "same.xlsx")
    assert wb.sheetnames == ["Table", "Notes"]


def test_unknown_names_fail_with_the_valid_names(small_run_dir, tmp_path, capsys):
    req = request_file(
        tmp_path,
        indicators=["werkstres"],
        rows="leeftijd",
        filters=[{"variable": "sector", "levels": [99]}],
    )
    code, err = wbm("table", req, "--run", small_run_dir, "--out", tmp_path / "o", capsys=capsys)
    assert code == 2
    assert "unknown indicator 'werkstres'" in err and "werkstress, werkstress_acuut" in err
    assert "unknown variable 'leeftijd'" in err and "age_band" in err
    assert "unknown level 99 of 'sector'" in err and "1, 2, 3" in err
    assert str(req) in err and "indicators[0]" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--run", "{tmp}/nope", "--out", "{tmp}/o"], "run directory"),
        (["--out", "{tmp}/o"], "no --run given"),
        (["--run", "{run}"], "give --out DIR"),
        (["--run", "{run}", "--run", "{run}", "--out", "{tmp}/o"], "two runs for wave 2023"),
    ],
)
def test_bad_runs_and_options_are_usage_errors(small_run_dir, tmp_path, capsys, args, needle):
    req = request_file(tmp_path)
    args = [a.format(tmp=tmp_path, run=small_run_dir) for a in args]
    code, err = wbm("table", req, *args, "--ledger", tmp_path / "l", capsys=capsys)
    assert code == 2 and needle in err, err
    assert not (tmp_path / "l").exists()


def test_run_of_another_wave_is_refused_with_a_fix(small_run_dir, tmp_path, capsys):
    req = request_file(tmp_path, waves=[2025], questionnaire="pc126")
    code, err = wbm("table", req, "--run", small_run_dir, "--out", tmp_path / "o", capsys=capsys)
    assert (
        code == 2 and "data of werknemers 2023" in err and "expected werknemers, wave 2025" in err
    )
    assert "no data for wave 2025" in err and "--run RUNDIR" in err


def test_a_wave_without_data_or_questionnaire_says_which_waves_exist(
    small_run_dir, tmp_path, capsys
):
    req = request_file(tmp_path, waves=[2011])
    code, err = wbm("table", req, "--run", small_run_dir, "--out", tmp_path / "o", capsys=capsys)
    assert code == 2 and "no data for wave 2011" in err
    assert (
        "no shipped questionnaire of employees has wave 2011 (waves: 2004, 2007, 2010, 2013, 2016, 2019, 2023, 2025)"
        in err
    )


def test_run_without_scored_data(tmp_path, capsys):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "manifest.json").write_text(
        json.dumps({"parameters": {"questionnaire": "wbm-werknemers-2023"}})
    )
    code, err = wbm(
        "table",
        request_file(tmp_path),
        "--run",
        tmp_path / "run",
        "--out",
        tmp_path / "o",
        capsys=capsys,
    )
    assert code == 2 and "score stage has not been run" in err and "wbm run" in err


def test_damaged_scored_data_is_a_located_error(run_copy, tmp_path, capsys):
    (layout.stage_file(run_copy, "score", layout.SCORED)).write_bytes(b"PAR1 damaged")
    code, err = wbm(
        "table", request_file(tmp_path), "--run", run_copy, "--out", tmp_path / "o", capsys=capsys
    )
    # the manifest records what the score stage wrote: other bytes are refused before parsing
    assert code == 1 and "(error code stage_output_changed;" in err
    assert (
        str(layout.stage_file(run_copy, "score", layout.SCORED)) in err and "--stage score" in err
    )
    # a directory whose manifest records no stages is read unverified: a parse error, located
    manifest = layout.manifest_path(run_copy)
    data = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({k: v for k, v in data.items() if k != "stages"}), "utf-8")
    code, err = wbm(
        "table", request_file(tmp_path), "--run", run_copy, "--out", tmp_path / "o", capsys=capsys
    )
    assert code == 1 and "cannot be read" in err and "ArrowInvalid" in err
    assert "rerun the score stage" in err
    assert not (tmp_path / "o").exists() and not (run_copy / "ledger").exists()


def test_missing_request_file_and_bad_yaml(small_run_dir, tmp_path, capsys):
    code, err = wbm(
        "table",
        tmp_path / "nope.yaml",
        "--run",
        small_run_dir,
        "--out",
        tmp_path / "o",
        capsys=capsys,
    )
    assert code == 2 and "not found" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: table-request\nid: [x\n")
    code, err = wbm("table", bad, "--run", small_run_dir, "--out", tmp_path / "o", capsys=capsys)
    assert code == 2 and "not valid YAML" in err and "line" in err


def test_dry_run_writes_and_logs_nothing(small_run_dir, tmp_path, capsys):
    code, err = wbm(
        "table",
        request_file(tmp_path),
        "--run",
        small_run_dir,
        "--dry-run",
        "--ledger",
        tmp_path / "l",
        capsys=capsys,
    )
    assert code == 0 and "dry run: decision release" in err
    assert not (tmp_path / "l").exists()


def test_the_ledger_is_the_policys_keyed_by_data_version(run_copy, tmp_path, capsys, policy_file):
    """Finding 4: the ledger is found from the data (its content hash) under the publisher's
    policy, never in the run directory."""
    from pipeline.tables.source import load_run

    req = request_file(tmp_path)
    assert wbm("table", req, "--run", run_copy, "--out", tmp_path / "o", capsys=capsys)[0] == 0
    version = load_run(run_copy).data_version
    assert (policy_file.parent / "ledger" / version / "tables.jsonl").exists()
    assert not (run_copy / "ledger").exists()


def test_shipped_demo_example_runs_on_the_demo(run_with_ledger, tmp_path):
    """As a user would: a subprocess, the example request shipped for the demo's run."""
    example = REPO_ROOT / "examples" / "requests" / "demo-werkstress-industrie.yaml"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "table",
            str(example),
            "--run",
            str(run_with_ledger),
            "--out",
            str(tmp_path / "o"),
            "--ledger",
            str(tmp_path / "l"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "o" / "demo-werkstress-industrie.xlsx").exists()


def test_shipped_pc126_example_runs_on_a_synthetic_pc126_run(pc126_copy, tmp_path, capsys):
    example = REPO_ROOT / "examples" / "requests" / "pc126-werkstress.yaml"
    code, err = wbm(
        "table",
        example,
        "--run",
        pc126_copy,
        "--out",
        tmp_path / "o",
        "--ledger",
        tmp_path / "l",
        capsys=capsys,
    )
    assert code == 0, err
    rows = csv_rows(tmp_path / "o" / "pc126-werkstress.csv")
    assert {r["wave"] for r in rows} == {"2025"} and {r["row_variable"] for r in rows} == {
        "age_band"
    }
    assert {r["weighted_n"] != "" for r in rows if r["flag"] != "suppressed"} == {True}
