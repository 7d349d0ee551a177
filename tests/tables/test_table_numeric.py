"""Numeric indicators (``kind: numeric``, e.g. commuting minutes) as ``wbm table`` indicators: the
weighted mean of the item, protected like every mean cell (issue 13; ``docs/custom-tables.md``,
"Means of numeric indicators").

The numbers are the numeric estimates' (``04_estimate/numeric_estimates.csv``, the estimate stage's
:func:`pipeline.estimation.numeric.numeric_estimates`, which agree with R ``svymean``): the same
estimate and SE per domain, the same n. A cell under the policy's minimum n for means is
suppressed, and a differencing attack with two requests (the mean on a group P, then on P minus
one respondent) gets the second cell suppressed."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pipeline.questionnaire.load import load_questionnaire
from pipeline.rundata import layout
from pipeline.rundata.read import read_numeric_estimates
from pipeline.tables.api import make_table
from pipeline.tables.request import numeric_indicators, parse_request, resolve
from pipeline.tables.source import wave_data

from .tables_helpers import csv_rows, request_file

NAME = "mod_woonwerk_minuten"
ITEM = "commute_min"
REL = 1e-10


def _numeric(run) -> pd.DataFrame:
    t = read_numeric_estimates(run)
    assert t is not None
    return t[(t["indicator"] == NAME) & (t["stat"] == "mean")]


def test_the_questionnaire_has_the_numeric_indicator():
    q = load_questionnaire("wbm-werknemers-2023")
    assert numeric_indicators(q)[NAME] == ITEM


def test_a_numeric_mean_table_equals_the_numeric_estimates(small_run_dir, run_copy, tmp_path):
    """By sector: every published cell has the numeric estimates' mean, SE-based interval and n;
    the table's SE (kept by the engine) equals theirs."""
    req = request_file(
        tmp_path,
        indicators=[NAME],
        rows="sector",
        columns=None,
        filters=None,
        statistics=["estimate", "ci", "n"],
    )
    out = make_table(req, [run_copy], tmp_path / "out", ledger=tmp_path / "ledger")
    assert out.decision == "release"
    rows = csv_rows(out.files[1])
    ref = _numeric(small_run_dir)
    ref_by = {(str(r.by), str(r.level)): r for r in ref.itertuples()}
    shown = 0
    for r in rows:
        assert r["unit"] == "mean"
        key = ("sector", r["row_level"]) if r["row_level"] else ("", "")
        e = ref_by[key]
        if r["flag"] == "suppressed":
            assert r["estimate"] == r["n"] == ""
            continue
        shown += 1
        assert int(r["n"]) == int(e.n)
        for col in ("estimate", "ci_low", "ci_high"):
            assert math.isclose(float(r[col]), float(getattr(e, col)), rel_tol=REL), (r, col)
    assert shown >= 5


def test_the_table_engine_gives_the_numeric_estimates_se(small_run_dir, run_copy):
    """The engine's own numbers (before publication): estimate and SE of every cell, sector and
    age band, as the numeric estimates (the estimate stage's design, R svymean)."""
    from pipeline.tables.compute import calibrated_design, compute_wave
    from pipeline.tables.source import disclosure_columns, load_run

    data = load_run(run_copy)
    ref = _numeric(small_run_dir)
    for by in ("sector", "age_band"):
        request = {
            "id": "t",
            "requester": "fonds-test",
            "population": "employees",
            "waves": [2023],
            "indicators": [NAME],
            "rows": by,
        }
        resolved = resolve(parse_request(request), questionnaires={2023: data.questionnaire})
        (t,) = compute_wave(
            resolved, resolved.latest, data, disclosure_columns(data), calibrated_design(data)
        )
        assert t.variable == ITEM and t.kind == "mean"
        mine = ref[ref["by"] == by].set_index("level")
        total = ref[ref["by"] == ""].iloc[0]
        for i, key in enumerate(t.structure.keys):
            e = total if key[0] == "" else mine.loc[key[0]] if key[0] in mine.index else None
            if e is None:  # the missing level: no row in the numeric estimates
                continue
            assert t.n[i] == int(e["n"])
            assert math.isclose(t.estimate[i], float(e["estimate"]), rel_tol=REL)
            assert math.isclose(t.se[i], float(e["se"]), rel_tol=1e-9)


