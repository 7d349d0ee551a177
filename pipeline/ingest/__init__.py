"""Ingest raw survey files (web exports, keyed paper forms, CATI exports) into typed raw tables.

Public API::

    InputFile                          what to read (path, mode, declared encoding/delimiter/sheet)
    InputFile.from_arg("paper:f.csv")  the command-line form
    read_input(inp, q) -> RawTable     (raises InputError naming the file and the problem)
    compare_keyings(first, second, q) -> KeyingResult   (double keying of paper forms)

Nothing here changes a value: readers return the values as found (text files as strings, .sav as
numbers); harmonisation and every edit happen in :mod:`pipeline.validate`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pipeline.ingest.inputs import MODES, InputFile, Mode, infer_mode

__all__ = [
    "MODES",
    "InputFile",
    "KeyingResult",
    "Mode",
    "RawTable",
    "compare_keyings",
    "infer_mode",
    "read_input",
    "read_table",
]

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.ingest.keying import KeyingResult, compare_keyings
    from pipeline.ingest.readers import RawTable, read_input, read_table

_WHERE = {
    "KeyingResult": "keying",
    "compare_keyings": "keying",
    "RawTable": "readers",
    "read_input": "readers",
    "read_table": "readers",
}


def __getattr__(name: str) -> Any:  # lazy: importing the package loads no pandas/pyarrow
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"pipeline.ingest.{_WHERE[name]}"), name)
    raise AttributeError(name)
