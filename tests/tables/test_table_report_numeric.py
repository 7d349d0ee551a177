"""The numeric indicators' report figures under ``protect_reports: true`` (issue 13, finding 5):
the means of ``numeric_estimates.csv`` (commuting minutes) are cells of the report's release,
protected jointly with the other figures and logged; a median is shown only where the mean of the
same respondents is released and at least ``min_n_count`` of them gave exactly its value
(:mod:`pipeline.tables.numericfigures`). Without the policy the reports are unchanged (the outputs
stage test in ``test_table_report_figures.py`` compares them with the unprotected run's)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.questionnaire.load import load_questionnaire
from pipeline.rundata import layout
from pipeline.rundata.read import read_numeric_estimates
from pipeline.sdc.publisher import publisher
from pipeline.tables.figures import protect_run_figures

from .tables_helpers import ledger_entries

NAME = "mod_woonwerk_minuten"
ITEM = "commute_min"
BYS = ("", "sector", "age_band")


@pytest.fixture(scope="module")
def estimates(small_run_dir: Path) -> pd.DataFrame:
    est = pd.read_parquet(layout.stage_file(small_run_dir, "estimate", layout.ESTIMATES))
    by = est["by"].fillna("").astype(str)
    return est[by.isin(BYS) & est["indicator"].isin(["werkstress"])]


@pytest.fixture(scope="module")
def numeric(small_run_dir: Path) -> pd.DataFrame:
    t = read_numeric_estimates(small_run_dir)
    assert t is not None and NAME in set(t["indicator"])
    return t[t["by"].isin(BYS)].reset_index(drop=True)


@pytest.fixture(scope="module")
def scored(small_run_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(layout.stage_file(small_run_dir, "score", layout.SCORED))


def _protect_reports(policy_file: Path) -> None:
    import yaml

    data = yaml.safe_load(policy_file.read_text(encoding="utf-8"))
    data["protect_reports"] = True
    policy_file.write_text(yaml.safe_dump(data), encoding="utf-8")


def _members(df: pd.DataFrame, by: str, level: str) -> np.ndarray:
    q = load_questionnaire("wbm-werknemers-2023")
    m = (df[ITEM].notna() & ~df[ITEM].isin(q.missing_code_values())).to_numpy().copy()
    if by:
        m &= (df[by] == float(level)).to_numpy()
    return m


def _hidden(t: pd.DataFrame) -> pd.Series:
    return t["flags"].fillna("").astype(str).str.split(";").map(lambda f: "suppressed" in f)


def test_numeric_means_are_protected_and_logged_with_the_report(
    run_copy, estimates, numeric, scored, policy_file, policy_ledger
):
    _protect_reports(policy_file)
    shown, figures = protect_run_figures(estimates, run_copy, publisher(), numeric=numeric)
    t = figures.numeric
    assert t is not None and len(t) == len(numeric)
    assert figures.median_min_equal == 5  # the reference policy's min_n_count
    hidden = _hidden(t)
    # the release logs every mean cell, on the item's respondents, with its status
    (entry,) = ledger_entries(policy_ledger)
    cells = [c for c in entry["cells"] if c["measure"] == ITEM]
    assert cells and all(c["kind"] == "mean" for c in cells)
    logged = {}
    for c in cells:
        conds = {v: lv for v, lv in c["conditions"]}
        assert conds[ITEM] is None  # answered the item
        rest = [(v, lv) for v, lv in conds.items() if v != ITEM]
        key = ("", "") if not rest else (rest[0][0], str(int(rest[0][1][0])))
        logged[key] = c
    means = t[t["stat"] == "mean"]
    shown_means = 0
    for r, orig in zip(
        means.itertuples(), numeric[numeric["stat"] == "mean"].itertuples(), strict=True
    ):
        c = logged[(str(r.by), str(r.level))]
        assert c["n"] == orig.n == int(_members(scored, str(r.by), str(r.level)).sum())
        published = not c["status"].startswith(("primary", "secondary"))
        assert published == ("suppressed" not in str(r.flags).split(";")), (r, c["status"])
        if published:
            shown_means += 1
            assert r.estimate == orig.estimate and r.se == orig.se and r.n == orig.n
            assert orig.n >= 30
        else:
            assert math.isnan(r.estimate) and math.isnan(r.n) and math.isnan(r.ci_low)
    assert shown_means >= 5
    # a suppressed mean cell: the sectors with fewer than 30 answers at least
    small = means[(numeric.loc[means.index, "n"] < 30).to_numpy()]
    assert _hidden(small).all()
    # medians: shown only with their mean, and only where 5 or more respondents gave its value
    medians = t[t["stat"] == "median"]
    shown_medians = 0
    for r, orig in zip(
        medians.itertuples(), numeric[numeric["stat"] == "median"].itertuples(), strict=True
    ):
        mean_hidden = bool(
            hidden[(t["stat"] == "mean") & (t["by"] == r.by) & (t["level"] == r.level)].iloc[0]
        )
        same = int(
            (
                scored[ITEM].to_numpy()[_members(scored, str(r.by), str(r.level))] == orig.estimate
            ).sum()
        )
        expect = not mean_hidden and same >= 5
        assert ("suppressed" not in str(r.flags).split(";")) == expect, (r, same, mean_hidden)
        if expect:
            shown_medians += 1
            assert r.estimate == orig.estimate
    assert shown_medians >= 1
    # a rerun is a re-issue: nothing new logged, the same figures
    again, figures2 = protect_run_figures(estimates, run_copy, publisher(), numeric=numeric)
    assert len(ledger_entries(policy_ledger)) == 1
    pd.testing.assert_frame_equal(figures2.numeric, t)


def test_a_median_whose_value_one_respondent_gave_is_not_shown(
    run_copy, estimates, numeric, policy_file
):
    """The same figures with one median's value moved to an answer nobody else in its group gave
    (the control of the rule above: its mean stays shown, the median becomes a dash)."""
    _protect_reports(policy_file)
    _, first = protect_run_figures(estimates, run_copy, publisher(), numeric=numeric)
    assert first.numeric is not None
    t = first.numeric
    ok = t[(t["stat"] == "median") & ~_hidden(t)]
    assert len(ok)
    i = ok.index[0]
    changed = numeric.copy()
    changed.loc[i, "estimate"] = 123.5  # no respondent answered a half minute
    _, second = protect_run_figures(estimates, run_copy, publisher(), numeric=changed)
    assert second.numeric is not None
    assert _hidden(second.numeric).loc[i] and not _hidden(first.numeric).loc[i]
    mean = (t["stat"] == "mean") & (t["by"] == t.loc[i, "by"]) & (t["level"] == t.loc[i, "level"])
    assert not _hidden(second.numeric)[mean].iloc[0]


def test_a_breakdown_the_figures_do_not_protect_is_hidden(
    run_copy, estimates, numeric, policy_file
):
    """Fail closed: numeric rows of a breakdown the estimates do not have (so not protected here)
    are dashes."""
    _protect_reports(policy_file)
    est = estimates[estimates["by"].fillna("") != "age_band"]
    _, figures = protect_run_figures(est, run_copy, publisher(), numeric=numeric)
    assert figures.numeric is not None
    t = figures.numeric
    assert _hidden(t[t["by"] == "age_band"]).all()
    assert not _hidden(t[t["by"] == ""]).all()
