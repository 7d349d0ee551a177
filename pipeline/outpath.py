"""Where a command may write: ids and file names as slugs, one path guard, one "cannot write here".

* :func:`slug` makes a file-name part from any text (a label of 3,000 characters, a sector name
  with accents): lower-case ASCII letters, digits and ``-``, at most :data:`SLUG_MAX` characters (a
  cut slug ends in a short hash of the whole text, so two long labels never share a name).
* :data:`ID_PATTERN` is what an id (questionnaire, XLSForm form, request, profile) must look like,
  so that ``../../../tmp/pwn`` is refused where the file is read (:func:`id_problem`).
* :func:`inside` is the path guard: a file name built from a spec is joined to the folder the
  command was given, resolved (``..`` and symbolic links followed), and refused (code
  ``path_escape``) if it lies outside that folder.
* :func:`cannot_write` turns the operating system's refusal (a file in the way, read-only, no
  permission, no space, ``/proc``) into one located :class:`~pipeline.errors.OutputError` (code
  ``cannot_write``); :mod:`pipeline.fileio` raises it for every write, and :func:`require_dir`
  checks an output folder before a command does any work.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import unicodedata
from pathlib import Path

from pipeline.errors import OutputError, PipelineError, Problem

#: longest slug (a file-name part); file systems allow 255 bytes per name
SLUG_MAX = 60
#: an id: starts with a letter or digit; letters, digits, '.', '_' and '-'; at most 64 characters
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_ID = re.compile(ID_PATTERN)
ID_EXPECTED = "letters, digits, '.', '_' and '-' (starting with a letter or digit), at most 64"

#: errors that say the location is wrong (fix the option: exit 2), not that writing failed (exit 1)
_LOCATION_ERRNOS = {
    errno.ENOTDIR,
    errno.EEXIST,
    errno.EISDIR,
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENAMETOOLONG,
    errno.ENOENT,
}


def slug(text: str, max_len: int = SLUG_MAX) -> str:
    """``"Gezondheidszorg & welzijn"`` -> ``gezondheidszorg-welzijn``; never empty, never longer
    than ``max_len``."""
    ascii_text = (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    )
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "x"
    if len(out) <= max_len:
        return out
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return out[: max_len - 9].rstrip("-") + "-" + digest


def is_id(text: object) -> bool:
    return isinstance(text, str) and bool(_ID.match(text)) and ".." not in text


def id_problem(
    value: object, *, file: str | None = None, path: str | None = None
) -> Problem | None:
    """A problem (code ``bad_id``) if ``value`` is not an id, else None."""
    if is_id(value):
        return None
    return Problem(
        "not a valid id",
        file=file,
        path=path,
        value=str(value)[:80],
        expected=ID_EXPECTED,
        hint="use a short name such as 'wbm-werknemers-2023'",
        code="bad_id",
    )


def inside(base: str | Path, *parts: str) -> Path:
    """``base / parts...``, refused (:class:`OutputError`, code ``path_escape``) unless it resolves
    to a path inside ``base`` (``base`` itself is not allowed either)."""
    root = Path(base)
    target = root.joinpath(*parts)
    real_root = root.resolve()
    real = target.resolve()
    if real == real_root or real_root not in real.parents:
        raise OutputError(
            f"{target}: would be written outside {root}",
            [
                Problem(
                    "a file name from a spec leads outside the output folder",
                    file=str(target),
                    value="/".join(parts)[:120],
                    expected=f"a file inside {root}",
                    hint="ids and names in specs are slugs: no '/', '..' or absolute paths",
                    code="path_escape",
                )
            ],
            code="path_escape",
        )
    return target


def _reason(exc: OSError, target: Path) -> tuple[str, Path]:
    """What went wrong, and the path it went wrong at (the file in the way, the read-only folder)."""
    blocker = target
    while not blocker.exists() and blocker.parent != blocker:
        blocker = blocker.parent
    if (
        blocker.exists()
        and not blocker.is_dir()
        and (blocker != target or exc.errno == errno.EEXIST)
    ):
        return f"{blocker} is a file, not a folder", blocker
    if exc.errno == errno.EISDIR:
        return f"{exc.filename or target} is a folder", target
    if exc.errno == errno.EROFS:
        return "the file system is read-only", blocker
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"no permission to write in {blocker}", blocker
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return exc.strerror or "no space left on the device", blocker
    if exc.errno == errno.ENAMETOOLONG:
        return "the file name is too long", target
    if exc.errno == errno.ENOENT and blocker.is_dir() and blocker != target:
        return f"{blocker} does not take new files or folders (a system folder?)", blocker
    return exc.strerror or exc.__class__.__name__, blocker


def cannot_write(target: str | Path, exc: OSError, *, what: str | None = None) -> OutputError:
    """The one "cannot write here" error: located at ``target``, saying why (a file in the way,
    read-only, permissions, no space) and what to do."""
    t = Path(target)
    reason, at = _reason(exc, t)
    return OutputError(
        f"{what} ({reason})" if what else f"{t}: cannot write here ({reason})",
        [
            Problem(
                reason,
                file=str(t),
                value=str(at) if at != t else None,
                expected="a folder you can write to (created if missing)",
                hint="choose another output location (--out), or free space / fix the permissions",
                code="cannot_write",
            )
        ],
        code="cannot_write",
        exit_code=2 if exc.errno in _LOCATION_ERRNOS else 1,
    )


def os_error(exc: OSError) -> PipelineError:
    """An ``OSError`` that no command turned into a located error itself (a safety net of the
    command line): still the file, what the system said and what to check, never a traceback."""
    file = exc.filename if isinstance(exc.filename, str) else None
    return PipelineError(
        f"{file or 'a file'}: the operating system refused ({exc.strerror or exc})",
        [
            Problem(
                exc.strerror or str(exc),
                file=file,
                hint="check that the path exists, is of the right kind (file or folder) and that "
                "you may read or write it",
                code="os_error",
            )
        ],
        code="os_error",
    )


def dir_problem(path: str | Path, *, hint: str | None = None) -> Problem | None:
    """A problem (code ``cannot_write``) if ``path`` is a file, lies under a file, or cannot be
    created or written; None when it can be used as an output folder."""
    p = Path(path)
    probe = p
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        where = "is a file" if probe == p else f"is under {probe}, which is a file"
        return Problem(
            f"{p} {where}",
            file=str(p),
            expected="a directory (created if missing)",
            hint=hint or "give a directory",
            code="cannot_write",
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        return Problem(
            f"{probe} cannot be written",
            file=str(p),
            expected="a folder you can write to",
            hint=hint or "choose another output location",
            code="cannot_write",
        )
    return None


def require_dir(path: str | Path, *, option: str = "--out") -> Path:
    """Check (without creating anything) that ``path`` can be an output folder; raise the located
    :class:`OutputError` (exit 2) otherwise. Commands call it before they do any work."""
    problem = dir_problem(path, hint=f"give a directory you can write to for {option}")
    if problem is not None:
        raise OutputError(f"{option} {path}: cannot write here", [problem], exit_code=2)
    return Path(path)


def require_file_target(path: str | Path, *, option: str = "--out") -> Path:
    """Like :func:`require_dir` for an output *file*: not a folder, and its folder usable."""
    p = Path(path)
    if p.is_dir():
        raise OutputError(
            f"{option} {p}: cannot write here",
            [
                Problem(
                    f"{p} is a folder",
                    file=str(p),
                    expected="a file name",
                    hint=f"give a file name for {option}",
                    code="cannot_write",
                )
            ],
            exit_code=2,
        )
    require_dir(p.parent if str(p.parent) else Path("."), option=option)
    return p
