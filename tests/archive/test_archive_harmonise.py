"""Harmonised views: every wave under the current names, numbers unchanged, breaks marked, nothing
incomparable joined silently."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.archive import layout as L
from pipeline.archive.api import SERIES_COLUMNS, make_design, open_archive
from pipeline.archive.store import add_run
from pipeline.questionnaire.dump import save_questionnaire
from pipeline.questionnaire.load import load_questionnaire
from pipeline.questionnaire.model import Cutoffs, Questionnaire

from .archive_helpers import ESTIMATES, earlier_run, rewrite_questionnaire

KEY = ["indicator", "by", "level"]


def test_the_earlier_wave_reads_back_under_current_names(two_waves: Path, other_run: Path) -> None:
    a = open_archive(two_waves)
    assert a.series_names() == ("wbm-werknemers",)
    info = a.info("wbm-werknemers")
    assert (
        info.years == (2019, 2023) and info.current == "wbm-werknemers-2023" and info.breaks == ()
    )
    est = a.estimates("wbm-werknemers")
    e19 = est[est["wave"] == 2019].set_index(KEY)
    e23 = pd.read_parquet(other_run / ESTIMATES)  # the 2019 run holds these numbers
    e23 = e23.assign(by=e23["by"].fillna("")).set_index(KEY)
    common = e19.index.intersection(e23.index)
    assert len(common) == len(e19) > 4000  # every 2019 row found a 2023 name
    np.testing.assert_array_equal(e19.loc[common, "estimate"], e23.loc[common, "estimate"])
    np.testing.assert_array_equal(e19.loc[common, "se"], e23.loc[common, "se"])
    assert set(e23.index.get_level_values(0)) - set(e19.index.get_level_values(0)) == {
        "mod_telewerk"
    }
    row = e19.loc[("werkstress", "sector:sex", "3:1")]
    assert row["source_indicator"] == "stress" and row["source_by"] == "sector:geslacht"
    assert not est["break_before"].any() and (est["segment"] == 0).all()


def test_respondents_view_is_harmonised_without_identifiers(two_waves: Path) -> None:
    a = open_archive(two_waves)
    r19, d19 = a.respondents("wbm-werknemers", 2019)
    r23, d23 = a.respondents("wbm-werknemers", 2023)
    assert {"sample_id", "comment"}.isdisjoint(r19.columns) and {"sample_id", "comment"}.isdisjoint(
        r23.columns
    )
    assert {"sex", "age_band", "werkstress", "werkbaar_werk", "weight"} <= set(r19.columns)
    assert (
        "geslacht" not in r19.columns
        and "telework" not in r19.columns
        and "telework" in r23.columns
    )
    assert (r19["wave"] == 2019).all()
    assert (
        d19.columns()
        == d23.columns()
        == ("weight", "sex", "age_band", "sector", "statute", "province")
    )
    # the design rebuilt from the view gives the archived estimate and SE exactly
    from pipeline.estimation.api import estimate_table

    t = estimate_table(r19, make_design(r19, d19), ["werkstress"], ["sector"])
    e = a.view("wbm-werknemers", 2019, indicators=["werkstress"], by="sector")
    np.testing.assert_allclose(
        t[t["by"] == "sector"]["se"].to_numpy(), e["se"].to_numpy(), rtol=1e-12
    )


def test_series_api_columns_and_order(two_waves: Path) -> None:
    a = open_archive(two_waves)
    s = a.series("wbm-werknemers", ["werkbaar_werk", "werkstress"], by="sector")
    assert tuple(s.columns) == SERIES_COLUMNS
    assert list(s["indicator"].unique()) == ["werkbaar_werk", "werkstress"]
    first = s[s["indicator"] == "werkbaar_werk"]
    assert list(first["level"][:4]) == ["1", "1", "2", "2"] and list(first["wave"][:2]) == [
        2019,
        2023,
    ]
    assert len(s) == 2 * 16 * 2
    overall = a.series("wbm-werknemers", "werkbaar_werk")
    assert list(overall["wave"]) == [2019, 2023] and (overall["by"] == "").all()


def test_duckdb_queries_of_the_docs_work(two_waves: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    views = two_waves / "views" / "wbm-werknemers"
    got = duckdb.sql(
        f"""SELECT wave, estimate, ci_low, ci_high, segment
            FROM read_parquet('{views}/estimates.parquet')
            WHERE indicator = 'werkbaar_werk' AND "by" = '' ORDER BY wave"""
    ).fetchall()
    a = open_archive(two_waves).series("wbm-werknemers", "werkbaar_werk")
    assert [g[0] for g in got] == [2019, 2023]
    assert [g[1] for g in got] == list(a["estimate"])
    n = duckdb.sql(
        f"""SELECT wave, count(*) FROM read_parquet('{views}/respondents/*.parquet', union_by_name=true)
            GROUP BY wave ORDER BY wave"""
    ).fetchall()
    assert [w for w, _ in n] == [2019, 2023] and all(c > 2000 for _, c in n)


def _variant_run(tmp: Path, run_2023: Path, q19: Questionnaire, name: str) -> Path:
    """A 2019 run whose questionnaire file is ``q19`` (written to ``tmp``)."""
    path = save_questionnaire(q19, tmp / f"{name}.yaml")
    q23 = load_questionnaire("wbm-werknemers-2023")
    run = earlier_run(run_2023, tmp / f"run-{name}", q23, "wbm-werknemers-2019")
    rewrite_questionnaire(run, str(path))
    return run


def test_a_changed_cutoff_marks_a_break(tmp_path: Path, run_2023: Path) -> None:
    q19 = load_questionnaire("wbm-werknemers-2019")
    ind = q19.indicator("leerkansen")
    assert ind.cutoffs is not None
    cut = {
        **ind.cutoffs,
        "default": Cutoffs(
            problematisch=ind.cutoffs["default"].problematisch - 5,
            acuut=ind.cutoffs["default"].acuut,
        ),
    }
    changed = q19.model_copy(
        update={
            "indicators": tuple(
                i.model_copy(update={"cutoffs": cut}) if i.name == "leerkansen" else i
                for i in q19.indicators
            )
        }
    )
    root = tmp_path / "archive"
    add_run(root, _variant_run(tmp_path, run_2023, changed, "q19-cut"))
    add_run(root, run_2023)
    a = open_archive(root)
    info = a.info("wbm-werknemers")
    assert {(b.indicator, b.wave) for b in info.breaks} == {
        ("leerprobleem", 2023),
        ("werkbaar_werk", 2023),
        ("aantal_problemen", 2023),
    }
    s = a.series("wbm-werknemers", ["leerprobleem", "leerprobleem_acuut", "werkstress"])
    seg = {(r.indicator, r.wave): (r.segment, r.break_before) for r in s.itertuples()}
    assert seg[("leerprobleem", 2019)] == (0, False) and seg[("leerprobleem", 2023)] == (1, True)
    assert seg[("leerprobleem_acuut", 2023)] == (1, True)
    assert seg[("werkstress", 2023)] == (0, False)
    data = json.loads((root / L.VIEWS_DIR / "wbm-werknemers" / L.SERIES_FILE).read_text())
    b = next(x for x in data["breaks"] if x["indicator"] == "leerprobleem")
    assert b["reasons"][0]["code"] == "cutoffs" and "drempelwaarden" in b["text_nl"]


def test_changed_bands_are_not_joined(tmp_path: Path, run_2023: Path) -> None:
    q19 = load_questionnaire("wbm-werknemers-2019")
    d = q19.derived[0]
    bands = tuple(
        b.model_copy(update={"high": 56})
        if b.code == 4
        else b.model_copy(update={"low": 57})
        if b.code == 5
        else b
        for b in d.bands
    )
    changed = q19.model_copy(
        update={"derived": (d.model_copy(update={"bands": bands}), *q19.derived[1:])}
    )
    root = tmp_path / "archive"
    add_run(root, _variant_run(tmp_path, run_2023, changed, "q19-bands"))
    add_run(root, run_2023)
    a = open_archive(root)
    est = a.estimates("wbm-werknemers")
    by19 = set(est[est["wave"] == 2019]["by"])
    assert "age_band" not in by19 and "sector:age_band" not in by19 and "sex" in by19
    assert "age_band" in set(est[est["wave"] == 2023]["by"])
    r19, d19 = a.respondents("wbm-werknemers", 2019)
    assert "age_band" not in r19.columns and "age_band__2019" in r19.columns
    assert "age_band__2019" in d19.columns()
    make_design(r19, d19)  # the 2019 design still builds from the view
    assert a.info("wbm-werknemers").variable_breaks[0][:2] == ("age_band", 2023)
