"""Review finding 5 (issue 13), the attacks as written: the sector reports' figures were outside the
ledger and had no secondary suppression. Report figures alone gave hidden cells approximately (a
parent total and all but one of its parts published), and a report plus a custom table differing by
one respondent gave that person's value. The reports' figures are now protected by the engine
(:mod:`pipeline.tables.figures`) and logged as public releases; these tests show both attacks fail.

The estimates are the session demo's; a slice of them (a few indicators, the breakdowns an attack
needs) keeps the tests quick: the engine treats every breakdown the same way."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.rundata import layout
from pipeline.sdc.publisher import publisher
from pipeline.tables.api import make_table
from pipeline.tables.figures import protect_run_figures

from ..spies import protect_space_calls
from .tables_helpers import csv_rows, ledger_entries, request_file
from .test_table_findings_cross import one_person_group

BYS = ("", "sector", "statute", "sector:statute")


@pytest.fixture(scope="module")
def estimates(small_run_dir: Path) -> pd.DataFrame:
    est = pd.read_parquet(layout.stage_file(small_run_dir, "estimate", layout.ESTIMATES))
    by = est["by"].fillna("").astype(str)
    return est[by.isin(BYS) & est["indicator"].isin(["werkstress", "werkstress_acuut"])]


@pytest.fixture(scope="module")
def scored(small_run_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(layout.stage_file(small_run_dir, "score", layout.SCORED))


def _hidden(est: pd.DataFrame) -> pd.Series:
    return est["flags"].fillna("").astype(str).str.split(";").map(lambda f: "suppressed" in f)


MIN_N = 30  # the policy's minimum for percentages


def lone_hidden(est: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(indicator, breakdown, margin) where exactly one part of a published margin with respondents
    is hidden and it is a small group (1 to 29): that part is the margin minus the published
    parts, approximately recovered from estimates and weighted N, by a reader who knows which parts
    are empty (this test reads the estimates). Margins: Flanders for a single breakdown; for sector
    x statute each sector (its other statutes) and each statute (its other sectors). A part of 30
    or more hidden alone among those with respondents is no small group: it was hidden to cover an
    empty part, which the reports do not tell apart from a small one (issue 13; the small ones are
    protected as if the empty ones were published: ``space.protect_space``)."""
    hidden = _hidden(est)
    small = est["n"] < MIN_N

    def lone(rows: pd.Series | list[int]) -> bool:
        part = hidden[rows]
        return int(part.sum()) == 1 and bool(small[rows][part].all())

    by = est["by"].fillna("").astype(str)
    levels = est["level"].astype(str)
    out = []
    for ind in sorted(set(est["indicator"])):
        for b in ("sector", "statute"):
            sel = (est["indicator"] == ind) & (by == b) & (est["n"] > 0)
            if lone(sel):
                out.append((ind, b, ""))
        sel = (est["indicator"] == ind) & (by == "sector:statute") & (est["n"] > 0)
        parts = levels[sel].str.split(":", expand=True)
        for axis, name in ((0, "sector"), (1, "statute")):
            for value, rows in parts.groupby(axis).groups.items():
                margin = (est["indicator"] == ind) & (by == name) & (levels == value)
                if hidden[margin].any():
                    continue  # the margin itself is not published
                if lone(list(rows)):
                    out.append((ind, "sector:statute", f"{name} {value}"))
    return out


def test_report_figures_alone_recover_no_hidden_cell(run_copy, estimates):
    # the attack on the unprotected figures: hidden cells that are a margin minus published parts
    assert lone_hidden(estimates), "the demo's estimates no longer show the attack"
    shown, figures = protect_run_figures(estimates, run_copy, publisher())
    assert lone_hidden(shown) == []
    assert figures.unpublished == () and figures.breakdowns == BYS
    # secondary suppression happened, and suppressed rows carry no numbers
    assert int(_hidden(shown).sum()) > int(_hidden(estimates).sum())
    assert (
        shown.loc[_hidden(shown), ["estimate", "ci_low", "ci_high", "weighted_n"]]
        .isna()
        .all()
        .all()
    )
    # released rows keep the estimate stage's numbers (the reports equal the estimates table)
    kept = ~_hidden(shown)
    pd.testing.assert_frame_equal(shown[kept], estimates[kept], check_dtype=False)


