"""Weighting diagnostics: achieved vs target margins, Kish design effect, weight distribution;
as deterministic JSON (via :func:`pipeline.fileio.write_json`) and as a self-contained HTML report
(``reports/weighting.html.j2``)."""

from __future__ import annotations

import math
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.weighting.result import Diagnostics, MarginCheck, WeightingResult

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.weighting.coding import MarginCodes

KIND = "wbm-weighting-diagnostics"
SCHEMA_VERSION = 1
QUANTILES = (0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0)


def kish_deff(w: np.ndarray) -> float:
    """Kish's design effect of the weights, ``n * sum(w^2) / sum(w)^2`` (1 + CV^2); NaN if they sum to 0."""
    w = np.asarray(w, dtype=np.float64)
    s = float(w.sum())
    return w.shape[0] * float(np.dot(w, w)) / s**2 if s > 0 else math.nan


def diagnose(w: np.ndarray, *, top: int = 10) -> Diagnostics:
    w = np.asarray(w, dtype=np.float64)
    n = w.shape[0]
    s = float(w.sum())
    s2 = float(np.dot(w, w))
    qs = np.quantile(w, QUANTILES) if n else np.zeros(len(QUANTILES))
    k = min(top, n)
    idx = np.argpartition(-w, k - 1)[:k] if k else np.array([], dtype=int)
    idx = idx[np.lexsort((idx, -w[idx]))]
    med = float(np.median(w)) if n else 0.0
    return Diagnostics(
        n=n,
        n_positive=int(np.sum(w > 0)),
        total=s,
        kish_deff=kish_deff(w),
        effective_n=s**2 / s2 if s2 > 0 else 0.0,
        mean=s / n if n else math.nan,
        cv=float(np.std(w) / (s / n)) if n and s > 0 else math.nan,
        quantiles=tuple((q, float(v)) for q, v in zip(QUANTILES, qs, strict=True)),
        largest=tuple((int(i), float(w[i])) for i in idx),
        max_to_median=float(w.max() / med) if n and med > 0 else math.nan,
    )


def margin_checks(mc: MarginCodes, w: np.ndarray) -> tuple[MarginCheck, ...]:
    out = []
    N = float(mc.targets[0].sum())
    for name, codes, targets, labels in zip(mc.names, mc.codes, mc.targets, mc.labels, strict=True):
        ach = np.bincount(codes, weights=w, minlength=targets.shape[0])
        cnt = np.bincount(codes, minlength=targets.shape[0])
        for j, lab in enumerate(labels):
            t = float(targets[j])
            out.append(
                MarginCheck(
                    name,
                    lab,
                    t,
                    float(ach[j]),
                    abs(float(ach[j]) - t) / (t if t > 0 else N),
                    int(cnt[j]),
                )
            )
    return tuple(out)


def to_json(
    result: WeightingResult, *, inputs: dict[str, Any] | None = None, margins_meta: Any = None
) -> dict[str, Any]:
    """The run's weighting diagnostics as plain JSON-able data (deterministic: no timings)."""
    d = result.diagnostics
    return {
        "kind": KIND,
        "schema_version": SCHEMA_VERSION,
        "method": result.method,
        "bounds": list(result.bounds) if result.bounds else None,
        "trim": asdict(result.trim) if result.trim else None,
        "trim_cap": result.trim_cap,
        "settings": result.settings,
        "converged": result.converged,
        "iterations": result.iterations,
        "history": list(result.history),
        "max_margin_error": result.max_error,
        "margins": [asdict(m) for m in result.margins],
        "weights": {
            "n": d.n,
            "n_positive": d.n_positive,
            "total": d.total,
            "kish_deff": d.kish_deff,
            "effective_n": d.effective_n,
            "mean": d.mean,
            "cv": d.cv,
            "max_to_median": d.max_to_median,
            "quantiles": {f"p{int(round(q * 100)):02d}": v for q, v in d.quantiles},
            "largest": [{"row": r, "weight": w} for r, w in d.largest],
        },
        "notices": [
            {"code": n.code, "message": n.message, "details": n.details} for n in result.notices
        ],
        "margins_meta": asdict(margins_meta) if margins_meta is not None else None,
        "inputs": inputs or {},
    }


