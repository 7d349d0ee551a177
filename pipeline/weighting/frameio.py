"""Read and write survey files for ``wbm weight``: ``.csv``, ``.parquet`` or ``.sav`` by extension.

SPSS metadata (variable labels, value labels, user-missing values) read from a ``.sav`` is written
back when the output is ``.sav`` too, with labels for the added weight columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import InputError, Problem, one_of
from pipeline.rundata.columns import WEIGHT, WEIGHT_NORMALISED

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

FORMATS = (".csv", ".parquet", ".sav")


@dataclass(frozen=True, eq=False)
class Frame:
    """A survey file as read: the data (SPSS user-missing values kept as their codes, so a ``.sav``
    written back keeps them) and, for a ``.sav``, its metadata."""

    df: pd.DataFrame
    path: str
    sav_meta: Any = field(default=None)

    def missing_as_nan(self, columns: Iterable[str]) -> pd.DataFrame:
        """The data with the SPSS user-missing values of ``columns`` (discrete codes such as -9 no
        answer, and ranges) as missing, for estimation; a ``.csv`` or ``.parquet`` has none."""
        import numpy as np

        if self.sav_meta is None:
            return self.df
        values = getattr(self.sav_meta, "missing_user_values", None) or {}
        ranges = getattr(self.sav_meta, "missing_ranges", None) or {}
        df = self.df.copy()
        for c in columns:
            if c not in df.columns:
                continue
            s = df[c]
            miss = np.zeros(len(s), dtype=bool)
            if c in values:
                miss |= s.isin(list(values[c])).to_numpy()
            for r in ranges.get(c, []):
                lo, hi = r.get("lo"), r.get("hi")
                with np.errstate(invalid="ignore"):
                    miss |= ((s >= lo) & (s <= hi)).fillna(False).to_numpy(dtype=bool)
            if miss.any():
                df[c] = s.where(~miss)
        return df


def _suffix(path: Path, what: str) -> str:
    suf = path.suffix.lower()
    if suf not in FORMATS:
        raise InputError(
            f"cannot tell the {what} format from {str(path)!r}",
            problems=(
                Problem(
                    one_of(suf or "(no extension)", FORMATS),
                    file=str(path),
                    hint="use a .csv, .parquet or .sav file",
                ),
            ),
            code="bad_format",
        )
    return suf


def read_frame(path: str | Path) -> Frame:
    import pandas as pd

    p = Path(path)
    suf = _suffix(p, "input")
    if not p.is_file():
        raise InputError(
            f"data file not found: {p}",
            problems=(Problem("no such file", file=str(p)),),
            code="file_not_found",
        )
    try:
        if suf == ".csv":
            frame = Frame(_read_csv(p), str(p))
        elif suf == ".parquet":
            import pyarrow.parquet as pq

            _check_names(p, [str(n) for n in pq.read_schema(p).names])
            frame = Frame(pd.read_parquet(p), str(p))
        else:
            import pyreadstat

            df, meta = pyreadstat.read_sav(str(p), user_missing=True)
            frame = Frame(df, str(p), meta)
        _check_names(p, [str(c) for c in frame.df.columns])
        return frame
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad input file
        raise InputError(
            f"cannot read {p}: {type(exc).__name__}: {exc}",
            problems=(Problem("unreadable file", file=str(p), expected=f"a valid {suf} file"),),
            code="unreadable",
        ) from None


def _read_csv(p: Path) -> pd.DataFrame:
    """A CSV as a frame: encoding from a byte-order mark, else UTF-8, else Windows-1252; any line
    endings; duplicated column names refused (pandas would silently rename them ``x.1``)."""
    import csv
    import io

    import pandas as pd

    from pipeline.textfile import decode_text

    text, _ = decode_text(p.read_bytes(), file=str(p), code="unreadable", format_code="unreadable")
    header = next(csv.reader(io.StringIO(text.lstrip("\n"))), [])
    _check_names(p, [h.strip() for h in header])
    if not header:
        raise InputError(
            f"{p}: the file is empty",
            [Problem("no header line", file=str(p), expected="a header with the column names")],
            code="unreadable",
        )
    return pd.read_csv(io.StringIO(text))


def _check_names(p: Path, names: list[str]) -> None:
    from pipeline.textfile import duplicated

    dups = duplicated(names)
    if dups:
        raise InputError(
            f"{p}: {len(dups)} column name(s) occur more than once",
            [
                Problem(
                    "duplicated column name",
                    file=str(p),
                    line=1,
                    column=d,
                    expected="every column name once",
                    hint="rename or drop the extra column: which one is meant is ambiguous",
                    code="duplicate_column",
                )
                for d in dups
            ],
            code="duplicate_column",
        )


WEIGHT_LABELS = {
    WEIGHT: "Expansion weight (sums to the population)",
    WEIGHT_NORMALISED: "Normalised weight (sums to n)",
}


def write_frame(df: pd.DataFrame, path: str | Path, *, sav_meta: Any = None) -> Path:
    from pipeline.fileio import write_parquet, write_text, write_with

    p = Path(path)
    suf = _suffix(p, "output")
    if suf == ".csv":
        from pipeline.spreadsheet import frame_csv

        return write_text(p, frame_csv(df, float_format="%.17g"))
    if suf == ".parquet":
        return write_parquet(p, df)
    import pyreadstat

    kw: dict[str, Any] = {}
    labels = {c: WEIGHT_LABELS[c] for c in df.columns if c in WEIGHT_LABELS}
    if sav_meta is not None:
        cl = dict(zip(sav_meta.column_names, sav_meta.column_labels or [], strict=False))
        cl.update(labels)
        kw["column_labels"] = {c: cl.get(c) or "" for c in df.columns}
        kw["variable_value_labels"] = {
            k: v for k, v in (sav_meta.variable_value_labels or {}).items() if k in df.columns
        }
        kw["missing_ranges"] = {
            k: v for k, v in (sav_meta.missing_ranges or {}).items() if k in df.columns
        }
    else:
        kw["column_labels"] = {c: labels.get(c, "") for c in df.columns}

    def _write(tmp: Path) -> None:
        pyreadstat.write_sav(df, str(tmp), **kw)

    return write_with(p, _write, suffix=".sav")
