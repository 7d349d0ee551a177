"""A share of employees hidden by the dominance rule is a *primary* suppression in the ledger.

The enterprise survey's shares of employees (``<indicator>:werknemers``) weigh each organisation by
its weighted employees; where two large organisations hold most of a cell's jobs the share all but
says their answers, and the datatool hides it (:func:`pipeline.datatool.precompute._dominated`, the
policy's dominance and p% rules). The ledger must log such a cell as ``primary:dominance`` (or
``primary:p_percent``): the history checks protect primary cells against recomputation by later
releases (total minus the published parts), a plain ``secondary`` cell not. Before this was fixed
the joint protection (:func:`pipeline.sdc.tables.space.protect_space`) logged it as ``secondary``.

The data: the enterprise survey's demo wave with two organisations of sector group 1, size class 4
(56 organisations answering) given 100,000 employees each: together about 86% of the cell's
weighted employees, far less of their sector group's, of their size class's or of Flanders'.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.tables.tables_helpers import csv_rows, request_file

INDICATORS = ("geen_innovatie", "geen_innovatie:werknemers")
GIANTS = 100_000.0  # employees of each of the two large organisations (the item's hard maximum)
REQUESTER = "demo-fonds"  # registered in the reference registry


@pytest.fixture(scope="module")
def oe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The doctored demo wave run, archived, and its datatool built over both shares by size class
    under the reference policy, logged in the publisher's ledger."""
    import pyreadstat

    from pipeline.archive.api import open_archive
    from pipeline.archive.store import add_run
    from pipeline.datatool.precompute import build_release
    from pipeline.history import PAST_STAGES
    from pipeline.runner import Run, RunConfig, run_stages
    from pipeline.sdc.publisher import init_publisher, publisher
    from pipeline.synth.wave import generate_wave

    root = tmp_path_factory.mktemp("datatool-dominance")
    generate_wave(root / "wave", size=None, seed=2025, questionnaire="oe-2025")
    sav = root / "wave" / "cati_export.sav"
    df, meta = pyreadstat.read_sav(str(sav), user_missing=True)
    giants = df.index[(df["sector_group"] == 1) & (df["size_class"] == 4)][:2]
    df.loc[giants, "employees"] = GIANTS
    pyreadstat.write_sav(
        df,
        str(sav),
        column_labels=meta.column_names_to_labels,
        variable_value_labels=meta.variable_value_labels,
        missing_ranges=meta.missing_ranges,
    )
    run_stages(Run(root / "run", RunConfig.from_wave_dir(root / "wave")), PAST_STAGES)
    add_run(root / "archive", root / "run")
    pub = publisher(init_publisher(root / "publisher"))
    archive = open_archive(root / "archive")
    rel = build_release(
        archive,
        pub,
        indicators=INDICATORS,
        breakdowns=("size_class",),
        logged_at="2026-01-01T00:00:00Z",
    )
    (space,) = rel.spaces.values()
    (release,) = pub.ledgers[0].releases(space.data_versions[2025])
    tables: list[list[Any]] = []
    for c in release.cells:  # logged table by table, each from index 0: per indicator (in
        if c.index == 0:  # INDICATORS' order) by sector group (the filter alone), by size class
            tables.append([])
        tables[-1].append(c)
    assert len(tables) == 4 and space.breakdowns == ("sector_group", "size_class")
    frame, model = archive.respondents(space.series, 2025)
    yield {
        "root": root,
        "publisher": pub,
        "release": rel,
        "space": space,
        "orgs": tables[1],
        "shares": tables[3],
        "frame": frame,
        "jobs": (frame[model.weight] * frame["employees"]).to_numpy(dtype=float),
    }


def _at(cells: list[Any], sector: float, size: float) -> Any:
    """The logged cell of sector group ``sector``, size class ``size``."""
    (cell,) = [
        c
        for c in cells
        if {(x.variable, x.levels) for x in c.cell.conditions if x.levels is not None}
        == {("sector_group", (sector,)), ("size_class", (size,))}
    ]
    return cell


