"""Stage outputs are used only as the stage wrote them: checked against the SHA-256 in the manifest.

Every stage records its output files (path relative to the run, SHA-256, bytes) in
``manifest.json`` (``stages.<stage>.outputs``). Before a stage's file is used (by the next stage in
``wbm run --stage``, by ``wbm report``, ``wbm table`` and ``wbm release``), :func:`stage_bytes`
reads it once and compares the hash of exactly those bytes with the record:

* a file whose bytes differ (edited, cut to 100 rows, replaced, half-copied) is refused
  (``stage_output_changed``): it is never released or tabulated as if complete;
* a file the manifest records but that is gone, or a stage's file the manifest does not list among
  that stage's outputs, is refused (``stage_output_missing``, ``stage_output_changed``);
* a stage whose outputs the manifest does not record (no manifest, or a directory put together by
  hand) is read unverified: there is nothing to check against.

The readers of :mod:`pipeline.rundata.read` and :meth:`pipeline.runner.Run.need` go through here,
so there is one verified way to read a stage's file. The run's own questionnaire (a copy written
into the run, :data:`~pipeline.rundata.layout.QUESTIONNAIRE`) is checked the same way
(:func:`pipeline.rundata.read.recorded_questionnaire`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pipeline.errors import InputError, Problem
from pipeline.rundata.layout import MANIFEST, manifest_path, relative, stage_file

_RERUN = "rerun the stage (wbm run --wave WAVE --out {run} --stage {stage}) or restore the file"


def recorded_outputs(manifest: dict[str, Any], stage: str) -> dict[str, dict[str, Any]] | None:
    """The outputs the manifest records for ``stage`` by relative path, or None when it records no
    outputs of that stage (nothing to verify against)."""
    stages = manifest.get("stages")
    entry = stages.get(stage) if isinstance(stages, dict) else None
    outputs = entry.get("outputs") if isinstance(entry, dict) else None
    if not isinstance(outputs, list):
        return None
    return {str(o["path"]): o for o in outputs if isinstance(o, dict) and "path" in o}


def check_bytes(
    run_dir: str | Path, manifest: dict[str, Any], rel: str, data: bytes, *, stage: str
) -> str:
    """The SHA-256 of ``data``, the bytes read from ``RUN/rel``; a located :class:`InputError` if
    the manifest's record of ``stage`` says they are not what the stage wrote."""
    digest = hashlib.sha256(data).hexdigest()
    outputs = recorded_outputs(manifest, stage)
    if outputs is None:
        return digest
    path = Path(run_dir) / rel
    entry = outputs.get(rel)
    hint = _RERUN.format(run=run_dir, stage=stage)
    if entry is None:
        raise InputError(
            f"{path}: not among the outputs the {stage} stage recorded",
            [
                Problem(
                    "the manifest does not list this file as written by the stage",
                    file=str(path),
                    expected=f"a file listed under stages.{stage}.outputs in {MANIFEST}",
                    hint=hint,
                    code="stage_output_changed",
                )
            ],
            code="stage_output_changed",
        )
    if entry.get("sha256") != digest:
        size = entry.get("bytes")
        raise InputError(
            f"{path}: changed since the {stage} stage wrote it; it is not used",
            [
                Problem(
                    "the file's SHA-256 differs from the one in the manifest",
                    file=str(path),
                    value=f"{len(data):,} bytes, sha256 {digest[:12]}...",
                    expected=f"{size:,} bytes, sha256 {str(entry.get('sha256'))[:12]}... "
                    f"({manifest_path(run_dir).name}, stages.{stage}.outputs)"
                    if isinstance(size, int)
                    else "the bytes the stage wrote",
                    hint=hint,
                    code="stage_output_changed",
                )
            ],
            code="stage_output_changed",
        )
    return digest


def run_file_problems(
    run_dir: str | Path, manifest: dict[str, Any], rel: str, data: bytes
) -> list[Problem]:
    """:func:`check_bytes` for ``RUN/rel`` (the stage from its directory), as problems rather than
    an error, for readers that report every file of a run at once (the wave archive)."""
    from pipeline.rundata.layout import STAGE_DIRS

    stage = next((s for s, d in STAGE_DIRS.items() if rel.split("/", 1)[0] == d), None)
    if stage is None:
        return []
    try:
        check_bytes(run_dir, manifest, rel, data, stage=stage)
    except InputError as exc:
        return list(exc.problems)
    return []


def stage_bytes(
    run_dir: str | Path, manifest: dict[str, Any], stage: str, name: str
) -> tuple[bytes, str]:
    """``(bytes, sha256)`` of ``RUN/<stage dir>/name``, read once and verified (module docstring).
    The caller has checked the file exists; one recorded but missing is ``stage_output_missing``."""
    path = stage_file(run_dir, stage, name)
    rel = relative(stage, name)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            f"{path}: the {stage} stage's output is missing",
            [
                Problem(
                    "recorded in the manifest, but not there",
                    file=str(path),
                    hint=_RERUN.format(run=run_dir, stage=stage),
                    code="stage_output_missing",
                )
            ],
            code="stage_output_missing",
        ) from None
    except OSError as exc:
        raise InputError(
            f"{path}: cannot be read ({exc.strerror or exc.__class__.__name__})",
            [Problem(str(exc), file=str(path), hint="check the file's permissions")],
            code="file_unreadable",
        ) from exc
    return data, check_bytes(run_dir, manifest, rel, data, stage=stage)


def verify_file(run_dir: str | Path, manifest: dict[str, Any], stage: str, name: str) -> Path:
    """The path of a stage's file after checking it (for readers that open the path themselves)."""
    stage_bytes(run_dir, manifest, stage, name)
    return stage_file(run_dir, stage, name)
