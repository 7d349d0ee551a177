"""What a view looks like: Dutch (or English) numbers and words, the JSON payload, CSV and xlsx
downloads (through :mod:`pipeline.spreadsheet`, the columns of ``wbm table``'s CSV where they
apply) and the SVG chart (bars with 95% intervals for one wave; lines over the waves).

Everything is built from :class:`pipeline.datatool.store.Row` s, whose suppressed cells carry no
number: a suppressed cell is "niet gepubliceerd" in every format and absent from the chart.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from html import escape
from typing import Any

from pipeline.datatool.space import ALL, View
from pipeline.datatool.store import Row, Store

FLAG_TEXT = {
    "nl": {
        # the engine does not tell which of the two (it would bound the small cell's n)
        "suppressed": "niet gepubliceerd (te weinig respondenten, of verborgen om een ander "
        "cijfer te beschermen)",
        "unreliable": "onbetrouwbaar (30 tot 49 respondenten)",
        "empty": "geen respondenten",  # only in a release built before issue 13's space rules
        "": "",
    },
    "en": {
        "suppressed": "not published (too few respondents, or hidden to protect another figure)",
        "unreliable": "unreliable (30 to 49 respondents)",
        "empty": "no respondents",
        "": "",
    },
}
TEST_TEXT = {
    "nl": {
        "higher": "significant hoger dan Vlaanderen",
        "lower": "significant lager dan Vlaanderen",
        "same": "geen significant verschil met Vlaanderen",
        "": "",
    },
    "en": {
        "higher": "significantly higher than Flanders",
        "lower": "significantly lower than Flanders",
        "same": "no significant difference from Flanders",
        "": "",
    },
}
CSV_COLUMNS = (
    "wave",
    "indicator",
    "indicator_label",
    "unit",
    "row_variable",
    "row_level",
    "row_label",
    "filter",
    "filter_label",
    "estimate",
    "ci_low",
    "ci_high",
    "n",
    "flag",
    "vs_flanders",
    "vs_flanders_p_value",
)


def number(x: float | None, lang: str, digits: int = 1) -> str:
    """``1.234,5`` in Dutch, ``1,234.5`` in English; '' for None."""
    if x is None:
        return ""
    text = f"{x:,.{digits}f}"
    if lang == "nl":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def scale(store: Store, view: View) -> float:
    return 100.0 if store.space(view).kinds.get(view.indicator) == "percent" else 1.0


def unit(store: Store, view: View) -> str:
    return "percent" if scale(store, view) == 100.0 else "mean"


def payload(store: Store, view: View) -> dict[str, Any]:
    """The JSON of a view (what the page's table shows)."""
    k = scale(store, view)
    rows = []
    for r in store.rows(view):
        c = r.cell
        pub = c.flag not in ("suppressed", "empty")
        rows.append(
            {
                "wave": r.wave,
                "level": r.level,
                "level_label": r.level_label,
                "filter": r.filter,
                "filter_label": r.filter_label,
                "estimate": None if not pub or c.estimate is None else c.estimate * k,
                "ci_low": None if not pub or c.ci_low is None else c.ci_low * k,
                "ci_high": None if not pub or c.ci_high is None else c.ci_high * k,
                "n": c.n if pub else None,
                "flag": c.flag,
                "vs_flanders": c.vs_flanders if pub else "",
                "text": TEST_TEXT[view.lang][c.vs_flanders if pub else ""],
            }
        )
    return {
        "view": {
            "population": view.population,
            "indicator": view.indicator,
            "breakdown": view.breakdown,
            "filter": view.filter,
            "waves": list(view.waves),
            "lang": view.lang,
        },
        "title": title(store, view),
        "unit": unit(store, view),
        "permalink": "/?" + view.query(),
        "rows": rows,
    }


def title(store: Store, view: View) -> str:
    ind = store.label(view, "indicator", view.indicator)
    flt = store.label(view, "filter", view.filter)
    pop = store.population_label(view.population, view.lang)
    if view.lang == "nl":
        by = f", naar {store.label(view, 'breakdown', view.breakdown)}" if view.breakdown else ""
        unit_ = "% " if unit(store, view) == "percent" else "gemiddelde "
        return f"{unit_}{ind}: {pop}, {flt}{by}"
    by = f", by {store.label(view, 'breakdown', view.breakdown)}" if view.breakdown else ""
    unit_ = "% " if unit(store, view) == "percent" else "mean "
    return f"{unit_}{ind}: {pop}, {flt}{by}"


def csv_text(store: Store, view: View) -> str:
    from pipeline.spreadsheet import csv_rows

    return csv_rows(_table_rows(store, view), header=CSV_COLUMNS)


def _table_rows(store: Store, view: View) -> list[list[object]]:
    k = scale(store, view)
    out: list[list[object]] = []
    ind_label = store.label(view, "indicator", view.indicator)
    for r in store.rows(view):
        c = r.cell
        pub = c.flag not in ("suppressed", "empty")

        def v(x: float | None, pub: bool = pub) -> object:
            return "" if not pub or x is None else repr(x * k)

        out.append(
            [
                r.wave,
                view.indicator,
                ind_label,
                unit(store, view),
                view.breakdown,
                r.level,
                r.level_label,
                r.filter,
                r.filter_label,
                v(c.estimate),
                v(c.ci_low),
                v(c.ci_high),
                c.n if pub else "",
                c.flag,
                c.vs_flanders if pub else "",
                "" if not pub or c.p_value is None else repr(c.p_value),
            ]
        )
    return out


def xlsx_bytes(store: Store, view: View) -> bytes:
    """A workbook: sheet ``tabel`` (the CSV's columns, numbers as numbers) and ``toelichting``."""
    from pipeline.spreadsheet import add_sheet, workbook

    buf = io.BytesIO()
    wb = workbook(buf, {"in_memory": True})  # type: ignore[arg-type]
    ws = add_sheet(wb, "tabel", lang=view.lang)
    ws.write_row(0, 0, list(CSV_COLUMNS))
    for i, row in enumerate(_table_rows(store, view), start=1):
        for j, val in enumerate(row):
            if CSV_COLUMNS[j] in ("estimate", "ci_low", "ci_high", "vs_flanders_p_value") and val:
                ws.write_number(i, j, float(str(val)))
            else:
                ws.write(i, j, val)
    notes = add_sheet(wb, "toelichting", header_rows=0, lang=view.lang)
    for i, (k, v) in enumerate(notes_rows(store, view)):
        notes.write(i, 0, k)
        notes.write(i, 1, v)
    wb.close()
    return buf.getvalue()


def notes_rows(store: Store, view: View) -> list[tuple[str, str]]:
    s = store.space(view)
    pol = store.policy
    nl = view.lang == "nl"
    rows = [
        ("titel" if nl else "title", title(store, view)),
        ("link", "/?" + view.query()),
        (
            "bron" if nl else "source",
            ("Werkbaarheidsmonitor, reeks " if nl else "Workability monitor, series ") + s.series,
        ),
        (
            "gegevensversies" if nl else "data versions",
            "; ".join(f"{w}: {s.data_versions.get(w, '')[:12]}" for w in view.waves),
        ),
        (
            "openbaarmaking" if nl else "disclosure",
            (
                "Alle cijfers van de datatool zijn één openbare vrijgave per gegevensversie, "
                "beschermd met primaire en secundaire onderdrukking over alle mogelijke weergaven."
                if nl
                else "Every figure of the datatool is one public release per data version, "
                "protected by primary and secondary suppression over every possible view."
            ),
        ),
        ("beleid" if nl else "policy", str(pol.get("id", "")) + " " + str(pol.get("version", ""))),
        (
            "toets" if nl else "test",
            (
                "Verschil met Vlaanderen (zelfde groep): tweezijdige z-toets op 5%, de variantie houdt "
                "rekening met de overlap van de groep met Vlaanderen."
                if nl
                else "Difference from Flanders (same group): two-sided z test at 5%, the variance "
                "allows for the overlap of the group with Flanders."
            ),
        ),
    ]
    if any(s.data_versions):
        rows.append(
            (
                "let op" if nl else "note",
                "Demogegevens zijn synthetisch: geen officiële cijfers."
                if nl
                else "Demo data are synthetic: not official figures.",
            )
        )
    return rows


# ---------------------------------------------------------------- chart
W, H = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 60, 220, 20, 50  # RIGHT: the legend
#: Series colours and the grey of the comparison (Flanders): each at least 3:1 against the white
#: background (WCAG 2.1, 1.4.11 non-text contrast; tested); gridlines are decoration.
COLOURS = ("#1f5f8b", "#c75000", "#2e7d32", "#6a3d9a", "#8c564b", "#b8860b", "#00838f", "#ad1457")
OTHER = "#767676"


#: The fonts the PNG is drawn with (Debian's fonts-dejavu-core, installed by scripts/setup.sh);
#: without them resvg falls back to the system's fonts.
FONT_DIR = "/usr/share/fonts/truetype/dejavu"


def png(store: Store, view: View) -> bytes:
    """The SVG chart as PNG at twice its size (resvg: no browser, no system library), so it holds
    exactly what the SVG holds: no suppressed cell."""
    from pathlib import Path

    import resvg_py

    fonts = Path(FONT_DIR)
    kw: dict[str, Any] = {}
    if (fonts / "DejaVuSans.ttf").is_file():
        kw = {
            "skip_system_fonts": True,
            "font_dirs": [str(fonts)],
            "font_family": "DejaVu Sans",
            "sans_serif_family": "DejaVu Sans",
        }
    return bytes(
        resvg_py.svg_to_bytes(svg_string=svg(store, view), zoom=2, background="#ffffff", **kw)
    )


def svg(store: Store, view: View) -> str:
    """Bars with 95% intervals (one wave), else one line per group over the waves. Suppressed
    cells are not drawn (a gap) and carry no value."""
    rows = [r for r in store.rows(view) if r.filter == view.filter]
    ref = [r for r in store.rows(view) if r.filter == ALL and view.filter != ALL]
    k = scale(store, view)
    t = title(store, view)
    pub = [r for r in rows + ref if r.cell.flag not in ("suppressed", "empty")]
    hi = max([(r.cell.ci_high or 0) * k for r in pub] + [1.0])
    top = 100.0 if k == 100.0 and hi > 60 else _nice(hi)
    desc = _desc(store, view, rows)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        f'role="img" aria-labelledby="chart-title chart-desc" font-family="sans-serif" font-size="12">',
        f'<title id="chart-title">{escape(t)}</title>',
        f'<desc id="chart-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{W}" height="{H}" fill="#fff"/>',
    ]
    ph = H - TOP - BOTTOM
    pw = W - LEFT - RIGHT

    def yv(v: float) -> float:
        return TOP + ph - ph * v / top

    for i in range(6):
        v = top * i / 5
        y = yv(v)
        out.append(f'<line x1="{LEFT}" x2="{LEFT + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{number(v, view.lang, 0)}</text>'
        )
    if len(view.waves) == 1:
        groups = rows + ref
        bw = pw / max(len(groups), 1)
        for i, r in enumerate(groups):
            x = LEFT + i * bw
            c = r.cell
            label = r.level_label if r.filter == view.filter else f"{r.level_label} (Vl.)"
            out.append(
                f'<text x="{x + bw / 2:.1f}" y="{H - BOTTOM + 14}" text-anchor="middle" '
                f'font-size="10">{escape(label[:18])}</text>'
            )
            if c.flag in ("suppressed", "empty") or c.estimate is None:
                out.append(
                    f'<text x="{x + bw / 2:.1f}" y="{yv(0) - 4:.1f}" text-anchor="middle">–</text>'
                )
                continue
            e = c.estimate * k
            fill = COLOURS[0] if r.filter == view.filter else OTHER
            out.append(
                f'<rect x="{x + bw * 0.15:.1f}" y="{yv(e):.1f}" width="{bw * 0.7:.1f}" '
                f'height="{yv(0) - yv(e):.1f}" fill="{fill}" data-value="{e!r}"/>'
            )
            if c.ci_low is not None and c.ci_high is not None:
                xm = x + bw / 2
                out.append(
                    f'<line x1="{xm:.1f}" x2="{xm:.1f}" y1="{yv(c.ci_low * k):.1f}" '
                    f'y2="{yv(c.ci_high * k):.1f}" stroke="#000"/>'
                )
    else:
        waves = list(view.waves)
        step = pw / max(len(waves) - 1, 1)

        def xw(w: int) -> float:
            return LEFT + waves.index(w) * step

        for w in waves:
            out.append(
                f'<text x="{xw(w):.1f}" y="{H - BOTTOM + 14}" text-anchor="middle">{w}</text>'
            )
        series: dict[tuple[str, str], list[Row]] = {}
        for r in rows + ref:
            series.setdefault((r.filter, r.level), []).append(r)
        for j, ((flt, _lv), rs) in enumerate(series.items()):
            colour = COLOURS[j % len(COLOURS)] if flt == view.filter else OTHER
            dash = "" if flt == view.filter else ' stroke-dasharray="4 3"'
            seg: list[str] = []
            for r in rs:
                c = r.cell
                if c.flag in ("suppressed", "empty") or c.estimate is None:
                    if len(seg) > 1:
                        out.append(_poly(seg, colour, dash))
                    seg = []
                    continue
                x, y = xw(r.wave), yv(c.estimate * k)
                seg.append(f"{x:.1f},{y:.1f}")
                if c.ci_low is not None and c.ci_high is not None:
                    out.append(
                        f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{yv(c.ci_low * k):.1f}" '
                        f'y2="{yv(c.ci_high * k):.1f}" stroke="{colour}" opacity="0.5"/>'
                    )
                out.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}" '
                    f'data-value="{c.estimate * k!r}"/>'
                )
            if len(seg) > 1:
                out.append(_poly(seg, colour, dash))
            name = rs[0].level_label + ("" if flt == view.filter else f" ({rs[0].filter_label})")
            ly = TOP + 14 + j * 16
            out.append(
                f'<line x1="{W - RIGHT + 10}" x2="{W - RIGHT + 30}" y1="{ly - 4}" y2="{ly - 4}" '
                f'stroke="{colour}" stroke-width="2"{dash}/>'
            )
            short = name if len(name) <= 28 else name[:27] + "…"  # the description has it whole
            out.append(f'<text x="{W - RIGHT + 36}" y="{ly}" font-size="11">{escape(short)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _poly(points: Sequence[str], colour: str, dash: str) -> str:
    return (
        f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
        f'stroke-width="2"{dash}/>'
    )


def _nice(x: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        if x <= step:
            return float(step)
    return float(int(x) + 1)


def _desc(store: Store, view: View, rows: Sequence[Row]) -> str:
    k = scale(store, view)
    parts = []
    for r in rows:
        c = r.cell
        val = (
            FLAG_TEXT[view.lang]["suppressed"]
            if c.flag in ("suppressed", "empty") or c.estimate is None
            else number(c.estimate * k, view.lang)
        )
        parts.append(f"{r.wave} {r.level_label}: {val}")
    return "; ".join(parts)