def test_report_figures_are_public_releases_logged_once(run_copy, estimates, policy_ledger):
    first, _ = protect_run_figures(estimates, run_copy, publisher())
    entries = ledger_entries(policy_ledger)
    # every breakdown protected jointly, logged as one public release
    assert [(e["requester"], e["label"]) for e in entries] == [
        ("public", "wbm-werknemers-2023-rapport")
    ]
    assert all(e["logged_at"] is None for e in entries)
    before = sorted(policy_ledger.glob("*/tables.jsonl"))[0].read_bytes()
    again, figures = protect_run_figures(estimates, run_copy, publisher())
    assert sorted(policy_ledger.glob("*/tables.jsonl"))[0].read_bytes() == before  # not twice
    pd.testing.assert_frame_equal(first, again)
    assert len(figures.release_ids) == 1


def _p_minus_one(
    tmp_path: Path, scored: pd.DataFrame, group: tuple[int, int, int] | None = None
) -> Path:
    """A custom table (another organisation) of the acute share of stress on sector x statute P
    minus the one respondent of an age band: P itself is a figure of the sector report (within-sector
    breakdown by statute)."""
    sector, statute, band = group or one_person_group(scored)
    return request_file(
        tmp_path,
        name="p-minus-one",
        requester="fonds-b",
        indicators=["werkstress_acuut"],
        rows=None,
        columns=None,
        filters=[
            {"variable": "sector", "levels": [sector]},
            {"variable": "statute", "levels": [statute]},
            {"variable": "age_band", "levels": [b for b in (1, 2, 3, 4, 5) if b != band]},
        ],
    )


def test_report_and_table_differing_by_one_respondent(
    run_copy, estimates, scored, tmp_path, monkeypatch
):
    # The demo's only P (sector 5 x statute 2, 34 respondents) is hidden in the report under the
    # figures' rules: it covers sector 5's empty statute (an empty cell is hidden and protected like
    # a small one, issue 13). The unit under test here is the check of a custom table against a
    # published report figure, so the figures are protected without that rule, and P is shown.
    monkeypatch.setattr("pipeline.sdc.tables.space.space_rules", lambda rules: rules)
    shown, _ = protect_run_figures(estimates, run_copy, publisher())
    group = one_person_group(scored)
    sector, statute, _ = group
    p = shown[
        (shown["by"] == "sector:statute")
        & (shown["level"].astype(str) == f"{sector}:{statute}")
        & (shown["indicator"] == "werkstress")
    ]
    assert len(p) == 1 and not _hidden(p).any()  # the report shows P
    out = make_table(_p_minus_one(tmp_path, scored, group), [run_copy], tmp_path / "out")
    assert out.decision == "suppress", out.release.reasons
    assert [r["flag"] for r in csv_rows(out.files[1])] == ["suppressed"]
    assert any("rapport" in r and "1 respondent" in r for r in out.release.reasons)


def test_without_the_report_in_the_ledger_the_table_is_released(run_copy, scored, tmp_path):
    # the control: the same table on a fresh history is released (the attack needs the report)
    out = make_table(_p_minus_one(tmp_path, scored), [run_copy], tmp_path / "out")
    assert out.decision == "release", out.release.reasons


def test_the_policy_decides_whether_wbm_report_protects(
    small_run_dir, estimates, policy_file, policy_ledger
):
    import yaml

    from pipeline.commands.report import _protected

    # the tests' publisher (protect_reports: false): the estimates as they are, nothing logged
    assert _protected(estimates, small_run_dir, str(policy_file), 30, 50) is estimates
    assert ledger_entries(policy_ledger) == []
    data = yaml.safe_load(policy_file.read_text(encoding="utf-8"))
    data["protect_reports"] = True
    policy_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    shown = _protected(estimates, small_run_dir, str(policy_file), 30, 50)
    assert lone_hidden(shown) == [] and lone_hidden(estimates) != []
    assert [e["requester"] for e in ledger_entries(policy_ledger)] == ["public"]


