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

from collections.abc import Callable, Sequence
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
    wave's report figures are published (protected and logged, see the module)."""
    from pipeline.archive.store import add_run
    from pipeline.runner import Run, RunConfig, run_stages
    from pipeline.synth.history import WAVES, wave_questionnaire, wave_size
    from pipeline.synth.wave import generate_wave

    pub = None
    if policy is not None:
        from pipeline.sdc.publisher import publisher

        pub = publisher(str(policy))
        if not pub.policy.policy.protect_reports:
            pub = None
    out = Path(out_dir)
    root = Path(archive) if archive is not None else out / "archive"
    chosen = tuple(years) if years is not None else WAVES.get(population, ())[:-1]
    done = []
    for year in chosen:
        q = wave_questionnaire(population, year)
        base = out / "history" / f"{population}-{year}"
        if progress:
            progress(f"history {year}")
        size = wave_size(q, scale)
        s = generate_wave(base / "wave", size=size, seed=seed + year, questionnaire=q)
        run = Run(base / "run", RunConfig.from_wave_dir(base / "wave"))
        run_stages(run, PAST_STAGES)
        if pub is not None:  # the wave's reports were published: their figures in its ledger
            _publish_figures(run, pub)
        res = add_run(root, base / "run")
        done.append(
            HistoryWave(
                year, res.record.id, base / "wave", base / "run", size, s.respondents, res.status
            )
        )
    return History(root, population, tuple(done))


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
