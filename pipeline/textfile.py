"""Decoding delimited text files robustly: encodings, byte-order marks, line endings, NUL bytes.

Shared by the readers of raw data (:mod:`pipeline.ingest.readers`) and of survey files given to
``wbm weight`` and ``wbm estimate`` (:mod:`pipeline.weighting.frameio`), so that every text input
is read the same way:

* a declared encoding (``--encoding utf-16``) is honoured; without one, a byte-order mark says
  UTF-8, UTF-16 or UTF-32, else UTF-8 is tried, then Windows-1252 (what Belgian Excel writes);
* a file that is not text (NUL bytes after decoding: a spreadsheet or ``.sav`` renamed ``.csv``,
  or UTF-16 without a mark) is refused with a hint;
* old-Mac (CR only) and Windows (CR LF) line endings become LF, so rows and line numbers are the
  same whatever wrote the file.

Errors are :class:`~pipeline.errors.InputError` located at the file and line.
"""

from __future__ import annotations

import codecs
import zipfile
import zlib
from collections.abc import Sequence

from pipeline.errors import InputError, Problem

#: what reading a damaged or truncated part of a zip container (xlsx) raises: the zip layer, the
#: deflate stream, the XML parsers (``xml.etree`` and lxml errors are ``SyntaxError``s)
DAMAGED_PART_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    SyntaxError,
)
#: ... and what opening one raises besides (a missing part, an unexpected value, the file system)
DAMAGED_FILE_ERRORS: tuple[type[BaseException], ...] = (
    *DAMAGED_PART_ERRORS,
    KeyError,
    ValueError,
    OSError,
)
#: tried in this order when no encoding is declared and the file has no byte-order mark
FALLBACK_ENCODINGS = ("utf-8", "cp1252")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _fail(
    file: str,
    message: str,
    code: str,
    *,
    line: int | None = None,
    value: object | None = None,
    expected: str | None = None,
    hint: str | None = None,
) -> InputError:
    problem = Problem(
        message, file=file, line=line, value=value, expected=expected, hint=hint, code=code
    )
    return InputError(f"{file}: {message}", [problem], code=code)


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start of ``data`` announces, else None."""
    return next((enc for bom, enc in _BOMS if data.startswith(bom)), None)


def decode_text(
    data: bytes,
    *,
    file: str,
    encoding: str | None = None,
    code: str = "file_encoding",
    format_code: str = "file_format",
) -> tuple[str, str]:
    """``(text, encoding)``: ``data`` decoded (see the module docstring) with LF line endings."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise _fail(
                file,
                f"unknown encoding {encoding!r}",
                code,
                expected="e.g. utf-8, cp1252, latin-1 or utf-16",
            ) from None
        candidates: Sequence[str] = (encoding,)
    else:
        bom = bom_encoding(data)
        candidates = (bom,) if bom else FALLBACK_ENCODINGS
        if bom is None and b"\x00" in data:  # binary, or UTF-16 without a mark: say so first
            raise _not_text(file, format_code, data[: data.index(b"\x00")].count(b"\n") + 1)
    text: str | None = None
    used = candidates[0]
    first_error: UnicodeDecodeError | None = None
    for enc in candidates:
        try:
            text = data.decode("utf-8-sig" if enc == "utf-8" else enc)
            used = "utf-8" if enc == "utf-8-sig" else enc
            break
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    if text is None:
        err = first_error
        assert err is not None
        line = data[: err.start].count(b"\n") + 1
        declared = encoding is not None or bom_encoding(data) is not None
        raise _fail(
            file,
            f"the file is not valid {used}"
            if declared
            else "the text encoding is neither UTF-8 nor Windows-1252",
            code,
            line=line,
            value=data[err.start : err.start + 4].hex(" "),
            hint="declare the right encoding with --encoding (e.g. latin-1, utf-16)",
        )
    if "\x00" in text:
        raise _not_text(file, format_code, text.count("\n", 0, text.index("\x00")) + 1)
    return normalise_newlines(text), used


def _not_text(file: str, code: str, line: int) -> InputError:
    return _fail(
        file,
        "this is not a text file (it contains NUL bytes)",
        code,
        line=line,
        hint="is it a .sav or .xlsx file with the wrong extension? If it is UTF-16 text "
        "without a byte-order mark, declare --encoding utf-16",
    )


def normalise_newlines(text: str) -> str:
    """CR LF and a lone CR (old Mac) become LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def duplicated(names: Sequence[str]) -> list[str]:
    """Names that occur more than once, sorted."""
    seen: set[str] = set()
    dups: set[str] = set()
    for n in names:
        (dups if n in seen else seen).add(n)
    return sorted(dups)
