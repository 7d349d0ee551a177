"""The codebook generated from the questionnaire: Markdown, HTML and a Frictionless datapackage.json.

One :class:`VariableDoc` per data column (multiple choice expanded, derived variables included)
says label, question, type, values (code/label pairs), non-substantive codes, routing in words and
as an expression, limits, unit, measure level, disclosure role and release recode. Scales, indicators
(with cut-offs marked as reference values), rules, quality settings and the trend mapping follow.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import fileio
from pipeline.questionnaire.model import Item, ItemType, Questionnaire
from pipeline.questionnaire.wording import Describer

TEMPLATES = Path(__file__).parent / "templates"
_FRICTIONLESS_TYPE = {
    "single": "integer",
    "multiple": "integer",
    "integer": "integer",
    "decimal": "number",
    "text": "string",
    "date": "date",
    "derived": "integer",
}


@dataclass(frozen=True)
class VariableDoc:
    name: str
    item: str  # the item it comes from
    label: str
    question: str | None
    type: str  # single, multiple (0/1 per option), integer, decimal, text, date, derived
    values: tuple[tuple[int, str], ...]
    missing: tuple[tuple[int, str], ...]
    measure: str
    role: str
    routing: str | None  # in words
    routing_expr: str | None
    limits: str | None
    unit: str | None
    release: str | None
    modes: str
    required: bool
    section: str | None


def _limits(it: Item) -> str | None:
    lim = it.limits
    if lim is None:
        return None
    parts = []
    if lim.hard_min is not None or lim.hard_max is not None:
        parts.append(f"hard {_g(lim.hard_min)}..{_g(lim.hard_max)}")
    if lim.soft_min is not None or lim.soft_max is not None:
        parts.append(f"soft {_g(lim.soft_min)}..{_g(lim.soft_max)}")
    return ", ".join(parts) or None


def _g(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def _release(it: Item, lang: str) -> str | None:
    r = it.release
    if r is None:
        return None
    if r.drop:
        return "dropped" if lang == "en" else "weggelaten"
    if r.bands:
        return "bands: " + "; ".join(
            f"{_g(b.low)}-{_g(b.high)} -> {b.code} {b.label.get(lang)}" for b in r.bands
        )
    if r.top_code is not None:
        return f"top-coded at {r.top_code:g}" if lang == "en" else f"afgetopt op {r.top_code:g}"
    if r.map:
        labels = {c.code: c.label.get(lang) for c in (r.map_labels or ())}
        groups: dict[int, list[int]] = {}
        for a, b in r.map:
            groups.setdefault(b, []).append(a)
        return "map: " + "; ".join(
            f"{','.join(map(str, v))} -> {k} {labels.get(k, '')}".rstrip()
            for k, v in groups.items()
        )
    return None


def variable_docs(q: Questionnaire, lang: str = "nl") -> tuple[VariableDoc, ...]:
    desc = Describer(
        q, lang, {it.name: it.name for it in q.items}
    )  # the codebook refers to variable names
    missing_labels = {m.code: m.label.get(lang) for m in q.missing_codes}
    out: list[VariableDoc] = []
    section: str | None = None
    for it in q.items:
        section = it.section.get(lang) if it.section is not None else section
        miss = tuple((c, missing_labels.get(c, "")) for c in it.missing)
        common: dict[str, Any] = dict(
            question=it.text.get(lang) if it.text else None,
            missing=miss,
            role=it.role.value,
            routing=desc.describe_text(it.relevant) if it.relevant else None,
            routing_expr=it.relevant,
            limits=_limits(it),
            unit=it.unit,
            release=_release(it, lang),
            modes=", ".join(it.modes or q.study.modes),
            required=it.required,
            section=section,
        )
        measure = (
            it.measure.value
            if it.measure
            else ("scale" if it.type in (ItemType.integer, ItemType.decimal) else "nominal")
        )
        if it.type == ItemType.multiple:
            tick = (
                ((0, "niet aangekruist"), (1, "aangekruist"))
                if lang == "nl"
                else ((0, "not ticked"), (1, "ticked"))
            )
            for c in q.choices_of(it):
                out.append(
                    VariableDoc(
                        f"{it.name}_{c.code}",
                        it.name,
                        f"{it.label.get(lang)}: {c.label.get(lang)}",
                        type="multiple",
                        values=tick,
                        measure="nominal",
                        **common,
                    )
                )
        else:
            values = tuple((c.code, c.label.get(lang)) for c in q.choices_of(it))
            out.append(
                VariableDoc(
                    it.name,
                    it.name,
                    it.label.get(lang),
                    type=it.type.value,
                    values=values,
                    measure=measure,
                    **common,
                )
            )
    for d in q.derived:
        src = q.item(d.source)
        out.append(
            VariableDoc(
                d.name,
                d.source,
                d.label.get(lang),
                None,
                "derived",
                tuple((b.code, b.label.get(lang)) for b in d.bands),
                tuple((c, missing_labels.get(c, "")) for c in src.missing),
                "ordinal",
                d.role.value,
                None,
                None,
                "; ".join(f"{_g(b.low)}-{_g(b.high)} -> {b.code}" for b in d.bands),
                None,
                None,
                ", ".join(src.modes or q.study.modes),
                False,
                None,
            )
        )
    return tuple(out)


def _context(q: Questionnaire, lang: str) -> dict[str, Any]:
    scales = {s.name: s for s in q.scales}
    inds = []
    for ind in q.indicators:
        cut = []
        for pop, c in (ind.cutoffs or {}).items():
            cut.append({"population": pop, "problematisch": c.problematisch, "acuut": c.acuut})
        inds.append({"ind": ind, "cutoffs": cut, "scale": scales.get(ind.scale or "")})
    return {
        "q": q,
        "lang": lang,
        "vars": variable_docs(q, lang),
        "indicators": inds,
        "t": lambda text: text.get(lang) if text is not None else "",
    }


def render_markdown(q: Questionnaire, lang: str = "nl") -> str:
    return _env().get_template("codebook.md.j2").render(**_context(q, lang))


def render_html(q: Questionnaire, lang: str = "nl") -> str:
    return _env(html=True).get_template("codebook.html.j2").render(**_context(q, lang))


def _env(html: bool = False) -> Any:
    """HTML templates autoescape; in the Markdown template every text is escaped for Markdown
    (:func:`pipeline.markdown.finalize`) and identifiers are written with the ``code`` filter."""
    import jinja2

    from pipeline import markdown

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        finalize=None if html else markdown.finalize,
    )
    env.filters["code"] = markdown.code
    return env


def datapackage(q: Questionnaire, lang: str = "nl") -> dict[str, Any]:
    """Frictionless Data Package describing the validated responses (one resource)."""
    fields = []
    for v in variable_docs(q, lang):
        f: dict[str, Any] = {"name": v.name, "title": v.label, "type": _FRICTIONLESS_TYPE[v.type]}
        if v.question:
            f["description"] = v.question
        if v.values:
            f["categories"] = [{"value": c, "label": lab} for c, lab in v.values]
            f["constraints"] = {"enum": [c for c, _ in v.values] + [c for c, _ in v.missing]}
        if v.missing:
            f["missingValues"] = [str(c) for c, _ in v.missing]
        if v.required:
            f.setdefault("constraints", {})["required"] = True
        f["x-wbm"] = {
            k: val
            for k, val in {
                "item": v.item,
                "measure": v.measure,
                "role": v.role,
                "missing": [{"value": c, "label": lab} for c, lab in v.missing],
                "relevant": v.routing_expr,
                "limits": v.limits,
                "unit": v.unit,
                "release": v.release,
                "modes": v.modes,
            }.items()
            if val
        }
        fields.append(f)
    s = q.study
    return {
        "profile": "tabular-data-package",
        "name": s.id,
        "title": s.title.get(lang),
        "version": s.version,
        "description": s.target_population.get(lang),
        "keywords": ["workability", "werkbaarheid", s.population],
        "x-wbm": {
            "kind": q.kind,
            "schema_version": q.schema_version,
            "wave": s.wave,
            "status": s.status,
            "modes": list(s.modes),
            "unit": s.unit,
            "id_variable": s.id_variable,
            "strata": list(s.strata),
        },
        "resources": [
            {
                "name": "responses",
                "path": "accepted.parquet",
                "format": "parquet",
                "profile": "tabular-data-resource",
                "schema": {
                    "fields": fields,
                    "primaryKey": [s.id_variable],
                    "missingValues": [""] + [str(m.code) for m in q.missing_codes],
                },
            }
        ],
    }


def write_codebook(
    q: Questionnaire,
    out_dir: Path,
    *,
    lang: str = "nl",
    formats: Iterable[str] = ("md", "html", "json"),
) -> list[Path]:
    from pipeline.outpath import inside

    out_dir = Path(out_dir)
    written = []
    stem = f"{q.study.id}.codebook.{lang}"
    for fmt in formats:
        if fmt == "md":
            target = inside(out_dir, f"{stem}.md")
            written.append(fileio.write_text(target, render_markdown(q, lang)))
        elif fmt == "html":
            target = inside(out_dir, f"{stem}.html")
            written.append(fileio.write_text(target, render_html(q, lang)))
        elif fmt == "json":
            text = json.dumps(datapackage(q, lang), indent=2, ensure_ascii=False) + "\n"
            written.append(fileio.write_text(inside(out_dir, "datapackage.json"), text))
    return written
