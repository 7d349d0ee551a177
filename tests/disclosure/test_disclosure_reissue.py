"""A re-issue of a space's release (:func:`pipeline.sdc.tables.space.protect_issue`): the same
figures on the same data version (a rerun, ``wbm report`` after the outputs stage, ``wbm benchmark``
after ``wbm report``) publish what their first issue published, from the ledger, without protecting
again; never a cell the first issue hid; never figures the ledger does not hold."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import DisclosureError
from pipeline.sdc.tables.cells import Condition, digest, membership, table_cells
from pipeline.sdc.tables.ledger import Ledger, first_issue
from pipeline.sdc.tables.protect import TableData
from pipeline.sdc.tables.rules import PrimaryRules, TableKind, is_suppressed
from pipeline.sdc.tables.space import (
    EXACT_CHECK,
    SpaceTable,
    logged_cells,
    logged_rules,
    protect_issue,
    recheck_hash,
)
from pipeline.sdc.tables.structure import Dimension, build

from ..spies import protect_space_calls

VERSION = "a" * 64
REQUEST = ("public", "h" * 64, VERSION)
RULES = PrimaryRules(min_n_count=5, min_n_percent=30)


def _space() -> tuple[list[SpaceTable], dict[str, np.ndarray], list[str]]:
    """A percentage table by four groups, one of them too small (secondary suppression needed)."""
    rng = np.random.default_rng(11)
    g = np.repeat([1.0, 2.0, 3.0, 4.0], [12, 60, 70, 80])
    cols = {"g": g, "y": rng.integers(0, 2, g.size).astype(float)}
    structure = build([Dimension("g", ("1", "2", "3", "4"))])
    cells = table_cells(structure, [Condition("y", None)], "y")
    masks = membership(cells, cols)
    n = [int(x) for x in masks.sum(axis=0)]
    wn = [float(x) for x in n]
    num = [float(cols["y"][masks[:, i]].sum()) for i in range(len(cells))]
    data = TableData(
        structure, TableKind.percent, {"n": wn, "weighted_n": wn, "numerator": num}, cells
    )
    table = SpaceTable("y", "g", TableKind.percent, structure, data, masks, {}, n, {})
    digests = [digest(masks[:, i]) for i in range(len(cells))]
    return [table], cols, digests


def _log(
    ledger: Ledger,
    tables: list[SpaceTable],
    digests: list[str],
    request_hash: str = REQUEST[1],
    exact: bool = False,
) -> None:
    ledger.record(
        "public",
        request_hash=request_hash,
        data_version=VERSION,
        cells=[c for t in tables for c in logged_cells(t)],
        digests=digests,
        decision="suppress",
        reasons=("first issue",),
        label="rapport",
        rules=logged_rules(RULES, exact),
    )


@pytest.fixture
def issued(tmp_path: Path) -> tuple[Ledger, list[str]]:
    """A ledger with the space's first issue; the statuses it logged."""
    ledger = Ledger(tmp_path / "ledger")
    tables, cols, digests = _space()
    protect_issue(tables, RULES, cols, [ledger], REQUEST, digests)
    _log(ledger, tables, digests)
    return ledger, list(tables[0].statuses)


@pytest.fixture
def hid_more(tmp_path: Path) -> tuple[Ledger, int]:
    """A ledger whose first issue hid one cell more than protection does (an older engine); that
    cell."""
    ledger = Ledger(tmp_path / "ledger")
    tables, cols, digests = _space()
    protect_issue(tables, RULES, cols, [ledger], REQUEST, digests)
    shown = [i for i, s in enumerate(tables[0].statuses) if not is_suppressed(s)]
    tables[0].statuses = tuple(
        "secondary" if i == shown[0] else s for i, s in enumerate(tables[0].statuses)
    )
    _log(ledger, tables, digests)
    return ledger, shown[0]


_spy = protect_space_calls


def test_a_first_issue_is_protected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _spy(monkeypatch)
    tables, cols, digests = _space()
    protect_issue(tables, RULES, cols, [Ledger(tmp_path / "none")], REQUEST, digests)
    assert calls == [False]
    assert sum(is_suppressed(s) for s in tables[0].statuses) >= 2  # group 1 and a companion