@pytest.fixture(scope="module")
def scored(small_run_dir) -> pd.DataFrame:
    return pd.read_parquet(layout.stage_file(small_run_dir, "score", layout.SCORED))


def _answered(df: pd.DataFrame) -> pd.Series:
    q = load_questionnaire("wbm-werknemers-2023")
    return df[ITEM].notna() & ~df[ITEM].isin(q.missing_code_values())


def test_a_mean_cell_under_the_minimum_n_is_suppressed(run_copy, scored, tmp_path):
    """A sector with fewer than 30 respondents who answered the item (and one with at least 50):
    the first is suppressed, the second published. The same data, the number of answers counted
    here with plain pandas."""
    n = scored[_answered(scored)].groupby("sector").size()
    small = [int(s) for s, k in n.items() if 0 < k < 30]
    large = [int(s) for s, k in n.items() if k >= 50]
    if not small:  # make one: keep the item of 12 respondents of the largest sector only
        q = load_questionnaire("wbm-werknemers-2023")
        df = scored.copy()
        sector = int(n.idxmax())
        rows = df.index[(df["sector"] == sector) & _answered(df)]
        df.loc[rows[12:], ITEM] = float(q.missing_code_values()[0])
        data = wave_data(df, q, data_version="test-numeric-small")
        small, runs = [sector], [data]
        large = [s for s in large if s != sector]
    else:
        runs = [run_copy]
    req = request_file(
        tmp_path,
        indicators=[NAME],
        rows=None,
        columns=None,
        filters=[{"variable": "sector", "levels": [small[0]]}],
        statistics=["estimate", "ci", "n"],
    )
    out = make_table(req, runs, tmp_path / "a", ledger=tmp_path / "ledger")
    assert [r["flag"] for r in csv_rows(out.files[1])] == ["suppressed"]
    assert csv_rows(out.files[1])[0]["estimate"] == ""
    req = request_file(
        tmp_path,
        name="large",
        indicators=[NAME],
        rows=None,
        columns=None,
        filters=[{"variable": "sector", "levels": [large[0]]}],
        statistics=["estimate", "ci", "n"],
    )
    out = make_table(req, runs, tmp_path / "b", ledger=tmp_path / "ledger")
    assert [r["flag"] for r in csv_rows(out.files[1])] == [""]


def _one_person_group(df: pd.DataFrame) -> tuple[int, int, int]:
    """(sector, statute, age band): P = sector x statute has at least 31 respondents who answered
    the item, exactly one of them in the age band (P minus that band is P minus one)."""
    ok = df[_answered(df)]
    for (sector, statute), g in ok.groupby(["sector", "statute"]):
        counts = g["age_band"].value_counts()
        if len(g) >= 31 and (counts == 1).any():
            return int(sector), int(statute), int(counts[counts == 1].index[0])
    raise AssertionError("the demo has no group with a single answering respondent in an age band")


