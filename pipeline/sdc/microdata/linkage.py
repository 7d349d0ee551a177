"""Weight linkage: can a protected value be read back from the weight?

Raked weights are ``w = b * prod_v f_v[x_v]``: one factor per level of each weighting variable, so
the weight is a function of the record's *true* weighting cell. A value the release hides (a
suppressed value, or a value PRAM changed) of a weighting variable can then be read back from the
weight. Two attacks are measured, both with the released file only (numpy, no pandas):

- **same weight**: records with the same weight share their weighting cell; for a protected cell
  the intruder takes the most common released value of that variable among the *other* records
  with the same weight (ties: the smallest code);
- **raking model**: the intruder fits ``log w`` on the released levels of the weighting variables
  (least squares on the records where all of them are known; records whose values do not fit, e.g.
  PRAM-changed ones, are trimmed away), then tries every combination of levels for the record's
  hidden values (PRAM variables count as hidden, since the intruder does not know which records
  PRAM changed); exactly one combination that fits reveals them. If the weights do not follow a
  raking model on the released variables (``model_fits`` False) this attack finds nothing, so the
  figure is a lower bound.

A weighting variable the release does not contain at all is *unreleased*: each of its values
counts as a protected cell (``unreleased_cells``). The attacks above read values back from released
ones, so they find none of these, but raked weights still encode them (records that share their
released values and differ in the unreleased variable have different weights): the release must
either contain every weighting variable or recalibrate the weights (:func:`pipeline.sdc.microdata.api.anonymise`
refuses original weights otherwise), and then the weight is a function of the released values.

A protected cell is *recoverable* if either attack gives its original value. Only weighting
variables are measured: for other key variables the weight says no more than the released
weighting variables already do. ``function_of_release`` says whether the weight is constant within
the groups of records that share their released weighting values: then the weight tells nothing
about a record that its released values do not, an attack that still hits has guessed from the
released values (which k-anonymity governs), and ``recoverable_cells`` is 0 (the attacks' hits are
still given).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np

from pipeline.sdc.microdata.recode import substantive

LOG_DECIMALS = 9  # weights equal to 1e-9 (relative) count as the same weight
FIT_TOL = 1e-6  # |log w - fitted| below this: the model fits the record
IRLS_STEPS = 60
MAX_COMBINATIONS = 200_000  # candidate level combinations tried per hidden pattern


@dataclass(frozen=True)
class WeightLinkage:
    """How many protected values of the weighting variables the weight gives back."""

    weights: str  # "original" or the weight method of the release ("released_margins")
    variables: tuple[str, ...]  # weighting variables in the release (the ones measured)
    distinct_weights: int
    records_with_unique_weight: int
    suppressed_cells: int  # suppressed values of weighting variables (linked variables included)
    perturbed_cells: int  # values of weighting variables that PRAM changed
    same_weight_recoverable: int
    model_recoverable: int
    recoverable_cells: (
        int  # recoverable by either attack; 0 if the weight is a function of the released values
    )
    model_fits: (
        bool  # log w is additive in the released weighting variables (the model attack applies)
    )
    function_of_release: (
        bool  # the weight is constant within groups of equal released weighting values
    )
    unreleased: tuple[str, ...] = ()  # weighting variables the release does not contain
    unreleased_cells: int = 0  # their values: every one hidden

    @property
    def protected_cells(self) -> int:
        return self.suppressed_cells + self.perturbed_cells + self.unreleased_cells

    @property
    def recoverable_share(self) -> float:
        return self.recoverable_cells / self.protected_cells if self.protected_cells else 0.0


Cell = tuple[int, str, float]  # (row, variable, original value)


def _groups(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense group ids of the distinct values (1-d) or rows (2-d) of ``x``, and the group sizes."""
    _, inv, counts = np.unique(x, axis=0, return_inverse=True, return_counts=True)
    return inv.reshape(-1), counts


