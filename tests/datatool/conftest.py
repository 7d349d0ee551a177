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