def _histogram(w: np.ndarray, bins: int = 30) -> list[dict[str, float]]:
    pos = w[w > 0]
    if pos.size == 0:
        return []
    lo, hi = float(pos.min()), float(pos.max())
    if hi <= lo:
        return [{"lo": lo, "hi": hi, "count": int(pos.size), "height": 1.0}]
    counts, edges = np.histogram(pos, bins=bins, range=(lo, hi))
    top = max(int(counts.max()), 1)
    return [
        {"lo": float(edges[i]), "hi": float(edges[i + 1]), "count": int(c), "height": c / top}
        for i, c in enumerate(counts)
    ]


def render_report(
    result: WeightingResult,
    target: str | Path,
    *,
    title: str | None = None,
    subject: str | None = None,
    inputs: dict[str, Any] | None = None,
    margins_meta: Any = None,
    lang: str = "nl",
    population: str | None = None,
) -> Path:
    """Write the self-contained HTML weighting report (no external assets) in ``lang`` (``nl``,
    the default, or ``en``: the words of :mod:`pipeline.weighting.words`, numbers the reader's way);
    the title is ``title``, else the catalogue's title with ``subject`` (the study's title).
    ``population``: the margins' population in ``lang`` (the questionnaire's target population),
    shown instead of the file's own (English) description; a unit the catalogue knows is worded
    too, and what is left of the file's own words (its source) is marked as English."""
    import jinja2
    from markupsafe import Markup

    from pipeline import numformat as nf
    from pipeline.fileio import write_text
    from pipeline.paths import REPORTS_DIR
    from pipeline.weighting.words import UNITS_NL, WORDS, notice_text

    nf.check_language(lang)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(REPORTS_DIR)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["n"] = lambda x: nf.count(x, lang)
    env.filters["dec"] = lambda x, d: nf.decimal(x, d, lang, grouped=True)
    env.filters["g"] = lambda x, spec: nf.general(x, lang, spec)

    # the margins file describes itself in its own words (English in the shipped files): marked so
    def meta(mm: dict[str, Any], key: str) -> Markup:
        if lang == "nl" and key == "population" and population:
            return Markup("{}").format(population)
        if lang == "nl" and key == "unit" and str(mm[key]) in UNITS_NL:
            return Markup("{}").format(UNITS_NL[str(mm[key])])
        if lang == "en":
            return Markup("{}").format(mm[key])
        return Markup('<span lang="en">{}</span>').format(mm[key])

    env.filters["meta"] = meta
    t = {k: Markup(v) for k, v in WORDS[lang].items()}  # our own texts; format() escapes values
    tpl = env.get_template("weighting.html.j2")
    data = to_json(result, inputs=inputs, margins_meta=margins_meta)
    hist = [h for h in result.history if h > 0]
    logs = [math.log10(h) for h in hist] or [0.0]
    lo, hi = min(logs + [-12.0]), max(logs + [0.0])
    conv = [
        {"i": i + 1, "err": h, "height": (math.log10(h) - lo) / (hi - lo) if hi > lo else 1.0}
        for i, h in enumerate(hist)
    ]
    notices = []
    for n in data["notices"]:
        said = notice_text(n["code"], n["details"] or {}, lang)
        english = said is None and lang != "en"
        notices.append(
            {"code": n["code"], "text": n["message"] if said is None else said, "english": english}
        )
    html = tpl.render(
        lang=lang,
        t=t,
        notices=notices,
        title=title or (f"{t['doc_title']} — {subject}" if subject else str(t["doc_title"])),
        d=data,
        histogram=_histogram(np.asarray(result.weight)),
        convergence=conv,
    )
    return write_text(target, html)
