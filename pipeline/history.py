"""The synthetic history of a monitor in a wave archive: every past wave generated
(:mod:`pipeline.synth.history`), run through validation, weighting, scoring and estimation, and added
to the archive (:mod:`pipeline.archive.store`). The demo builds it before the current wave, whose
reports then show the series since 2004.

Folders: ``OUT/history/<population>-<year>/wave`` and ``.../run`` per wave, the archive in
``OUT/archive`` (or the one given). The same seed gives the same waves, runs and archive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

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
) -> History:
    """Generate, run and archive the past waves ``years`` (default: every wave of the monitor but
    the latest), each with its own questionnaire and ``scale`` times its published sample size; seed
    ``seed + year``."""
    from pipeline.archive.store import add_run
    from pipeline.runner import Run, RunConfig, run_stages
    from pipeline.synth.history import WAVES, wave_questionnaire, wave_size
    from pipeline.synth.wave import generate_wave

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
        res = add_run(root, base / "run")
        done.append(
            HistoryWave(
                year, res.record.id, base / "wave", base / "run", size, s.respondents, res.status
            )
        )
    return History(root, population, tuple(done))
