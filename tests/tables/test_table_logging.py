"""A table is never published without a ledger entry, and every release is in the publisher's ledger:

- table files are written exactly when the release is logged (no unlogged mode; a dry run writes and
  logs nothing; the files are moved into place only after the release is logged);
- a release is logged in the policy's ledger and, with --ledger DIR, also in DIR; history is read
  from both, each release once;
- user mistakes about directories are found before anything is logged, and a failed write leaves the
  ledger and earlier files as they were.
"""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import PipelineError
from pipeline.rundata import layout
from pipeline.tables.api import make_table

from .tables_helpers import (
    attack_requests,
    copy_run,
    ledger_entries,
    request_file,
    small_group_sector,
    wbm,
)


def _entries(ledger: Path, requester: str = "fonds-test") -> list[dict]:
    return ledger_entries(ledger, requester)


def _snapshot(*dirs: Path) -> dict[str, bytes]:
    return {
        str(p): p.read_bytes()
        for d in dirs
        if d.exists()
        for p in sorted(d.rglob("*"))
        if p.is_file()
    }


def _sector(run: Path) -> int:
    return small_group_sector(pd.read_parquet(layout.stage_file(run, "score", layout.SCORED)))


# ------------------------------------------------------------------ 1. no table without a ledger entry


def test_there_is_no_unlogged_mode(run_copy: Path, tmp_path: Path, policy_ledger: Path) -> None:
    with pytest.raises(TypeError):
        make_table(
            request_file(tmp_path), [run_copy], tmp_path / "o", ledger=tmp_path / "l", record=False
        )  # type: ignore[call-arg]
    assert (
        not (tmp_path / "o").exists()
        and not (tmp_path / "l").exists()
        and not (policy_ledger).exists()
    )


def test_every_written_table_has_its_ledger_entry_in_every_ledger(
    run_copy, tmp_path, policy_ledger
):
    first, second = attack_requests(tmp_path, _sector(run_copy))
    _, refused = attack_requests(tmp_path / "r", _sector(run_copy), on_disclosure="refuse")
    dry = make_table(first, [run_copy], None, ledger=tmp_path / "l")
    assert dry.files == () and not (tmp_path / "l").exists() and not (policy_ledger).exists()
    outcomes = [
        make_table(req, [run_copy], tmp_path / f"o{k}", ledger=tmp_path / "l")
        for k, req in enumerate((first, second, refused))
    ]
    assert [o.decision for o in outcomes] == ["release", "suppress", "refuse"]
    for ledger in (policy_ledger, tmp_path / "l"):
        entries = _entries(ledger)
        assert [e["decision"] for e in entries] == ["release", "suppress", "refuse"]
        for o, e in zip(outcomes, entries, strict=True):
            if o.files:
                doc = json.loads(o.files[2].read_text(encoding="utf-8"))
                assert (e["request_hash"], e["data_version"]) == (
                    doc["request_hash"],
                    doc["data_versions"]["2023"],
                )
                assert e["decision"] == doc["decision"] and len(e["cells"]) == len(doc["rows"])
            else:
                assert e["cells"] == [] and not (tmp_path / "o2").exists()


def test_the_standard_table_is_logged_when_written(run_copy, tmp_path, policy_ledger):
    from pipeline.sdc.publisher import publisher
    from pipeline.tables.standard import write_standard_table

    xlsx = write_standard_table(run_copy, tmp_path / "tables", publisher())
    doc = json.loads(xlsx.with_suffix(".json").read_text(encoding="utf-8"))
    (entry,) = _entries(policy_ledger, "public")
    assert entry["request_hash"] == doc["request_hash"] and entry["label"] == xlsx.stem


def test_files_are_moved_into_place_only_after_the_release_is_logged(
    run_copy, tmp_path, monkeypatch
):
    from pipeline.sdc.tables.ledger import Ledger

    def fail(*args, **kwargs):
        raise OSError(errno.EACCES, "ledger not writable")

    monkeypatch.setattr(Ledger, "record", fail)
    with pytest.raises(OSError):
        make_table(
            request_file(tmp_path, name="t"), [run_copy], tmp_path / "o", ledger=tmp_path / "l"
        )
    assert list((tmp_path / "o").iterdir()) == []  # no table file, no staging folder left


# ------------------------------------------------------------------ 2. every release in the publisher's ledger


def test_a_release_logged_with_ledger_dir_is_checked_without_it(run_copy, tmp_path):
    first, second = attack_requests(tmp_path, _sector(run_copy))
    assert (
        make_table(first, [run_copy], tmp_path / "a", ledger=tmp_path / "elsewhere").decision
        == "release"
    )
    b = make_table(
        second, [run_copy], tmp_path / "b"
    )  # no --ledger: the run's ledger has the first release
    assert b.decision == "suppress" and any(
        "fonds-test#1 (by-statute)" in r for r in b.release.reasons
    )


