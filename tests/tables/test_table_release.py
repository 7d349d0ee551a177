"""Releases over time: differencing against earlier releases to the same requester (further
suppression, or refusal), the public standard table in everyone's history, re-issues, two waves."""

from __future__ import annotations

import json
import shutil

import openpyxl
import pandas as pd
import pytest

from pipeline.rundata import layout
from pipeline.tables.api import make_table

from .tables_helpers import (
    attack_requests,
    csv_rows,
    json_rows,
    ledger_entries,
    request_file,
    small_group_sector,
)


@pytest.fixture(scope="module")
def scored(small_run_dir) -> pd.DataFrame:
    return pd.read_parquet(layout.stage_file(small_run_dir, "score", layout.SCORED))


def test_differencing_against_an_earlier_release_is_further_suppressed(run_copy, scored, tmp_path):
    sector = small_group_sector(scored)
    first, second = attack_requests(tmp_path, sector)
    a = make_table(first, [run_copy], tmp_path / "a", ledger=tmp_path / "l")
    assert a.decision == "release"
    rows_a = csv_rows(a.files[1])
    assert (
        rows_a[2]["flag"] == "suppressed"
        and rows_a[3]["row_level"] == ""
        and rows_a[3]["flag"] == ""
    )
    b = make_table(second, [run_copy], tmp_path / "b", ledger=tmp_path / "l")
    assert b.decision == "suppress"
    total = csv_rows(b.files[1])[-1]
    assert (
        total["row_level"] == "" and total["flag"] == "suppressed" and total["n"] == ""
    )  # no longer total minus parts
    # the analyst gets the detail, the requester only that earlier releases were involved (never whose:
    # another organisation's releases are not the requester's business)
    assert any("small_difference" in r and "respondent(s)" in r for r in b.release.reasons)
    notes = {
        r[0]: r[1]
        for r in openpyxl.load_workbook(b.files[0])["Toelichting"].iter_rows(values_only=True)
        if r[0]
    }
    assert (
        "eerder vrijgegeven cijfers (1 vrijgave(n), aan wie ook)" in notes["Beslissing"]
        and "fonds-test" not in notes["Beslissing"]
        and "respondent" not in notes["Beslissing"]
    )
    doc = json.loads(b.files[2].read_text(encoding="utf-8"))
    assert doc["decision"] == "suppress" and dict(doc["notes"])["Beslissing"] == notes["Beslissing"]
    ledger = ledger_entries(tmp_path / "l", "fonds-test")
    assert [e["decision"] for e in ledger] == ["release", "suppress"]
    assert "secondary:history" in {c["status"] for c in ledger[1]["cells"]}


def test_refusal_writes_nothing_and_is_logged(run_copy, scored, tmp_path):
    first, second = attack_requests(tmp_path, small_group_sector(scored), on_disclosure="refuse")
    make_table(first, [run_copy], tmp_path / "a", ledger=tmp_path / "l")
    for _ in range(2):  # refused, and refused again when asked again (nothing new logged)
        b = make_table(second, [run_copy], tmp_path / "b", ledger=tmp_path / "l")
        assert b.decision == "refuse" and b.files == () and not (tmp_path / "b").exists()
    ledger = ledger_entries(tmp_path / "l", "fonds-test")
    assert [e["decision"] for e in ledger] == ["release", "refuse"]
    assert ledger[1]["cells"] == [] and any("small_difference" in r for r in ledger[1]["reasons"])


def test_reissue_gives_the_same_table_after_later_releases(run_copy, scored, tmp_path):
    first, second = attack_requests(tmp_path, small_group_sector(scored))
    b1 = make_table(second, [run_copy], tmp_path / "b1", ledger=tmp_path / "l")
    a = make_table(first, [run_copy], tmp_path / "a", ledger=tmp_path / "l")  # checked against b
    assert a.decision == "suppress"
    b2 = make_table(second, [run_copy], tmp_path / "b2", ledger=tmp_path / "l")
    assert b1.decision == b2.decision == "release"
    for f1, f2 in zip(b1.files, b2.files, strict=True):
        assert f1.read_bytes() == f2.read_bytes()


