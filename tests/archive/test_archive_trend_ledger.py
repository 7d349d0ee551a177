"""Review finding 5 (issue 13): under ``protect_reports: true`` an earlier wave's figure in a
report's trend is another data version's figure, shown only where that wave's ledger says it was
released (same indicator in that wave's names, same breakdown level, same n), and a change or
difference-in-differences only between shown figures (a function of released figures needs no
protection of its own). Everything else of the earlier wave is a dash (fail closed)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from pipeline.archive import layout as L
from pipeline.archive.api import open_archive
from pipeline.archive.trend import Line, Point, Trend, trend_for_run
from pipeline.reports.context import ReportContext
from pipeline.reports.withheld import PREVIOUS, RISK_RATIOS, TREND
from pipeline.sdc.publisher import publisher
from pipeline.sdc.tables.cells import CellDef, Condition
from pipeline.sdc.tables.history import ReleasedCell
from pipeline.sdc.tables.ledger import Ledger
from pipeline.tables.figures import released_in_ledger

INDICATORS = ["werkbaar_werk", "werkstress"]


def _own_2019(archive: Path) -> tuple[str, pd.DataFrame]:
    rec = next(w for w in open_archive(archive).records if w.year == 2019)
    est = pd.read_parquet(L.wave_dir(archive, rec.id) / L.RUN_PATH["estimates"])
    return rec.data_version, est


def _cell(measure: str, by: str, level: str, n: int, status: str = "ok") -> ReleasedCell:
    conds = [Condition(measure, None)]
    if by:
        conds.append(Condition(by, (float(level),)))
    return ReleasedCell(CellDef.of(conds, measure), "percent", status, n, 1.0)


@pytest.fixture
def ledger_2019(two_waves: Path, policy_file: Path) -> tuple[list[str], str]:
    """The 2019 wave's ledger (its own names: werkstress was ``stress``): werkbaar werk for
    Flanders and every sector but two published, one of those two logged suppressed, the other
    never published; stress for Flanders logged with another n (another respondent set)."""
    version, est = _own_2019(two_waves)
    by = est["by"].fillna("").astype(str)
    ww = est[(est["indicator"] == "werkbaar_werk") & by.isin(["", "sector"])]
    sectors = sorted(str(lv) for lv in ww.loc[ww["by"] == "sector", "level"])
    hidden, logged_hidden = sectors[1], sectors[2]
    cells = []
    for r in ww.itertuples():
        level = str(r.level) if r.by else ""
        if level == hidden:
            continue
        status = "secondary" if level == logged_hidden else "ok"
        cells.append(_cell("werkbaar_werk", str(r.by or ""), level, int(r.n), status))
    stress = est[(est["indicator"] == "stress") & (by == "")]
    cells.append(_cell("stress", "", "", int(stress["n"].iloc[0]) + 1))
    Ledger(policy_file.parent / "ledger").record(
        "public",
        request_hash="f" * 64,
        data_version=version,
        cells=cells,
        digests=[f"{i:064x}" for i in range(len(cells))],
        decision="release",
        label="wbm-werknemers-2019-rapport",
    )
    return [hidden, logged_hidden], sectors[0]


def test_an_earlier_wave_shows_only_what_its_ledger_released(
    two_waves: Path, run_2023: Path, ledger_2019
) -> None:
    (hidden, logged_hidden), shown_sector = ledger_2019
    pub = publisher()
    version, own = _own_2019(two_waves)
    t = trend_for_run(
        two_waves,
        run_2023,
        indicators=INDICATORS,
        domain="sector",
        earlier=lambda v, e: released_in_ledger(e, pub, v),
    )
    plain = trend_for_run(two_waves, run_2023, indicators=INDICATORS, domain="sector")
    assert isinstance(t, Trend) and isinstance(plain, Trend)

    def point(tr: Trend, ind: str, by: str, level: str, wave: int) -> tuple[Line, Point | None]:
        line = tr.line(ind, by, level)
        assert line is not None
        return line, line.point(wave)

    # released in 2019: shown as archived, and its change since 2019 tested
    for by, level in (("", ""), ("sector", shown_sector)):
        line, p = point(t, "werkbaar_werk", by, level, 2019)
        _, q = point(plain, "werkbaar_werk", by, level, 2019)
        assert (
            p is not None and q is not None and p.estimate is not None and p.estimate == q.estimate
        )
        assert line.vs_previous is not None and line.vs_previous.diff is not None
    # never published, or logged suppressed, or another respondent set: a dash, and no change
    for ind, by, level in (
        ("werkbaar_werk", "sector", hidden),
        ("werkbaar_werk", "sector", logged_hidden),
        ("werkstress", "", ""),
        ("werkstress", "sector", shown_sector),
    ):
        line, p = point(t, ind, by, level, 2019)
        _, q = point(plain, ind, by, level, 2019)
        assert q is not None and q.estimate is not None  # the control: the archive has it
        assert p is not None and p.estimate is None and p.ci_low is None, (ind, by, level)
        assert line.vs_previous is None or line.vs_previous.diff is None
        did = t.did(ind, by, level, 2019) if by else None
        assert did is None or did.did is None
    # this wave's points are the run's figures as given (here: unprotected)
    _, now = point(t, "werkstress", "", "", 2023)
    assert now is not None and now.estimate is not None
    # the previous-wave columns get the same table
    prev = t.previous_estimates
    assert prev is not None
    sel = (prev["indicator"] == "werkbaar_werk") & (prev["level"].astype(str) == hidden)
    assert prev.loc[sel, "estimate"].isna().all()
    assert prev.loc[sel, "flags"].astype(str).str.contains("suppressed").all()
    assert version in {v for _y, _s, v in t.waves}
    assert own["estimate"].notna().any()


def test_with_trend_under_protection_no_longer_withholds_the_checked_trend(
    two_waves: Path, run_2023: Path, ledger_2019
) -> None:
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.reports.trend import with_trend

    (hidden, _), _ = ledger_2019
    q = load_questionnaire("wbm-werknemers-2023")
    ctx = replace(ReportContext(), withheld=(RISK_RATIOS, PREVIOUS))
    out = with_trend(ctx, two_waves, run_2023, q, publisher=publisher())
    assert out.trend is not None and out.previous is not None
    assert out.withheld == (RISK_RATIOS,)  # what the ledger check shows is not "withheld"
    assert TREND not in out.withheld
    line = out.trend.line("werkbaar_werk", "sector", hidden)
    assert line is not None and line.point(2019) is not None
    assert line.point(2019).estimate is None  # type: ignore[union-attr]


def test_wbm_report_under_protection_plots_only_released_earlier_figures(
    two_waves: Path, run_2023: Path, ledger_2019, policy_file: Path, tmp_path: Path
) -> None:
    """The command end to end: this wave's figures protected and logged, the 2019 figures of the
    trend only where the 2019 ledger released them, the rest a dash; the methods note does not
    list the earlier waves as left out."""
    import re

    import yaml
    from click.testing import CliRunner

    from pipeline.cli import cli as main
    from pipeline.reports.withheld import WITHHELD_NL

    data = yaml.safe_load(policy_file.read_text(encoding="utf-8"))
    data["protect_reports"] = True
    policy_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    args = ["report", "--run", str(run_2023), "--overview", "--archive", str(two_waves)]
    r = CliRunner().invoke(main, [*args, "--policy", str(policy_file), "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    html = next(tmp_path.glob("*.html")).read_text(encoding="utf-8")
    shown = set(re.findall(r'data-key="([^"]+)" data-wave="2019" data-value=', html))
    dashed = set(re.findall(r'class="num suppressed" data-key="([^"]+)" data-wave="2019"', html))
    assert "werkbaar_werk||" in shown  # released in 2019
    assert "werkstress||" in dashed and "werkstress||" not in shown  # another n in the ledger
    # the dash says why: 2019 never released that figure (not "too few respondents")
    titles = dict(
        re.findall(
            r'class="num suppressed" data-key="([^"]+)" data-wave="2019"><abbr title="([^"]+)"',
            html,
        )
    )
    assert titles["werkstress||"] == "niet gepubliceerd in die meting"
    # the earlier waves are shown (checked), so the methods note does not list them
    assert WITHHELD_NL[TREND] not in html and WITHHELD_NL[PREVIOUS] not in html


def test_a_dash_in_the_trend_says_why(two_waves: Path, run_2023: Path, ledger_2019) -> None:
    """Issue 13: a 2019 figure its ledger never released is "niet gepubliceerd in die meting", one
    it logged as hidden is hidden by the engine (too few, or to protect another: not told which);
    before, both said "te weinig respondenten". A group without a 2019 figure at all (no
    respondents) looks like a hidden one under protection, not "niet gemeten" (issue 13: 0 and a
    small group are not told apart)."""
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.reports.estimates import DASH_PROTECTED, DASH_UNRELEASED
    from pipeline.reports.trend import trend_section

    (hidden, logged_hidden), shown_sector = ledger_2019
    q = load_questionnaire("wbm-werknemers-2023")
    pub = publisher()
    t = trend_for_run(
        two_waves,
        run_2023,
        indicators=INDICATORS,
        domain="sector",
        earlier=lambda v, e: released_in_ledger(e, pub, v),
    )
    assert t is not None
    # the shown sector without its 2019 point: as if it had no respondents then
    key = ("werkbaar_werk", "sector", shown_sector)
    line = t.lines[key]
    t = replace(
        t,
        lines={
            **t.lines,
            key: replace(line, points=tuple(p for p in line.points if p.wave != 2019)),
        },
    )
    at = t.years.index(2019)
    sec = trend_section(t, q, domain="sector", protected=True)
    assert sec is not None
    cells = {code: r.cells[at] for code, r in sec.group_table}
    never, logged = cells[hidden], cells[logged_hidden]
    assert never is not None and never.reason == DASH_UNRELEASED
    assert logged is not None and logged.reason == DASH_PROTECTED
    empty = cells[shown_sector]
    assert empty is not None and empty.exact == "" and empty.reason == DASH_PROTECTED
    flanders = next(i for i in sec.indicators if i.name == "werkstress").rows[-1].cells[at]
    assert flanders is not None and flanders.reason == DASH_UNRELEASED  # logged with another n
    # the control: without protection the missing point is "not measured" (None), as before
    plain = trend_section(t, q, domain="sector")
    assert plain is not None
    assert {code: r.cells[at] for code, r in plain.group_table}[shown_sector] is None
