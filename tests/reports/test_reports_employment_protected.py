"""The enterprise report's shares of employees and totals under ``protect_reports: true``: cells of
the figures' release, protected by the disclosure engine like magnitude cells and logged with the
report's release (:mod:`pipeline.tables.employmentfigures`), instead of being left out.

The data: the enterprise survey's demo wave (2025) run to its estimates. For the dominated case the
scored data of one organisation that reports low digitalisation (``lage_digitalisering`` = 1) is
given 20 times the weighted employees of all the others that report it: the share of employees
with low digitalisation all but says that organisation's size (its numerator is one organisation's
employees), while the denominator (all employees) is not dominated, so only the ratio's numerator
rule can hide it."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pipeline.rundata.columns import BASIS, BASIS_EMPLOYEES, BASIS_ORGANISATIONS

from ..publisher_helpers import make_publisher

NOTE = "Volgens het openbaarmakingsbeleid van de uitgever toont dit rapport alleen cijfers"
LOW = "lage_digitalisering"


@pytest.fixture(scope="module")
def oe_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.history import PAST_STAGES
    from pipeline.runner import Run, RunConfig, run_stages
    from pipeline.synth.wave import generate_wave

    root = tmp_path_factory.mktemp("oe-employment")
    generate_wave(root / "wave", size=None, seed=2025, questionnaire="oe-2025")
    run_stages(Run(root / "run", RunConfig.from_wave_dir(root / "wave")), PAST_STAGES)
    return root / "run"


def _publisher(directory: Path) -> Any:
    from pipeline.sdc.publisher import publisher

    shutil.rmtree(directory, ignore_errors=True)
    return publisher(make_publisher(directory, protect_reports=True))


def _overall(table: pd.DataFrame, basis: str) -> pd.DataFrame:
    rows = table[(table[BASIS] == basis) & (table["by"].fillna("") == "")]
    return rows.set_index("indicator")


@pytest.fixture(scope="module")
def protected(oe_run: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The run's report figures protected and logged (the run's own employment table, read by
    :func:`protect_run_figures` as every caller does)."""
    from pipeline.fileio import read_parquet
    from pipeline.rundata import layout
    from pipeline.rundata.read import read_employment_estimates
    from pipeline.tables.figures import protect_run_figures
    from pipeline.tables.source import load_run

    pub = _publisher(tmp_path_factory.mktemp("pub") / "publisher")
    est = read_parquet(layout.stage_file(oe_run, "estimate", layout.ESTIMATES))
    shown, figures = protect_run_figures(est, oe_run, pub)
    return {
        "publisher": pub,
        "estimates": est,
        "shown": shown,
        "figures": figures,
        "employment": read_employment_estimates(oe_run),
        "data_version": load_run(oe_run).data_version,
    }


def test_safe_shares_and_totals_are_shown_as_estimated(protected) -> None:
    """Every share of employees and the total of employees (all organisations) the demo has are
    released, with the estimate stage's own numbers; the other rows (by group, acute variants,
    a total whose n is not the engine's cell's) are hidden (fail closed)."""
    emp, shown = protected["employment"], protected["figures"].employment
    assert shown is not None and len(shown) == len(emp)
    before = _overall(emp, BASIS_EMPLOYEES)
    after = _overall(shown, BASIS_EMPLOYEES)
    visible = [i for i in after.index if "suppressed" not in str(after.at[i, "flags"])]
    assert LOW in visible and len(visible) >= 5
    for i in visible:
        assert not i.endswith("_acuut")
        for col in ("estimate", "ci_low", "ci_high", "n"):
            assert after.at[i, col] == before.at[i, col], (i, col)
    total = _overall(shown, BASIS_ORGANISATIONS).loc["employees"]
    assert total["estimate"] == _overall(emp, BASIS_ORGANISATIONS).at["employees", "estimate"]
    by_group = shown[shown["by"].fillna("") != ""]
    assert len(by_group) and by_group["flags"].str.contains("suppressed").all()
    assert by_group["estimate"].isna().all()


