"""Turn raw column values into numbers, vectorised (pyarrow compute; a Python loop only for leftovers).

Text values are trimmed; blanks become NaN. A Belgian decimal comma (``37,5``) is a *parse*, not a
change of meaning, so it is not an edit. Several ticks keyed as ``2/3`` and text that is no number are
flagged (the caller sets them to -7 and logs the edit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NUMBER_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
MULTI_RE = re.compile(r"^\d+(\s*/\s*\d+)+$")
COMMA_RE = re.compile(r"^[+-]?\d+,\d+$")
SAFE_VALUE_RE = re.compile(r"^[0-9\s/.,;:+\-]{1,24}$")


@dataclass(frozen=True)
class ParsedColumn:
    values: np.ndarray  # float64; NaN for blank, several ticks and unreadable text
    blank: np.ndarray  # bool
    multi: np.ndarray  # bool: several ticks
    bad: np.ndarray  # bool: not a number
    comma: np.ndarray  # bool: read with a decimal comma


def _trimmed(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    s = pc.utf8_trim_whitespace(col)
    return pc.if_else(pc.equal(s, ""), pa.scalar(None, pa.string()), s)


def parse_numeric(col: pa.ChunkedArray | pa.Array) -> ParsedColumn:
    n = len(col)
    false = np.zeros(n, dtype=bool)
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        vals = np.asarray(
            pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64
        ).copy()
        bad = ~np.isfinite(vals) & ~np.isnan(vals)
        vals[bad] = np.nan
        return ParsedColumn(vals, np.isnan(vals) & ~bad, false, bad, false)
    s = _trimmed(col)
    blank = np.asarray(s.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    comma_mask = false
    try:
        vals = np.asarray(
            pc.cast(s, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64
        ).copy()
        rest = np.zeros(n, dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        ok = pc.fill_null(pc.match_substring_regex(s, NUMBER_RE), False)
        with_comma = pc.fill_null(pc.match_substring_regex(s, COMMA_RE.pattern), False)
        dotted = pc.replace_substring(s, ",", ".")
        good = pc.if_else(ok, s, pc.if_else(with_comma, dotted, pa.scalar(None, pa.string())))
        vals = np.asarray(
            pc.cast(good, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64
        ).copy()
        comma_mask = np.asarray(with_comma.to_numpy(zero_copy_only=False), dtype=bool)
        rest = ~np.asarray(ok.to_numpy(zero_copy_only=False), dtype=bool) & ~comma_mask & ~blank
    bad = (np.isnan(vals) & ~blank & ~rest) | np.isinf(
        vals
    )  # e.g. 'nan' or 'inf' accepted by the cast
    vals[bad] = np.nan
    multi = false.copy()
    comma = comma_mask.copy()
    idx = np.flatnonzero(rest)
    if idx.size:
        texts = pc.take(s, pa.array(idx)).to_pylist()
        for i, t in zip(idx, texts, strict=True):
            if MULTI_RE.match(t):
                multi[i] = True
            else:
                bad[i] = True
    return ParsedColumn(vals, blank, multi, bad, comma)


def raw_values(col: pa.ChunkedArray | pa.Array, rows: np.ndarray) -> list[str | None]:
    """The values as found at ``rows`` (for the edit log): trimmed text, or numbers without '.0'."""
    if rows.size == 0:
        return []
    taken = pc.take(col, pa.array(rows))
    if pa.types.is_string(taken.type) or pa.types.is_large_string(taken.type):
        return _trimmed(taken).to_pylist()
    return [None if v is None or v != v else fmt_number(v) for v in taken.to_pylist()]


def fmt_number(v: float) -> str:
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def safe_value(v: str | None) -> str | None:
    """A raw value fit for the issue table: codes and numbers only, never free text."""
    if v is None:
        return None
    return v if SAFE_VALUE_RE.match(v) else "<text>"


def text_values(col: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A text column as an object array of str, blanks as '' (numbers from .sav written without '.0')."""
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        out = pc.fill_null(pc.utf8_trim_whitespace(col), "").to_numpy(zero_copy_only=False)
        return np.asarray(out, dtype=object)
    vals = col.to_pylist()
    return np.array(["" if v is None or v != v else fmt_number(v) for v in vals], dtype=object)
