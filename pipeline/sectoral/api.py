"""The run edge of a sectoral measurement: two run directories in, the benchmark report and the
comparison table (CSV) out. Used by ``wbm benchmark`` and the demo (``--survey pc126``)."""

from __future__ import annotations

from pathlib import Path

from pipeline.sectoral.benchmark import BenchmarkResult


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
    from pipeline.reports.sectoral import FILENAME, spec_slug, write_benchmark_report
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
