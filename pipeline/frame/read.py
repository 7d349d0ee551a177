"""Read and check a sample frame file (Parquet or CSV) against a questionnaire's codes.

Every problem is reported at once with its file, row, column and value; nothing is guessed: an id
listed twice, a register code the questionnaire does not know, or a non-numeric code is an
:class:`~pipeline.errors.InputError`.
"""

from __future__ import annotations

from dataclasses import replace as dc_replace
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import MAX_SHOWN, InputError, Problem
from pipeline.frame.model import (
    ID_COLUMN,
    REGISTER_ONLY,
    REGISTER_VARIABLES,
    SampleFrame,
)
from pipeline.questionnaire.model import Questionnaire
from pipeline.rundata.weights import weight_problems


def register_variables(q: Questionnaire) -> tuple[str, ...]:
    """The frame columns read as register variables: the persons' register variables plus the
    questionnaire's own weighting variables (``sector_group``, ``size_class`` of the enterprise
    survey)."""
    return REGISTER_VARIABLES + tuple(v for v in q.weighting if v not in REGISTER_VARIABLES)


def register_codes(q: Questionnaire, variable: str) -> tuple[int, ...] | None:
    """The codes a register variable may take (None: any whole number, e.g. age in years)."""
    if variable in REGISTER_ONLY and variable not in q.known_variables():
        return REGISTER_ONLY[variable].code_values()
    return q.codes_of(variable) or None


def register_labels(q: Questionnaire, variable: str, lang: str = "nl") -> dict[int, str]:
    if variable in REGISTER_ONLY and variable not in q.known_variables():
        return REGISTER_ONLY[variable].level_labels(lang)
    for d in q.derived:
        if d.name == variable:
            return {b.code: getattr(b.label, lang) or b.label.nl for b in d.bands}
    if variable in q.variables():
        return {
            int(c.code): getattr(c.label, lang) or c.label.nl
            for c in q.choices_of(q.item(variable))
        }
    return {}


def _table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise InputError(
            f"sample frame {path} does not exist",
            [Problem("no such file", file=str(path), code="file_missing")],
            code="file_missing",
        )
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a located file error
        raise InputError(
            f"sample frame {path.name} cannot be read",
            [Problem(f"not a readable Parquet/CSV file ({type(exc).__name__})", file=str(path))],
            code="file_format",
        ) from None


def read_frame(path: str | Path, q: Questionnaire) -> SampleFrame:
    path = Path(path)
    df = _table(path)
    file = str(path)
    problems: list[Problem] = []
    if ID_COLUMN not in df.columns:
        raise InputError(
            f"sample frame {path.name} has no {ID_COLUMN} column",
            [
                Problem(
                    f"column {ID_COLUMN!r} is missing",
                    file=file,
                    hint="name the id column sample_id",
                )
            ],
            code="frame_no_id",
        )
    ids = df[ID_COLUMN].astype(str).str.strip().to_numpy(dtype=object)
    blank = np.flatnonzero(ids == "")
    for i in blank[:MAX_SHOWN]:
        problems.append(
            Problem(
                "empty sample id",
                file=file,
                row=int(i) + 1,
                column=ID_COLUMN,
                code="frame_id_missing",
            )
        )
    dup = pd.Series(ids).duplicated(keep="first").to_numpy() & (ids != "")
    for i in np.flatnonzero(dup)[:MAX_SHOWN]:
        problems.append(
            Problem(
                "sample id listed twice",
                file=file,
                row=int(i) + 1,
                column=ID_COLUMN,
                value=ids[i],
                hint="every invited unit appears once in the frame",
                code="frame_id_duplicate",
            )
        )
    values: dict[str, np.ndarray] = {}
    for var in register_variables(q):
        if var not in df.columns:
            continue
        raw = df[var]
        text = raw.astype(str).str.strip()
        empty = text.isin(["", "nan", "<NA>", "None"])
        num = pd.to_numeric(text.where(~empty), errors="coerce")
        bad = np.flatnonzero(num.isna().to_numpy() & ~empty.to_numpy())
        for i in bad[:MAX_SHOWN]:
            problems.append(
                Problem(
                    "not a number",
                    file=file,
                    row=int(i) + 1,
                    column=var,
                    value=raw.iloc[i],
                    expected="a code",
                    code="frame_bad_code",
                )
            )
        v = num.to_numpy(dtype=np.float64, na_value=np.nan)
        codes = register_codes(q, var)
        if codes is not None:
            outside = np.flatnonzero(np.isfinite(v) & ~np.isin(v, codes))
            for i in outside[:MAX_SHOWN]:
                problems.append(
                    Problem(
                        "code not in the questionnaire's list",
                        file=file,
                        row=int(i) + 1,
                        column=var,
                        value=raw.iloc[i],
                        expected="one of " + ", ".join(map(str, codes)),
                        code="frame_bad_code",
                    )
                )
        values[var] = v
    if not values:
        problems.append(
            Problem(
                "no register variable",
                file=file,
                expected="at least one of " + ", ".join(register_variables(q)),
                code="frame_no_variables",
            )
        )
    weight = stratum = None
    if "design_weight" in df.columns:
        weight = pd.to_numeric(df["design_weight"], errors="coerce").to_numpy(dtype=np.float64)
        problems += weight_problems(
            weight,
            column="design_weight",
            positive=True,  # a design weight is the inverse of a selection probability
            file=file,
            shown=df["design_weight"].tolist(),
        )
    if "stratum" in df.columns:
        stratum = df["stratum"].astype(str).to_numpy(dtype=object)
    disposition = None
    if "disposition" in df.columns:
        from pipeline.fieldwork.aapor import keys_of

        try:
            disposition = np.asarray(
                keys_of(df["disposition"].astype(str), file=file), dtype=object
            )
        except InputError as exc:
            problems.extend(dc_replace(p, code=p.code or exc.code) for p in exc.problems)
    if problems:
        raise InputError(
            f"sample frame {path.name}: {len(problems)} problem(s)",
            problems,
            code=problems[0].code or "frame_error",
        )
    return SampleFrame(ids, values, stratum, weight, path.name, disposition)
