"""Adding, listing, checking and exporting waves (``wbm archive add|list|check|export``).

Guarantees:

- **Nothing already in the archive is lost.** A wave folder is written complete under ``.staging/``
  (files, then their checksums verified, then ``wave.json``) and renamed into ``waves/`` in one step;
  existing waves are never modified. ``add --replace`` moves the old copy to ``superseded/``. Views
  are derived and rebuilt from the waves (:mod:`pipeline.archive.views`). One writer at a time
  (an exclusive lock on ``ARCHIVE/.lock``).
- **Adding the same run twice is a no-op** (same study id and the same data version).
- **A damaged archive is reported**, every problem at once with its file and the fix, and a command
  that would change it refuses to (:func:`check_archive`).
- **Byte-identical round trip**: :func:`export_wave` writes a wave's run files back with the SHA-256
  they had in the run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from pipeline import __version__
from pipeline.archive import layout as L
from pipeline.archive.records import (
    ArchiveInfo,
    DesignModel,
    QuestionnaireRef,
    StoredFile,
    WaveRecord,
)
from pipeline.archive.source import RunBundle, read_run, sha256
from pipeline.errors import PipelineError, Problem, UsageError
from pipeline.fileio import dumps_json, ensure_dir, sha256_file, write_bytes, write_text

ArchiveStatus = Literal["added", "unchanged", "replaced"]


class ArchiveError(PipelineError):
    """The archive is damaged or cannot be changed as asked."""

    def __init__(
        self, message: str, problems: tuple[Problem, ...] = (), code: str = "archive_damaged"
    ):
        super().__init__(message, problems, code=code, exit_code=3)


@dataclass(frozen=True)
class AddResult:
    status: ArchiveStatus
    record: WaveRecord
    series: str


# ------------------------------------------------------------------------------------------ lock
@contextmanager
def locked(root: Path, *, exclusive: bool = True) -> Iterator[None]:
    """Hold ``ARCHIVE/.lock`` (exclusive for writers, shared for readers). A read-only archive (the
    lock file cannot be created) is read without a lock; a reader never creates the lock file (a
    folder that is not an archive is left as it was)."""
    import fcntl

    try:
        lock = root / L.LOCK_FILE
        fh = open(lock, "a+b" if exclusive else "rb")  # noqa: SIM115 - held for the block
    except OSError:
        if exclusive:
            raise
        yield
        return
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        fh.close()


# ----------------------------------------------------------------------------------- open, check
def _not_an_archive(root: Path, why: str) -> ArchiveError:
    return ArchiveError(
        f"{root} is not a wave archive",
        (
            Problem(
                why,
                file=str(L.archive_file(root)),
                expected=f'{{"kind": "{L.KIND}", "layout_version": {L.LAYOUT_VERSION}}}',
                hint="give the archive folder 'wbm archive add' created, or a new folder "
                "(it is created by 'wbm archive add RUN --archive DIR')",
            ),
        ),
        code="archive_not_found",
    )


def archive_info(root: Path) -> ArchiveInfo:
    """``archive.json``, checked; a missing or damaged one is an :class:`ArchiveError`."""
    import json

    p = L.archive_file(root)
    if not root.is_dir():
        raise _not_an_archive(root, "no such folder")
    if not p.is_file():
        raise _not_an_archive(root, "archive.json is missing")
    try:
        return ArchiveInfo.model_validate(json.loads(p.read_text(encoding="utf-8")))
    except (ValueError, ValidationError, OSError, UnicodeDecodeError) as exc:
        hint = (
            "the folder holds waves: restore archive.json (its whole content is the expected text "
            "above) or run 'wbm archive check --repair'"
            if L.waves_dir(root).is_dir()
            else "give the folder 'wbm archive add' created"
        )
        raise ArchiveError(
            f"{p} is damaged",
            (
                Problem(
                    str(exc).splitlines()[0][:200],
                    file=str(p),
                    expected=f'{{"kind": "{L.KIND}", "layout_version": {L.LAYOUT_VERSION}}}',
                    hint=hint,
                ),
            ),
        ) from None


def ensure_archive(root: Path) -> ArchiveInfo:
    """Open an archive, creating it when ``root`` does not exist or is an empty folder."""
    if not root.exists() or (root.is_dir() and not any(root.iterdir())):
        info = ArchiveInfo()
        ensure_dir(root)
        write_text(L.archive_file(root), dumps_json(info.model_dump(mode="json")))
        return info
    if root.exists() and not root.is_dir():
        raise _not_an_archive(root, "a file, not a folder")
    return archive_info(root)


def _wave_fix(root: Path, study_id: str) -> str:
    return (
        f"restore waves/{study_id}/ from a backup, or add its run again with "
        f"'wbm archive add RUN --archive {root} --replace' (the damaged copy is kept in superseded/)"
    )


def read_record(root: Path, study_id: str) -> WaveRecord:
    """One wave's ``wave.json`` (an :class:`ArchiveError` naming the file if it is damaged)."""
    import json

    p = L.wave_dir(root, study_id) / L.WAVE_FILE
    try:
        rec = WaveRecord.model_validate(json.loads(p.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ArchiveError(
            f"{p} is missing",
            (Problem("the wave has no record", file=str(p), hint=_wave_fix(root, study_id)),),
        ) from None
    except (ValueError, ValidationError, OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(
            f"{p} is damaged",
            (
                Problem(
                    str(exc).splitlines()[0][:200],
                    file=str(p),
                    expected="the wave record 'wbm archive add' wrote",
                    hint=_wave_fix(root, study_id),
                ),
            ),
        ) from None
    if rec.id != study_id:
        raise ArchiveError(
            f"{p} describes another wave",
            (
                Problem(
                    "the record's id is not its folder's name",
                    file=str(p),
                    value=rec.id,
                    expected=study_id,
                    hint=_wave_fix(root, study_id),
                ),
            ),
        )
    return rec


def wave_problems(root: Path, rec: WaveRecord, *, deep: bool = True) -> list[Problem]:
    """Missing files, wrong sizes and (``deep``) wrong SHA-256 of one wave's files."""
    out = []
    base = L.wave_dir(root, rec.id)
    for f in rec.files:
        p = base / f.path
        if not p.is_file():
            out.append(
                Problem(
                    "file missing",
                    file=str(p),
                    expected=f"SHA-256 {f.sha256}",
                    hint=_wave_fix(root, rec.id),
                )
            )
        elif p.stat().st_size != f.bytes or (deep and sha256_file(p) != f.sha256):
            out.append(
                Problem(
                    "file changed since it was archived",
                    file=str(p),
                    expected=f"{f.bytes} bytes, SHA-256 {f.sha256}",
                    hint=_wave_fix(root, rec.id),
                )
            )
    return out


@dataclass(frozen=True)
class ArchiveState:
    root: Path
    info: ArchiveInfo
    waves: tuple[WaveRecord, ...]  # readable, intact waves, ordered by population then year
    problems: tuple[Problem, ...]  # damage (waves not in ``waves``, views)

    def wave(self, study_id: str) -> WaveRecord | None:
        return next((w for w in self.waves if w.id == study_id), None)


def check_archive(root: Path, *, deep: bool = True, views: bool = True) -> ArchiveState:
    """Every wave and (``views``) every view checked; problems collected, never raised (except for a
    folder that is not an archive at all)."""
    info = archive_info(root)
    waves: list[WaveRecord] = []
    problems: list[Problem] = []
    wdir = L.waves_dir(root)
    for d in sorted(wdir.iterdir()) if wdir.is_dir() else []:
        if not d.is_dir():
            problems.append(
                Problem(
                    "not a wave folder",
                    file=str(d),
                    hint="remove it: waves/ holds one folder per wave",
                )
            )
            continue
        try:
            rec = read_record(root, d.name)
        except ArchiveError as exc:
            problems.extend(exc.problems)
            continue
        found = wave_problems(root, rec, deep=deep)
        if found:
            problems.extend(found)
        else:
            waves.append(rec)
    waves.sort(key=lambda r: (r.population, r.year, r.id))
    if views and not problems:
        from pipeline.archive.views import view_problems

        problems.extend(view_problems(root, tuple(waves), deep=deep))
    return ArchiveState(root, info, tuple(waves), tuple(problems))


def require_intact(state: ArchiveState, doing: str) -> None:
    if state.problems:
        raise ArchiveError(
            f"{state.root}: the archive is damaged, so nothing was {doing} "
            f"({len(state.problems)} problem(s))",
            state.problems,
        )


# ------------------------------------------------------------------------------------------ add
def _stage(root: Path, bundle: RunBundle) -> tuple[Path, WaveRecord]:
    """The wave folder written complete under ``.staging/``; returns it and its record."""
    import tempfile

    from pipeline.questionnaire.dump import dump_questionnaire

    q = bundle.questionnaire
    staging = L.STAGING_DIR
    ensure_dir(root / staging)
    tmp = Path(tempfile.mkdtemp(prefix=f"{q.study.id}.", dir=root / staging))
    contents: list[tuple[str, str, bytes]] = [
        (role, rel, bundle.files[role]) for role, rel in L.RUN_FILES if role in bundle.files
    ]
    contents.append(("questionnaire_source", L.QUESTIONNAIRE_SOURCE, bundle.questionnaire_bytes))
    header = (
        f"{q.study.id}, resolved by wbm-pipeline {__version__} from the file the run used "
        f"({L.QUESTIONNAIRE_SOURCE}); loadable on its own"
    )
    contents.append(
        (
            "questionnaire",
            L.QUESTIONNAIRE_FILE,
            dump_questionnaire(q, header=header).encode("utf-8"),
        )
    )
    contents.append(
        ("design", L.DESIGN_FILE, dumps_json(bundle.design.model_dump(mode="json")).encode("utf-8"))
    )
    files = []
    for role, rel, data in contents:
        write_bytes(tmp / rel, data)
        files.append(StoredFile(role=role, path=rel, sha256=sha256(data), bytes=len(data)))
    rec = WaveRecord(
        id=q.study.id,
        population=q.study.population,
        year=q.study.wave,
        title=q.study.title.nl,
        questionnaire=QuestionnaireRef(
            id=q.study.id,
            version=q.study.version,
            sha256=sha256(bundle.questionnaire_bytes),
            previous=q.mapping.previous if q.mapping is not None else None,
        ),
        data_version=bundle.data_version,
        cutoff_population=bundle.cutoff_population,
        synthetic=bundle.synthetic,
        run_name=bundle.run_dir.resolve().name,
        respondents=bundle.respondents,
        files=tuple(files),
        added_by=f"wbm-pipeline {__version__}",
    )
    bad = []
    for f in rec.files:  # read back what was written
        if sha256_file(tmp / f.path) != f.sha256:
            bad.append(Problem("written file does not read back", file=str(tmp / f.path)))
    if bad:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ArchiveError(
            "the wave could not be written intact; nothing was added",
            tuple(bad),
            code="archive_write_failed",
        )
    write_text(tmp / L.WAVE_FILE, dumps_json(rec.model_dump(mode="json")))
    return tmp, rec


def _conflicts(state: ArchiveState, rec: WaveRecord) -> list[Problem]:
    """Another wave of the same population and year, or a fork of a series."""
    out = []
    for w in state.waves:
        if w.id == rec.id:
            continue
        if (
            rec.questionnaire.previous is not None
            and w.questionnaire.previous == rec.questionnaire.previous
            and w.population == rec.population
        ):
            out.append(
                Problem(
                    f"wave {w.id} already follows {rec.questionnaire.previous} in the archive: "
                    "a series cannot fork",
                    file=str(L.wave_dir(state.root, w.id) / L.WAVE_FILE),
                    value=rec.id,
                    hint=f"point the mapping of {rec.id}'s questionnaire at {w.id} (mapping.previous)",
                )
            )
    return out


def _same_run(rec: WaveRecord, bundle: RunBundle) -> bool:
    """The same data version and the same run files, byte for byte. A file of an optional role the
    wave was archived without (archived before the role existed) does not make the run another."""
    archived = {f.role: f.sha256 for f in rec.files}
    return rec.data_version == bundle.data_version and all(
        archived.get(role) == sha256(data)
        for role, data in bundle.files.items()
        if role in archived or role in L.REQUIRED_RUN_FILES
    )


def _missing_roles(rec: WaveRecord, bundle: RunBundle) -> bool:
    """The run has a file of an optional role the archived wave lacks (``--replace`` adds it)."""
    archived = {f.role for f in rec.files}
    return any(role not in archived for role in bundle.files)


def add_run(root: str | Path, run_dir: str | Path, *, replace: bool = False) -> AddResult:
    """Add a finished run (see the module docstring). Creates the archive if ``root`` does not exist."""
    from pipeline.archive.views import refresh_views, series_of

    root = Path(root)
    bundle = read_run(run_dir)  # read and check the run before touching the archive
    ensure_archive(root)
    with locked(root):
        state = check_archive(root)
        require_intact(state, "added")
        study = bundle.questionnaire.study.id
        old = state.wave(study)
        if (
            old is not None
            and _same_run(old, bundle)
            and not (replace and _missing_roles(old, bundle))
        ):
            return AddResult("unchanged", old, series_of(state.waves, old.id))
        if old is not None and not replace:
            raise UsageError(
                f"the archive already holds wave {study} with other data",
                [
                    Problem(
                        "another data version of the same wave"
                        if old.data_version != bundle.data_version
                        else "the same data version, but other run files (estimates, diagnostics)",
                        file=str(L.wave_dir(root, study) / L.WAVE_FILE),
                        value=bundle.data_version[:12],
                        expected=f"data version {old.data_version[:12]} (archived from run "
                        f"{old.run_name!r})",
                        hint="add it with --replace to archive this run instead "
                        "(the old copy is kept in superseded/)",
                    )
                ],
                code="archive_wave_exists",
            )
        tmp, rec = _stage(root, bundle)
        try:
            conflicts = _conflicts(state, rec)
            if conflicts:
                raise UsageError(
                    f"{study} does not fit the archive's series",
                    conflicts,
                    code="archive_series_fork",
                )
            target = L.wave_dir(root, study)
            ensure_dir(target.parent)
            if old is not None:
                keep = root / L.SUPERSEDED_DIR / f"{study}@{old.data_version[:12]}"
                ensure_dir(keep.parent)
                if keep.exists():
                    shutil.rmtree(keep)
                os.replace(target, keep)
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        waves = tuple(w for w in state.waves if w.id != study) + (rec,)
        series = series_of(waves, study)
        refresh_views(root, waves, changed=study)
        return AddResult("replaced" if old is not None else "added", rec, series)


# --------------------------------------------------------------------------------- list, export
def list_waves(root: str | Path) -> ArchiveState:
    """The archive's waves and any damage (cheap checks: sizes, not checksums)."""
    root = Path(root)
    with locked(root, exclusive=False):
        return check_archive(root, deep=False)


def export_wave(root: str | Path, study_id: str, out_dir: str | Path) -> tuple[Path, ...]:
    """Write a wave's run files back into ``out_dir`` (its run layout: ``manifest.json``,
    ``03_score/scored.parquet``, ...) and the questionnaire file the run used, byte for byte;
    every file's SHA-256 is checked before and after writing."""
    root, out = Path(root), Path(out_dir)
    with locked(root, exclusive=False):
        archive_info(root)
        from pipeline.outpath import inside, is_id

        found = is_id(study_id) and L.wave_dir(root, study_id).is_dir()  # an id never a path
        rec = read_record(root, study_id) if found else None
        if rec is None:
            known = (
                sorted(p.name for p in L.waves_dir(root).iterdir())
                if L.waves_dir(root).is_dir()
                else []
            )
            raise UsageError(
                f"the archive holds no wave {study_id!r}",
                [
                    Problem(
                        "no such wave",
                        file=str(L.waves_dir(root)),
                        value=study_id,
                        expected="one of " + (", ".join(known) or "(none)"),
                        hint="see 'wbm archive list'",
                    )
                ],
                code="archive_no_wave",
            )
        bad = wave_problems(root, rec)
        if bad:
            raise ArchiveError(f"wave {study_id} is damaged; nothing was exported", tuple(bad))
        written = []
        for f in rec.files:
            if f.role in ("design", "questionnaire"):
                continue  # made by the archive, not part of the run
            name = f"{rec.questionnaire.id}.yaml" if f.role == "questionnaire_source" else f.path
            data = (L.wave_dir(root, study_id) / f.path).read_bytes()
            p = write_bytes(inside(out, name), data)  # a record never writes outside --out
            if sha256_file(p) != f.sha256:  # pragma: no cover - a disk that lies
                raise ArchiveError(
                    "an exported file does not read back", (Problem("checksum", file=str(p)),)
                )
            written.append(p)
        return tuple(written)


def stored_design(root: Path, rec: WaveRecord) -> DesignModel:
    import json

    p = L.wave_dir(root, rec.id) / L.DESIGN_FILE
    return DesignModel.model_validate(json.loads(p.read_text(encoding="utf-8")))


def repair_archive(root: str | Path) -> tuple[str, ...]:
    """Rebuild everything derived: ``archive.json`` when the folder holds waves but the file is
    missing or damaged, and every series' views. Archived waves are only read; damaged waves are
    reported by :func:`check_archive`, never changed."""
    from pipeline.archive.views import rebuild_all

    root = Path(root)
    try:
        archive_info(root)
    except ArchiveError:
        if not L.waves_dir(root).is_dir():
            raise
        write_text(L.archive_file(root), dumps_json(ArchiveInfo().model_dump(mode="json")))
    with locked(root):
        state = check_archive(root, views=False)
        return rebuild_all(root, state.waves)
