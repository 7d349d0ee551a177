"""Enterprise magnitude tables: weighted totals of a numeric item (employees), protected by the
threshold, (n,k) dominance and p% rules, with dominance also judged on groups derived by differencing."""

from __future__ import annotations

import math

import numpy as np
import openpyxl
import pandas as pd
import pytest

from pipeline.estimation.api import DesignSpec, calibration_from_columns, estimate
from pipeline.questionnaire.load import load_questionnaire
from pipeline.sdc.tables.audit import audit
from pipeline.sdc.tables.weights import safe_base
from pipeline.tables.api import make_table
from pipeline.tables.source import wave_data

from .tables_helpers import csv_rows, ledger_entries, request_file

GIANT = 90_000  # one organisation in sector group 1, size class 4: it dominates its cell


@pytest.fixture(scope="module")
def oe():
    q = load_questionnaire("oe-2025")
    rng = np.random.default_rng(11)
    n = 500
    size = rng.choice([1.0, 2.0, 3.0], n, p=[0.55, 0.3, 0.15])
    sector = rng.choice([1.0, 2.0, 3.0, 4.0], n, p=[0.3, 0.15, 0.4, 0.15])
    low = {1.0: (1, 10), 2.0: (10, 50), 3.0: (50, 200)}
    employees = np.array([rng.integers(*low[s]) for s in size], dtype=float)
    big = pd.DataFrame(
        {
            "size_class": 4.0,
            "sector_group": np.repeat([1.0, 2.0, 3.0, 4.0], 8),
            "employees": rng.integers(200, 400, 32).astype(float),
        }
    )
    big.loc[0, "employees"] = GIANT
    df = pd.concat(
        [pd.DataFrame({"size_class": size, "sector_group": sector, "employees": employees}), big],
        ignore_index=True,
    )
    df["weight"] = df["size_class"].map({1.0: 25.0, 2.0: 8.0, 3.0: 3.0, 4.0: 1.0}) * rng.uniform(
        0.9, 1.1, len(df)
    )
    df["org_id"] = [f"o{i}" for i in range(len(df))]
    return q, df, wave_data(df, q, data_version="oe-test")


def _request(tmp_path, name, **fields):
    base = {
        "population": "enterprises",
        "waves": [2025],
        "indicators": ["employees"],
        "rows": "sector_group",
        "columns": "size_class",
        "filters": None,
        "statistics": ["percent", "ci", "n", "weighted_n"],
    }
    return request_file(tmp_path, name=name, **{**base, **fields})


def test_dominated_cell_is_suppressed_and_totals_are_the_engines(oe, tmp_path):
    q, df, data = oe
    out = make_table(_request(tmp_path, "staff"), [data], tmp_path / "o", ledger=tmp_path / "l")
    rows = csv_rows(out.files[1])
    assert {r["unit"] for r in rows} == {"total"}
    cell = next(r for r in rows if r["row_level"] == "1" and r["column_level"] == "4")
    assert cell["flag"] == "suppressed" and cell["estimate"] == ""
    (ledger,) = ledger_entries(tmp_path / "l", "fonds-test")
    status = {(c["index"]): c["status"] for c in ledger["cells"]}
    pt = out.release.waves[0].tables[0]
    i = pt.numbers.structure.index(("1", "4"))
    assert (
        status[i] == "primary:dominance" and pt.numbers.n[i] == 8
    )  # enough organisations, one dominates
    # each cell's contributions are its organisations' weight x employees, summing to its total
    table = pt.numbers.table_data()
    weights = df["weight"].to_numpy()
    for k, cell in enumerate(pt.numbers.cells):
        inside = np.ones(len(df), dtype=bool)
        for c in cell.conditions:
            inside &= (
                df[c.variable].notna().to_numpy()
                if c.levels is None
                else df[c.variable].isin(c.levels).to_numpy()
            )
        assert sorted(table.contributions[k]) == pytest.approx(
            sorted((weights * df["employees"].to_numpy())[inside])
        )
        assert math.isclose(sum(table.contributions[k]), table.layers["total"][k], rel_tol=1e-9)
    # no suppressed cell can be recomputed from the table's totals (every additive layer)
    for layer in pt.numbers.table_data().layers.values():
        assert audit(pt.numbers.structure, layer, pt.protected.suppressed).ok
    # the published totals are the engine's: stat "total", calibration-aware, cell by cell
    cal = calibration_from_columns(
        df[["sector_group", "size_class"]].assign(_b=1.0), [["sector_group"], ["size_class"]], "_b"
    )
    for r in rows:
        if r["flag"] == "suppressed":
            continue
        m = np.ones(len(df), dtype=bool)
        for var, level in (("sector_group", r["row_level"]), ("size_class", r["column_level"])):
            if level:
                m &= (df[var] == float(level)).to_numpy()
        d = df[["employees", "weight"]].assign(_d=np.where(m, 1.0, np.nan))
        e = estimate(
            d, DesignSpec("weight"), ["employees"], ["_d"], stat="total", calibration=cal
        ).table.iloc[1]
        assert int(r["n"]) == int(e["n"])
        for col in ("estimate", "ci_low", "ci_high"):
            assert math.isclose(float(r[col]), float(e[col]), rel_tol=1e-12), (r, col)
        # weighted N rounded to the policy's base (100), coarser where the weights need it
        base = safe_base(df["weight"].to_numpy(), 100, 5)
        assert base is not None
        assert float(r["weighted_n"]) == base * math.floor(float(e["weighted_n"]) / base + 0.5)
    notes = {
        x[0]: x[1]
        for x in openpyxl.load_workbook(out.files[0])["Toelichting"].iter_rows(values_only=True)
        if x[0]
    }
    assert (
        "Totalen: minstens 5 organisaties" in notes["Geheimhouding"]
        and "85%" in notes["Geheimhouding"]
    )
    assert notes["Definitie: aantal werknemers"].startswith(
        "gewogen totaal van 'aantal werknemers' (werknemers)"
    )


def test_differencing_out_a_dominated_group_is_refused(oe, tmp_path):
    """Sector group 1 (published) minus sector group 1 without size class 4 is the dominated cell.
    (Within the first table, size classes 2 and 3 are hidden too: size class 4 together with either
    of them, total minus the other parts, would still be dominated by the one organisation.)"""
    _, _, data = oe
    first = _request(
        tmp_path,
        "by-size",
        rows="size_class",
        columns=None,
        filters=[{"variable": "sector_group", "levels": [1]}],
    )
    a = make_table(first, [data], tmp_path / "a", ledger=tmp_path / "l")
    assert csv_rows(a.files[1])[-1]["flag"] == ""  # the group's total is published
    second = _request(
        tmp_path,
        "small-firms",
        rows="size_class",
        columns=None,
        filters=[
            {"variable": "sector_group", "levels": [1]},
            {"variable": "size_class", "exclude": [4]},
        ],
        disclosure={"on_disclosure": "refuse"},
    )
    b = make_table(second, [data], tmp_path / "b", ledger=tmp_path / "l")
    assert b.decision == "refuse" and b.files == ()
    assert all("fonds-test#1 (by-size)" in r for r in b.release.reasons) and b.release.reasons


def test_numeric_items_are_no_indicators_of_person_surveys(tmp_path, small_run_dir):
    from pipeline.errors import SpecError

    with pytest.raises(SpecError) as err:
        make_table(
            request_file(tmp_path, indicators=["hours"]),
            [small_run_dir],
            tmp_path / "o",
            ledger=tmp_path / "l",
        )
    assert "unknown indicator 'hours'" in str(err.value)
