"""The release as a Stata ``.dta`` file (pyreadstat, Stata 14/15 format): variable labels, value
labels and *extended missing values* for the non-substantive codes.

Stata has no user-missing codes; it has 26 extended missing values ``.a`` to ``.z`` that sort above
every number and can carry value labels. The questionnaire's missing codes get letters in the order
the questionnaire lists them (the reference order -1, -7, -8, -9 gives ``.a`` not applicable,
``.b`` invalid, ``.c`` don't know, ``.d`` no answer); the release's "suppressed" code gets ``.s``.
System-missing (an undefined score) stays ``.``. The codebook lists the mapping.

Stata names are at most 32 characters, and ReadStat names each value-label set after its variable
plus a counter, which must fit too: names are cut to ``32 - digits(number of variables)``
characters (and made unique); labels are cut to 80 bytes; :func:`stata_names` is the mapping the codebook shows. Determinism: ReadStat
stamps the time into the header's ``<timestamp>``; it is overwritten with a fixed value.
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

NAME_MAX = 32  # Stata's limit; ReadStat names a variable's value-label set <name><counter>, also at most 32
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
    """Release name -> Stata name (short enough for the name and its value-label set, unique)."""
    limit = NAME_MAX - len(str(len(names)))
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


def write_dta(table: ReleaseTable, out_path: str | Path, *, file_label: str) -> Path:
    """Write ``table`` as a .dta file (see the module docstring); returns the path."""
    import pandas as pd
    import pyreadstat

    letters = missing_letters(table)
    names = stata_names([v.name for v in table.variables])
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
            version=15,
            variable_value_labels=value_labels,
            missing_user_values=user_missing,
        )
        _fix_timestamp(tmp)

    return write_with(Path(out_path), writer, suffix=".dta")
