"""The anonymisation step of a microdata release: a scored, weighted frame in, a released frame and
its risk report out (:func:`anonymise`).

Order of the steps (each counted and reported):

1. plan the columns (:mod:`pipeline.sdc.plan`): direct identifiers, the id variable, free text,
   dates and internal columns are dropped whatever the profile says;
2. measure the risk on the original key variables ("original");
3. global recoding: the questionnaire's release recodes and the profile's merges ("recoded");
4. PRAM on the profile's variables (optional);
5. local suppression of key values until every key combination (suppressed and missing values being
   wildcards) occurs at least k times, and no record's individual risk exceeds ``max_risk`` if set;
   derived variables linked to a key (``age_band`` from ``age``) inherit its suppressions;
6. verification with an independent frequency count ("released"); a failure raises
   :class:`~pipeline.errors.DisclosureError`, never a silent release;
7. a random release id (seeded) replaces the sample id; rows are sorted by it, so the row order does
   not reveal the input order.

PRAM runs before suppression so that k-anonymity holds for the values actually released.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from pipeline.errors import InputError, Notice, Problem, one_of
from pipeline.questionnaire.model import Questionnaire, Text
from pipeline.sdc.plan import (
    ID_COLUMN,
    KEPT_META,
    ColumnPlan,
    importance_order,
    plan_columns,
    require_valid,
)
from pipeline.sdc.pram import PramResult, pram
from pipeline.sdc.profile import ReleaseProfile
from pipeline.sdc.recode import AppliedRecode, recode_columns, substantive
from pipeline.sdc.report import ReleaseReport, estimate_changes, marginal_tvd, weight_linkage
from pipeline.sdc.risk import code_keys, measure
from pipeline.sdc.suppress import local_suppression, verify

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

MANY_CATEGORIES = 30


@dataclass(frozen=True)
class SuppressedValue:
    """One suppressed value. CONFIDENTIAL: the original value must never be part of a release."""

    release_id: int
    variable: str
    original: float
    linked: bool = False  # inherited from a key variable


@dataclass(frozen=True, eq=False)
class ReleaseResult:
    frame: pd.DataFrame  # release_id first, then the kept columns in input order; rows by release_id
    plan: ColumnPlan
    report: ReleaseReport
    recodes: tuple[AppliedRecode, ...]
    pram: tuple[PramResult, ...]
    suppression_log: tuple[SuppressedValue, ...]  # confidential
    value_labels: tuple[tuple[str, tuple[tuple[int, Text], ...]], ...]  # labels changed by the release
    suppressed_code: int
    suppressed_label: Text
    profile: ReleaseProfile

    def labels_of(self, variable: str) -> tuple[tuple[int, Text], ...] | None:
        """The value labels a recode or merge gave ``variable`` (None: the questionnaire's own)."""
        return dict(self.value_labels).get(variable)


def _weights(frame: pd.DataFrame, weight: str | None) -> np.ndarray | None:
    if weight is None:
        return None
    if weight not in frame.columns:
        raise InputError(f"weight column {weight!r} is not in the data",
                         [Problem("no such column", column=weight, expected=one_of(weight, [str(c) for c in frame.columns], limit=10),
                                  hint="release from 02_weight/weighted.parquet or 03_score/scored.parquet, or pass weight=None")],
                         code="weight_missing")
    w = _numeric(frame, weight)
    bad = np.flatnonzero(~np.isfinite(w) | (w <= 0))
    if bad.shape[0]:
        raise InputError(f"weight column {weight!r} has {bad.shape[0]} missing, infinite or non-positive value(s)",
                         [Problem("bad weight", row=int(r) + 1, column=weight, value=float(w[r]), expected="a positive number")
                          for r in bad[:5]], code="bad_weight")
    return w


def _numeric(frame: pd.DataFrame, col: str) -> np.ndarray:
    import pandas as pd

    try:
        return pd.to_numeric(frame[col], errors="raise").to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    except (TypeError, ValueError):
        raise InputError(f"column {col!r} is not numeric", [Problem(
            "a numeric variable holds text", column=col, expected="numbers (codes)",
            hint="run validation first: it writes canonical numeric codes")], code="bad_release_value") from None


def utility_indicators(profile: ReleaseProfile, q: Questionnaire) -> tuple[str, ...]:
    if profile.utility.indicators is not None:
        return profile.utility.indicators
    return tuple(ind.name for ind in q.indicators if ind.kind == "composite")


def anonymise(frame: pd.DataFrame, q: Questionnaire, profile: ReleaseProfile, *, weight: str | None = "weight",
              seed: int) -> ReleaseResult:
    """Anonymise a scored, weighted frame for release under ``profile`` (see the module docstring)."""
    import pandas as pd

    require_valid(profile, q)
    plan = plan_columns([str(c) for c in frame.columns], q, profile)
    n = len(frame)
    w = _weights(frame, weight)
    notices: list[Notice] = []
    numeric = {c: _numeric(frame, c) for c in plan.kept if c not in KEPT_META}
    k = profile.k

    original = measure(code_keys(numeric, plan.keys), w, k=k, keys=plan.keys, stage="original")
    rec = recode_columns(numeric, q, plan.recoded, profile.merge_small)
    cols, recodes = rec.columns, rec.applied
    notices += rec.notices
    categories = {key: int(np.unique(cols[key][substantive(cols[key])]).shape[0]) for key in plan.keys}
    keys = importance_order(plan.keys, profile.importance, categories)
    many = {key: c for key, c in categories.items() if c > MANY_CATEGORIES}
    if many:
        notices.append(Notice("key_many_categories", "key variable(s) with many categories after recoding: "
                              + ", ".join(f"{key} ({c})" for key, c in many.items())
                              + "; local suppression will remove much of them (add a release recode)", dict(many)))
    recoded = measure(code_keys(cols, keys), w, k=k, keys=keys, stage="recoded")
    baseline = {c: v.copy() for c, v in cols.items()}

    seq = np.random.SeedSequence(seed)
    pram_seed, id_seed = seq.spawn(2)
    prams: list[PramResult] = []
    if profile.pram.enabled:
        rng = np.random.default_rng(profile.pram.seed if profile.pram.seed is not None else pram_seed)
        pw = w if profile.pram.marginals == "weighted" else None
        for var in profile.pram.variables:
            if var not in cols:
                notices.append(Notice("pram_variable_absent", f"PRAM variable {var!r} is not in the release", {"variable": var}))
                continue
            cols[var], res = pram(var, cols[var], retention=profile.pram.retention, rng=rng, weights=pw)
            prams.append(res)

    supp = local_suppression(code_keys(cols, keys), w, k=k, importance=range(len(keys)), max_risk=profile.max_risk,
                             strategy=profile.suppression)
    code = float(profile.suppressed_code)
    cells: list[tuple[int, str, float, bool]] = []
    for row, col in supp.cells:
        var = keys[col]
        cells.append((row, var, float(cols[var][row]), False))
        cols[var][row] = code
        for dep in plan.linked_to(var):
            if substantive(cols[dep][row:row + 1])[0]:
                cells.append((row, dep, float(cols[dep][row]), True))
                cols[dep][row] = code
    final_codes = code_keys(cols, keys)
    verify(final_codes, w, k=k, max_risk=profile.max_risk, expected_fk=supp.fk)
    released = measure(final_codes, w, k=k, keys=keys, stage="released")
    if released.summary.capped or recoded.summary.capped:
        notices.append(Notice("weights_below_one", "some weights are below 1 (F_k < f_k): their individual risk is "
                              "set to 1/f_k; pass expansion weights, not normalised ones", {"weight": weight}))

    ids = np.random.default_rng(id_seed).permutation(n).astype(np.int64) + 1
    key_cells = [(r, v, x) for r, v, x, linked in cells if not linked]
    linkage = weight_linkage(w, cols, key_cells) if w is not None else None
    if linkage is not None and linkage.recoverable_cells:
        notices.append(Notice("weight_linkage", f"{linkage.recoverable_cells} of {linkage.suppressed_cells} suppressed "
                              "value(s) can be read back from other records with the same weight (raking gives one weight "
                              "per weighting cell)", asdict(linkage)))

    report = ReleaseReport(
        profile=profile.name, use=profile.use, k=k, max_risk=profile.max_risk, keys=keys, n=n,
        stages=(original.summary, recoded.summary, released.summary),
        suppressed=tuple((v, sum(1 for _, x, _, lk in cells if x == v and not lk)) for v in keys),
        linked_suppressed=tuple((d, sum(1 for _, x, _, lk in cells if x == d and lk))
                                for _, deps in plan.linked for d in deps),
        records_suppressed=len({r for r, *_ in cells}),
        pram=tuple((p.variable, p.changed, p.retention) for p in prams),
        recodes=tuple((r.variable, r.kind, r.changed) for r in recodes),
        marginal_tvd=tuple((v, marginal_tvd(baseline[v], cols[v], w)) for v in keys),
        estimates=estimate_changes(baseline, cols, w, utility_indicators(profile, q), profile.utility.by or keys),
        weight_linkage=linkage,
        dropped=tuple((d.column, d.reason) for d in plan.dropped),
        notices=tuple(notices),
    )

    data: dict[str, object] = {ID_COLUMN: ids}
    for c in plan.kept:
        data[c] = cols[c] if c in cols else frame[c].to_numpy(copy=True)
    out = pd.DataFrame(data).sort_values(ID_COLUMN, kind="stable").reset_index(drop=True)
    log = tuple(SuppressedValue(int(ids[r]), v, x, lk) for r, v, x, lk in cells)
    return ReleaseResult(out, plan, report, recodes, tuple(prams), log, tuple(rec.labels.items()),
                         profile.suppressed_code, profile.suppressed_label, profile)
