"""Why a cell is suppressed, told only where the published figures already say it.

Telling each suppressed cell's reason (too few respondents, or hidden to protect another cell) is
not harmless in general: "A: too few" beside "B: protects another cell" says n(A) < t <= n(B), and
with the published total of the two (a row total minus its published cells) that bounds n(A) from
above; when the two hide 31 respondents and t = 30, A is one respondent, exactly. The disclosure
engine guarantees that no suppressed figure can be derived exactly from the published ones; a
reason per cell could break that.

So a reason is told only where it follows from what is published anyway. For every suppressed cell
the feasible interval of its n is computed from the table's published n and its additive relations
(the exact LP of :func:`pipeline.sdc.tables.audit.audit`: every non-negative table that agrees with
the published cells): the interval depends on the published figures only. Then

- ``too_few_respondents``: every n the cell can have is below the threshold of its kind (so it is a
  primary suppression by the minimum-n rule; anyone can compute this);
- ``protects_another_cell``: every n it can have is at least the threshold, in a table of
  percentages, means or counts (where the minimum n is the only primary rule), so it is hidden for
  another cell's sake (in this table or against an earlier release);
- ``not_told``: anything else (the reason would say more than the figures do). The dominance and p%
  rules of magnitude tables are never told: a published count never implies them, and telling them
  says something about the largest contributions.

Without the statistic ``n`` nothing is implied: every suppressed cell is ``not_told``. Since the
told reason is a function of published figures only, it reveals nothing new, whatever else the
reader holds (earlier releases only add to what they can derive, never to what the reason says).
A test checks that a told reason is always the true one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline.sdc.tables.rules import PrimaryRules, TableKind

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.tables.release import ProtectedTable

TOO_FEW = "too_few_respondents"
PROTECTS = "protects_another_cell"
NOT_TOLD = "not_told"
REASONS = ("", TOO_FEW, PROTECTS, NOT_TOLD)
EPS = 1e-6  # LP tolerance on an integer bound


def suppression_reasons(
    pt: ProtectedTable, rules: PrimaryRules, statistics: Sequence[str]
) -> tuple[str, ...]:
    """The public reason of every cell of a protected table ('' for a published cell)."""
    from pipeline.sdc.tables.audit import audit

    t = pt.numbers
    hidden = [pt.flag(i) == "suppressed" for i in range(t.structure.n_cells)]
    if not any(hidden):
        return ("",) * len(hidden)
    if "n" not in statistics:
        return tuple(NOT_TOLD if h else "" for h in hidden)
    res = audit(t.structure, [float(x) for x in t.n], hidden)
    threshold = rules.min_n(t.kind)
    only_min_n = t.kind in (TableKind.percent, TableKind.mean, TableKind.count)
    out = []
    for i, h in enumerate(hidden):
        if not h:
            out.append("")
            continue
        iv = res.interval(i)
        if math.isfinite(iv.high) and math.floor(iv.high + EPS) < threshold:
            out.append(TOO_FEW)
        elif only_min_n and math.ceil(iv.low - EPS) >= threshold:
            out.append(PROTECTS)
        else:
            out.append(NOT_TOLD)
    return tuple(out)