def test_the_outputs_stage_logs_the_report_figures_and_shows_dashes(
    small_demo, small_run_dir, policy_file, policy_ledger, tmp_path
):
    """The demo's outputs stage under a policy with ``protect_reports: true``: the standard table
    and then the reports' figures (all breakdowns, jointly) are logged as public releases, and the
    reports show a dash where the engine hid a figure the estimate stage had published."""
    import shutil

    import yaml

    from pipeline.reports.estimates import estimates_for
    from pipeline.reports.render import DASH, fmt_field
    from pipeline.rundata.read import run_manifest
    from pipeline.runner import Run, RunConfig, run_stages, start
    from pipeline.tables.source import load_run

    data = yaml.safe_load(policy_file.read_text(encoding="utf-8"))
    data["protect_reports"] = True
    policy_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    run_dir = tmp_path / "run"
    shutil.copytree(
        small_run_dir, run_dir, ignore=shutil.ignore_patterns(layout.STAGE_DIRS["outputs"])
    )
    run = Run(run_dir, RunConfig.from_wave_dir(small_demo[0].wave_dir, policy=str(policy_file)))
    start(run)
    run_stages(run, ["outputs"])
    entries = ledger_entries(policy_ledger)
    assert [e["requester"] for e in entries] == ["public", "public"]
    assert entries[1]["label"] == "wbm-werknemers-2023-rapport"  # after the standard table
    summary = run_manifest(run_dir)["stages"]["outputs"]["summary"]["report_figures"]
    assert summary["unpublished"] == [] and summary["breakdowns"] >= 10
    # nothing left out: the numeric indicators' means and medians and the risk profiles' ratios
    # are protected (pipeline.tables.numericfigures, pipeline.tables.riskfigures)
    assert summary["withheld"] == []
    # a figure the estimate stage published and the engine hid: a dash, without its n
    est = pd.read_parquet(layout.stage_file(run_dir, "estimate", layout.ESTIMATES))
    from pipeline.rundata.read import read_numeric_estimates

    numeric = read_numeric_estimates(run_dir)  # the stage protects the numeric means with them
    shown, figures = protect_run_figures(est, run_dir, publisher(), numeric=numeric)  # a re-issue
    assert len(ledger_entries(policy_ledger)) == 2  # nothing new logged
    newly = _hidden(shown) & ~_hidden(est) & (est["by"].fillna("") == "education")
    assert newly.any(), "the demo's reports no longer hide a figure by education"
    row = shown[newly].iloc[0]
    q = load_run(run_dir).questionnaire
    key = (str(row["indicator"]), "education", str(row["level"]))
    protected_cell = estimates_for(shown, q).get(*key)
    original_cell = estimates_for(est, q).get(*key)
    assert protected_cell is not None and original_cell is not None
    assert fmt_field(protected_cell, "estimate") == DASH == fmt_field(protected_cell, "n")
    assert fmt_field(original_cell, "estimate") != DASH
    # what the reports showed is kept as a run file (the archive keeps it per wave: a later wave's
    # trend shows these figures only where they were released), not in the unprotected run
    kept = pd.read_parquet(layout.stage_file(run_dir, "outputs", layout.SHOWN_ESTIMATES))
    assert _hidden(kept).tolist() == _hidden(shown).tolist()
    assert kept.loc[_hidden(kept).to_numpy(), "estimate"].isna().all()
    assert not layout.stage_file(small_run_dir, "outputs", layout.SHOWN_ESTIMATES).exists()
    from pipeline.archive.api import open_archive
    from pipeline.archive.store import add_run

    add_run(tmp_path / "archive", run_dir)
    (wave,) = open_archive(tmp_path / "archive").waves()
    assert wave.file("shown") is not None
    # and the rendered reports: fewer figures than the same reports of the unprotected run
    reports = layout.outputs_dir(run_dir, layout.REPORTS_DIR)
    before = layout.outputs_dir(small_run_dir, layout.REPORTS_DIR)
    names = sorted(p.name for p in reports.glob("*.html"))
    assert names == sorted(p.name for p in before.glob("*.html"))
    # a figure the engine hid is not shown (issue 13: as if its group had no respondents)
    figure = re.compile(r'data-field="estimate"[^>]*>[^<–]')  # a number, not a dash
    fewer = sum(
        len(figure.findall((reports / n).read_text(encoding="utf-8")))
        < len(figure.findall((before / n).read_text(encoding="utf-8")))
        for n in names
    )
    assert fewer >= 1
    # the figures that do not come from the estimates table are protected figures too: the
    # numeric indicators' means and medians (tests/tables/test_table_report_numeric.py) and the
    # risk profiles' ratios (tests/tables/test_table_report_risk.py), each with its rule in the
    # methods; nothing is left out, so no note lists what is withheld
    from pipeline.reports.withheld import WITHHELD_NL

    ratios = {"protected": 0, "unprotected": 0}
    for n in names:
        html = (reports / n).read_text(encoding="utf-8")
        assert "data-numeric" in html, n
        assert "omdat die controle ze niet beschermt" not in html, n
        assert 'class="median-note"' in html and 'class="risk-note"' in html, n
        ratios["protected"] += html.count('data-rp-field="pr"')
        ratios["unprotected"] += (
            (before / n).read_text(encoding="utf-8").count('data-rp-field="pr"')
        )
    assert 0 < ratios["protected"] < ratios["unprotected"], ratios
    unprotected = (before / names[0]).read_text(encoding="utf-8")
    assert "data-rp-field" in unprotected and "data-numeric" in unprotected
    assert "openbaarmakingsbeleid van de uitgever" not in unprotected
    assert 'class="median-note"' not in unprotected and 'class="risk-note"' not in unprotected
    assert WITHHELD_NL["numeric"] not in (reports / names[0]).read_text(encoding="utf-8")


