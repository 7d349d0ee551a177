"""The walking skeleton end to end: the demo on a small synthetic wave (about 3,000 respondents)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from pipeline.rundata import layout

PUBLISHED_WERKBAAR_WERK = 0.518  # 2023, domain brief


def test_weighted_headline_near_published_and_unweighted_biased(small_demo):
    res, _ = small_demo
    ww = next(h for h in res.headlines if h.indicator == "werkbaar_werk")
    assert abs(ww.weighted - PUBLISHED_WERKBAAR_WERK) < 0.02
    assert ww.ci_low < ww.weighted < ww.ci_high
    assert 0.01 < ww.ci_high - ww.ci_low < 0.08  # a real interval for n ~ 3,000
    # weighting corrects a visible response bias
    assert abs(ww.unweighted - ww.weighted) > 0.01
    assert abs(ww.unweighted - PUBLISHED_WERKBAAR_WERK) > abs(ww.weighted - PUBLISHED_WERKBAAR_WERK)


def test_every_input_row_is_accounted_for(small_run_dir: Path):
    mf = json.loads((small_run_dir / "manifest.json").read_text())
    rows = mf["stages"]["validate"]["rows"]
    assert rows["read"] == rows["accepted"] + rows["set_aside"]
    for per in rows["per_input"]:
        assert per["read"] == per["accepted"] + per["set_aside"]
    acc = pd.read_parquet(layout.stage_file(small_run_dir, "validate", layout.ACCEPTED))
    aside = pd.read_parquet(layout.stage_file(small_run_dir, "validate", layout.SET_ASIDE))
    assert len(acc) == rows["accepted"] and len(aside) == rows["set_aside"]
    assert (aside["_reasons"].astype(str).str.len() > 0).all()
    # each (file, row) ends in exactly one place
    keys = pd.concat([acc[["_source_file", "_source_row"]], aside[["_source_file", "_source_row"]]])
    assert not keys.duplicated().any()
    assert len(keys) == rows["read"]
    # later stages keep every accepted row
    for stage in ("weight", "score"):
        assert mf["stages"][stage]["rows"]["out"] == rows["accepted"]


def test_manifest_records_inputs_specs_software(small_run_dir: Path):
    mf = json.loads((small_run_dir / "manifest.json").read_text())
    data = {i["path"] for i in mf["inputs"] if i["role"] == "data"}
    assert data == {"paper_keyed.csv", "web_export.sav"}
    assert [i["path"] for i in mf["inputs"] if i["role"] == "frame"] == ["frame.parquet"]
    assert all(len(i["sha256"]) == 64 for i in mf["inputs"])
    roles = {s["role"]: s for s in mf["specs"]}
    assert roles["questionnaire"]["id"] == "wbm-werknemers-2023"
    assert "margins" in roles
    assert mf["software"]["pandas"] != "not installed"
    assert set(mf["stages"]) == {"validate", "weight", "score", "estimate", "outputs"}
    for st in mf["stages"].values():
        for o in st["outputs"]:
            assert (small_run_dir / o["path"]).exists()


def test_weights_rake_to_the_margins(small_run_dir: Path):
    from pipeline.weighting.margins import load_margins

    w = pd.read_parquet(layout.stage_file(small_run_dir, "weight", layout.WEIGHTED))
    wave = small_run_dir.parent / "wave"
    m = load_margins(wave / "population.csv")
    for margin in m.margins:
        var = margin.variables[0]
        got = w.groupby(w[var].astype(int).astype(str))["weight"].sum()
        for level, total in zip(margin.level_names, margin.totals, strict=True):
            assert got[level] == pytest.approx(total, rel=1e-8)
    assert w["weight_normalised"].sum() == pytest.approx(len(w))


def test_estimates_table_has_intervals_for_every_indicator(small_run_dir: Path):
    est = pd.read_csv(
        layout.stage_file(small_run_dir, "estimate", layout.ESTIMATES_CSV), keep_default_na=False
    )
    overall = est[est["by"] == ""]
    assert {"werkbaar_werk", "werkstress"} <= set(overall["indicator"])
    num = overall[["estimate", "ci_low", "ci_high", "se"]].astype(float)
    assert ((num["ci_low"] <= num["estimate"]) & (num["estimate"] <= num["ci_high"])).all()
    assert (num["se"] > 0).all()
    sectors = est[(est["by"] == "sector") & (est["indicator"] == "werkbaar_werk")]
    assert len(sectors) == 16


def test_module_indicators_reach_estimates_and_every_sector_report(small_demo):
    """The schema's module indicators (telework, absence, training, retirement, and job insecurity,
    turnover intention, working hours, commuting and boundary-crossing behaviour) are scored,
    estimated with CIs, and shown in the "Extra thema's" section of every sector report with enough
    respondents, each number equal to its row of the estimates table."""
    import re

    from pipeline.questionnaire.load import load_questionnaire

    res, _ = small_demo
    q = load_questionnaire("wbm-werknemers-2023")
    modules = [i.name for i in q.indicators if i.group == "module" and i.kind == "condition"]
    assert len(modules) == 18
    est = pd.read_csv(
        layout.stage_file(res.run_dir, "estimate", layout.ESTIMATES_CSV), keep_default_na=False
    )
    overall = est[(est["by"] == "") & est["indicator"].isin(modules)].set_index("indicator")
    assert list(overall.index) == modules
    scored = pd.read_parquet(layout.stage_file(res.run_dir, "score", layout.SCORED))
    for name in modules:
        # the weighted estimate is the weighted mean of the 0/1 column over respondents where it is defined
        ok = scored[name].notna()
        mean = (scored.loc[ok, name] * scored.loc[ok, "weight"]).sum() / scored.loc[
            ok, "weight"
        ].sum()
        assert float(overall.loc[name, "estimate"]) == pytest.approx(mean, rel=1e-9)
        assert int(overall.loc[name, "n"]) == int(ok.sum())
    published = 0
    for report in res.reports:
        html = report.read_text(encoding="utf-8")
        if 'id="modules"' not in html:
            continue
        part = html[html.index('id="modules"') : html.index('id="methoden"')]
        keys = {k.split("|")[0] for k in re.findall(r'data-key="([^"]+)"', part)}
        assert set(modules) <= keys, report.name
        published += 1
    assert published >= 10  # most of the 16 sectors plus Flanders have enough respondents


def test_mean_and_median_commuting_minutes_reach_the_reports(small_demo):
    """The numeric indicator ``mod_woonwerk_minuten``: the estimate stage's mean is the weighted mean
    of the commuting minutes (missing codes left out), the median a value of the data inside its CI,
    and the sector reports show both numbers of their rows."""
    import re

    import numpy as np

    from pipeline.reports.estimates import fmt_number

    res, _ = small_demo
    num = pd.read_csv(
        layout.stage_file(res.run_dir, "estimate", layout.NUMERIC_ESTIMATES),
        keep_default_na=False,
        dtype={"by": str, "level": str},
    )
    assert set(num["indicator"]) == {"mod_woonwerk_minuten"} and set(num["stat"]) == {
        "mean",
        "median",
    }
    scored = pd.read_parquet(layout.stage_file(res.run_dir, "score", layout.SCORED))
    x = pd.to_numeric(scored["commute_min"], errors="coerce")
    ok = x.notna() & (x >= 0)
    w = scored["weight"]
    top = num[num["by"] == ""].set_index("stat")
    assert float(top.loc["mean", "estimate"]) == pytest.approx(
        float((x[ok] * w[ok]).sum() / w[ok].sum()), rel=1e-9
    )
    assert int(top.loc["mean", "n"]) == int(ok.sum()) == int(top.loc["median", "n"])
    med = float(top.loc["median", "estimate"])
    assert med in set(x[ok]) and float(top.loc["median", "ci_low"]) <= med
    assert med <= float(top.loc["median", "ci_high"])
    shown = 0
    for report in res.reports:
        html = report.read_text(encoding="utf-8")
        for key, text in re.findall(r'data-numeric="([^"]+)"[^>]*>([^<]*)</td>', html):
            name, stat, by, level = key.split("|")
            row = num[(num["stat"] == stat) & (num["by"] == by) & (num["level"] == level)]
            value = float(row["estimate"].iloc[0])
            digits = 0 if stat == "median" and value.is_integer() else 1
            assert text.strip("()") == fmt_number(value, digits), (report.name, key)
            shown += 1
    assert shown >= 20 and not np.isnan(med)


def test_outputs_exist_and_microdata_has_no_direct_identifier(small_demo):
    res, _ = small_demo
    assert len(res.reports) == 17 and all(p.exists() for p in res.reports)  # 16 sectors + Flanders
    assert res.table.exists() and res.table.suffix == ".xlsx"
    df, meta = pyreadstat.read_sav(str(res.microdata))
    assert "sample_id" not in df.columns and "comment" not in df.columns
    assert "weight" in df.columns and "werkbaar_werk" in df.columns
    assert meta.column_names_to_labels["werkbaar_werk"]


def test_weighted_estimate_recovers_truth_within_ci(small_demo):
    res, _ = small_demo
    for h in res.headlines:
        assert h.truth is not None
        # a 99.9% interval would be wider; the 95% one covers the truth for this seed (checked, not tuned)
        half = (h.ci_high - h.ci_low) / 2
        assert abs(h.weighted - h.truth) < 1.7 * half


def test_same_inputs_give_byte_identical_outputs(small_demo, tmp_path: Path):
    from pipeline.runner import Run, RunConfig, run_stages

    res, out = small_demo
    again = tmp_path / res.run_dir.name  # the run id (directory name) is printed in the reports
    import shutil

    from pipeline.rundata.layout import policy_reference

    # the same publisher (a copy, with its history) beside the run, as in the demo: same inputs
    shutil.copytree(out / "publisher", tmp_path / "publisher")
    policy = policy_reference(tmp_path / "publisher" / "policy.yaml", again)
    ledger = sorted((tmp_path / "publisher" / "ledger").rglob("*.jsonl"))
    before = [p.read_bytes() for p in ledger]
    run_stages(Run(again, RunConfig.from_wave_dir(res.wave_dir, policy=policy)))
    # the rerun's releases are the same releases: the history does not grow
    assert [p.read_bytes() for p in ledger] == before
    first = sorted(p.relative_to(res.run_dir) for p in res.run_dir.rglob("*") if p.is_file())
    second = sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert first == second
    differing = [
        str(p) for p in first if (res.run_dir / p).read_bytes() != (again / p).read_bytes()
    ]
    assert differing == []


def test_cli_demo_help_and_usage_error_without_traceback():
    out = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--out", "x"], capture_output=True, text=True
    )
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and "--wave" in out.stderr
    out = subprocess.run(
        [sys.executable, "-m", "pipeline", "demo", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "--size" in out.stdout


def test_demo_prints_headline(tmp_path: Path):
    from pipeline.demo import DemoResult, Headline

    r = DemoResult(
        tmp_path,
        tmp_path / "run",
        {"read": 10, "accepted": 9, "set_aside": 1},
        (Headline("werkbaar_werk", 0.518, 0.5, 0.536, 0.541, 9, 0.518),),
        (),
        tmp_path / "t.xlsx",
        tmp_path / "m.sav",
    )
    text = r.render()
    assert (
        "werkbaar_werk: weighted 51.8% (95% CI 50.0% - 53.6%" in text and "unweighted 54.1%" in text
    )


def test_rerunning_a_stage_on_a_damaged_manifest_is_a_clear_error(
    small_run_dir: Path, tmp_path: Path
):
    """A run directory whose manifest.json was damaged (e.g. a half-copied file) gets a located error
    naming the file and line, not a JSON traceback; nothing is rerun."""
    import shutil

    run = tmp_path / "run"
    shutil.copytree(small_run_dir, run)
    (run / "manifest.json").write_text('{"kind": "wbm-run-manifest", "stages": {', encoding="utf-8")
    before = sorted(p.stat().st_mtime_ns for p in (layout.stage_dir(run, "estimate")).iterdir())
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "run",
            "--wave",
            str(Path(small_run_dir).parent / "wave"),
            "--out",
            str(run),
            "--stage",
            "estimate",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1, proc.stderr
    assert (
        "Traceback" not in proc.stderr
        and "manifest.json" in proc.stderr
        and "line 1" in proc.stderr
    )
    assert (
        sorted(p.stat().st_mtime_ns for p in (layout.stage_dir(run, "estimate")).iterdir())
        == before
    )
