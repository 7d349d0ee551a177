"""The datatool's web application (Starlette; served by uvicorn: ``wbm datatool serve``).

Routes (all GET, all read the same checked query, :func:`pipeline.datatool.space.parse_view`):

=====================  ===================================================================
``/``                  the page: choices (a plain HTML form, no script), chart, table, links
``/api/view``          the view as JSON
``/download.csv``      CSV (the columns of ``wbm table`` where they apply)
``/download.xlsx``     workbook (sheet ``tabel`` and ``toelichting``)
``/chart.svg``         the chart
``/chart.png``         the chart as PNG (drawn from the SVG by resvg, twice its size)
``/static/datatool.css``  the style sheet (every asset is served here: no CDN)
``/healthz``           ``ok``
=====================  ===================================================================

A bad query is a 400 with the message in plain words (HTML for the page, JSON for the API, text for
downloads); an unknown path 404; any other method 405. Every answer carries the security headers
(:data:`SECURITY_HEADERS`). The application holds only the published cells
(:class:`pipeline.datatool.store.Store`).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from pipeline.datatool import render as R
from pipeline.datatool.space import NO_BREAKDOWN, Choices, View, fit_to_population, parse_view
from pipeline.datatool.store import Store
from pipeline.errors import PipelineError

STATIC = Path(__file__).parent / "static"
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        b"base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cache-control", b"no-store"),
)
MAX_QUERY = 2048  # bytes of query string accepted

TEXT = {
    "nl": {
        "heading": "Datatool werkbaarheidsmonitor",
        "population": "Populatie",
        "indicator": "Indicator",
        "breakdown": "Uitsplitsing",
        "none": "geen",
        "waves": "Golven",
        "show": "Toon",
        "wave": "Golf",
        "group": "Groep",
        "where": "Waar",
        "estimate": "Schatting",
        "ci": "95%-betrouwbaarheidsinterval",
        "n": "n",
        "remark": "Opmerking",
        "test": "Vergelijking met Vlaanderen",
        "downloads": "Downloads",
        "permalink": "Vaste link naar deze weergave",
        "other": "English",
        "table": "Tabel",
        "chart": "Grafiek",
        "error": "Deze weergave bestaat niet",
        "synthetic": "Demogegevens: synthetisch, geen officiële cijfers.",
        "adjusted": "Niet elke keuze bestaat voor {pop}; aangepast: {names}.",
    },
    "en": {
        "heading": "Workability monitor data tool",
        "population": "Population",
        "indicator": "Indicator",
        "breakdown": "Breakdown",
        "none": "none",
        "waves": "Waves",
        "show": "Show",
        "wave": "Wave",
        "group": "Group",
        "where": "Where",
        "estimate": "Estimate",
        "ci": "95% confidence interval",
        "n": "n",
        "remark": "Remark",
        "test": "Compared with Flanders",
        "downloads": "Downloads",
        "permalink": "Permanent link to this view",
        "other": "Nederlands",
        "table": "Table",
        "chart": "Chart",
        "error": "This view does not exist",
        "synthetic": "Demo data: synthetic, not official figures.",
        "adjusted": "Not every choice exists for {pop}; changed: {names}.",
    },
}


class SecurityHeaders:
    """Pure ASGI middleware: the security headers on every response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with(message: Any) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *(h for h in SECURITY_HEADERS if h[0] not in names),
                ]
            await send(message)

        await self.app(scope, receive, send_with)


