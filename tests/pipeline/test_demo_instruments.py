"""``wbm demo --survey``: every instrument end to end at its default size, each headline's CI
covering the synthetic truth (the self-employed, the enterprise survey, the PC 126 measurement; the
employees are ``test_demo.py``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline.demo import INSTRUMENTS, DemoResult, run_demo
from pipeline.rundata import layout

OTHERS = ("zelfstandigen", "oe", "pc126")


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DemoResult]:
    out = tmp_path_factory.mktemp("instruments")
    return {s: run_demo(out, size=None, seed=2023, survey=s) for s in OTHERS}


@pytest.mark.parametrize("survey", OTHERS)
def test_every_headline_ci_covers_the_synthetic_truth(demos, survey):
    res = demos[survey]
    assert [h.indicator for h in res.headlines] == list(INSTRUMENTS[survey].headlines)
    for h in res.headlines:
        assert h.truth is not None, h.indicator
        assert h.ci_low <= h.truth <= h.ci_high, h
        assert 0.0 < h.ci_high - h.ci_low < 0.10, h  # a real interval at the default size


@pytest.mark.parametrize("survey", OTHERS)
def test_reports_and_table_come_out_in_the_instruments_folder(demos, survey):
    res = demos[survey]
    assert res.run_dir.parent.name == survey and res.wave_dir.parent.name == survey
    assert res.reports and all(p.exists() and p.suffix == ".html" for p in res.reports)
    assert res.table.exists()
    text = res.reports[0].read_text(encoding="utf-8")
    assert 'lang="nl"' in text
    assert res.render().count("inside the CI") == len(res.headlines)


def test_self_employed_have_their_own_risks_groups_and_modes(demos):
    res = demos["zelfstandigen"]
    est = pd.read_parquet(layout.stage_file(res.run_dir, "estimate", layout.ESTIMATES))
    indicators = set(est["indicator"])
    assert "autonomie_risico" not in indicators and "ondersteuning_risico" not in indicators
    assert {"werkdruk_risico", "emotionele_belasting_risico", "taakvariatie_risico"} <= indicators
    assert "occupation_group" in set(est["by"].dropna())
    assert {p.name for p in res.reports} >= {
        "occupation-group-02-bouw.html",
        "occupation-group-04-vrije-en-intellectuele-beroepen.html",
    }
    acc = pd.read_parquet(layout.stage_file(res.run_dir, "validate", layout.ACCEPTED))
    assert set(acc["_mode"]) == {"paper", "web"}
    assert res.microdata is not None and res.microdata.exists()


def test_enterprise_survey_reads_the_cati_export(demos):
    res = demos["oe"]
    acc = pd.read_parquet(layout.stage_file(res.run_dir, "validate", layout.ACCEPTED))
    assert set(acc["_mode"]) == {"cati"}
    assert res.rows["read"] == res.rows["accepted"] + res.rows["set_aside"]
    assert res.microdata is None  # no scientific-use profile for organisations
    # the headline is far from the unweighted share: the stratified sample over-represents large firms
    h = res.headlines[0]
    assert abs(h.unweighted - h.truth) > 0.1 > abs(h.weighted - h.truth)


def test_cli_prints_each_headline_beside_the_truth(tmp_path: Path):
    from pipeline.cli import cli

    r = CliRunner().invoke(cli, ["demo", "--survey", "oe", "--out", str(tmp_path / "d")])
    assert r.exit_code == 0, r.output
    assert "enterprise survey" in r.output
    assert r.output.count("synthetic truth") == len(INSTRUMENTS["oe"].headlines)
    assert (tmp_path / "d" / "oe" / "run" / "manifest.json").exists()
    assert not (tmp_path / "d" / "run").exists()  # only the chosen instrument


def test_unknown_survey_is_a_usage_error(tmp_path: Path):
    from pipeline.errors import UsageError

    with pytest.raises(UsageError):
        run_demo(tmp_path, size=None, seed=1, survey="nope")
