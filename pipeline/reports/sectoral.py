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
    from pipeline.sdc.publisher import Publisher
    from pipeline.sectoral.benchmark import BenchmarkResult

DASH = "–"
FILENAME = "sectormeting-benchmark"
#: Flags of a comparison row under the publisher's policy (``protect_reports: true``): the sector's
#: figures (own run's ledger) or the benchmark's (main wave's ledger) are not published; the
#: difference and its test are not either (:func:`protect_result`).
SECTOR_SUPPRESSED = "suppressed_sector"
BENCHMARK_SUPPRESSED = "suppressed_benchmark"


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
    """The comparison's rows as the report prints them: a dash for every figure not published (the
    estimate stage's suppression: the whole row; under the publisher's policy the sector's side,
    the benchmark's side and the difference each as :func:`protect_result` left them)."""
    import pandas as pd

    from pipeline.estimation.reliability import SUPPRESSED, has_flag
    from pipeline.reports.rows import label_of

    out = []
    for r in result.table.itertuples():
        hidden = has_flag(r.flags, SUPPRESSED)
        own_policy = has_flag(r.flags, SECTOR_SUPPRESSED)
        bench_policy = has_flag(r.flags, BENCHMARK_SUPPRESSED)
        own, bench = hidden or own_policy, hidden or bench_policy
        both = own or bench
        out.append(
            BenchRow(
                str(r.indicator),
                label_of(q, str(r.indicator), ctx),
                DASH if own else _pct(r.estimate),
                DASH if own else f"{_pct(r.ci_low)} – {_pct(r.ci_high)}",
                DASH if bench else _pct(r.estimate_benchmark),
                DASH if bench else f"{_pct(r.ci_low_benchmark)} – {_pct(r.ci_high_benchmark)}",
                DASH
                if hidden or (bench_policy and pd.isna(r.estimate_benchmark_unadjusted))
                else _pct(r.estimate_benchmark_unadjusted),
                DASH if both else f"{'+' if r.diff > 0 else ''}{_pct(r.diff)}",
                bool(r.significant) and not both,
                DASH if both else _p(float(r.p_value)),
                DASH if own_policy else _count(int(r.n)),
                DASH if bench_policy and pd.isna(r.n_benchmark) else _count(int(r.n_benchmark)),
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
    protected: bool = False,
) -> str:
    """The complete HTML page. ``protected``: the figures are as :func:`protect_result` left them
    (the publisher's policy): the composition is not shown and the methods say why."""
    from pipeline.reports.labels import domain_label
    from pipeline.reports.render import render_page

    ctx = context or ReportContext()
    spec = result.spec
    rows = rows_of(result, q, ctx)
    n_benchmark = (rows[0].n_benchmark if rows else DASH) if protected else result.n_benchmark
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
        n_benchmark=n_benchmark if isinstance(n_benchmark, str) else _count(n_benchmark),
        protected=protected,
        withheld=(WITHHELD_COMPOSITION,) if protected else (),
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
    protected: bool = False,
) -> tuple[Path, ...]:
    """``OUT/sectormeting-benchmark.html`` (and ``.pdf``), written atomically."""
    from pipeline.fileio import ensure_dir, write_text

    ensure_dir(out_dir)
    name = f"{FILENAME}-{spec_slug(result)}"
    written = []
    if "html" in formats:
        html = render_benchmark_report(
            result, q, context=context, main_wave=main_wave, protected=protected
        )
        written.append(write_text(out_dir / f"{name}.html", html))
    if "pdf" in formats:
        from pipeline.reports.pdf import shared_renderer

        html = render_benchmark_report(
            result, q, context=context, main_wave=main_wave, embed_css=False, protected=protected
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
    policy: str | Path | None = None,
) -> tuple[Path, ...]:
    """``OUT/sectormeting-benchmark-<name>.html`` (+ ``.pdf``) and ``.csv`` (the comparison).

    The publisher is found as ``wbm report`` finds it (``policy``: ``--policy``, else
    ``$WBM_POLICY``, else the sector run's; :func:`benchmark_publisher`). Under
    ``protect_reports: true`` every figure is protected and logged before anything is written
    (:func:`protect_result`); otherwise the comparison is written as it is."""
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
    ctx = context_from_run(s_dir, q)
    pub = benchmark_publisher(s_dir, Path(main_run), policy)
    protected = pub.policy.policy.protect_reports
    if protected:
        result = protect_result(result, s_dir, Path(main_run), pub, ctx)
    written = write_benchmark_report(
        result,
        q,
        out,
        context=ctx,
        main_wave=main_q.study.wave,
        formats=formats,
        protected=protected,
    )
    csv = write_text(out / f"{FILENAME}-{spec_slug(result)}.csv", to_csv_text(result.table))
    return (*written, csv)


