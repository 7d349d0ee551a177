"""A wave's fieldwork counts as a run records them: the number invited, the usable responses and the
responses per mode (the one reader of ``01_validate/diagnostics.json`` for them, used by the reports
for a run and by the archive for every archived wave).

Where they come from (lenient: diagnostics only inform, a missing piece is None or empty):

- invited: ``frame.invited`` (the sample frame's units as the validate stage linked them); None for
  a run without a frame;
- responses: ``totals.accepted``, else the manifest's ``stages.validate.rows.accepted``;
- per mode: ``counts_by_mode`` (or ``by_mode``/``modes``) when the diagnostics have it, else the
  accepted rows of the inputs (``inputs``, or the manifest's ``per_input``) summed per mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldworkCounts:
    invited: int | None = None
    responded: int | None = None  # usable responses (accepted)
    by_mode: tuple[tuple[str, int], ...] = ()  # (mode, usable responses), sorted by mode

    @property
    def rate(self) -> float | None:
        if self.invited and self.responded is not None:
            return self.responded / self.invited
        return None


def dig(data: Any, *keys: str) -> Any:
    """``data[k1][k2]...`` of a JSON document, or None as soon as a level is missing or not an
    object."""
    for k in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(k)
    return data


def _count(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else None


def invited(diagnostics: dict[str, Any]) -> int | None:
    """The number invited (``frame.invited``); None without a frame (or zero units)."""
    n = _count(dig(diagnostics, "frame", "invited"))
    return n if n else None


def responses_by_mode(
    diagnostics: dict[str, Any], manifest: dict[str, Any] | None = None
) -> tuple[tuple[str, int], ...]:
    for key in ("counts_by_mode", "by_mode", "modes"):
        v = diagnostics.get(key)
        if isinstance(v, dict) and all(_count(n) is not None for n in v.values()):
            return tuple(sorted((str(k), int(n)) for k, n in v.items()))
    per_input = diagnostics.get("inputs") or dig(
        manifest or {}, "stages", "validate", "rows", "per_input"
    )
    counts: dict[str, int] = {}
    for rec in per_input if isinstance(per_input, list) else []:
        if isinstance(rec, dict) and rec.get("mode") and _count(rec.get("accepted")) is not None:
            counts[str(rec["mode"])] = counts.get(str(rec["mode"]), 0) + int(rec["accepted"])
    return tuple(sorted(counts.items()))


def fieldwork_counts(
    diagnostics: dict[str, Any], manifest: dict[str, Any] | None = None
) -> FieldworkCounts:
    """The counts of a validate stage's diagnostics (and the run's manifest, for older runs)."""
    accepted = _count(dig(diagnostics, "totals", "accepted"))
    if accepted is None:
        accepted = _count(dig(manifest or {}, "stages", "validate", "rows", "accepted"))
    return FieldworkCounts(
        invited=invited(diagnostics),
        responded=accepted,
        by_mode=responses_by_mode(diagnostics, manifest),
    )
