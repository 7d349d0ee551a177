"""Inline SVG charts for the reports: horizontal bars with CI whiskers and a Flanders reference mark.

matplotlib is imported only when a chart is drawn (never at import time), through its object API
(no pyplot, no global backend switch). The SVG is deterministic: a fixed hash salt per chart (which
also keeps element ids unique when several charts share one HTML page), no date in the metadata,
text kept as text (``svg.fonttype='none'``). Each SVG gets ``role="img"``, a ``<title>`` and a
``<desc>`` for screen readers.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

SECTOR_COLOUR = "#3b6ea8"
ACUTE_COLOUR = "#16365c"
WHISKER_COLOUR = "#222222"
REFERENCE_COLOUR = "#d9480f"


@dataclass(frozen=True)
class Bar:
    """One bar; numbers in percent (0-100). ``value`` None: nothing to show (suppressed/missing)."""

    label: str
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    acute: float | None = None  # drawn as a darker part of the bar
    reference: float | None = None  # Flanders
    unreliable: bool = False
    marked: bool = False  # significantly different from Flanders


@dataclass(frozen=True)
class BarChart:
    chart_id: str  # unique within a page; also the hash salt
    title: str
    desc: str  # text alternative: what the chart shows, with the numbers
    bars: tuple[Bar, ...]
    series_label: str = "sector"
    reference_label: str = "Vlaanderen"
    acute_label: str = "waarvan acuut"
    missing_text: str = "– (niet gepubliceerd)"
    unreliable_label: str = "onbetrouwbaar"
    ci_label: str = "95%-BI"


def _axis_max(bars: Sequence[Bar]) -> float:
    top = max([b.ci_high or b.value or 0.0 for b in bars] + [b.reference or 0.0 for b in bars] + [10.0])
    return float(min(100.0, 10.0 * (int(top * 1.1 / 10.0) + 1)))


def render_bar_chart(chart: BarChart) -> str:
    """The chart as an inline ``<svg>`` element (no XML prolog), deterministic bytes."""
    import matplotlib
    from matplotlib.artist import Artist
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    bars = chart.bars
    with matplotlib.rc_context({"svg.hashsalt": f"wbm-{chart.chart_id}", "svg.fonttype": "none",
                                "font.family": "DejaVu Sans", "font.size": 9.0, "axes.unicode_minus": False}):
        fig = Figure(figsize=(7.0, 0.42 * len(bars) + 1.1), layout="constrained")
        FigureCanvasSVG(fig)
        ax = fig.add_subplot()
        xmax = _axis_max(bars)
        ys = list(range(len(bars)))[::-1]
        has_acute = any(b.acute is not None for b in bars)
        has_ref = any(b.reference is not None for b in bars)
        for y, b in zip(ys, bars, strict=True):
            if b.value is None:
                ax.text(0.5, y, chart.missing_text, va="center", ha="left", color="#555555")
                continue
            ax.barh(y, b.value, height=0.6, color=SECTOR_COLOUR, alpha=0.55 if b.unreliable else 1.0,
                    hatch="//" if b.unreliable else None, edgecolor="white", linewidth=0)
            if b.acute is not None:
                ax.barh(y, b.acute, height=0.6, color=ACUTE_COLOUR, alpha=0.55 if b.unreliable else 1.0, linewidth=0)
            if b.ci_low is not None and b.ci_high is not None:
                ax.errorbar([b.value], [y], xerr=[[max(b.value - b.ci_low, 0.0)], [max(b.ci_high - b.value, 0.0)]],
                            fmt="none", ecolor=WHISKER_COLOUR, elinewidth=1.0, capsize=3)
            if b.reference is not None:
                ax.plot([b.reference, b.reference], [y - 0.42, y + 0.42], color=REFERENCE_COLOUR, linewidth=2.2)
        ax.set_yticks(ys, [b.label + (" *" if b.marked else "") for b in bars])
        ax.set_ylim(-0.6, len(bars) - 0.4)
        ax.set_xlim(0.0, xmax)
        ax.xaxis.set_major_locator(MultipleLocator(20.0 if xmax > 50 else 10.0))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{int(round(x))}%"))
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        handles: list[Artist] = [Patch(color=SECTOR_COLOUR, label=chart.series_label)]
        if has_acute:
            handles.append(Patch(color=ACUTE_COLOUR, label=chart.acute_label))
        if has_ref:
            handles.append(Line2D([0], [0], color=REFERENCE_COLOUR, linewidth=2.2, label=chart.reference_label))
        if any(b.unreliable and b.value is not None for b in bars):
            handles.append(Patch(facecolor=SECTOR_COLOUR, alpha=0.55, hatch="//", edgecolor="white", label=chart.unreliable_label))
        handles.append(Line2D([0], [0], color=WHISKER_COLOUR, linewidth=1.0, label=chart.ci_label))
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False, fontsize=8)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return _accessible(buf.getvalue(), chart)


_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_IDS = re.compile(r'(\bid="|url\(#|xlink:href="#)')
_SIZE = re.compile(r'<svg([^>]*?) width="[^"]*" height="[^"]*"')


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _accessible(svg: str, chart: BarChart) -> str:
    svg = _PROLOG.sub("", svg, count=1)
    svg = _METADATA.sub("", svg, count=1)
    svg = _SIZE.sub(r'<svg\1 width="100%"', svg, count=1)
    cid = chart.chart_id
    # several charts share one page: make matplotlib's element ids (figure_1, axes_1, ...) unique
    svg = _IDS.sub(lambda m: f'{m.group(1)}{cid}-', svg)
    head_end = svg.index(">", svg.index("<svg")) + 1
    opening = svg[:head_end].replace(
        "<svg", f'<svg role="img" aria-labelledby="{cid}-title {cid}-desc" class="chart"', 1)
    a11y = f'\n <title id="{cid}-title">{_escape(chart.title)}</title>\n <desc id="{cid}-desc">{_escape(chart.desc)}</desc>'
    return opening + a11y + svg[head_end:].rstrip() + "\n"