def test_a_release_logged_without_ledger_dir_is_checked_with_it(run_copy, tmp_path, policy_ledger):
    first, second = attack_requests(tmp_path, _sector(run_copy))
    assert make_table(first, [run_copy], tmp_path / "a").decision == "release"
    b = make_table(second, [run_copy], tmp_path / "b", ledger=tmp_path / "l")
    assert b.decision == "suppress" and any(
        "fonds-test#1 (by-statute)" in r for r in b.release.reasons
    )
    assert [e["decision"] for e in _entries(tmp_path / "l")] == ["suppress"]
    assert [e["decision"] for e in _entries(policy_ledger)] == ["release", "suppress"]


def test_a_ledger_dir_shared_by_copies_of_a_run_is_read_with_each_run_ledger(
    small_run_dir, run_copy, tmp_path
):
    """The same data in two run directories: a release from one is checked on the other through DIR,
    and a release in both ledgers counts once."""
    other = copy_run(small_run_dir, tmp_path / "other")
    first, second = attack_requests(tmp_path, _sector(run_copy))
    make_table(first, [run_copy], tmp_path / "a", ledger=tmp_path / "l")
    b = make_table(second, [other], tmp_path / "b", ledger=tmp_path / "l")
    assert b.decision == "suppress"
    c = make_table(
        second, [run_copy], tmp_path / "c", ledger=tmp_path / "l"
    )  # first release in both ledgers
    assert c.decision == "suppress" and c.release.waves[0].earlier == ("fonds-test#1 (by-statute)",)
    for f1, f2 in zip(b.files, c.files, strict=True):
        assert f1.read_bytes() == f2.read_bytes()


def test_help_says_where_releases_are_logged():
    from click.testing import CliRunner

    from pipeline.commands.table import table

    result = CliRunner().invoke(table, ["--help"])
    text = " ".join(result.output.split())
    assert result.exit_code == 0
    assert (
        "logged in the policy's ledger, one folder per data version, and with --ledger DIR also in DIR"
        in text
    )
    assert "earlier releases are read from both, each release once" in text
    assert "to whoever it went" in text


# ------------------------------------------------------------------ 3. directories checked first, staged writes


@pytest.mark.parametrize("option", ["--out", "--ledger"])
def test_a_directory_under_a_file_is_a_usage_error_before_anything_is_logged(
    run_with_ledger, tmp_path, capsys, option, policy_ledger
):
    (tmp_path / "afile").write_text("not a directory")
    before = _snapshot(policy_ledger)
    paths = {
        "--out": tmp_path / "o",
        "--ledger": tmp_path / "l",
        option: tmp_path / "afile" / "sub",
    }
    code, err = wbm(
        "table",
        request_file(tmp_path),
        "--run",
        run_with_ledger,
        *[x for kv in paths.items() for x in kv],
        capsys=capsys,
    )
    assert (
        code == 2
        and f"{tmp_path / 'afile' / 'sub'} is under {tmp_path / 'afile'}, which is a file" in err
    )
    assert f"give a directory for {option}" in err
    assert _snapshot(policy_ledger) == before
    assert not (tmp_path / "o").exists() and not (tmp_path / "l").exists()


def test_a_directory_named_like_a_table_file_is_a_usage_error(
    run_copy, tmp_path, capsys, policy_ledger
):
    (tmp_path / "o" / "req.csv").mkdir(parents=True)
    code, err = wbm(
        "table", request_file(tmp_path), "--run", run_copy, "--out", tmp_path / "o", capsys=capsys
    )
    assert code == 2 and "a directory has the name of a table file" in err and "req.csv" in err
    assert not (policy_ledger).exists() and sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "req.csv"
    ]


def test_a_failed_write_leaves_earlier_files_and_the_ledger_as_they_were(
    run_copy, tmp_path, capsys, monkeypatch, policy_ledger
):
    req = request_file(tmp_path, name="t")
    assert wbm("table", req, "--run", run_copy, "--out", tmp_path / "o", capsys=capsys)[0] == 0
    request_file(
        tmp_path, name="t", language="en"
    )  # the same id, another request: new files would differ
    before = _snapshot(tmp_path / "o", policy_ledger)

    def disk_full(t):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "o" / "t.json"))

    monkeypatch.setattr("pipeline.tables.files.json_text", disk_full)
    code, err = wbm("table", req, "--run", run_copy, "--out", tmp_path / "o", capsys=capsys)
    assert code == 1 and "the table cannot be written (No space left on device)" in err
    assert (
        _snapshot(tmp_path / "o", policy_ledger) == before
    )  # the old xlsx, csv, json, excel.csv; no new entry
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "t.csv",
        "t.excel.csv",
        "t.json",
        "t.xlsx",
    ]


def test_write_failure_is_a_pipeline_error(run_copy, tmp_path, monkeypatch, policy_ledger):
    def disk_full(t):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("pipeline.tables.files.csv_text", disk_full)
    with pytest.raises(PipelineError) as err:
        make_table(request_file(tmp_path), [run_copy], tmp_path / "o")
    assert err.value.code == "cannot_write" and not (policy_ledger).exists()
