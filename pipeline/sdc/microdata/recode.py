"""Global recoding for the release: the questionnaire's release recodes (bands, top codes, code maps)
and the profile's merging of small categories. Vectorised (numpy), every changed value counted.

Non-substantive values (NaN and negative missing codes) pass through unchanged. A substantive value
that a band list or code map does not cover is an error (nothing is recoded silently to missing).
Each applied recode returns an :class:`AppliedRecode` with the number of changed values, every
``(from, to, count)`` transition and the value labels after the recode (for the codebook and the
``.sav``/``.dta`` writers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from pipeline.errors import InputError, Notice, Problem
from pipeline.questionnaire.model import Item, ItemType, Questionnaire, ReleaseRecode, Text
from pipeline.sdc.microdata.profile import BandRule, MergeRule

RecodeKind = Literal["bands", "top_code", "map", "merge_small"]
MAX_SHOWN = 5


@dataclass(frozen=True)
class AppliedRecode:
    variable: str
    kind: RecodeKind
    changed: int  # values that changed
    transitions: tuple[tuple[float, float, int], ...]  # (from, to, count) of the changed values
    labels: tuple[tuple[int, Text], ...] = ()  # value labels after the recode; empty: unchanged

    def log_lines(self) -> list[str]:
        head = f"{self.variable}: {self.kind}, {self.changed} value(s) changed"
        return [head] + [f"  {a:g} -> {b:g}: {n}" for a, b, n in self.transitions]


def substantive(x: np.ndarray) -> np.ndarray:
    return ~np.isnan(x) & (x >= 0)


def _transitions(
    old: np.ndarray, new: np.ndarray
) -> tuple[int, tuple[tuple[float, float, int], ...]]:
    changed = substantive(old) & (old != new)
    if not changed.any():
        return 0, ()
    pairs, counts = np.unique(
        np.column_stack([old[changed], new[changed]]), axis=0, return_counts=True
    )
    return int(changed.sum()), tuple(
        (float(a), float(b), int(n)) for (a, b), n in zip(pairs, counts, strict=True)
    )


def map_values(x: np.ndarray, mapping: Mapping[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Map substantive values through ``mapping``; returns (new values, mask of uncovered values)."""
    out = x.copy()
    sub = substantive(x)
    if not mapping:
        return out, sub
    keys = np.array(sorted(mapping), dtype=np.float64)
    vals = np.array([mapping[k] for k in sorted(mapping)], dtype=np.float64)
    pos = np.clip(np.searchsorted(keys, x), 0, keys.shape[0] - 1)
    hit = sub & (keys[pos] == x)
    out[hit] = vals[pos[hit]]
    return out, sub & ~hit


def _gap_error(variable: str, x: np.ndarray, bad: np.ndarray, what: str) -> InputError:
    rows = np.flatnonzero(bad)
    return InputError(
        f"cannot apply the release recode of {variable!r}: {rows.shape[0]} value(s) not covered by its {what}",
        [
            Problem(
                "value not covered by the release recode",
                row=int(r) + 1,
                column=variable,
                value=float(x[r]),
                expected=f"a value the {what} cover",
                hint="extend the item's release rule in the questionnaire",
            )
            for r in rows[:MAX_SHOWN]
        ],
        code="release_recode_gap",
    )


def apply_release_recode(
    variable: str, x: np.ndarray, rule: ReleaseRecode
) -> tuple[np.ndarray, AppliedRecode]:
    """One questionnaire release recode (bands, top_code or map) on a float column."""
    x = np.asarray(x, dtype=np.float64)
    sub = substantive(x)
    if rule.bands:
        new = x.copy()
        covered = np.zeros(x.shape[0], dtype=bool)
        for b in rule.bands:
            hit = sub & ~covered & (x >= b.low) & (x <= b.high)
            new[hit] = b.code
            covered |= hit
        if (sub & ~covered).any():
            raise _gap_error(variable, x, sub & ~covered, "bands")
        n, tr = _transitions(x, new)
        return new, AppliedRecode(
            variable, "bands", n, tr, tuple((b.code, b.label) for b in rule.bands)
        )
    if rule.map:
        new, bad = map_values(x, {float(a): float(b) for a, b in rule.map})
        if bad.any():
            raise _gap_error(variable, x, bad, "code map")
        n, tr = _transitions(x, new)
        return new, AppliedRecode(
            variable, "map", n, tr, tuple((c.code, c.label) for c in (rule.map_labels or ()))
        )
    if rule.top_code is not None:
        top = float(rule.top_code)
        new = np.where(sub & (x > top), top, x)
        n, tr = _transitions(x, new)
        v = f"{top:g}"
        return new, AppliedRecode(
            variable,
            "top_code",
            n,
            tr,
            ((int(top), Text(nl=f"{v} of meer", en=f"{v} or more")),) if top.is_integer() else (),
        )
    raise ValueError(
        f"release rule of {variable!r} has nothing to apply"
    )  # pragma: no cover - model forbids


def base_labels(q: Questionnaire, variable: str) -> dict[int, Text]:
    """Value labels of a variable as the questionnaire defines them (before release recodes)."""
    for d in q.derived:
        if d.name == variable:
            return {b.code: b.label for b in d.bands}
    for it in q.items:
        if it.name == variable and it.type != ItemType.multiple:
            return {c.code: c.label for c in q.choices_of(it)}
    return {}


