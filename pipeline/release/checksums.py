"""The release manifest: ``manifest.json`` with the SHA-256 and size of every other file of the
release directory, and what the release was made from (run, questionnaire, profile, software).
Deterministic: no times, no absolute paths. :func:`verify` checks a release directory against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import InputError, Problem
from pipeline.fileio import read_json_object, sha256_file, write_json
from pipeline.manifest import MANIFEST, file_entry

KIND = "wbm-release-manifest"


@dataclass(frozen=True)
class Mismatch:
    path: str
    problem: str  # "missing", "changed", "unlisted"


def write_manifest(out_dir: Path, files: list[tuple[Path, str]], about: dict[str, Any]) -> Path:
    """``files``: (path, role) of every file of the release except the manifest."""
    entries = [
        file_entry(p, role=role, base=out_dir) for p, role in sorted(files, key=lambda t: t[0].name)
    ]
    return write_json(
        out_dir / MANIFEST, {"kind": KIND, "manifest_version": 1, **about, "files": entries}
    )


def read_manifest(out_dir: Path) -> dict[str, Any]:
    """The release manifest of ``out_dir``; InputError ``no_release_manifest`` if there is none (or
    another kind), ``bad_json`` or ``bad_release_manifest`` if it is damaged."""
    path = out_dir / MANIFEST
    fix = "a damaged release: give an empty or new directory, or remove this one and build the release again"
    data = read_json_object(
        path, expected="the release manifest 'wbm release' writes (a JSON object)", hint=fix
    )
    if data.get("kind") != KIND:
        raise InputError(
            f"{out_dir}: no release manifest",
            [
                Problem(
                    f"{MANIFEST} is missing or not a release manifest",
                    file=str(path),
                    hint="give the directory 'wbm release' wrote",
                )
            ],
            code="no_release_manifest",
        )
    files = data.get("files", [])
    if not isinstance(files, list):
        damaged: Problem | None = Problem(
            "'files' is not a list",
            file=str(path),
            path="files",
            value=type(files).__name__,
            expected="a list of file entries",
            hint=fix,
        )
    else:
        bad = next(
            (
                i
                for i, f in enumerate(files)
                if not (
                    isinstance(f, dict)
                    and isinstance(f.get("path"), str)
                    and isinstance(f.get("sha256"), str)
                )
            ),
            None,
        )
        damaged = (
            None
            if bad is None
            else Problem(
                "a file entry without path or sha256",
                file=str(path),
                path=f"files[{bad}]",
                value=files[bad],
                expected="{path, role, sha256, bytes}",
                hint=fix,
            )
        )
    if damaged is not None:
        raise InputError(
            f"{path}: damaged release manifest", [damaged], code="bad_release_manifest"
        )
    return data


def listed_files(out_dir: Path) -> list[str]:
    return [str(f["path"]) for f in read_manifest(out_dir).get("files", [])]


def verify(out_dir: Path) -> tuple[Mismatch, ...]:
    """Files that are missing, changed or not listed (empty: the release is intact)."""
    listed = {str(f["path"]): str(f["sha256"]) for f in read_manifest(out_dir).get("files", [])}
    out = [
        Mismatch(p, "missing") if not (out_dir / p).is_file() else Mismatch(p, "changed")
        for p, sha in listed.items()
        if not (out_dir / p).is_file() or sha256_file(out_dir / p) != sha
    ]
    present = {p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()} - {
        MANIFEST
    }
    out += [Mismatch(p, "unlisted") for p in sorted(present - set(listed))]
    return tuple(out)
