"""THE catalogue of user-visible codes (pipeline.errorcodes) and docs/errors.md.

The code base may only use catalogued codes, the catalogue holds no code the code base never uses,
and docs/errors.md is the catalogue's own rendering.
"""

from __future__ import annotations

import ast

from pipeline.commands.errors import family_rows, known_codes
from pipeline.errorcodes import CODES, render_markdown
from pipeline.paths import PACKAGE_DIR, REPO_ROOT

#: calls whose first positional argument is a code
_CODE_FIRST = {"Notice", "problem", "_Limit"}


def _used_codes() -> dict[str, list[str]]:
    """Every code literal in the package: ``code="..."`` arguments, ``code: str = "..."`` class
    defaults and the first argument of :data:`_CODE_FIRST` calls, with where each is used."""
    out: dict[str, list[str]] = {}
    for f in sorted(PACKAGE_DIR.rglob("*.py")):
        where = str(f.relative_to(REPO_ROOT))
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            lits: list[ast.expr] = []
            if isinstance(node, ast.Call):
                fn = node.func
                name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
                lits += [kw.value for kw in node.keywords if kw.arg == "code"]
                if name in _CODE_FIRST and node.args:
                    lits.append(node.args[0])
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):  # def f(code="x")
                args = node.args.args + node.args.kwonlyargs
                defaults: list[ast.expr | None] = [None] * (
                    len(node.args.args) - len(node.args.defaults)
                )
                defaults += list(node.args.defaults) + list(node.args.kw_defaults)
                lits += [d for a, d in zip(args, defaults, strict=True) if a.arg == "code" and d]
            elif (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.target.id == "code"
                and node.value is not None
            ):
                lits.append(node.value)
            while lits:
                lit = lits.pop()
                if isinstance(lit, ast.IfExp):  # code="a" if ... else "b"
                    lits += [lit.body, lit.orelse]
                elif isinstance(lit, ast.Constant) and isinstance(lit.value, str):
                    out.setdefault(lit.value, []).append(f"{where}:{getattr(node, 'lineno', 0)}")
    return out


def test_every_code_the_package_uses_is_catalogued():
    used = _used_codes()
    assert len(used) > 100  # the scan finds the codes (it could silently find none)
    unknown = {c: w for c, w in used.items() if c not in known_codes()}
    assert not unknown, f"catalogue these codes in pipeline/errorcodes.py: {unknown}"


def test_no_catalogued_code_is_stale():
    """Each code of the registry appears as a literal somewhere in the package (not only in the
    registry), so the catalogue documents codes that can actually occur."""
    text = "\n".join(
        f.read_text(encoding="utf-8")
        for f in PACKAGE_DIR.rglob("*.py")
        if f.name != "errorcodes.py"
    )
    stale = sorted(c for c in CODES if f'"{c}"' not in text)
    assert not stale, f"codes no longer used anywhere: {stale}"


def test_docs_errors_md_is_the_registry():
    doc = REPO_ROOT / "docs" / "errors.md"
    assert doc.read_text(encoding="utf-8") == render_markdown(family_rows()), (
        "regenerate: wbm errors --markdown > docs/errors.md"
    )


def test_every_entry_says_something():
    for c in CODES.values():
        assert c.code.isidentifier() and c.code == c.code.lower(), c.code
        assert c.title and c.meaning.endswith("."), c.code
