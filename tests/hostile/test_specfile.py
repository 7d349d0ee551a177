"""The one safe YAML reader (pipeline.specfile) and every spec reader built on it.

Each hostile document is refused by every reader of the project's YAML files, with a located
problem carrying a stable code; none of them is silently accepted or runs without end.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.errors import PipelineError
from pipeline.specfile import MAX_BYTES, MAX_DEPTH, read_yaml

BOMB = (
    "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
    )
    + "z: *i\n"
)


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    p = tmp_path / name
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


def _codes(path: Path) -> list[str | None]:
    src, problems = read_yaml(path)
    return [p.code for p in problems]


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("k: 5\nname: x\nk: 3\n", "duplicate_key", 3),
        ("a:\n  b: 1\n  b: 2\n", "duplicate_key", 3),
        ("base: &b {k: 5}\nother:\n  <<: *b\n", "yaml_merge_key", 3),
        ("x: !!python/object:os.system {}\n", "yaml_tag", 1),
        ("x: !!python/name:os.system\n", "yaml_tag", 1),
        ("x: !custom 3\n", "yaml_tag", 1),
        ("? [a, b]\n: 1\n", "bad_key", 1),
        ("- 1\n- 2\n", "not_a_mapping", 1),
        ("k: [1, 2\n", "yaml_syntax", None),
        ("k: 'a\x07b'\n", "yaml_syntax", 1),
        ("a: 1\n---\nb: 2\n", "yaml_syntax", None),
        ("", "not_a_mapping", 1),
    ],
)
def test_structural_problems_are_located(tmp_path, text, code, line):
    p = _write(tmp_path, "f.yaml", text)
    src, problems = read_yaml(p)
    assert code in [q.code for q in problems]
    prob = next(q for q in problems if q.code == code)
    assert prob.file == str(p)
    if line is not None:
        assert prob.line == line


def test_duplicate_key_names_both_lines(tmp_path):
    p = _write(tmp_path, "f.yaml", "k: 5\nname: x\nk: 3\n")
    _, problems = read_yaml(p)
    assert problems[0].path == "k" and "line 1" in problems[0].message


def test_alias_bomb_stops_fast(tmp_path):
    """10^9 values if expanded: refused after the cap, not after the heat death of the machine."""
    p = _write(tmp_path, "bomb.yaml", BOMB)
    src, problems = read_yaml(p)
    assert src is None and [q.code for q in problems] == ["yaml_too_large"]


def test_aliases_within_the_cap_are_expanded(tmp_path):
    p = _write(tmp_path, "ok.yaml", "a: &a [1, 2]\nb: *a\n")
    src, problems = read_yaml(p)
    assert not problems and src is not None and src.data == {"a": [1, 2], "b": [1, 2]}


def test_document_size_cap(tmp_path):
    p = _write(tmp_path, "big.yaml", b"k: " + b"x" * (MAX_BYTES + 1) + b"\n")
    assert _codes(p) == ["yaml_too_large"]


def test_nesting_cap(tmp_path):
    deep = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    assert _codes(_write(tmp_path, "deep.yaml", f"k: {deep}\n")) == ["yaml_too_deep"]
    deeper = "[" * 5000 + "]" * 5000  # past libyaml's own limit
    assert _codes(_write(tmp_path, "deeper.yaml", f"k: {deeper}\n")) in (
        ["yaml_syntax"],
        ["yaml_too_deep"],
    )


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (codecs.BOM_UTF16_LE + "k: 5\n".encode("utf-16-le"), "UTF-16"),
        (codecs.BOM_UTF16_BE + "k: 5\n".encode("utf-16-be"), "UTF-16"),
        ("k: 5\nname: abc\n".encode("utf-16-le"), "UTF-16"),
        (codecs.BOM_UTF32_LE + "k: 5\n".encode("utf-32-le"), "UTF-32"),
        ("k: 5\nlabel: Café\n".encode("latin-1"), "Latin-1"),
        (b"PK\x03\x04\x14\x00\x00\x00binary", "not text"),
    ],
)
def test_other_encodings_are_refused_with_a_location(tmp_path, data, says):
    p = _write(tmp_path, "f.yaml", data)
    src, problems = read_yaml(p)
    assert src is None and [q.code for q in problems] == ["not_utf8"]
    assert says in problems[0].message and problems[0].line is not None
    assert "UTF-8" in (problems[0].hint or "")


def test_latin1_is_located_at_its_line_and_column(tmp_path):
    p = _write(tmp_path, "f.yaml", "k: 5\nlabel: Café\n".encode("latin-1"))
    (prob,) = read_yaml(p)[1]
    assert prob.line == 2 and "column 11" in prob.message


def test_utf8_bom_is_accepted(tmp_path):
    src, problems = read_yaml(_write(tmp_path, "f.yaml", codecs.BOM_UTF8 + b"k: 5\n"))
    assert not problems and src is not None and src.data == {"k": 5}


def test_folder_and_missing_file(tmp_path):
    assert _codes(tmp_path) == ["file_unreadable"]
    assert _codes(tmp_path / "nope.yaml") == ["file_not_found"]


# -- every reader of a YAML file in the project goes through the safe reader ---------------------


def _profile(p: Path) -> object:
    from pipeline.sdc.microdata.profile import load_profile

    return load_profile(p)


def _request(p: Path) -> object:
    from pipeline.tables.request import read_request

    return read_request(p)


def _questionnaire(p: Path) -> object:
    from pipeline.questionnaire.load import load_questionnaire

    return load_questionnaire(p)


def _synth_model(p: Path) -> object:
    from pipeline.synth.config import load_model

    return load_model(p)


def _margins_meta(p: Path) -> object:
    from pipeline.weighting.margins import load_margins

    csv = p.with_suffix(".csv")
    csv.write_text("variable,level,total\nsex,1,10\nsex,2,12\n", encoding="utf-8")
    return load_margins(csv)


READERS: dict[str, Callable[[Path], object]] = {
    "release profile": _profile,
    "table request": _request,
    "questionnaire": _questionnaire,
    "synthetic model": _synth_model,
    "margins metadata": _margins_meta,
}
HOSTILE = {
    "duplicate_key": ("kind: x\nk: 5\nk: 3\n", "duplicate_key"),
    "alias_bomb": (BOMB, "yaml_too_large"),
    "utf16": (codecs.BOM_UTF16_LE + "kind: x\n".encode("utf-16-le"), "not_utf8"),
    "latin1": ("kind: x\nlabel: Café\n".encode("latin-1"), "not_utf8"),
    "binary": (b"\x00\x01\x02PK\x03\x04", "not_utf8"),
    "python_tag": ("kind: !!python/object/apply:os.system ['true']\n", "yaml_tag"),
}


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_every_yaml_reader_refuses(tmp_path, reader, case):
    data, code = HOSTILE[case]
    p = _write(tmp_path, "spec.yaml", data)
    with pytest.raises(PipelineError) as exc:
        READERS[reader](p)
    assert code in [q.code for q in exc.value.problems], exc.value.render()
