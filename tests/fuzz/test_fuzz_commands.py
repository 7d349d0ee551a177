"""Every command of ``wbm`` on broken input of every class (cases in :mod:`.cases`): no traceback,
the documented exit code, a catalogued error code, nothing written outside the output folder, and
for ``validate`` every row read accepted or set aside."""

from __future__ import annotations

import os
import re

import pytest

from pipeline.commands.errors import known_codes
from pipeline.paths import REPO_ROOT

from . import cases as _cases  # noqa: F401 - registers the cases
from .harness import Env, invoke
from .registry import CASES, Case

#: the repository's spec folders: no command may write there
GUARDED = ("questionnaires", "releases", "weights", "examples", "reports")


def _repo_state() -> dict[str, int]:
    return {
        str(p): p.stat().st_mtime_ns
        for d in GUARDED
        for p in (REPO_ROOT / d).rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="module")
def repo_before() -> dict[str, int]:
    return _repo_state()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, fuzz_sources, tmp_path, capsys, monkeypatch, repo_before):
    env = Env(tmp_path / "case", fuzz_sources)
    argv = case.argv(env)
    before = env.snapshot()
    monkeypatch.chdir(env.cwd)
    result = invoke(argv, capsys)
    if os.environ.get("WBM_FUZZ_LOG"):  # to see what every case gave: WBM_FUZZ_LOG=FILE pytest ...
        with open(os.environ["WBM_FUZZ_LOG"], "a", encoding="utf-8") as log:
            found = re.findall(r"\(error code (\w+);", result.err)
            log.write(f"{case.id} {result.code} {found}\n")
    assert "Traceback" not in result.err + result.out
    assert result.code == case.exit, (result.code, result.err[-2000:])
    if result.code not in (0,):
        found = re.findall(r"\(error code (\w+);", result.err)
        if found:  # a PipelineError (click's own usage errors carry no code)
            assert found[0] in known_codes(), found
            if case.code is not None:
                assert found[0] == case.code, result.err[-2000:]
        else:
            assert result.code == 2 and "Usage:" in result.err, result.err[-2000:]
            assert "(error code" not in result.err
            assert case.code is None
    assert env.snapshot() == before, "written outside the output folder"
    assert not (tmp_path / "escaped-pwn").exists() and not any(tmp_path.parent.glob("*pwn*"))
    if case.check is not None:
        case.check(env, result)
    assert _repo_state() == repo_before


def _commands() -> set[str]:
    """Every command and sub-command of ``wbm``."""
    import click

    from pipeline.cli import cli

    ctx = click.Context(cli)
    out = set()
    for name in cli.list_commands(ctx):
        cmd = cli.get_command(ctx, name)
        if isinstance(cmd, click.Group):
            out |= {f"{name} {sub}" for sub in cmd.list_commands(ctx)}
        else:
            out.add(name)
    return out


def test_every_command_has_cases():
    """A command added to ``wbm`` (archive, datatool, fieldwork, plan, ...) needs hostile cases:
    one ``register(...)`` line each in tests/fuzz/cases.py."""
    covered = {c.command for c in CASES}
    assert _commands() - covered == set()
    assert covered - _commands() == set()
