"""Sectoral measurement beside its benchmark: the reweighted benchmark equals R `survey`
(calibrate, raking; recipe and values in tests/estimation/golden/benchmark.R), the composition is
the sector's, the difference is tested with both designs, and broken configurations are located."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import EstimationError, SpecError
from pipeline.estimation.api import DesignSpec, estimate, raking_calibration
from pipeline.sectoral.benchmark import compare_to_benchmark
from pipeline.sectoral.spec import check_against, load_benchmark_spec, shipped

GOLDEN = Path(__file__).parents[1] / "estimation" / "golden"
INDS = ("werkbaar_werk", "werkstress")


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    main = pd.read_csv(GOLDEN / "benchmark_main.csv")
    main["statute"], main["sector"] = 1, 3  # every row is in the benchmark group
    return main, pd.read_csv(GOLDEN / "benchmark_sector.csv")


def _sector_estimates(sector: pd.DataFrame) -> pd.DataFrame:
    cal = raking_calibration(sector, ["sex", "age_band"])
    return estimate(sector, DesignSpec(weight="weight"), list(INDS), calibration=cal).table


@pytest.fixture(scope="module")
def spec():
    return replace(load_benchmark_spec("pc126"), indicators=INDS)


def test_benchmark_equals_r_calibrate_raking(frames, spec):
    main, sector = frames
    r = compare_to_benchmark(spec, _sector_estimates(sector), sector, main)
    want = pd.read_csv(GOLDEN / "benchmark_golden.csv").set_index("indicator")
    got = r.table.set_index("indicator")
    for ind in INDS:
        assert got.loc[ind, "estimate_benchmark"] == pytest.approx(
            want.loc[ind, "estimate"], rel=1e-10
        )
        assert got.loc[ind, "se_benchmark"] == pytest.approx(want.loc[ind, "se"], rel=1e-8)


def test_difference_is_tested_with_both_designs(frames, spec):
    main, sector = frames
    sec = _sector_estimates(sector)
    t = compare_to_benchmark(spec, sec, sector, main).table.set_index("indicator")
    s = sec.set_index("indicator")
    for ind in INDS:
        row = t.loc[ind]
        assert row["estimate"] == s.loc[ind, "estimate"]  # the sector's own estimate
        assert row["diff"] == pytest.approx(row["estimate"] - row["estimate_benchmark"])
        assert row["diff_se"] == pytest.approx(np.hypot(row["se"], row["se_benchmark"]))
        assert row["significant"] == (row["p_value"] < 0.05)


def test_composition_after_reweighting_is_the_sectors(frames, spec):
    main, sector = frames
    r = compare_to_benchmark(spec, _sector_estimates(sector), sector, main)
    sex = [c for c in r.composition if c.variable == "sex"]
    w = sector.groupby("sex")["weight"].sum() / sector["weight"].sum()
    assert [c.sector for c in sex] == pytest.approx(w.tolist())
    assert any(abs(c.benchmark_before - c.sector) > 0.01 for c in r.composition)


@settings(max_examples=10, deadline=None)
@given(st.floats(min_value=0.05, max_value=0.95))
def test_benchmark_follows_the_sectors_share_of_women(frames, spec, share):
    """Reweighted to any share of women, the benchmark's share of women is that share."""
    main, sector = frames
    s = sector.copy()
    women = s["sex"] == 2
    s.loc[women, "weight"] *= share / (s.loc[women, "weight"].sum() / s["weight"].sum())
    s.loc[~women, "weight"] *= (1 - share) / (s.loc[~women, "weight"].sum() / s["weight"].sum())
    r = compare_to_benchmark(spec, _sector_estimates(sector), s, main)
    got = next(c for c in r.composition if c.variable == "sex" and c.level == "2")
    assert got.sector == pytest.approx(s.loc[women, "weight"].sum() / s["weight"].sum())


def test_sector_level_without_benchmark_respondents_is_an_error(frames, spec):
    main, sector = frames
    young = main[main["age_band"] != 1]
    with pytest.raises(EstimationError) as ei:
        compare_to_benchmark(spec, _sector_estimates(sector), sector, young)
    assert ei.value.code == "benchmark_empty"
    assert ei.value.problems[0].column == "age_band"


def test_every_shipped_configuration_fits_the_employees_questionnaire():
    from pipeline.frame.read import register_codes
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.scoring.api import indicator_columns

    q = load_questionnaire("wbm-werknemers-2023")
    cols = set(q.variables()) | {d.name for d in q.derived} | set(indicator_columns(q))
    assert set(shipped()) >= {"pc126", "fonds323", "pc200", "pc140-03"}
    for name in shipped():
        spec = load_benchmark_spec(name)
        codes = {v: set(register_codes(q, v) or ()) for v, _ in spec.where}
        check_against(spec, cols, cols, codes)  # raises if anything does not fit


def test_broken_configuration_lists_every_problem_with_its_line(tmp_path):
    p = tmp_path / "b.yaml"
    p.write_text(
        "kind: sectoral-benchmark\nschema_version: 1\nname: x\ntitle: X\nsector_label: X\n"
        "benchmark:\n  label: b\n  where: {statute: [one]}\n  colour: red\nindicators: []\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as ei:
        load_benchmark_spec(p)
    probs = ei.value.problems
    assert ei.value.code == "benchmark_spec" and len(probs) == 3
    assert {pr.path for pr in probs} == {
        "benchmark.where.statute",
        "benchmark.colour",
        "indicators",
    }
    assert all(pr.line is not None for pr in probs)


def test_unknown_code_in_where_is_a_mismatch(spec):
    bad = replace(spec, where=(("sector", (1, 99)),))
    with pytest.raises(SpecError) as ei:
        check_against(
            bad,
            {"werkbaar_werk", "werkstress", "sex", "age_band", "sector"},
            {"werkbaar_werk", "werkstress", "sex", "age_band", "sector"},
            {"sector": set(range(1, 17))},
        )
    assert ei.value.code == "benchmark_mismatch" and ei.value.problems[0].value == [99]
