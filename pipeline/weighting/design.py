"""Design weights for stratified samples and a cell-based nonresponse adjustment.

Stratified simple random sampling without replacement (the Enterprise Survey: strata sector group x
size class): ``d_h = N_h / n_h`` with ``n_h`` the units *selected* in stratum h; the finite
population correction ``1 - n_h / N_h`` is returned for the variance engine. Nonresponse: within each
adjustment cell the respondents' weights are multiplied by ``sum(selected) / sum(respondents)``, so the
respondents carry the weight of the whole selected sample; nonrespondents get 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.errors import Problem, WeightingError
from pipeline.weighting.raking import _readonly


@dataclass(frozen=True, eq=False)
class DesignWeights:
    weights: np.ndarray  # d_h for each row
    population: np.ndarray  # N_h per stratum
    sample: np.ndarray  # n_h per stratum
    fpc: np.ndarray  # 1 - n_h/N_h per stratum
    sampling_fraction_row: np.ndarray  # n_h/N_h for each row (R survey's fpc= as a fraction)
    labels: tuple[str, ...]


def design_weights(
    strata: np.ndarray, population_sizes: Sequence[float], *, labels: Sequence[str] | None = None
) -> DesignWeights:
    """``strata``: int codes 0..H-1 per selected row; ``population_sizes``: N_h (length H)."""
    s = np.asarray(strata)
    N = np.asarray(population_sizes, dtype=np.float64)
    H = N.shape[0]
    names = tuple(labels) if labels is not None else tuple(str(h) for h in range(H))
    if s.size == 0 or s.min() < 0 or s.max() >= H:
        raise WeightingError("stratum codes out of range", code="invalid_design_input")
    n = np.bincount(s, minlength=H).astype(np.float64)
    problems = []
    for h in range(H):
        if N[h] > 0 and n[h] == 0:
            problems.append(
                Problem(
                    "empty stratum: population units but none selected",
                    path=f"stratum={names[h]}",
                    value=0,
                    expected=f"a sample from {N[h]:g} units",
                    code="empty_cell",
                )
            )
        if n[h] > N[h]:
            problems.append(
                Problem(
                    "more units selected than the stratum has",
                    path=f"stratum={names[h]}",
                    value=int(n[h]),
                    expected=f"at most N_h = {N[h]:g}",
                    code="sample_exceeds_population",
                )
            )
    if problems:
        raise WeightingError(
            "cannot compute design weights",
            problems=tuple(problems),
            code=problems[0].code or "invalid_design_input",
        )
    d = np.divide(N, n, out=np.zeros(H), where=n > 0)
    f = np.divide(n, N, out=np.zeros(H), where=N > 0)
    return DesignWeights(
        weights=_readonly(d[s]),
        population=_readonly(N),
        sample=_readonly(n),
        fpc=_readonly(1 - f),
        sampling_fraction_row=_readonly(f[s]),
        labels=names,
    )


@dataclass(frozen=True, eq=False)
class NonresponseResult:
    weights: np.ndarray  # adjusted weights (0 for nonrespondents)
    factors: np.ndarray  # adjustment factor per cell
    response_rates: np.ndarray  # weighted response rate per cell


def nonresponse_adjust(
    weights: np.ndarray,
    responded: np.ndarray,
    cells: np.ndarray,
    *,
    labels: Sequence[str] | None = None,
) -> NonresponseResult:
    """Weighting-class nonresponse adjustment; a cell without respondents is an error (collapse it)."""
    w = np.asarray(weights, dtype=np.float64)
    r = np.asarray(responded, dtype=bool)
    c = np.asarray(cells)
    C = int(c.max()) + 1 if c.size else 0
    if labels is not None:
        C = max(C, len(labels))
    tot = np.bincount(c, weights=w, minlength=C)
    resp = np.bincount(c, weights=np.where(r, w, 0.0), minlength=C)
    empty = np.flatnonzero((tot > 0) & (resp <= 0))
    if empty.size:
        names = labels or [str(i) for i in range(C)]
        raise WeightingError(
            "nonresponse cells without respondents",
            problems=tuple(
                Problem(
                    "no respondents in this adjustment cell",
                    path=f"cell={names[int(j)]}",
                    value=0,
                    hint="collapse it with a neighbouring cell",
                    code="empty_cell",
                )
                for j in empty
            ),
            code="empty_cell",
        )
    factors = np.divide(tot, resp, out=np.ones(C), where=resp > 0)
    rates = np.divide(resp, tot, out=np.zeros(C), where=tot > 0)
    adjusted = np.where(r, w * factors[c], 0.0)
    return NonresponseResult(
        weights=_readonly(adjusted), factors=_readonly(factors), response_rates=_readonly(rates)
    )


@dataclass(frozen=True, eq=False)
class StratifiedBase:
    """Base weights of a stratified sample of respondents: ``d_h = N_h / n_h`` with ``N_h`` the
    population total of stratum h (the margin crossing exactly the strata variables) and ``n_h`` its
    respondents; ``population`` is N_h per row (R ``svydesign(strata=, fpc=)``), ``stratum`` the
    stratum's codes joined by ``*`` (strata variables in the declared order). Without such a margin
    ``weights`` and ``population`` are None (strata without fpc, base weight 1)."""

    stratum: tuple[str, ...]
    weights: np.ndarray | None
    population: np.ndarray | None


def stratified_base(df: object, strata: Sequence[str], margins: object) -> StratifiedBase:
    """See :class:`StratifiedBase`. ``df``: a pandas frame with the strata columns; ``margins``: a
    :class:`pipeline.weighting.margins.Margins`."""
    from pipeline.rundata.levels import level_text
    from pipeline.weighting.margins import Margins

    assert isinstance(margins, Margins)
    frame = df  # a pandas DataFrame (kept loose: this module loads numpy only)
    missing = [v for v in strata if v not in frame.columns]  # type: ignore[attr-defined]
    if missing:
        raise WeightingError(
            "strata variables are not in the data",
            problems=tuple(
                Problem("no such column", column=v, code="missing_column") for v in missing
            ),
            code="missing_column",
        )

    def text(v: object) -> str:
        return "" if v is None or (isinstance(v, float) and v != v) else level_text(v)

    cols = {v: [text(x) for x in frame[v].tolist()] for v in strata}  # type: ignore[index]
    n = len(next(iter(cols.values()))) if cols else 0
    stratum = tuple("*".join(cols[v][i] for v in strata) for i in range(n))
    match = [m for m in margins.margins if set(m.variables) == set(strata)]
    if not match:
        return StratifiedBase(stratum, None, None)
    m = match[0]
    total = {
        "*".join(lv[m.variables.index(v)] for v in strata): t
        for lv, t in zip(m.levels, m.totals, strict=True)
    }
    counts: dict[str, int] = {}
    for s in stratum:
        counts[s] = counts.get(s, 0) + 1
    unknown = sorted(s for s in counts if s not in total)
    if unknown:
        raise WeightingError(
            f"{len(unknown)} stratum/strata of the data are not in margin {m.name}",
            problems=tuple(
                Problem(
                    "stratum without a population total",
                    path=f"{'*'.join(strata)}={s}",
                    expected=", ".join(sorted(total)[:10]),
                    code="level_not_in_margins",
                )
                for s in unknown[:5]
            ),
            code="level_not_in_margins",
        )
    N = np.array([total[s] for s in stratum], dtype=np.float64)
    nh = np.array([counts[s] for s in stratum], dtype=np.float64)
    return StratifiedBase(stratum, _readonly(N / nh), _readonly(N))
