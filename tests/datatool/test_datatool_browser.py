"""The datatool in a real browser (Playwright driving Debian's Chromium, no browser download) against
the real server (``wbm datatool serve``, uvicorn): a user picks a view with the form (by its
labels, and with the keyboard alone), reads the table and the chart, follows the permalink,
switches language and downloads CSV, xlsx and SVG; every number shown or downloaded is the
release's, suppressed cells show none, and no request leaves the server.

Needs ``/usr/bin/chromium`` (``scripts/setup.sh --test`` installs Debian's ``chromium``): skipped
with the reason on a developer's machine without it, a failure in CI (``CI`` set), never a silent
skip there."""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.needs_chromium,
    pytest.mark.skipif(
        CHROMIUM is None and not os.environ.get("CI"),
        reason="needs headless Chromium: Debian package 'chromium' "
        "(installed by scripts/setup.sh --test)",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "Chromium is missing: run scripts/setup.sh --test"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield b
        finally:
            b.close()


class Session:
    """One browser tab that records every request and blocks any that leaves the server."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.requests: list[str] = []
        self.context = browser.new_context(accept_downloads=True)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()

    def _route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith(self.base + "/"):
            route.continue_()
        else:
            route.abort()

    def external(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(self.base + "/")]


@pytest.fixture
def tab(browser: Any, server: str) -> Iterator[Session]:
    s = Session(browser, server)
    try:
        yield s
    finally:
        s.context.close()


def _expected(store: Any, url: str) -> dict[str, Any]:
    """The release's payload of the view a URL shows (what the server must have rendered)."""
    from pipeline.datatool import render as R
    from pipeline.datatool.space import parse_view

    params = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    view = parse_view(params, store.choices(), store.default_population())
    return R.payload(store, view) | {"lang": view.lang}


def _table(page: Any) -> list[list[str]]:
    rows = page.locator("#view-table tbody tr")
    return [
        [c.strip() for c in rows.nth(i).locator("td, th").all_inner_texts()]
        for i in range(rows.count())
    ]


def _check_table(page: Any, store: Any, url: str | None = None) -> dict[str, Any]:
    """The rendered table is the release's view (of ``url``, default the page's), cell by cell, in
    the page's language's format."""
    from pipeline.datatool import render as R

    exp = _expected(store, url or page.url)
    lang = exp["lang"]
    shown = _table(page)
    assert len(shown) == len(exp["rows"]) > 0
    for got, r in zip(shown, exp["rows"], strict=True):
        ci = (
            ""
            if r["ci_low"] is None
            else f"{R.number(r['ci_low'], lang)} – {R.number(r['ci_high'], lang)}"
        )
        want = [
            str(r["wave"]),
            r["level_label"],
            r["filter_label"],
            R.number(r["estimate"], lang),
            ci,
            "" if r["n"] is None else str(r["n"]),
            R.FLAG_TEXT[lang][r["flag"]],
            r["text"],
        ]
        assert got == want
        if r["flag"] in ("suppressed", "empty"):
            assert got[3] == got[4] == got[5] == ""  # no number for a suppressed cell
    return exp


def _chart_loaded(page: Any) -> None:
    img = page.locator("figure img")
    assert img.get_attribute("alt").startswith(("Grafiek: ", "Chart: "))
    assert img.evaluate("i => i.complete && i.naturalWidth > 0")  # drawn under the CSP


def test_pick_a_view_read_it_follow_the_permalink_and_download(
    tab: Session, dt_env: dict[str, Any]
) -> None:
    store = dt_env["store"]
    page = tab.page
    page.goto(tab.base + "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h1").count() == 1
    # the three choices of "werkstress in my sector beside Flanders, by age", by their labels
    page.get_by_label("Populatie").select_option("werknemers")
    page.get_by_label("Indicator").select_option("werkstress")
    page.get_by_label("Sector of sectorgroep").select_option("g:industrie")
    page.get_by_label("Uitsplitsing").select_option("age_band")
    with page.expect_navigation():
        page.get_by_role("button", name="Toon").click()
    q = dict(parse_qsl(urlsplit(page.url).query))
    assert (q["indicator"], q["filter"], q["breakdown"]) == (
        "werkstress",
        "g:industrie",
        "age_band",
    )
    exp = _check_table(page, store)
    assert {r["filter"] for r in exp["rows"]} == {"g:industrie", "all"}  # beside Flanders
    assert page.locator("#view-title").inner_text() == exp["title"]
    _chart_loaded(page)
    shown = _table(page)

    # the permalink reproduces the view
    permalink = page.locator("#permalink").get_attribute("href")
    page.goto(tab.base + "/?lang=en")
    with page.expect_navigation():
        page.goto(tab.base + permalink)
    assert _table(page) == shown

    # downloads: CSV, xlsx and SVG carry the same published numbers and nothing suppressed
    with page.expect_download() as d:
        page.locator("#dl-csv").click()
    recs = list(csv.DictReader(io.StringIO(Path(d.value.path()).read_text(encoding="utf-8"))))
    assert d.value.suggested_filename.endswith(".csv")
    assert len(recs) == len(exp["rows"])
    for rec, r in zip(recs, exp["rows"], strict=True):
        assert (rec["wave"], rec["row_level"], rec["filter"]) == (
            str(r["wave"]),
            r["level"],
            r["filter"],
        )
        if r["estimate"] is None:
            assert rec["estimate"] == rec["ci_low"] == rec["n"] == ""
        else:
            assert float(rec["estimate"]) == pytest.approx(r["estimate"], rel=1e-12)
            assert int(rec["n"]) == r["n"]
    with page.expect_download() as d:
        page.locator("#dl-xlsx").click()
    from openpyxl import load_workbook

    assert d.value.suggested_filename.endswith(".xlsx")
    wb = load_workbook(io.BytesIO(Path(d.value.path()).read_bytes()))
    sheet = list(wb["tabel"].iter_rows(values_only=True))
    assert len(sheet) == len(exp["rows"]) + 1
    est = sheet[0].index("estimate")
    for row, r in zip(sheet[1:], exp["rows"], strict=True):
        if r["estimate"] is None:
            assert row[est] in (None, "")
        else:
            assert row[est] == pytest.approx(r["estimate"], rel=1e-12)
    with page.expect_download() as d:
        page.locator("#dl-svg").click()
    svg = Path(d.value.path()).read_text(encoding="utf-8")
    assert svg.startswith("<svg") or "<svg" in svg[:200]
    published = {round(r["estimate"], 9) for r in exp["rows"] if r["estimate"] is not None}
    import re

    for v in re.findall(r'data-value="([^"]+)"', svg):
        assert round(float(v), 9) in published
    with page.expect_download() as d:
        page.locator("#dl-png").click()
    assert d.value.suggested_filename.endswith(".png")
    assert Path(d.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert tab.external() == []


def test_keyboard_alone_and_english(tab: Session, dt_env: dict[str, Any]) -> None:
    """Tab reaches every labelled control in order; arrow keys change a choice; Enter shows it."""
    page = tab.page
    page.goto(tab.base + "/?indicator=werkbaar_werk")
    order = []
    for _ in range(8):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
    controls = ["population", "indicator", "filter", "breakdown", "waves"]
    assert [x for x in order if x in controls] == controls
    assert "BUTTON" in order
    for c in controls:  # every control has a visible label
        assert page.locator(f'label[for="{c}"]').inner_text().strip()
    page.locator("#breakdown").focus()
    before = page.locator("#breakdown").input_value()
    page.keyboard.press("ArrowDown")
    after = page.locator("#breakdown").input_value()
    assert after != before
    page.locator("button[type=submit]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert dict(parse_qsl(urlsplit(page.url).query))["breakdown"] == after
    _check_table(page, dt_env["store"])
    # the other language, from the page's own link
    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_label("Breakdown").input_value() == after
    _check_table(page, dt_env["store"])
    _chart_loaded(page)
    assert tab.external() == []


def test_a_view_with_suppressed_cells_shows_no_number(tab: Session, dt_env: dict[str, Any]) -> None:
    """Find a view of the release with a suppressed cell; the browser shows the flag, no number."""
    from pipeline.datatool.space import View

    store = dt_env["store"]
    rel = dt_env["release"]
    cell = next(
        c
        for cs in rel.cells.values()
        for c in cs
        if c.flag == "suppressed" and c.by not in ("", "sector")
    )
    space = next(iter(rel.spaces.values()))
    view = View(space.population, cell.indicator, cell.by, cell.filter, (cell.wave,))
    tab.page.goto(f"{tab.base}/?{view.query()}")
    exp = _check_table(tab.page, store)
    assert any(r["flag"] == "suppressed" for r in exp["rows"])
    assert tab.external() == []


def test_a_bad_query_is_a_plain_400_page(tab: Session) -> None:
    resp = tab.page.goto(tab.base + "/?indicator=%3Cimg%20src%3Dx%3E")
    assert resp is not None and resp.status == 400
    assert tab.page.locator("[role=alert]").inner_text()
    assert tab.page.locator("img").count() == 0
    assert tab.external() == []


@pytest.mark.parametrize(
    "query",
    [
        "indicator=werkstress&breakdown=age_band&filter=g:industrie",  # lines over the waves
        "indicator=werkbaar_werk&breakdown=&filter=all&waves=2023&lang=en",  # bars
        "indicator=%3Cbad%3E",  # the 400 page
    ],
)
def test_axe_core_finds_no_violation(tab: Session, query: str) -> None:
    """axe-core (the copy bundled in the ``axe-playwright-python`` package, injected by the test,
    never served by the tool): no WCAG 2.x A/AA violation on the page, the table view and the error
    page. Besides: one h1, a language, a label for every control, column headers with a scope."""
    from axe_playwright_python.sync_playwright import Axe

    page = tab.page
    page.goto(f"{tab.base}/?{query}")
    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            "resultTypes": ["violations"],
        },
    )
    violations = results.response["violations"]
    assert violations == [], results.generate_report()
    assert page.locator("html").get_attribute("lang") in ("nl", "en")
    assert page.locator("h1").count() == 1
    for control in page.locator("select").all():
        assert page.locator(f'label[for="{control.get_attribute("id")}"]').count() == 1
    for th in page.locator("thead th").all():
        assert th.get_attribute("scope") == "col"
    assert tab.external() == []


@pytest.fixture
def demo_tab(browser: Any, demo_server: str) -> Iterator[Session]:
    """A tab on the demo's datatool (three populations), started as ``wbm demo --serve`` does."""
    s = Session(browser, demo_server)
    try:
        yield s
    finally:
        s.context.close()


def test_werkstress_in_my_sector_beside_flanders_by_age_since_2016_in_three_choices(
    demo_tab: Session, demo_env: dict[str, Any]
) -> None:
    """The issue's user question on the demo's release (three populations): from the first page,
    three choices (indicator, the sector, the breakdown by age) and "Toon" answer it: every wave
    of the archive since 2016 (here 2019, 2023; the default is every wave), each age band of the
    sector beside Flanders, with the test against Flanders in words."""
    from pipeline.datatool import render as R
    from pipeline.datatool.space import parse_view

    store = demo_env["store"]
    choices = store.choices()

    def published(flt: str) -> int:
        q = [("indicator", "werkstress"), ("filter", flt), ("breakdown", "age_band")]
        rows = R.payload(store, parse_view(q, choices, "werknemers"))["rows"]
        return sum(r["filter"] == flt and r["estimate"] is not None for r in rows)

    # "my sector": the one with the most published cells in this small test release
    sector = max((f for f in choices["werknemers"].filters if f.startswith("s:")), key=published)
    page = demo_tab.page
    page.goto(demo_tab.base + "/")
    assert page.get_by_label("Populatie").input_value() == "werknemers"  # the default
    page.get_by_label("Indicator").select_option("werkstress")  # 1
    page.get_by_label("Sector of sectorgroep").select_option(sector)  # 2
    page.get_by_label("Uitsplitsing").select_option("age_band")  # 3
    with page.expect_navigation():
        page.get_by_role("button", name="Toon").click()
    exp = _check_table(page, store)
    waves = store.choices()["werknemers"].waves
    assert {r["wave"] for r in exp["rows"]} == {w for w in waves if w >= 2016}
    ages = {r["level"] for r in exp["rows"] if r["level"] not in ("", "missing")}
    assert len(ages) >= 3
    for w in waves:  # per wave and age band: the sector and Flanders
        for a in ages:
            where = {r["filter"] for r in exp["rows"] if r["wave"] == w and r["level"] == a}
            assert where == {sector, "all"}, (w, a, where)
    tested = [r for r in exp["rows"] if r["filter"] == sector and r["estimate"] is not None]
    assert tested and any("Vlaanderen" in r["text"] for r in tested)
    _chart_loaded(page)
    assert demo_tab.external() == []


def test_the_user_picks_the_population_in_the_page(
    demo_tab: Session, demo_env: dict[str, Any]
) -> None:
    """From an employees' view to the self-employed and the enterprises with the form alone: the
    choices they do not have are reset (and said), their own indicators and breakdowns are
    offered, and the table is the release's."""
    store = demo_env["store"]
    page = demo_tab.page
    page.goto(demo_tab.base + "/?indicator=werkstress&filter=g:industrie&breakdown=age_band")
    page.get_by_label("Populatie").select_option("zelfstandigen")
    with page.expect_navigation():
        page.get_by_role("button", name="Toon").click()
    assert page.get_by_label("Populatie").input_value() == "zelfstandigen"
    assert page.locator("#adjusted").inner_text()
    assert page.get_by_label("Indicator").input_value() == "werkstress"  # kept: they have it
    permalink = page.locator("#permalink").get_attribute("href")
    assert "filter=all" in permalink  # the view shown, not the query the form sent
    _check_table(page, store, demo_tab.base + permalink)
    page.get_by_label("Uitsplitsing").select_option("occupation_group")
    with page.expect_navigation():
        page.get_by_role("button", name="Toon").click()
    assert page.locator("#adjusted").count() == 0
    _check_table(page, store)
    # their own filter: an occupational group, by age, beside all the self-employed
    page.get_by_label("Uitsplitsing").select_option("age_band")
    page.get_by_label("Beroepsgroep", exact=True).select_option("occupation_group:4")
    with page.expect_navigation():
        page.get_by_role("button", name="Toon").click()
    exp = _check_table(page, store)
    assert {r["filter"] for r in exp["rows"]} == {"occupation_group:4", "all"}
    page.get_by_label("Populatie").select_option("ondernemingen")
    with page.expect_navigation():
        page.get_by_role("button", name="Toon").click()
    assert "beroepsgroep" in page.locator("#adjusted").inner_text()  # the filter they lack
    offered = page.locator("#indicator option").evaluate_all("os => os.map(o => o.value)")
    assert set(offered) == set(store.choices()["ondernemingen"].indicators)
    page.get_by_label("Indicator").select_option("lage_digitalisering")
    page.get_by_label("Uitsplitsing").select_option("size_class")
    page.get_by_label("Sectorgroep", exact=True).select_option("sector_group:2")
    with page.expect_navigation():
        page.get_by_role("button", name="Toon").click()
    exp = _check_table(page, store)
    assert {r["wave"] for r in exp["rows"]} == {2025}
    assert {r["filter"] for r in exp["rows"]} == {"sector_group:2", "all"}
    _chart_loaded(page)
    assert demo_tab.external() == []
