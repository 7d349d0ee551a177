"""The ledger: one history per data version, whoever a release went to; round trip, determinism,
re-issue, damage, several ledgers."""

from __future__ import annotations

import pytest

from pipeline.errors import InputError, UsageError
from pipeline.sdc.tables.cells import CellDef, Condition
from pipeline.sdc.tables.history import ReleasedCell
from pipeline.sdc.tables.ledger import FILE, Ledger, first_issue, merged_history, prior

V1, V0 = "a1" * 32, "b0" * 32  # data versions (content hashes)


def _cells():
    a = CellDef.of([Condition("sector", (4,))])
    b = CellDef.of([Condition("sector", (4,)), Condition("statute", (3,))])
    return [
        ReleasedCell(a, "count", "ok", 120, 5400.5, "new", 0),
        ReleasedCell(b, "count", "primary:min_n", 3, 130.25, "new", 1),
    ]


def _record(ledger, req="h1", version=V1, requester="woodwize", **kw):
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
    assert (tmp_path / V1 / FILE).is_file()
    back = led.releases(V1)
    assert back == (rel,)
    assert {c.release for c in back[0].cells} == {"woodwize#1 (pc126)"}
    assert back[0].cells[1].cell == _cells()[1].cell
    assert back[0].rules == {"min_n_count": 5}


def test_deterministic_bytes(tmp_path):
    for d in ("a", "b"):
        led = Ledger(tmp_path / d)
        _record(led)
        _record(led, req="h2")
    assert (tmp_path / "a" / V1 / FILE).read_bytes() == (tmp_path / "b" / V1 / FILE).read_bytes()


def test_reissue_appends_nothing_and_sees_only_earlier_history(tmp_path):
    led = Ledger(tmp_path)
    _record(led, req="h1")
    _record(led, req="h2")
    path = tmp_path / V1 / FILE
    before = path.read_bytes()
    again = _record(led, req="h1")
    assert again.sequence == 1 and path.read_bytes() == before
    assert led.history(V1, "woodwize", "h1") == ()
    cells = led.history(V1, "woodwize", "h2")
    assert len(cells) == 2 and all(c.release.startswith("woodwize#1") for c in cells)
    assert len(led.history(V1)) == 4


def test_one_history_per_data_version_whoever_it_went_to(tmp_path):
    """Finding 3: changing the requester's name does not escape the history."""
    led = Ledger(tmp_path)
    _record(led, requester="woodwize", req="h1")
    _record(led, requester="fonds-323", req="h1")  # same request, another name: a new release
    _record(led, requester="fonds-323", req="h2", version=V0)
    assert len(led.history(V1, "someone-else", "h7")) == 4
    assert {c.release for c in led.history(V1)} == {"woodwize#1 (pc126)", "fonds-323#2 (pc126)"}
    assert len(led.history(V0)) == 2  # another data version: its own history


def test_bad_names_and_versions_are_refused(tmp_path):
    led = Ledger(tmp_path)
    with pytest.raises(UsageError):
        led.releases("../etc/passwd")
    with pytest.raises(UsageError):
        _record(led, requester="Wood Wize")


def test_damaged_ledger_names_file_and_line(tmp_path):
    led = Ledger(tmp_path)
    _record(led)
    path = tmp_path / V1 / FILE
    path.write_text(path.read_text() + "{not json\n")
    with pytest.raises(InputError) as err:
        led.releases(V1)
    assert err.value.code == "ledger_damaged"
    assert err.value.problems[0].line == 2


def test_an_entry_of_another_version_in_a_file_is_damage(tmp_path):
    led = Ledger(tmp_path)
    _record(led, version=V0)
    (tmp_path / V1).mkdir()
    (tmp_path / V1 / FILE).write_bytes((tmp_path / V0 / FILE).read_bytes())
    with pytest.raises(InputError) as err:
        led.releases(V1)
    assert err.value.code == "ledger_damaged"


def test_refusals_are_logged_without_cells(tmp_path):
    led = Ledger(tmp_path)
    rel = led.record(
        "woodwize",
        request_hash="h9",
        data_version=V1,
        cells=[],
        digests=[],
        decision="refuse",
        reasons=["[small_difference] ..."],
    )
    assert led.releases(V1)[0].decision == "refuse" and rel.cells == ()


def test_history_over_two_ledgers_counts_each_release_once(tmp_path):
    """The policy's ledger and a --ledger DIR: the same release (requester, request hash) on one data
    version in both is one release, whatever its sequence number in each."""
    one, shared = Ledger(tmp_path / "one"), Ledger(tmp_path / "dir")
    _record(one, req="h0", label="only-one")
    _record(one, req="h1")
    _record(shared, req="h1")  # woodwize#2 in the first ledger, woodwize#1 in DIR
    _record(shared, req="h2", label="only-dir")
    cells = merged_history([one, shared], V1)
    assert len(cells) == 6
    assert sorted({c.release for c in cells}) == [
        "woodwize#1 (only-one)",
        "woodwize#2 (only-dir)",
        "woodwize#2 (pc126)",
    ]
    assert merged_history([one, Ledger(tmp_path / "one" / ".." / "one")], V1) == one.history(V1)


def test_reissue_over_two_ledgers_leaves_out_what_came_after_it(tmp_path):
    one, shared = Ledger(tmp_path / "one"), Ledger(tmp_path / "dir")
    _record(one, req="h1", label="first")
    _record(one, req="h2", label="second")  # logged in both ledgers, after h1
    _record(shared, req="h2", label="second")
    _record(shared, req="h3", label="third", version=V0)  # DIR only, other data version
    assert merged_history([shared, one], V1, "woodwize", "h1") == ()
    cells = merged_history([shared, one], V1, "woodwize", "h2")
    assert {c.release for c in cells} == {"woodwize#1 (first)"}


def test_prior_reads_each_ledger_once_and_agrees_with_first_issue_and_history(
    tmp_path, monkeypatch
):
    """What a protection needs of the ledgers (the request's first issue, the cells before it)
    from one read of each ledger, the same as the two separate reads."""
    one, shared = Ledger(tmp_path / "one"), Ledger(tmp_path / "dir")
    _record(one, req="h1", label="first")
    _record(shared, req="h0", label="dir-first")
    _record(shared, req="h2", label="second")
    _record(one, req="h2", label="second")
    ledgers = [one, shared, Ledger(tmp_path / "one")]  # one directory twice: read once
    for req in ("h0", "h1", "h2", "new"):
        expected = (
            first_issue(ledgers, V1, "woodwize", req),
            merged_history(ledgers, V1, "woodwize", req),
        )
        reads: list[str] = []
        real = Ledger.releases

        def counted(self, version, real=real, reads=reads):
            reads.append(str(self.directory))
            return real(self, version)

        monkeypatch.setattr(Ledger, "releases", counted)
        got = prior(ledgers, V1, "woodwize", req)
        monkeypatch.setattr(Ledger, "releases", real)
        assert (got.first, got.history) == expected
        assert sorted(reads) == sorted({str(tmp_path / "one"), str(tmp_path / "dir")})
    assert prior(ledgers, V1, "woodwize", "new").first is None
    assert {c.release for c in prior(ledgers, V1, "woodwize", "h2").history} == {
        "woodwize#1 (first)",
        "woodwize#1 (dir-first)",
    }