def test_an_empty_group_is_hidden_and_protected_like_a_small_one(
    run_copy, estimates, policy_ledger
):
    """Issue 13: the reports list every group of a breakdown, so an empty cell published (or left
    recomputable) beside a hidden small one tells the two apart. The report figures' rules make an
    empty cell unsafe (``space_rules``): it is logged as primary (``primary:zero``), hidden, and
    protected by secondary suppression like a cell of 1 to 29 respondents."""
    from pipeline.sdc.tables.rules import PRIMARY_ZERO, is_suppressed

    protect_run_figures(estimates, run_copy, publisher())
    (entry,) = ledger_entries(policy_ledger)
    cells = entry["cells"]
    empty = [c for c in cells if c["n"] == 0]
    assert empty, "the demo's sector x statute table no longer has an empty cell"
    assert {c["status"] for c in empty} == {PRIMARY_ZERO}
    assert entry["rules"]["zero_unsafe"] is True
    # no hidden empty cell is the only hidden cell of its table (its n would then be the margin
    # minus the published parts: 0, told apart from a small group's)
    tables: dict[str, list[dict]] = {}
    for c in cells:
        tables.setdefault(c["measure"] + "|" + ",".join(v for v, _ in c["conditions"]), []).append(
            c
        )
    for key, cs in tables.items():
        if any(c["n"] == 0 for c in cs):
            hidden = [c for c in cs if c["n"] > 0 and is_suppressed(c["status"])]
            assert hidden, key


@pytest.mark.parametrize("exact", [False, True])
def test_the_publisher_decides_the_exact_check_of_the_figures(
    run_copy, estimates, tmp_path, monkeypatch, exact
):
    """``exact_reports`` (policy; off in the reference policy: minutes per wave) runs the exact check
    of the whole space of figures, search included, breakdown after breakdown; the figures it
    releases then determine no small group (tests/disclosure/test_disclosure_space.py)."""
    import yaml

    import pipeline.sdc.tables.space as space
    from pipeline.sdc.policy import load_policy

    from ..publisher_helpers import make_publisher

    policy = make_publisher(tmp_path / "pub", protect_reports=True)
    data = yaml.safe_load(policy.read_text(encoding="utf-8"))
    if exact:
        data["exact_reports"] = True
    policy.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_policy(policy).policy.exact_reports is exact
    seen: list[bool] = []
    checked: list[str] = []
    real, sequential = space.protect_space, space._sequential

    def spy(*args, exact=False, **kwargs):
        seen.append(exact)
        return real(*args, exact=exact, **kwargs)

    def counted(tables, *args):
        checked.extend(dict.fromkeys(t.by for t in tables))
        return sequential(tables, *args)

    monkeypatch.setattr(space, "protect_space", spy)
    monkeypatch.setattr(space, "_sequential", counted)
    shown, figures = protect_run_figures(estimates, run_copy, publisher(str(policy)))
    assert seen == [exact]
    assert figures.unpublished == ()
    assert (checked[: len(BYS)] == list(BYS)) if exact else checked == []
    assert lone_hidden(shown) == []


