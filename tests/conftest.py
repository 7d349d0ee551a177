"""Shared fixtures: one small synthetic wave run through the whole pipeline, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from .publisher_helpers import make_publisher, unprotected_demo

SMALL_INVITED = 13_000  # about 2,900 respondents
SMALL_SEED = 2023


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory):
    """The demo on a small wave (about 3,000 respondents): ``(DemoResult, out_dir)``."""
    from pipeline.demo import run_demo

    out = tmp_path_factory.mktemp("demo")
    unprotected_demo(out)  # the report tests read every figure
    return run_demo(out, size=SMALL_INVITED, seed=SMALL_SEED), out


@pytest.fixture(scope="session")
def small_run_dir(small_demo) -> Path:
    return small_demo[0].run_dir


@pytest.fixture(autouse=True)
def policy_file(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test publishes under its own publisher (``$WBM_POLICY``): a fresh ledger, the test
    registry. A run made by the session's demo names the demo's own publisher in its manifest; the
    environment variable comes first, so no test writes into another's history."""
    policy = make_publisher(tmp_path_factory.mktemp("publisher"))
    monkeypatch.setenv("WBM_POLICY", str(policy))
    return policy
