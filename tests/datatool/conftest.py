"""A small two-wave archive (2019, 2023; synthetic, a tenth of the sample sizes), a publisher, and
the datatool's release over three indicators (every breakdown and filter), built once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

INDICATORS = ("werkstress", "werkbaar_werk", "aantal_problemen")


@pytest.fixture(scope="session")
def dt_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    from pipeline.archive.api import open_archive
    from pipeline.datatool.precompute import build_release
    from pipeline.datatool.store import Store, write_release
    from pipeline.history import build_history
    from pipeline.sdc.publisher import init_publisher, publisher

    root = tmp_path_factory.mktemp("datatool")
    h = build_history(root, years=(2019, 2023), scale=0.1)
    policy = init_publisher(root / "publisher")
    pub = publisher(policy)
    archive = open_archive(h.archive)
    rel = build_release(archive, pub, indicators=INDICATORS, logged_at="2026-01-01T00:00:00Z")
    out = write_release(rel, root / "release")
    return {
        "root": root,
        "archive": h.archive,
        "policy": policy,
        "publisher": pub,
        "release": rel,
        "file": out,
        "store": Store.from_release(rel),
    }


@pytest.fixture(scope="session")
def client(dt_env: dict[str, object]):
    from starlette.testclient import TestClient

    from pipeline.datatool.app import create_app

    with TestClient(create_app(dt_env["store"]), raise_server_exceptions=False) as c:  # type: ignore[arg-type]
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(release: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """``wbm datatool serve`` as a user starts it (uvicorn), answering on ``port`` when returned."""
    with log.open("wb") as out:  # the child keeps its own handle
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "datatool", "serve", "--release", str(release)]
            + ["--archive", str(release), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server stopped: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError(f"the server did not answer within 60 s: {log.read_text()}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="session")
def server(dt_env: dict[str, object]) -> Iterator[str]:
    """The real server (``wbm datatool serve`` under uvicorn) over the session's release; its URL."""
    release = Path(str(dt_env["file"])).parent
    port = free_port()
    log = Path(str(dt_env["root"])) / "serve.log"
    proc = start_server(release, port, log)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(proc)


@pytest.fixture(scope="session")
def demo_env(
    dt_env: dict[str, object], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    """The demo's datatool over three populations, as ``wbm demo`` builds it
    (:func:`pipeline.demo.build_demo_datatool`, each population's reference subset): the session's
    employees' archive (2019, 2023) copied, plus the self-employed 2023 (a fifth of the sample) and
    the enterprise survey 2025 (its one wave)."""
    import shutil

    from pipeline.archive.store import add_run
    from pipeline.datatool.store import read_release
    from pipeline.demo import build_demo_datatool
    from pipeline.history import PAST_STAGES, build_history
    from pipeline.runner import Run, RunConfig, run_stages
    from pipeline.sdc.publisher import init_publisher
    from pipeline.synth.wave import generate_wave

    root = tmp_path_factory.mktemp("datatool-demo")
    archive = root / "archive"
    shutil.copytree(Path(str(dt_env["archive"])), archive)
    build_history(root, population="zelfstandigen", years=(2023,), scale=0.2, archive=archive)
    generate_wave(root / "oe" / "wave", size=None, seed=2025, questionnaire="oe-2025")
    run_stages(Run(root / "oe" / "run", RunConfig.from_wave_dir(root / "oe" / "wave")), PAST_STAGES)
    add_run(archive, root / "oe" / "run")
    policy = init_publisher(root / "publisher")
    dt = build_demo_datatool(root, archive, policy, None)
    store = read_release(dt.release)
    return {"root": root, "archive": archive, "datatool": dt, "store": store}


@pytest.fixture(scope="session")
def demo_client(demo_env: dict[str, object]):
    from starlette.testclient import TestClient

    from pipeline.datatool.app import create_app

    with TestClient(create_app(demo_env["store"]), raise_server_exceptions=False) as c:  # type: ignore[arg-type]
        yield c


@pytest.fixture(scope="session")
def demo_server(demo_env: dict[str, object]) -> Iterator[str]:
    """The demo's datatool started as ``wbm demo --serve`` starts it (in the background, pid file
    and log in the demo's folder); stopped at the end."""
    from pipeline.datatool.launch import start, stop

    root = Path(str(demo_env["root"]))
    release = demo_env["datatool"].release  # type: ignore[attr-defined]
    running = start(Path(str(demo_env["archive"])), release, root, port=free_port())
    try:
        yield running.url.rstrip("/")
    finally:
        stop(running.pid_file, Path(release).resolve())
