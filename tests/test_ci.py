"""CI runs the gates: set-up, lint, format, types and layers before the test suite, and stops at the
first failure (``.ci/run``)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CI = ROOT / ".ci" / "run"

GATES = [
    ("set-up", "bash scripts/setup.sh --test"),
    ("lint", ".venv/bin/ruff check ."),
    ("format", ".venv/bin/ruff format --check ."),
    ("types", ".venv/bin/mypy"),
    ("layers", ".venv/bin/python -m pytest -q -p no:cacheprovider tests/test_layers.py"),
    ("tests", "bash scripts/test.sh -q"),
]


def _steps() -> list[tuple[str, str]]:
    out = []
    for line in CI.read_text(encoding="utf-8").splitlines():
        m = re.fullmatch(r"step (\S+) (.+)", line.strip())
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def test_ci_runs_every_gate_in_order() -> None:
    assert _steps() == GATES


def test_contributing_lists_the_same_gates() -> None:
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "bash .ci/run" in text
    for _, command in GATES:
        core = command.replace(" -p no:cacheprovider", "")
        assert core in text, f"CONTRIBUTING.md does not show the gate: {core}"


def test_mypy_and_ruff_take_their_configuration_from_pyproject() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "[tool.mypy]" in text and "[tool.ruff" in text
    assert re.search(r'files = \["pipeline", "tests", "benchmarks"\]', text)


def _step_function() -> str:
    text = CI.read_text(encoding="utf-8")
    start = text.index("step() {")
    end = text.index("\n}\n", start) + 3
    return "set -euo pipefail\n" + text[start:end]


def test_a_failing_step_stops_the_run_with_its_name() -> None:
    script = _step_function() + "step first true\nstep broken false\necho after\n"
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
    assert r.returncode == 1
    assert "after" not in r.stdout
    assert "ci: == first: true" in r.stdout
    assert "FAILED at step 'broken' (exit 1)" in r.stderr


def test_passing_steps_run_through() -> None:
    script = _step_function() + "step one true\nstep two true\necho after\n"
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.rstrip().endswith("after")
