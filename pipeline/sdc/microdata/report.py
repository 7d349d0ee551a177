"""The release's risk report: risk before and after, what was suppressed or perturbed, and the
information loss (change in key estimates), as a frozen result, plain JSON-able data and an HTML
fragment (``reports/release_risk.html.j2``).

Information loss compares the *recoded* data (after the global recodes, before PRAM and
suppression) with the released data, so it isolates what the perturbation did: weighted shares of
0/1 indicators (e.g. ``werkbaar_werk``) per level of each ``by`` variable (suppressed or missing
``by`` values leave the domain), and the total variation distance of each key variable's weighted
distribution over its substantive categories. If the release recalibrated the weights
(:mod:`pipeline.sdc.microdata.weights`), a second table compares the released data weighted with the original
and with the released weights; the weight linkage (:mod:`pipeline.sdc.microdata.linkage`) is given for the
released weights and, if recalibrated, for the original ones.

Two versions: :meth:`ReleaseReport.to_dict` is the full, internal report (it is CONFIDENTIAL: it
holds per-level counts and shares before disclosure control); :meth:`ReleaseReport.external_dict`
and :func:`render_html` are what goes out with a release. The external version never gives a
per-level before/after figure (count, share or difference) of a *protected* variable (a key
variable, a variable linked to or derived from one, a PRAM variable, a weighting variable: see
``ReleaseReport.protected``), nor of a protected indicator: next to the released file's own counts it
would give the distribution of the suppressed or perturbed values back (a level whose count drops by
4 holds the 4 suppressed values). It keeps the summary figures, rounded so that they cannot be
matched against candidate values either (``TVD_DECIMALS``, ``DIFF_DECIMALS``), the per-level figures
of other domains (those with at least ``min_n`` respondents) and the notices without their details.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from pipeline.errors import Notice
from pipeline.sdc.microdata.linkage import WeightLinkage
from pipeline.sdc.microdata.recode import substantive
from pipeline.sdc.microdata.risk import RiskSummary
from pipeline.sdc.microdata.weights import WeightTreatment

KIND = "wbm-release-risk-report"
SCHEMA_VERSION = 1
# Precision of the summary figures handed out. A total variation distance at full precision can be
# matched against every assignment of levels to the suppressed values (on the demo it narrows 125
# candidate assignments of 3 suppressed age bands to 6); at 0.1 percentage point it no longer singles
# out one.
TVD_DECIMALS = 3
DIFF_DECIMALS = 4  # largest/mean change of a share: 0.01 percentage point


@dataclass(frozen=True)
class EstimateChange:
    indicator: str
    by: str  # "" for the overall share
    level: str  # code as text ("3"); "" overall
    n_before: int
    n_after: int
    p_before: float  # NaN when the domain is empty
    p_after: float
    diff: float  # p_after - p_before


@dataclass(frozen=True)
class CombinationRisk:
    """Attacker combinations (:mod:`pipeline.sdc.microdata.suda`): records with fewer than k
    compatible records on some combination of at most ``max_size`` of ``variables``, on the recoded
    values (before) and in the released file (after; must be 0)."""

    variables: tuple[str, ...]
    max_size: int
    combinations: int  # combinations searched
    records_before: int
    by_size_before: tuple[tuple[int, int], ...]  # (size of the smallest risky combination, records)
    uniques_before: int  # records with a minimal sample unique (fewer than 2 compatible records)
    fixed: int  # combinations that needed suppression
    cells: int  # values suppressed on them
    records_after: int
    uniques_after: int


@dataclass(frozen=True)
class ReleaseReport:
    profile: str
    use: str
    k: int
    max_risk: float | None
    keys: tuple[str, ...]  # importance order: most important (suppressed last) first
    n: int
    stages: tuple[RiskSummary, ...]  # original, recoded, released
    suppressed: tuple[tuple[str, int], ...]  # key variable -> suppressed cells
    linked_suppressed: tuple[
        tuple[str, int], ...
    ]  # linked variable -> cells inheriting a suppression
    records_suppressed: int  # records with at least one suppressed value
    pram: tuple[tuple[str, int, float], ...]  # (variable, changed values, retention)
    recodes: tuple[tuple[str, str, int], ...]  # (variable, kind, changed values)
    marginal_tvd: tuple[tuple[str, float], ...]  # key variable -> total variation distance
    estimates: tuple[EstimateChange, ...]
    weight_linkage: WeightLinkage | None  # of the weights as released
    dropped: tuple[tuple[str, str], ...]  # (column, reason)
    notices: tuple[Notice, ...]
    protected: tuple[
        str, ...
    ]  # variables whose per-level before/after figures are never handed out
    weight_linkage_original: WeightLinkage | None = (
        None  # of the original weights, if the release recalibrated them
    )
    weights: WeightTreatment | None = None
    weight_estimates: tuple[EstimateChange, ...] = ()  # released data: original vs released weights
    combinations: CombinationRisk | None = None  # attacker combinations beyond the key set

    def stage(self, name: str) -> RiskSummary:
        for s in self.stages:
            if s.stage == name:
                return s
        raise KeyError(name)

    @property
    def suppressed_total(self) -> int:
        return sum(n for _, n in self.suppressed)

    @property
    def max_abs_diff(self) -> float:
        diffs = [abs(e.diff) for e in self.estimates if not np.isnan(e.diff)]
        return max(diffs, default=0.0)

    @property
    def mean_abs_diff(self) -> float:
        diffs = [abs(e.diff) for e in self.estimates if not np.isnan(e.diff)]
        return float(np.mean(diffs)) if diffs else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The full report as plain JSON-able data. CONFIDENTIAL: per-level counts and shares before
        disclosure control give suppressed values back; never write it into a release (that is
        :meth:`external_dict`)."""
        return self._as_dict(external=False, min_n=0)

    def external_dict(self, *, min_n: int) -> dict[str, Any]:
        """The version handed out with a release (see the module docstring): no per-level figure of
        a protected variable or indicator, other domains only with at least ``min_n`` respondents
        before and after, summary figures rounded, notices without details."""
        return self._as_dict(external=True, min_n=min_n)

    def _as_dict(self, *, external: bool, min_n: int) -> dict[str, Any]:
        protected = set(self.protected) if external else set()

        def num(x: float | None) -> float | None:
            return None if x is None or (isinstance(x, float) and np.isnan(x)) else x

        def rnd(x: float, decimals: int) -> float:
            return round(x, decimals) if external else x

        def shown(e: EstimateChange) -> bool:
            if e.indicator in protected or e.by in protected:
                return False
            return e.by == "" or min(e.n_before, e.n_after) >= min_n

        def rows(changes: Sequence[EstimateChange]) -> list[dict[str, Any]]:
            return [
                {
                    **asdict(e),
                    "p_before": num(e.p_before),
                    "p_after": num(e.p_after),
                    "diff": num(e.diff),
                }
                for e in changes
                if shown(e)
            ]

        def diffs(changes: Sequence[EstimateChange]) -> tuple[float, float]:
            d = [abs(e.diff) for e in changes if not np.isnan(e.diff)]
            return (max(d), float(np.mean(d))) if d else (0.0, 0.0)

        linkage = self.weight_linkage
        w_max, w_mean = diffs(self.weight_estimates)
        return {
            "kind": KIND,
            "schema_version": SCHEMA_VERSION,
            "profile": self.profile,
            "use": self.use,
            "k": self.k,
            "max_risk": self.max_risk,
            "keys": list(self.keys),
            "n": self.n,
            "stages": [
                {
                    **{
                        k: v
                        for k, v in asdict(s).items()
                        if k not in ("quantiles", "above", "keys")
                    },
                    "keys": list(s.keys),
                    "violating_share": s.violating_share,
                    "quantiles": {f"p{int(round(q * 100)):02d}": v for q, v in s.quantiles},
                    "above": {f"{t:g}": c for t, c in s.above},
                }
                for s in self.stages
            ],
            "suppression": {
                "cells": dict(self.suppressed),
                "total": self.suppressed_total,
                "linked": dict(self.linked_suppressed),
                "records": self.records_suppressed,
                "records_share": self.records_suppressed / self.n if self.n else 0.0,
            },
            "pram": [{"variable": v, "changed": c, "retention": r} for v, c, r in self.pram],
            "recodes": [{"variable": v, "kind": kd, "changed": c} for v, kd, c in self.recodes],
            "information_loss": {
                "marginal_tvd": {v: rnd(t, TVD_DECIMALS) for v, t in self.marginal_tvd},
                "max_abs_diff": rnd(self.max_abs_diff, DIFF_DECIMALS),
                "mean_abs_diff": rnd(self.mean_abs_diff, DIFF_DECIMALS),
                "estimates": rows(self.estimates),
                "min_n": min_n,
                "withheld": sorted(protected),
            },
            "weights": None
            if self.weights is None
            else {
                **asdict(self.weights),
                "max_abs_diff": rnd(w_max, DIFF_DECIMALS),
                "mean_abs_diff": rnd(w_mean, DIFF_DECIMALS),
                "estimates": rows(self.weight_estimates),
            },
            "weight_linkage": _linkage(linkage),
            "weight_linkage_original": _linkage(self.weight_linkage_original),
            "combinations": None
            if self.combinations is None
            else {
                **asdict(self.combinations),
                "variables": list(self.combinations.variables),
                "by_size_before": {str(a): b for a, b in self.combinations.by_size_before},
            },
            "dropped": [{"column": c, "reason": r} for c, r in self.dropped],
            "notices": [
                {"code": n.code, "message": n.message}
                if external
                else {"code": n.code, "message": n.message, "details": n.details}
                for n in self.notices
            ],
        }


