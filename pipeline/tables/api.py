"""``wbm table`` as a function: request file + run(s) -> protected, logged, written table.

:func:`make_table` is what the command calls and what the end-to-end tests drive::

    request (YAML) --read (structure)--> TableRequest
    runs ----------load_run/match--> WaveData per wave
    request + the runs' questionnaires --resolve (names)--> ResolvedRequest
    compute (estimation engine) -> protect (disclosure) -> xlsx/csv/json staged -> ledger entry -> files in place

The publisher (:mod:`pipeline.sdc.publisher`: policy, registry, ledgers) is ``--policy``, else
``$WBM_POLICY``, else the policy the run recorded. A release is logged exactly when its files are
written (:func:`publish_request`): the output and ledger directories are checked before anything is protected, the three files are written into a
staging folder, the release is logged in every ledger, and only then are the files moved into place.
A refused request writes no file (its refusal is logged); a dry run (no output directory) writes and
logs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import OutputError, Problem, UsageError
from pipeline.questionnaire.load import load_questionnaire
from pipeline.sdc.publisher import Publisher, publisher
from pipeline.tables.release import TableRelease, protect_request, record_request
from pipeline.tables.request import ResolvedRequest, read_request, resolve
from pipeline.tables.source import WaveData, check_columns, load_run, match_waves


@dataclass(frozen=True)
class TableOutcome:
    release: TableRelease
    files: tuple[Path, ...]  # xlsx, csv, json, excel.csv; empty when refused or not written

    @property
    def decision(self) -> str:
        return self.release.decision


def make_table(
    request: str | Path | ResolvedRequest,
    runs: Sequence[str | Path | WaveData],
    out_dir: str | Path | None,
    *,
    policy: str | Path | Publisher | None = None,
    ledger: str | Path | None = None,
    logged_at: str | None = None,
) -> TableOutcome:
    """Produce one request's table. ``request``: a request file (resolved against the questionnaires
    of the runs given) or a resolved request; ``runs``: run directories (or loaded data), one per
    requested wave; ``out_dir``: where the files go, None for a dry run (protect only: nothing
    written, nothing logged); ``policy``: the publisher's policy file (or a :class:`Publisher`;
    default ``$WBM_POLICY``, then the policy the first run recorded); ``ledger``: a ledger directory
    used besides the policy's (releases are logged in both and checked against both)."""
    resolved: ResolvedRequest | None = None
    if isinstance(request, ResolvedRequest):
        resolved, req, file = request, request.request, request.file
    else:
        req, file = read_request(request), str(request)
    if not runs:
        raise UsageError(
            "no data: give the run directory of every requested wave",
            [
                Problem(
                    "no --run given",
                    file=file,
                    expected=f"one run per wave ({', '.join(map(str, req.waves))})",
                    hint="e.g. wbm table REQUEST --run demo-output/run --out DIR",
                )
            ],
            code="no_run",
        )
    data = [r if isinstance(r, WaveData) else load_run(r) for r in runs]
    pub = (
        policy
        if isinstance(policy, Publisher)
        else publisher(
            policy,
            recorded=next((d.policy for d in data if d.policy), None),
            extra_ledgers=() if ledger is None else (ledger,),
        )
    )
    if ledger is not None and isinstance(policy, Publisher):
        pub = Publisher(pub.policy, pub.registry, (*pub.extra_ledgers, Path(ledger)))
    if resolved is not None:
        by_wave = match_waves(
            req, data, file, expected={w.wave: w.questionnaire.study.id for w in resolved.waves}
        )
    else:
        named = None if req.questionnaire is None else load_questionnaire(req.questionnaire)
        by_wave = match_waves(
            req,
            data,
            file,
            expected=None if named is None else dict.fromkeys(req.waves, named.study.id),
        )
        resolved = resolve(
            req,
            file,
            loaded=named,
            questionnaires={w: d.questionnaire for w, d in by_wave.items()},
            cutoff_populations={w: d.cutoff_population for w, d in by_wave.items()},
            allowed_items=pub.policy.policy.tables.breakdowns_allowed,
            sensitive_allowed=tuple(pub.policy.policy.tables.sensitive_breakdowns),
        )
    check_columns(resolved, by_wave, file)
    return publish_request(resolved, by_wave, out_dir, pub, logged_at=logged_at)


def publish_request(
    resolved: ResolvedRequest,
    data: Mapping[int, WaveData],
    out_dir: str | Path | None,
    publisher: Publisher,
    *,
    logged_at: str | None = None,
) -> TableOutcome:
    """Protect a resolved request on its data and, unless ``out_dir`` is None (a dry run), log and
    write it: the one path by which table files are written (see the module docstring)."""
    from pipeline.tables.files import staged_table
    from pipeline.tables.publish import published

    if out_dir is not None:
        _check_dirs(resolved, Path(out_dir), publisher)
    release = protect_request(resolved, data, publisher)
    if out_dir is None:
        return TableOutcome(release, ())
    if release.decision == "refuse":
        return TableOutcome(record_request(release, publisher, logged_at), ())
    with staged_table(published(release), out_dir) as files:  # moved into place only once logged
        logged = record_request(release, publisher, logged_at)
    return TableOutcome(logged, files)


def _check_dirs(resolved: ResolvedRequest, out_dir: Path, publisher: Publisher) -> None:
    """Every directory the release will write to must be a directory or creatable as one (checked
    before anything is protected or logged); the table's file names must not be directories."""
    from pipeline.tables.files import table_files

    out = _dir_problems(out_dir, "give a directory for --out")
    if not out:
        out = [
            Problem(
                "a directory has the name of a table file",
                file=str(f),
                hint="remove it, or give another --out",
                code="cannot_write",
            )
            for f in table_files(out_dir, resolved.request.id)
            if f.is_dir()
        ]
    led: list[Problem] = []
    for ledger in publisher.ledgers:
        own = ledger.directory == publisher.policy.ledger_dir
        for p in _dir_problems(
            ledger.directory,
            f"the policy {publisher.policy.file.name} names the ledger: make it a directory"
            if own
            else "give a directory for --ledger",
        ):
            if p not in led:
                led.append(p)
    if out or led:
        first = (out or led)[0]
        raise OutputError(f"the table cannot be written: {first.message}", out + led)


def _dir_problems(path: Path, hint: str) -> list[Problem]:
    """A problem if ``path`` is a file, lies under a file, or cannot be created or written."""
    from pipeline.outpath import dir_problem

    p = dir_problem(path, hint=hint)
    return [] if p is None else [p]
