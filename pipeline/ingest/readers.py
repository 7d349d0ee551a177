"""Readers for the raw formats: delimited text (.csv), Excel (.xlsx) and SPSS (.sav).

Every reader returns a :class:`RawTable` (a pyarrow table of the values *as found*: text files as
strings with blanks as null, ``.sav`` files as numbers) or raises :class:`InputError` naming the file
and the problem (missing, empty, undecodable, truncated, wrong format, duplicated columns, no rows).

Text encodings: declared, else UTF-8 (with or without BOM), else cp1252 (Windows Western, what Belgian
Excel writes). Delimiters: declared, else the one of ``, ; TAB |`` that splits the header line into the
most fields. Belgian decimal commas (``37,5``) are kept as text here and parsed in validation.
``_source_row`` numbering: 1-based data record (the header is not counted; blank lines are skipped).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.errors import InputError, Problem
from pipeline.ingest.inputs import SUPPORTED_SUFFIXES, InputFile, Mode, infer_mode
from pipeline.textfile import DAMAGED_FILE_ERRORS

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from pipeline.ingest.dialects import Detection, Reading
    from pipeline.questionnaire.model import Questionnaire

DELIMITERS = (",", ";", "\t", "|")
TITLE_ROWS_MAX = 10  # rows with at most one value skipped above an Excel sheet's header


@dataclass(frozen=True)
class RawTable:
    """The values of one input file as found, with how it was read."""

    input: InputFile
    mode: Mode
    format: str  # csv | xlsx | sav
    table: pa.Table
    encoding: str | None = None
    delimiter: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)  # e.g. "2 empty rows skipped"
    # .sav metadata of the source columns: value labels and declared user-missing values
    value_labels: Mapping[str, Mapping[float | str, str]] = field(default_factory=dict)
    user_missing: Mapping[str, tuple[float | str, ...]] = field(default_factory=dict)
    # how the file was read: its dialect and every step taken (see pipeline.ingest.dialects)
    dialect: Detection | None = None
    readings: tuple[Reading, ...] = ()
    columns_read: Mapping[str, str] = field(default_factory=dict)  # variable -> source column

    @property
    def name(self) -> str:
        return self.input.name

    @property
    def n_rows(self) -> int:
        return int(self.table.num_rows)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.table.column_names)


def _fail(
    inp: InputFile,
    message: str,
    code: str,
    *,
    hint: str | None = None,
    line: int | None = None,
    row: int | None = None,
    value: object | None = None,
    expected: str | None = None,
) -> InputError:
    return InputError(
        f"{inp.path}: {message}",
        [
            Problem(
                message,
                file=str(inp.path),
                line=line,
                row=row,
                value=value,
                expected=expected,
                hint=hint,
                code=code,
            )
        ],
        code=code,
    )


def read_input(inp: InputFile, q: Questionnaire) -> RawTable:
    """Read one input in its dialect (declared or detected), apply its mapping and settle its mode
    (declared or inferred): the table has the questionnaire's variable names and codes."""
    from dataclasses import replace

    from pipeline.ingest.dialects import detect, normalise
    from pipeline.ingest.mapping import load_mapping

    raw = read_table(inp)
    mapping = load_mapping(inp.mapping) if inp.mapping is not None else None
    declared = inp.dialect or (mapping.spec.dialect if mapping else None)
    detection = detect(raw, declared)
    table, plan, readings = normalise(raw, detection, q, mapping)
    mode = infer_mode(inp, tuple(table.column_names), q)
    return replace(
        raw,
        input=inp.with_mode(mode),
        mode=mode,
        table=table,
        dialect=detection,
        readings=tuple(readings),
        columns_read={v: c for c, v in plan.rename.items()},
    )


def read_table(inp: InputFile) -> RawTable:
    """Read a file without interpreting it (mode left as declared, ``paper`` placeholder if none)."""
    path = inp.path
    if not path.exists():
        raise _fail(inp, "file not found", "file_missing", hint="check the path")
    if not path.is_file():
        raise _fail(
            inp, "not a file", "file_missing", hint="give the path of a data file, not a directory"
        )
    if inp.format not in ("csv", "xlsx", "sav"):
        raise _fail(
            inp,
            f"unsupported file type {path.suffix!r}",
            "file_format",
            expected=", ".join(SUPPORTED_SUFFIXES),
            hint="export the data as .csv, .xlsx or .sav",
        )
    if path.stat().st_size == 0:
        raise _fail(inp, "the file is empty (0 bytes)", "file_empty", hint="export the data again")
    if inp.format == "csv":
        try:
            return _read_csv(inp)
        except csv.Error as exc:  # e.g. a bare CR inside the header row
            raise _fail(
                inp,
                f"the file cannot be parsed as delimited text ({exc})",
                "file_format",
                hint="export it again as CSV with one header row; check line endings and quoting",
            ) from None
    if inp.format == "xlsx":
        return _read_xlsx(inp)
    return _read_sav(inp)


