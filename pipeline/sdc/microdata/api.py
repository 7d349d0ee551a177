"""The anonymisation step of a microdata release: a scored, weighted frame in, a released frame and
its risk report out (:func:`anonymise`).

Order of the steps (each counted and reported):

1. plan the columns (:mod:`pipeline.sdc.microdata.plan`): direct identifiers, the id variable, free text,
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

from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from pipeline.errors import DisclosureError, InputError, Notice, Problem, one_of
from pipeline.questionnaire.model import Questionnaire, Text
from pipeline.rundata.columns import WEIGHT, WEIGHT_COLUMNS
from pipeline.rundata.weights import CODE as WEIGHT_CODE
from pipeline.rundata.weights import summary as weights_summary
from pipeline.rundata.weights import weight_problems
from pipeline.sdc.microdata.linkage import WeightLinkage, weight_linkage
from pipeline.sdc.microdata.plan import (
    ID_COLUMN,
    KEPT_META,
    ColumnPlan,
    Dropped,
    importance_order,
    linked_variables,
    plan_columns,
    require_valid,
)
from pipeline.sdc.microdata.pram import PramResult, pram
from pipeline.sdc.microdata.profile import ReleaseProfile
from pipeline.sdc.microdata.recode import AppliedRecode, recode_columns, substantive
from pipeline.sdc.microdata.report import (
    CombinationRisk,
    EstimateChange,
    ReleaseReport,
    estimate_changes,
    marginal_tvd,
)
from pipeline.sdc.microdata.risk import code_keys, measure
from pipeline.sdc.microdata.suda import Msus, msus, suppress_combinations
from pipeline.sdc.microdata.suppress import local_suppression, verify
from pipeline.sdc.microdata.weights import WeightTreatment, released_margin_weights, unchanged

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
    frame: (
        pd.DataFrame
    )  # release_id first, then the kept columns in input order; rows by release_id
    plan: ColumnPlan
    report: ReleaseReport
    recodes: tuple[AppliedRecode, ...]
    pram: tuple[PramResult, ...]
    suppression_log: tuple[SuppressedValue, ...]  # confidential
    value_labels: tuple[
        tuple[str, tuple[tuple[int, Text], ...]], ...
    ]  # labels changed by the release
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
        raise InputError(
            f"weight column {weight!r} is not in the data",
            [
                Problem(
                    "no such column",
                    column=weight,
                    expected=one_of(weight, [str(c) for c in frame.columns], limit=10),
                    hint="release from 02_weight/weighted.parquet or 03_score/scored.parquet, or pass weight=None",
                )
            ],
            code="weight_missing",
        )
    w = _numeric(frame, weight)
    problems = weight_problems(w, column=weight, positive=True)  # a released weight is > 0
    if problems:
        raise InputError(weights_summary(problems, weight), problems, code=WEIGHT_CODE)
    return w


def _numeric(frame: pd.DataFrame, col: str) -> np.ndarray:
    import pandas as pd

    try:
        return pd.to_numeric(frame[col], errors="raise").to_numpy(
            dtype=np.float64, na_value=np.nan, copy=True
        )
    except (TypeError, ValueError):
        raise InputError(
            f"column {col!r} is not numeric",
            [
                Problem(
                    "a numeric variable holds text",
                    column=col,
                    expected="numbers (codes)",
                    hint="run validation first: it writes canonical numeric codes",
                )
            ],
            code="bad_release_value",
        ) from None


def utility_indicators(profile: ReleaseProfile, q: Questionnaire) -> tuple[str, ...]:
    if profile.utility.indicators is not None:
        return profile.utility.indicators
    return tuple(ind.name for ind in q.indicators if ind.kind == "composite")


@dataclass(frozen=True, eq=False)
class _Weights:
    linkage: WeightLinkage | None
    linkage_original: WeightLinkage | None  # before recalibration (None: the weights were kept)
    treatment: WeightTreatment | None
    estimates: tuple[
        EstimateChange, ...
    ]  # weighted shares with the original vs the released weights


def protected_variables(
    q: Questionnaire, profile: ReleaseProfile, keys: tuple[str, ...]
) -> tuple[str, ...]:
    """Variables whose per-level figures before and after disclosure control are never handed out
    (:mod:`pipeline.sdc.microdata.report`): the key variables, the variables linked to them, the PRAM variables
    and the weighting variables, with every derived variable and its source (they share their
    values)."""
    out = set(keys) | set(profile.pram.variables) | set(q.weighting)
    out |= {d for _k, deps in linked_variables(q, keys) for d in deps}
    grown = True
    while grown:
        before = len(out)
        out |= {
            x for d in q.derived if d.name in out or d.source in out for x in (d.name, d.source)
        }
        grown = len(out) > before
    return tuple(sorted(out))


def attack_variables(
    profile: ReleaseProfile, plan: ColumnPlan, keys: tuple[str, ...]
) -> tuple[str, ...]:
    """The profile's attacker variables besides the key variables, in the profile's order (most
    important first), that the release contains."""
    if profile.combinations is None:
        return ()
    return tuple(v for v in profile.combinations.variables if v not in keys and v in plan.kept)


def require_combinations_safe(after: Msus, k: int) -> None:
    """The independent recount after combination suppression: any record still below k on a
    combination refuses the release, naming the combination."""
    if not after.found:
        return
    raise DisclosureError(
        f"{after.records} record(s) still have fewer than {k} compatible records on a combination "
        "of attacker variables after suppression",
        [
            Problem(
                "combination of attacker variables below k",
                path="combinations.variables",
                value=" x ".join(names),
                expected=f"at least {k} compatible records for every record",
                hint="band or drop one of these variables, or lower combinations.max_size",
                code="combination_risk",
            )
            for names, _n in after.top_combinations(5)
        ],
        code="combination_risk",
    )


def weighting_variables(q: Questionnaire, plan: ColumnPlan) -> tuple[str, ...]:
    """The questionnaire's weighting variables that the release contains."""
    return tuple(v for v in q.weighting if v in plan.kept)


