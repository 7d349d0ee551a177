"""The per-requester ledger: round trip, determinism, re-issue, data versions, damage."""

from __future__ import annotations

import pytest

from pipeline.errors import InputError, UsageError
from pipeline.sdc.tables.cells import CellDef, Condition
from pipeline.sdc.tables.history import ReleasedCell
from pipeline.sdc.tables.ledger import Ledger


def _cells():
    a = CellDef.of([Condition("sector", (4,))])
    b = CellDef.of([Condition("sector", (4,)), Condition("statute", (3,))])
    return [
        ReleasedCell(a, "count", "ok", 120, 5400.5, "new", 0),
        ReleasedCell(b, "count", "primary:min_n", 3, 130.25, "new", 1),
    ]


def _record(ledger, req="h1", version="v1", requester="woodwize", **kw):
    return ledger.record(
        requester,
        request_hash=req,
        data_version=version,
        cells=_cells(),
        digests=["d0", "d1"],
        decision="release",
        label=kw.pop("label", "pc126"),
        **kw,
    )


def test_round_trip_and_release_ids(tmp_path):
    led = Ledger(tmp_path)
    rel = _record(led, rules={"min_n_count": 5})
    assert rel.sequence == 1 and rel.id == "woodwize#1 (pc126)"
    back = led.releases("woodwize")
    assert back == (rel,)
    assert {c.release for c in back[0].cells} == {"woodwize#1 (pc126)"}
    assert back[0].cells[1].cell == _cells()[1].cell
    assert back[0].rules == {"min_n_count": 5}


def test_deterministic_bytes(tmp_path):
    for d in ("a", "b"):
        led = Ledger(tmp_path / d)
        _record(led)
        _record(led, req="h2")
    assert (tmp_path / "a" / "woodwize.jsonl").read_bytes() == (
        tmp_path / "b" / "woodwize.jsonl"
    ).read_bytes()


def test_reissue_appends_nothing_and_sees_only_earlier_history(tmp_path):
    led = Ledger(tmp_path)
    _record(led, req="h1")
    _record(led, req="h2")
    path = tmp_path / "woodwize.jsonl"
    before = path.read_bytes()
    again = _record(led, req="h1")
    assert again.sequence == 1 and path.read_bytes() == before
    cells, notes = led.history("woodwize", "v1", request_hash="h1")
    assert cells == () and notes == ()
    cells, _ = led.history("woodwize", "v1", request_hash="h2")
    assert len(cells) == 2 and all(c.release.startswith("woodwize#1") for c in cells)
    cells, _ = led.history("woodwize", "v1")
    assert len(cells) == 4


def test_other_data_versions_are_reported_not_compared(tmp_path):
    led = Ledger(tmp_path)
    _record(led, version="v0")
    cells, notes = led.history("woodwize", "v1")
    assert cells == () and notes == (
        "1 earlier release(s) on other data versions were not compared",
    )


def test_requesters_are_separate(tmp_path):
    led = Ledger(tmp_path)
    _record(led, requester="woodwize")
    assert led.releases("fonds-323") == ()
    with pytest.raises(UsageError):
        led.releases("../etc/passwd")
    with pytest.raises(UsageError):
        led.path("Wood Wize")


def test_damaged_ledger_names_file_and_line(tmp_path):
    led = Ledger(tmp_path)
    _record(led)
    path = tmp_path / "woodwize.jsonl"
    path.write_text(path.read_text() + "{not json\n")
    with pytest.raises(InputError) as err:
        led.releases("woodwize")
    assert err.value.code == "ledger_damaged"
    assert err.value.problems[0].line == 2


def test_refusals_are_logged_without_cells(tmp_path):
    led = Ledger(tmp_path)
    rel = led.record(
        "woodwize",
        request_hash="h9",
        data_version="v1",
        cells=[],
        digests=[],
        decision="refuse",
        reasons=["[small_difference] ..."],
    )
    assert led.releases("woodwize")[0].decision == "refuse" and rel.cells == ()


def test_history_over_two_ledgers_counts_each_release_once(tmp_path):
    """A run's own ledger and a --ledger DIR: the same release (requester, request hash, data
    version) in both is one release, whatever its sequence number in each."""
    from pipeline.sdc.tables.ledger import merged_history

    run, shared = Ledger(tmp_path / "run"), Ledger(tmp_path / "dir")
    _record(run, req="h0", label="only-run")
    _record(run, req="h1")
    _record(shared, req="h1")  # woodwize#2 in the run's ledger, woodwize#1 in DIR
    _record(shared, req="h2", label="only-dir")
    cells, notes = merged_history([run, shared], "woodwize", "v1")
    assert len(cells) == 6 and notes == ()
    assert sorted({c.release for c in cells}) == [
        "woodwize#1 (only-run)",
        "woodwize#2 (only-dir)",
        "woodwize#2 (pc126)",
    ]
    assert (
        merged_history([run, Ledger(tmp_path / "run" / ".." / "run")], "woodwize", "v1")[0]
        == run.history("woodwize", "v1")[0]
    )


def test_reissue_over_two_ledgers_leaves_out_what_came_after_it(tmp_path):
    from pipeline.sdc.tables.ledger import merged_history

    run, shared = Ledger(tmp_path / "run"), Ledger(tmp_path / "dir")
    _record(run, req="h1", label="first")
    _record(run, req="h2", label="second")  # logged in both ledgers, after h1
    _record(shared, req="h2", label="second")
    _record(shared, req="h3", label="third", version="v0")  # DIR only, other data version
    cells, notes = merged_history([shared, run], "woodwize", "v1", request_hash="h1")
    assert cells == () and notes == (
        "1 earlier release(s) on other data versions were not compared",
    )
    cells, _ = merged_history([shared, run], "woodwize", "v1", request_hash="h2")
    assert {c.release for c in cells} == {"woodwize#1 (first)"}
