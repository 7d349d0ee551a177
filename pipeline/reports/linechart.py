"""Inline SVG line charts of a series over the waves: one line per series (the group, Flanders), a
95% CI whisker at every point, and a dashed vertical marker where the series breaks.

Written directly like :mod:`pipeline.reports.charts` (no plotting library: deterministic bytes, text
stays text, WeasyPrint draws it). Lines join only points of the same comparable segment: a break is
never bridged. Every point carries ``data-key`` ("indicator|by|level"), ``data-wave`` and
``data-value`` (the estimate exactly as stored, ``repr`` of the float), so a test can check that each
plotted point is the archived estimate of its wave.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.reports.charts import (
    FONT,
    FONT_FAMILY,
    GRID_COLOUR,
    MUTED_COLOUR,
    REFERENCE_COLOUR,
    SECTOR_COLOUR,
    SMALL,
    TEXT_COLOUR,
    WHISKER_COLOUR,
)

WIDTH = 680.0
PLOT_H = 190.0
LEFT, RIGHT, TOP = 46.0, 24.0, 22.0
BREAK_COLOUR = "#7a1f5c"


@dataclass(frozen=True)
class LinePoint:
    wave: int
    value: float | None  # in the chart's unit (0-100 for shares); None: not published
    ci_low: float | None = None
    ci_high: float | None = None
    segment: int = 0
    exact: float | None = None  # the stored estimate (data-value)
    text: str = ""  # the number as the table writes it, for the text alternative


@dataclass(frozen=True)
class LineSeries:
    label: str
    key: str  # data-key of the series' points
    points: tuple[LinePoint, ...]
    reference: bool = False  # Flanders (orange, diamonds) rather than the group (blue, circles)


@dataclass(frozen=True)
class LineChart:
    chart_id: str
    title: str
    desc: str
    years: tuple[int, ...]
    series: tuple[LineSeries, ...]
    breaks: tuple[int, ...] = ()  # waves after which the series is not comparable with before
    percent: bool = True
    break_label: str = "breuk"
    ci_label: str = "95%-BI"


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _n(x: float) -> str:
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _y_max(chart: LineChart) -> float:
    top = max([p.ci_high or p.value or 0.0 for s in chart.series for p in s.points] + [0.0])
    if chart.percent:
        return float(min(100.0, 10.0 * (int(top * 1.05 / 10.0) + 1)))
    step = 10 ** max(0, len(str(int(top))) - 1)
    return float(step * (int(top * 1.05 / step) + 1)) if top > 0 else 1.0


def render_line_chart(chart: LineChart) -> str:
    """The chart as an inline ``<svg>`` element (deterministic bytes); empty when nothing is shown."""
    if not any(p.value is not None for s in chart.series for p in s.points):
        return ""
    cid = chart.chart_id
    years = sorted(chart.years)
    x0, x1 = LEFT + 18.0, WIDTH - RIGHT - 18.0
    span = max(years[-1] - years[0], 1)
    ymax = _y_max(chart)

    def X(year: float) -> float:
        return x0 + (year - years[0]) / span * (x1 - x0) if len(years) > 1 else (x0 + x1) / 2

    def Y(v: float) -> float:
        return TOP + PLOT_H - max(0.0, min(v, ymax)) / ymax * PLOT_H

    body: list[str] = []
    step = (20.0 if ymax > 50 else 10.0) if chart.percent else ymax / 5
    t = 0.0
    while t <= ymax + 1e-9:
        body.append(
            f'<line x1="{_n(LEFT)}" x2="{_n(WIDTH - RIGHT)}" y1="{_n(Y(t))}" y2="{_n(Y(t))}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        label = f"{int(round(t))}%" if chart.percent else f"{t:g}".replace(".", ",")
        body.append(
            f'<text x="{_n(LEFT - 6)}" y="{_n(Y(t) + 4)}" font-size="{_n(SMALL)}" text-anchor="end" '
            f'fill="{MUTED_COLOUR}">{label}</text>'
        )
        t += step
    for y in years:
        body.append(
            f'<text x="{_n(X(y))}" y="{_n(TOP + PLOT_H + 16)}" font-size="{_n(SMALL)}" '
            f'text-anchor="middle" fill="{MUTED_COLOUR}">{y}</text>'
        )
    for b in chart.breaks:
        before = max((y for y in years if y < b), default=None)
        if before is None:
            continue
        xb = (X(before) + X(b)) / 2
        body.append(
            f'<line id="{cid}-break-{b}" class="break" data-wave="{b}" x1="{_n(xb)}" x2="{_n(xb)}" '
            f'y1="{_n(TOP - 4)}" y2="{_n(TOP + PLOT_H)}" stroke="{BREAK_COLOUR}" stroke-width="1.5" '
            f'stroke-dasharray="4 3"/>'
        )
        body.append(
            f'<text x="{_n(xb)}" y="{_n(TOP - 8)}" font-size="{_n(SMALL)}" text-anchor="middle" '
            f'fill="{BREAK_COLOUR}">{_esc(chart.break_label)}</text>'
        )
    n_series = len(chart.series)
    for k, s in enumerate(chart.series):
        colour = REFERENCE_COLOUR if s.reference else SECTOR_COLOUR
        dx = (k - (n_series - 1) / 2) * 5.0  # whiskers side by side
        shown = [p for p in s.points if p.value is not None]
        run: list[LinePoint] = []
        for p in [*shown, None]:
            if p is not None and (not run or run[-1].segment == p.segment):
                run.append(p)
                continue
            if len(run) > 1:
                pts = " ".join(f"{_n(X(q.wave) + dx)},{_n(Y(q.value or 0.0))}" for q in run)
                body.append(
                    f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2.2"/>'
                )
            run = [p] if p is not None else []
        for p in shown:
            assert p.value is not None
            cx, cy = X(p.wave) + dx, Y(p.value)
            if p.ci_low is not None and p.ci_high is not None:
                lo, hi = Y(p.ci_low), Y(p.ci_high)
                body.append(
                    f'<path d="M{_n(cx)} {_n(lo)} V{_n(hi)} M{_n(cx - 3)} {_n(lo)} H{_n(cx + 3)} '
                    f'M{_n(cx - 3)} {_n(hi)} H{_n(cx + 3)}" fill="none" stroke="{WHISKER_COLOUR}" '
                    f'stroke-width="1"/>'
                )
            trace = (
                f' data-key="{_esc(s.key)}" data-wave="{p.wave}" data-value="{p.exact!r}"'
                if p.exact is not None
                else ""
            )
            if s.reference:
                body.append(
                    f'<path class="point" d="M{_n(cx)} {_n(cy - 5)} L{_n(cx + 5)} {_n(cy)} '
                    f'L{_n(cx)} {_n(cy + 5)} L{_n(cx - 5)} {_n(cy)} Z" fill="{colour}"{trace}/>'
                )
            else:
                body.append(
                    f'<circle class="point" cx="{_n(cx)}" cy="{_n(cy)}" r="4" fill="{colour}"{trace}/>'
                )
    # legend
    ly = TOP + PLOT_H + 40
    x = LEFT
    legend = []
    for s in chart.series:
        colour = REFERENCE_COLOUR if s.reference else SECTOR_COLOUR
        legend.append(
            f'<g transform="translate({_n(x)} {_n(ly)})"><line x1="0" x2="18" y1="-4" y2="-4" '
            f'stroke="{colour}" stroke-width="2.2"/><text x="24" y="0" font-size="{_n(SMALL)}">'
            f"{_esc(s.label)}</text></g>"
        )
        x += 40 + len(s.label) * SMALL * 0.58
    legend.append(
        f'<g transform="translate({_n(x)} {_n(ly)})"><path d="M6 -10 V2 M3 -10 H9 M3 2 H9" '
        f'fill="none" stroke="{WHISKER_COLOUR}"/><text x="16" y="0" font-size="{_n(SMALL)}">'
        f"{_esc(chart.ci_label)}</text></g>"
    )
    height = ly + 12
    head = (
        f'<svg role="img" aria-labelledby="{cid}-title {cid}-desc" class="chart line-chart" '
        f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(WIDTH)} {_n(height)}" width="100%" '
        f'font-family="{FONT_FAMILY}" font-size="{_n(FONT)}" fill="{TEXT_COLOUR}">'
    )
    parts = [
        head,
        f'<title id="{cid}-title">{_esc(chart.title)}</title>',
        f'<desc id="{cid}-desc">{_esc(chart.desc)}</desc>',
        *body,
        *legend,
        "</svg>",
    ]
    return "\n".join(parts) + "\n"
