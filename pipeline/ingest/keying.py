"""Double keying of paper forms: compare two keyings of the same batch, field by field.

Forms are matched on (``batch``, id variable) (on the id alone when a file has no ``batch`` column);
a form present in one keying only is *unmatched*. Values are compared after trimming, numbers by value
(``37,5`` equals ``37.5``; ``3`` equals ``3.0``). Each discrepancy is listed for resolution against
the paper form, and the discrepancy rate (discrepant fields / compared fields) is given per keyer, for
the first and for the second keying (a discrepancy counts against both keyers involved: which of the
two was wrong is only known after resolution). Free-text fields are compared but their values are
never copied into the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.ingest.readers import RawTable

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.questionnaire.model import Questionnaire

TEXT_SHOWN = "<text>"


@dataclass(frozen=True)
class KeyingResult:
    first: str  # file names
    second: str
    forms_matched: int
    fields_compared: int
    discrepancies: pd.DataFrame  # first_row, second_row, batch, id, item, first_value, second_value, first_keyer, second_keyer
    unmatched: pd.DataFrame  # keying (first|second), row, batch, id
    keyers: pd.DataFrame  # role, keyer, forms, fields, discrepancies, rate

    @property
    def rate(self) -> float:
        return len(self.discrepancies) / self.fields_compared if self.fields_compared else 0.0


def _col(raw: RawTable, name: str) -> np.ndarray:
    if name not in raw.columns:
        return np.full(raw.n_rows, "", dtype=object)
    c = raw.table.column(name)
    if not pa.types.is_string(c.type):
        c = pc.cast(c, pa.string())
    return np.asarray(
        pc.fill_null(pc.utf8_trim_whitespace(c), "").to_numpy(zero_copy_only=False), dtype=object
    )


def _norm(raw: RawTable, name: str, rows: np.ndarray) -> np.ndarray:
    from pipeline.ingest.parse import fmt_number, parse_numeric

    col = pc.take(raw.table.column(name), pa.array(rows))
    p = parse_numeric(col)
    text = _col_from(col)
    out = text.copy()
    num = ~np.isnan(p.values)
    out[num] = [fmt_number(v) for v in p.values[num]]
    return out


def _col_from(col: pa.ChunkedArray | pa.Array) -> np.ndarray:
    if not pa.types.is_string(col.type):
        col = pc.cast(col, pa.string())
    return np.asarray(
        pc.fill_null(pc.utf8_trim_whitespace(col), "").to_numpy(zero_copy_only=False), dtype=object
    )


def compare_keyings(
    first: RawTable,
    second: RawTable,
    q: Questionnaire,
    *,
    batch_column: str = "batch",
    keyer_column: str = "keyer",
) -> KeyingResult:
    idv = q.study.id_variable
    text_items = {it.name for it in q.items if it.type.value in ("text", "date")}
    use_batch = batch_column in first.columns and batch_column in second.columns

    def keys(raw: RawTable) -> pd.DataFrame:
        b = _col(raw, batch_column) if use_batch else np.full(raw.n_rows, "", dtype=object)
        return pd.DataFrame(
            {
                "batch": b,
                "id": _col(raw, idv),
                "row": np.arange(raw.n_rows),
                "keyer": _col(raw, keyer_column),
            }
        )

    k1, k2 = keys(first), keys(second)
    k1["dup"] = k1.duplicated(["batch", "id"])
    k2["dup"] = k2.duplicated(["batch", "id"])
    m = k1[~k1["dup"]].merge(
        k2[~k2["dup"]], on=["batch", "id"], how="outer", suffixes=("_1", "_2"), indicator=True
    )
    both = m[m["_merge"] == "both"]
    r1 = both["row_1"].to_numpy(dtype=np.int64)
    r2 = both["row_2"].to_numpy(dtype=np.int64)
    unmatched = pd.concat(
        [
            pd.DataFrame(
                {
                    "keying": "first",
                    "row": k1.loc[k1["dup"], "row"],
                    "batch": k1.loc[k1["dup"], "batch"],
                    "id": k1.loc[k1["dup"], "id"],
                }
            ),
            pd.DataFrame(
                {
                    "keying": "second",
                    "row": k2.loc[k2["dup"], "row"],
                    "batch": k2.loc[k2["dup"], "batch"],
                    "id": k2.loc[k2["dup"], "id"],
                }
            ),
            pd.DataFrame(
                {
                    "keying": "first",
                    "row": m.loc[m["_merge"] == "left_only", "row_1"],
                    "batch": m.loc[m["_merge"] == "left_only", "batch"],
                    "id": m.loc[m["_merge"] == "left_only", "id"],
                }
            ),
            pd.DataFrame(
                {
                    "keying": "second",
                    "row": m.loc[m["_merge"] == "right_only", "row_2"],
                    "batch": m.loc[m["_merge"] == "right_only", "batch"],
                    "id": m.loc[m["_merge"] == "right_only", "id"],
                }
            ),
        ],
        ignore_index=True,
    )
    unmatched["row"] = unmatched["row"].astype("int64")
    variables = [
        v for v in q.variables() if v != idv and v in first.columns and v in second.columns
    ]
    parts = []
    per_pair = np.zeros(r1.size, dtype=np.int64)
    for var in variables:
        a, b = _norm(first, var, r1), _norm(second, var, r2)
        diff = a != b
        if not diff.any():
            continue
        per_pair += diff
        show = var not in text_items
        parts.append(
            pd.DataFrame(
                {
                    "first_row": r1[diff],
                    "second_row": r2[diff],
                    "batch": both["batch"].to_numpy()[diff],
                    "id": both["id"].to_numpy()[diff],
                    "item": var,
                    "first_value": a[diff] if show else TEXT_SHOWN,
                    "second_value": b[diff] if show else TEXT_SHOWN,
                    "first_keyer": both["keyer_1"].to_numpy()[diff],
                    "second_keyer": both["keyer_2"].to_numpy()[diff],
                }
            )
        )
    cols = [
        "first_row",
        "second_row",
        "batch",
        "id",
        "item",
        "first_value",
        "second_value",
        "first_keyer",
        "second_keyer",
    ]
    disc = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    )
    disc = (
        disc.sort_values(["first_row", "item"], kind="mergesort").reset_index(drop=True)
        if len(disc)
        else disc
    )
    nf = len(variables)
    pairs = pd.DataFrame(
        {"k1": both["keyer_1"].to_numpy(), "k2": both["keyer_2"].to_numpy(), "d": per_pair}
    )
    rows = []
    for role, col in (("first", "k1"), ("second", "k2")):
        for keyer, g in pairs.groupby(col, sort=True):
            fields = len(g) * nf
            d = int(g["d"].sum())
            rows.append(
                {
                    "role": role,
                    "keyer": str(keyer) or "(none)",
                    "forms": len(g),
                    "fields": fields,
                    "discrepancies": d,
                    "rate": d / fields if fields else 0.0,
                }
            )
    keyers = pd.DataFrame(
        rows, columns=["role", "keyer", "forms", "fields", "discrepancies", "rate"]
    )
    return KeyingResult(
        first.name, second.name, int(r1.size), int(r1.size * nf), disc, unmatched, keyers
    )
