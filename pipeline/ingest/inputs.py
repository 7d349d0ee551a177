"""What to read: an input file with its (declared or inferred) mode, encoding and delimiter."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pipeline.errors import Problem, UsageError, one_of

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.questionnaire.model import Questionnaire

Mode = Literal["paper", "web", "cati"]
MODES: tuple[Mode, ...] = ("paper", "web", "cati")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
SAV_SUFFIXES = (".sav", ".zsav")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + EXCEL_SUFFIXES + SAV_SUFFIXES
PAPER_MARKER_COLUMNS = ("keyer", "batch")  # columns a keyed paper file carries
ENCODINGS = ("utf-8", "cp1252")


@dataclass(frozen=True)
class InputFile:
    """One raw input. ``mode``/``encoding``/``delimiter`` ``None`` means: infer from the file."""

    path: Path
    mode: Mode | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    dialect: str | None = None  # None: detected (see pipeline.ingest.dialects)
    mapping: Path | None = None  # a mapping file (see pipeline.ingest.mapping)

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))
        if self.mapping is not None:
            object.__setattr__(self, "mapping", Path(self.mapping))
        if self.dialect is not None:
            from pipeline.ingest.dialects import check_dialect

            check_dialect(self.dialect, where=str(self.path))
        if self.mode is not None and self.mode not in MODES:
            raise UsageError(
                f"unknown mode for {self.path.name}",
                [Problem(one_of(self.mode, MODES), file=str(self.path))],
            )

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def format(self) -> str:
        suffix = self.path.suffix.lower()
        if suffix in TEXT_SUFFIXES:
            return "csv"
        if suffix in EXCEL_SUFFIXES:
            return "xlsx"
        if suffix in SAV_SUFFIXES:
            return "sav"
        return suffix.lstrip(".") or "unknown"

    @classmethod
    def from_arg(
        cls,
        text: str,
        *,
        encoding: str | None = None,
        delimiter: str | None = None,
        dialect: str | None = None,
        mapping: Path | None = None,
    ) -> InputFile:
        """``FILE`` or ``MODE:FILE`` (``paper:forms.csv``), as given on the command line."""
        mode: Mode | None = None
        head, sep, rest = text.partition(":")
        if sep and head in MODES:
            mode, text = head, rest  # type: ignore[assignment,unused-ignore]
        return cls(
            Path(text),
            mode=mode,
            encoding=encoding,
            delimiter=delimiter,
            dialect=dialect,
            mapping=mapping,
        )

    def with_mode(self, mode: Mode) -> InputFile:
        return replace(self, mode=mode)


def infer_mode(inp: InputFile, columns: tuple[str, ...], q: Questionnaire) -> Mode:
    """The mode of an input: declared, else from the format and the columns (see module docs).

    ``.sav`` -> web when the study has a web mode, else cati; a text/Excel file with ``keyer`` or
    ``batch`` columns -> paper; a file carrying the web-only speeder variable -> web; a study with a
    single mode -> that mode. Otherwise the mode must be declared (``paper:FILE``).
    """
    modes = tuple(q.study.modes)
    if inp.mode is not None:
        mode = inp.mode
    else:
        cols = {c.lower() for c in columns}
        speeder = q.quality.speeder_variable
        guess: Mode | None = None
        if inp.format == "sav":
            guess = "web" if "web" in modes else ("cati" if "cati" in modes else None)
        elif any(m in cols for m in PAPER_MARKER_COLUMNS):
            guess = "paper"
        elif speeder and speeder.lower() in cols and "web" in modes:
            guess = "web"
        if guess is None and len(modes) == 1:
            guess = modes[0]
        if guess is None:
            raise UsageError(
                f"{inp.name}: cannot tell the mode of this input",
                [
                    Problem(
                        "the mode is not declared and cannot be inferred from the file",
                        file=str(inp.path),
                        expected="one of " + ", ".join(modes),
                        hint=f"declare it, e.g. --input paper:{inp.path}",
                    )
                ],
            )
        mode = guess
    if mode not in modes:
        raise UsageError(
            f"{inp.name}: mode {mode!r} is not a mode of {q.study.id}",
            [
                Problem(
                    one_of(mode, modes),
                    file=str(inp.path),
                    hint="declare the right mode, e.g. --input web:FILE",
                )
            ],
        )
    return mode


def per_input_options(
    files: list[InputFile], dialects: tuple[str, ...], mappings: tuple[str, ...]
) -> list[InputFile]:
    """Apply ``--dialect [FILE=]NAME`` and ``--mapping [FILE=]MAP`` to the inputs they name (all of
    them without ``FILE=``); an unknown FILE or two values for one input is a usage error."""
    names = [f.name for f in files]
    out = list(files)
    for option, values in (("--dialect", dialects), ("--mapping", mappings)):
        field = option.lstrip("-")
        given: dict[int, str] = {}
        for v in values:
            target, sep, value = v.rpartition("=")
            idx = (
                list(range(len(files)))
                if not sep
                else [i for i, f in enumerate(files) if target in (f.name, str(f.path))]
            )
            if sep and not idx:
                raise UsageError(
                    f"{option} {v}: {target!r} is not one of the inputs",
                    [Problem(one_of(target, names), hint=f"{option} FILE=VALUE, FILE an input")],
                )
            for i in idx:
                if i in given and given[i] != value:
                    raise UsageError(
                        f"{option}: two values for {names[i]}",
                        [Problem(f"{given[i]!r} and {value!r}", hint="give one per input")],
                    )
                given[i] = value
        for i, value in given.items():
            out[i] = (
                replace(out[i], mapping=Path(value))
                if field == "mapping"
                else replace(out[i], dialect=value)
            )
    return out
