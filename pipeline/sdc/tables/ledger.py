"""The ledger: every release made from one data version, to whoever it went.

A ledger is a directory the publisher's policy names (:mod:`pipeline.sdc.policy`), with one folder per
data version (:func:`pipeline.dataversion.data_version`, a hash of the respondent-level content) and
in it one JSON-lines file, ``tables.jsonl``: **one history per data version**, whichever requester,
table, report or run directory a release came from. Each line is one release: requester, sequence
number, request hash, data version, the rules used, the decision and its reasons, and every cell
(definition, kind, status, unweighted n, weighted N, a SHA-256 of its members: the caller chooses
over what; ``wbm table`` uses row numbers in the data, never respondent ids). Suppressed cells are
logged too (the ledger is internal; it is what later releases are checked against). Refused requests
are logged with their reasons and no cells.

Writes are atomic (the whole file is rewritten to a temporary file and renamed, under an exclusive
lock) and deterministic (sorted keys, no wall-clock time unless the caller passes ``logged_at``).
Re-issuing a logged request (same requester, request hash and data version) appends nothing and is
checked against the releases *before* it, so it gives the same table again. A release may be logged
in several ledgers (the policy's and ``--ledger DIR``); :func:`merged_history` reads them together,
each release once, and :func:`prior` gives a request's first issue and the history before it from
one read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import InputError, Problem, UsageError
from pipeline.fileio import write_text
from pipeline.sdc.tables.cells import CellDef
from pipeline.sdc.tables.history import ReleasedCell

ENTRY_KIND = "disclosure-release"
SCHEMA_VERSION = 1
REQUESTER = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
VERSION = re.compile(r"^[a-z0-9][a-z0-9._-]{0,127}$")  # a directory name: content hashes are hex
FILE = "tables.jsonl"


@dataclass(frozen=True)
class Release:
    requester: str
    sequence: int
    request_hash: str
    data_version: str
    label: str
    decision: str  # release | suppress | refuse
    reasons: tuple[str, ...]
    rules: dict[str, object]
    cells: tuple[ReleasedCell, ...]
    digests: tuple[str, ...]
    logged_at: str | None = None

    @property
    def id(self) -> str:
        return f"{self.requester}#{self.sequence} ({self.label or self.request_hash[:12]})"

    def to_json(self) -> dict[str, object]:
        return {
            "kind": ENTRY_KIND,
            "schema_version": SCHEMA_VERSION,
            "requester": self.requester,
            "sequence": self.sequence,
            "request_hash": self.request_hash,
            "data_version": self.data_version,
            "label": self.label,
            "decision": self.decision,
            "reasons": list(self.reasons),
            "rules": self.rules,
            "logged_at": self.logged_at,
            "cells": [
                {
                    **c.cell.to_json(),
                    "key": c.cell.key,
                    "kind": c.kind,
                    "status": c.status,
                    "n": c.n,
                    "weighted_n": c.weighted_n,
                    "index": c.index,
                    "members_sha256": d,
                }
                for c, d in zip(self.cells, self.digests, strict=True)
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Release:
        rid = f"{data['requester']}#{data['sequence']} ({data['label'] or str(data['request_hash'])[:12]})"
        cells, digests = [], []
        for c in data["cells"]:
            cells.append(
                ReleasedCell(
                    CellDef.from_json(c),
                    str(c["kind"]),
                    str(c["status"]),
                    int(c["n"]),
                    None if c["weighted_n"] is None else float(c["weighted_n"]),
                    rid,
                    int(c["index"]),
                )
            )
            digests.append(str(c["members_sha256"]))
        return cls(
            str(data["requester"]),
            int(data["sequence"]),
            str(data["request_hash"]),
            str(data["data_version"]),
            str(data["label"]),
            str(data["decision"]),
            tuple(data["reasons"]),
            dict(data["rules"]),
            tuple(cells),
            tuple(digests),
            data.get("logged_at"),
        )


def _line(obj: object) -> str:
    return json.dumps(
        obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


class Ledger:
    """A ledger directory. Reading is cheap; :meth:`record` appends one release atomically."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def path(self, data_version: str) -> Path:
        if not VERSION.match(data_version):
            raise UsageError(
                f"invalid data version {data_version!r}",
                [
                    Problem(
                        "a data version is a content hash (a safe directory name)",
                        value=data_version,
                        expected="pipeline.dataversion.data_version() of the data",
                    )
                ],
                code="bad_data_version",
            )
        return self.directory / data_version / FILE

    def releases(self, data_version: str) -> tuple[Release, ...]:
        """Every release logged on ``data_version``, in order."""
        path = self.path(data_version)
        if not path.exists():
            return ()
        out = []
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if data.get("kind") != ENTRY_KIND or data.get("schema_version") != SCHEMA_VERSION:
                    raise ValueError(f"not a {ENTRY_KIND} v{SCHEMA_VERSION} entry")
                rel = Release.from_json(data)
                if rel.data_version != data_version:
                    raise ValueError(
                        f"an entry of data version {rel.data_version[:12]} in another's file"
                    )
                out.append(rel)
            except (ValueError, KeyError, TypeError) as exc:
                raise InputError(
                    f"the disclosure ledger {path} is damaged",
                    [
                        Problem(
                            str(exc),
                            file=str(path),
                            line=i,
                            hint="restore the file from backup; never edit the ledger by hand",
                        )
                    ],
                    code="ledger_damaged",
                ) from None
        return tuple(out)

    def find(self, requester: str, request_hash: str, data_version: str) -> Release | None:
        for r in self.releases(data_version):
            if (r.requester, r.request_hash) == (requester, request_hash):
                return r
        return None

    def history(
        self, data_version: str, requester: str | None = None, request_hash: str | None = None
    ) -> tuple[ReleasedCell, ...]:
        """Cells released earlier on ``data_version`` to anyone (for a re-issue of ``request_hash``
        by ``requester``: only those logged before its first issue)."""
        return merged_history((self,), data_version, requester, request_hash)

    def record(
        self,
        requester: str,
        *,
        request_hash: str,
        data_version: str,
        cells: Sequence[ReleasedCell],
        digests: Sequence[str],
        decision: str,
        reasons: Sequence[str] = (),
        label: str = "",
        rules: dict[str, object] | None = None,
        logged_at: str | None = None,
    ) -> Release:
        """Append one release (or return the logged one if this exact request was logged before)."""
        if len(digests) != len(cells):
            raise ValueError("one digest per cell is needed")
        _check_requester(requester)
        path = self.path(data_version)
        with _locked(path):
            logged = self.releases(data_version)  # one read: the re-issue check and the number
            done = _first((logged,), requester, request_hash)
            if done is not None:
                return done
            seq = len(logged) + 1
            rid = f"{requester}#{seq} ({label or request_hash[:12]})"
            rel = Release(
                requester,
                seq,
                request_hash,
                data_version,
                label,
                decision,
                tuple(reasons),
                dict(rules or {}),
                tuple(_relabel(c, rid) for c in cells),
                tuple(digests),
                logged_at,
            )
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            write_text(path, old + _line(rel.to_json()) + "\n")
        return rel


