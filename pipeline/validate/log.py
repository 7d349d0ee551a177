"""Accumulate edits and issues as vectorised chunks, then build the tidy tables once.

A chunk is (rows, item, values, rule): one per (check, column), never one Python object per cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.validate.catalogue import CATALOGUE

EDIT_COLUMNS = (
    "record_id",
    "sample_id",
    "mode",
    "source_file",
    "source_row",
    "item",
    "old_value",
    "new_value",
    "rule_id",
)
ISSUE_COLUMNS = (
    "code",
    "severity",
    "level",
    "record_id",
    "mode",
    "source_file",
    "source_row",
    "item",
    "value",
    "rule_id",
    "message",
)


@dataclass
class _EditChunk:
    rows: np.ndarray
    item: str
    old: Sequence[str | None]
    new: np.ndarray
    rule: str


@dataclass
class _IssueChunk:
    code: str
    rows: np.ndarray | None  # None: a file-level issue
    item: str | None
    values: Sequence[str | None] | None
    rule: str | None
    details: Sequence[str | None] | str | None


@dataclass
class Log:
    edits: list[_EditChunk] = field(default_factory=list)
    issues: list[_IssueChunk] = field(default_factory=list)

    def edit(
        self,
        rows: np.ndarray,
        item: str,
        old: Sequence[str | None],
        new: float | np.ndarray,
        rule: str,
    ) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size:
            newv = np.broadcast_to(np.asarray(new, dtype=np.float64), rows.shape).copy()
            self.edits.append(_EditChunk(rows, item, list(old), newv, rule))

    def issue(
        self,
        code: str,
        rows: np.ndarray | None,
        *,
        item: str | None = None,
        values: Sequence[str | None] | None = None,
        rule: str | None = None,
        details: Sequence[str | None] | str | None = None,
    ) -> None:
        if code not in CATALOGUE:
            raise KeyError(f"issue code {code!r} is not in the catalogue")
        if rows is not None:
            rows = np.asarray(rows, dtype=np.int64)
            if rows.size == 0:
                return
        self.issues.append(_IssueChunk(code, rows, item, values, rule, details))

    # ---- tables ----
    def edit_table(self, meta: pd.DataFrame) -> pd.DataFrame:
        """``meta``: per row of the input, columns record_id, sample_id, mode, source_file, source_row."""
        if not self.edits:
            return empty_edits()
        rows = np.concatenate([c.rows for c in self.edits])
        out = meta.iloc[rows][
            ["record_id", "sample_id", "mode", "source_file", "source_row"]
        ].reset_index(drop=True)
        out["item"] = np.concatenate(
            [np.full(c.rows.size, c.item, dtype=object) for c in self.edits]
        )
        out["old_value"] = pd.array([v for c in self.edits for v in c.old], dtype="string")
        out["new_value"] = np.concatenate([c.new for c in self.edits])
        out["rule_id"] = np.concatenate(
            [np.full(c.rows.size, c.rule, dtype=object) for c in self.edits]
        )
        return _typed_edits(out)

    def issue_table(self, meta: pd.DataFrame, *, mode: str, source_file: str) -> pd.DataFrame:
        """All issues as one tidy table (row-level issues take their location from ``meta``)."""
        if not self.issues:
            return empty_issues()
        sizes = [1 if c.rows is None else c.rows.size for c in self.issues]
        codes: list[np.ndarray] = []
        items: list[np.ndarray] = []
        rules: list[np.ndarray] = []
        values: list[str | None] = []
        details: list[str | None] = []
        for c, n in zip(self.issues, sizes, strict=True):
            codes.append(np.full(n, c.code, dtype=object))
            items.append(np.full(n, c.item, dtype=object))
            rules.append(np.full(n, c.rule, dtype=object))
            values.extend(c.values if c.values is not None else [None] * n)
            details.extend(
                [c.details] * n if c.details is None or isinstance(c.details, str) else c.details
            )
        rowlevel = np.concatenate(
            [np.full(n, c.rows is not None) for c, n in zip(self.issues, sizes, strict=True)]
        )
        rows = np.concatenate(
            [c.rows if c.rows is not None else np.zeros(1, dtype=np.int64) for c in self.issues]
        )
        out = pd.DataFrame(
            {
                "code": np.concatenate(codes),
                "item": np.concatenate(items),
                "rule_id": np.concatenate(rules),
                "value": pd.array(values, dtype="string"),
            }
        )
        if len(meta):
            taken = meta.iloc[np.where(rowlevel, rows, 0)]
            out["record_id"] = np.where(rowlevel, taken["record_id"].to_numpy(dtype=object), None)
            out["source_row"] = pd.array(
                np.where(rowlevel, taken["source_row"].to_numpy(), 0), dtype="Int64"
            )
            out.loc[~rowlevel, "source_row"] = pd.NA
        else:
            out["record_id"] = None
            out["source_row"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["mode"] = mode
        out["source_file"] = source_file
        types = [CATALOGUE[c.code] for c in self.issues]
        out["severity"] = np.concatenate(
            [np.full(n, t.severity, dtype=object) for t, n in zip(types, sizes, strict=True)]
        )
        out["level"] = np.concatenate(
            [np.full(n, t.level, dtype=object) for t, n in zip(types, sizes, strict=True)]
        )
        renders = [t for t, n in zip(types, sizes, strict=True) for _ in range(n)]
        out["message"] = [
            t.render(item=i, value=v, rule=r, detail=d)
            for t, i, v, r, d in zip(
                renders, out["item"].tolist(), values, out["rule_id"].tolist(), details, strict=True
            )
        ]
        return _typed_issues(out)


def _typed_edits(df: pd.DataFrame) -> pd.DataFrame:
    df = df[list(EDIT_COLUMNS)].copy()
    for c in ("record_id", "sample_id", "mode", "source_file", "item", "old_value", "rule_id"):
        df[c] = df[c].astype("string")
    df["source_row"] = df["source_row"].astype("int64")
    df["new_value"] = df["new_value"].astype("float64")
    return df


def _typed_issues(df: pd.DataFrame) -> pd.DataFrame:
    df = df[list(ISSUE_COLUMNS)].copy()
    for c in ISSUE_COLUMNS:
        if c != "source_row":
            df[c] = df[c].astype("string")
    df["source_row"] = df["source_row"].astype("Int64")
    return df


def empty_edits() -> pd.DataFrame:
    return _typed_edits(pd.DataFrame({c: pd.Series([], dtype=object) for c in EDIT_COLUMNS}))


def empty_issues() -> pd.DataFrame:
    return _typed_issues(pd.DataFrame({c: pd.Series([], dtype=object) for c in ISSUE_COLUMNS}))