def benchmark_publisher(sector_run: Path, main_run: Path, policy: str | Path | None) -> Publisher:
    """The publisher as ``wbm report`` finds it for the sector's run
    (:func:`pipeline.reports.publishing.run_publisher`); when the main wave's run recorded another
    policy, that policy's ledger is read and logged in as well (the main wave's history may be
    there)."""
    from dataclasses import replace

    from pipeline.reports.publishing import run_publisher
    from pipeline.rundata.read import run_manifest
    from pipeline.sdc.policy import load_policy
    from pipeline.tables.source import recorded_policy

    pub = run_publisher(sector_run, policy)
    recorded = recorded_policy(run_manifest(main_run, lenient=True), main_run)
    if recorded is None:
        return pub
    other = load_policy(recorded).ledger_dir
    if other.resolve() == pub.policy.ledger_dir.resolve():
        return pub
    return replace(pub, extra_ledgers=(*pub.extra_ledgers, other))


#: The benchmark report's figures left out under the publisher's policy (Dutch, for the methods).
WITHHELD_COMPOSITION = "de samenstelling van de sector en van de benchmark vóór de herweging"


def protect_result(
    result: BenchmarkResult,
    sector_run: Path,
    main_run: Path,
    pub: Publisher,
    ctx: ReportContext,
) -> BenchmarkResult:
    """The comparison under ``protect_reports: true`` (review finding 5 of issue 13):

    - the sector's figures: the sector run's report figures, protected and logged exactly as
      ``wbm report`` does (:func:`pipeline.reports.publishing.protected_estimates`: the same
      release, so after the run's reports it is a re-issue and logs nothing new); an indicator's
      figure the engine does not release is a dash;
    - the benchmark's figures: protected and logged on the main wave
      (:func:`pipeline.tables.sectorfigures.protect_benchmark`); shown only where every cell the
      reweighted figure is computed from is released, and only where each of the sector's levels
      of the reweighting variables has at least the policy's minimum for a percentage (the
      sector's shares enter the reweighted figure);
    - a difference, its standard error, p-value and significance only where both sides are shown;
    - the composition table (weighted shares of groups of respondents that are no released cells):
      left out (fail closed; the methods section says so, :data:`WITHHELD_COMPOSITION`).

    Hidden numbers are removed from the table (the CSV has them empty) and the row is flagged
    :data:`SECTOR_SUPPRESSED` or :data:`BENCHMARK_SUPPRESSED`."""
    from dataclasses import replace

    import numpy as np

    from pipeline.estimation.reliability import SUPPRESSED, has_flag
    from pipeline.reports.publishing import protected_estimates
    from pipeline.rundata.read import read_estimates, read_scored
    from pipeline.tables.sectorfigures import protect_benchmark
    from pipeline.tables.source import load_run

    spec = result.spec
    estimates, _ = read_estimates(sector_run)
    shown = protected_estimates(estimates, sector_run, pub, ctx.min_n_publish, ctx.min_n_reliable)
    top = shown[shown["by"].fillna("").astype(str) == ""].set_index("indicator")
    sector_hidden = {
        str(i)
        for i in result.table["indicator"]
        if i not in top.index or has_flag(top.loc[i, "flags"], SUPPRESSED)
    }
    levels: dict[str, list[int]] = {}
    for c in result.composition:
        levels.setdefault(c.variable, []).append(int(float(c.level)))
    sector_scored, _ = read_scored(sector_run)
    minimum = pub.policy.policy.tables.min_n_percent
    small = [
        v
        for v, lvs in levels.items()
        if any(int((sector_scored[v] == lv).sum()) < minimum for lv in lvs)
    ]
    figures = protect_benchmark(
        load_run(main_run), spec, levels, pub, list(result.table["indicator"].astype(str))
    )
    # the sector's shares enter the reweighted figure: each of its levels needs enough respondents
    reweighted = frozenset() if small else figures.shown
    table = result.table.copy()
    names = table["indicator"].astype(str)
    own = names.isin(sector_hidden).to_numpy()
    bench = ~names.isin(reweighted).to_numpy()
    group = ~names.isin(figures.groups).to_numpy()
    either = own | bench
    for cols, mask in (
        (SECTOR_NUMBERS, own),
        (BENCHMARK_NUMBERS, bench),
        (("estimate_benchmark_unadjusted",), group),
        (DIFF_NUMBERS, either),
    ):
        for col in cols:
            table[col] = table[col].astype("float64")
            table.loc[mask, col] = np.nan
    for col, mask in (("n", own), ("n_benchmark", group)):
        table[col] = table[col].astype("Int64")
        table.loc[mask, col] = None
    table["significant"] = table["significant"].astype(bool) & ~either
    flags = table["flags"].fillna("").astype(str).tolist()
    table["flags"] = [
        ";".join(
            [
                f
                for f in (fl, SECTOR_SUPPRESSED if o else "", BENCHMARK_SUPPRESSED if b else "")
                if f
            ]
        )
        for fl, o, b in zip(flags, own.tolist(), bench.tolist(), strict=True)
    ]
    return replace(result, table=table, composition=())


SECTOR_NUMBERS = ("estimate", "ci_low", "ci_high", "se")
BENCHMARK_NUMBERS = ("estimate_benchmark", "ci_low_benchmark", "ci_high_benchmark", "se_benchmark")
DIFF_NUMBERS = ("diff", "diff_se", "p_value")