def test_a_reissue_never_shows_a_cell_its_first_issue_hid(
    run_copy, scored, tmp_path, policy_ledger
):
    """The ledger is what was published: a cell the first issue hid (here: one more than the engine
    hides now, as an older engine or a stricter policy would have) stays hidden in a re-issue,
    with the secondary suppression that needs."""
    _, second = attack_requests(tmp_path, small_group_sector(scored))
    b1 = make_table(second, [run_copy], tmp_path / "b1", ledger=tmp_path / "l")
    assert b1.decision == "release"
    rows = csv_rows(b1.files[1])
    ns = [r["n"] for r in rows]
    shown = [
        i
        for i, r in enumerate(rows)
        if r["flag"] != "suppressed" and r["n"] and ns.count(r["n"]) == 1
    ]
    target = rows[shown[0]]
    changed = 0
    for path in [*policy_ledger.glob("*/tables.jsonl"), *(tmp_path / "l").glob("*/tables.jsonl")]:
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if entry["requester"] == "fonds-test":
                cell = next(c for c in entry["cells"] if c["n"] == int(target["n"]))
                cell["status"] = "secondary"
                changed += 1
            lines.append(json.dumps(entry, sort_keys=True))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert changed == 2  # the policy's ledger and --ledger
    b2 = make_table(second, [run_copy], tmp_path / "b2", ledger=tmp_path / "l")
    again = csv_rows(b2.files[1])
    assert again[shown[0]]["flag"] == "suppressed" and again[shown[0]]["n"] == ""
    hidden = [r["flag"] == "suppressed" for r in again]
    assert sum(hidden) >= 2  # never one hidden cell alone beside its published total
    assert all(h for h, r in zip(hidden, rows, strict=True) if r["flag"] == "suppressed")


def test_the_standard_table_is_in_every_requesters_history(
    small_demo, run_copy, scored, tmp_path, policy_ledger
):
    """The outputs stage logged its table (sector totals) as a public release in the publisher's
    ledger: a sector total without its few ambtenaren, asked for by anyone, would give the
    ambtenaren away."""
    from pipeline.sdc.publisher import publisher

    _, second = attack_requests(tmp_path, small_group_sector(scored))
    alone = make_table(second, [run_copy], tmp_path / "alone")  # a publisher without it
    assert alone.decision == "release" and ledger_entries(policy_ledger, "public") == []
    demo = publisher(small_demo[1] / "publisher" / "policy.yaml")
    assert ledger_entries(demo.policy.ledger_dir, "public")
    shutil.copytree(demo.policy.ledger_dir, tmp_path / "copied")  # read, not written, here
    out = make_table(second, [run_copy], tmp_path / "o", ledger=tmp_path / "copied")
    assert out.decision == "suppress" and csv_rows(out.files[1])[-1]["flag"] == "suppressed"
    assert any("public#1 (wbm-werknemers-2023-sector)" in r for r in out.release.reasons)


def test_two_waves_from_two_runs(run_copy, pc126_copy, tmp_path):
    req = request_file(
        tmp_path,
        name="two-waves",
        waves=[2025, 2023],
        indicators=["werkstress"],
        columns=None,
        filters=[{"variable": "statute", "levels": [1]}],
    )
    out = make_table(req, [run_copy, pc126_copy], tmp_path / "o", ledger=tmp_path / "l")
    assert out.decision == "release"
    rows = json_rows(out.files[2])
    assert [r["wave"] for r in rows] == [2025] * 6 + [2023] * 6
    wb = openpyxl.load_workbook(out.files[0])
    assert wb.sheetnames == ["Tabel 2025", "Tabel 2023", "Toelichting"]
    notes = {r[0]: r[1] for r in wb["Toelichting"].iter_rows(values_only=True) if r[0]}
    assert (
        notes["Gegevensversie 2025"] != notes["Gegevensversie 2023"]
        and "wbm-pc126-2025" in notes["Bron 2025"]
    )
    assert len(ledger_entries(tmp_path / "l", "fonds-test")) == 2  # one entry per data version
    assert len(list((tmp_path / "l").glob("*/tables.jsonl"))) == 2


def test_logging_writes_what_protection_computed(run_copy, tmp_path, monkeypatch):
    """The ledger entry is written from the protected tables: the cells' member digests are computed
    once, from the same membership the estimates and the protection used, and never again."""
    import pipeline.sdc.tables.cells as cells
    from pipeline.sdc.publisher import publisher
    from pipeline.sdc.tables.cells import digest, members
    from pipeline.tables.release import protect_request, record_request
    from pipeline.tables.request import load_request
    from pipeline.tables.source import disclosure_columns, load_run

    data = load_run(run_copy)
    pub = publisher()
    release = protect_request(load_request(request_file(tmp_path)), {2023: data}, pub)
    columns = disclosure_columns(data)
    for pt in release.waves[0].tables:
        assert pt.numbers.digests == tuple(digest(members(c, columns)) for c in pt.numbers.cells)

    def no_more(*args, **kwargs):
        raise AssertionError("cells evaluated again while logging")

    import pipeline.sdc.tables.protect as protect

    for module, name in ((cells, "members"), (cells, "membership"), (protect, "members")):
        monkeypatch.setattr(module, name, no_more)
    record_request(release, pub)
    (entry,) = ledger_entries(pub.policy.ledger_dir, "fonds-test")
    tables = release.waves[0].tables
    assert [c["members_sha256"] for c in entry["cells"]] == [
        d for pt in tables for d in pt.numbers.digests
    ]
    assert [c["status"] for c in entry["cells"]] == [
        s for pt in tables for s in pt.protected.statuses
    ]