def _columns(oe: dict[str, Any]) -> dict[str, np.ndarray]:
    cols = {
        v: pd.to_numeric(oe["frame"][v], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        for v in ("sector_group", "size_class", "geen_innovatie")
    }
    return cols


def test_the_dominated_share_of_employees_is_logged_as_primary(oe) -> None:
    """The cell two organisations dominate is ``primary:dominance`` in the ledger, and every cell
    the dominance and p% rules hide (judged here from the archived frame with plain pandas) has a
    primary status: none is logged as a plain ``secondary``."""
    from pipeline.sdc.tables.cells import membership
    from pipeline.sdc.tables.rules import is_primary, primary_status

    giant = _at(oe["shares"], 1.0, 4.0)
    assert giant.status == "primary:dominance" and giant.n == 56
    cols = _columns(oe)
    masks = membership([c.cell for c in oe["shares"]], cols)
    dominated = 0
    for k, c in enumerate(oe["shares"]):
        if c.n == 0:
            continue
        rule = primary_status(
            "magnitude", c.n, oe["publisher"].policy.policy.tables.rules(), oe["jobs"][masks[:, k]]
        )
        if is_primary(rule):
            dominated += 1
            assert is_primary(c.status), (c.cell.key, c.status, rule)
            if c.n >= 30:  # not hidden by the count rule: hidden by dominance or p%, so logged
                assert c.status == rule, (c.cell.key, c.status, rule)
    assert dominated >= 1
    # the same organisations' share of organisations is not dominated: whatever it is, not primary
    assert not _at(oe["orgs"], 1.0, 4.0).status.startswith("primary:")


def test_the_datatool_shows_the_dominated_share_without_a_number(oe) -> None:
    cells = [
        c
        for cs in oe["release"].cells.values()
        for c in cs
        if c.indicator == "geen_innovatie:werknemers" and c.by == "size_class"
    ]
    assert cells
    hidden = [c for c in cells if c.flag == "suppressed"]
    assert hidden and all(c.estimate is None and c.n is None for c in hidden)


def test_the_history_checks_protect_it_against_recomputation(oe) -> None:
    """The engine's linear-recomputation check, on the shares of employees as what they are (ratios
    of weighted employees: magnitude cells whose contributions are weight x employees): the
    datatool's suppression pattern lets nothing be recomputed; with the dominated cell's hidden
    companions published instead, its total minus the published parts gives it, and the check
    names it -- because it is logged as primary. Logged as ``secondary`` (the defect), the same
    attack went unnoticed."""
    from pipeline.sdc.tables.history import check_against_history
    from pipeline.sdc.tables.rules import OK, is_suppressed

    rules = oe["publisher"].policy.policy.tables.rules()
    cols = _columns(oe)
    units = {"geen_innovatie": oe["jobs"]}

    def check(cells: list[Any]) -> list[Any]:
        new = [replace(c, kind="magnitude", release="new") for c in cells]
        found = check_against_history(new, (), cols, rules, contributions=units)
        return [f for f in found if f.blocking]

    giant = _at(oe["shares"], 1.0, 4.0)
    assert check(oe["shares"]) == []
    # the attack: everything else in sector group 1 published (its total and the other size classes)
    row = [c for c in oe["shares"] if ("sector_group", (1.0,)) in _levels(c)]
    opened = [
        replace(c, status=OK) if c in row and c is not giant and is_suppressed(c.status) else c
        for c in oe["shares"]
    ]
    found = check(opened)
    assert any(f.code == "recomputable_cell" and giant.cell.key in f.message for f in found)
    # the defect: the same cells with the dominated one logged as plain "secondary"
    before = [replace(c, status="secondary") if c is giant else c for c in opened]
    assert not any(giant.cell.key in f.message for f in check(before))


def _levels(c: Any) -> set[tuple[str, tuple[float, ...] | None]]:
    return {(x.variable, x.levels) for x in c.cell.conditions if x.levels is not None}


@pytest.mark.parametrize(
    ("indicator", "statistics"),
    [
        ("geen_innovatie", ["percent", "ci", "n", "weighted_n"]),
        ("employees", ["estimate", "n"]),
    ],
)
def test_a_later_table_request_does_not_give_the_dominated_share(
    oe, tmp_path: Path, indicator: str, statistics: list[str]
) -> None:
    """The attack through ``wbm table`` after the datatool: sector group 1 by size class (its
    total and parts). The table command publishes shares of organisations and totals of employees,
    never a share of employees (the numerators of the hidden share), so it cannot recompute the
    share by itself; the dominated cell's total of employees is hidden by the magnitude table's own
    dominance rule and logged as such, and the share of organisations of that cell is not published
    either (its suppressed neighbours in the datatool would follow from it)."""
    from pipeline.tables.api import make_table

    req = request_file(
        tmp_path,
        name=f"sector1-{indicator}",
        requester=REQUESTER,
        population="enterprises",
        waves=[2025],
        indicators=[indicator],
        rows="size_class",
        columns=None,
        filters=[{"variable": "sector_group", "levels": [1]}],
        statistics=statistics,
    )
    out = make_table(req, [oe["root"] / "run"], tmp_path / "out", policy=oe["publisher"])
    assert out.decision in ("release", "suppress")
    (cell,) = [r for r in csv_rows(out.files[1]) if r["row_level"] == "4"]
    assert cell["flag"] == "suppressed" and cell["estimate"] == "" and cell["n"] == ""
    logged = oe["publisher"].ledgers[0].releases(oe["space"].data_versions[2025])[-1]
    assert logged.requester == REQUESTER
    table = out.release.waves[0].tables[0]
    i = table.numbers.structure.index(("4",))
    status = logged.cells[i].status
    if indicator == "employees":
        assert status == "primary:dominance"
    else:
        assert status.startswith("secondary")
