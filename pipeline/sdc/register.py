"""The release register: every microdata file delivered from one data version (review finding 8).

Beside the table ledger (:mod:`pipeline.sdc.tables.ledger`) the publisher keeps a register (the
policy's ``release_register`` folder), one folder per data version with one JSON-lines file,
``releases.jsonl``. Each line is one delivery: the registered recipient and its organisation, the
profile (name, SHA-256), the seed of the release ids, the released columns and the SHA-256 of the
data file. No answers and no respondent ids.

**The rule.** A public-use and a scientific-use file of one wave link record by record on the raw
answers, and the values one of them suppresses come back from the other. So a second release of the
same data version to the same recipient, or to any recipient of the same organisation, is refused
(``release_linkable``) unless the two files cannot be linked:

- the same file again (same profile, same seed: byte for byte the same data) is a re-delivery, and
  allowed (it is registered again; it gives nothing new);
- otherwise the files must share no column: not one answer, not the weight, and not the release id
  unless the two files' ids were drawn with different seeds (then the ids are unrelated random
  permutations). Any shared column is taken as a link: every record of the wave is unique on its
  raw answers, and even one shared variable narrows a match to few records.

Writes are atomic (the file is rewritten and renamed) and deterministic (sorted keys, no wall-clock
time unless the caller passes ``logged_at``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import DisclosureError, InputError, Problem
from pipeline.fileio import ensure_dir, write_text

KIND = "microdata-release"
SCHEMA_VERSION = 1
FILE = "releases.jsonl"
ID_COLUMN = "release_id"
VERSION = re.compile(r"^[a-z0-9][a-z0-9._-]{0,127}$")


@dataclass(frozen=True)
class Delivery:
    """One registered delivery of a microdata file."""

    recipient: str
    organisation: str
    data_version: str
    profile: str
    profile_sha256: str
    seed: int
    columns: tuple[str, ...]
    data_sha256: str
    wave: int
    study: str
    logged_at: str | None = None

    def record(self) -> dict[str, Any]:
        return {
            "kind": KIND,
            "schema_version": SCHEMA_VERSION,
            "recipient": self.recipient,
            "organisation": self.organisation,
            "data_version": self.data_version,
            "profile": self.profile,
            "profile_sha256": self.profile_sha256,
            "seed": self.seed,
            "columns": list(self.columns),
            "data_sha256": self.data_sha256,
            "wave": self.wave,
            "study": self.study,
            "logged_at": self.logged_at,
        }

    @classmethod
    def from_record(cls, d: dict[str, Any]) -> Delivery:
        return cls(
            str(d["recipient"]),
            str(d["organisation"]),
            str(d["data_version"]),
            str(d["profile"]),
            str(d["profile_sha256"]),
            int(d["seed"]),
            tuple(str(c) for c in d["columns"]),
            str(d["data_sha256"]),
            int(d["wave"]),
            str(d["study"]),
            d.get("logged_at"),
        )


def shared_columns(a: Delivery, b: Delivery) -> tuple[str, ...]:
    """The columns on which two files of one data version can be linked (see the module text)."""
    shared = set(a.columns) & set(b.columns)
    if a.seed != b.seed:
        shared.discard(ID_COLUMN)
    return tuple(sorted(shared))


def same_file(a: Delivery, b: Delivery) -> bool:
    return a.data_sha256 == b.data_sha256 and a.columns == b.columns


class Register:
    """The release register in ``directory`` (one folder per data version)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def _file(self, data_version: str) -> Path:
        if not VERSION.match(data_version):
            raise InputError(
                f"not a data version: {data_version!r}",
                [Problem("bad data version", value=data_version, expected="a content hash")],
                code="bad_register",
            )
        return self.directory / data_version / FILE

    def deliveries(self, data_version: str) -> tuple[Delivery, ...]:
        p = self._file(data_version)
        if not p.is_file():
            return ()
        out = []
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                out.append(Delivery.from_record(json.loads(line)))
            except (ValueError, KeyError, TypeError):
                raise InputError(
                    f"{p}: line {i} is not a register entry",
                    [Problem("damaged register entry", file=str(p), row=i)],
                    code="bad_register",
                ) from None
        return tuple(out)

    def check(self, new: Delivery) -> tuple[Delivery, ...]:
        """Refuse ``new`` (:class:`DisclosureError` ``release_linkable``) if an earlier delivery of
        the same data version to the same organisation can be linked with it; returns the earlier
        deliveries to that organisation (an identical file among them: a re-delivery)."""
        earlier = tuple(
            d for d in self.deliveries(new.data_version) if d.organisation == new.organisation
        )
        problems = []
        for d in earlier:
            if same_file(d, new):
                continue
            shared = shared_columns(d, new)
            if shared:
                problems.append(
                    Problem(
                        f"an earlier release of these data went to {d.recipient!r} "
                        f"(organisation {d.organisation!r}, profile {d.profile!r}); the two files "
                        f"share {len(shared)} column(s) and can be linked record by record",
                        value=", ".join(shared[:5]) + (" ..." if len(shared) > 5 else ""),
                        hint="deliver the same file again, or a file that shares no column with "
                        "the earlier one; the release register is in the policy's "
                        "release_register folder",
                    )
                )
        if problems:
            raise DisclosureError(
                f"a second release of wave {new.wave} ({new.study}) to organisation "
                f"{new.organisation!r} is refused: it can be linked with an earlier one",
                problems,
                code="release_linkable",
            )
        return earlier

    def record(self, new: Delivery) -> Path:
        """Append ``new`` (atomic rewrite of the data version's file)."""
        p = self._file(new.data_version)
        ensure_dir(p.parent)
        old = p.read_text(encoding="utf-8") if p.is_file() else ""
        line = json.dumps(new.record(), sort_keys=True, ensure_ascii=False)
        return write_text(p, old + line + "\n")