def _same_weight(
    group: np.ndarray,
    released: Mapping[str, np.ndarray],
    variables: Sequence[str],
    cells: Sequence[Cell],
) -> set[tuple[int, str]]:
    """Cells whose original value is the most common released value among the other records with
    the same weight that agree with the record on every other weighting variable known in both (if
    they do not agree, the weight is not one per weighting cell and says nothing)."""
    out: set[tuple[int, str]] = set()
    mat = np.column_stack([np.asarray(released[v], dtype=np.float64) for v in variables])
    known = substantive(mat)
    order = np.argsort(group, kind="stable")
    starts = (
        np.searchsorted(group[order], np.arange(int(group.max()) + 2))
        if group.size
        else np.zeros(1, dtype=int)
    )
    for row, var, value in cells:
        g = int(group[row])
        members = order[starts[g] : starts[g + 1]]
        members = members[members != row]
        j = variables.index(var)
        other = [c for c in range(len(variables)) if c != j]
        both = known[members][:, other] & known[row, other]
        agree = np.all(~both | (mat[members][:, other] == mat[row, other]), axis=1)
        vals = mat[members[agree & known[members, j]], j]
        if vals.shape[0] == 0:
            continue
        codes, counts = np.unique(vals, return_counts=True)
        if codes[int(np.argmax(counts))] == value:  # first maximum: the smallest code
            out.add((row, var))
    return out


def _levels(released: Mapping[str, np.ndarray], variables: Sequence[str]) -> list[np.ndarray]:
    return [
        np.unique(
            np.asarray(released[v], dtype=np.float64)[
                substantive(np.asarray(released[v], dtype=np.float64))
            ]
        )
        for v in variables
    ]


def _design(
    released: Mapping[str, np.ndarray],
    variables: Sequence[str],
    levels: list[np.ndarray],
    rows: np.ndarray,
) -> np.ndarray:
    blocks = []
    for v, lv in zip(variables, levels, strict=True):
        x = np.asarray(released[v], dtype=np.float64)[rows]
        blocks.append((x[:, None] == lv[None, :]).astype(np.float64))
    return np.hstack(blocks) if blocks else np.zeros((rows.shape[0], 0))


def _fit(y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, bool]:
    """Least absolute deviations (iteratively reweighted least squares), robust to a minority of
    records that do not fit (PRAM-changed ones), then least squares on the records that fit exactly.
    Returns the coefficients and whether at least half of the rows fit exactly."""
    coef = np.linalg.lstsq(X, y, rcond=None)[0]
    for _ in range(IRLS_STEPS):
        r = np.abs(y - X @ coef)
        if np.median(r) < FIT_TOL * 1e-3:
            break
        sw = 1.0 / np.sqrt(np.maximum(r, FIT_TOL * 1e-3))
        coef = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)[0]
    exact = np.abs(y - X @ coef) < FIT_TOL
    if exact.sum() * 2 < y.shape[0]:
        return coef, False
    coef = np.linalg.lstsq(X[exact], y[exact], rcond=None)[0]
    return coef, bool(np.all(np.abs(y[exact] - X[exact] @ coef) < FIT_TOL))


