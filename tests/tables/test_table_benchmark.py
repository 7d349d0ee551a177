"""``benchmark``: every cell beside Flanders, the rest of the population or a group of its breakdown,
with the difference and its test (the statistics golden-tested against R in
``test_table_benchmark_golden_r.py``). Here: the published numbers are those statistics on the
run's design, the rest is the estimate stage's (the reports') domain-vs-rest test, no benchmark
number exists for a suppressed cell, and the reference cell is protected and logged like any cell,
so "Flanders minus the table" cannot single out a small group."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import SpecError
from pipeline.estimation.compare import contrast_pairs
from pipeline.estimation.config import EstimationConfig
from pipeline.estimation.linearization import VarianceEngine
from pipeline.rundata import layout
from pipeline.tables.api import make_table
from pipeline.tables.compute import calibrated_design
from pipeline.tables.request import parse_request
from pipeline.tables.source import load_run

from .tables_helpers import cell_mask, csv_rows, ledger_entries, request_file

BENCH = (
    "benchmark",
    "benchmark_estimate",
    "benchmark_difference",
    "benchmark_ci_low",
    "benchmark_ci_high",
    "benchmark_p_value",
    "benchmark_significant",
)
NUMBERS = BENCH[1:]


def _f(x: str) -> float:
    return float(x)


def _table(tmp_path, run, name="bench", **fields):
    out = make_table(request_file(tmp_path / "req", name, **fields), [run], tmp_path / name)
    assert out.decision in ("release", "suppress")
    return out, csv_rows(out.files[1])


def _check_hidden(rows) -> int:
    """No benchmark number of a suppressed cell; returns how many cells are suppressed."""
    hidden = 0
    for r in rows:
        if r["flag"] == "suppressed":
            hidden += 1
            assert all(r[k] == "" for k in NUMBERS) and r["benchmark_flag"] == "suppressed", r
    return hidden


def test_each_cell_beside_flanders_with_the_runs_design(run_copy, tmp_path, policy_ledger):
    fields = {
        "indicators": ["werkstress", "aantal_problemen"],
        "statistics": ["percent", "ci", "n", "p_value"],
        "benchmark": "flanders",
    }
    out, rows = _table(tmp_path, run_copy, **fields)
    data = load_run(run_copy)
    df = data.frame
    engine = VarianceEngine(calibrated_design(data))
    filters = {"sector": (4.0, 5.0, 6.0)}
    checked = 0
    for ind in ("werkstress", "aantal_problemen"):
        mine = [r for r in rows if r["indicator"] == ind and r["benchmark_flag"] == ""]
        y = df[ind].to_numpy(float)
        a = np.column_stack(
            [
                cell_mask(
                    df,
                    filters,
                    (r["row_variable"], r["row_level"]),
                    (r["column_variable"], r["column_level"]),
                )
                for r in mine
            ]
        )
        b = np.ones_like(a)
        stat = "mean" if mine[0]["unit"] == "mean" else "proportion"
        res = contrast_pairs(engine, y, a, b, stat, EstimationConfig())
        scale = 100.0 if stat == "proportion" else 1.0
        flanders = float(np.average(y[np.isfinite(y)], weights=df["weight"][np.isfinite(y)]))
        for k, r in enumerate(mine):
            assert r["benchmark"] == "flanders"
            assert _f(r["benchmark_estimate"]) == pytest.approx(flanders * scale, rel=1e-12)
            d = _f(r["benchmark_difference"])
            assert d == pytest.approx(res.diff[k] * scale, rel=1e-9, abs=1e-12)
            assert d == pytest.approx(_f(r["estimate"]) - _f(r["benchmark_estimate"]), abs=1e-9)
            assert _f(r["benchmark_p_value"]) == pytest.approx(res.p_value[k], rel=1e-9)
            lo, hi = _f(r["benchmark_ci_low"]), _f(r["benchmark_ci_high"])
            assert lo < d < hi and (lo + hi) / 2 == pytest.approx(d, abs=1e-9)
            assert r["benchmark_significant"] == ("true" if res.p_value[k] < 0.05 else "false")
            checked += 1
    assert checked > 20
    # p_value asked for: every compared cell has one
    assert all(r["benchmark_p_value"] != "" for r in rows if r["benchmark_flag"] == "")
    _check_hidden(rows)
    # the reference cell (Flanders, each indicator) is logged with the table's cells
    (entry,) = ledger_entries(policy_ledger, "fonds-test")
    conds = [c["conditions"] for c in entry["cells"]]
    assert [["werkstress", None]] in conds and [["aantal_problemen", None]] in conds
    assert len(entry["cells"]) == len(rows) + 2


def test_the_rest_is_the_estimate_stages_domain_test(small_run_dir, run_copy, tmp_path):
    """Each sector against the rest of Flanders: the numbers of the reports' domain-vs-rest test."""
    _, rows = _table(
        tmp_path,
        run_copy,
        indicators=["werkbaar_werk"],
        rows="sector",
        columns=None,
        filters=[],
        statistics=["percent", "n", "significance"],
        benchmark="rest",
    )
    est = pd.read_parquet(layout.stage_file(small_run_dir, "estimate", layout.ESTIMATES))
    est = est[(est["indicator"] == "werkbaar_werk") & (est["by"] == "sector")]
    by_level = {str(r.level): r for r in est.itertuples()}
    checked = 0
    for r in rows:
        if r["row_level"] in ("", "missing") or r["benchmark_flag"]:
            continue
        e = by_level[r["row_level"]]
        assert _f(r["benchmark_difference"]) == pytest.approx(100 * e.diff, rel=1e-9, abs=1e-12)
        assert r["benchmark_significant"] == ("true" if e.p_value < 0.05 else "false")
        assert r["benchmark_p_value"] == r["benchmark_ci_low"] == ""  # not asked for
        checked += 1
    assert checked > 10
    _check_hidden(rows)  # a suppressed sector has no comparison either
    total = next(r for r in rows if r["row_level"] == "")
    assert total["benchmark_flag"] == "empty"  # the total is Flanders: its rest has nobody