def _linkage(linkage: WeightLinkage | None) -> dict[str, Any] | None:
    if linkage is None:
        return None
    return {
        **asdict(linkage),
        "variables": list(linkage.variables),
        "unreleased": list(linkage.unreleased),
        "protected_cells": linkage.protected_cells,
        "recoverable_share": linkage.recoverable_share,
    }


# ---- information loss ----


def _share(ind: np.ndarray, w: np.ndarray, mask: np.ndarray) -> tuple[int, float]:
    m = mask & ((ind == 0) | (ind == 1))
    tot = float(w[m].sum())
    return int(m.sum()), (float((w[m] * ind[m]).sum()) / tot if tot > 0 else float("nan"))


def _level(v: float) -> str:
    return f"{v:g}"


def estimate_changes(
    before: Mapping[str, np.ndarray],
    after: Mapping[str, np.ndarray],
    weights: np.ndarray | None,
    indicators: Sequence[str],
    by: Sequence[str],
    *,
    weights_after: np.ndarray | None = None,
) -> tuple[EstimateChange, ...]:
    """Weighted shares of each 0/1 indicator, overall and per level of each ``by`` variable
    (``weights_after``: other weights for the "after" data, e.g. recalibrated ones)."""
    out: list[EstimateChange] = []
    n = len(next(iter(before.values()))) if before else 0
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    wa = w if weights_after is None else np.asarray(weights_after, dtype=np.float64)
    for name in indicators:
        if name not in before or name not in after:
            continue
        ib, ia = (
            np.asarray(before[name], dtype=np.float64),
            np.asarray(after[name], dtype=np.float64),
        )
        everyone = np.ones(n, dtype=bool)
        nb, pb = _share(ib, w, everyone)
        na, pa = _share(ia, wa, everyone)
        out.append(EstimateChange(name, "", "", nb, na, pb, pa, pa - pb))
        for var in by:
            if var not in before or var not in after:
                continue
            xb, xa = (
                np.asarray(before[var], dtype=np.float64),
                np.asarray(after[var], dtype=np.float64),
            )
            levels = np.union1d(np.unique(xb[substantive(xb)]), np.unique(xa[substantive(xa)]))
            for lev in levels:
                nb, pb = _share(ib, w, xb == lev)
                na, pa = _share(ia, wa, xa == lev)
                out.append(EstimateChange(name, var, _level(float(lev)), nb, na, pb, pa, pa - pb))
    return tuple(out)


