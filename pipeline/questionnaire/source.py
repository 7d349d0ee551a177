"""Read a YAML spec file keeping where every value came from (line numbers for error messages).

``yaml.compose`` gives the node tree with marks; we build the plain Python data from it ourselves so
that (a) every path ``("items", 3, "relevant")`` knows its line and (b) duplicate keys, which
PyYAML silently resolves to the last one, are reported instead of dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import Problem

PathT = tuple[str | int, ...]


def render_path(path: Sequence[str | int]) -> str:
    """``("items", 3, "relevant")`` -> ``items[3].relevant``."""
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out


@dataclass(frozen=True)
class Source:
    """One parsed YAML file: the data and a map from data path to 1-based line."""

    path: Path
    data: Any
    lines: Mapping[PathT, int] = field(default_factory=dict)

    def line(self, path: Sequence[str | int]) -> int | None:
        """Line of the deepest known prefix of ``path`` (a missing key points at its parent)."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), 1)

    def problem(
        self,
        code: str,
        message: str,
        path: Sequence[str | int],
        *,
        value: object | None = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> Problem:
        return Problem(
            message,
            file=str(self.path),
            line=self.line(path),
            path=render_path(path) or None,
            value=value,
            expected=expected,
            hint=hint,
            code=code,
        )


class _Builder:
    def __init__(self) -> None:
        self.lines: dict[PathT, int] = {}
        self.problems: list[tuple[str, str, PathT, int]] = []
        self.loader = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: PathT) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for knode, vnode in node.value:
                if knode.tag == "tag:yaml.org,2002:merge":
                    self.problems.append(
                        (
                            "yaml_merge_key",
                            "YAML merge keys ('<<') are not supported",
                            path,
                            knode.start_mark.line + 1,
                        )
                    )
                    continue
                key = self._scalar(knode) if isinstance(knode, yaml.ScalarNode) else None
                if key is None or isinstance(key, (dict, list)):
                    self.problems.append(
                        (
                            "bad_key",
                            "a mapping key must be a plain word",
                            path,
                            knode.start_mark.line + 1,
                        )
                    )
                    continue
                kpath = (*path, str(key))
                if key in out:
                    self.problems.append(
                        (
                            "duplicate_key",
                            f"key {key!r} appears twice in the same mapping",
                            kpath,
                            knode.start_mark.line + 1,
                        )
                    )
                    continue
                self.lines[kpath] = knode.start_mark.line + 1
                out[key if isinstance(key, str) else str(key)] = self.build(vnode, kpath)
                self.lines[kpath] = knode.start_mark.line + 1
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(v, (*path, i)) for i, v in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        return self.loader.construct_object(node, deep=True)


def read_source(path: Path) -> tuple[Source | None, list[Problem]]:
    """Parse ``path``; returns the source (None if unreadable) and structural YAML problems."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [
            Problem(
                "file not found",
                file=str(path),
                code="file_not_found",
                hint="check the path or give the id of a shipped questionnaire",
            )
        ]
    except UnicodeDecodeError as exc:
        return None, [
            Problem(
                f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                file=str(path),
                code="not_utf8",
                hint="save the file as UTF-8",
            )
        ]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        msg = " ".join(
            str(x) for x in (getattr(exc, "context", None), getattr(exc, "problem", None)) if x
        ) or str(exc)
        return None, [
            Problem(
                f"not valid YAML: {msg}",
                file=str(path),
                line=(mark.line + 1) if mark else None,
                code="yaml_syntax",
                expected="valid YAML",
                hint="check indentation, colons and quotes around text containing ':' or '#'",
            )
        ]
    if node is None:
        return None, [
            Problem(
                "the file is empty",
                file=str(path),
                line=1,
                code="not_a_mapping",
                expected="a mapping with kind, schema_version, study, items, ...",
            )
        ]
    b = _Builder()
    try:
        data = b.build(node, ())
    except yaml.YAMLError as exc:  # bad scalar such as an invalid timestamp
        mark = getattr(exc, "problem_mark", None)
        return None, [
            Problem(
                f"not valid YAML: {exc}",
                file=str(path),
                line=(mark.line + 1) if mark else None,
                code="yaml_syntax",
            )
        ]
    finally:
        b.loader.dispose()
    src = Source(path, data, b.lines)
    problems = [
        Problem(
            msg,
            file=str(path),
            line=line,
            path=render_path(p) or None,
            code=code,
            hint="keep one of them" if code == "duplicate_key" else None,
        )
        for code, msg, p, line in b.problems
    ]
    if not isinstance(data, dict):
        problems.append(
            Problem(
                "the top level must be a mapping",
                file=str(path),
                line=1,
                code="not_a_mapping",
                expected="kind, schema_version, study, items, ...",
            )
        )
    return src, problems
