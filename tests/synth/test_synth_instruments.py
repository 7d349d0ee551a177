"""Every shipped instrument synthesises: the self-employed (own frame, 2023 targets), the Enterprise
Survey (stratified sample, telephone dispositions and call records, the agency's .sav), the 2019 wave
(its names, paper only) and the PC 126 sectoral measurement; shipped margins equal the generator's."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from pipeline.fieldwork.aapor import CODES, rates
from pipeline.questionnaire.load import load_questionnaire, shipped
from pipeline.synth.config import load_model, select_model, shipped_models
from pipeline.synth.population import (
    build_population,
    magnitude_means,
    margins_of,
    shipped_population_path,
    write_population,
)
from pipeline.synth.sample import allocate
from pipeline.synth.wave import generate_wave
from pipeline.synth.world import build_world


@pytest.fixture(scope="module")
def waves(tmp_path_factory):
    """One small wave per shipped questionnaire (seed 11)."""
    out = {}
    for qid in sorted(shipped()):
        size = {"oe-2025": 1500}.get(qid, 3000)
        out[qid] = generate_wave(
            tmp_path_factory.mktemp(qid) / "w", questionnaire=qid, size=size, seed=11
        )
    return out


def _truth(wave):
    return json.loads((wave.out_dir / "truth.json").read_text(encoding="utf-8"))


def _wave_json(wave):
    return json.loads((wave.out_dir / "wave.json").read_text(encoding="utf-8"))


def test_every_shipped_questionnaire_gives_a_wave_its_model_calibrates(waves):
    for qid, wave in waves.items():
        model = load_model(select_model(load_questionnaire(qid)))
        truth = _truth(wave)
        assert wave.model == model.name and wave.respondents > 0, qid
        for name, spec in model.traits.indicators.items():
            assert truth["indicators"][name]["overall"] == pytest.approx(
                spec.target.value, abs=1e-6
            )
        if model.traits.composite_target is not None:
            assert truth["indicators"][model.traits.composite]["overall"] == pytest.approx(
                model.traits.composite_target.value, abs=1e-6
            )
        meta = _wave_json(wave)
        assert [i["mode"] for i in meta["inputs"]] == list(load_questionnaire(qid).study.modes)
        for i in meta["inputs"]:
            assert (wave.out_dir / i["path"]).is_file()


def test_self_employed_calibrated_to_the_published_2023_figures(waves):
    wave = waves["wbm-zelfstandigen-2023"]
    ind = _truth(wave)["indicators"]
    assert ind["werkbaar_werk"]["overall"] == pytest.approx(0.525, abs=1e-6)
    assert ind["werkstress"]["overall"] == pytest.approx(0.378, abs=1e-6)
    assert ind["werk_prive_probleem"]["overall"] == pytest.approx(0.298, abs=1e-6)
    assert "autonomie_risico" not in ind and "ondersteuning_risico" not in ind  # their risk set
    assert _truth(wave)["response"]["rate"] == pytest.approx(0.158, abs=1e-6)
    assert 0.12 < wave.respondents / wave.size < 0.20
    frame = pd.read_parquet(wave.out_dir / "frame.parquet")
    assert list(frame.columns[:6]) == [
        "sample_id",
        "sex",
        "age",
        "age_band",
        "occupation_group",
        "province",
    ]
    assert frame["sample_id"].str.fullmatch(r"Z\d{6}").all()
    assert set(frame["occupation_group"]) == set(range(1, 8))
    paper = pd.read_csv(wave.out_dir / "paper_keyed.csv", dtype=str, keep_default_na=False)
    assert "staff" in paper.columns and "statute" not in paper.columns
    assert load_model("zelfstandigen-2023").sample.size.value == 12000  # 12,000 invited in 2023


def test_past_wave_uses_its_own_names_and_paper_only(waves):
    wave = waves["wbm-werknemers-2019"]
    assert wave.web_records == 0 and wave.paper_forms > 0
    paper = pd.read_csv(wave.out_dir / "paper_keyed.csv", dtype=str, keep_default_na=False)
    assert {"geslacht", "leeftijd", "statuut", "provincie", "arbeidsduur"} <= set(paper.columns)
    assert "telework" not in paper.columns
    ind = _truth(wave)["indicators"]
    assert ind["werkbaar_werk"]["overall"] == pytest.approx(0.496, abs=1e-6)
    assert ind["stress"]["overall"] == pytest.approx(0.368, abs=1e-6)


def test_sector_wave_has_the_sectors_population_and_module(waves):
    wave = waves["pc126"]
    frame = pd.read_parquet(wave.out_dir / "frame.parquet")
    assert set(frame["sector"]) == {4}
    assert frame["statute"].eq(1).mean() > 0.6
    assert set(frame["pc126_subsector"]) == {1, 2, 3, 4, 5}
    ind = _truth(wave)["indicators"]
    assert ind["werkbaar_werk"]["overall"] == pytest.approx(0.539, abs=1e-6)
    assert ind["sectorrisico_hoog"]["overall"] == pytest.approx(0.30, abs=1e-6)
    web, _meta = pyreadstat.read_sav(str(wave.out_dir / "web_export.sav"))
    assert {"hs01", "machine_training", "pc126_subsector"} <= set(web.columns)


# ------------------------------------------------------------------------ the Enterprise Survey
@pytest.fixture(scope="module")
def oe(waves):
    return waves["oe-2025"]


def test_enterprise_sample_is_stratified_with_take_all_and_the_allocation(oe):
    model = load_model("oe-2025")
    q = load_questionnaire("oe-2025")
    world = build_world(q, model)
    stratum, n_h = allocate(model, world.population, 1500)
    N_h = np.bincount(stratum, weights=world.population.cell_counts)
    assert n_h.sum() == 1500 and np.all(n_h <= N_h) and np.all(n_h >= 2)
    frac = n_h / N_h
    size = world.population.cell_codes["size_class"]
    big = np.isin(np.arange(N_h.size), stratum[size == 4])
    small = np.isin(np.arange(N_h.size), stratum[size == 1])
    assert frac[big].min() > 10 * frac[small].max()  # large organisations sampled far more often
    frame = pd.read_parquet(oe.out_dir / "frame.parquet")
    got = frame.groupby(["sector_group", "size_class"]).size().to_numpy()
    assert got.sum() == 1500 and set(got) == set(n_h) | set(got)


def test_enterprise_dispositions_calls_and_aapor(oe):
    frame = pd.read_parquet(oe.out_dir / "frame.parquet")
    calls = pd.read_csv(
        oe.out_dir / "call_records.csv", dtype={"disposition": str}, keep_default_na=False
    )
    assert set(frame["disposition"]) <= set(CODES.values())
    final = calls[calls["disposition"] != ""]
    assert final["org_id"].is_unique and len(final) == len(frame)  # one final outcome per unit
    # the frame's id column is sample_id (docs/frame.md); the call records keep the agency's org_id
    merged = frame.merge(
        final, left_on="sample_id", right_on="org_id", validate="1:1", suffixes=("", "_call")
    )
    assert (merged["disposition"] == merged["disposition_call"]).all()
    assert {"sector_group", "size_class", "interviewer", "date", "time"} <= set(calls.columns)
    responded = frame["disposition"].isin([CODES["I"], CODES["P"]])
    assert (responded == frame["responded"]).all()
    counts = {k: int((frame["disposition"] == c).sum()) for k, c in CODES.items()}
    r = rates(counts)
    assert r.rr1 < r.rr2 and r.rr3 <= r.rr4 and r.rr1 <= r.rr3
    assert 0.35 < r.rr1 < 0.55  # calibrated: completes among eligible, known ~ 46.5%
    meta = _wave_json(oe)
    assert meta["paradata"] == {"calls": "call_records.csv"}
    assert meta["design"]["strata"] == ["sector_group", "size_class"]


def test_enterprise_cati_export_uses_the_agencys_missing_codes(oe):
    df, meta = pyreadstat.read_sav(str(oe.out_dir / "cati_export.sav"), user_missing=True)
    assert {"org_id", "interviewer", "call_attempts", "interview_min", "employees"} <= set(
        df.columns
    )
    declared = {r["lo"] for r in meta.missing_ranges["tr_plan"]}
    assert declared == {97.0, 98.0, 99.0}
    assert {r["lo"] for r in meta.missing_ranges["tr_days"]} == {999997.0, 999998.0, 999999.0}
    assert meta.variable_value_labels["tr_plan"][98.0] == "weet niet"
    assert -1.0 not in meta.variable_value_labels["tr_plan"]  # not the project's codes
    asked = df["telework"].notna()  # routing on the answer given: "no" or no answer -> n.v.t.
    assert ((df["tw_share"] == 999997) == (asked & (df["telework"] != 1))).all()
    assert (df["tr_days"] == 999998).sum() > 0  # "weet niet"
    assert df["telework"].isna().sum() > 0 and df["tr_plan"].notna().all()  # partials end early
    assert meta.variable_value_labels["tr_days"][999997.0] == "niet van toepassing"
    # magnitudes stay inside their size class
    frame = pd.read_parquet(oe.out_dir / "frame.parquet")
    lo = frame["size_class"].map({1: 1, 2: 10, 3: 50, 4: 200})
    hi = frame["size_class"].map({1: 9, 2: 49, 3: 199, 4: 2000})
    assert ((frame["employees"] >= lo) & (frame["employees"] <= hi)).all()


def test_employment_truth_weights_cells_by_their_jobs(oe):
    truth = _truth(oe)
    emp = truth["weighted_by"]["weight_werkgelegenheid"]
    assert emp["unit"] == "jobs"
    # policies are more extensive in large organisations: a smaller share of jobs than of organisations
    org = truth["indicators"]["beperkt_competentiebeleid"]["overall"]
    assert emp["indicators"]["beperkt_competentiebeleid"]["overall"] < org - 0.2


def test_jobs_margins_are_units_times_the_expected_size():
    model = load_model("oe-2025")
    q = load_questionnaire("oe-2025")
    pop = build_population(model, q)
    jobs = margins_of(pop, model, q, model.population.margins[1])
    orgs = margins_of(pop, model, q, model.population.margins[0])
    mag = model.population.magnitudes[0]
    expected = np.round(pop.cell_counts * magnitude_means(pop, mag))
    assert np.allclose(jobs.margins[0].totals, expected)
    assert sum(orgs.margins[0].totals) == pop.total
    assert jobs.meta.unit == "jobs" and orgs.meta.unit == "organisations"


@pytest.mark.parametrize("name", sorted(shipped_models()))
def test_shipped_margins_files_are_what_the_generator_writes(name, tmp_path):
    """weights/*.synthetic.csv (+ .yaml) equal the generator's output byte for byte; regenerate
    them with `python -m pipeline.synth.population`."""
    model = load_model(name)
    q = load_questionnaire(model.questionnaires[0])
    pop = build_population(model, q)
    for spec in model.population.margins:
        path = write_population(margins_of(pop, model, q, spec), tmp_path / f"{spec.name}.csv")
        shipped = shipped_population_path(model, spec)
        assert shipped.read_bytes() == path.read_bytes(), shipped.name
        assert shipped.with_suffix(".yaml").read_bytes() == path.with_suffix(".yaml").read_bytes()


def test_aapor_rates_by_hand():
    r = rates({"I": 40, "P": 10, "R": 20, "NC": 15, "O": 5, "UH": 10, "NE": 10})
    assert r.rr1 == pytest.approx(40 / 100)
    assert r.rr2 == pytest.approx(50 / 100)
    e = 90 / 100
    assert r.e == pytest.approx(e)
    assert r.rr3 == pytest.approx(40 / (90 + e * 10))
    assert r.rr4 == pytest.approx(50 / (90 + e * 10))
    assert r.sampled == 110
