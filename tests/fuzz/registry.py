"""The fuzz suite's registry: one :class:`Case` per (command, kind of broken input).

A case says how to call the command (``argv``, built from an :class:`~.harness.Env` that holds the
case's input, output and working folders and the hostile files of :mod:`.corpus`) and which exit
code is documented for it; the harness (``test_fuzz_commands.py``) runs every case in-process and
asserts: no traceback, that exit code, an error code from the catalogue (``docs/errors.md``), nothing
written outside the output folder, and for ``validate`` rows read = accepted + set aside.

A command added later registers its cases in one line each, e.g.::

    register("archive", "damaged_manifest", lambda e: ["archive", "--run", e.run(damage="manifest")], exit=1)

and ``test_every_command_has_cases`` fails until every command of ``wbm`` has at least one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .harness import Env, Result


@dataclass(frozen=True)
class Case:
    command: str  # "validate", "questionnaire check", ...
    name: str  # the kind of broken input
    argv: Callable[[Env], list[str]]
    exit: int  # the documented exit code
    check: Callable[[Env, Result], None] | None = None  # more to assert (e.g. rows balance)
    code: str | None = None  # the error code expected, when one is certain

    @property
    def id(self) -> str:
        return f"{self.command.replace(' ', '-')}:{self.name}"


CASES: list[Case] = []


def register(
    command: str,
    name: str,
    argv: Callable[[Env], list[str]],
    *,
    exit: int,
    check: Callable[[Env, Result], None] | None = None,
    code: str | None = None,
) -> Case:
    """Add a case (one line per case in :mod:`.cases`)."""
    case = Case(command, name, argv, exit, check, code)
    if any(c.id == case.id for c in CASES):
        raise ValueError(f"case {case.id} registered twice")
    CASES.append(case)
    return case