@pytest.mark.parametrize("first_indicator", [NAME, "werkstress"])
def test_a_numeric_mean_on_p_and_on_p_minus_one_respondent(
    run_copy, scored, tmp_path, first_indicator
):
    """Two requests, two organisations: the mean (or, across indicators, werkstress) on P, then
    the mean on P minus one respondent. The second would give that respondent's commuting minutes
    (with the weighted N): its cell is suppressed, and refused where the request says so."""
    sector, statute, band = _one_person_group(scored)
    others = [b for b in (1, 2, 3, 4, 5) if b != band]
    p = [
        {"variable": "sector", "levels": [sector]},
        {"variable": "statute", "levels": [statute]},
    ]
    first = request_file(
        tmp_path,
        name="mean-on-p",
        indicators=[first_indicator],
        rows=None,
        columns=None,
        filters=p,
        statistics=["estimate", "ci", "n", "weighted_n"],
    )
    second = {
        "name": "mean-on-p-minus-one",
        "requester": "fonds-b",
        "indicators": [NAME],
        "rows": None,
        "columns": None,
        "filters": [*p, {"variable": "age_band", "levels": others}],
        "statistics": ["estimate", "ci", "n", "weighted_n"],
    }
    # control: alone (a dry run, nothing logged) the second cell is published
    alone = make_table(request_file(tmp_path / "dry", **second), [run_copy], None)
    assert alone.decision == "release", alone.release.reasons
    a = make_table(first, [run_copy], tmp_path / "a")
    assert a.decision == "release" and csv_rows(a.files[1])[0]["flag"] in ("", "unreliable")
    b = make_table(request_file(tmp_path / "b", **second), [run_copy], tmp_path / "b")
    assert b.decision == "suppress", b.release.reasons
    assert [r["flag"] for r in csv_rows(b.files[1])] == ["suppressed"]
    assert csv_rows(b.files[1])[0]["estimate"] == ""
    c = make_table(
        request_file(
            tmp_path / "c", **{**second, "name": "again"}, disclosure={"on_disclosure": "refuse"}
        ),
        [run_copy],
        tmp_path / "c",
    )
    assert c.decision == "refuse" and c.files == ()


def test_a_numeric_indicator_resolves_in_every_wave_to_its_item():
    """Names only: the indicator is the request's name in every wave, its column the wave's item;
    the kind is a mean (counts where only n is asked); an unknown numeric name fails as any."""
    from pipeline.errors import SpecError

    base = {
        "id": "t",
        "requester": "woodwize",
        "population": "employees",
        "waves": [2019, 2023],
        "indicators": [NAME, "werkstress"],
        "rows": "sex",
    }
    r = resolve(parse_request(base))
    assert [w.indicators[NAME] for w in r.waves] == [ITEM, ITEM]
    assert all(w.is_numeric(NAME) and not w.is_numeric("werkstress") for w in r.waves)
    assert r.table_kind(NAME).value == "mean"
    assert r.table_kind("werkstress").value == "percent"
    counts = resolve(parse_request({**base, "statistics": ["n"]}))
    assert counts.table_kind(NAME).value == "count"
    with pytest.raises(SpecError) as err:
        resolve(parse_request({**base, "indicators": ["mod_woonwerk_minuten_x"]}))
    assert err.value.problems[0].code == "unknown_indicator"
    assert NAME in str(err.value.problems[0].expected)


def test_a_numeric_mean_beside_flanders(run_copy, small_run_dir, tmp_path):
    """A benchmark works as for every mean: the reference is Flanders' mean of the item (the
    numeric estimates' overall row), the difference the cell's mean minus it (missing codes are
    in no cell, so they never enter the contrast)."""
    req = request_file(
        tmp_path,
        indicators=[NAME],
        rows="sector",
        columns=None,
        filters=None,
        statistics=["estimate", "ci", "n", "p_value"],
        benchmark="flanders",
    )
    out = make_table(req, [run_copy], tmp_path / "out", ledger=tmp_path / "ledger")
    rows = [r for r in csv_rows(out.files[1]) if r["flag"] != "suppressed" and r["row_level"]]
    assert rows
    flanders = float(_numeric(small_run_dir).query("by == ''").iloc[0]["estimate"])
    for r in rows:
        assert math.isclose(float(r["benchmark_estimate"]), flanders, rel_tol=REL)
        diff = float(r["estimate"]) - flanders
        assert math.isclose(float(r["benchmark_difference"]), diff, rel_tol=1e-9, abs_tol=1e-9)
        assert 0.0 <= float(r["benchmark_p_value"]) <= 1.0
