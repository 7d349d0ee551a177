"""The reports in a real browser (headless Chromium): laid out at a desktop and a phone width, no
horizontal overflow, no missing image, every chart present and drawn, text in the charts laid out.
Skipped (with the reason) where Debian's ``chromium`` is not installed; ``scripts/setup.sh --test``
installs it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from pipeline.reports.enterprise import render_enterprise_report
from pipeline.reports.overview import render_overview_report
from pipeline.reports.report import load_estimates, render_domain_report

from .reports_browser import CHROMIUM, browser_check, ink, screenshot
from .reports_fixtures import CTX, SUPPRESSED_GROUP, UNRELIABLE_GROUP

pytestmark = [
    pytest.mark.needs_chromium,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="needs headless Chromium: Debian package 'chromium' "
        "(installed by scripts/setup.sh --test)",
    ),
]
WIDTHS = (1280, 390)  # desktop, phone


@pytest.fixture(scope="module")
def pages(q, table, ctx, q_self, table_self, q_oe, table_oe) -> dict[str, str]:
    est = load_estimates(table, q, ctx)
    return {
        "sector": render_domain_report(est, q, 5, context=ctx),
        "sector-small": render_domain_report(est, q, SUPPRESSED_GROUP, context=ctx),
        "sector-unreliable": render_domain_report(est, q, UNRELIABLE_GROUP, context=ctx),
        "overview": render_overview_report(est, q, context=ctx),
        "self-employed": render_domain_report(table_self, q_self, 2, context=CTX),
        "enterprise": render_enterprise_report(
            table_oe, q_oe, context=replace(CTX, counts_by_mode=(("cati", 1650),))
        ),
    }


@pytest.fixture(scope="module")
def checks(pages, tmp_path_factory) -> dict[tuple[str, int], dict]:
    """All pages at all widths, four browsers at a time."""
    work = tmp_path_factory.mktemp("browser")
    jobs = [(name, w) for name in pages for w in WIDTHS]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(
            lambda job: browser_check(pages[job[0]], work, job[1], name=job[0]), jobs
        )
        return dict(zip(jobs, results, strict=True))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "name",
    ["sector", "sector-small", "sector-unreliable", "overview", "self-employed", "enterprise"],
)
def test_page_in_the_browser(pages, checks, name, width):
    html = pages[name]
    res = checks[(name, width)]
    assert res["width"] == width
    assert res["scrollWidth"] <= res["width"], f"horizontal overflow: {res['overflowing']}"
    assert res["overflowing"] == []
    assert res["brokenImages"] == 0 and res["images"] == html.count("<img")
    expected = html.count('<figure class="chart"')
    assert res["figures"] == expected == html.count("<svg")
    for chart in res["charts"]:
        assert chart is not None, "a chart figure without its svg"
        assert chart["width"] >= min(300, width - 60) and chart["height"] >= 40, chart
        assert chart["right"] <= width and chart["rects"] >= 1 and chart["texts"] >= 4, chart
    assert res["emptySvgText"] == 0
    if width >= 1280:
        assert res["tablesScrolling"] == [], "a table is wider than a desktop screen"
    assert res["tables"] == html.count("<table")
    if name == "sector-small":
        assert expected == 0


def test_screenshot_is_not_blank(pages, tmp_path):
    pytest.importorskip("PIL", reason="Pillow (installed with WeasyPrint) reads the screenshot")
    path = tmp_path / "sector.html"
    path.write_text(pages["sector"], encoding="utf-8")
    png = screenshot(path, tmp_path / "sector.png", 1280, 1600)
    share, std = ink(png)
    assert 0.02 < share < 0.6 and std > 20