def create_app(store: Store, *, synthetic: bool = True) -> Any:
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
    from starlette.routing import Route

    choices = store.choices()
    default = store.default_population()
    css = (STATIC / "datatool.css").read_bytes()

    def view_of(request: Request, *, fit: bool = False) -> tuple[View, tuple[tuple[str, str], ...]]:
        """The checked view; ``fit`` (the page): choices of another population dropped."""
        raw = request.scope.get("query_string", b"")
        if len(raw) > MAX_QUERY:
            from pipeline.errors import Problem, UsageError

            raise UsageError(
                f"query too long ({len(raw)} bytes)",
                [Problem("query string", expected=f"at most {MAX_QUERY} bytes")],
                code="datatool_bad_query",
            )
        params = request.query_params.multi_items()
        dropped: tuple[tuple[str, str], ...] = ()
        if fit:
            params, dropped = fit_to_population(params, choices)
        return parse_view(params, choices, default), dropped

    def error_text(exc: PipelineError) -> str:
        lines = [str(exc).splitlines()[0]]
        for p in getattr(exc, "problems", ())[:3]:
            exp = getattr(p, "expected", None)
            lines.append(f"{p.message}" + (f" (expected: {exp})" if exp else ""))
        return "\n".join(lines)

    async def page(request: Request) -> Response:
        try:
            view, adjusted = view_of(request, fit=True)
        except PipelineError as exc:
            lang = "en" if request.query_params.get("lang") == "en" else "nl"
            body = _shell(
                TEXT[lang]["error"],
                f'<h1>{escape(TEXT[lang]["error"])}</h1><pre role="alert">{escape(error_text(exc))}</pre>'
                '<p><a href="/">Datatool</a></p>',
                lang,
            )
            return HTMLResponse(body, status_code=400)
        return HTMLResponse(_page(store, view, choices, synthetic, adjusted))

    async def api(request: Request) -> Response:
        try:
            view, _ = view_of(request)
        except PipelineError as exc:
            return JSONResponse(
                {"error": error_text(exc), "code": getattr(exc, "code", "")}, status_code=400
            )
        return JSONResponse(R.payload(store, view))

    def download(kind: str) -> Any:
        async def handler(request: Request) -> Response:
            try:
                view, _ = view_of(request)
            except PipelineError as exc:
                return PlainTextResponse(error_text(exc), status_code=400)
            name = _file_name(view)
            if kind == "csv":
                return Response(
                    R.csv_text(store, view).encode("utf-8"),
                    media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}.csv"'},
                )
            if kind == "xlsx":
                return Response(
                    R.xlsx_bytes(store, view),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": f'attachment; filename="{name}.xlsx"'},
                )
            if kind == "png":
                return Response(
                    R.png(store, view),
                    media_type="image/png",
                    headers={"content-disposition": f'attachment; filename="{name}.png"'},
                )
            return Response(R.svg(store, view), media_type="image/svg+xml")

        return handler

    async def static_css(request: Request) -> Response:
        return Response(css, media_type="text/css; charset=utf-8")

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def http_error(request: Request, exc: Exception) -> Response:
        code = getattr(exc, "status_code", 500)
        msg = {404: "not found", 405: "method not allowed"}.get(code, "bad request")
        return PlainTextResponse(msg, status_code=code if code < 500 else 400)

    async def server_error(request: Request, exc: Exception) -> Response:
        return PlainTextResponse("internal error", status_code=500)

    routes = [
        Route("/", page),
        Route("/api/view", api),
        Route("/download.csv", download("csv")),
        Route("/download.xlsx", download("xlsx")),
        Route("/chart.svg", download("svg")),
        Route("/chart.png", download("png")),
        Route("/static/datatool.css", static_css),
        Route("/healthz", health),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )
    return SecurityHeaders(app)


def _file_name(view: View) -> str:
    import re

    parts = [view.population, view.indicator, view.breakdown or "totaal", view.filter]
    return re.sub(r"[^a-z0-9_-]+", "-", "-".join(parts).lower())[:120]


def _options(values: list[tuple[str, str]], chosen: str) -> str:
    return "".join(
        f'<option value="{escape(v)}"{" selected" if v == chosen else ""}>{escape(lab)}</option>'
        for v, lab in values
    )


