"""``wbm table`` as a function: request file + run(s) -> protected, logged, written table.

:func:`make_table` is what the command calls and what the end-to-end tests drive::

    request (YAML) --load/resolve--> ResolvedRequest
    runs ----------load_run/match--> WaveData per wave
    compute (estimation engine) -> protect (disclosure) -> ledger entry -> PublishedTable -> xlsx/csv/json

A refused request writes no file (its refusal is logged); the outcome says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import Problem, UsageError
from pipeline.tables.release import TableRelease, default_ledger, protect_request
from pipeline.tables.request import ResolvedRequest, load_request
from pipeline.tables.source import WaveData, load_run, match_waves


@dataclass(frozen=True)
class TableOutcome:
    release: TableRelease
    files: tuple[Path, ...]  # xlsx, csv, json; empty when refused or not written

    @property
    def decision(self) -> str:
        return self.release.decision


def make_table(request: str | Path | ResolvedRequest, runs: Sequence[str | Path | WaveData], out_dir: str | Path | None,
               *, ledger: str | Path | None = None, record: bool = True, logged_at: str | None = None) -> TableOutcome:
    """Produce one request's table. ``runs``: run directories (or loaded data), one per requested wave;
    ``ledger``: the ledger directory (default: each run's ``RUNDIR/ledger``); ``out_dir`` None or
    ``record=False`` with it: protect only (a dry run writes and logs nothing)."""
    resolved = request if isinstance(request, ResolvedRequest) else load_request(request)
    if not runs:
        raise UsageError("no data: give the run directory of every requested wave",
                         [Problem("no --run given", file=resolved.file,
                                  expected=f"one run per wave ({', '.join(map(str, resolved.request.waves))})",
                                  hint="e.g. wbm table REQUEST --run demo-output/run --out DIR")], code="no_run")
    data = [r if isinstance(r, WaveData) else load_run(r) for r in runs]
    by_wave = match_waves(resolved, data, resolved.file)
    release = protect_request(resolved, by_wave, default_ledger(ledger), record=record, logged_at=logged_at)
    if release.decision == "refuse" or out_dir is None:
        return TableOutcome(release, ())
    from pipeline.outputs.tables import write_table
    from pipeline.tables.publish import published

    return TableOutcome(release, write_table(published(release), out_dir))
