"""The one exception hierarchy of the pipeline.

Every error a *user* can cause (bad file, bad spec, bad option) is a :class:`PipelineError`. The CLI
turns it into a message and an exit code, never a traceback. Each error carries a stable ``code``
(tests and reports refer to codes, never to message text) and may carry a list of :class:`Problem`
records, so a spec or file with several mistakes is reported all at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MAX_SHOWN = 5


@dataclass(frozen=True)
class Problem:
    """One located problem: where it is, what was found, what was expected, how to fix it."""

    message: str
    file: str | None = None
    line: int | None = None
    row: int | None = None
    column: str | None = None
    path: str | None = None  # location inside a spec, e.g. "items[3].routing"
    value: object | None = None
    expected: str | None = None
    hint: str | None = None
    code: str | None = None

    def render(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        if self.path:
            where.append(self.path)
        out = (", ".join(where) + ": " if where else "") + self.message
        if self.value is not None:
            out += f" (found {self.value!r})"
        if self.expected:
            out += f"; expected {self.expected}"
        if self.hint:
            out += f". Fix: {self.hint}"
        return out


def one_of(value: object, allowed: Iterable[object], *, limit: int = MAX_SHOWN) -> str:
    """click-style message: ``'x' is not one of 'a', 'b', ... (and N more)``."""
    allowed = list(allowed)
    shown = ", ".join(repr(a) for a in allowed[:limit])
    more = f" (and {len(allowed) - limit} more)" if len(allowed) > limit else ""
    return f"{value!r} is not one of {shown}{more}"


def close_names(name: str, known: Iterable[str], *, n: int = 1, cutoff: float = 0.6) -> list[str]:
    """The names in ``known`` most like ``name``, most similar first (at most ``n``)."""
    import difflib

    return difflib.get_close_matches(name, sorted(set(known)), n=n, cutoff=cutoff)


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """A hint for an unknown name: ``did you mean 'x'?`` or ``check the spelling``."""
    close = close_names(name, known)
    return f"did you mean {close[0]!r}?" if close else "check the spelling"


def similar_first(name: str, known: Iterable[str], *, n: int = 8) -> list[str]:
    """``known`` (sorted) with the names most like ``name`` first: for :func:`one_of`, so a message
    shows what was probably meant."""
    pool = set(known)
    close = close_names(name, pool, n=n, cutoff=0.5)
    return close + sorted(pool - set(close))


@dataclass
class PipelineError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with."""

    message: str
    problems: Sequence[Problem] = field(default_factory=tuple)
    code: str = "pipeline_error"
    exit_code: int = 1

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.render()

    def render(self, limit: int = 50) -> str:
        lines = [self.message]
        probs = list(self.problems)
        for p in probs[:limit]:
            lines.append("  - " + p.render())
        if len(probs) > limit:
            lines.append(f"  ... and {len(probs) - limit} more problems")
        return "\n".join(lines)


@dataclass
class InputError(PipelineError):
    """A data file cannot be read: missing, empty, truncated, wrong format, wrong columns."""

    code: str = "input_error"


@dataclass
class SpecError(PipelineError):
    """A declarative spec (questionnaire, margins, release profile, table request) is broken."""

    code: str = "spec_error"
    exit_code: int = 2


@dataclass
class UsageError(PipelineError):
    """A command-line option or argument combination is wrong."""

    code: str = "usage_error"
    exit_code: int = 2


@dataclass
class OutputError(PipelineError):
    """An output cannot be written where it should go: the location is a file, under a file,
    read-only, full or a system folder (exit 2 when the location given is wrong, 1 when writing
    failed), or a name from a spec would lead outside the output folder (``path_escape``). Raised
    by :mod:`pipeline.outpath` for every command."""

    code: str = "cannot_write"
    exit_code: int = 2


@dataclass
class WeightingError(PipelineError):
    """Weighting cannot proceed: empty cells, inconsistent margins, caps that cannot be met."""

    code: str = "weighting_error"


@dataclass
class ConvergenceError(WeightingError):
    code: str = "weighting_not_converged"


@dataclass
class EstimationError(PipelineError):
    code: str = "estimation_error"


@dataclass
class DisclosureError(PipelineError):
    """A request or release would disclose a protected cell or record."""

    code: str = "disclosure_error"


@dataclass(frozen=True)
class Notice:
    """A structured warning carried in results (never printed silently and forgotten)."""

    code: str
    message: str
    details: dict[str, object] = field(default_factory=dict)
