"""The microdata release as an SPSS ``.sav`` file (pyreadstat), written from a released table
(:class:`pipeline.release.table.ReleaseTable`): nothing is dropped, recoded or suppressed here, that
is the SDC step's job (:func:`pipeline.sdc.microdata.api.anonymise`); this module only writes what it is given.

Variable labels, value labels (substantive and non-substantive codes), user-missing values (the
questionnaire's missing codes and the "suppressed" code; more than three codes become one range,
e.g. ``-9 THRU -1``), measure levels, print formats, a file label and a document note.

Determinism: ReadStat stamps the creation date and time into the .sav header (no option to set
them), so the writer overwrites those 17 header bytes with a fixed date; the same table gives the
same bytes.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.fileio import write_with

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.release.table import ReleaseTable, Variable

# SAV header: rec_type(4) prod_name(60) layout_code(4) nominal_case_size(4) compression(4)
# weight_index(4) ncases(4) bias(8) creation_date(9, "dd Mmm yy") creation_time(8, "hh:mm:ss")
HEADER_DATE_OFFSET = 92
FIXED_DATE, FIXED_TIME = b"01 Jan 00", b"00:00:00"
SAV_NOTE_WIDTH = 80  # a .sav document line holds 80 bytes
FILE_LABEL_MAX = 64
_DATE = re.compile(rb"\d\d [A-Z][a-z]{2} \d\d\d\d:\d\d:\d\d")


def fix_header_timestamp(path: Path) -> bool:
    """Overwrite the creation date/time in a .sav header with a fixed value; False if the header is
    not laid out as expected (then the file is left untouched)."""
    with open(path, "r+b") as fh:
        head = fh.read(HEADER_DATE_OFFSET + 17)
        if not head.startswith(b"$FL2") or not _DATE.fullmatch(
            head[HEADER_DATE_OFFSET : HEADER_DATE_OFFSET + 17]
        ):
            return False
        fh.seek(HEADER_DATE_OFFSET)
        fh.write(FIXED_DATE + FIXED_TIME)
    return True


def spss_format(v: Variable) -> str:
    width = 14 if v.kind == "weight" else 10 if v.kind == "id" else 8
    return f"F{width}.{v.decimals}"


def missing_declaration(v: Variable) -> list[Any]:
    """User-missing values as pyreadstat takes them: up to three codes, else one range."""
    from pipeline.questionnaire.metadata import missing_spec

    return list(missing_spec(c for c, _ in v.missing))


def write_sav(
    table: ReleaseTable, out_path: str | Path, *, file_label: str, note: str = ""
) -> Path:
    """Write ``table`` as a .sav file (see the module docstring); returns the path."""
    import pyreadstat

    df = table.frame
    labels: dict[str, str | None] = {v.name: v.label for v in table.variables}
    value_labels: dict[str, dict[int | float, str]] = {
        v.name: {c: t for c, t in v.labelled} for v in table.variables if v.labelled
    }
    missing = {v.name: missing_declaration(v) for v in table.variables if v.missing}
    measure: dict[str, str] = {v.name: v.measure for v in table.variables}
    formats = {v.name: spss_format(v) for v in table.variables}
    lines = [
        line for para in note.splitlines() for line in (textwrap.wrap(para, SAV_NOTE_WIDTH) or [""])
    ]

    def writer(tmp: Path) -> None:
        pyreadstat.write_sav(
            df,
            str(tmp),
            file_label=file_label[:FILE_LABEL_MAX],
            column_labels=labels,
            note=lines or None,
            variable_value_labels=value_labels,
            missing_ranges=missing,
            variable_measure=measure,
            variable_format=formats,
            row_compress=True,
        )
        fix_header_timestamp(tmp)

    return write_with(Path(out_path), writer, suffix=".sav")
