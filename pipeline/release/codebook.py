"""The codebook of a release (HTML, and PDF via WeasyPrint): per variable its label, question, kind,
measure, non-substantive codes (with their Stata letters), what the release did to it, and the
actual unweighted and weighted frequencies (:mod:`pipeline.release.frequencies`) or, for scale
variables, summary statistics; how each score and indicator is built
(:mod:`pipeline.release.construction`, in the release's language); then the external version of
the risk report.

The texts of the questionnaire (labels, questions) come in the release's language, and so do the
fixed texts of the codebook (:mod:`pipeline.release.words`). PDF bytes are deterministic (see :mod:`pipeline.reports.pdf`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import numformat as nf
from pipeline.fileio import write_text
from pipeline.release.construction import Construction, segments
from pipeline.release.frequencies import Frequencies, all_frequencies
from pipeline.release.stata import missing_letters, stata_names
from pipeline.release.table import ReleaseTable
from pipeline.release.words import word, words

TEMPLATES = Path(__file__).parent / "templates"
PDF_CSS = "@page { size: A4; }"  # the page rules are in the codebook's own stylesheet


@dataclass(frozen=True)
class CodebookInfo:
    title: str
    profile_title: str
    file_stem: str
    population: str
    files: tuple[str, ...]
    synthetic: bool
    reference: str | None  # note when the questionnaire is a reference version


def _num(x: float | None, decimals: int, lang: str = "en") -> str:
    if x is None:
        return ""
    return nf.decimal(x, decimals, lang, grouped=True)


def _code(x: float | None, lang: str = "en") -> str:
    if x is None:
        return words(lang)["empty"]
    return f"{x:g}"


def render_html(
    table: ReleaseTable,
    info: CodebookInfo,
    *,
    study: Any,
    profile: Any,
    risk_html: str,
    frequencies: tuple[Frequencies, ...] | None = None,
    constructions: tuple[Construction, ...] = (),
    werkbaar_werk: str = "",
) -> str:
    import jinja2
    import markupsafe

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    import functools

    lang = table.lang
    t = {k: markupsafe.Markup(v) for k, v in words(lang).items()}  # ours; format() escapes values
    env.filters["word"] = lambda key, fallback: word(key, lang, fallback)
    env.filters["nr"] = lambda x: nf.count(x, lang)
    names = frozenset(v.name for v in table.variables) | frozenset(
        v.source for v in table.variables
    )

    def as_code(text: str | None, code: tuple[str, ...] = ()) -> markupsafe.Markup:
        """Expressions and variable names in a text as ``<code>`` (identifiers, not words)."""
        parts = segments(text or "", frozenset(code) | names)
        return markupsafe.Markup("").join(
            markupsafe.Markup("<code>{}</code>").format(p) if c else markupsafe.escape(p)
            for p, c in parts
        )

    env.filters["as_code"] = as_code
    freqs = frequencies if frequencies is not None else all_frequencies(table)
    stata = stata_names([v.name for v in table.variables])
    return env.get_template("codebook.html.j2").render(
        title=info.title,
        profile_title=info.profile_title,
        file_stem=info.file_stem,
        population=info.population,
        files=info.files,
        synthetic=info.synthetic,
        reference=info.reference,
        lang=lang,
        t=t,
        table=table,
        n=len(table.frame),
        study=study,
        profile=profile,
        letters=missing_letters(table),
        stata=stata,
        renamed=any(k != v for k, v in stata.items()),
        freqs={f.variable: f for f in freqs},
        weighted=table.weight is not None,
        num=functools.partial(_num, lang=lang),
        code=functools.partial(_code, lang=lang),
        risk_html=markupsafe.Markup(risk_html),
        constructions=constructions,
        werkbaar_werk=werkbaar_werk,
    )


def write_html(html: str, path: str | Path) -> Path:
    return write_text(path, html)


def write_pdf(html: str, path: str | Path) -> Path:
    from pipeline.reports.pdf import PdfRenderer

    return PdfRenderer(css=PDF_CSS).write(html, path)