def require_weighting_released(q: Questionnaire, plan: ColumnPlan, profile: ReleaseProfile) -> None:
    """Original (raked) weights are one number per weighting cell: they encode every weighting
    variable, released or not. A release with ``weights.method: original`` that leaves one out is
    refused (within the groups of its released weighting values the weight would tell the missing one)."""
    if profile.weights.method != "original" or not any(c in plan.kept for c in WEIGHT_COLUMNS):
        return
    missing = [v for v in q.weighting if v not in plan.kept]
    if not missing:
        return
    dropped = {d.column: d.reason for d in plan.dropped}
    how = {"profile_drop": "remove it from 'drop'", "not_in_keep": "add it to 'keep'"}
    raise DisclosureError(
        f"the original weights encode weighting variable(s) {', '.join(missing)}, which the release does not contain: "
        "records that share their released values but differ in them have different weights, so they can be read back",
        [
            Problem(
                "weighting variable not released, but the original weights are",
                path="weights.method",
                value=v,
                expected="every weighting variable ("
                + ", ".join(q.weighting)
                + ") in a release with original weights",
                hint=(
                    how.get(dropped[v], f"release {v}")
                    if v in dropped
                    else f"release from data that hold {v}"
                )
                + ", or set weights.method: released_margins, or do not release the weights",
                code="weighting_variable_not_released",
            )
            for v in missing
        ],
        code="weighting_variable_not_released",
    )


