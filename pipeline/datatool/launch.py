"""Start ``wbm datatool serve`` in the background and wait until it answers (the demo's last step).

The server runs in its own session (it outlives the command that started it, like ``nohup``), its
output goes to a log file and its process id to a pid file, both in the folder given (the demo's
output folder). A busy port is not an error while a free one is near: the next ports are tried and
the one taken is said. A server this function started earlier for the same release (its pid file,
and a process whose command line is that server's) is stopped first, so rerunning the demo does
not leave the old figures online on the old port.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import Problem, UsageError

PID_FILE = "datatool-server.pid"
LOG_FILE = "datatool-server.log"
PORT_TRIES = 20  # ports tried from the one asked for
START_TIMEOUT = 90.0  # seconds the server may take to answer its page
#: Servers started by this process, kept so that they are not reported as leaked when the command
#: ends (they are meant to outlive it) and are reaped when :func:`stop` stops them.
_STARTED: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class Running:
    """A datatool server started in the background."""

    url: str
    pid: int
    port: int
    asked_port: int
    pid_file: Path
    log: Path

    def render(self) -> list[str]:
        lines = [f"datatool running:   {self.url} (process {self.pid}; log {self.log})"]
        if self.port != self.asked_port:
            lines.append(
                f"                    port {self.asked_port} was busy, so it took {self.port} "
                "(another port: --port N or WBM_DATATOOL_PORT=N)"
            )
        lines.append(f"stop it:            kill $(cat {self.pid_file})")
        return lines


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _is_our_server(pid: int, release: Path) -> bool:
    """Whether process ``pid`` is a ``wbm datatool serve`` of ``release`` (Linux: /proc)."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    words = [a.decode("utf-8", "replace") for a in args]
    return "datatool" in words and "serve" in words and str(release) in words


def reap() -> None:
    """Reap the servers this process started that have ended since (stopped with the printed
    ``kill`` command, say), so none is left as a zombie or reported as still running at exit."""
    for pid, proc in list(_STARTED.items()):
        if proc.poll() is not None:
            del _STARTED[pid]


def stop(pid_file: Path, release: Path, *, timeout: float = 15.0) -> bool:
    """Stop the server a pid file names when it is that release's server; remove the pid file.
    Returns whether a server was stopped."""
    reap()
    try:
        pid = int(pid_file.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return False
    stopped = False
    if _is_our_server(pid, release):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)  # its own session: the group is the server
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _is_our_server(pid, release):
            time.sleep(0.1)
        if _is_our_server(pid, release):
            os.killpg(pid, signal.SIGKILL)
        proc = _STARTED.pop(pid, None)
        if proc is not None:  # started by this process: reap it
            proc.wait(timeout=timeout)
        stopped = True
    pid_file.unlink(missing_ok=True)
    return stopped


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as r:
            return bool(r.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def start(
    archive: Path,
    release: Path,
    folder: Path,
    *,
    port: int = 8000,
    host: str = "127.0.0.1",
    tries: int = PORT_TRIES,
    timeout: float = START_TIMEOUT,
) -> Running:
    """Start the server over ``release`` on ``port`` or the next free one (up to ``tries``
    ports), in the background; return once its page answers 200. ``datatool_port_busy`` when no
    port is free, ``datatool_not_started`` when it does not answer in ``timeout`` seconds (the
    log's last lines in the message)."""
    release, archive = release.resolve(), archive.resolve()
    pid_file, log = folder / PID_FILE, folder / LOG_FILE
    stop(pid_file, release)
    last = min(port + tries, 65536)
    candidates = [p for p in range(port, last) if port_free(host, p)]
    if not candidates:
        raise UsageError(
            f"no free port for the datatool: {port}-{last - 1} are all in use",
            [
                Problem(
                    f"ports {port}-{last - 1} on {host}",
                    expected="a free port",
                    hint="pick another with --port N (or WBM_DATATOOL_PORT=N)",
                )
            ],
            code="datatool_port_busy",
        )
    for p in candidates[:3]:  # another program may take a port between the check and the start
        with log.open("wb") as out:  # the child keeps its own handle
            proc = subprocess.Popen(
                [sys.executable, "-m", "pipeline", "datatool", "serve"]
                + ["--archive", str(archive), "--release", str(release)]
                + ["--port", str(p), "--host", host],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        url = f"http://{host}:{p}/"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            if _answers(url):
                pid_file.write_text(f"{proc.pid}\n", encoding="utf-8")
                _STARTED[proc.pid] = proc
                return Running(url, proc.pid, p, port, pid_file, log)
            time.sleep(0.25)
        if proc.poll() is None:  # alive but silent: give up
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
            break
        if "address already in use" not in log.read_text(encoding="utf-8", errors="replace"):
            break
    tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
    raise UsageError(
        f"the datatool did not answer on {host} within {timeout:.0f} s; see {log}",
        [Problem(line) for line in tail] or [Problem("no output")],
        code="datatool_not_started",
    )
