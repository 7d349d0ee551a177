"""The PDF reports as printed pages: WeasyPrint's layout (no table row split over two pages, the
table of contents' page numbers are the pages the sections start on), and poppler's view of the file
(page count, every page converted to PNG and not blank, "pagina N van M" on each page)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.reports.report import load_estimates, render_domain_report

from .reports_browser import PDFINFO, PDFTOPPM, ink, pdf_pages, pdf_to_pngs
from .reports_fixtures import SUPPRESSED_GROUP

weasyprint = pytest.importorskip("weasyprint", reason="PDF reports need WeasyPrint (extra 'pdf')")
needs_poppler = pytest.mark.skipif(
    PDFTOPPM is None or PDFINFO is None or shutil.which("pdftotext") is None,
    reason="needs poppler-utils (pdftoppm, pdfinfo, pdftotext; scripts/setup.sh --test)",
)


@pytest.fixture(scope="module")
def renderer():
    from pipeline.reports.pdf import PdfRenderer

    return PdfRenderer()


@pytest.fixture(scope="module")
def rendered(q, table, ctx, renderer, tmp_path_factory) -> dict[str, tuple[Path, object]]:
    """(pdf path, laid-out WeasyPrint document) of a full sector report and of a sector too small."""
    est = load_estimates(table, q, ctx)
    out = tmp_path_factory.mktemp("pdf")
    docs = {}
    for name, code in (("sector", 5), ("small", SUPPRESSED_GROUP)):
        doc = renderer.document(render_domain_report(est, q, code, context=ctx, embed_css=False))
        path = out / f"{name}.pdf"
        path.write_bytes(doc.write_pdf())
        docs[name] = (path, doc)
    return docs


def _rows_per_page(doc) -> tuple[list[set[int]], list[set[int]]]:
    """Per page, the ids of the body-row and of the header-row elements with a box on it."""
    body, head = [], []
    for page in doc.pages:
        b: set[int] = set()
        h: set[int] = set()
        stack = [(page._page_box, False)]
        while stack:
            box, in_head = stack.pop()
            kind = type(box).__name__
            in_head = in_head or (
                kind == "TableRowGroupBox" and bool(getattr(box, "is_header", False))
            )
            if kind == "TableRowBox" and box.element is not None:
                (h if in_head else b).add(id(box.element))
            stack.extend((c, in_head) for c in getattr(box, "children", ()))
        body.append(b)
        head.append(h)
    return body, head


def test_no_table_row_is_split_over_two_pages(rendered):
    _path, doc = rendered["sector"]
    body, _head = _rows_per_page(doc)
    assert len(body) >= 4 and all(body)
    for a, b in zip(body, body[1:], strict=False):
        assert not a & b, "a table row continues on the next page"


def test_table_header_repeated_when_a_table_goes_on(renderer):
    rows = "".join(
        f"<tr><th scope='row'>rij {i}</th><td class='num'>{i}</td></tr>" for i in range(160)
    )
    html = (
        f"<html lang='nl'><body><table class='figures'><caption>Lang</caption><thead><tr><th>kop</th><th>n</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></body></html>"
    )
    doc = renderer.document(html)
    body, head = _rows_per_page(doc)
    assert len(doc.pages) >= 2
    assert (
        all(len(h) == 1 for h in head) and len(set().union(*head)) == 1
    )  # the same header on every page
    for a, b in zip(body, body[1:], strict=False):
        assert not a & b


def test_table_of_contents_points_to_the_right_pages(rendered):
    path, doc = rendered["sector"]
    where = {}
    for i, page in enumerate(doc.pages, start=1):
        for anchor in page.anchors:
            where.setdefault(anchor, i)
    text = (
        subprocess.run(
            ["pdftotext", "-layout", "-f", "1", "-l", "1", str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        if shutil.which("pdftotext")
        else ""
    )
    if not text:
        pytest.skip("pdftotext not installed")
    toc = dict(re.findall(r"^(\S[^.\n]*?)\s*\.{4,}\s*(\d+)\s*$", text, re.M))
    expected = {
        "Samenvatting": "samenvatting",
        "Aantal knelpunten": "aantal-knelpunten",
        "Risicoprofiel": "risicoprofiel",
        "Uitsplitsingen binnen de sector": "uitsplitsingen",
        "Extra thema's": "modules",
        "Methoden en leeswijzer": "methoden",
    }
    assert set(toc) == set(expected), toc
    for title, anchor in expected.items():
        assert int(toc[title]) == where[anchor], (title, toc[title], where[anchor])
    assert where["samenvatting"] == 1  # the summary is page 1 ...
    assert where["aantal-knelpunten"] == 2  # ... and fits on it
    assert where["risicoprofiel"] in (2, 3)


@needs_poppler
@pytest.mark.parametrize("name", ["sector", "small"])
def test_pages_as_images(rendered, name, tmp_path):
    path, doc = rendered[name]
    n = pdf_pages(path)
    assert n == len(doc.pages) and n >= (4 if name == "sector" else 2)
    pngs = pdf_to_pngs(path, tmp_path, dpi=30)
    assert len(pngs) == n
    for png in pngs:
        share, std = ink(png)
        assert share > 0.004 and std > 5, (png.name, share, std)  # not a blank page
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for i in range(1, n + 1):
        assert f"pagina {i} van {n}" in text


def test_small_sector_pdf_says_so(rendered):
    path, _doc = rendered["small"]
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed")
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert (
        "Geen cijfers voor deze sector" in text
        and "%" not in text.split("Methoden en leeswijzer")[0].split("Inhoud")[1]
    )


def test_pdf_bytes_are_deterministic(q, table, ctx, renderer):
    est = load_estimates(table, q, ctx)
    html = render_domain_report(est, q, SUPPRESSED_GROUP, context=ctx, embed_css=False)
    assert renderer.pdf_bytes(html) == renderer.pdf_bytes(html)


@needs_poppler
def test_pdf_is_tagged_with_title_and_language(renderer, q, table, ctx, tmp_path):
    """PDF/UA: pdfinfo says Tagged: yes, the title is the report's title, the catalogue has /Lang."""
    import zlib

    html = render_domain_report(load_estimates(table, q, ctx), q, 5, context=ctx, embed_css=False)
    path = tmp_path / "tagged.pdf"
    data = renderer.pdf_bytes(html)
    path.write_bytes(data)
    info = subprocess.run([PDFINFO, str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.M), info
    assert re.search(r"^Title:\s+Werkbaarheid in de ", info, re.M), info
    streams = [data]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            streams.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    assert any(b"/Lang (nl)" in s for s in streams)
    assert renderer.pdf_bytes(html) == data  # still deterministic