def marginal_tvd(before: np.ndarray, after: np.ndarray, weights: np.ndarray | None) -> float:
    """Total variation distance of the weighted distributions over substantive values."""
    xb, xa = np.asarray(before, dtype=np.float64), np.asarray(after, dtype=np.float64)
    w = np.ones(xb.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    sb, sa = substantive(xb), substantive(xa)
    levels = np.union1d(np.unique(xb[sb]), np.unique(xa[sa]))
    if levels.shape[0] == 0:
        return 0.0

    def dist(x: np.ndarray, s: np.ndarray) -> np.ndarray:
        idx = np.searchsorted(levels, x[s])
        d = np.bincount(idx, weights=w[s], minlength=levels.shape[0])
        return d / d.sum() if d.sum() > 0 else d

    return float(0.5 * np.abs(dist(xb, sb) - dist(xa, sa)).sum())


# ---- HTML ----


def hidden_largest(section: Mapping[str, Any]) -> float | None:
    """When the largest change a section states (``max_abs_diff``, a share) is in a row the
    external report does not show, the largest change of the rows it shows, in percentage points
    (so the report can say why no row reaches the stated maximum); None when a shown row does."""
    shown = [abs(e["diff"]) for e in section["estimates"] if e["diff"] is not None]
    top = max(shown, default=0.0)
    stated = float(section["max_abs_diff"])
    return None if top >= stated - 10 ** -(DIFF_DECIMALS + 1) else 100 * top


def render_html(
    report: ReleaseReport, *, min_n: int, title: str | None = None, lang: str = "nl"
) -> str:
    """The risk report as it is handed out (:meth:`ReleaseReport.external_dict`), as an HTML fragment
    (a ``<section>``, no external assets), in ``lang`` (``nl``, the default, or ``en``: the words
    of :mod:`pipeline.sdc.microdata.words`, numbers the reader's way)."""
    import jinja2
    from markupsafe import Markup

    from pipeline import numformat as nf
    from pipeline.paths import REPORTS_DIR
    from pipeline.sdc.microdata.words import DROP_REASONS, WORDS, notice_text

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(REPORTS_DIR)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    words = WORDS[nf.check_language(lang)]
    env.filters["n"] = lambda x: nf.count(x, lang)
    env.filters["dec"] = lambda x, d: nf.decimal(x, d, lang)
    env.filters["pct"] = lambda x, d: nf.percent(x, lang, d)
    env.filters["g"] = lambda x, spec: nf.general(x, lang, spec)
    env.filters["signed"] = lambda x, d: ("+" if x > 0 else "") + nf.decimal(x, d, lang)
    env.filters["word"] = lambda key, fallback: words.get(key, fallback)
    env.filters["codes"] = lambda names: Markup(", ").join(
        Markup("<code>{}</code>").format(x) for x in names
    )
    env.filters["reason"] = lambda r: DROP_REASONS[lang].get(r, r.replace("_", " "))
    t = {k: Markup(v) for k, v in words.items()}  # our own texts; format() escapes values
    d = report.external_dict(min_n=min_n)
    notices = []
    for n in report.notices:  # worded from their details, never showing a withheld count
        said = notice_text(n.code, n.details, lang)
        notices.append(
            {
                "code": n.code,
                "text": n.message if said is None else said,
                "english": said is None and lang != "en",
            }
        )
    tpl = env.get_template("release_risk.html.j2")
    return tpl.render(
        d=d,
        t=t,
        notices=notices,
        same_keys=all(s["keys"] == d["keys"] for s in d["stages"]),
        loss_hidden=hidden_largest(d["information_loss"]),
        weights_hidden=None if d["weights"] is None else hidden_largest(d["weights"]),
        title=title or words["default_title"].format(profile=report.profile),
    )
