"""The canonical data version: one hash of a data set's respondent-level content.

Everything released from a wave (custom tables, reports, the standard table, microdata files) is
logged against the *data version* of the respondent-level data it was made from. The version must
name the content, not the file: a rerun of the same wave into another run directory, the same data
written by another pandas or pyarrow version, or the rows in another order must give the same
version, or the history of releases would start empty again (and a requester could difference a
new table against everything published before).

:func:`data_version` is therefore a SHA-256 over a canonical form of the frame:

- columns in sorted order of their names (the column order in the file does not matter);
- every column as one of two kinds, whatever its dtype: *numbers* (bool, integer, nullable integer,
  float, numeric categories; all as IEEE float64, ``-0.0`` as ``0.0``, every missing value -- NaN,
  None, ``pd.NA`` -- as one NaN) or *text* (strings, text categories, anything else via ``str``;
  missing as a marker distinct from every string; dates as ISO 8601 text);
- rows in a canonical order (sorted by a 128-bit key per row computed from the canonical values),
  so the version does not depend on row order either;
- a prefix naming the scheme (``wbm-data-version/1``) so a future change of scheme cannot collide.

:func:`row_keys` are those per-row keys (two uint64 per row): the ledger uses them to digest a cell's
members independently of row order. Pure: numpy and pandas only; importing the module loads neither.
Owners of other contracts use this one function: the run contract (the scored data's version), the
table ledger and release register (:mod:`pipeline.sdc`) and the wave archive.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

SCHEME = "wbm-data-version/1"
_MISSING_TEXT = b"\xff<missing>"  # not valid UTF-8: no string encodes to it
_NAN_BITS = 0x7FF8000000000000  # the one NaN of the canonical form


def data_version(frame: pd.DataFrame) -> str:
    """SHA-256 (hex) of the frame's canonical content (see the module docstring)."""
    import numpy as np

    cols = canonical_columns(frame)
    order = _row_order(cols, len(frame))
    h = hashlib.sha256()
    h.update(f"{SCHEME}\nrows={len(frame)}\ncolumns={len(cols)}\n".encode())
    for name, kind, values in cols:
        h.update(_text_bytes(name) + kind.encode())
        if kind == "n":
            h.update(np.ascontiguousarray(values[order]).astype("<u8").tobytes())
        else:
            h.update(b"".join(_text_bytes(values[i]) for i in order))
    return h.hexdigest()


def row_keys(frame: pd.DataFrame) -> np.ndarray:
    """A ``rows x 2`` uint64 array: each row's 128-bit content key (equal rows, equal keys)."""
    return _keys(canonical_columns(frame), len(frame))


def canonical_columns(frame: pd.DataFrame) -> list[tuple[str, str, np.ndarray]]:
    """``(name, kind, values)`` per column in name order: kind ``"n"`` with the canonical float64 bits
    as uint64, or ``"t"`` with an object array of ``str | None``."""
    names = [str(c) for c in frame.columns]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"duplicate column names: {', '.join(dup)}")
    out = []
    for pos in sorted(range(len(names)), key=lambda i: names[i]):
        kind, values = _canonical(frame.iloc[:, pos])
        out.append((names[pos], kind, values))
    return out


def _canonical(series: pd.Series) -> tuple[str, np.ndarray]:
    import numpy as np
    import pandas as pd

    s = series
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(s.cat.categories.dtype if len(s.cat.categories) else object)
    if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
        return "n", _float_bits(
            pd.to_numeric(s).astype("Float64").to_numpy(np.float64, na_value=np.nan)
        )
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return "t", np.array(
            [None if pd.isna(v) else pd.Timestamp(v).isoformat() for v in s], dtype=object
        )
    values = s.to_numpy(dtype=object)
    present = [v for v in values if not _missing(v)]
    if present and all(_is_number(v) for v in present):
        return "n", _float_bits(np.array([np.nan if _missing(v) else float(v) for v in values]))
    return "t", np.array([None if _missing(v) else str(v) for v in values], dtype=object)


def _missing(v: object) -> bool:
    import pandas as pd

    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _is_number(v: object) -> bool:
    import numbers

    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _float_bits(x: np.ndarray) -> np.ndarray:
    import numpy as np

    x = np.asarray(x, dtype=np.float64) + 0.0  # -0.0 + 0.0 == 0.0
    bits = x.view(np.uint64).copy()
    bits[np.isnan(x)] = np.uint64(_NAN_BITS)
    return bits


def _text_bytes(v: object) -> bytes:
    if v is None:
        return _MISSING_TEXT
    b = str(v).encode("utf-8")
    return len(b).to_bytes(8, "little") + b


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on a uint64 array (wrapping arithmetic)."""
    import numpy as np

    x = x.copy()
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def _salt(name: str, kind: str, stream: int) -> int:
    d = hashlib.sha256(f"{stream}\x00{kind}\x00{name}".encode()).digest()
    return int.from_bytes(d[:8], "little")


def _column_bits(kind: str, values: np.ndarray) -> np.ndarray:
    import numpy as np

    if kind == "n":
        return values
    uniq: dict[object, int] = {}
    out = np.empty(len(values), dtype=np.uint64)
    for i, v in enumerate(values):
        k = uniq.get(v)
        if k is None:
            k = int.from_bytes(hashlib.sha256(_text_bytes(v)).digest()[:8], "little")
            uniq[v] = k
        out[i] = k
    return out


def _keys(cols: Iterable[tuple[str, str, np.ndarray]], n_rows: int) -> np.ndarray:
    import numpy as np

    keys = np.zeros((n_rows, 2), dtype=np.uint64)
    for name, kind, values in cols:
        bits = _column_bits(kind, values)
        for stream in (0, 1):
            salt = np.uint64(_salt(name, kind, stream))
            keys[:, stream] = _mix(keys[:, stream] ^ _mix(bits ^ salt))
    return keys


def _row_order(cols: list[tuple[str, str, np.ndarray]], n_rows: int) -> np.ndarray:
    import numpy as np

    keys = _keys(cols, n_rows)
    return np.lexsort((keys[:, 1], keys[:, 0]))
