"""The printed report (issue 19, "Print"): no page but the last filled less than a third of its
height (measured on the page images, poppler's ``pdftoppm``), no table that leaves a lone row on a
page, and a chart on the same page as its table (the ``.keep`` blocks). Checked on the hand-made
reports of every kind and, marked slow, on every report of the small demo."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pipeline.reports.enterprise import render_enterprise_report
from pipeline.reports.overview import render_overview_report
from pipeline.reports.report import load_estimates, render_domain_report
from pipeline.rundata import layout

from .reports_browser import PDFINFO, PDFTOPPM, page_fill, pdf_fills
from .reports_fixtures import CTX, SUPPRESSED_GROUP, UNRELIABLE_GROUP

weasyprint = pytest.importorskip("weasyprint", reason="PDF reports need WeasyPrint (extra 'pdf')")
pytestmark = pytest.mark.skipif(
    PDFTOPPM is None or PDFINFO is None,
    reason="needs poppler-utils (pdftoppm, pdfinfo; scripts/setup.sh --test)",
)
MIN_FILL = 1 / 3  # every page but the last
MIN_ROWS = 2  # rows of a table on a page where the table starts or ends


@pytest.fixture(scope="module")
def renderer():
    from pipeline.reports.pdf import PdfRenderer

    return PdfRenderer()


@pytest.fixture(scope="module")
def printed(q, table, ctx, q_self, table_self, q_oe, table_oe, renderer, tmp_path_factory):
    """name -> (pdf path, laid-out document) of a report of every kind."""
    est = load_estimates(table, q, ctx)
    html = {
        "sector": render_domain_report(est, q, 5, context=ctx, embed_css=False),
        "sector-small": render_domain_report(
            est, q, SUPPRESSED_GROUP, context=ctx, embed_css=False
        ),
        "sector-unreliable": render_domain_report(
            est, q, UNRELIABLE_GROUP, context=ctx, embed_css=False
        ),
        "overview": render_overview_report(est, q, context=ctx, embed_css=False),
        "self-employed": render_domain_report(table_self, q_self, 2, context=CTX, embed_css=False),
        "enterprise": render_enterprise_report(
            table_oe, q_oe, context=replace(CTX, counts_by_mode=(("cati", 1650),)), embed_css=False
        ),
    }
    out = tmp_path_factory.mktemp("print")
    docs = {}
    for name, page in html.items():
        doc = renderer.document(page)
        path = out / f"{name}.pdf"
        path.write_bytes(doc.write_pdf())
        docs[name] = (path, doc)
    return docs


def _boxes(page) -> list[tuple[Any, int | None, bool]]:
    """Every box of a page with the id of its table element and whether it is in a header or footer
    row group."""
    out: list[tuple[Any, int | None, bool]] = []
    stack: list[tuple[Any, int | None, bool]] = [(page._page_box, None, False)]
    while stack:
        box, table, head = stack.pop()
        kind = type(box).__name__
        if kind == "TableBox" and box.element is not None:
            table = id(box.element)
        if kind == "TableRowGroupBox":
            head = head or bool(
                getattr(box, "is_header", False) or getattr(box, "is_footer", False)
            )
        out.append((box, table, head))
        stack.extend((c, table, head) for c in getattr(box, "children", ()))
    return out


def _classes(box) -> set[str]:
    el = getattr(box, "element", None)
    return set((el.get("class") or "").split()) if el is not None else set()


def layout_problems(doc) -> list[str]:
    """Tables that leave fewer than MIN_ROWS body rows on a page they start or end on, and ``.keep``
    blocks (a chart with its table) spread over two pages although they fit on one."""
    rows: dict[int, list[int]] = {}  # table element -> body rows per page
    keep_pages: dict[int, list[int]] = {}
    keep_height: dict[int, float] = {}
    page_height = doc.pages[0].height if doc.pages else 0
    for i, page in enumerate(doc.pages):
        per_table: dict[int, int] = {}
        for box, table, head in _boxes(page):
            if type(box).__name__ == "TableRowBox" and table is not None and not head:
                per_table[table] = per_table.get(table, 0) + 1
            if "keep" in _classes(box) and box.element is not None:
                pages = keep_pages.setdefault(id(box.element), [])
                if i not in pages:
                    pages.append(i)
                keep_height[id(box.element)] = keep_height.get(id(box.element), 0) + box.height
        for table, n in per_table.items():
            rows.setdefault(table, []).append(n)
    problems = chart_apart_from_table(doc)
    for counts in rows.values():
        if len(counts) > 1 and (counts[0] < MIN_ROWS or counts[-1] < MIN_ROWS):
            problems.append(f"a table split {counts} rows over pages")
    for el, pages in keep_pages.items():
        if len(pages) > 1 and keep_height[el] < 0.8 * page_height:
            problems.append(f"a chart and its table on pages {[p + 1 for p in pages]}")
    return problems


def chart_apart_from_table(doc) -> list[str]:
    """A chart (``figure.chart``) whose table (the ``.table-wrap`` right after it) starts on
    another page than the one the chart ends on, although both fit on one page together."""
    pages_of: dict[int, list[int]] = {}
    height: dict[int, float] = {}
    root = None
    for i, page in enumerate(doc.pages):
        for box, _table, _head in _boxes(page):
            el = getattr(box, "element", None)
            if el is None:
                continue
            if root is None and el.tag == "html":
                root = el
            if {"chart", "table-wrap"} & _classes(box):
                pages = pages_of.setdefault(id(el), [])
                if i not in pages:
                    pages.append(i)
                height[id(el)] = height.get(id(el), 0.0) + box.margin_height()
    problems: list[str] = []
    if root is None:
        return problems
    area = doc.pages[0]._page_box.height  # the content area: both together must fit in it
    for parent in root.iter():
        kids = list(parent)
        for a, b in zip(kids, kids[1:], strict=False):
            if (
                "chart" in (a.get("class") or "").split()
                and "table-wrap" in (b.get("class") or "").split()
            ):
                pa, pb = pages_of.get(id(a)), pages_of.get(id(b))
                fits = height.get(id(a), 0.0) + height.get(id(b), 0.0) < area
                if pa and pb and max(pa) != min(pb) and fits:
                    problems.append(
                        f"a chart on page {max(pa) + 1}, its table on page {min(pb) + 1}"
                    )
    return problems


# ---- the measure can fail ----


def test_page_fill_measures_the_content_area(tmp_path):
    from PIL import Image, ImageDraw

    w, h = 248, 351  # A4 at 30 dpi
    for share in (0.1, 0.5, 0.9):
        im = Image.new("L", (w, h), 255)
        top = round(16 / 297 * h)
        area = h - top - round(18 / 297 * h)
        ImageDraw.Draw(im).rectangle((20, top + 2, 200, top + round(share * area) - 1), fill=0)
        ImageDraw.Draw(im).text((20, h - 12), "pagina 1 van 2", fill=0)  # the footer does not count
        im.save(tmp_path / "p.png")
        assert page_fill(tmp_path / "p.png") == pytest.approx(share, abs=0.01)
    Image.new("L", (w, h), 255).save(tmp_path / "blank.png")
    assert page_fill(tmp_path / "blank.png") == 0.0


def test_a_forced_page_break_is_caught(renderer, tmp_path):
    """A page with two lines and then a forced break: the check would fail on it."""
    html = (
        "<html lang='nl'><body><p>Eén regel.</p><p style='break-after: page'>Nog een.</p>"
        + "<p>tekst</p>" * 40
        + "</body></html>"
    )
    path = tmp_path / "forced.pdf"
    path.write_bytes(renderer.pdf_bytes(html))
    fills = pdf_fills(path, tmp_path)
    assert len(fills) >= 2 and fills[0] < MIN_FILL


def test_a_chart_apart_from_its_table_is_caught(renderer):
    html = (
        "<html lang='nl'><body><div style='height: 200mm'>x</div>"
        "<figure class='chart' style='height: 50mm; margin: 0'>grafiek</figure>"
        "<div class='table-wrap' style='break-before: page'><table><tbody><tr><td>1</td></tr>"
        "</tbody></table></div></body></html>"
    )
    doc = renderer.document(html)
    assert chart_apart_from_table(doc) == ["a chart on page 1, its table on page 2"]


def test_a_lone_row_is_caught(renderer):
    rows = "".join(f"<tr><td>rij {i}</td></tr>" for i in range(20))
    html = (
        "<html lang='nl'><body><div style='height: 256mm'>x</div><table><tbody>"
        f"{rows}</tbody></table></body></html>"
    )
    doc = renderer.document(html)
    assert any("split" in p for p in layout_problems(doc))


# ---- the reports ----


@pytest.mark.parametrize(
    "name",
    ["sector", "sector-small", "sector-unreliable", "overview", "self-employed", "enterprise"],
)
def test_no_near_empty_page_no_lone_row(printed, name, tmp_path):
    path, doc = printed[name]
    fills = pdf_fills(path, tmp_path)
    assert len(fills) == len(doc.pages)
    low = [(i + 1, round(f, 2)) for i, f in enumerate(fills[:-1]) if f < MIN_FILL]
    assert not low, f"pages filled less than a third: {low} (fills {[round(f, 2) for f in fills]})"
    assert layout_problems(doc) == []


@pytest.mark.slow
def test_every_demo_report_prints_without_near_empty_pages(small_run_dir: Path, renderer, tmp_path):
    reports = sorted((layout.stage_dir(small_run_dir, "outputs") / "reports").glob("*.html"))
    assert len(reports) >= 10
    found = {}
    for html in reports:
        doc = renderer.document(html.read_text(encoding="utf-8"))
        path = tmp_path / f"{html.stem}.pdf"
        path.write_bytes(doc.write_pdf())
        fills = pdf_fills(path, tmp_path)
        low = [(i + 1, round(f, 2)) for i, f in enumerate(fills[:-1]) if f < MIN_FILL]
        bad = low + layout_problems(doc)
        if bad:
            found[html.name] = bad
        for png in tmp_path.glob("*.png"):
            png.unlink()
    assert not found, found
