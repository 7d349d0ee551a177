"""The sampling design as plain typed data: weights, strata, PSUs, finite population correction and
the calibration (raking) that produced the weights.

A :class:`Design` holds integer codes and numpy arrays only (no pandas): the pandas edge lives in
:mod:`pipeline.estimation.api`. Build one with :func:`make_design`, which factorises arbitrary labels,
checks everything and reports every problem at once.

Conventions (as R's ``survey`` package, ``svydesign(..., nest=TRUE)``):

- PSUs are nested in strata: the same PSU label in two strata is two PSUs.
- Without ``psu`` every row is its own PSU; without ``strata`` there is one stratum.
- ``fpc`` per row: either the population number of PSUs of the row's stratum (> 1) or the sampling
  fraction (0 < f <= 1); it must be constant within a stratum. Only the first stage is used
  ("ultimate cluster" variance), as R does without multistage ``fpc``.
- ``lonely_psu`` says what a stratum with a single PSU contributes (R's ``survey.lonely.psu``):
  ``fail`` (error, R's default), ``certainty`` / ``remove`` (nothing), ``adjust`` (its PSU total
  squared, centred at zero).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from pipeline.errors import EstimationError, Problem, one_of
from pipeline.rundata.columns import BASE_WEIGHT, WEIGHT
from pipeline.rundata.weights import weight_problems

LonelyPsu = Literal["fail", "certainty", "remove", "adjust"]
LONELY_PSU_OPTIONS: tuple[str, ...] = ("fail", "certainty", "remove", "adjust")


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Calibration:
    """How the final weights were calibrated (raked) from base weights.

    ``codes[k]``: level index (0..``n_levels[k]``-1) of every row in margin group k; a joint margin
    (e.g. sex x age band) is one group whose code is the combined cell. ``base_weights``: the weights
    before raking (>= 0). ``targets[k]``: population totals per level (used to re-rake
    bootstrap replicates); ``None`` means "the totals of the final weights", which a converged
    raking reproduces exactly.
    """

    codes: tuple[np.ndarray, ...]
    n_levels: tuple[int, ...]
    base_weights: np.ndarray
    names: tuple[str, ...] = ()
    targets: tuple[np.ndarray, ...] | None = None

    def group_name(self, k: int) -> str:
        return self.names[k] if k < len(self.names) else f"margin {k}"


@dataclass(frozen=True, eq=False)
class Design:
    """A checked design. Arrays are read-only; use :func:`make_design` to build one.

    ``strata``/``psu``: codes 0..H-1 / 0..U-1 (PSU codes are global, nested in strata).
    ``psu_is_row``: True when every row is its own PSU (the fast common case).
    ``sampling_fraction[h]``: n_h / N_h of stratum h (0 without fpc).
    """

    weights: np.ndarray
    strata: np.ndarray
    psu: np.ndarray
    psu_is_row: bool
    n_strata: int
    n_psu: int
    sampling_fraction: np.ndarray
    calibration: Calibration | None = None
    lonely_psu: LonelyPsu = "fail"
    strata_labels: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return int(self.weights.shape[0])

    @property
    def psu_stratum(self) -> np.ndarray:
        """Stratum code of every PSU."""
        out = np.zeros(self.n_psu, dtype=np.intp)
        out[self.psu] = self.strata
        return out

    @property
    def psu_per_stratum(self) -> np.ndarray:
        return np.bincount(self.psu_stratum, minlength=self.n_strata)

    def degf(self) -> int:
        """Design degrees of freedom: PSUs minus strata (R's ``degf``), over rows with weight > 0."""
        keep = self.weights > 0
        return int(np.unique(self.psu[keep]).size - np.unique(self.strata[keep]).size)

    def with_weights(self, weights: np.ndarray) -> Design:
        """The same design with other final weights (no calibration: used for replicates)."""
        w = _readonly(np.asarray(weights, dtype=np.float64).copy())
        return Design(
            w,
            self.strata,
            self.psu,
            self.psu_is_row,
            self.n_strata,
            self.n_psu,
            self.sampling_fraction,
            None,
            self.lonely_psu,
            self.strata_labels,
        )


def _codes(
    values: object, n: int, what: str, problems: list[Problem]
) -> tuple[np.ndarray, np.ndarray] | None:
    """Factorise labels into codes 0..K-1 (sorted labels). Missing labels are a problem."""
    arr = np.asarray(values)
    if arr.shape != (n,):
        problems.append(
            Problem(
                f"{what} must have one value per row",
                column=what,
                value=arr.shape,
                expected=f"shape ({n},)",
            )
        )
        return None
    if arr.dtype.kind == "f":
        bad = np.flatnonzero(~np.isfinite(arr))
    elif arr.dtype.kind == "O":
        bad = np.flatnonzero(
            np.array([v is None or (isinstance(v, float) and v != v) for v in arr])
        )
    else:
        bad = np.empty(0, dtype=np.intp)
    if bad.size:
        problems.append(
            Problem(
                f"{bad.size} row(s) have no {what}",
                column=what,
                row=int(bad[0]),
                expected="a value in every row",
                hint=f"fill in the {what} or drop those rows",
            )
        )
        return None
    if arr.dtype.kind == "O":
        arr = arr.astype(str)
    labels, inv = np.unique(arr, return_inverse=True)
    return labels, inv.astype(np.intp)


def make_design(
    weights: Sequence[float] | np.ndarray,
    *,
    strata: Sequence[object] | np.ndarray | None = None,
    psu: Sequence[object] | np.ndarray | None = None,
    fpc: Sequence[float] | np.ndarray | None = None,
    calibration: Calibration | None = None,
    lonely_psu: str = "fail",
) -> Design:
    """Check and encode a design. Raises :class:`EstimationError` listing every problem found."""
    problems: list[Problem] = []
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or w.shape[0] == 0:
        raise EstimationError("weights must be a non-empty 1-D array", code="bad_design")
    n = w.shape[0]
    problems.extend(weight_problems(w, column=WEIGHT))
    if lonely_psu not in LONELY_PSU_OPTIONS:
        problems.append(
            Problem(one_of(lonely_psu, LONELY_PSU_OPTIONS), path="lonely_psu", code="bad_option")
        )

    s_codes = np.zeros(n, dtype=np.intp)
    s_labels: tuple[str, ...] = ("all",)
    if strata is not None:
        got = _codes(strata, n, "strata", problems)
        if got is not None:
            s_labels = tuple(str(x) for x in got[0])
            s_codes = got[1]
    H = len(s_labels)

    psu_is_row = psu is None
    p_codes = np.arange(n, dtype=np.intp)
    if psu is not None:
        got = _codes(psu, n, "psu", problems)
        if got is not None:
            key = s_codes.astype(np.int64) * (len(got[0]) + 1) + got[1]
            _, inv = np.unique(key, return_inverse=True)
            p_codes = inv.astype(np.intp)
            psu_is_row = bool(p_codes.max() + 1 == n)
            if psu_is_row:
                p_codes = np.arange(n, dtype=np.intp)
    U = int(p_codes.max()) + 1 if n else 0
    psu_stratum = np.zeros(U, dtype=np.intp)
    psu_stratum[p_codes] = s_codes
    n_h = np.bincount(psu_stratum, minlength=H)

    frac = np.zeros(H)
    if fpc is not None:
        f = np.asarray(fpc, dtype=np.float64)
        if f.shape != (n,):
            problems.append(Problem("fpc must have one value per row", column="fpc", value=f.shape))
        elif not np.all(np.isfinite(f)) or np.any(f <= 0):
            r = int(np.flatnonzero(~np.isfinite(f) | (f <= 0))[0])
            problems.append(
                Problem(
                    "invalid fpc",
                    row=r,
                    column="fpc",
                    value=float(f[r]),
                    expected="a population size > 1 or a sampling fraction in (0, 1]",
                )
            )
        else:
            lo = np.full(H, np.inf)
            hi = np.full(H, -np.inf)
            np.minimum.at(lo, s_codes, f)
            np.maximum.at(hi, s_codes, f)
            for h in np.flatnonzero(hi - lo > 1e-9 * np.maximum(1.0, np.abs(hi))):
                problems.append(
                    Problem(
                        "fpc differs within a stratum",
                        column="fpc",
                        path=f"stratum {s_labels[h]}",
                        value=(float(lo[h]), float(hi[h])),
                        expected="one value per stratum",
                    )
                )
            is_frac = hi <= 1.0
            if is_frac.any() and not is_frac.all():
                problems.append(
                    Problem(
                        "fpc mixes sampling fractions (<= 1) and population sizes (> 1)",
                        column="fpc",
                        hint="give population sizes in every stratum",
                    )
                )
            pop = np.where(is_frac, n_h / np.where(hi > 0, hi, 1.0), hi)
            for h in np.flatnonzero(pop < n_h - 1e-9):
                problems.append(
                    Problem(
                        "population size below the number of sampled PSUs",
                        column="fpc",
                        path=f"stratum {s_labels[h]}",
                        value=float(pop[h]),
                        expected=f">= {int(n_h[h])}",
                    )
                )
            frac = np.clip(n_h / pop, 0.0, 1.0)

    if calibration is not None:
        problems.extend(_check_calibration(calibration, n))

    if lonely_psu == "fail":
        lonely = np.flatnonzero(n_h == 1)
        if lonely.size:
            problems.append(
                Problem(
                    f"{lonely.size} stratum/strata with a single PSU",
                    column="strata",
                    value=[s_labels[h] for h in lonely[:5]],
                    expected="at least 2 PSUs per stratum",
                    hint="merge the stratum with a neighbour, or choose lonely_psu certainty/remove/adjust",
                    code="lonely_psu",
                )
            )
    if problems:
        raise EstimationError("invalid survey design", problems=tuple(problems), code="bad_design")
    return Design(
        weights=_readonly(w.copy()),
        strata=_readonly(s_codes),
        psu=_readonly(p_codes),
        psu_is_row=psu_is_row,
        n_strata=H,
        n_psu=U,
        sampling_fraction=_readonly(frac),
        calibration=calibration,
        lonely_psu=lonely_psu,  # type: ignore[arg-type]
        strata_labels=s_labels,
    )


def _check_calibration(cal: Calibration, n: int) -> list[Problem]:
    problems: list[Problem] = []
    if len(cal.codes) == 0 or len(cal.codes) != len(cal.n_levels):
        return [
            Problem(
                "calibration needs one code array and one level count per margin group",
                path="calibration",
                value=(len(cal.codes), len(cal.n_levels)),
            )
        ]
    for k, (c, L) in enumerate(zip(cal.codes, cal.n_levels, strict=True)):
        c = np.asarray(c)
        if c.shape != (n,) or c.dtype.kind not in "iu":
            problems.append(
                Problem(
                    "codes must be integers, one per row",
                    path=cal.group_name(k),
                    value=(c.shape, str(c.dtype)),
                )
            )
        elif c.size and (c.min() < 0 or c.max() >= L):
            problems.append(
                Problem(
                    "level codes out of range",
                    path=cal.group_name(k),
                    value=(int(c.min()), int(c.max())),
                    expected=f"0..{L - 1}",
                )
            )
    b = np.asarray(cal.base_weights, dtype=np.float64)
    if b.shape != (n,):
        problems.append(
            Problem("base weights must have one value per row", path="base_weights", value=b.shape)
        )
    else:
        problems.extend(weight_problems(b, column=BASE_WEIGHT))
    if cal.targets is not None:
        if len(cal.targets) != len(cal.codes):
            problems.append(
                Problem("one target array per margin group", path="calibration.targets")
            )
        else:
            for k, (t, L) in enumerate(zip(cal.targets, cal.n_levels, strict=True)):
                if np.asarray(t).shape != (L,):
                    problems.append(
                        Problem(
                            "targets must have one total per level",
                            path=cal.group_name(k),
                            value=np.asarray(t).shape,
                            expected=f"({L},)",
                        )
                    )
    return problems


def make_calibration(
    codes: Sequence[np.ndarray],
    base_weights: np.ndarray,
    *,
    n_levels: Sequence[int] | None = None,
    names: Sequence[str] = (),
    targets: Sequence[np.ndarray] | None = None,
) -> Calibration:
    """Convenience builder: integer codes per margin group (a joint margin = one combined code)."""
    cs = tuple(_readonly(np.asarray(c, dtype=np.intp).copy()) for c in codes)
    nl = (
        tuple(int(x) for x in n_levels)
        if n_levels is not None
        else tuple(int(c.max()) + 1 if c.size else 0 for c in cs)
    )
    ts = (
        tuple(_readonly(np.asarray(t, dtype=np.float64).copy()) for t in targets)
        if targets is not None
        else None
    )
    return Calibration(
        codes=cs,
        n_levels=nl,
        base_weights=_readonly(np.asarray(base_weights, dtype=np.float64).copy()),
        names=tuple(names),
        targets=ts,
    )
