"""Collapsing sparse levels by a declared rule (:class:`pipeline.weighting.margins.CollapseRule`).

For each rule, levels are taken in the rule's order (default: the margins file's order). While some
group has fewer than ``min_count`` sample rows, the smallest such group is merged with its neighbour
(previous or next in the order) that has fewer rows (ties: the previous one). Merged levels are named
by joining the codes with ``+`` (``"3+4"``). The data column is recoded to the merged names, every
margin containing the variable gets its totals summed, and each merge is logged as a ``collapsed``
notice with the mapping and the counts, so nothing changes silently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.errors import Notice
from pipeline.rundata.levels import level_text
from pipeline.weighting.margins import CollapseRule, Margin, Margins

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def plan_groups(order: list[str], counts: dict[str, int], min_count: int) -> list[list[str]]:
    """Merge adjacent levels until every group has at least ``min_count`` rows (or one group is left)."""
    groups = [[lv] for lv in order]
    size = [counts.get(lv, 0) for lv in order]
    while len(groups) > 1:
        small = [i for i, s in enumerate(size) if s < min_count]
        if not small:
            break
        i = min(small, key=lambda j: (size[j], j))
        if i == 0:
            j = 1
        elif i == len(groups) - 1:
            j = i - 1
        else:
            j = i - 1 if size[i - 1] <= size[i + 1] else i + 1
        a, b = min(i, j), max(i, j)
        groups[a : b + 1] = [groups[a] + groups[b]]
        size[a : b + 1] = [size[a] + size[b]]
    return groups


def apply_collapse(
    df: pd.DataFrame, margins: Margins, rules: tuple[CollapseRule, ...] | None = None
) -> tuple[pd.DataFrame, Margins, tuple[Notice, ...]]:
    """Apply the declared rules (default: ``margins.collapse``); returns new frame, margins, notices."""
    rules = margins.collapse if rules is None else rules
    notices: list[Notice] = []
    if not rules:
        return df, margins, ()
    out = df.copy()
    ms = list(margins.margins)
    for rule in rules:
        v = rule.variable
        if v not in out.columns:
            continue  # reported by build_codes as a missing column
        levels: list[str] = []
        for m in ms:
            if v in m.variables:
                i = m.variables.index(v)
                for lv in m.levels:
                    if lv[i] not in levels:
                        levels.append(lv[i])
        order = list(rule.order) if rule.order else levels
        order += [lv for lv in levels if lv not in order]
        text = out[v].map(lambda x: level_text(x) if x == x and x is not None else x)
        vc = text.value_counts()
        counts = {str(k): int(c) for k, c in vc.items()}
        groups = plan_groups(order, counts, rule.min_count)
        mapping = {lv: "+".join(g) for g in groups for lv in g}
        merged = [g for g in groups if len(g) > 1]
        if not merged:
            continue
        out[v] = text.map(lambda x, mp=mapping: mp.get(x, x) if isinstance(x, str) else x)
        ms = [_collapse_margin(m, v, mapping) if v in m.variables else m for m in ms]
        notices.append(
            Notice(
                "collapsed",
                f"{v}: levels with fewer than {rule.min_count} rows merged: "
                + "; ".join("+".join(g) for g in merged),
                {
                    "variable": v,
                    "min_count": rule.min_count,
                    "groups": ["+".join(g) for g in merged],
                    "counts": {"+".join(g): sum(counts.get(lv, 0) for lv in g) for g in merged},
                },
            )
        )
    new = Margins(tuple(ms), margins.meta, margins.collapse, margins.source_file)
    return out, new, tuple(notices)


def _collapse_margin(m: Margin, v: str, mapping: dict[str, str]) -> Margin:
    i = m.variables.index(v)
    agg: dict[tuple[str, ...], float] = {}
    for lv, tot in zip(m.levels, m.totals, strict=True):
        key = lv[:i] + (mapping.get(lv[i], lv[i]),) + lv[i + 1 :]
        agg[key] = agg.get(key, 0.0) + tot
    return Margin(
        variables=m.variables,
        levels=tuple(agg),
        totals=tuple(float(t) for t in agg.values()),
        labels=None,
    )


__all__ = ["apply_collapse", "plan_groups"]