def test_a_group_of_the_breakdown_as_reference(run_copy, tmp_path):
    _, rows = _table(
        tmp_path,
        run_copy,
        indicators=["werkstress"],
        statistics=["percent", "ci", "n", "p_value"],
        benchmark={"variable": "statute", "level": 2},
    )
    cells = {(r["row_level"], r["column_level"]): r for r in rows}
    compared = 0
    for (row, col), r in cells.items():
        if col == "":
            assert r["benchmark_flag"] in ("not_applicable", "suppressed")
            continue
        if col == "2":
            assert r["benchmark_flag"] in ("reference", "suppressed")
            continue
        ref = cells[(row, "2")]
        if "suppressed" in (r["flag"], ref["flag"]):
            assert r["benchmark_flag"] == "suppressed" and r["benchmark_difference"] == ""
            continue
        if "empty" in (r["flag"], ref["flag"]):
            assert r["benchmark_flag"] == "empty" and r["benchmark_difference"] == ""
            continue
        assert r["benchmark"] == "statute=2" and r["benchmark_flag"] == ""
        assert _f(r["benchmark_estimate"]) == pytest.approx(_f(ref["estimate"]), rel=1e-12)
        assert _f(r["benchmark_difference"]) == pytest.approx(
            _f(r["estimate"]) - _f(ref["estimate"]), abs=1e-9
        )
        compared += 1
    assert compared >= 3


def test_flanders_minus_the_table_cannot_single_out_a_small_group(run_copy, tmp_path):
    """A table of everyone but one sector, beside Flanders: Flanders minus its total is that sector.
    With a threshold above the sector's size (a request may be stricter than the policy), the
    reference cell is protected first, so the table's total is suppressed (and with it its
    comparison); without the benchmark the same table publishes its total."""
    df = load_run(run_copy).frame
    n = df[df["werkstress"].notna()].groupby("sector").size()
    small = int(n[n > 0].idxmin())
    threshold = int(n[small]) + 1
    fields = {
        "indicators": ["werkstress"],
        "rows": None,
        "columns": None,
        "filters": [{"variable": "sector", "exclude": [small]}],
        "statistics": ["percent", "ci", "n"],
        "disclosure": {"min_n_percent": threshold, "unreliable_below": max(threshold, 50)},
    }
    # a dry run (nothing logged, so the second request does not see it): the total is published
    plain = make_table(request_file(tmp_path / "a", "plain", **fields), [run_copy], None)
    assert plain.release.waves[0].tables[0].flag(0) == ""
    out, rows = _table(tmp_path / "b", run_copy, name="beside", benchmark="flanders", **fields)
    (total,) = rows
    assert total["flag"] == "suppressed" and total["estimate"] == ""
    assert all(total[k] == "" for k in NUMBERS) and total["benchmark_flag"] == "suppressed"
    assert out.decision == "suppress"
    # the Flanders cell itself is published (in the ledger as published: the engine saw it)
    ref = out.release.waves[0].references[0]
    assert ref.flag(0) == "" and ref.numbers.n[0] == int(n.sum())


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"statistics": ["percent", "p_value"]}, "test a benchmark"),
        ({"statistics": ["ci", "n"], "benchmark": "flanders"}, "needs the estimate"),
        ({"benchmark": {"variable": "sector", "level": 4}}, "must be the rows or the columns"),
        ({"benchmark": "vlaanderen"}, "benchmark"),
        ({"benchmark": {"variable": "statute"}}, "level"),
    ],
)
def test_bad_benchmarks_are_located_errors(fields, message):
    data = {
        "kind": "table-request",
        "id": "x",
        "requester": "fonds-test",
        "population": "employees",
        "waves": [2023],
        "indicators": ["werkstress"],
        "rows": "age_band",
        "columns": "statute",
        **fields,
    }
    with pytest.raises(SpecError) as err:
        parse_request(data)
    assert err.value.code == "request_invalid"
    assert any(message in p.message or message in (p.path or "") for p in err.value.problems)


def test_an_unknown_reference_level_is_named(run_copy, tmp_path):
    with pytest.raises(SpecError) as err:
        make_table(
            request_file(
                tmp_path,
                benchmark={"variable": "age_band", "level": 99},
                statistics=["percent"],
            ),
            [run_copy],
            None,
        )
    (p,) = err.value.problems
    assert p.path == "benchmark.level" and p.value == 99 and "one of" in (p.expected or "")


def test_a_request_without_benchmark_keeps_its_hash_and_columns(run_copy, tmp_path):
    """Extending the contract: old requests hash as before, the new columns come last and are empty."""
    from pipeline.tables.publish import COLUMNS

    assert COLUMNS[-9:] == (*BENCH, "benchmark_flag", "suppression_reason")
    assert COLUMNS.index("change_flag") == len(COLUMNS) - 10
    _, rows = _table(tmp_path, run_copy, indicators=["werkstress"])
    assert rows and all(all(r[k] == "" for k in (*BENCH, "benchmark_flag")) for r in rows)