def _check_requester(requester: str) -> None:
    if not REQUESTER.match(requester):
        raise UsageError(
            f"invalid requester name {requester!r}",
            [
                Problem(
                    "a requester is a lower-case name of letters, digits, '.', '_' or '-' (at most 64)",
                    value=requester,
                    expected="e.g. 'woodwize' or 'fonds-323'",
                )
            ],
        )


@dataclass(frozen=True)
class Prior:
    """What the ledgers hold for one request on one data version, from one read of each ledger:
    its first issue (None: never issued) and every cell released before it (all of them if never
    issued), each release once."""

    first: Release | None
    history: tuple[ReleasedCell, ...]


def prior(ledgers: Sequence[Ledger], data_version: str, requester: str, request_hash: str) -> Prior:
    """:func:`first_issue` and :func:`merged_history` of one request, reading each ledger once."""
    logs = _logs(ledgers, data_version)
    return Prior(_first(logs, requester, request_hash), _merged(logs, requester, request_hash))


def first_issue(
    ledgers: Sequence[Ledger], data_version: str, requester: str, request_hash: str
) -> Release | None:
    """The release of ``request_hash`` to ``requester`` on ``data_version`` as the first ledger
    that holds it logged it (None: never issued): what a re-issue publishes again."""
    return _first(_logs(ledgers, data_version), requester, request_hash)


def merged_history(
    ledgers: Sequence[Ledger],
    data_version: str,
    requester: str | None = None,
    request_hash: str | None = None,
) -> tuple[ReleasedCell, ...]:
    """Every cell released on ``data_version`` over several ledgers (e.g. the policy's and
    ``--ledger DIR``), the first ledger's first: every release once however many ledgers hold it,
    identified as :meth:`Ledger.record` identifies it (requester and request hash; sequence numbers
    differ between ledgers). For a re-issue (``requester`` and ``request_hash``), releases any ledger
    logged at or after its first issue are left out, as in a single ledger."""
    return _merged(_logs(ledgers, data_version), requester, request_hash)


def _logs(ledgers: Sequence[Ledger], data_version: str) -> list[tuple[Release, ...]]:
    return [led.releases(data_version) for led in _distinct(ledgers)]


def _first(logs: Sequence[Sequence[Release]], requester: str, request_hash: str) -> Release | None:
    for log in logs:
        for r in log:
            if (r.requester, r.request_hash) == (requester, request_hash):
                return r
    return None


def _merged(
    logs: Sequence[Sequence[Release]], requester: str | None, request_hash: str | None
) -> tuple[ReleasedCell, ...]:
    later: set[tuple[str, str]] = set()
    if request_hash is not None and requester is not None:
        this = (requester, request_hash)
        for log in logs:
            keys = [(r.requester, r.request_hash) for r in log]
            if this in keys:
                later.update(keys[keys.index(this) :])
    seen: set[tuple[str, str]] = set()
    cells: list[ReleasedCell] = []
    for log in logs:
        for r in log:
            key = (r.requester, r.request_hash)
            if key in seen or key in later:
                continue
            seen.add(key)
            cells.extend(r.cells)
    return tuple(cells)


def _distinct(ledgers: Sequence[Ledger]) -> list[Ledger]:
    """The ledgers in order, each directory once."""
    out: dict[Path, Ledger] = {}
    for led in ledgers:
        out.setdefault(led.directory.resolve(), led)
    return list(out.values())


def _relabel(c: ReleasedCell, rid: str) -> ReleasedCell:
    return ReleasedCell(c.cell, c.kind, c.status, c.n, c.weighted_n, rid, c.index)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    from pipeline.fileio import ensure_dir

    ensure_dir(path.parent)
    lock = path.with_name(f".{path.name}.lock")
    with open(lock, "a+b") as fh:
        try:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not POSIX: atomic rename still protects the file
            pass
        yield