def test_the_cells_are_logged_with_the_report_release(protected) -> None:
    """The shares (measure ``<indicator>:werknemers``) and the total are cells of the report's one
    release, published with the n of the rows shown; the share's weighted N is the employees."""
    from pipeline.sdc.tables.rules import is_suppressed

    pub, figures = protected["publisher"], protected["figures"]
    (release,) = pub.ledgers[0].releases(protected["data_version"])
    assert release.id == figures.release_id and release.label == "oe-2025-rapport"
    cells = {c.cell.measure: c for c in release.cells if not c.cell.conditions[1:]}
    share = cells[f"{LOW}:{BASIS_EMPLOYEES}"]
    row = _overall(figures.employment, BASIS_EMPLOYEES).loc[LOW]
    assert share.kind == "percent" and not is_suppressed(share.status) and share.n == row["n"]
    jobs = _overall(protected["employment"], BASIS_ORGANISATIONS).at["employees", "estimate"]
    assert share.weighted_n == pytest.approx(jobs, rel=0.05)  # those who answered: most of them
    total = cells["employees"]
    assert total.kind == "magnitude" and not is_suppressed(total.status)
    assert total.n == _overall(figures.employment, BASIS_ORGANISATIONS).at["employees", "n"]


def test_a_share_one_organisation_dominates_is_a_dash(oe_run, protected, tmp_path) -> None:
    from pipeline.sdc.tables.rules import OK, PRIMARY_DOMINANCE, primary_status
    from pipeline.tables.compute import calibrated_design
    from pipeline.tables.figures import protect_figures
    from pipeline.tables.source import load_run

    data = load_run(oe_run)
    frame = data.frame.copy()
    w = np.asarray(calibrated_design(data).weights, dtype=float)
    e = pd.to_numeric(frame["employees"], errors="coerce").to_numpy(dtype=float).copy()
    y = pd.to_numeric(frame[LOW], errors="coerce").to_numpy(dtype=float)
    low = np.flatnonzero(y == 1)
    giant = low[0]
    others = float((w * e)[low].sum() - w[giant] * e[giant])
    e[giant] = 20 * others / w[giant]
    frame["employees"] = e
    jobs = w * e
    pub = _publisher(tmp_path / "publisher")
    rules = pub.policy.policy.tables.rules()
    answered = np.isfinite(y)
    # the construction: the numerator (employees with low digitalisation) is dominated, the
    # denominator (all employees of those who answered) is not
    assert primary_status("magnitude", int(answered.sum()), rules, jobs[answered]) == OK
    assert primary_status("magnitude", len(low), rules, jobs[low]) == PRIMARY_DOMINANCE
    _, figures = protect_figures(
        protected["estimates"],
        replace(data, frame=frame),
        pub,
        employment=protected["employment"],
    )
    assert figures.release_id is not None
    row = _overall(figures.employment, BASIS_EMPLOYEES).loc[LOW]
    assert "suppressed" in row["flags"] and np.isnan(row["estimate"])
    (release,) = pub.ledgers[0].releases(data.data_version)
    (cell,) = [c for c in release.cells if c.cell.measure == f"{LOW}:{BASIS_EMPLOYEES}"]
    assert cell.status == PRIMARY_DOMINANCE
    # the share of organisations of the same organisations is not dominated: still shown
    orgs = [c for c in release.cells if c.cell.measure == LOW and not c.cell.conditions[1:]]
    assert orgs and all(c.status in (OK, "unreliable") for c in orgs)
    # every share the independent check (plain numpy) finds dominated is hidden
    shown = _overall(figures.employment, BASIS_EMPLOYEES)
    for ind in shown.index:
        if ind.endswith("_acuut"):
            continue
        v = pd.to_numeric(frame[ind], errors="coerce").to_numpy(dtype=float)
        m = np.isfinite(v)
        parts = [jobs[m], (jobs * v)[m], (jobs * (1 - v))[m]]
        bad = any(
            primary_status("magnitude", int(np.count_nonzero(p)), rules, p[p != 0]) != OK
            for p in parts
            if np.count_nonzero(p)
        )
        if bad:
            assert "suppressed" in shown.at[ind, "flags"], ind


