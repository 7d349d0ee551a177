"""The synthetic history of a monitor in a wave archive: every past wave generated
(:mod:`pipeline.synth.history`), run through validation, weighting, scoring and estimation, and added
to the archive (:mod:`pipeline.archive.store`). The demo builds it before the current wave, whose
reports then show the series since 2004.

Folders: ``OUT/history/<population>-<year>/wave`` and ``.../run`` per wave, the archive in
``OUT/archive`` (or the one given). The same seed gives the same waves, runs and archive.

Under a publisher whose policy protects the reports' figures (``protect_reports: true``) each past
wave's report figures are published as its reports would have been: protected by the disclosure
engine and logged as a public release on its data version (:func:`pipeline.tables.figures.
protect_run_figures`; the past waves' reports themselves are not rendered). A later wave's trend
shows an earlier wave's figure only where that wave's ledger released it, so without this the
demo's trend would be dashes only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.runner import Run
    from pipeline.sdc.publisher import Publisher

PAST_STAGES = ("validate", "weight", "score", "estimate")  # no outputs for the past waves


@dataclass(frozen=True)
class HistoryWave:
    year: int
    study: str
    wave_dir: Path
    run_dir: Path
    invited: int
    respondents: int
    status: str  # added | unchanged | replaced (in the archive)


@dataclass(frozen=True)
class History:
    archive: Path
    population: str
    waves: tuple[HistoryWave, ...]


def build_history(
    out_dir: str | Path,
    *,
    population: str = "werknemers",
    years: Sequence[int] | None = None,
    seed: int = 2023,
    scale: float = 1.0,
    archive: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    policy: str | Path | None = None,
) -> History:
    """Generate, run and archive the past waves ``years`` (default: every wave of the monitor but
    the latest), each with its own questionnaire and ``scale`` times its published sample size; seed
    ``seed + year``. ``policy``: the publisher's policy file; with ``protect_reports: true`` each
    wave's report figures are published (protected and logged, see the module).

    The waves are independent until they are archived: each is generated, run and published in a
    worker process of its own where there are CPUs and memory for more than one (:func:`_waves`),
    and added to the archive here, in year order. The same waves, runs, ledgers and archive as one
    after another in this process."""
    from pipeline.archive.store import add_run
    from pipeline.synth.history import WAVES

    published = None
    if policy is not None:
        from pipeline.sdc.publisher import publisher

        if publisher(str(policy)).policy.policy.protect_reports:
            published = str(policy)
    out = Path(out_dir)
    root = Path(archive) if archive is not None else out / "archive"
    chosen = tuple(years) if years is not None else WAVES.get(population, ())[:-1]
    jobs = [
        _Job(
            population,
            year,
            seed + year,
            scale,
            out / "history" / f"{population}-{year}",
            published,
        )
        for year in chosen
    ]
    done = []
    for job, (size, respondents) in zip(jobs, _waves(jobs, progress), strict=True):
        res = add_run(root, job.base / "run")
        done.append(
            HistoryWave(
                job.year,
                res.record.id,
                job.base / "wave",
                job.base / "run",
                size,
                respondents,
                res.status,
            )
        )
    return History(root, population, tuple(done))


@dataclass(frozen=True)
class _Job:
    """One past wave to generate, run and (``policy``: the publisher's policy file) publish."""

    population: str
    year: int
    seed: int
    scale: float
    base: Path
    policy: str | None


WAVE_MEMORY = 2 * 1024**3  # bytes a worker may need for one full-size wave (measured: 1.25 GB)


def _waves(
    jobs: Sequence[_Job],
    progress: Callable[[str], None] | None,
    work: Callable[[_Job], tuple[int, int]] | None = None,
) -> Iterator[tuple[int, int]]:
    """Each job's ``(invited, respondents)``, in order: in worker processes (``WBM_WORKERS``, at
    most one per wave and one per :data:`WAVE_MEMORY` of available memory), or in this process for
    one; with one BLAS thread either way (:func:`pipeline.workers.waves_in_order`). A wave is said
    when it starts. A worker process that stops (out of memory, killed) is ``workers_failed``.
    ``work``: what is done with a wave [:func:`_past_wave`]."""
    from pipeline.errors import PipelineError
    from pipeline.workers import ENV, waves_in_order

    def said(job: _Job) -> None:
        if progress:
            progress(f"history {job.year}")

    def stopped(what: str) -> PipelineError:
        return PipelineError(
            f"a worker process building the synthetic history stopped ({what}): the waves before "
            f"it are archived; run again, or set {ENV}=1 to build the waves in one process",
            code="workers_failed",
        )

    yield from waves_in_order(
        jobs,
        work or _past_wave,
        memory=WAVE_MEMORY,
        preload=["pipeline.history"],
        said=said,
        stopped=stopped,
    )


def _past_wave(job: _Job) -> tuple[int, int]:
    """Generate, run and (under the policy) publish one past wave: ``(invited, respondents)``."""
    from pipeline.runner import Run, RunConfig, run_stages
    from pipeline.synth.history import wave_questionnaire, wave_size
    from pipeline.synth.wave import generate_wave

    q = wave_questionnaire(job.population, job.year)
    size = wave_size(q, job.scale)
    s = generate_wave(job.base / "wave", size=size, seed=job.seed, questionnaire=q)
    run = Run(job.base / "run", RunConfig.from_wave_dir(job.base / "wave"))
    run_stages(run, PAST_STAGES)
    if job.policy is not None:  # the wave's reports were published: their figures in its ledger
        from pipeline.sdc.publisher import publisher

        _publish_figures(run, publisher(job.policy))
    return size, s.respondents


def _publish_figures(run: Run, pub: Publisher) -> None:
    """Protect and log a past run's report figures (as its outputs stage would under the policy)."""
    from pipeline.fileio import read_parquet
    from pipeline.rundata import layout
    from pipeline.rundata.read import read_numeric_estimates
    from pipeline.tables.figures import protect_run_figures

    est = read_parquet(layout.stage_file(run.dir, "estimate", layout.ESTIMATES))
    protect_run_figures(
        est,
        run.dir,
        pub,
        min_n=run.config.min_n,
        min_n_reliable=run.config.min_n_reliable,
        numeric=read_numeric_estimates(run.dir),
    )
