"""A telephone survey's call records (the agency's paradata): one row per call attempt with the
unit's id, the attempt number, the interviewer, the call's outcome and, on the unit's last call,
its AAPOR final disposition code (``1.1``, ``2.10``, ... : :mod:`pipeline.fieldwork.aapor`).

From them: every unit's final disposition (the response rates RR1-RR4 per stratum of ``wbm
fieldwork`` come from the calls, not only from the frame's summary column) and a summary per
interviewer (calls, units, interviews, refusals). Every bad record is reported with its row and
column (code ``bad_call_record``); no pandas in the engine functions, only in the reader.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputError, Problem
from pipeline.fieldwork.aapor import CODES, KEY_OF_CODE

ID = "org_id"
COLUMNS = ("attempt", "interviewer", "outcome", "disposition")


@dataclass(frozen=True)
class Call:
    unit: str
    attempt: int
    interviewer: str
    outcome: str
    disposition: str | None  # AAPOR key (I, P, R, ...) on the unit's final call


@dataclass(frozen=True)
class CallRecords:
    calls: tuple[Call, ...]
    source: str

    def final(self) -> dict[str, str]:
        """Unit id -> its AAPOR final disposition key."""
        return {c.unit: c.disposition for c in self.calls if c.disposition is not None}

    def interviewers(self) -> list[dict[str, object]]:
        """Per interviewer (sorted): calls, units called, and the final outcomes of the units
        whose final call they made (interviews I, partials P, refusals R), with the interview
        rate = I / units finalised."""
        calls: dict[str, int] = defaultdict(int)
        units: dict[str, set[str]] = defaultdict(set)
        final: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CODES, 0))
        for c in self.calls:
            calls[c.interviewer] += 1
            units[c.interviewer].add(c.unit)
            if c.disposition is not None:
                final[c.interviewer][c.disposition] += 1
        out = []
        for name in sorted(calls):
            f = final[name]
            done = sum(f.values())
            out.append(
                {
                    "interviewer": name,
                    "calls": calls[name],
                    "units": len(units[name]),
                    "finalised": done,
                    "I": f["I"],
                    "P": f["P"],
                    "R": f["R"],
                    "interview_rate": f["I"] / done if done else None,
                }
            )
        return out


def check_calls(rows: list[dict[str, str]], *, id_column: str, source: str) -> CallRecords:
    """The checked call records; every problem at once (``bad_call_record``): a missing column, an
    attempt that is not a positive whole number, an empty id or interviewer, an unknown disposition
    code, a unit with no or more than one final disposition, a repeated attempt number."""
    problems: list[Problem] = []

    def bad(
        row: int | None, column: str | None, value: object, message: str, expected: str
    ) -> None:
        problems.append(
            Problem(
                message,
                file=source,
                row=row,
                column=column,
                value=value,
                expected=expected,
                code="bad_call_record",
            )
        )

    header = set(rows[0]) if rows else set()
    missing = [c for c in (id_column, *COLUMNS) if c not in header]
    if rows and missing:
        bad(None, ", ".join(missing), None, "column(s) missing", ", ".join((id_column, *COLUMNS)))
        raise InputError(f"{source}: not a call-records file", problems, code="bad_call_record")
    calls: list[Call] = []
    seen: dict[tuple[str, int], int] = {}
    finals: dict[str, list[int]] = defaultdict(list)
    bad_code: set[str] = set()  # units whose disposition code is unknown (reported once, there)
    for i, r in enumerate(rows, start=2):  # row 1 is the header
        unit = (r.get(id_column) or "").strip()
        if not unit:
            bad(i, id_column, r.get(id_column), "no unit id", "the unit's id")
        raw = (r.get("attempt") or "").strip()
        attempt = int(raw) if raw.isdigit() and int(raw) > 0 else None
        if attempt is None:
            bad(i, "attempt", raw, "not an attempt number", "a whole number from 1")
        interviewer = (r.get("interviewer") or "").strip()
        if not interviewer:
            bad(i, "interviewer", r.get("interviewer"), "no interviewer", "the interviewer's code")
        code = (r.get("disposition") or "").strip()
        key = None
        if code:
            key = KEY_OF_CODE.get(code)
            if key is None:
                bad_code.add(unit)
                bad(
                    i,
                    "disposition",
                    code,
                    "not an AAPOR final disposition code",
                    ", ".join(CODES.values()),
                )
            else:
                finals[unit].append(i)
        if unit and attempt is not None:
            if (unit, attempt) in seen:
                bad(
                    i,
                    "attempt",
                    attempt,
                    f"attempt repeated (also row {seen[unit, attempt]})",
                    "one row per attempt",
                )
            seen[unit, attempt] = i
        if unit and attempt is not None and interviewer:
            calls.append(Call(unit, attempt, interviewer, (r.get("outcome") or "").strip(), key))
    for unit in sorted({c.unit for c in calls}):
        rs = finals.get(unit, [])
        if len(rs) > 1:
            bad(
                rs[1],
                "disposition",
                unit,
                "more than one final disposition",
                "one, on the last call",
            )
        elif not rs and unit not in bad_code:
            bad(
                None,
                "disposition",
                unit,
                "unit without a final disposition",
                "one, on the last call",
            )
    if problems:
        raise InputError(
            f"{source}: {len(problems)} bad call record(s)", problems, code="bad_call_record"
        )
    return CallRecords(tuple(calls), source)


def read_call_records(path: Path, *, id_column: str = ID) -> CallRecords:
    """Read and check a call-records CSV (UTF-8, header row)."""
    import csv

    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise InputError(
            f"{path}: cannot read the call records",
            [Problem(str(err), file=str(path), code="bad_call_record")],
            code="bad_call_record",
        ) from None
    return check_calls(rows, id_column=id_column, source=str(path))
