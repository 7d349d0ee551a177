"""Atomic, deterministic file writing and checksums.

Everything the pipeline writes goes through these helpers: the content is written to a temporary file
in the target directory and renamed into place, so a crash never leaves a half-written output. Writers
are deterministic (sorted JSON keys, no timestamps in Parquet metadata), so the same inputs give
byte-identical outputs.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def ensure_dir(path: str | os.PathLike[str]) -> Path:
    """``mkdir -p path``; a location that cannot be created is the one located "cannot write here"
    error (:func:`pipeline.outpath.cannot_write`), never an ``OSError`` traceback."""
    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from pipeline.outpath import cannot_write

        raise cannot_write(p, exc) from None
    return p


def staging_dir(parent: str | os.PathLike[str], prefix: str) -> Path:
    """A new hidden temporary folder in ``parent`` (created if missing) for files that are moved
    into place together; the located "cannot write here" error if ``parent`` cannot take it."""
    p = ensure_dir(parent)
    try:
        return Path(tempfile.mkdtemp(prefix=f".{prefix[:100]}.", dir=p))
    except OSError as exc:
        from pipeline.outpath import cannot_write

        raise cannot_write(p, exc) from None


def move_into_place(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> Path:
    """``os.replace(src, dst)`` (atomic on one file system), a refusal located at ``dst``."""
    try:
        os.replace(src, dst)
    except OSError as exc:
        from pipeline.outpath import cannot_write

        raise cannot_write(Path(dst), exc) from None
    return Path(dst)


#: errors while writing the content that mean "the location cannot take it", not a bug
_WRITE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG, errno.EIO}
if hasattr(errno, "EDQUOT"):
    _WRITE_ERRNOS.add(errno.EDQUOT)


@contextmanager
def atomic_path(target: str | os.PathLike[str], suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it onto ``target``. A location
    that cannot be written is a located :class:`~pipeline.errors.OutputError` (code
    ``cannot_write``), and nothing is left behind."""
    from pipeline.outpath import cannot_write

    target = Path(target)
    ensure_dir(target.parent)
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name[:100]}.", suffix=suffix or ".tmp", dir=target.parent
        )
    except OSError as exc:
        raise cannot_write(target, exc) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        try:
            yield tmp_path
        except OSError as exc:
            if exc.errno in _WRITE_ERRNOS and exc.filename in (None, str(tmp_path), str(target)):
                raise cannot_write(target, exc) from None
            raise
        try:
            os.chmod(tmp_path, 0o666 & ~_umask())
            os.replace(tmp_path, target)
        except OSError as exc:
            raise cannot_write(target, exc) from None
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_open(target: str | os.PathLike[str], mode: str = "w", **kw: Any) -> Iterator[IO[Any]]:
    with atomic_path(target) as tmp, open(tmp, mode, **kw) as fh:
        yield fh


def write_text(target: str | os.PathLike[str], text: str) -> Path:
    with atomic_open(target, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return Path(target)


def write_bytes(target: str | os.PathLike[str], data: bytes) -> Path:
    with atomic_open(target, "wb") as fh:
        fh.write(data)
    return Path(target)


def _json_default(o: object) -> object:
    import numpy as np

    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return None if np.isnan(o) else float(o)
    if isinstance(o, np.bool_):
        return bool(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return o.as_posix()
    if hasattr(o, "model_dump"):
        return o.model_dump(mode="json")
    if hasattr(o, "__dataclass_fields__"):
        import dataclasses

        return dataclasses.asdict(o)  # type: ignore[call-overload]
    if isinstance(o, (set, frozenset)):
        return sorted(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def dumps_json(obj: object) -> str:
    """Deterministic JSON: sorted keys, fixed indentation, NaN written as null."""
    return (
        json.dumps(
            obj,
            indent=2,
            sort_keys=True,
            ensure_ascii=False,
            default=_json_default,
            allow_nan=False,
        )
        + "\n"
    )


def write_json(target: str | os.PathLike[str], obj: object) -> Path:
    return write_text(target, dumps_json(_clean_nan(obj)))


def _clean_nan(obj: object) -> object:
    import math

    if isinstance(obj, float) and (math.isnan(obj) or math.isinf(obj)):
        return None
    if isinstance(obj, dict):
        return {str(k): _clean_nan(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean_nan(v) for v in obj]
    return obj


def write_parquet(target: str | os.PathLike[str], df: pd.DataFrame) -> Path:
    """Write a DataFrame to Parquet deterministically (no pandas index, fixed writer options)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    # drop the pandas metadata blob's non-deterministic parts by keeping schema metadata minimal
    meta = dict(table.schema.metadata or {})
    table = table.replace_schema_metadata({k: v for k, v in meta.items() if k == b"pandas"})
    with atomic_path(target, suffix=".parquet") as tmp:
        pq.write_table(table, tmp, compression="zstd", use_dictionary=True, write_statistics=True)
    return Path(target)


def read_parquet(path: str | os.PathLike[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.read_parquet(path)


def write_with(
    target: str | os.PathLike[str], writer: Callable[[Path], None], suffix: str = ""
) -> Path:
    """Run ``writer(tmp_path)`` and atomically move the result onto ``target``."""
    with atomic_path(target, suffix=suffix or Path(target).suffix) as tmp:
        writer(tmp)
    return Path(target)


def read_json_object(path: str | os.PathLike[str], *, expected: str, hint: str) -> dict[str, Any]:
    """The JSON object in ``path`` ({} if the file does not exist). A file that cannot be read as
    JSON, or holds something else than an object, is an :class:`~pipeline.errors.InputError`
    (code ``bad_json``) located in the file: line, what was found there, ``expected``, ``hint``."""
    from pipeline.errors import InputError, Problem

    p = Path(path)
    if not p.exists():
        return {}
    try:
        text = p.read_text(encoding="utf-8")
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        lines = text.splitlines()
        found = (
            (
                lines[exc.lineno - 1][max(exc.colno - 20, 0) : exc.colno + 20]
                if exc.lineno <= len(lines)
                else "the end of the file"
            )
            if text.strip()
            else "an empty file"
        )
        raise InputError(
            f"{p} is not valid JSON",
            [
                Problem(
                    f"{exc.msg} (column {exc.colno})",
                    file=str(p),
                    line=exc.lineno,
                    value=found,
                    expected=expected,
                    hint=hint,
                )
            ],
            code="bad_json",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{p} cannot be read as text",
            [Problem(str(exc)[:200], file=str(p), expected=expected, hint=hint)],
            code="bad_json",
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            f"{p} does not hold a JSON object",
            [
                Problem(
                    "the top level is not an object",
                    file=str(p),
                    value=type(data).__name__,
                    expected=expected,
                    hint=hint,
                )
            ],
            code="bad_json",
        )
    return data
