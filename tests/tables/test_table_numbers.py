"""Every number ``wbm table`` publishes is the estimation engine's: recomputed cell by cell with
``estimate()`` on a domain built with plain pandas (not the table code's cells), and, for the run's
standard table, read from the estimate stage's own table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipeline.estimation.api import DesignSpec, calibration_from_columns, estimate
from pipeline.questionnaire.load import load_questionnaire
from pipeline.rundata import layout
from pipeline.sdc.tables.audit import audit
from pipeline.sdc.tables.weights import safe_base
from pipeline.tables.api import make_table
from pipeline.tables.source import wave_data

from .tables_helpers import cell_mask, csv_rows, json_rows, request_file

REL = 1e-12  # a cell alone and the same cell among others can differ in the last bit of a sum


def _independent(
    df: pd.DataFrame, margins: list[str], indicator: str, mask: np.ndarray, stat: str
) -> pd.Series | None:
    if not (mask & df[indicator].notna().to_numpy()).any():
        return None  # (the engine cannot take a by-variable that is missing everywhere)
    cal = calibration_from_columns(df[margins].assign(_b=1.0), [[m] for m in margins], "_b")
    data = df[[indicator, "weight"]].assign(_d=np.where(mask, 1.0, np.nan))
    t = estimate(data, DesignSpec("weight"), [indicator], ["_d"], stat=stat, calibration=cal).table  # type: ignore[arg-type]
    t = t[t["by"] == "_d"]
    return None if t.empty else t.iloc[0]


def _number(text: str) -> float | None:
    return None if text == "" else float(text)


def _check_rows(rows, df, margins, filters):
    kinds = set()
    for r in rows:
        if r["flag"] == "suppressed":
            assert all(r[k] == "" for k in ("estimate", "ci_low", "ci_high", "n", "weighted_n"))
            continue
        mask = cell_mask(
            df,
            filters,
            (r["row_variable"], r["row_level"]),
            (r["column_variable"], r["column_level"]),
        )
        e = _independent(
            df, margins, r["indicator"], mask, "mean" if r["unit"] == "mean" else "proportion"
        )
        if e is None:  # nobody in the domain
            assert r["flag"] == "empty" and r["n"] == "0" and r["estimate"] == ""
            continue
        assert int(r["n"]) == int(e["n"])
        scale = 100.0 if r["unit"] == "percent" else 1.0
        for col in ("estimate", "ci_low", "ci_high"):
            got = _number(r[col])
            assert got is not None and math.isclose(got, float(e[col]) * scale, rel_tol=REL), (
                r,
                col,
                e[col],
            )
        # the reference policy's weighted_n_base (100), coarser where the weights need it
        base = safe_base(df["weight"].to_numpy(), 100, 5)
        assert base is not None and base % 100 == 0
        assert float(r["weighted_n"]) == base * math.floor(float(e["weighted_n"]) / base + 0.5)
        kinds.add((r["row_level"] == "", r["column_level"] == "", r["unit"]))
    return kinds


def test_every_published_number_equals_the_engine(run_copy, tmp_path):
    req = request_file(
        tmp_path,
        indicators=["werkstress", "werkbaar_werk", "aantal_problemen", "werkdruk_risico_acuut"],
    )
    out = make_table(req, [run_copy], tmp_path / "out", ledger=tmp_path / "ledger")
    assert out.decision == "release"
    xlsx, csv_path, json_path, _excel = out.files
    rows = csv_rows(csv_path)
    assert len(rows) == 4 * 6 * 4  # indicators x (5 age bands + total) x (3 statutes + total)
    df = pd.read_parquet(layout.stage_file(run_copy, "score", layout.SCORED))
    q = load_questionnaire("wbm-werknemers-2023")
    kinds = _check_rows(rows, df, list(q.weighting), {"sector": (4.0, 5.0, 6.0)})
    # inner cells, row and column margins, the grand total; percentages and a mean were all compared
    assert {(a, b) for a, b, _ in kinds} == {
        (False, False),
        (False, True),
        (True, False),
        (True, True),
    }
    assert {u for *_, u in kinds} == {"percent", "mean"}
    # the JSON has the same numbers as the CSV (typed)
    for c, j in zip(rows, json_rows(json_path), strict=True):
        for k, v in c.items():
            assert (v == "" and j[k] is None) or str(j[k]) == v or float(v) == j[k], (k, v, j[k])


def test_standard_table_equals_the_estimate_stage(small_run_dir):
    """The outputs stage's table goes through the protected path and has the estimate stage's numbers."""
    est = pd.read_parquet(layout.stage_file(small_run_dir, "estimate", layout.ESTIMATES))
    est["by"] = est["by"].fillna("")
    path = next(
        p
        for p in layout.outputs_dir(small_run_dir, layout.TABLES_DIR).glob("*.csv")
        if not p.name.endswith(".excel.csv")
    )
    rows = csv_rows(path)
    # sectors are the rows (one row per sector, not a column each): the contract's row_* columns
    assert {r["row_variable"] for r in rows} == {"sector"}
    assert {r["column_variable"] for r in rows} == {""}
    by_key = {(r.indicator, r.by, str(r.level)): r for r in est.itertuples()}
    published = suppressed = 0
    for r in rows:
        e = by_key[(r["indicator"], "sector" if r["row_level"] else "", r["row_level"])]
        if r["flag"] == "suppressed":
            suppressed += 1
            assert r["n"] == r["estimate"] == ""
            continue
        published += 1
        assert int(r["n"]) == int(e.n) and int(e.n) >= 30
        for col in ("estimate", "ci_low", "ci_high"):
            assert math.isclose(float(r[col]), getattr(e, col) * 100, rel_tol=REL)
        assert r["flag"] == ("unreliable" if e.n < 50 else "")
    assert published > 200
    # every indicator's row of sectors and its total is protected on its own (LP audit of n)
    for name in {r["indicator"] for r in rows}:
        mine = [r for r in rows if r["indicator"] == name]
        n = [
            float(by_key[(name, "sector" if r["row_level"] else "", r["row_level"])].n)
            for r in mine
        ]
        sup = [r["flag"] == "suppressed" for r in mine]
        assert all(s for s, x in zip(sup, n, strict=True) if x < 30)
        from pipeline.sdc.tables.structure import build, flat

        st = build([flat("sector", [r["row_level"] for r in mine[:-1]])])
        assert audit(st, n, sup).ok
    assert not (small_run_dir / "ledger").exists()  # logged in the publisher's ledger, not the run


def test_missing_breakdown_values_get_their_own_row(small_run_dir, tmp_path):
    df = pd.read_parquet(layout.stage_file(small_run_dir, "score", layout.SCORED))
    rng = np.random.default_rng(5)
    idx = rng.choice(len(df), 60, replace=False)
    df.loc[df.index[idx[:40]], "age_band"] = -9.0
    df.loc[df.index[idx[40:]], "age_band"] = np.nan
    q = load_questionnaire("wbm-werknemers-2023")
    margins = ["sex", "sector", "statute", "province"]  # age_band is no longer a usable margin
    data = wave_data(df, q, data_version="test-missing", weighting=margins)
    req = request_file(tmp_path, columns=None, filters=None, indicators=["werkstress"])
    out = make_table(req, [data], tmp_path / "out", ledger=tmp_path / "ledger")
    rows = csv_rows(out.files[1])
    assert [r["row_level"] for r in rows] == ["1", "2", "3", "4", "5", "missing", ""]
    assert rows[5]["row_label"] == "onbekend" and int(rows[5]["n"]) == int(
        df["werkstress"].notna().to_numpy()[idx].sum()
    )
    assert sum(int(r["n"]) for r in rows[:-1]) == int(
        rows[-1]["n"]
    )  # the total is exactly the sum of its rows
    _check_rows(rows, df, margins, {})


@pytest.mark.parametrize("stats", [["percent"], ["n", "weighted_n"], ["ci"], ["estimate", "n"]])
def test_statistics_not_requested_are_empty(run_copy, tmp_path, stats):
    req = request_file(tmp_path, statistics=stats, indicators=["werkstress"], columns=None)
    rows = csv_rows(make_table(req, [run_copy], tmp_path / "out", ledger=tmp_path / "l").files[1])
    fields = {
        "percent": ["estimate"],
        "estimate": ["estimate"],
        "ci": ["ci_low", "ci_high"],
        "n": ["n"],
        "weighted_n": ["weighted_n"],
    }
    shown = {f for s in stats for f in fields[s]}
    total = rows[-1]
    for f in ("estimate", "ci_low", "ci_high", "n", "weighted_n"):
        assert (total[f] != "") == (f in shown), f


def test_a_table_of_counts_only_uses_the_count_rule(run_copy, tmp_path):
    """Without estimate and interval a table publishes counts: 5 respondents suffice (not 30)."""
    req = request_file(tmp_path, statistics=["n", "weighted_n"], indicators=["werkstress"])
    out = make_table(req, [run_copy], tmp_path / "out", ledger=tmp_path / "l")
    rows = csv_rows(out.files[1])
    df = pd.read_parquet(layout.stage_file(run_copy, "score", layout.SCORED))
    answered = df["werkstress"].notna().to_numpy()
    sizes = []
    for r in rows:
        m = (
            cell_mask(
                df,
                {"sector": (4.0, 5.0, 6.0)},
                (r["row_variable"], r["row_level"]),
                (r["column_variable"], r["column_level"]),
            )
            & answered
        )
        n = int(m.sum())
        assert (
            r["unit"] == "count"
            and r["estimate"] == r["ci_low"] == ""
            and r["flag"] != "unreliable"
        )
        if 0 < n < 5:
            assert r["flag"] == "suppressed"
        if r["flag"] != "suppressed":
            assert int(r["n"]) == n
            sizes.append(n)
    assert any(5 <= n < 30 for n in sizes)  # published as a count, hidden as a percentage
