"""The risk profiles' prevalence ratios under ``protect_reports: true``
(:mod:`pipeline.tables.riskfigures`): a ratio with the published shares of its outcome and exposure
gives back (approximately) the crossing of exposure and outcome within the group, so that crossing
is published as cells of the report figures' joint space, logged with the report's release, and a
ratio is shown only where both its cells are released and each of the crossing's four counts is at
least the policy's ``min_n_count``.

The data are the session demo's; a slice (two outcomes, three exposures, Flanders and the sectors)
keeps the test quick. Each expectation is recomputed here from the scored data and the ledger, not
from the module's own cells."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.rundata import layout
from pipeline.rundata.read import read_risk_profiles
from pipeline.sdc.publisher import publisher
from pipeline.sdc.tables.rules import is_suppressed
from pipeline.tables.figures import protect_run_figures
from pipeline.tables.riskfigures import RATIO_NUMBERS, CrossingCell, ratio_shown

from .tables_helpers import ledger_entries

MIN_N_COUNT = 5  # the reference policy's


@pytest.fixture(scope="module")
def risk(small_run_dir: Path) -> pd.DataFrame:
    table = read_risk_profiles(small_run_dir)
    assert table is not None and set(table["by"]) == {"", "sector"}
    outcomes = list(dict.fromkeys(table["outcome"]))[:2]
    exposures = list(dict.fromkeys(table["exposure"]))[:3]
    return table[table["outcome"].isin(outcomes) & table["exposure"].isin(exposures)].reset_index(
        drop=True
    )


@pytest.fixture(scope="module")
def estimates(small_run_dir: Path, risk: pd.DataFrame) -> pd.DataFrame:
    est = pd.read_parquet(layout.stage_file(small_run_dir, "estimate", layout.ESTIMATES))
    by = est["by"].fillna("").astype(str)
    names = {*risk["outcome"], *risk["exposure"]}
    return est[by.isin(["", "sector"]) & est["indicator"].isin(names)]


@pytest.fixture(scope="module")
def scored(small_run_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(layout.stage_file(small_run_dir, "score", layout.SCORED))


def _hidden(table: pd.DataFrame) -> np.ndarray:
    return (
        table["flags"]
        .fillna("")
        .astype(str)
        .str.split(";")
        .map(lambda f: "suppressed" in f)
        .to_numpy(dtype=bool)
    )


def _logged(entry: dict) -> dict[tuple[str, frozenset], tuple[int, bool]]:
    """(measure, conditions) -> (n, published) of every cell of a ledger entry."""
    out = {}
    for c in entry["cells"]:
        conds = frozenset(
            (v, None if lv is None else tuple(float(x) for x in lv)) for v, lv in c["conditions"]
        )
        out[(c["measure"], conds)] = (int(c["n"]), not is_suppressed(c["status"]))
    return out


def _crossing_key(row: pd.Series, e: int) -> tuple[str, frozenset]:
    """The ledger cell of the outcome's share among the exposed (``e`` 1) or unexposed of the row's
    group: outcome answered, exposure ``e``, the sector's level (none for Flanders)."""
    conds = {(str(row["outcome"]), None), (str(row["exposure"]), (float(e),))}
    if row["by"]:
        conds.add((str(row["by"]), (float(row["level"]),)))
    return str(row["outcome"]), frozenset(conds)


def _counts(scored: pd.DataFrame, row: pd.Series) -> tuple[int, int, int, int]:
    """The crossing's four counts from the data: (unexposed, exposed) x (with, without)."""
    y = pd.to_numeric(scored[row["outcome"]], errors="coerce").to_numpy(dtype=float)
    e = pd.to_numeric(scored[row["exposure"]], errors="coerce").to_numpy(dtype=float)
    inside = np.ones(len(scored), dtype=bool)
    if row["by"]:
        g = pd.to_numeric(scored[row["by"]], errors="coerce").to_numpy(dtype=float)
        inside = g == float(row["level"])
    return tuple(  # type: ignore[return-value]
        int((inside & (e == ev) & (y == yv)).sum()) for ev in (0, 1) for yv in (1, 0)
    )