def _release_weights(
    w: np.ndarray | None,
    cols: dict[str, np.ndarray],
    baseline: dict[str, np.ndarray],
    cells: list[tuple[int, str, float, bool]],
    plan: ColumnPlan,
    q: Questionnaire,
    profile: ReleaseProfile,
    prams: list[PramResult],
    notices: list[Notice],
    unreleased: tuple[tuple[str, int], ...],
) -> _Weights:
    """Measure weight linkage over every weighting variable (``unreleased``: (variable, values) of
    those the release does not contain), recalibrate the weights if the profile says so (the released
    weight columns in ``cols`` are replaced), and enforce ``weights.max_linkage``."""
    released_weights = [c for c in WEIGHT_COLUMNS if c in cols]
    if w is None or not released_weights:
        return _Weights(None, None, None, ())
    wvars = weighting_variables(q, plan)
    suppressed = [(r, v, float(baseline[v][r])) for r, v, _x, _lk in cells]
    hidden = {(r, v) for r, v, _x in suppressed}
    perturbed = [
        (int(r), p.variable, float(baseline[p.variable][r]))
        for p in prams
        for r in np.flatnonzero(
            substantive(cols[p.variable]) & (cols[p.variable] != baseline[p.variable])
        )
        if (int(r), p.variable) not in hidden
    ]
    pram_vars = tuple(p.variable for p in prams)

    def measure_linkage(weights: np.ndarray, label: str) -> WeightLinkage:
        return weight_linkage(
            weights,
            cols,
            wvars,
            suppressed=suppressed,
            perturbed=perturbed,
            pram_variables=pram_vars,
            unreleased=unreleased,
            label=label,
        )

    original = measure_linkage(w, "original")
    if profile.weights.method == "released_margins":
        new, treatment, more = released_margin_weights(
            w, cols, wvars, min_count=profile.weights.min_count
        )
        notices.extend(more)
        for c in released_weights:
            cols[c] = new * (float(np.nansum(cols[c])) / float(new.sum()))
        linkage, before = measure_linkage(new, "released_margins"), original
        estimates = estimate_changes(
            cols,
            cols,
            w,
            utility_indicators(profile, q),
            profile.utility.by or plan.keys,
            weights_after=new,
        )
    else:
        treatment, linkage, before, estimates = unchanged(w), original, None, ()
    if linkage.recoverable_cells:
        notices.append(
            Notice(
                "weight_linkage",
                f"{linkage.recoverable_cells} of {linkage.protected_cells} protected "
                f"value(s) of the weighting variables ({', '.join(linkage.variables)}) can be read back "
                "from the weight (raking gives one weight per weighting cell)",
                {**asdict(linkage), "protected_cells": linkage.protected_cells},
            )
        )
    limit = profile.weights.max_linkage
    if limit is not None and linkage.recoverable_share > limit:
        raise DisclosureError(
            f"the released weight gives back {linkage.recoverable_cells} of {linkage.protected_cells} protected value(s) "
            f"({linkage.recoverable_share:.1%}), more than weights.max_linkage = {limit:g} allows",
            [
                Problem(
                    "weight linkage above the profile's limit",
                    path="weights.max_linkage",
                    value=linkage.recoverable_share,
                    expected=f"at most {limit:g}",
                    hint="set weights.method: released_margins, drop the weights, "
                    "or raise max_linkage",
                )
            ],
            code="weight_linkage_too_high",
        )
    return _Weights(linkage, before, treatment, estimates)


