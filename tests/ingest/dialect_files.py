"""Files shaped the way survey tools and field agencies deliver them, made from generated responses.

Shapes follow the tools' documented exports:

- LimeSurvey "Export responses" with answer codes and question-code headings: metadata columns
  ``id, submitdate, lastpage, startlanguage, seed, token`` first; question codes as written in the
  survey (here upper case); array/multiple-choice subquestions as ``CODE[SQ001]``; Yes/No questions
  as ``Y``/``N``; a question that was not shown (relevance, or after a break-off) as ``N/A``; a
  question shown but not answered as an empty field. Its SPSS export names subquestions
  ``CODE_SQ001`` and leaves not-shown questions system-missing.
- Qualtrics CSV: three header rows (the export tag, the question text, ``{"ImportId":"QID1"}``),
  metadata columns ``StartDate, EndDate, Status, Progress, Duration (in seconds), Finished,
  RecordedDate, ResponseId, ExternalReference, UserLanguage``; matrix questions as ``TAG_1``,
  ``TAG_2``; answers as choice text or numeric values.
- A CATI agency's SPSS file: its own variable names (upper case), string variables holding the
  answer text (``ja``/``nee``), numeric variables with the agency's own user-missing codes
  (98 "weigert", 99 "weet niet") declared as missing values with labels.
- An Excel keying sheet: a title row above the header, codes typed as numbers, ``x`` for a ticked
  option of a multiple-choice question.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.questionnaire.model import ItemType, Questionnaire

from ..validate.validate_wavegen import generate

WBM_OVERRIDES = {"working": 1}


def wbm_frame(q: Questionnaire, n: int = 40, seed: int = 5) -> pd.DataFrame:
    """Valid web responses (NaN where routing skips)."""
    return generate(q, n, mode="web", seed=seed, overrides=WBM_OVERRIDES)


def _code(v: float | str) -> str:
    if isinstance(v, str):
        return v
    if v != v:
        return "N/A"
    return str(int(v)) if float(v).is_integer() else str(v)


def lime_name(var: str) -> str:
    """``pv01`` -> ``PV[SQ001]`` (array subquestions), others upper case."""
    head, digits = var.rstrip("0123456789"), var[len(var.rstrip("0123456789")) :]
    if digits and head and head[-1] != "_" and len(digits) == 2:
        return f"{head.upper()}[SQ{int(digits):03d}]"
    return var.upper()


def limesurvey_csv(
    q: Questionnaire, df: pd.DataFrame, path: Path, *, breakoff: int = 3, unanswered_sex: int = 5
) -> tuple[Path, dict[str, str]]:
    """A LimeSurvey CSV export; rows ``breakoff`` and ``breakoff + 1`` left after a few questions
    (everything after them ``N/A``), row ``unanswered_sex`` saw the sex question and skipped it.
    Returns the path and the source column of every variable."""
    yesno = {it.name for it in q.items if it.choices == "yesno"}
    idv = q.study.id_variable
    names = {v: ("token" if v == idv else lime_name(v)) for v in df.columns}
    out: dict[str, list[str]] = {
        "id": [str(i + 1) for i in range(len(df))],
        "submitdate": ["2023-05-02 10:00:00"] * len(df),
        "lastpage": ["9"] * len(df),
        "startlanguage": ["nl"] * len(df),
        "seed": ["12345"] * len(df),
    }
    order = list(df.columns)
    for var in order:
        col = []
        for v in df[var].tolist():
            if var == idv:
                col.append(str(v))
            elif var in yesno and v == v:
                col.append("Y" if v == 1 else "N")
            else:
                col.append(_code(v))
        out[names[var]] = col
    cut = order.index("wb01")  # a break-off: nothing after the first questions was shown
    for r in (breakoff, breakoff + 1):
        out["submitdate"][r] = ""
        out["lastpage"][r] = "2"
        for var in order[cut:]:
            out[names[var]][r] = "N/A"
    out[names["sex"]][unanswered_sex] = ""  # shown, not answered
    frame = pd.DataFrame(out)
    frame.to_csv(path, index=False, quoting=1)  # LimeSurvey quotes every field
    return path, names


def limesurvey_sav(q: Questionnaire, df: pd.DataFrame, path: Path) -> Path:
    import pyreadstat

    idv = q.study.id_variable
    data: dict[str, object] = {
        "id": np.arange(1, len(df) + 1, dtype=float),
        "submitdate": ["2023-05-02 10:00:00"] * len(df),
        "lastpage": np.full(len(df), 9.0),
        "startlanguage": ["nl"] * len(df),
    }
    labels = {}
    for var in df.columns:
        name = "token" if var == idv else lime_name(var).replace("[", "_").replace("]", "")
        data[name] = df[var].to_numpy() if var != idv else df[var].astype(str).tolist()
        if var != idv and q.item(var).type == ItemType.single:
            labels[name] = {float(c.code): c.label.nl for c in q.choices_of(q.item(var))}
    pyreadstat.write_sav(pd.DataFrame(data), str(path), variable_value_labels=labels)
    return path


def qualtrics_csv(
    q: Questionnaire, df: pd.DataFrame, path: Path, *, text: bool, seen_unanswered: int = 2
) -> Path:
    """A Qualtrics CSV export with its three header rows; ``text``: choice text, else values."""
    idv = q.study.id_variable
    meta = {
        "StartDate": "2023-05-02 10:00:00",
        "EndDate": "2023-05-02 10:12:00",
        "Status": "0",
        "Progress": "100",
        "Finished": "1",
        "RecordedDate": "2023-05-02 10:12:01",
        "UserLanguage": "NL",
    }
    cols: dict[str, list[str]] = {k: [v] * len(df) for k, v in meta.items()}
    cols["Duration (in seconds)"] = [_code(v) for v in df["duration_sec"].tolist()]
    cols["ResponseId"] = [f"R_{i:015d}" for i in range(len(df))]
    cols["ExternalReference"] = df[idv].astype(str).tolist()
    texts = {"StartDate": "Start Date", "ResponseId": "Response ID"}
    for var in df.columns:
        if var in (idv, "duration_sec"):
            continue
        it = q.item(var)
        head, digits = var.rstrip("0123456789"), var[len(var.rstrip("0123456789")) :]
        name = f"{head}_{int(digits)}" if digits and len(digits) == 2 else var
        values = []
        for v in df[var].tolist():
            if v != v:
                values.append("")
            elif text and it.type == ItemType.single:
                values.append(next(c.label.nl for c in q.choices_of(it) if c.code == v))
            else:
                values.append(_code(v))
        cols[name] = values
        texts[name] = (it.text or it.label).nl
    cols["sex"][seen_unanswered] = "-99"  # "recode seen but unanswered questions as -99"
    header = list(cols)
    rows = [
        header,
        [texts.get(h, h) for h in header],
        [
            json.dumps({"ImportId": f"QID{i + 1}" if h in texts else h})
            for i, h in enumerate(header)
        ],
    ]
    rows += [[cols[h][r] for h in header] for r in range(len(df))]
    pd.DataFrame(rows).to_csv(path, index=False, header=False)
    return path


def cati_agency_sav(
    q: Questionnaire, df: pd.DataFrame, path: Path, *, dont_know_row: int = 1
) -> Path:
    """An agency .sav: upper-case names, yes/no answers as text, 99 'weet niet' / 98 'weigert' as
    declared user-missing codes."""
    import pyreadstat

    data: dict[str, object] = {}
    labels: dict[str, dict[float, str]] = {}
    missing: dict[str, list[Any]] = {}
    for var in df.columns:
        name = var.upper()
        root = var.rsplit("_", 1)[0] if var not in q.variables() else var
        it = q.item(root) if root in [i.name for i in q.items] else None
        x = df[var]
        if it is not None and it.choices == "yesno":
            data[name] = ["" if v != v else ("ja" if v == 1 else "nee") for v in x.tolist()]
        elif x.dtype.kind == "f":
            vals = x.to_numpy().copy()
            data[name] = vals
            missing[name] = [98.0, 99.0]
            labels[name] = {98.0: "weigert", 99.0: "weet niet"}
            if it is not None and it.type == ItemType.single:
                labels[name] |= {float(c.code): c.label.nl for c in q.choices_of(it)}
        else:
            data[name] = x.astype(str).tolist()
    frame = pd.DataFrame(data)
    frame.loc[dont_know_row, "EMPLOYEES"] = 99.0
    frame.loc[dont_know_row + 1, "FLEX_HOURS"] = 98.0
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels, missing_ranges=missing)
    return path


def keying_sheet(q: Questionnaire, df: pd.DataFrame, path: Path) -> Path:
    """An Excel keying sheet: title row, blank row, header, codes; ticks as 'x'."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "invoer"
    ws.append(["Invoerblad ondernemingsenquête, batch 7"])
    ws.append([])
    ws.append(list(df.columns) + ["keyer"])
    multi = {v for it in q.items if it.type == ItemType.multiple for v in q.item_variables(it)}
    for r in df.itertuples(index=False):
        row: list[object] = []
        for var, v in zip(df.columns, r, strict=True):
            if isinstance(v, str):
                row.append(v)
            elif v != v:
                row.append(None)
            elif var in multi:
                row.append("x" if v == 1 else None)
            else:
                row.append(int(v) if float(v).is_integer() else float(v))
        ws.append(row + ["K2"])
    wb.save(path)
    return path
