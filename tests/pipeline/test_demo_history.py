"""The demo with its synthetic history: every wave since 2004 generated with its own questionnaire and
published figures, archived, and shown in the Flanders and sector reports; every plotted point is the
archive's estimate for that wave."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.archive.api import open_archive
from pipeline.demo import DemoResult

from ..publisher_helpers import unprotected_demo

PUBLISHED_WW = {
    2004: 0.523,
    2007: 0.541,
    2010: 0.543,
    2013: 0.546,
    2016: 0.510,
    2019: 0.496,
    2023: 0.518,
}
PUBLISHED_STRESS = {2004: 0.29, 2013: 0.295, 2016: 0.34, 2019: 0.368, 2023: 0.361}
SECTORS_2019 = {"3": 0.483, "5": 0.526, "1": 0.436, "2": 0.529, "6": 0.501}
SIZE = 8_000  # the 2023 wave's invitations; the past waves scale with it (2004: 4,000)


@pytest.fixture(scope="session")
def history_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoResult, Path]:
    from pipeline.demo import run_demo

    out = tmp_path_factory.mktemp("history-demo")
    unprotected_demo(out)  # the tests read the reports' figures
    return run_demo(out, size=SIZE, seed=2023, history=True), out


def test_every_wave_is_archived_with_its_own_questionnaire(
    history_demo: tuple[DemoResult, Path],
) -> None:
    res, out = history_demo
    assert res.archive == out / "archive"
    a = open_archive(res.archive)
    assert a.series_names() == ("wbm-werknemers",)
    info = a.info("wbm-werknemers")
    assert info.years == tuple(PUBLISHED_WW) and info.breaks == ()
    assert [s for _y, s, _v in info.waves] == [f"wbm-werknemers-{y}" for y in PUBLISHED_WW]
    assert [y for y, *_ in res.series] == list(PUBLISHED_WW)
    assert "werkbaar werk 2004:" in res.render()
    # past waves are paper only; sample sizes follow the published ones (2004: about 20,000 invited)
    w04 = json.loads((out / "history" / "werknemers-2004" / "wave" / "wave.json").read_text())
    assert w04["counts"]["invited"] == 4_000 and [i["mode"] for i in w04["inputs"]] == ["paper"]


def test_the_history_is_calibrated_to_the_published_series(
    history_demo: tuple[DemoResult, Path],
) -> None:
    _res, out = history_demo
    for year, ww in PUBLISHED_WW.items():
        wave = out / ("wave" if year == 2023 else f"history/werknemers-{year}/wave")
        truth = json.loads((wave / "truth.json").read_text())["indicators"]
        assert truth["werkbaar_werk"]["overall"] == pytest.approx(ww, abs=1e-6), year
        stress = (
            truth.get("werkstress") or truth["stress"]
        )  # the 2004-2019 questionnaires say "stress"
        if year in PUBLISHED_STRESS:
            assert stress["overall"] == pytest.approx(PUBLISHED_STRESS[year], abs=1e-6), year
    t19 = json.loads((out / "history/werknemers-2019/wave/truth.json").read_text())["indicators"]
    by_sector = t19["werkbaar_werk"]["by"]["sector"]
    for code, value in SECTORS_2019.items():
        assert by_sector[code] == pytest.approx(value, abs=1e-6), code
    # the estimates find the truth within their sampling error (one-in-a-million tolerance)
    a = open_archive(out / "archive")
    s = a.series("wbm-werknemers", "werkbaar_werk")
    for r in s.itertuples():
        assert abs(r.estimate - PUBLISHED_WW[r.wave]) < 5 * r.se, r.wave


def _points(html: str) -> list[tuple[str, int, float]]:
    return [
        (k, int(w), float(v))
        for k, w, v in re.findall(
            r'data-key="([^"]+)" data-wave="(\d+)" data-value="([^"]+)"', html
        )
    ]


def test_reports_show_2004_2023_and_every_point_is_the_archived_estimate(
    history_demo: tuple[DemoResult, Path],
) -> None:
    res, _out = history_demo
    assert res.archive is not None
    est = open_archive(res.archive).estimates(
        "wbm-werknemers",
        indicators=[
            "werkbaar_werk",
            "werkstress",
            "welbevinden_probleem",
            "leerprobleem",
            "werk_prive_probleem",
        ],
        by=["", "sector"],
    )
    archived = {
        (f"{r.indicator}|{r.by}|{r.level if r.by else ''}", int(r.wave)): float(r.estimate)
        for r in est.itertuples()
    }
    assert len(res.reports) == 17
    n_points = 0
    for path in res.reports:
        html = path.read_text(encoding="utf-8")
        if "Geen cijfers" in html:
            continue
        assert '<section id="evolutie"' in html and "Evolutie 2004–2023" in html, path.name
        charts = re.findall(r'<svg[^>]*class="chart line-chart".*?</svg>', html, flags=re.S)
        assert len(charts) == 5, path.name
        flanders = [p for p in _points(charts[0]) if p[0] == "werkbaar_werk||"]
        assert [w for _k, w, _v in flanders] == list(PUBLISHED_WW)  # the 2004-2023 series
        for key, wave, value in _points(html):
            assert archived[(key, wave)] == value, (path.name, key, wave)
            n_points += 1
    assert n_points > 17 * 5 * 7


def test_the_overview_tabulates_every_sector_over_the_waves(
    history_demo: tuple[DemoResult, Path],
) -> None:
    res, _out = history_demo
    overview = next(p for p in res.reports if p.name.startswith("vlaanderen"))
    html = overview.read_text(encoding="utf-8")
    assert "Werkbaarheidsgraad per sector" in html
    assert html.count('data-key="werkbaar_werk|sector|3"') >= 7


def test_the_self_employed_demo_shows_their_history(tmp_path: Path) -> None:
    """``wbm demo --survey zelfstandigen`` (history on, as by default): the waves 2007-2019 are
    generated, run and archived, and the self-employed reports get their "Evolutie" section."""
    from pipeline.demo import run_demo

    unprotected_demo(tmp_path)
    res = run_demo(tmp_path, size=3_000, seed=2023, history=True, survey="zelfstandigen")
    assert res.archive == tmp_path / "archive"
    info = open_archive(res.archive).info("wbm-zelfstandigen")
    assert info.years == (2007, 2010, 2013, 2016, 2019, 2023)
    assert [y for y, *_ in res.series] == list(info.years)
    # the past waves invite their published 12,000, scaled like --size: 12,000 x 3/12
    w07 = json.loads(
        (tmp_path / "history" / "zelfstandigen-2007" / "wave" / "wave.json").read_text()
    )
    assert w07["counts"]["invited"] == 3_000
    overview = [p for p in res.reports if "Evolutie 2007–2023" in p.read_text(encoding="utf-8")]
    assert overview, [p.name for p in res.reports]


def test_the_demo_builds_the_datatool_and_prints_how_to_start_it(
    history_demo: tuple[DemoResult, Path],
) -> None:
    """The demo's datatool: a reference subset over every wave of the archive, logged in the demo's
    publisher, and the exact command and URL printed."""
    from pipeline.datatool.store import read_release
    from pipeline.demo import DATATOOL_BREAKDOWNS, DATATOOL_INDICATORS

    res, out = history_demo
    assert res.datatool is not None
    assert res.datatool.release == out / "datatool"
    text = res.render()
    cmd = f"wbm datatool serve --archive {out / 'archive'} --release {out / 'datatool'} --port 8000"
    assert f"start the datatool: {cmd}" in text
    assert "then open:          http://127.0.0.1:8000/" in text
    store = read_release(out / "datatool")
    choices = store.choices()["werknemers"]
    assert choices.waves == tuple(PUBLISHED_WW)
    assert set(choices.indicators) == set(DATATOOL_INDICATORS)
    assert set(choices.breakdowns) == set(DATATOOL_BREAKDOWNS)
    n_tables = len(PUBLISHED_WW) * len(DATATOOL_INDICATORS) * len(DATATOOL_BREAKDOWNS)
    assert res.datatool.tables == n_tables and res.datatool.cells > 0
    assert len(res.datatool.releases) == len(PUBLISHED_WW)  # logged once per data version
