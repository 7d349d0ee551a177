"""What a weight may be: the one validity check of every weight column the project reads (final
weights for estimation, base weights for calibration, a frame's design weights, the weights of a
microdata release), with the one code ``bad_weight``.

A weight is a finite number >= 0 (``positive=True``: > 0, where a zero weight means nothing, as a
design weight or a released weight); a missing, non-numeric or infinite value is invalid; and not
every weight may be zero. Problems are located by data row (1-based, as the readers count), the
first :data:`MAX_SHOWN` and how many more. numpy is imported only when the check runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.errors import Problem

#: the code of every invalid weight
CODE = "bad_weight"
MAX_SHOWN = 5


def weight_problems(
    values: Any,
    *,
    column: str,
    positive: bool = False,
    file: str | None = None,
    shown: Sequence[object] | None = None,
) -> list[Problem]:
    """The problems of a weight column (empty: valid). ``values``: numbers (NaN for what could not
    be read as a number); ``shown``: the values as given, for the messages (default ``values``)."""
    import numpy as np

    w = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(w) | ((w <= 0) if positive else (w < 0))
    rows = np.flatnonzero(bad)
    expected = "a finite number > 0" if positive else "a finite number >= 0"
    out = [
        Problem(
            "invalid weight",
            file=file,
            row=int(r) + 1,
            column=column,
            value=shown[int(r)] if shown is not None else float(w[r]),
            expected=expected,
            code=CODE,
        )
        for r in rows[:MAX_SHOWN]
    ]
    if rows.size > MAX_SHOWN:
        out.append(
            Problem(
                f"... and {rows.size - MAX_SHOWN} more invalid weights",
                file=file,
                column=column,
                code=CODE,
            )
        )
    if not rows.size and w.size and not np.any(w > 0):
        out.append(Problem("all weights are zero", file=file, column=column, code=CODE))
    return out


def summary(problems: Sequence[Problem], column: str) -> str:
    """The one-line message of an error raised for ``problems``."""
    n = sum(1 for p in problems if p.row is not None)
    more = next((p for p in problems if p.message.startswith("... and ")), None)
    if more is not None:
        n += int(more.message.split()[2])
    if n == 0:
        return f"every weight in {column!r} is zero"
    return f"{n} invalid weight(s) in {column!r} (missing, not a number, infinite or out of range)"
