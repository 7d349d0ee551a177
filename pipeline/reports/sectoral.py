"""The sectoral measurement's report: the sector beside its matched benchmark from the main wave
(:mod:`pipeline.sectoral.benchmark`), in Dutch. Template ``reports/sectoral.html.j2``. The run edge:
:func:`benchmark_report` (two run directories in, the report and the comparison CSV out; ``wbm
benchmark`` and the demo)."""

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


def compare_runs(
    sector_run: str | Path, main_run: str | Path, config: str | Path
) -> BenchmarkResult:
    """Read both runs (verified against their manifests) and compare (see ``benchmark``)."""
    from pipeline.frame.read import register_codes
    from pipeline.rundata.read import (
        own_questionnaire,
        read_estimates,
        read_scored,
        require_run_dir,
        run_manifest,
    )
    from pipeline.sectoral.benchmark import compare_to_benchmark
    from pipeline.sectoral.spec import check_against, load_benchmark_spec

    spec = load_benchmark_spec(config)
    s_dir, m_dir = require_run_dir(sector_run), require_run_dir(main_run)
    sector_scored, _ = read_scored(s_dir)
    main_scored, _ = read_scored(m_dir)
    sector_est, _ = read_estimates(s_dir)
    main_q = own_questionnaire(m_dir, run_manifest(m_dir))
    codes = {v: register_codes(main_q, v) for v, _ in spec.where if v in main_q.variables()}
    check_against(
        spec,
        set(sector_scored.columns),
        set(main_scored.columns),
        {k: set(v) for k, v in codes.items() if v is not None},
    )
    return compare_to_benchmark(spec, sector_est, sector_scored, main_scored)


def benchmark_report(
    sector_run: str | Path,
    main_run: str | Path,
    config: str | Path,
    *,
    out_dir: str | Path | None = None,
    formats: tuple[str, ...] = ("html",),
) -> tuple[Path, ...]:
    """``OUT/sectormeting-benchmark-<name>.html`` (+ ``.pdf``) and ``.csv`` (the comparison)."""
    from pipeline.estimation.api import to_csv_text
    from pipeline.fileio import write_text
    from pipeline.outpath import require_dir
    from pipeline.reports.rundir import context_from_run
    from pipeline.rundata import layout
    from pipeline.rundata.read import own_questionnaire, run_manifest

    s_dir = Path(sector_run)
    out = Path(out_dir) if out_dir is not None else layout.outputs_dir(s_dir, layout.REPORTS_DIR)
    require_dir(out)
    result = compare_runs(sector_run, main_run, config)
    q = own_questionnaire(s_dir, run_manifest(s_dir))
    main_q = own_questionnaire(Path(main_run), run_manifest(Path(main_run)))
    written = write_benchmark_report(
        result,
        q,
        out,
        context=context_from_run(s_dir, q),
        main_wave=main_q.study.wave,
        formats=formats,
    )
    csv = write_text(out / f"{FILENAME}-{spec_slug(result)}.csv", to_csv_text(result.table))
    return (*written, csv)
