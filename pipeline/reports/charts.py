"""Inline SVG charts for the reports: horizontal bars with CI whiskers and a Flanders reference mark.

The SVG is written directly (no plotting library): a few rectangles, lines and texts in a fixed
``viewBox``, so a chart costs well under a millisecond, the bytes are deterministic, text stays
text (searchable, selectable, readable by screen readers) and WeasyPrint draws it quickly in a PDF.
Each SVG gets ``role="img"``, a ``<title>`` and a ``<desc>`` (the text alternative, with the
numbers); element ids start with the chart id, so several charts can share one page.

Numbers are formatted by the caller (``Bar.value_text``): the chart only positions them, so a
number on a bar is the very text of the table cell it came from (and carries its ``data-key``).
"""

from __future__ import annotations

from dataclasses import dataclass

GOOD_COLOUR = "#1a7f37"  # a significant difference that is good for workers
BAD_COLOUR = "#b42318"  # one that is bad for them
SECTOR_COLOUR = "#3b6ea8"  # the group's bar (problem incl. acute)
ACUTE_COLOUR = "#16365c"  # the acute part of the bar
WHISKER_COLOUR = "#222222"
REFERENCE_COLOUR = "#d9480f"  # Flanders
GRID_COLOUR = "#dddddd"
TEXT_COLOUR = "#1f2328"
MUTED_COLOUR = "#555555"

WIDTH = 680.0
FONT = 12.0
SMALL = 11.0
ROW = 27.0
BAR = 15.0
CHAR_W = 0.58  # average glyph width of DejaVu Sans in em (to size the label column)
FONT_FAMILY = "DejaVu Sans, Segoe UI, Arial, sans-serif"


@dataclass(frozen=True)
class Bar:
    """One bar; numbers in the chart's unit (percent 0-100 for shares). ``value`` None: nothing to
    draw (suppressed or missing), the bar says so instead."""

    label: str
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    acute: float | None = None  # drawn as a darker part of the bar
    reference: float | None = None  # Flanders
    unreliable: bool = False
    marked: bool = False  # significantly different from the rest of Flanders
    tone: str = ""  # "gunstig" / "ongunstig": the mark's colour (better / worse); "": neutral
    value_text: str = ""  # the number as the table writes it ("36,1"); empty: no number on the bar
    unit: str = ""  # written after the number ("%")
    key: str = ""  # the data-key of the number (indicator|by|level) for tracing
    field: str = "value"  # the data-field of the number


