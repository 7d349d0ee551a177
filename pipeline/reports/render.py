"""Turning a report's view model into a page: the jinja environment, the shared CSS and the
helpers every template uses to print a number from the estimates table.

Every number a template prints goes through :func:`fmt_field`, inside an element that carries
``data-key`` ("indicator|by|level"), ``data-field`` and, for the previous wave, ``data-source``: so
a test (or a curious reader with the browser's inspector) can trace each number to its row.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from pipeline.paths import REPORTS_DIR
from pipeline.reports.estimates import (
    DASH,
    Cell,
    dash_reason,
    fmt_count,
    fmt_diff,
    fmt_number,
    fmt_value,
)

CSS_FILE = "wbm.css"


def cell_key(cell: Cell) -> str:
    """``indicator|by|level``: put on every number in the HTML so tests can trace it to the table."""
    return f"{cell.indicator}|{cell.by}|{cell.level}"


def fmt_field(cell: Cell, field: str) -> str:
    """The text of one number of a cell: estimate ("52,3", "(52,3)" when unreliable), value (always
    "52,3"), ci ("49,1 – 55,4"), diff ("+2,3") or n; a dash for anything a suppressed cell would show, its n
    too (the n of a cell the disclosure engine hides could be differenced against published ones)."""
    if cell.suppressed:
        return DASH
    if field == "n":
        return fmt_count(cell.n)
    if field == "value":  # the estimate without the unreliability parentheses (running text)
        return fmt_value(cell, cell.estimate)
    if field == "estimate":
        v = fmt_value(cell, cell.estimate)
        return f"({v})" if cell.unreliable and v != DASH else v
    if field == "ci":
        lo, hi = fmt_value(cell, cell.ci_low), fmt_value(cell, cell.ci_high)
        return DASH if DASH in (lo, hi) else f"{lo} – {hi}"
    if field == "diff":
        return fmt_diff(cell)
    raise ValueError(f"unknown field {field!r}")


def unit(cell: Cell | None) -> str:
    """ "%" after a share, nothing after a mean (and nothing after a dash)."""
    return (
        "%"
        if cell is not None and cell.is_share and not cell.suppressed and cell.estimate is not None
        else ""
    )


SOFT_HYPHEN = "\u00ad"
_TAG = re.compile(r"(<[^>]*>)")
_WORD = re.compile(r"[^\W\d_]{8,}")


@functools.lru_cache(maxsize=1)
def _hyphenator() -> Any:
    try:  # pyphen comes with WeasyPrint; without it headers simply do not get break points
        import pyphen
    except ImportError:  # pragma: no cover
        return None
    return pyphen.Pyphen(lang="nl_NL")


def soft_hyphens(text: str) -> str:
    """Dutch break points (soft hyphens) in long words, so narrow table columns break "wel­be­vin­dings­pro­bleem"
    as a reader expects in every renderer (browsers without hyphenation dictionaries, WeasyPrint)."""
    h = _hyphenator()
    if h is None:
        return text
    return _WORD.sub(lambda m: h.inserted(m.group(0), hyphen=SOFT_HYPHEN), text)


def hyphenate_html(markup: Any) -> Any:
    """:func:`soft_hyphens` on the text between the tags of rendered HTML (a jinja filter, ``hy``)."""
    import markupsafe

    parts = _TAG.split(str(markup))
    return markupsafe.Markup(
        "".join(p if p.startswith("<") or "&" in p else soft_hyphens(p) for p in parts)
    )


@functools.lru_cache(maxsize=4)
def _env(templates_dir: str) -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        fmt_value=fmt_value,
        fmt_diff=fmt_diff,
        fmt_number=fmt_number,
        fmt_count=fmt_count,
        DASH=DASH,
        dash_reason=dash_reason,
        cell_key=cell_key,
        fmt_field=fmt_field,
        unit=unit,
    )
    env.filters["hy"] = hyphenate_html
    env.filters["count"] = fmt_count
    return env


@functools.lru_cache(maxsize=4)
def css_text(name: str = CSS_FILE) -> str:
    return (REPORTS_DIR / name).read_text(encoding="utf-8")


def render_page(template: str, *, embed_css: bool = True, **data: Any) -> str:
    """A complete page. ``embed_css=False`` leaves the stylesheet out (the PDF renderer adds one
    parsed copy to every document instead of parsing it again per page)."""
    import markupsafe

    css = markupsafe.Markup(css_text()) if embed_css else markupsafe.Markup("")
    return str(
        _env(str(REPORTS_DIR)).get_template(template).render(css=css, embed_css=embed_css, **data)
    )


def slug(text: str) -> str:
    """A file-name part or anchor from a label: :func:`pipeline.outpath.slug` (capped length)."""
    from pipeline.outpath import slug as capped

    return capped(text)