def anonymise(
    frame: pd.DataFrame,
    q: Questionnaire,
    profile: ReleaseProfile,
    *,
    weight: str | None = WEIGHT,
    seed: int,
) -> ReleaseResult:
    """Anonymise a scored, weighted frame for release under ``profile`` (see the module docstring)."""
    import pandas as pd

    require_valid(profile, q, [str(c) for c in frame.columns])
    plan = plan_columns([str(c) for c in frame.columns], q, profile)
    if (
        weight is None
    ):  # an unweighted release: weight columns would go out with no linkage measured
        plan = replace(
            plan,
            kept=tuple(c for c in plan.kept if c not in WEIGHT_COLUMNS),
            dropped=plan.dropped
            + tuple(Dropped(c, "unweighted_release") for c in plan.kept if c in WEIGHT_COLUMNS),
        )
    require_weighting_released(q, plan, profile)
    n = len(frame)
    w = _weights(frame, weight)
    unreleased = tuple(
        (v, int(substantive(_numeric(frame, v)).sum()) if v in frame.columns else n)
        for v in q.weighting
        if v not in plan.kept
    )
    notices: list[Notice] = []
    numeric = {c: _numeric(frame, c) for c in plan.kept if c not in KEPT_META}
    k = profile.k

    original = measure(code_keys(numeric, plan.keys), w, k=k, keys=plan.keys, stage="original")
    rec = recode_columns(numeric, q, plan.recoded, profile.merge_small, profile.bands)
    cols, recodes = rec.columns, rec.applied
    notices += rec.notices
    categories = {
        key: int(np.unique(cols[key][substantive(cols[key])]).shape[0]) for key in plan.keys
    }
    keys = importance_order(plan.keys, profile.importance, categories)
    many = {key: c for key, c in categories.items() if c > MANY_CATEGORIES}
    if many:
        notices.append(
            Notice(
                "key_many_categories",
                "key variable(s) with many categories after recoding: "
                + ", ".join(f"{key} ({c})" for key, c in many.items())
                + "; local suppression will remove much of them (add a release recode)",
                dict(many),
            )
        )
    recoded = measure(code_keys(cols, keys), w, k=k, keys=keys, stage="recoded")
    baseline = {c: v.copy() for c, v in cols.items()}

    seq = np.random.SeedSequence(seed)
    pram_seed, id_seed = seq.spawn(2)
    prams: list[PramResult] = []
    if profile.pram.enabled:
        rng = np.random.default_rng(
            profile.pram.seed if profile.pram.seed is not None else pram_seed
        )
        pw = w if profile.pram.marginals == "weighted" else None
        for var in profile.pram.variables:
            if var not in cols:
                notices.append(
                    Notice(
                        "pram_variable_absent",
                        f"PRAM variable {var!r} is not in the release",
                        {"variable": var},
                    )
                )
                continue
            cols[var], res = pram(
                var, cols[var], retention=profile.pram.retention, rng=rng, weights=pw
            )
            prams.append(res)

    supp = local_suppression(
        code_keys(cols, keys),
        w,
        k=k,
        importance=range(len(keys)),
        max_risk=profile.max_risk,
        strategy=profile.suppression,
    )
    code = float(profile.suppressed_code)
    cells: list[tuple[int, str, float, bool]] = []
    for row, col in supp.cells:
        var = keys[col]
        cells.append((row, var, float(cols[var][row]), False))
        cols[var][row] = code
        for dep in plan.linked_to(var):
            if substantive(cols[dep][row : row + 1])[0]:
                cells.append((row, dep, float(cols[dep][row]), True))
                cols[dep][row] = code
    final_codes = code_keys(cols, keys)
    verify(final_codes, w, k=k, max_risk=profile.max_risk, expected_fk=supp.fk)
    extra = attack_variables(profile, plan, keys)
    combos = None

    def suppress_cell(row: int, var: str) -> None:
        cells.append((row, var, float(cols[var][row]), False))
        cols[var][row] = code
        for dep in plan.linked_to(var):
            if substantive(cols[dep][row : row + 1])[0]:
                cells.append((row, dep, float(cols[dep][row]), True))
                cols[dep][row] = code

    if profile.combinations is not None:
        attack = keys + extra
        top = profile.combinations.max_size
        before = msus(code_keys(baseline, attack), attack, max_size=top, k=k)
        uniques = msus(code_keys(baseline, attack), attack, max_size=top, k=2).records
        scenario_cells = 0
        for extra_set in profile.combinations.key_sets:
            cols_set = keys + tuple(v for v in extra_set if v in extra)
            scenario = local_suppression(
                code_keys(cols, cols_set),
                w,
                k=k,
                importance=range(len(cols_set)),
                strategy=profile.suppression,
            )
            scenario_cells += len(scenario.cells)
            for row, j in scenario.cells:
                suppress_cell(row, cols_set[j])
        comb = suppress_combinations(
            code_keys(cols, attack),
            w,
            k=k,
            max_size=top,
            importance=range(len(attack)),
            covered=range(len(keys)),
            strategy=profile.suppression,
        )
        for row, j in comb.cells:
            suppress_cell(row, attack[j])
        after = msus(code_keys(cols, attack), attack, max_size=top, k=k)
        require_combinations_safe(after, k)
        for extra_set in profile.combinations.key_sets:
            cols_set = keys + tuple(v for v in extra_set if v in extra)
            verify(code_keys(cols, cols_set), w, k=k, max_risk=None)
        final_codes = code_keys(cols, keys)
        verify(final_codes, w, k=k, max_risk=profile.max_risk)
        combos = CombinationRisk(
            variables=attack,
            max_size=before.max_size,
            combinations=before.combinations,
            records_before=before.records,
            by_size_before=before.by_size(),
            uniques_before=uniques,
            fixed=comb.fixed,
            cells=len(comb.cells) + scenario_cells,
            records_after=after.records,
            uniques_after=msus(code_keys(cols, attack), attack, max_size=top, k=2).records,
        )
    released = measure(final_codes, w, k=k, keys=keys, stage="released")
    if released.summary.capped or recoded.summary.capped:
        notices.append(
            Notice(
                "weights_below_one",
                "some weights are below 1 (F_k < f_k): their individual risk is "
                "set to 1/f_k; pass expansion weights, not normalised ones",
                {"weight": weight},
            )
        )

    ids = np.random.default_rng(id_seed).permutation(n).astype(np.int64) + 1
    weights = _release_weights(
        w, cols, baseline, cells, plan, q, profile, prams, notices, unreleased
    )

    report = ReleaseReport(
        profile=profile.name,
        use=profile.use,
        k=k,
        max_risk=profile.max_risk,
        keys=keys,
        n=n,
        stages=(original.summary, recoded.summary, released.summary),
        suppressed=tuple(
            (v, sum(1 for _, x, _, lk in cells if x == v and not lk)) for v in keys + extra
        ),
        linked_suppressed=tuple(
            (d, sum(1 for _, x, _, lk in cells if x == d and lk))
            for _, deps in plan.linked
            for d in deps
        ),
        records_suppressed=len({r for r, *_ in cells}),
        pram=tuple((p.variable, p.changed, p.retention) for p in prams),
        recodes=tuple((r.variable, r.kind, r.changed) for r in recodes),
        marginal_tvd=tuple((v, marginal_tvd(baseline[v], cols[v], w)) for v in keys),
        estimates=estimate_changes(
            baseline, cols, w, utility_indicators(profile, q), profile.utility.by or keys
        ),
        weight_linkage=weights.linkage,
        weight_linkage_original=weights.linkage_original,
        weights=weights.treatment,
        weight_estimates=weights.estimates,
        dropped=tuple((d.column, d.reason) for d in plan.dropped),
        notices=tuple(notices),
        protected=protected_variables(q, profile, keys + extra),
        combinations=combos,
    )

    data: dict[str, object] = {ID_COLUMN: ids}
    for c in plan.kept:
        data[c] = cols[c] if c in cols else frame[c].to_numpy(copy=True)
    out = pd.DataFrame(data).sort_values(ID_COLUMN, kind="stable").reset_index(drop=True)
    log = tuple(SuppressedValue(int(ids[r]), v, x, lk) for r, v, x, lk in cells)
    return ReleaseResult(
        out,
        plan,
        report,
        recodes,
        tuple(prams),
        log,
        tuple(rec.labels.items()),
        profile.suppressed_code,
        profile.suppressed_label,
        profile,
    )
