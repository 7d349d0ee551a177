"""The release as a Stata ``.dta`` file (pyreadstat/ReadStat, format 118 = Stata 14 and later):
variable labels, value labels and *extended missing values* for the non-substantive codes.

Stata has no user-missing codes; it has 26 extended missing values ``.a`` to ``.z`` that sort above
every number and can carry value labels. The questionnaire's missing codes get letters in the order
the questionnaire lists them (the reference order -1, -7, -8, -9 gives ``.a`` not applicable,
``.b`` invalid, ``.c`` don't know, ``.d`` no answer); the release's "suppressed" code gets ``.s``.
System-missing (an undefined score) stays ``.``. The codebook lists the mapping.

Format: 118 by default (:data:`DTA_FORMAT`), the format of Stata 14 and later, read by R ``haven``,
``readstata13``, pandas and pyreadstat. Format 119 (ReadStat's default) is only needed for more than
32,767 variables and is not read by some tools. R's ``foreign::read.dta`` reads no format after 115
(Stata 12), whatever the pipeline does; docs/microdata.md says what to use instead.

Names: Stata names are at most 32 characters and every one of them is kept whole (longer names are
cut to 32 and made unique; :func:`stata_names` is the mapping the codebook shows). ReadStat names a
variable's value-label set ``<variable name><counter>`` and refuses a set name over 32 characters, so
the file is written with short placeholder names and then the fixed-width name fields of the
``<varnames>``, ``<value_label_names>`` and ``<value_labels>`` sections are rewritten in place: each
variable gets its own name and its value-label set is named after it (Stata's own convention).
Labels are cut to 80 bytes. Determinism: ReadStat stamps the time into the header's
``<timestamp>``; it is overwritten with a fixed value.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.errors import Problem, SpecError
from pipeline.fileio import write_with

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.release.table import ReleaseTable

NAME_MAX = 32  # Stata's limit for variable and value-label names (characters)
DTA_FORMAT = 118  # Stata 14+; pyreadstat's ``version`` 14
_PYREADSTAT_VERSION = {117: 13, 118: 14, 119: 15}
_NAME_FIELD = 129  # bytes of a variable or value-label name field in formats 118 and 119
LABEL_MAX = 80  # bytes (UTF-8)
SUPPRESSED_LETTER = "s"
FIXED_TIMESTAMP = b"01 Jan 2000 00:00"
_TIMESTAMP = re.compile(rb"<timestamp>(\x11)\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d</timestamp>")


def missing_letters(table: ReleaseTable) -> dict[int, str]:
    """Code -> extended-missing letter for every non-substantive code of the release."""
    letters: dict[int, str] = {}
    free = [c for c in string.ascii_lowercase if c != SUPPRESSED_LETTER]
    for code, kind, _label in table.missing_codes:
        if kind == "suppressed":
            letters[code] = SUPPRESSED_LETTER
        elif free:
            letters[code] = free.pop(0)
        else:  # pragma: no cover - a questionnaire with 26 missing codes
            raise SpecError(
                "too many missing codes for Stata's extended missing values",
                [Problem("more than 25 missing codes", value=len(table.missing_codes))],
            )
    return letters


def stata_names(names: list[str]) -> dict[str, str]:
    """Release name -> Stata name (at most 32 characters, unique)."""
    limit = NAME_MAX
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        cand = name[:limit]
        i = 2
        while cand in used:
            suffix = f"_{i}"
            cand = name[: limit - len(suffix)] + suffix
            i += 1
        used.add(cand)
        out[name] = cand
    return out


def cut(label: str, limit: int = LABEL_MAX) -> str:
    """At most ``limit`` bytes of UTF-8, never splitting a character."""
    return label.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def _fix_timestamp(path: Path) -> bool:
    with open(path, "r+b") as fh:
        head = fh.read(512)
        m = _TIMESTAMP.search(head)
        if m is None:
            return False
        fh.seek(m.start(1) + 1)
        fh.write(FIXED_TIMESTAMP)
    return True


def _placeholders(n: int) -> list[str]:
    return [f"v{i}" for i in range(1, n + 1)]


def _rename(path: Path, names: list[str]) -> None:
    """Give the variables of a format 118/119 file written under :func:`_placeholders` their real
    names, and name each value-label set after its variable (see the module docstring)."""
    import struct

    with open(path, "r+b") as fh:
        data = bytearray(fh.read())
        head = data[:200]
        order = "<" if b"<byteorder>LSF</byteorder>" in head else ">"
        m = data.index(b"<map>") + len(b"<map>")
        offsets = struct.unpack(f"{order}14q", bytes(data[m : m + 14 * 8]))
        k = len(names)

        def field(i: int, base: int, tag: bytes) -> slice:
            start = base + len(tag) + i * _NAME_FIELD
            return slice(start, start + _NAME_FIELD)

        def put(where: slice, name: str) -> None:
            raw = name.encode("utf-8")
            data[where] = raw + b"\0" * (_NAME_FIELD - len(raw))

        def get(where: slice) -> bytes:
            return bytes(data[where]).split(b"\0", 1)[0]

        varnames, lbl_names, value_labels = offsets[3], offsets[6], offsets[11]
        for i, name in enumerate(names):
            put(field(i, varnames, b"<varnames>"), name)
        label_of: dict[bytes, str] = {}
        for i, name in enumerate(names):
            where = field(i, lbl_names, b"<value_label_names>")
            old = get(where)
            if old:
                label_of[old] = name
                put(where, name)
        pos = value_labels + len(b"<value_labels>")
        while data[pos : pos + 5] == b"<lbl>":
            (length,) = struct.unpack(f"{order}i", bytes(data[pos + 5 : pos + 9]))
            where = slice(pos + 9, pos + 9 + _NAME_FIELD)
            put(where, label_of[get(where)])
            pos = pos + 9 + _NAME_FIELD + 3 + length + len(b"</lbl>")
        if k and data[pos : pos + len(b"</value_labels>")] != b"</value_labels>":
            raise AssertionError(
                "unexpected .dta layout after the value labels"
            )  # pragma: no cover
        fh.seek(0)
        fh.write(data)


def write_dta(
    table: ReleaseTable, out_path: str | Path, *, file_label: str, dta_format: int = DTA_FORMAT
) -> Path:
    """Write ``table`` as a .dta file (see the module docstring); returns the path."""
    import pandas as pd
    import pyreadstat

    if dta_format not in (118, 119):
        raise SpecError(
            f"Stata format {dta_format} is not supported",
            [Problem("unsupported .dta format", value=dta_format, expected="118 or 119")],
        )
    letters = missing_letters(table)
    real = stata_names([v.name for v in table.variables])
    names = dict(zip(real, _placeholders(len(real)), strict=True))  # release name -> placeholder
    data: dict[str, Any] = {}
    value_labels: dict[str, dict[Any, str]] = {}
    user_missing: dict[str, list[str]] = {}
    for v in table.variables:
        x = table.frame[v.name]
        codes = {c: letters[c] for c, _ in v.missing}
        if codes:
            arr = x.to_numpy(dtype=np.float64, na_value=np.nan)
            obj = arr.astype(object)
            for c, letter in codes.items():
                obj[arr == c] = letter
            data[names[v.name]] = pd.Series(obj, dtype=object)
            user_missing[names[v.name]] = sorted(set(codes.values()))
        else:
            data[names[v.name]] = x.reset_index(drop=True)
        labels: dict[Any, str] = {c: t for c, t in v.values}
        labels.update({letters[c]: t for c, t in v.missing})
        if labels:
            value_labels[names[v.name]] = labels
    df = pd.DataFrame(data)
    column_labels: dict[str, str | None] = {names[v.name]: cut(v.label) for v in table.variables}

    def writer(tmp: Path) -> None:
        pyreadstat.write_dta(
            df,
            str(tmp),
            file_label=cut(file_label),
            column_labels=column_labels,
            version=_PYREADSTAT_VERSION[dta_format],
            variable_value_labels=value_labels,
            missing_user_values=user_missing,
        )
        _rename(tmp, [real[v.name] for v in table.variables])
        _fix_timestamp(tmp)

    return write_with(Path(out_path), writer, suffix=".dta")
