"""The wave directory: files, reproducibility, both modes, paper errors, web export, frame, wave.json."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from pipeline.synth.wave import generate_wave

FILES = (
    "paper_keyed.csv",
    "web_export.sav",
    "population.csv",
    "population.yaml",
    "truth.json",
    "frame.parquet",
    "wave.json",
)


@pytest.fixture(scope="module")
def paper(wave_dir):
    return pd.read_csv(wave_dir / "paper_keyed.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def web(wave_dir):
    return pyreadstat.read_sav(str(wave_dir / "web_export.sav"), user_missing=True)


def test_all_files_are_written(wave, wave_dir):
    assert sorted(p.name for p in wave.files) == sorted(FILES)
    assert all((wave_dir / f).stat().st_size > 0 for f in FILES)


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path):
    a = generate_wave(tmp_path / "a", size=2500, seed=5)
    b = generate_wave(tmp_path / "b", size=2500, seed=5)
    c = generate_wave(tmp_path / "c", size=2500, seed=6)
    for f in FILES:
        assert (a.out_dir / f).read_bytes() == (b.out_dir / f).read_bytes(), f
    assert (a.out_dir / "paper_keyed.csv").read_bytes() != (
        c.out_dir / "paper_keyed.csv"
    ).read_bytes()
    assert (a.out_dir / "web_export.sav").read_bytes() != (
        c.out_dir / "web_export.sav"
    ).read_bytes()


def test_response_and_modes(wave, paper, web):
    df, _meta = web
    rate = wave.respondents / wave.size
    assert 0.19 < rate < 0.26
    share_web = wave.web_records / (wave.paper_forms + wave.web_records)
    assert 0.33 < share_web < 0.47
    assert len(paper) == wave.paper_forms and len(df) == wave.web_records
    both = set(paper["sample_id"]) & set(df["sample_id"])
    assert len(both) == wave.both_modes > 0
    assert not paper["sample_id"].duplicated().any() and not df["sample_id"].duplicated().any()


def test_paper_header_follows_the_questionnaire(q, paper):
    items = [
        v for it in q.items if it.modes is None or "paper" in it.modes for v in q.item_variables(it)
    ]
    assert list(paper.columns) == items + ["batch", "keyer"]
    assert "duration_sec" not in paper.columns
    assert paper["sample_id"].str.fullmatch(r"S\d{6}").all()


def test_paper_has_every_kind_of_error(q, paper):
    grid = [it.name for it in q.items if it.grid]
    cells = paper[grid]
    assert cells.apply(lambda s: s.str.contains("/")).to_numpy().sum() > 0  # several ticks "2/3"
    freq4 = [it.name for it in q.items if it.choices == "freq4"]
    out_of_range = paper[freq4].apply(
        lambda s: ~s.isin(["", "1", "2", "3", "4"]) & ~s.str.contains("/")
    )
    assert out_of_range.to_numpy().sum() > 0  # "5", "33"
    assert (cells == "").to_numpy().sum() > 0  # blanks
    assert ((paper["telework"] == "2") & (paper["tw_days"] != "")).sum() > 0  # routing violation
    assert ((paper["abs_spells"] == "0") & (paper["abs_days"] != "")).sum() > 0
    assert paper["hours"].str.contains(",").sum() > 0  # Belgian decimal comma
    assert (paper["working"] == "2").sum() > 0  # outside the target population
    blanks = (paper[grid] == "").mean(axis=0).to_numpy()
    assert blanks[-10:].mean() > blanks[:10].mean()  # item nonresponse rises along the form
    tail = (paper[grid[len(grid) // 2 :]] == "").all(axis=1)
    assert tail.sum() > 0  # break-offs
    assert (
        set(paper["keyer"]) <= {"K1", "K2", "K3", "K4"}
        and paper["batch"].str.fullmatch(r"B\d{3}").all()
    )


def test_injected_errors_are_counted(wave):
    paper = wave.injected["paper"]
    for kind in (
        "multiple_ticks",
        "out_of_range",
        "item_nonresponse",
        "routing_violation",
        "breakoff",
        "straightline",
        "decimal_comma",
    ):
        assert paper.get(kind, 0) > 0, kind
    assert wave.injected["web"].get("speeders", 0) > 0


def test_web_export_has_labels_user_missing_and_enforced_routing(q, web):
    df, meta = web
    items = [
        v for it in q.items if it.modes is None or "web" in it.modes for v in q.item_variables(it)
    ]
    assert list(df.columns) == items
    assert meta.variable_value_labels["wb01"][1.0] == "altijd"
    declared = {r["lo"] for r in meta.missing_ranges["wb01"]}
    assert declared == {-1.0, -8.0, -9.0}
    not_teleworking = df["telework"] != 1
    assert (
        df.loc[not_teleworking & df["tw_days"].notna(), "tw_days"] == -1
    ).all()  # routing enforced
    assert (df.loc[df["telework"] == 1, "tw_days"] != -1).all()
    no_absence = df["abs_spells"] == 0
    assert (df.loc[no_absence & df["abs_days"].notna(), "abs_days"] == -1).all()
    assert (df["duration_sec"] < q.quality.speeder_min_seconds).sum() > 0  # speeders
    assert df["sample_id"].map(type).eq(str).all()
    assert (df["wb01"] == -9).sum() > 0 and (df["abs_days"] == -8).sum() > 0
    codes = set(df["wb01"].dropna().unique())
    assert codes <= {1.0, 2.0, 3.0, 4.0, -9.0}


def test_frame_and_wave_json(wave, wave_dir, paper, web):
    frame = pd.read_parquet(wave_dir / "frame.parquet")
    assert list(frame.columns) == [
        "sample_id",
        "sex",
        "age",
        "age_band",
        "sector",
        "statute",
        "province",
        "origin",
        "mode",
        "responded",
    ]
    assert len(frame) == wave.size and frame["sample_id"].is_unique
    assert set(frame["mode"]) == {"none", "paper", "web", "both"}
    answered = set(paper["sample_id"]) | set(web[0]["sample_id"])
    assert answered == set(frame.loc[frame["responded"], "sample_id"])
    meta = json.loads((wave_dir / "wave.json").read_text(encoding="utf-8"))
    assert meta["questionnaire"] == "wbm-werknemers-2023"
    assert meta["inputs"] == [
        {"mode": "paper", "path": "paper_keyed.csv"},
        {"mode": "web", "path": "web_export.sav"},
    ]
    assert (
        meta["margins"] == "population.csv" and meta["seed"] == 2023 and meta["size"] == wave.size
    )
    assert meta["synthetic"] is True and meta["generator"]["name"] == "pipeline.synth"
    for f in ("margins", "frame", "truth"):
        assert (wave_dir / meta[f]).is_file()


def test_the_runner_can_read_the_wave(wave_dir):
    runner = pytest.importorskip("pipeline.runner")
    cfg = runner.RunConfig.from_wave_dir(wave_dir)
    assert [s.mode for s in cfg.inputs] == ["paper", "web"]
    assert cfg.margins == wave_dir / "population.csv"


def test_population_copy_in_the_wave_is_the_shipped_file(wave_dir, model):
    from pipeline.synth.population import shipped_population_path

    assert (wave_dir / "population.csv").read_bytes() == shipped_population_path(model).read_bytes()
    assert np.isclose(
        json.loads((wave_dir / "truth.json").read_text())["indicators"]["werkbaar_werk"]["overall"],
        0.518,
        atol=0.005,
    )