def test_a_rerun_of_the_figures_publishes_their_first_issue_from_the_ledger(
    run_copy, estimates, tmp_path, monkeypatch
):
    """A rerun of the same figures (``wbm report`` after the outputs stage, a rerun of the run) is a
    re-issue: its statuses come from the ledger's first issue, without protecting again (the exact
    check, when the policy asks for it, is paid once per release), and it shows what the ledger
    logged: a figure the first issue hid stays a dash even where protecting again would show it."""
    import json

    from ..publisher_helpers import make_publisher

    policy = make_publisher(tmp_path / "pub", protect_reports=True)
    first, figures = protect_run_figures(estimates, run_copy, publisher(str(policy)))
    calls = protect_space_calls(monkeypatch)
    again, same = protect_run_figures(estimates, run_copy, publisher(str(policy)))
    assert calls == []
    assert same.release_id == figures.release_id
    pd.testing.assert_frame_equal(first, again)
    # the ledger is what was published: one more figure hidden there is hidden in the re-issue
    (path,) = (policy.parent / "ledger").glob("*/tables.jsonl")
    (entry,) = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    target = next(
        c
        for c in entry["cells"]
        if c["status"] == "ok"
        and c["measure"] == "werkstress"
        and c["conditions"][0][0] == "sector"
    )
    target["status"] = "secondary"
    path.write_text(json.dumps(entry, sort_keys=True) + "\n", encoding="utf-8")
    third, _ = protect_run_figures(estimates, run_copy, publisher(str(policy)))
    assert calls == []
    assert int(_hidden(third).sum()) > int(_hidden(first).sum())


def test_the_exact_check_switched_on_after_a_first_issue_is_paid_once(
    run_copy, estimates, tmp_path, monkeypatch
):
    """Figures first issued without the exact check, then with ``exact_reports: true``: the
    re-check is protected (exact) and logged as a release of its own, beside the first issue; a
    third run under the same policy takes the re-check's statuses from the ledger, without
    protecting again."""
    import json

    import yaml

    from ..publisher_helpers import make_publisher

    policy = make_publisher(tmp_path / "pub", protect_reports=True)
    first, figures = protect_run_figures(estimates, run_copy, publisher(str(policy)))
    data = yaml.safe_load(policy.read_text(encoding="utf-8"))
    data["exact_reports"] = True
    policy.write_text(yaml.safe_dump(data), encoding="utf-8")
    calls = protect_space_calls(monkeypatch)
    checked, rechecked = protect_run_figures(estimates, run_copy, publisher(str(policy)))
    assert calls == [True]
    assert rechecked.release_id != figures.release_id
    (path,) = (policy.parent / "ledger").glob("*/tables.jsonl")
    entries = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert len(entries) == 2
    assert "exact_check" not in entries[0]["rules"] and entries[1]["rules"]["exact_check"]
    assert entries[0]["request_hash"] != entries[1]["request_hash"]
    # nothing the first issue hid is shown by the re-check
    assert not (_hidden(first) & ~_hidden(checked)).any()
    third, again = protect_run_figures(estimates, run_copy, publisher(str(policy)))
    assert calls == [True]  # taken from the ledger
    assert again.release_id == rechecked.release_id
    pd.testing.assert_frame_equal(checked, third)
    assert len(path.read_text(encoding="utf-8").splitlines()) == 2