@dataclass(frozen=True)
class BarChart:
    chart_id: str  # unique within a page; prefix of every element id
    title: str
    desc: str  # text alternative: what the chart shows, with the numbers
    bars: tuple[Bar, ...]
    series_label: str = "sector"
    reference_label: str = "Vlaanderen"
    acute_label: str = "waarvan acuut"
    missing_text: str = "– (niet gepubliceerd)"
    unreliable_label: str = "onbetrouwbaar"
    ci_label: str = "95%-BI"
    percent: bool = True  # axis in percent (0-100) or plain numbers
    axis_max: float | None = None  # default: from the data


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _n(x: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros (deterministic text)."""
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _axis_max(chart: BarChart) -> float:
    if chart.axis_max is not None:
        return chart.axis_max
    bars = chart.bars
    top = max(
        [b.ci_high or b.value or 0.0 for b in bars]
        + [b.value or 0.0 for b in bars]
        + [b.reference or 0.0 for b in bars]
        + [0.0]
    )
    if chart.percent:
        return float(min(100.0, 10.0 * (int(top * 1.08 / 10.0) + 1)))
    step = _nice_step(top / 4 if top > 0 else 1.0)
    return step * (int(top * 1.08 / step) + 1)


def _nice_step(raw: float) -> float:
    import math

    mag = 10 ** math.floor(math.log10(raw))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= m * mag:
            return m * mag
    return 10 * mag  # pragma: no cover


def _tick_step(chart: BarChart, xmax: float) -> float:
    if chart.percent:
        return 20.0 if xmax > 50 else 10.0
    return _nice_step(xmax / 5)


def _tick_text(x: float, percent: bool) -> str:
    if percent:
        return f"{int(round(x))}%"
    return f"{int(round(x))}" if float(x).is_integer() else f"{x:g}".replace(".", ",")


def _wrap(label: str, max_chars: int) -> list[str]:
    """At most two lines; the second one cut with an ellipsis if still too long."""
    if len(label) <= max_chars:
        return [label]
    words, cur = label.split(" "), ""
    lines: list[str] = []
    for w in words:
        if cur and len(cur) + 1 + len(w) > max_chars and len(lines) == 0:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    lines.append(cur)
    if len(lines[-1]) > max_chars:
        lines[-1] = lines[-1][: max_chars - 1].rstrip() + "…"
    return lines[:2]


def _legend(chart: BarChart, y: float, x0: float) -> tuple[list[str], float]:
    """Legend items laid out in rows; returns the elements and the height used."""
    cid = chart.chart_id
    bars = chart.bars
    items: list[tuple[str, str]] = []  # (swatch svg at (0, 0), text)
    has_acute = any(b.acute is not None for b in bars)
    main_label = f"{chart.series_label}: problematisch" if has_acute else chart.series_label
    items.append((f'<rect width="14" height="10" y="-9" fill="{SECTOR_COLOUR}"/>', main_label))
    if has_acute:
        items.append(
            (f'<rect width="14" height="10" y="-9" fill="{ACUTE_COLOUR}"/>', chart.acute_label)
        )
    if any(b.unreliable and b.value is not None for b in bars):
        items.append(
            (
                f'<rect width="14" height="10" y="-9" fill="url(#{cid}-hatch)"/>',
                chart.unreliable_label,
            )
        )
    if any(b.reference is not None for b in bars):
        items.append(
            (
                f'<line x1="7" x2="7" y1="-11" y2="3" stroke="{REFERENCE_COLOUR}" stroke-width="3"/>',
                chart.reference_label,
            )
        )
    if any(b.ci_low is not None and b.ci_high is not None and b.value is not None for b in bars):
        items.append(
            (
                f'<path d="M1 -7 V1 M1 -3 H13 M13 -7 V1" fill="none" stroke="{WHISKER_COLOUR}" stroke-width="1.2"/>',
                chart.ci_label,
            )
        )
    out: list[str] = []
    x, line = x0, 0
    for swatch, text in items:
        w = 20 + len(text) * SMALL * CHAR_W + 18
        if x > x0 and x + w > WIDTH - 4:
            x, line = x0, line + 1
        yy = y + line * 18
        out.append(
            f'<g transform="translate({_n(x)} {_n(yy)})">{swatch}'
            f'<text x="20" y="0" font-size="{_n(SMALL)}">{_escape(text)}</text></g>'
        )
        x += w
    return out, (line + 1) * 18


def render_bar_chart(chart: BarChart) -> str:
    """The chart as an inline ``<svg>`` element, deterministic bytes."""
    cid = chart.chart_id
    bars = chart.bars
    xmax = _axis_max(chart)
    longest = max([len(b.label) + (2 if b.marked else 0) for b in bars] + [6])
    label_w = min(max(longest * FONT * CHAR_W + 12, 110.0), 270.0)
    max_chars = int((label_w - 12) / (FONT * CHAR_W))
    value_w = 62.0 if any(b.value_text for b in bars) else 8.0
    x0, x1 = label_w, WIDTH - value_w
    top = 6.0
    scale = (x1 - x0) / xmax if xmax > 0 else 0.0

    def X(v: float) -> float:
        return x0 + max(0.0, min(v, xmax)) * scale

    body: list[str] = []
    plot_h = ROW * len(bars)
    step = _tick_step(chart, xmax)
    t = 0.0
    while t <= xmax + 1e-9:
        body.append(
            f'<line x1="{_n(X(t))}" x2="{_n(X(t))}" y1="{_n(top)}" y2="{_n(top + plot_h)}" stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        body.append(
            f'<text x="{_n(X(t))}" y="{_n(top + plot_h + 15)}" font-size="{_n(SMALL)}" text-anchor="middle" fill="{MUTED_COLOUR}">{_tick_text(t, chart.percent)}</text>'
        )
        t += step
    body.append(
        f'<line x1="{_n(x0)}" x2="{_n(x0)}" y1="{_n(top)}" y2="{_n(top + plot_h)}" stroke="{MUTED_COLOUR}" stroke-width="1"/>'
    )
    for i, b in enumerate(bars):
        cy = top + ROW * i + ROW / 2
        lines = _wrap(b.label, max_chars - (2 if b.marked else 0))
        esc = [_escape(t) for t in lines]
        if b.marked:  # the mark stays with the last word, coloured by what it means
            colour = {"gunstig": GOOD_COLOUR, "ongunstig": BAD_COLOUR}.get(b.tone)
            esc[-1] += f' <tspan font-weight="bold" fill="{colour}">*</tspan>' if colour else " *"
        if len(lines) == 1:
            body.append(
                f'<text x="{_n(x0 - 8)}" y="{_n(cy + 4)}" font-size="{_n(FONT)}" text-anchor="end">{esc[0]}</text>'
            )
        else:
            body.append(
                f'<text x="{_n(x0 - 8)}" y="{_n(cy - 2)}" font-size="{_n(SMALL)}" text-anchor="end">'
                f'<tspan x="{_n(x0 - 8)}">{esc[0]}</tspan>'
                f'<tspan x="{_n(x0 - 8)}" dy="12">{esc[1]}</tspan></text>'
            )
        if b.value is None:
            body.append(
                f'<text x="{_n(x0 + 6)}" y="{_n(cy + 4)}" font-size="{_n(SMALL)}" fill="{MUTED_COLOUR}">{_escape(chart.missing_text)}</text>'
            )
            continue
        fill = f"url(#{cid}-hatch)" if b.unreliable else SECTOR_COLOUR
        body.append(
            f'<rect x="{_n(x0)}" y="{_n(cy - BAR / 2)}" width="{_n(X(b.value) - x0)}" height="{_n(BAR)}" fill="{fill}"/>'
        )
        if b.acute is not None:
            opacity = ' fill-opacity="0.6"' if b.unreliable else ""
            body.append(
                f'<rect x="{_n(x0)}" y="{_n(cy - BAR / 2)}" width="{_n(X(b.acute) - x0)}" height="{_n(BAR)}" '
                f'fill="{ACUTE_COLOUR}"{opacity}/>'
            )
        if b.ci_low is not None and b.ci_high is not None:
            lo, hi = X(b.ci_low), X(b.ci_high)
            body.append(
                f'<path d="M{_n(lo)} {_n(cy)} H{_n(hi)} M{_n(lo)} {_n(cy - 5)} V{_n(cy + 5)} M{_n(hi)} {_n(cy - 5)} V{_n(cy + 5)}" '
                f'fill="none" stroke="{WHISKER_COLOUR}" stroke-width="1.2"/>'
            )
        if b.reference is not None:
            xr = X(b.reference)
            body.append(
                f'<line x1="{_n(xr)}" x2="{_n(xr)}" y1="{_n(cy - ROW / 2 + 2)}" y2="{_n(cy + ROW / 2 - 2)}" '
                f'stroke="{REFERENCE_COLOUR}" stroke-width="3"/>'
            )
        if b.value_text:  # "36,1%", unreliable "(36,1%)"; the number itself in a traceable tspan
            key = f' data-key="{_escape(b.key)}" data-field="{_escape(b.field)}"' if b.key else ""
            number = f"<tspan{key}>{_escape(b.value_text)}</tspan>{_escape(b.unit)}"
            body.append(
                f'<text x="{_n(WIDTH - 4)}" y="{_n(cy + 4)}" font-size="{_n(FONT)}" text-anchor="end">'
                f"{'(' + number + ')' if b.unreliable else number}</text>"
            )
    legend, legend_h = _legend(chart, top + plot_h + 38, 4.0)
    height = top + plot_h + 38 + legend_h
    defs = (
        f'<defs><pattern id="{cid}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#a9c1de"/><line x1="0" y1="0" x2="0" y2="6" stroke="{SECTOR_COLOUR}" stroke-width="2"/>'
        "</pattern></defs>"
    )
    head = (
        f'<svg role="img" aria-labelledby="{cid}-title {cid}-desc" class="chart" '
        f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(WIDTH)} {_n(height)}" width="100%" '
        f'font-family="{FONT_FAMILY}" fill="{TEXT_COLOUR}">'
    )
    parts = [
        head,
        f'<title id="{cid}-title">{_escape(chart.title)}</title>',
        f'<desc id="{cid}-desc">{_escape(chart.desc)}</desc>',
        defs,
        *body,
        *legend,
        "</svg>",
    ]
    return "\n".join(parts) + "\n"
