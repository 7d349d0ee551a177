"""Typed, frozen results of a validation run (what :func:`run_validation` returns)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline.rundata.layout import VALIDATE_FILES as OUTPUT_FILES


@dataclass(frozen=True)
class InputSummary:
    file: str
    mode: str
    format: str
    encoding: str | None
    delimiter: str | None
    rows_read: int
    accepted: int
    set_aside: int
    dialect: str = "plain"  # how the file was read (pipeline.ingest.dialects)
    dialect_evidence: str = ""  # "declared" or what it was detected from
    mapping: str | None = None  # the mapping file's name
    # the evidence as a code and its values, for the report's words (pipeline.validate.words)
    dialect_evidence_code: str = ""
    dialect_evidence_values: tuple[str, ...] = ()

    @property
    def balanced(self) -> bool:
        """The invariant: rows read = rows accepted + rows set aside."""
        return self.rows_read == self.accepted + self.set_aside


@dataclass(frozen=True)
class KeyingSummary:
    first: str
    second: str
    forms_matched: int
    fields_compared: int
    discrepancies: int
    unmatched_forms: int
    rate: float
    keyers: tuple[
        tuple[str, str, int, int, float], ...
    ]  # (role, keyer, fields, discrepancies, rate)


@dataclass(frozen=True)
class ValidationSummary:
    questionnaire: str
    inputs: tuple[InputSummary, ...]
    issue_counts: tuple[tuple[str, int], ...]  # (code, n), sorted by code
    reason_counts: tuple[tuple[str, int], ...]  # set-aside reason -> rows
    edit_counts: tuple[tuple[str, int], ...]  # edit rule -> values changed
    keying: tuple[KeyingSummary, ...]
    out_dir: Path
    files: tuple[str, ...] = OUTPUT_FILES

    @property
    def rows_read(self) -> int:
        return sum(i.rows_read for i in self.inputs)

    @property
    def accepted(self) -> int:
        return sum(i.accepted for i in self.inputs)

    @property
    def set_aside(self) -> int:
        return sum(i.set_aside for i in self.inputs)

    @property
    def balanced(self) -> bool:
        return all(i.balanced for i in self.inputs)

    @property
    def paths(self) -> dict[str, Path]:
        return {f: self.out_dir / f for f in self.files}

    def issues(self, code: str) -> int:
        return dict(self.issue_counts).get(code, 0)

    def reasons(self, code: str) -> int:
        return dict(self.reason_counts).get(code, 0)

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["out_dir"] = self.out_dir.name
        d["rows_read"], d["accepted"], d["set_aside"] = (
            self.rows_read,
            self.accepted,
            self.set_aside,
        )
        d["issue_counts"] = dict(self.issue_counts)
        d["reason_counts"] = dict(self.reason_counts)
        d["edit_counts"] = dict(self.edit_counts)
        return d