def _join(a: Text, b: Text) -> Text:
    en = f"{a.get('en')} + {b.get('en')}" if (a.en or b.en) else None
    return Text(nl=f"{a.nl} + {b.nl}", en=en)


def merge_small(
    variable: str, x: np.ndarray, rule: MergeRule, labels: Mapping[int, Text]
) -> tuple[np.ndarray, AppliedRecode, list[Notice]]:
    """Merge categories with fewer than ``rule.min_count`` respondents (see :class:`MergeRule`)."""
    x = np.asarray(x, dtype=np.float64)
    sub = substantive(x)
    codes, counts = np.unique(x[sub], return_counts=True)
    count = {float(c): int(n) for c, n in zip(codes, counts, strict=True)}
    lab: dict[float, Text] = {float(c): t for c, t in labels.items()}
    mapping: dict[float, float] = {}
    notices: list[Notice] = []
    if rule.into is not None:
        into = float(rule.into)
        small = [c for c in count if c != into and count[c] < rule.min_count]
        for c in small:
            mapping[c] = into
            count[into] = count.get(into, 0) + count.pop(c)
            lab.pop(c, None)
        if rule.label is not None:
            lab[into] = rule.label
        elif into not in lab:
            lab[into] = Text(nl="overige", en="other")
        if small and count[into] < rule.min_count:
            notices.append(
                Notice(
                    "merged_category_small",
                    f"{variable}: the merged category {into:g} still has "
                    f"fewer than {rule.min_count} respondents",  # the count (before suppression) in details only
                    {
                        "variable": variable,
                        "code": into,
                        "n": count[into],
                        "min_count": rule.min_count,
                    },
                )
            )
    else:
        order = sorted(count)
        while len(order) > 1:
            small = [c for c in order if count[c] < rule.min_count]
            if not small:
                break
            c = min(small, key=lambda v: (count[v], v))
            i = order.index(c)
            nbs = [order[j] for j in (i - 1, i + 1) if 0 <= j < len(order)]
            nb = min(nbs, key=lambda v: (count[v], v))
            lo, hi = min(c, nb), max(c, nb)
            count[lo] += count.pop(hi)
            if lo in lab or hi in lab:
                lab[lo] = _join(lab.get(lo, Text(nl=f"{lo:g}")), lab.get(hi, Text(nl=f"{hi:g}")))
                lab.pop(hi, None)
            mapping = {a: (lo if b == hi else b) for a, b in mapping.items()}
            mapping[hi] = lo
            order.remove(hi)
        if len(order) == 1 and count[order[0]] < rule.min_count:
            notices.append(
                Notice(
                    "merged_category_small",
                    f"{variable}: all categories merged and still fewer than "
                    f"{rule.min_count} respondents",
                    {"variable": variable, "n": count[order[0]], "min_count": rule.min_count},
                )
            )
    new, _ = map_values(x, mapping) if mapping else (x.copy(), None)
    n, tr = _transitions(x, new)
    out_labels = tuple((int(c), t) for c, t in sorted(lab.items()) if float(c).is_integer())
    return new, AppliedRecode(variable, "merge_small", n, tr, out_labels), notices


@dataclass(frozen=True, eq=False)
class Recoded:
    columns: dict[str, np.ndarray]
    applied: tuple[AppliedRecode, ...]
    labels: dict[
        str, tuple[tuple[int, Text], ...]
    ]  # value labels of every variable a recode changed
    notices: tuple[Notice, ...]


def recode_columns(
    columns: Mapping[str, np.ndarray],
    q: Questionnaire,
    recoded: Sequence[str],
    merges: Sequence[MergeRule],
    bands: Sequence[BandRule] = (),
) -> Recoded:
    """Apply the release recodes to ``recoded`` columns (the profile's ``bands`` where it gives
    some, else the questionnaire's rule), then the merges."""
    items: dict[str, Item] = {it.name: it for it in q.items}
    own = {b.variable: ReleaseRecode(bands=b.bands) for b in bands}
    out = dict(columns)
    applied: list[AppliedRecode] = []
    notices: list[Notice] = []
    labels: dict[str, dict[int, Text]] = {}
    for var in recoded:
        release = own.get(var) or items[var].release
        assert release is not None
        out[var], rec = apply_release_recode(var, out[var], release)
        applied.append(rec)
        labels[var] = (
            {c: t for c, t in rec.labels}
            if rec.kind != "top_code"
            else {**base_labels(q, var), **dict(rec.labels)}
        )
    for rule in merges:
        if rule.variable not in out:
            continue
        current = labels.get(rule.variable, base_labels(q, rule.variable))
        out[rule.variable], rec, more = merge_small(
            rule.variable, out[rule.variable], rule, current
        )
        applied.append(rec)
        notices += more
        labels[rule.variable] = dict(rec.labels)
    return Recoded(
        out,
        tuple(applied),
        {v: tuple(sorted(lab.items(), key=lambda t: t[0])) for v, lab in labels.items()},
        tuple(notices),
    )