# ------------------------------------------------------------------------------------------- text
def _decode(inp: InputFile, data: bytes) -> tuple[str, str]:
    """The text (LF line endings) and its encoding: :func:`pipeline.textfile.decode_text`."""
    from pipeline.textfile import decode_text

    return decode_text(data, file=str(inp.path), encoding=inp.encoding)


def _sniff_delimiter(header_line: str) -> str:
    best, best_n = ",", 1
    for d in DELIMITERS:
        try:
            n = len(next(csv.reader([header_line], delimiter=d), []))
        except csv.Error:
            continue
        if n > best_n:
            best, best_n = d, n
    return best


def _read_csv(inp: InputFile) -> RawTable:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    data = inp.path.read_bytes()
    text, encoding = _decode(inp, data)  # CR-only and CR LF line endings are LF from here on
    if not text.strip():
        raise _fail(inp, "the file is empty (only blank lines)", "file_empty")
    header_line = text.lstrip("\n").split("\n", 1)[0]
    delimiter = inp.delimiter or _sniff_delimiter(header_line)
    if len(delimiter) != 1:
        raise _fail(inp, f"a delimiter must be one character, got {delimiter!r}", "file_format")
    try:
        header = next(csv.reader([header_line], delimiter=delimiter))
    except csv.Error as exc:
        raise _fail(inp, f"the header line cannot be read ({exc})", "file_format", line=1) from None
    header = [h.strip() for h in header]
    _check_header(inp, header, line=1)
    if text.count('"') % 2:
        raise _fail(
            inp,
            "a quoted field is not closed: the file looks truncated",
            "file_truncated",
            hint="export the file again; check that it was copied completely",
        )
    utf8 = text.encode("utf-8")
    try:
        table = pacsv.read_csv(
            io.BytesIO(utf8),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise _locate_bad_row(inp, text, delimiter, len(header), str(exc)) from None
    if table.num_rows == 0:
        raise _fail(inp, "the file has a header but no data rows", "file_no_rows")
    return RawTable(inp, inp.mode or "paper", "csv", table, encoding, delimiter)


def _locate_bad_row(
    inp: InputFile, text: str, delimiter: str, n_fields: int, detail: str
) -> InputError:
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    bad: tuple[int, int] | None = None
    last_line = 0
    record = 0
    for row in rows:
        if not row:
            continue
        record += 1
        last_line = rows.line_num
        if len(row) != n_fields and bad is None:
            bad = (rows.line_num, len(row))
    if bad is None:
        return _fail(inp, f"the file cannot be parsed as delimited text ({detail})", "file_format")
    line, found = bad
    if line == last_line and found < n_fields:
        return _fail(
            inp,
            f"the last row has {found} of {n_fields} fields: the file looks truncated",
            "file_truncated",
            line=line,
            hint="export the file again; check that it was copied completely",
        )
    return _fail(
        inp,
        f"a row has {found} fields where the header has {n_fields}",
        "file_format",
        line=line,
        hint=f"check the delimiter ({delimiter!r} was used) and quoting of that row",
    )


def _check_header(inp: InputFile, header: list[str], *, line: int) -> None:
    seen: set[str] = set()
    dups = sorted({h for h in header if h in seen or seen.add(h)})  # type: ignore[func-returns-value]
    if dups:
        raise _fail(
            inp,
            f"duplicated column name(s): {', '.join(repr(d) for d in dups)}",
            "columns_duplicate",
            line=line,
            hint="every column must have a unique name",
        )


# ------------------------------------------------------------------------------------------ excel
def _cell_text(v: object) -> str | None:
    import datetime as dt

    if v is None:
        return None
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    s = str(v).strip()
    return s or None


def _read_xlsx(inp: InputFile) -> RawTable:
    import pyarrow as pa
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(inp.path, read_only=True, data_only=True)
    except (InvalidFileException, *DAMAGED_FILE_ERRORS) as exc:
        raise _fail(
            inp,
            f"not a readable Excel workbook ({type(exc).__name__}): truncated or wrong format",
            "file_format",
            hint="open it in Excel and save it again as .xlsx",
        ) from None
    try:
        if inp.sheet is not None and inp.sheet not in wb.sheetnames:
            raise _fail(
                inp,
                f"no sheet named {inp.sheet!r}",
                "file_format",
                expected=", ".join(wb.sheetnames),
            )
        ws = wb[inp.sheet] if inp.sheet is not None else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header_cells = next(rows, None)
        if header_cells is None:
            raise _fail(inp, "the sheet is empty", "file_empty")
        titles = 0  # keying sheets often carry a title (or nothing) above the header row
        while (
            header_cells is not None and sum(_cell_text(c) is not None for c in header_cells) <= 1
        ):
            titles += 1
            header_cells = next(rows, None)
            if titles > TITLE_ROWS_MAX or header_cells is None:
                raise _fail(
                    inp,
                    "no header row found: the first rows hold at most one value each",
                    "file_format",
                    expected="a row of column names",
                    hint="put the column names in one row at the top of the sheet",
                )
        header = [(_cell_text(c) or "") for c in header_cells]
        while header and header[-1] == "":
            header.pop()
        if not header:
            raise _fail(inp, "the first row (the header) is empty", "file_empty")
        _check_header(inp, header, line=1)
        width = len(header)
        cols: list[list[str | None]] = [[] for _ in header]
        skipped = 0
        for i, cells in enumerate(rows, start=2 + titles):
            values = [_cell_text(c) for c in cells]
            if all(v is None for v in values):
                skipped += 1
                continue
            if any(v is not None for v in values[width:]):
                raise _fail(
                    inp,
                    f"row has values beyond the {width} header columns",
                    "file_format",
                    line=i,
                    hint="give every column a header",
                )
            values = (values + [None] * width)[:width]
            for c, v in zip(cols, values, strict=True):
                c.append(v)
    except DAMAGED_FILE_ERRORS as exc:
        raise _fail(
            inp,
            f"the workbook cannot be read ({type(exc).__name__}): truncated or damaged",
            "file_truncated",
        ) from None
    finally:
        wb.close()
    table = pa.table({h: pa.array(c, type=pa.string()) for h, c in zip(header, cols, strict=True)})
    if table.num_rows == 0:
        raise _fail(inp, "the sheet has a header but no data rows", "file_no_rows")
    notes = ((f"{skipped} empty row(s) skipped",) if skipped else ()) + (
        (f"{titles} title row(s) above the header skipped",) if titles else ()
    )
    return RawTable(inp, inp.mode or "paper", "xlsx", table, None, None, notes)


# ------------------------------------------------------------------------------------------- spss
def _read_sav(inp: InputFile) -> RawTable:
    import numpy as np
    import pyarrow as pa
    import pyreadstat

    try:
        df, meta = pyreadstat.read_sav(
            str(inp.path),
            user_missing=True,
            apply_value_formats=False,
            dates_as_pandas_datetime=False,
        )
    except (
        Exception
    ) as exc:  # pyreadstat raises several types (ReadstatError, PyreadstatError, OSError)
        raise _fail(
            inp,
            f"not a readable SPSS .sav file: {exc}",
            "file_format",
            hint="export it again from the survey tool; a truncated copy also gives this error",
        ) from None
    names = [str(c) for c in df.columns]
    _check_header(inp, names, line=1)
    if len(df) == 0:
        raise _fail(inp, "the file has variables but no cases", "file_no_rows")
    types = meta.readstat_variable_types
    arrays = {}
    for name, c in zip(names, df.columns, strict=True):
        s = df[c]
        if types.get(c) == "string" or s.dtype.kind not in "fiub":
            arrays[name] = pa.array(
                [None if v is None or v != v else str(v) for v in s.tolist()], type=pa.string()
            )
        else:
            arrays[name] = pa.array(s.to_numpy(dtype=np.float64), type=pa.float64())
    labels: dict[str, dict[float | str, str]] = {
        str(k): {kk: str(vv) for kk, vv in v.items()}
        for k, v in (meta.variable_value_labels or {}).items()
    }
    missing: dict[str, tuple[float | str, ...]] = {}
    for var, ranges in (getattr(meta, "missing_ranges", None) or {}).items():
        vals: list[float | str] = []
        for r in ranges:
            lo, hi = r.get("lo"), r.get("hi")
            if lo == hi:
                vals.append(lo)
            elif isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
                vals += [
                    k
                    for k in labels.get(str(var), {})
                    if isinstance(k, (int, float)) and lo <= k <= hi
                ]
        missing[str(var)] = tuple(vals)
    return RawTable(
        inp,
        inp.mode or "web",
        "sav",
        pa.table(arrays),
        None,
        None,
        value_labels=labels,
        user_missing=missing,
    )


def describe(raw: RawTable) -> dict[str, object]:
    """How a file was read, for diagnostics and the report."""
    return {
        "file": raw.name,
        "mode": raw.mode,
        "format": raw.format,
        "encoding": raw.encoding,
        "delimiter": raw.delimiter,
        "rows": raw.n_rows,
        "notes": list(raw.notes),
    }
