"""PDF reports via WeasyPrint (imported only when a PDF is made; optional dependency ``[pdf]``).

The HTML of a report is rendered without its inline stylesheet (``embed_css=False``) and one
:class:`PdfRenderer` adds the same parsed ``reports/wbm.css`` and font configuration to every page,
so a batch of reports parses the CSS and loads the fonts once. The print part of the CSS gives page
numbers ("pagina 3 van 7", ``@page`` counters), a table of contents with page numbers
(``target-counter``), repeated table headers and no table row split over two pages.

PDF bytes are deterministic: WeasyPrint writes no creation date unless the HTML asks for one, and
the document identifier is derived from the content.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError, Problem
from pipeline.fileio import write_bytes
from pipeline.reports.render import css_text

#: Tagged PDF (PDF/UA-1): structure tags, the document language from ``<html lang>`` and the title
#: from ``<title>`` shown as the window title (``pdfinfo``: "Tagged: yes").
PDF_VARIANT = "pdf/ua-1"


def weasyprint_module() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: pango/cairo libraries missing
        raise PipelineError(
            f"PDF reports need WeasyPrint, which cannot be loaded ({exc})",
            [
                Problem(
                    "weasyprint cannot be imported",
                    hint="pip install 'wbm-pipeline[pdf]' (needs the pango "
                    "libraries; fonts: Debian fonts-dejavu-core)",
                )
            ],
            code="no_weasyprint",
        ) from exc
    return weasyprint


class PdfRenderer:
    """Renders report HTML to PDF with one shared font configuration and parsed stylesheet."""

    def __init__(self, css: str | None = None) -> None:
        wp = weasyprint_module()
        from weasyprint.text.fonts import FontConfiguration

        self._wp = wp
        self.fonts = FontConfiguration()
        self.stylesheet = wp.CSS(
            string=css if css is not None else css_text(), font_config=self.fonts
        )

    def document(self, html: str) -> Any:
        """The laid-out WeasyPrint document (pages and boxes), e.g. to check page breaks."""
        return self._wp.HTML(string=html, base_url=None).render(
            stylesheets=[self.stylesheet], font_config=self.fonts
        )

    def pdf_bytes(self, html: str) -> bytes:
        data = self.document(html).write_pdf(pdf_variant=PDF_VARIANT)
        assert isinstance(data, bytes)
        return data

    def write(self, html: str, target: str | Path) -> Path:
        return write_bytes(target, self.pdf_bytes(html))


@functools.lru_cache(maxsize=1)
def shared_renderer() -> PdfRenderer:
    """One renderer per process (a worker of a process pool keeps its own)."""
    return PdfRenderer()