def test_the_report_shows_them_and_no_longer_lists_them_as_withheld(oe_run, protected) -> None:
    """The protected enterprise report prints the released shares of employees and the total as
    the unprotected one does, a hidden one as a dash titled with its reason, and the methods
    section no longer names them among the figures not published."""
    from pipeline.reports.employment import DASH_PROTECTED_MAGNITUDE, _pct, fmt_count
    from pipeline.reports.enterprise import render_enterprise_report
    from pipeline.reports.rundir import load_run
    from pipeline.reports.withheld import EMPLOYMENT, protect_report_inputs

    inputs = load_run(oe_run)
    ctx, q = inputs.context, inputs.questionnaire
    assert ctx.employment is not None
    plain = render_enterprise_report(inputs.estimates, q, context=ctx)
    figures = protected["figures"]
    est, pctx = protect_report_inputs(
        protected["shown"],
        ctx,
        figures.numeric,
        figures.median_min_equal,
        figures.employment,
    )
    assert EMPLOYMENT not in pctx.withheld and pctx.employment is not None
    html = render_enterprise_report(est, q, context=pctx)
    section = html[
        html.index('id="werknemers"') : html.index("</section>", html.index('id="werknemers"'))
    ]
    value = _pct(float(_overall(protected["employment"], BASIS_EMPLOYEES).at[LOW, "estimate"]))
    assert f'<td class="num">{value}</td>' in section and value in plain
    total = _overall(protected["employment"], BASIS_ORGANISATIONS).at["employees", "estimate"]
    assert fmt_count(float(total)) in section and fmt_count(float(total)) in plain
    methods = html[html.index('id="methoden"') :]
    assert "aandelen werknemers" not in methods
    # a hidden one: a dash titled with its reason (here the training days' total, whose n is not
    # the engine's cell's)
    hidden = _overall(figures.employment, BASIS_ORGANISATIONS)
    if hidden["flags"].str.contains("suppressed").any():
        assert f'<abbr title="{DASH_PROTECTED_MAGNITUDE}">' in section
    # and with the employment figures not protected (a caller that did not pass them): left out
    _, left = protect_report_inputs(protected["shown"], ctx)
    assert EMPLOYMENT in left.withheld and left.employment is None


def test_the_unprotected_section_is_as_before(oe_run) -> None:
    """Without the policy the section carries no reason, no legend and no field marks."""
    from pipeline.reports.enterprise import render_enterprise_report
    from pipeline.reports.rundir import load_run

    inputs = load_run(oe_run)
    html = render_enterprise_report(inputs.estimates, inputs.questionnaire, context=inputs.context)
    start = html.index('id="werknemers"')
    section = html[start : html.index("</section>", start)]
    assert "<abbr" not in section and "data-field" not in section and "streepje" not in section


def test_the_reason_is_spelled_right() -> None:
    from pipeline.reports.employment import DASH_PROTECTED_MAGNITUDE

    from .dutch_spelling import html_text, unknown_words

    text = (
        f"<p>Een streepje bij een aandeel werknemers of een totaal: {DASH_PROTECTED_MAGNITUDE}.</p>"
    )
    assert unknown_words(html_text(text)) == {}


def test_the_outputs_stage_publishes_them_and_a_rerun_logs_nothing_new(oe_run, tmp_path) -> None:
    """The outputs stage under ``protect_reports: true``: nothing is listed as withheld, the
    enterprise report has its section, and protecting the figures again (as ``wbm report`` does,
    the run's own employment table by default) is a re-issue: the ledger gains no entry."""
    from pipeline.fileio import read_parquet
    from pipeline.rundata import layout
    from pipeline.rundata.read import run_manifest
    from pipeline.runner import Run, RunConfig, run_stages, start
    from pipeline.sdc.publisher import publisher
    from pipeline.tables.figures import protect_run_figures

    policy = make_publisher(tmp_path / "publisher", protect_reports=True)
    run_dir = tmp_path / "run"
    shutil.copytree(oe_run, run_dir, ignore=shutil.ignore_patterns(layout.STAGE_DIRS["outputs"]))
    run = Run(run_dir, RunConfig.from_wave_dir(oe_run.parent / "wave", policy=str(policy)))
    start(run)
    run_stages(run, ["outputs"])
    summary = run_manifest(run_dir)["stages"]["outputs"]["summary"]["report_figures"]
    assert summary["withheld"] == [] and summary["unpublished"] == []
    (html,) = [
        p.read_text(encoding="utf-8")
        for p in run_dir.rglob("*.html")
        if 'id="werknemers"' in p.read_text(encoding="utf-8")
    ]
    assert "Aandelen werknemers" not in html and "aandelen werknemers en de totalen" not in html
    pub = publisher(policy)
    count = len(pub.ledgers[0].releases(_version(run_dir)))
    est = read_parquet(layout.stage_file(run_dir, "estimate", layout.ESTIMATES))
    protect_run_figures(est, run_dir, pub)
    assert len(publisher(policy).ledgers[0].releases(_version(run_dir))) == count


def _version(run_dir: Path) -> str:
    from pipeline.tables.source import load_run

    return load_run(run_dir).data_version
