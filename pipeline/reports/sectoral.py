"""The sectoral measurement's report: the sector beside its matched benchmark from the main wave
(:mod:`pipeline.sectoral.benchmark`), in Dutch. Template ``reports/sectoral.html.j2``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.reports.context import ReportContext

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.questionnaire.model import Questionnaire
    from pipeline.sectoral.benchmark import BenchmarkResult

DASH = "–"
FILENAME = "sectormeting-benchmark"


@dataclass(frozen=True)
class BenchRow:
    name: str
    label: str
    sector: str
    sector_ci: str
    benchmark: str
    benchmark_ci: str
    unadjusted: str
    diff: str
    significant: bool
    p_value: str
    n: str
    n_benchmark: str


@dataclass(frozen=True)
class MixRow:
    variable: str
    level: str
    sector: str
    before: str


def _pct(x: float) -> str:
    return f"{x * 100:.1f}".replace(".", ",")


def _count(x: int) -> str:
    return f"{x:,}".replace(",", ".")


def _p(p: float) -> str:
    return "< 0,001" if p < 0.001 else f"{p:.3f}".replace(".", ",")


def rows_of(result: BenchmarkResult, q: Questionnaire, ctx: ReportContext) -> tuple[BenchRow, ...]:
    from pipeline.estimation.reliability import SUPPRESSED, has_flag
    from pipeline.reports.rows import label_of

    out = []
    for r in result.table.itertuples():
        hidden = has_flag(r.flags, SUPPRESSED)
        out.append(
            BenchRow(
                str(r.indicator),
                label_of(q, str(r.indicator), ctx),
                DASH if hidden else _pct(r.estimate),
                DASH if hidden else f"{_pct(r.ci_low)} – {_pct(r.ci_high)}",
                DASH if hidden else _pct(r.estimate_benchmark),
                DASH if hidden else f"{_pct(r.ci_low_benchmark)} – {_pct(r.ci_high_benchmark)}",
                DASH if hidden else _pct(r.estimate_benchmark_unadjusted),
                DASH if hidden else f"{'+' if r.diff > 0 else ''}{_pct(r.diff)}",
                bool(r.significant),
                DASH if hidden else _p(float(r.p_value)),
                _count(int(r.n)),
                _count(int(r.n_benchmark)),
            )
        )
    return tuple(out)


def mix_rows(result: BenchmarkResult, q: Questionnaire) -> tuple[MixRow, ...]:
    from pipeline.frame.read import register_labels
    from pipeline.reports.labels import domain_label

    out = []
    for c in result.composition:
        labels = register_labels(q, c.variable)
        level = (
            labels.get(int(float(c.level)), c.level) if c.level.lstrip("-").isdigit() else c.level
        )
        out.append(
            MixRow(domain_label(q, c.variable), level, _pct(c.sector), _pct(c.benchmark_before))
        )
    return tuple(out)


def render_benchmark_report(
    result: BenchmarkResult,
    q: Questionnaire,
    *,
    context: ReportContext | None = None,
    main_wave: int | None = None,
    embed_css: bool = True,
) -> str:
    """The complete HTML page."""
    from pipeline.reports.labels import domain_label
    from pipeline.reports.render import render_page

    ctx = context or ReportContext()
    spec = result.spec
    rows = rows_of(result, q, ctx)
    sections = [
        ("vergelijking", f"{spec.sector_label} en de benchmark"),
        ("samenstelling", "Samenstelling en herweging"),
        ("methoden", "Methoden en leeswijzer"),
    ]
    return render_page(
        "sectoral.html.j2",
        embed_css=embed_css,
        body_class="report sectoral",
        title=f"Werkbaar werk in {spec.title}: de sector naast de benchmark",
        study_title=q.study.title.nl,
        q=q,
        ctx=ctx,
        spec=spec,
        rows=rows,
        mix=mix_rows(result, q),
        n_benchmark=_count(result.n_benchmark),
        wave=ctx.wave or q.study.wave,
        main_wave=main_wave,
        sections=sections,
        confidence=round(ctx.confidence * 100),
        reweight=", ".join(domain_label(q, v) for v in spec.reweight),
    )


def write_benchmark_report(
    result: BenchmarkResult,
    q: Questionnaire,
    out_dir: Path,
    *,
    context: ReportContext | None = None,
    main_wave: int | None = None,
    formats: tuple[str, ...] = ("html",),
) -> tuple[Path, ...]:
    """``OUT/sectormeting-benchmark.html`` (and ``.pdf``), written atomically."""
    from pipeline.fileio import ensure_dir, write_text

    ensure_dir(out_dir)
    name = f"{FILENAME}-{spec_slug(result)}"
    written = []
    if "html" in formats:
        html = render_benchmark_report(result, q, context=context, main_wave=main_wave)
        written.append(write_text(out_dir / f"{name}.html", html))
    if "pdf" in formats:
        from pipeline.reports.pdf import shared_renderer

        html = render_benchmark_report(
            result, q, context=context, main_wave=main_wave, embed_css=False
        )
        written.append(shared_renderer().write(html, out_dir / f"{name}.pdf"))
    return tuple(written)


def spec_slug(result: BenchmarkResult) -> str:
    from pipeline.outpath import slug

    return slug(result.spec.name)
