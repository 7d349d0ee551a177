"""Looking at a report as a reader does: headless Chromium (Debian ``chromium``) and poppler
(``pdftoppm``, ``pdfinfo``), driven by their command lines (no browser download, no network).

The browser check loads a copy of the page with a small script added at the end of ``<body>``; it
measures the laid-out page and writes the result as JSON into the DOM, which ``--dump-dom`` returns.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
)
PDFTOPPM = shutil.which("pdftoppm")
PDFINFO = shutil.which("pdfinfo")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--mute-audio",
    "--disable-extensions",
)

CHECK_SCRIPT = r"""<script>
(function () {
  var de = document.documentElement, W = de.clientWidth, all = Array.prototype.slice;
  var res = {width: W, scrollWidth: de.scrollWidth};
  var imgs = all.call(document.images);
  res.images = imgs.length;
  res.brokenImages = imgs.filter(function (i) { return !i.complete || i.naturalWidth === 0; }).length;
  res.figures = document.querySelectorAll('figure.chart').length;
  res.charts = all.call(document.querySelectorAll('figure.chart')).map(function (f) {
    var s = f.querySelector('svg');
    if (!s) { return null; }
    var r = s.getBoundingClientRect();
    return {id: f.id, width: Math.round(r.width), height: Math.round(r.height), right: Math.round(r.right),
            rects: s.querySelectorAll('rect').length, texts: s.querySelectorAll('text').length};
  });
  res.emptySvgText = all.call(document.querySelectorAll('svg text')).filter(function (t) {
    return t.textContent.trim() !== '' && t.getComputedTextLength() === 0; }).length;
  var wraps = all.call(document.querySelectorAll('.table-wrap'));
  res.tables = document.querySelectorAll('table').length;
  res.tablesScrolling = wraps.filter(function (w) { return w.scrollWidth > w.clientWidth + 1; }).map(function (w) {
    var c = w.querySelector('caption');
    return (c ? c.textContent.slice(0, 60) : '?') + ' (' + w.scrollWidth + ' > ' + w.clientWidth + ')'; });
  var over = [];
  all.call(document.querySelectorAll('body *')).forEach(function (el) {
    if (el.closest('.table-wrap') || el.closest('svg')) { return; }
    var r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > W + 1) { over.push(el.tagName + '.' + el.className + '#' + el.id); }
  });
  res.overflowing = over.slice(0, 10);
  var pre = document.createElement('pre');
  pre.id = 'wbm-check';
  pre.textContent = JSON.stringify(res);
  (window.parent !== window ? window.parent.document : document).body.appendChild(pre);
})();
</script>
"""


def _chromium(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="wbm-chromium-") as profile:
        return subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


MIN_WINDOW = 500  # headless Chromium does not make a window narrower than this


def browser_check(
    html: str, workdir: Path, width: int = 1280, height: int = 900, name: str = "page"
) -> dict:
    """Lay the page out in a viewport ``width`` x ``height`` and return the measurements (see
    CHECK_SCRIPT). Narrower than a headless window can be (a phone), the page is loaded in an
    ``<iframe srcdoc>`` of that width, whose script reports to the outer page."""
    page = html.replace("</body>", CHECK_SCRIPT + "</body>", 1)
    if width < MIN_WINDOW:
        srcdoc = page.replace("&", "&amp;").replace('"', "&quot;")
        page = (
            f'<!DOCTYPE html><html><body style="margin:0"><iframe style="border:0;width:{width}px;height:{height}px" '
            f'srcdoc="{srcdoc}"></iframe></body></html>'
        )
    path = workdir / f"{name}-{width}.html"
    path.write_text(page, encoding="utf-8")
    size = f"{width},{height}" if width >= MIN_WINDOW else f"{MIN_WINDOW + 40},{height + 40}"
    proc = _chromium([f"--window-size={size}", "--dump-dom", path.as_uri()])
    m = re.search(r'<pre id="wbm-check">(.*?)</pre>', proc.stdout, re.S)
    assert m, f"no check result from chromium (exit {proc.returncode}): {proc.stderr[-2000:]}"
    return json.loads(
        m.group(1)
        .replace("&quot;", '"')
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
    )


def screenshot(html_path: Path, png: Path, width: int = 1280, height: int = 2400) -> Path:
    proc = _chromium([f"--window-size={width},{height}", f"--screenshot={png}", html_path.as_uri()])
    assert png.exists() and png.stat().st_size > 0, proc.stderr[-2000:]
    return png


def pdf_pages(pdf: Path) -> int:
    assert PDFINFO is not None
    out = subprocess.run([PDFINFO, str(pdf)], capture_output=True, text=True, check=True).stdout
    m = re.search(r"^Pages:\s+(\d+)", out, re.M)
    assert m, out
    return int(m.group(1))


def pdf_to_pngs(pdf: Path, out_dir: Path, dpi: int = 30) -> list[Path]:
    assert PDFTOPPM is not None
    subprocess.run(
        [PDFTOPPM, "-r", str(dpi), "-png", str(pdf), str(out_dir / pdf.stem)],
        check=True,
        capture_output=True,
    )
    return sorted(out_dir.glob(f"{pdf.stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def ink(png: Path) -> tuple[float, float]:
    """(share of non-white pixels, pixel standard deviation) of a page image."""
    import numpy as np
    from PIL import Image

    with Image.open(png) as im:
        a = np.asarray(im.convert("L"), dtype=np.float64)
    return float((a < 200).mean()), float(a.std())


#: A4 and the report's page margins (``@page`` in reports/wbm.css), in millimetres.
PAGE_MM = 297.0
MARGIN_TOP_MM, MARGIN_BOTTOM_MM = 16.0, 18.0


def page_fill(png: Path) -> float:
    """How much of the page's content area (between the top and bottom margins, so without the
    running footer) is used: from the top of the area down to its last row with ink, as a share of
    the area's height (0: empty, 1: written to the bottom)."""
    import numpy as np
    from PIL import Image

    with Image.open(png) as im:
        a = np.asarray(im.convert("L"), dtype=np.float64)
    px = a.shape[0] / PAGE_MM
    top, bottom = round(MARGIN_TOP_MM * px), a.shape[0] - round(MARGIN_BOTTOM_MM * px)
    rows = np.flatnonzero((a[top:bottom] < 200).any(axis=1))
    return 0.0 if rows.size == 0 else float((rows[-1] + 1) / (bottom - top))


def pdf_fills(pdf: Path, out_dir: Path, dpi: int = 30) -> list[float]:
    """:func:`page_fill` of every page of ``pdf``."""
    return [page_fill(p) for p in pdf_to_pngs(pdf, out_dir, dpi=dpi)]