def test_a_ratio_is_shown_only_on_released_crossing_cells(
    run_copy, estimates, risk, scored, policy_ledger
):
    shown, figures = protect_run_figures(estimates, run_copy, publisher(), risk=risk)
    assert figures.unpublished == () and figures.notices == ()
    out = figures.risk
    assert out is not None and len(out) == len(risk)
    (entry,) = ledger_entries(policy_ledger)
    assert entry["label"] == "wbm-werknemers-2023-rapport"  # one release with the other figures
    cells = _logged(entry)
    hidden = _hidden(out)
    reasons = {"shown": 0, "unreleased": 0, "small": 0}
    for i, row in risk.iterrows():
        unexposed, exposed = cells.get(_crossing_key(row, 0)), cells.get(_crossing_key(row, 1))
        # the crossing's cells are in the report's release, whether shown or not
        assert unexposed is not None and exposed is not None, (row["outcome"], row["exposure"])
        counts = _counts(scored, row)
        assert unexposed[0] == counts[0] + counts[1] and exposed[0] == counts[2] + counts[3]
        released = unexposed[1] and exposed[1]
        expect = (
            released
            and min(counts) >= MIN_N_COUNT
            and int(row["n"]) == sum(counts)
            and int(row["n_exposed"]) == exposed[0]
        )
        assert bool(not hidden[i]) == expect, (row["outcome"], row["exposure"], row["level"])
        if expect:
            reasons["shown"] += 1
            # shown as the unprotected table has it
            for c in RATIO_NUMBERS:
                assert out.loc[i, c] == row[c]
        else:
            reasons["unreleased" if not released else "small"] += 1
            assert out.loc[i, list(RATIO_NUMBERS)].isna().all()
            assert out.loc[i, "n"] == row["n"]
    # the demo exercises every case: a ratio shown, one on a hidden cell, and one whose cells
    # are released but a count of the crossing is under min_n_count (a dash: a class disclosure)
    assert all(reasons.values()), reasons
    # a rerun of the same figures is a re-issue: nothing new logged, the same ratios shown
    _, again = protect_run_figures(estimates, run_copy, publisher(), risk=risk)
    assert len(ledger_entries(policy_ledger)) == 1
    assert again.risk is not None
    pd.testing.assert_frame_equal(again.risk, out)


def test_without_risk_profiles_nothing_is_crossed(run_copy, estimates, risk, policy_ledger):
    # the control: the crossings are the risk profiles' (no cell with an exposure level otherwise)
    _, figures = protect_run_figures(estimates, run_copy, publisher(), risk=risk.iloc[:0])
    (entry,) = ledger_entries(policy_ledger)
    exposures = set(risk["exposure"])
    for c in entry["cells"]:
        assert not any(v in exposures and lv is not None for v, lv in c["conditions"])
    assert figures.risk is not None and len(figures.risk) == 0


@pytest.mark.parametrize(
    ("unexposed", "exposed", "n", "n_exposed", "shown"),
    [
        (CrossingCell(True, 60, 20), CrossingCell(True, 40, 20), 100, 40, True),
        (CrossingCell(True, 60, 20), CrossingCell(True, 40, 40), 100, 40, False),  # all exposed ill
        (CrossingCell(True, 60, 20), CrossingCell(True, 40, 36), 100, 40, False),  # 4 without
        (CrossingCell(True, 60, 20), CrossingCell(True, 40, 35), 100, 40, True),  # 5 without
        (CrossingCell(True, 60, 2), CrossingCell(True, 40, 20), 100, 40, False),  # 2 unexposed ill
        (CrossingCell(False, 60, 20), CrossingCell(True, 40, 20), 100, 40, False),  # hidden cell
        (CrossingCell(True, 60, 20), CrossingCell(False, 40, 20), 100, 40, False),
        (CrossingCell(True, 60, 20), CrossingCell(True, 40, 20), 99, 40, False),  # model left out
        (CrossingCell(True, 60, 20), CrossingCell(True, 40, 20), 100, 39, False),
    ],
)
def test_the_rule_for_a_ratio(unexposed, exposed, n, n_exposed, shown) -> None:
    row = {"n": n, "n_exposed": n_exposed}
    assert ratio_shown(row, (unexposed, exposed), MIN_N_COUNT) is shown
    assert ratio_shown(row, None, MIN_N_COUNT) is False
