"""pandera schemas generated from the questionnaire, per mode, run in lazy mode.

Two schemas per mode:

- :func:`structure_schema`: the columns a raw file of that mode must have (the id variable and every
  variable asked in that mode; extra columns are allowed and reported). Missing columns stop the run.
- :func:`value_schema`: raw-level value checks on the *parsed* numbers: codes in the allowed set
  (choices + the item's missing codes), whole numbers for integer items, hard limits. Each check is
  named by its issue code; :func:`value_failures` runs the schema lazily on the value domain of a
  table and turns pandera's failure cases into ``{(column, code): row positions}``.

Soft limits, routing, rules and case-level checks are survey-specific and live in numpy code
(:mod:`pipeline.validate.harmonise`, :mod:`pipeline.validate.quality`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from pipeline.errors import InputError, Problem
from pipeline.questionnaire.model import Item, ItemType, Questionnaire

NUMERIC_TYPES = (ItemType.single, ItemType.multiple, ItemType.integer, ItemType.decimal)


def in_mode(item: Item, mode: str) -> bool:
    return item.modes is None or mode in item.modes


def item_variables(q: Questionnaire, item: Item) -> tuple[str, ...]:
    if item.type == ItemType.multiple:
        return tuple(f"{item.name}_{c.code}" for c in q.choices_of(item))
    return (item.name,)


def expected_columns(q: Questionnaire, mode: str) -> tuple[str, ...]:
    out: list[str] = []
    for it in q.items:
        if in_mode(it, mode) or it.name == q.study.id_variable:
            out.extend(item_variables(q, it))
    return tuple(out)


def structure_schema(q: Questionnaire, mode: str) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {c: pa.Column(required=True, nullable=True) for c in expected_columns(q, mode)},
        strict=False,
        name=f"{q.study.id}:{mode}:structure",
    )


def check_structure(q: Questionnaire, mode: str, columns: tuple[str, ...], *, file: str) -> None:
    """Raise :class:`InputError` (code ``columns_missing``) naming every missing column at once."""
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    try:
        structure_schema(q, mode).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        missing = [
            str(v) for v in fc.loc[fc["check"] == "column_in_dataframe", "failure_case"].tolist()
        ]
        if not missing:  # pragma: no cover - only column presence is checked
            raise
        shown = ", ".join(missing[:8]) + (
            f" (and {len(missing) - 8} more)" if len(missing) > 8 else ""
        )
        hint = (
            "is this the right questionnaire and mode? check the delimiter and header row"
            if len(missing) > len(expected_columns(q, mode)) // 2
            else "add the missing columns (empty if not asked)"
        )
        raise InputError(
            f"{file}: {len(missing)} expected column(s) missing for mode {mode!r}: {shown}",
            [
                Problem(
                    f"column missing for mode {mode!r}",
                    file=file,
                    column=m,
                    hint=hint,
                    code="columns_missing",
                )
                for m in missing
            ],
            code="columns_missing",
        ) from None


# ------------------------------------------------------------------------------------------ values
@dataclass(frozen=True)
class ValueRule:
    """What the raw value checks allow for one numeric variable."""

    codes: (
        np.ndarray | None
    )  # choice items: allowed codes incl. the item's missing codes; None: numeric item
    not_allowed: np.ndarray  # numeric items: missing codes not allowed for this item
    own_missing: np.ndarray
    integer: bool
    lo: float
    hi: float


def value_rules(q: Questionnaire, mode: str) -> dict[str, ValueRule]:
    out: dict[str, ValueRule] = {}
    for it in q.items:
        if it.type not in NUMERIC_TYPES or not in_mode(it, mode):
            continue
        own = np.asarray(it.missing, dtype=np.float64)
        codes = None
        if it.type in (ItemType.single, ItemType.multiple):
            base = (
                [0.0, 1.0]
                if it.type == ItemType.multiple
                else [float(c.code) for c in q.choices_of(it)]
            )
            codes = np.asarray(sorted(set(base) | set(own.tolist())), dtype=np.float64)
        lim = it.limits
        lo = -np.inf if lim is None or lim.hard_min is None else float(lim.hard_min)
        hi = np.inf if lim is None or lim.hard_max is None else float(lim.hard_max)
        rule = ValueRule(
            codes,
            np.asarray(sorted(set(q.missing_code_values()) - set(it.missing)), dtype=np.float64),
            own,
            it.type == ItemType.integer,
            lo,
            hi,
        )
        for var in item_variables(q, it):
            out[var] = rule
    return out


def _per_variable(
    rules: dict[str, ValueRule], test: Callable[[ValueRule, np.ndarray], np.ndarray]
) -> Callable[[pd.DataFrame], pd.Series]:
    def check(d: pd.DataFrame) -> pd.Series:
        ok = np.ones(len(d), dtype=bool)
        var = d["variable"].to_numpy(dtype=object)
        val = d["value"].to_numpy(dtype=np.float64)
        for name, idx in pd.Series(np.arange(len(d))).groupby(var, sort=False).groups.items():
            rows = np.asarray(idx, dtype=np.int64)
            rule = rules.get(str(name))
            if rule is not None:
                ok[rows] = test(rule, val[rows])
        return pd.Series(ok, index=d.index)

    return check


def _allowed(r: ValueRule, v: np.ndarray) -> np.ndarray:
    return np.isin(v, r.codes) if r.codes is not None else ~np.isin(v, r.not_allowed)


def _whole(r: ValueRule, v: np.ndarray) -> np.ndarray:
    return np.logical_or(not r.integer, v == np.floor(v))


def _hard(r: ValueRule, v: np.ndarray) -> np.ndarray:
    return np.logical_or(
        r.codes is not None, np.isin(v, r.own_missing) | ((v >= r.lo) & (v <= r.hi))
    )


def value_schema(q: Questionnaire, mode: str) -> pa.DataFrameSchema:
    """A schema for the *value domain* of a raw table: one row per (variable, distinct value).

    Checks (named by their issue code): ``invalid_code`` (choice items: a choice code or one of the
    item's missing codes; numeric items: not a missing code the item does not allow), ``not_integer``
    (integer items), ``hard_limit`` (numeric items: within the hard limits or one of the item's
    missing codes).
    """
    rules = value_rules(q, mode)
    return pa.DataFrameSchema(
        {
            "variable": pa.Column(str, pa.Check.isin(sorted(rules)), nullable=False),
            "value": pa.Column(float, nullable=False),
        },
        checks=[
            pa.Check(_per_variable(rules, _allowed), name="invalid_code"),
            pa.Check(_per_variable(rules, _whole), name="not_integer"),
            pa.Check(_per_variable(rules, _hard), name="hard_limit"),
        ],
        strict=True,
        name=f"{q.study.id}:{mode}:values",
    )


def value_domain(values: dict[str, np.ndarray]) -> pd.DataFrame:
    """The distinct non-blank values of each column, long form (variable, value)."""
    uniques = {v: pd.unique(a[~np.isnan(a)]) for v, a in values.items()}
    return pd.DataFrame(
        {
            "variable": np.concatenate(
                [np.full(len(u), v, dtype=object) for v, u in uniques.items()]
                or [np.array([], dtype=object)]
            ),
            "value": np.concatenate(
                [np.asarray(u, dtype=np.float64) for u in uniques.values()]
                or [np.array([], dtype=np.float64)]
            ),
        }
    ).astype({"variable": "str"})


def value_failures(
    q: Questionnaire, mode: str, values: dict[str, np.ndarray]
) -> dict[tuple[str, str], np.ndarray]:
    """Run the value schema lazily; ``{(column, issue code): sorted row positions}``.

    Every value check is an element-wise function of (variable, value), so pandera validates the
    *value domain* (a few distinct codes per variable instead of 100,000 rows: pandera's cost grows with
    columns and failure cases), and each failing (variable, value) is mapped back to its rows.
    """
    domain = value_domain(values)
    try:
        value_schema(q, mode).validate(domain, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        fc = fc[fc["index"].notna() & (fc["column"] == "value")]
        idx = fc["index"].to_numpy(dtype=np.int64)
        bad = pd.DataFrame(
            {
                "variable": domain["variable"].to_numpy(dtype=object)[idx],
                "value": domain["value"].to_numpy()[idx],
                "check": fc["check"].to_numpy(dtype=object),
            }
        )
        out: dict[tuple[str, str], np.ndarray] = {}
        for (var, check), grp in bad.groupby(["variable", "check"], sort=True):
            out[(str(var), str(check))] = np.flatnonzero(
                np.isin(values[str(var)], grp["value"].to_numpy())
            )
        return out
    return {}