def test_a_reissue_publishes_the_logged_statuses_without_protecting_again(
    issued: tuple[Ledger, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger, statuses = issued
    calls = _spy(monkeypatch)
    tables, cols, digests = _space()
    issue = protect_issue(tables, RULES, cols, [ledger], REQUEST, digests)
    assert calls == []
    assert list(tables[0].statuses) == statuses
    assert issue.reasons == ("first issue",)
    assert issue.first is not None and issue.decision(tables) == "suppress"  # as logged


def test_a_reissue_shows_what_the_ledger_logged_even_if_protection_now_differs(
    hid_more: tuple[Ledger, int],
) -> None:
    """The ledger is what was published: a first issue that hid more (an older engine) is what a
    re-issue shows, not what protecting again would show."""
    ledger, hidden = hid_more
    again, cols, digests = _space()
    protect_issue(again, RULES, cols, [ledger], REQUEST, digests)
    assert is_suppressed(again[0].statuses[hidden])


def test_other_rules_protect_again_and_keep_what_the_first_issue_hid(
    hid_more: tuple[Ledger, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger, hidden = hid_more
    calls = _spy(monkeypatch)
    looser = replace(RULES, min_n_percent=10)  # group 1 (12) would now be published
    again, cols, digests = _space()
    protect_issue(again, looser, cols, [ledger], REQUEST, digests)
    assert calls == [False]  # protected again under the new rules
    assert is_suppressed(again[0].statuses[hidden])  # but not shown: the first issue hid it
    assert is_suppressed(again[0].statuses[1])  # group 1, hidden at first issue


def test_the_exact_check_asked_for_now_runs_on_a_release_issued_without_it(
    issued: tuple[Ledger, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger, _ = issued
    calls = _spy(monkeypatch)
    tables, cols, digests = _space()
    protect_issue(tables, RULES, cols, [ledger], REQUEST, digests, exact=True)
    assert calls == [True]


def test_a_release_issued_with_the_exact_check_is_taken_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = Ledger(tmp_path / "ledger")
    tables, cols, digests = _space()
    protect_issue(tables, RULES, cols, [ledger], REQUEST, digests, exact=True)
    _log(ledger, tables, digests, exact=True)
    logged = first_issue([ledger], VERSION, "public", REQUEST[1])
    assert logged is not None and logged.rules[EXACT_CHECK] is True
    calls = _spy(monkeypatch)
    for exact in (True, False):
        again, cols, digests = _space()
        protect_issue(again, RULES, cols, [ledger], REQUEST, digests, exact=exact)
        assert again[0].statuses == tables[0].statuses
    assert calls == []


def test_a_reissue_with_other_cells_is_refused(issued: tuple[Ledger, list[str]]) -> None:
    ledger, _ = issued
    tables, cols, digests = _space()
    tables[0].n[2] += 1  # another engine counted otherwise
    with pytest.raises(DisclosureError) as err:
        protect_issue(tables, RULES, cols, [ledger], REQUEST, digests)
    assert err.value.code == "reissue_changed"
    tables, cols, digests = _space()
    with pytest.raises(DisclosureError):
        protect_issue(tables, RULES, cols, [ledger], REQUEST, digests[::-1])


def test_the_first_ledger_holding_the_release_is_read(
    issued: tuple[Ledger, list[str]], tmp_path: Path
) -> None:
    ledger, statuses = issued
    empty = Ledger(tmp_path / "other")
    assert first_issue([empty, ledger], VERSION, *REQUEST[:2]) is not None
    assert first_issue([empty], VERSION, *REQUEST[:2]) is None
    tables, cols, digests = _space()
    protect_issue(tables, RULES, cols, [empty, ledger], REQUEST, digests)
    assert list(tables[0].statuses) == statuses


def test_a_recheck_is_logged_once_and_the_next_reissue_takes_it(
    issued: tuple[Ledger, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The exact check switched on after a first issue made without it: the re-check is a release
    of its own (its own request hash, one per rules); logged, the next re-issue under the same
    rules takes its statuses without protecting again (the check is paid once)."""
    ledger, _ = issued
    calls = _spy(monkeypatch)
    tables, cols, digests = _space()
    issue = protect_issue(tables, RULES, cols, [ledger], REQUEST, digests, exact=True)
    assert calls == [True] and issue.first is None
    assert issue.logged_as == recheck_hash(REQUEST[1], RULES, exact=True) != REQUEST[1]
    assert recheck_hash(REQUEST[1], RULES) != issue.logged_as  # other rules, other re-check
    tables[0].statuses = tuple(  # as if the exact check had hidden one more cell
        "secondary" if i == 0 else s for i, s in enumerate(tables[0].statuses)
    )
    _log(ledger, tables, digests, issue.logged_as, exact=True)
    again, cols, digests = _space()
    taken = protect_issue(again, RULES, cols, [ledger], REQUEST, digests, exact=True)
    assert calls == [True]  # not protected again
    assert taken.first is not None and taken.first.request_hash == issue.logged_as
    assert again[0].statuses == tables[0].statuses and taken.logged_as == issue.logged_as
    # the first issue is still what the request's own hash holds, and the history before it
    first = first_issue([ledger], VERSION, *REQUEST[:2])
    assert first is not None and first.rules.get(EXACT_CHECK) is None


def test_a_recheck_with_other_cells_is_refused(issued: tuple[Ledger, list[str]]) -> None:
    """A logged re-check that does not hold these very cells (another engine, a damaged ledger):
    nothing is published, as for a first issue with other cells."""
    ledger, _ = issued
    tables, cols, digests = _space()
    issue = protect_issue(tables, RULES, cols, [ledger], REQUEST, digests, exact=True)
    assert issue.logged_as is not None
    _log(ledger, tables, digests[::-1], issue.logged_as, exact=True)  # cells in another order
    again, cols, digests = _space()
    with pytest.raises(DisclosureError) as err:
        protect_issue(again, RULES, cols, [ledger], REQUEST, digests, exact=True)
    assert err.value.code == "reissue_changed"
