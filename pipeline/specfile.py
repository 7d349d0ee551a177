"""The one safe reader of the project's YAML files (questionnaires, release profiles, table requests,
margins metadata, the synthetic population model).

A spec file is read as untrusted input, so that no file can make the pipeline run without end, read
something else than it says, or silently take the last of two values:

* only UTF-8 text is read (a UTF-8 byte-order mark is allowed); UTF-16, Latin-1/Windows-1252 and
  binary files are refused with the line and column of the first offending byte;
* a document above :data:`MAX_BYTES` is refused before it is parsed;
* ``yaml.compose`` (libyaml when available) gives the node tree with line marks, and the plain data is
  built from it here, so that

  - a key twice in one mapping is a problem (PyYAML silently keeps the last one: a release profile
    with ``k: 5`` then ``k: 3`` went out at k = 3),
  - merge keys (``<<``) and tags outside YAML's core schema (``!!python/object``, ``!foo``) are
    refused,
  - alias expansion is capped (:data:`MAX_NODES` values in all; a "billion laughs" document stops at
    once) and so is nesting (:data:`MAX_DEPTH`),
  - every value's path (``("items", 3, "relevant")``) knows its line, for located messages.

:func:`read_yaml` returns the :class:`Source` and every problem found (for checks that report all
problems of a file at once); :func:`load_yaml` raises a :class:`~pipeline.errors.SpecError` instead.
Problem codes are catalogued in :mod:`pipeline.errorcodes`.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import Problem, SpecError

PathT = tuple[str | int, ...]

#: largest spec file read (bytes); the shipped questionnaires are about 30 kB
MAX_BYTES = 8 * 1024 * 1024
#: most values built from one document, an alias counted each time it is expanded
MAX_NODES = 200_000
#: deepest nesting of mappings and lists
MAX_DEPTH = 64

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_UTF8_HINT = "save the file as UTF-8 text (in most editors: Save as, encoding UTF-8)"


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


class _Limit(Exception):
    def __init__(self, code: str, message: str, line: int, hint: str) -> None:
        super().__init__(message)
        self.code, self.message, self.line, self.hint = code, message, line, hint


class _Builder:
    def __init__(self) -> None:
        self.lines: dict[PathT, int] = {}
        self.problems: list[tuple[str, str, PathT, int, str | None]] = []
        self.loader = yaml.SafeLoader("")

    def check_size(self, root: yaml.Node) -> None:
        """Count the values the document expands to before building any (an alias is the same node
        as its anchor, so the count over distinct nodes is cheap even for a "billion laughs")."""
        sizes: dict[int, int] = {}

        def size(node: yaml.Node, depth: int) -> int:
            if id(node) in sizes:
                return sizes[id(node)]
            if depth > MAX_DEPTH:
                raise _Limit(
                    "yaml_too_deep",
                    f"mappings and lists are nested more than {MAX_DEPTH} levels deep",
                    node.start_mark.line + 1,
                    "check the indentation",
                )
            n = 1
            if isinstance(node, yaml.SequenceNode):
                n += sum(size(v, depth + 1) for v in node.value)
            elif isinstance(node, yaml.MappingNode):
                n += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
            sizes[id(node)] = n
            if n > MAX_NODES:
                raise _Limit(
                    "yaml_too_large",
                    f"the document expands to more than {MAX_NODES:,} values (aliases '*' are "
                    "expanded each time they are used)",
                    node.start_mark.line + 1,
                    "write the values out; a spec file needs no aliases",
                )
            return n

        size(root, 0)

    def build(self, node: yaml.Node, path: PathT) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            if node.tag != _CORE + "map":
                self._bad_tag(node, path)
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _CORE + "seq":
                self._bad_tag(node, path)
            return [self.build(v, (*path, i)) for i, v in enumerate(node.value)]
        if node.tag not in _SCALAR_TAGS:
            self._bad_tag(node, path)
            return None
        return self.loader.construct_object(node, deep=True)

    def _bad_tag(self, node: yaml.Node, path: PathT) -> None:
        self.problems.append(
            (
                "yaml_tag",
                f"the YAML tag {node.tag!r} is not allowed",
                path,
                node.start_mark.line + 1,
                "remove the tag ('!!...' or '!...'): a spec file holds plain text, numbers, "
                "true/false, lists and mappings",
            )
        )

    def _mapping(self, node: yaml.MappingNode, path: PathT) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            kline = knode.start_mark.line + 1
            if knode.tag == _CORE + "merge":
                self.problems.append(
                    (
                        "yaml_merge_key",
                        "YAML merge keys ('<<') are not supported",
                        path,
                        kline,
                        "write the values out",
                    )
                )
                continue
            key = (
                self.loader.construct_object(knode)
                if isinstance(knode, yaml.ScalarNode) and knode.tag in _SCALAR_TAGS
                else None
            )
            if key is None:
                self.problems.append(
                    ("bad_key", "a mapping key must be a plain word", path, kline, None)
                )
                continue
            skey = str(key)
            kpath = (*path, skey)
            if skey in out:
                self.problems.append(
                    (
                        "duplicate_key",
                        f"key {skey!r} appears twice in the same mapping (first on line "
                        f"{self.lines.get(kpath, '?')})",
                        kpath,
                        kline,
                        "keep one of them",
                    )
                )
                continue
            self.lines[kpath] = kline
            out[skey] = self.build(vnode, kpath)
            self.lines[kpath] = kline
        return out


def _decode(data: bytes, file: str) -> tuple[str | None, Problem | None]:
    """UTF-8 text of ``data`` (BOM removed), or a located problem saying what the file is."""

    def _bad(message: str, *, line: int | None = None, value: object = None) -> Problem:
        return Problem(
            message,
            file=file,
            line=line,
            value=value,
            expected="UTF-8 text",
            hint=_UTF8_HINT,
            code="not_utf8",
        )

    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    for bom, name in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if data.startswith(bom):
            return None, _bad(f"the file is {name} text", line=1)
    if b"\x00" in data:
        head = data[:400]
        zeros = head.count(b"\x00")
        if zeros * 3 >= len(head) and (head[1::2].count(0) > zeros // 2 or head[::2].count(0)):
            return None, _bad("the file looks like UTF-16 text (every other byte is 0)", line=1)
        at = data.index(b"\x00")
        return None, _bad(
            "the file is not text (it holds NUL bytes, as binary files such as a spreadsheet or "
            "an archive do)",
            line=data[:at].count(b"\n") + 1,
        )
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        start = exc.start
        line = data[:start].count(b"\n") + 1
        col = start - (data.rfind(b"\n", 0, start) + 1) + 1
        bad = data[start : start + 4]
        guess = ""
        try:
            bad.decode("cp1252")
            guess = " (it looks like Latin-1 / Windows-1252 text)"
        except UnicodeDecodeError:
            pass
        return None, _bad(
            f"not UTF-8 text: byte 0x{data[start]:02x} at column {col} cannot be read{guess}",
            line=line,
            value=bad,
        )


def _syntax_problem(exc: yaml.YAMLError, text: str, file: str) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = (mark.line + 1) if mark is not None else None
    if isinstance(exc, yaml.reader.ReaderError):
        line = text[: exc.position].count("\n") + 1
        msg = f"character {exc.character!r} is not allowed in YAML"
    else:
        msg = " ".join(
            str(x) for x in (getattr(exc, "context", None), getattr(exc, "problem", None)) if x
        ) or str(exc)
    return Problem(
        f"not valid YAML: {msg}",
        file=file,
        line=line,
        code="yaml_syntax",
        expected="valid YAML",
        hint="check indentation, colons and quotes around text containing ':' or '#'",
    )


def _compose(text: str) -> yaml.Node | None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.compose(text, Loader=loader)


def read_yaml(
    path: str | Path, *, expected: str = "a mapping of keys to values"
) -> tuple[Source | None, list[Problem]]:
    """Parse ``path`` safely; returns the source (None if it could not be parsed) and every
    problem found. ``expected``: what the top level should hold (for the messages)."""
    p = Path(path)
    file = str(p)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            return None, [
                Problem(
                    f"the file is {size:,} bytes, more than a spec file may be ({MAX_BYTES:,})",
                    file=file,
                    code="yaml_too_large",
                    hint="check that this is the right file",
                )
            ]
        data = p.read_bytes()
    except FileNotFoundError:
        return None, [
            Problem("file not found", file=file, code="file_not_found", hint="check the path")
        ]
    except OSError as exc:
        return None, [
            Problem(
                f"the file cannot be read ({exc.strerror or exc})",
                file=file,
                code="file_unreadable",
                hint="give the path of a readable file (not a folder)",
            )
        ]
    text, bad = _decode(data, file)
    if text is None:
        return None, [bad] if bad is not None else []
    try:
        node = _compose(text)
    except yaml.YAMLError as exc:
        return None, [_syntax_problem(exc, text, file)]
    except RecursionError:
        return None, [
            Problem(
                "mappings and lists are nested too deep",
                file=file,
                code="yaml_too_deep",
                hint="check the indentation",
            )
        ]
    if node is None:
        return None, [
            Problem("the file is empty", file=file, line=1, code="not_a_mapping", expected=expected)
        ]
    b = _Builder()
    try:
        b.check_size(node)
        built = b.build(node, ())
    except _Limit as exc:
        return None, [Problem(exc.message, file=file, line=exc.line, code=exc.code, hint=exc.hint)]
    except yaml.YAMLError as exc:  # a bad scalar such as an invalid timestamp
        return None, [_syntax_problem(exc, text, file)]
    finally:
        b.loader.dispose()
    src = Source(p, built, b.lines)
    problems = [
        Problem(msg, file=file, line=line, path=render_path(at) or None, code=code, hint=hint)
        for code, msg, at, line, hint in b.problems
    ]
    if not isinstance(built, dict):
        problems.append(
            Problem(
                "the top level must be a mapping",
                file=file,
                line=1,
                code="not_a_mapping",
                value=type(built).__name__,
                expected=expected,
            )
        )
    return src, problems


def load_yaml(
    path: str | Path,
    *,
    what: str,
    expected: str = "a mapping of keys to values",
    code: str = "spec_unreadable",
) -> Source:
    """:func:`read_yaml`, raising a :class:`SpecError` (``code``) that lists every problem;
    ``what`` names the file in the message ("release profile")."""
    src, problems = read_yaml(path, expected=expected)
    if src is None or problems:
        n = len(problems)
        raise SpecError(
            f"{path}: the {what} cannot be read ({n} problem{'s' if n != 1 else ''})",
            problems,
            code=code,
        )
    return src


def located_problems(
    exc: Any, src: Source | None, *, code: str, file: str | None = None
) -> list[Problem]:
    """Pydantic's validation errors as problems located in ``src`` (file, line, path, value)."""
    out = []
    for e in exc.errors():
        loc = tuple(x for x in e["loc"] if isinstance(x, (str, int)))
        value = e.get("input")
        out.append(
            Problem(
                e["msg"],
                file=str(src.path) if src is not None else file,
                line=src.line(loc) if src is not None else None,
                path=render_path(loc) or None,
                value=None if isinstance(value, (dict, list)) else value,
                code=code,
            )
        )
    return out