def _page(
    store: Store,
    view: View,
    choices: dict[str, Choices],
    synthetic: bool,
    adjusted: tuple[tuple[str, str], ...] = (),
) -> str:
    t = TEXT[view.lang]
    s = store.space(view)
    c = choices[view.population]
    pops = [(p, store.population_label(p, view.lang)) for p in choices]
    inds = [(i, store.label(view, "indicator", i)) for i in c.indicators]
    bys = [(NO_BREAKDOWN, t["none"])] + [
        (b, store.label(view, "breakdown", b)) for b in c.breakdowns
    ]
    flts = [(f, store.label(view, "filter", f)) for f in c.filters]
    wave_opts = [("all", "alle" if view.lang == "nl" else "all")]
    wave_opts += [
        (str(w), (f"sinds {w}" if view.lang == "nl" else f"since {w}")) for w in s.waves[1:-1]
    ]
    wave_opts += [(str(s.waves[-1]), str(s.waves[-1]))]
    chosen_waves = (
        "all"
        if view.waves == s.waves
        else str(view.waves[0])
        if len(view.waves) > 1 and view.waves == tuple(w for w in s.waves if w >= view.waves[0])
        else str(view.waves[-1])
        if len(view.waves) == 1
        else ",".join(map(str, view.waves))
    )
    wave_values = [(_since(s.waves, v), lab) for v, lab in wave_opts]
    if chosen_waves not in {v for v, _ in wave_opts} and chosen_waves != "all":
        wave_values.append((chosen_waves, chosen_waves))
    sel = "all" if chosen_waves == "all" else _since(s.waves, chosen_waves)
    form = f"""
<form method="get" action="/" class="choices">
  <input type="hidden" name="lang" value="{view.lang}">
  <div><label for="population">{t["population"]}</label>
  <select id="population" name="population">{_options(pops, view.population)}</select></div>
  <div><label for="indicator">{t["indicator"]}</label>
  <select id="indicator" name="indicator">{_options(inds, view.indicator)}</select></div>
  <div><label for="filter">{escape(_filter_name(c, view.lang).capitalize())}</label>
  <select id="filter" name="filter">{_options(flts, view.filter)}</select></div>
  <div><label for="breakdown">{t["breakdown"]}</label>
  <select id="breakdown" name="breakdown">{_options(bys, view.breakdown)}</select></div>
  <div><label for="waves">{t["waves"]}</label>
  <select id="waves" name="waves">{_options(wave_values, sel)}</select></div>
  <div><button type="submit">{t["show"]}</button></div>
</form>"""
    data = R.payload(store, view)
    rows_html = []
    for r in data["rows"]:
        est = R.number(r["estimate"], view.lang)
        ci = (
            ""
            if r["ci_low"] is None
            else f"{R.number(r['ci_low'], view.lang)} – {R.number(r['ci_high'], view.lang)}"
        )
        rows_html.append(
            "<tr>"
            f'<td>{r["wave"]}</td><th scope="row">{escape(r["level_label"])}</th>'
            f"<td>{escape(r['filter_label'])}</td>"
            f'<td class="num">{est}</td><td class="num">{ci}</td>'
            f'<td class="num">{"" if r["n"] is None else r["n"]}</td>'
            f"<td>{escape(R.FLAG_TEXT[view.lang][r['flag']])}</td>"
            f"<td>{escape(r['text'])}</td></tr>"
        )
    notice = ""
    if adjusted:
        text = t["adjusted"].format(
            pop=store.population_label(view.population, view.lang),
            names=", ".join(
                _filter_name(_owner(choices, view.population, v), view.lang)
                if k == "filter"
                else t[k].lower()
                for k, v in adjusted
            ),
        )
        notice = f'<p id="adjusted" class="note" role="status">{escape(text)}</p>'
    q = escape(view.query())
    other = "en" if view.lang == "nl" else "nl"
    other_q = escape(
        View(
            view.population, view.indicator, view.breakdown, view.filter, view.waves, other
        ).query()
    )
    body = f"""
<header><h1>{t["heading"]}</h1>
<p><a href="/?{other_q}" hreflang="{other}" lang="{other}">{t["other"]}</a></p></header>
<main>
{form}
{notice}
<h2 id="view-title">{escape(data["title"])}</h2>
{"<p class=note>" + t["synthetic"] + "</p>" if synthetic else ""}
<figure><img src="/chart.svg?{q}" alt="{escape(t["chart"])}: {escape(data["title"])}" width="720" height="360">
</figure>
<table id="view-table" aria-labelledby="view-title">
<caption>{t["table"]}: {escape(data["title"])}</caption>
<thead><tr><th scope="col">{t["wave"]}</th><th scope="col">{t["group"]}</th><th scope="col">{t["where"]}</th>
<th scope="col">{t["estimate"]}</th><th scope="col">{t["ci"]}</th><th scope="col">{t["n"]}</th>
<th scope="col">{t["remark"]}</th><th scope="col">{t["test"]}</th></tr></thead>
<tbody>{"".join(rows_html)}</tbody></table>
<h2>{t["downloads"]}</h2>
<ul class="downloads">
<li><a id="dl-csv" href="/download.csv?{q}" download>CSV</a></li>
<li><a id="dl-xlsx" href="/download.xlsx?{q}" download>Excel (xlsx)</a></li>
<li><a id="dl-svg" href="/chart.svg?{q}" download>SVG</a></li>
<li><a id="dl-png" href="/chart.png?{q}" download>PNG</a></li>
</ul>
<p><a id="permalink" href="/?{q}">{t["permalink"]}</a></p>
</main>"""
    return _shell(data["title"], body, view.lang)


def _filter_name(c: Choices, lang: str) -> str:
    """The name of a population's filter ("sector of sectorgroep", "beroepsgroep")."""
    return str(c.filter_label.get(lang, c.filter_label.get("nl", "")))


def _owner(choices: dict[str, Choices], shown: str, value: str) -> Choices:
    """The population (another than the one shown) whose filter ``value`` is: the filter the form
    reset (filters are each population's own, so there is one)."""
    return next(c for p, c in choices.items() if p != shown and value in c.filters)


def _since(waves: tuple[int, ...], value: str) -> str:
    """A select value: 'all', one wave, or the waves since a year as a list."""
    if value == "all" or "," in value:
        return value
    y = int(value)
    if y == waves[-1]:
        return str(y)
    return ",".join(str(w) for w in waves if w >= y)


def _shell(title: str, body: str, lang: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="/static/datatool.css">
</head><body>
{body}
</body></html>
"""
