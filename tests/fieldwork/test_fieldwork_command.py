"""``wbm fieldwork`` on the small demo run: the linked frame, the figures and the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli as main
from pipeline.errors import UsageError
from pipeline.rundata.layout import stage_file


@pytest.fixture(scope="module")
def fieldwork_out(small_demo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    result, out = small_demo
    dest = tmp_path_factory.mktemp("fieldwork")
    r = CliRunner().invoke(
        main,
        [
            "fieldwork",
            "--run",
            str(result.run_dir),
            "--wave",
            str(out / "wave"),
            "--out",
            str(dest),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "R-indicator" in r.output
    return dest


def test_response_counts_come_from_the_run_and_the_frame(fieldwork_out: Path, small_demo) -> None:
    import pandas as pd

    result, out = small_demo
    d = json.loads((fieldwork_out / "fieldwork.json").read_text(encoding="utf-8"))
    frame = pd.read_parquet(out / "wave" / "frame.parquet")
    scored = pd.read_parquet(stage_file(result.run_dir, "score", "scored.parquet"))
    assert d["invited"] == len(frame)
    assert d["respondents"] == scored["sample_id"].nunique() == len(scored)
    overall = d["response"][0]
    assert (
        dict((m, k) for m, k, _ in overall["by_mode"]) == scored["_mode"].value_counts().to_dict()
    )
    # every register level adds up to the invited sample
    for var in d["variables"]:
        rows = [r for r in d["response"] if r["variable"] == var]
        assert sum(r["invited"] for r in rows) == len(frame)
        assert sum(r["respondents"] for r in rows) == d["respondents"]


def test_representativeness_finds_what_the_generator_built_in(fieldwork_out: Path) -> None:
    """The generator's response model depends on sex, age band, sector and statute, not on
    province or origin: they have the smallest partial R-indicators, with CIs reaching zero."""
    d = json.loads((fieldwork_out / "fieldwork.json").read_text(encoding="utf-8"))
    r = d["r_indicator"]
    assert 0.5 < r["r"] < 1 and r["ci_low"] < r["r"] < r["ci_high"]
    partial = {v["variable"]: v for v in r["partial_variables"]}
    # province and origin (drawn from the sector only) do not drive response in the generator
    assert min(partial, key=lambda v: partial[v]["unconditional"]) in ("province", "origin")
    for v in ("province", "origin"):
        assert partial[v]["unconditional"] - 1.96 * partial[v]["unconditional_se"] < 0.005, v
    for v in ("age_band", "statute"):
        assert partial[v]["unconditional"] - 1.96 * partial[v]["unconditional_se"] > 0
    # the young respond less: the first age band is under-represented
    young = next(
        c for c in r["partial_categories"] if c["variable"] == "age_band" and c["category"] == "1"
    )
    assert young["unconditional"] < 0


def test_mode_effects_split_and_the_generator_has_no_measurement_effect_on_werkbaar_werk(
    fieldwork_out: Path,
) -> None:
    """In this wave answers do not depend on the mode (synth model: MAR given the frame), so the
    remaining web - paper difference of werkbaar werk is zero in truth: its CI must cover 0."""
    d = json.loads((fieldwork_out / "fieldwork.json").read_text(encoding="utf-8"))
    me = d["mode_effects"]
    assert me["reference"] == "paper" and me["modes"] == ["paper", "web"]
    c = next(x for x in me["contrasts"] if x["indicator"] == "werkbaar_werk")
    assert c["raw"] == pytest.approx(c["selection"] + c["adjusted"])
    assert c["adjusted_ci_low"] <= 0 <= c["adjusted_ci_high"]
    para = {x["indicator"] for x in d["paradata"]["contrasts"]}
    assert para == {"item_nonresponse", "straightlining"}
    assert [x["mode"] for x in d["durations"]] == ["web"]


def test_report_is_dutch_with_charts_and_english_on_request(
    fieldwork_out: Path, small_demo
) -> None:
    text = (fieldwork_out / "fieldwork.html").read_text(encoding="utf-8")
    assert '<html lang="nl">' in text and "R-indicator" in text
    assert text.count("<svg") >= 8 and 'role="img"' in text
    assert "SYNTHETISCHE" in text and "mogelijk meeteffect" in text
    result, out = small_demo
    r = CliRunner().invoke(
        main,
        [
            "fieldwork",
            "--run",
            str(result.run_dir),
            "--wave",
            str(out / "wave"),
            "--out",
            str(fieldwork_out),
            "--lang",
            "en",
        ],
    )
    assert r.exit_code == 0, r.output
    en = (fieldwork_out / "fieldwork.en.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in en and "possible measurement effect" in en


def test_no_frame_is_a_usage_error(small_run_dir: Path) -> None:
    r = CliRunner().invoke(main, ["fieldwork", "--run", str(small_run_dir)])
    assert isinstance(r.exception, UsageError) and r.exception.code == "bad_option"
    assert "frame" in r.exception.render()


def test_diagnostics_recover_the_generators_selection_and_measurement_effects(
    fieldwork_out: Path, small_demo
) -> None:
    """Done-when of issue 21: in the demo wave paper and web differ by construction in selection
    (the web choice depends on age, sector and statute; synth model ``web_effects``) and in
    measurement (web answers on emotional strain shifted; ``web_measurement``). truth.json has the
    exact web - paper differences under the generator's model; every indicator's selection and
    remaining-difference CIs cover them, the measurement effect is found (CI above 0) and the large
    selection effects too (CI below 0), where no measurement effect was built in none is claimed."""
    _result, out = small_demo
    truth = json.loads((out / "wave" / "truth.json").read_text(encoding="utf-8"))["mode_effects"]
    assert truth["latent_shift"] == {"emotionele_belasting_risico": 0.35}
    d = json.loads((fieldwork_out / "fieldwork.json").read_text(encoding="utf-8"))
    contrasts = {c["indicator"]: c for c in d["mode_effects"]["contrasts"]}
    checked = 0
    for ind, tr in truth["indicators"].items():
        if ind not in contrasts:
            continue
        c = contrasts[ind]
        assert c["selection_ci_low"] <= tr["selection"] <= c["selection_ci_high"], ind
        assert c["adjusted_ci_low"] <= tr["measurement"] <= c["adjusted_ci_high"], ind
        checked += 1
    assert checked >= 10
    # the report shows the truth beside the estimates (synthetic waves only)
    assert d["synthetic_truth"]["indicators"] == truth["indicators"]
    text = (fieldwork_out / "fieldwork.html").read_text(encoding="utf-8")
    assert "synthetische waarheid" in text
    emo = contrasts["emotionele_belasting_risico"]
    assert truth["indicators"]["emotionele_belasting_risico"]["measurement"] > 0.05
    assert emo["adjusted_ci_low"] > 0  # the measurement effect is detected
    for ind in ("arbeidsomstandigheden_risico", "leerprobleem"):
        assert truth["indicators"][ind]["selection"] < -0.04
        assert contrasts[ind]["selection_ci_high"] < 0, ind  # selection detected
        assert contrasts[ind]["adjusted_ci_low"] <= 0 <= contrasts[ind]["adjusted_ci_high"]
