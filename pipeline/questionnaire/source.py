"""Read a questionnaire YAML file keeping where every value came from (line numbers for messages).

The reading itself (UTF-8 only, duplicate keys, merge keys, tags, alias and size caps) is the
project's one safe YAML reader, :mod:`pipeline.specfile`; this module names it for the
questionnaire package.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import Problem
from pipeline.specfile import PathT, Source, read_yaml, render_path

__all__ = ["PathT", "Source", "read_source", "render_path"]


def read_source(path: Path) -> tuple[Source | None, list[Problem]]:
    """Parse ``path``; returns the source (None if unreadable) and structural YAML problems."""
    return read_yaml(path, expected="a mapping with kind, schema_version, study, items, ...")