def _model(
    y: np.ndarray,
    released: Mapping[str, np.ndarray],
    variables: Sequence[str],
    cells: Sequence[Cell],
    hidden_always: Sequence[str],
) -> tuple[set[tuple[int, str]], bool]:
    levels = _levels(released, variables)
    if not variables or any(lv.shape[0] == 0 for lv in levels):
        return set(), False
    known = np.column_stack(
        [substantive(np.asarray(released[v], dtype=np.float64)) for v in variables]
    )
    complete = np.flatnonzero(known.all(axis=1))
    if complete.shape[0] == 0:
        return set(), False
    coef, fits = _fit(y[complete], _design(released, variables, levels, complete))
    if not fits:
        return set(), False
    offsets = np.cumsum([0] + [lv.shape[0] for lv in levels])
    blocks = [coef[offsets[j] : offsets[j + 1]] for j in range(len(variables))]
    targets: dict[int, list[tuple[str, float]]] = {}
    for row, var, value in cells:
        targets.setdefault(row, []).append((var, value))
    always = [variables.index(v) for v in hidden_always if v in variables]
    found: set[tuple[int, str]] = set()
    for row, wanted in targets.items():
        hidden = sorted(set(np.flatnonzero(~known[row]).tolist()) | set(always))
        sizes = [levels[j].shape[0] for j in hidden]
        if int(np.prod(sizes)) > MAX_COMBINATIONS or min(sizes, default=0) < 2:
            continue  # too many combinations, or a hidden variable with one level (a guess, not a fit)
        base = sum(
            blocks[j][int(np.searchsorted(levels[j], released[variables[j]][row]))]
            for j in range(len(variables))
            if j not in hidden
        )
        combos = np.array(list(product(*[range(s) for s in sizes])), dtype=np.int64).reshape(
            -1, len(hidden)
        )
        fitted = base + sum(blocks[j][combos[:, c]] for c, j in enumerate(hidden))
        ok = np.flatnonzero(np.abs(y[row] - fitted) < FIT_TOL)
        if ok.shape[0] != 1:
            continue
        combo = combos[ok[0]]
        for var, value in wanted:
            j = variables.index(var)
            if j in hidden and levels[j][combo[hidden.index(j)]] == value:
                found.add((row, var))
    return found, True


def function_of_release(
    weights: np.ndarray, released: Mapping[str, np.ndarray], variables: Sequence[str]
) -> bool:
    """True if records with equal released values of ``variables`` always have equal weights."""
    w = np.asarray(weights, dtype=np.float64)
    if w.shape[0] == 0:
        return True
    if not variables:
        return bool(np.all(w == w[0]))
    mat = np.column_stack(
        [np.nan_to_num(np.asarray(released[v], dtype=np.float64), nan=-1e18) for v in variables]
    )
    group, _ = _groups(mat)
    lo = np.full(int(group.max()) + 1, np.inf)
    hi = np.full(int(group.max()) + 1, -np.inf)
    np.minimum.at(lo, group, w)
    np.maximum.at(hi, group, w)
    return bool(np.all(hi - lo <= 1e-12 * np.abs(hi)))


def weight_linkage(
    weights: np.ndarray,
    released: Mapping[str, np.ndarray],
    variables: Sequence[str],
    *,
    suppressed: Sequence[Cell],
    perturbed: Sequence[Cell],
    pram_variables: Sequence[str] = (),
    unreleased: Sequence[tuple[str, int]] = (),
    label: str = "original",
) -> WeightLinkage:
    """Measure both attacks (see the module docstring) on the protected cells of ``variables``.

    ``released``: the released columns (at least ``variables``); ``suppressed``/``perturbed``:
    (row, variable, original value) of suppressed and PRAM-changed values; cells of other variables
    are ignored. ``unreleased``: (variable, number of values) of the weighting variables the release
    does not contain (all their values are protected)."""
    w = np.asarray(weights, dtype=np.float64)
    variables = tuple(v for v in variables if v in released)
    sup = [c for c in suppressed if c[1] in variables]
    per = [c for c in perturbed if c[1] in variables]
    cells = sup + per
    y = np.log(w)
    group, counts = _groups(np.round(y, LOG_DECIMALS))
    same = _same_weight(group, released, variables, cells) if cells else set()
    model, fits = _model(y, released, variables, cells, pram_variables)
    as_released = function_of_release(w, released, variables)
    return WeightLinkage(
        weights=label,
        variables=variables,
        distinct_weights=int(counts.shape[0]),
        records_with_unique_weight=int(np.sum(counts == 1)),
        suppressed_cells=len(sup),
        perturbed_cells=len(per),
        same_weight_recoverable=len(same),
        model_recoverable=len(model),
        recoverable_cells=0 if as_released else len(same | model),
        model_fits=fits,
        function_of_release=as_released,
        unreleased=tuple(v for v, _n in unreleased),
        unreleased_cells=sum(n for _v, n in unreleased),
    )
