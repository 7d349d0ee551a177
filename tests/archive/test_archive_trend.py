"""A run's trend against the archive, and the reports' trend section: every number is the archive's,
the tests use each wave's own design, breaks are never bridged."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.archive.api import make_design, open_archive
from pipeline.archive.trend import Trend, trend_for_run
from pipeline.estimation.change import difference_in_differences
from pipeline.estimation.compare import compare_waves
from pipeline.reports.rundir import load_run

INDICATORS = [
    "werkbaar_werk",
    "werkstress",
    "welbevinden_probleem",
    "leerprobleem",
    "werk_prive_probleem",
]
SERIES = "wbm-werknemers"


@pytest.fixture(scope="module")
def trend(two_waves: Path, run_2023: Path) -> Trend:
    t = trend_for_run(two_waves, run_2023, indicators=INDICATORS, domain="sector")
    assert t is not None
    return t


def test_every_point_is_the_archived_estimate(trend: Trend, two_waves: Path) -> None:
    a = open_archive(two_waves)
    assert trend.years == (2019, 2023) and trend.series == SERIES
    for by in ("", "sector"):
        s = a.series(SERIES, INDICATORS, by=by)
        for r in s.itertuples():
            line = trend.line(r.indicator, r.by, r.level if r.by else "")
            assert line is not None
            p = line.point(r.wave)
            assert p is not None and p.n == r.n
            if "suppressed" in str(r.flags):
                assert p.estimate is None
            else:
                assert p.estimate == r.estimate and p.ci_low == r.ci_low and p.ci_high == r.ci_high
    ww = trend.line("werkbaar_werk")
    assert ww is not None and ww.points[0].estimate != ww.points[1].estimate  # other data


def test_change_tests_are_compare_waves_on_the_two_tables(trend: Trend, two_waves: Path) -> None:
    a = open_archive(two_waves)
    e = a.estimates(SERIES, indicators=INDICATORS, by=["", "sector"])
    cmp = compare_waves(e[e["wave"] == 2023], e[e["wave"] == 2019])
    checked = 0
    for r in cmp.itertuples():
        line = trend.line(r.indicator, r.by, r.level if r.by else "")
        assert line is not None and line.vs_previous is not None
        if "suppressed" in r.flags:
            assert line.vs_previous.significant is None  # never a test on a suppressed estimate
            continue
        assert line.vs_previous.diff == pytest.approx(r.diff, rel=1e-12)
        assert line.vs_previous.se == pytest.approx(r.diff_se, rel=1e-12)
        assert line.vs_previous.significant == bool(r.significant)
        assert line.vs_first == line.vs_previous  # two waves: the first is the previous
        checked += 1
    assert checked > 60


def test_difference_in_differences_uses_each_waves_design(trend: Trend, two_waves: Path) -> None:
    a = open_archive(two_waves)
    frames = []
    for year in (2023, 2019):
        df, model = a.respondents(SERIES, year)
        df = df.assign(sector=pd.to_numeric(df["sector"]).where(lambda v: v >= 0))
        frames.append((df, make_design(df, model)))
    want = difference_in_differences(frames[0], frames[1], INDICATORS, "sector")
    n = 0
    for r in want.itertuples():
        d = trend.did(r.indicator, "sector", r.level, 2019)
        assert d is not None
        if d.did is None:
            continue
        assert d.did == pytest.approx(r.did, rel=1e-10, abs=1e-14)
        assert d.se == pytest.approx(r.did_se, rel=1e-10)
        n += 1
    assert n >= 5 * 14


def _points(html: str) -> list[tuple[str, int, float]]:
    return [
        (k, int(w), float(v))
        for k, w, v in re.findall(
            r'data-key="([^"]+)" data-wave="(\d+)" data-value="([^"]+)"', html
        )
    ]


def test_reports_plot_the_archived_estimates(
    trend: Trend, two_waves: Path, run_2023: Path, tmp_path: Path
) -> None:
    from pipeline.reports.batch import plan_reports, render_reports
    from pipeline.reports.trend import with_trend

    inp = load_run(run_2023)
    q = inp.questionnaire
    ctx = with_trend(inp.context, two_waves, run_2023, q)
    jobs = [j for j in plan_reports(q, all_groups=True) if j.code in (3, 14, None)]
    paths = render_reports(inp.estimates, q, tmp_path, jobs, context=ctx, formats=("html",))
    a = open_archive(two_waves)
    est = a.estimates(SERIES, indicators=INDICATORS, by=["", "sector"])
    archived = {
        (f"{r.indicator}|{r.by}|{r.level if r.by else ''}", int(r.wave)): float(r.estimate)
        for r in est.itertuples()
    }
    for p in paths:
        html = p.read_text(encoding="utf-8")
        assert '<section id="evolutie"' in html
        pts = _points(html)
        assert len(pts) > 20
        for key, wave, value in pts:
            assert archived[(key, wave)] == value, (p.name, key, wave)
        charts = re.findall(r'<svg[^>]*class="chart line-chart".*?</svg>', html, flags=re.S)
        assert len(charts) == 5
        for c in charts:  # each wave plotted once per line shown
            assert {w for _k, w, _v in _points(c)} == {2019, 2023}
    sector = next(p for p in paths if p.name.startswith("sector-03"))
    html = sector.read_text(encoding="utf-8")
    assert "Verschil in evolutie met Vlaanderen sinds 2019" in html
    assert 'data-source="previous"' in html  # the summary's previous wave, from the archive


def test_a_break_is_marked_and_never_tested_across(
    tmp_path: Path, run_2019: Path, run_2023: Path
) -> None:
    """With another cut-off in the 2019 questionnaire, leerprobleem and werkbaar werk break at 2023."""
    from pipeline.archive.store import add_run
    from pipeline.questionnaire.dump import save_questionnaire
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.questionnaire.model import Cutoffs
    from pipeline.reports.trend import trend_section

    from .archive_helpers import copy_run, rewrite_questionnaire

    q19 = load_questionnaire("wbm-werknemers-2019")
    ind = q19.indicator("leerkansen")
    assert ind.cutoffs is not None
    d = ind.cutoffs["default"]
    cut = {**ind.cutoffs, "default": Cutoffs(problematisch=d.problematisch - 5, acuut=d.acuut)}
    changed = q19.model_copy(
        update={
            "indicators": tuple(
                i.model_copy(update={"cutoffs": cut}) if i.name == "leerkansen" else i
                for i in q19.indicators
            )
        }
    )
    path = save_questionnaire(changed, tmp_path / "q19.yaml")
    run = copy_run(run_2019, tmp_path / "run-2019")
    rewrite_questionnaire(run, str(path))
    root = tmp_path / "archive"
    add_run(root, run)
    t = trend_for_run(root, run_2023, indicators=INDICATORS, domain="sector")
    assert t is not None
    assert {b.indicator for b in t.breaks} == {"leerprobleem", "werkbaar_werk", "aantal_problemen"}
    line = t.line("leerprobleem")
    assert line is not None and line.vs_previous is not None
    assert line.vs_previous.comparable is False and line.vs_previous.diff is None
    assert [p.segment for p in line.points] == [0, 1]
    stress = t.line("werkstress")
    assert stress is not None and stress.vs_previous is not None and stress.vs_previous.comparable
    assert t.did("werkbaar_werk", "sector", "3", 2019).comparable is False  # type: ignore[union-attr]
    q = load_questionnaire("wbm-werknemers-2023")
    sec = trend_section(t, q, domain="sector", level="3", group_label="metaal")
    assert sec is not None
    by_name = {i.name: i for i in sec.indicators}
    chart = by_name["leerprobleem"].chart
    assert 'class="break" data-wave="2023"' in chart and "<polyline" not in chart  # not bridged
    assert "<polyline" in by_name["werkstress"].chart
    assert by_name["leerprobleem"].breaks[0][0] == 2023
    assert "drempelwaarden" in by_name["leerprobleem"].breaks[0][1]
    assert by_name["leerprobleem"].rows[0].vs_previous.verdict == "niet vergelijkbaar"  # type: ignore[union-attr]
    # the previous wave's table for the summary leaves the broken indicators out
    assert t.previous_estimates is not None
    assert "leerkansen" not in set(t.previous_estimates["indicator"])
    assert "stress" in set(t.previous_estimates["indicator"])
