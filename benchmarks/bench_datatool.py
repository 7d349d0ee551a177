"""Datatool speed under load: requests/s and latency (p50, p95, p99) at 20 concurrent users against
the real server (``wbm datatool serve``: Starlette under uvicorn, one process), over a 7-wave
archive. Goal (issue 18): a view answers well under 200 ms on a 2-core machine. Prints figures and
the server's memory before and after the load; no assertions.

    python benchmarks/bench_datatool.py [--archive DIR --release DIR] [--scale 0.1]
                                        [--users 20] [--seconds 20] [--out DIR]

Set-up: with ``--release`` an existing build (e.g. the demo's ``demo-output/datatool``); else the
release built (and its time printed, per series and wave, with the load average) over ``--archive``
(e.g. the demo's, three populations) or the synthetic history 2004-2023 (``pipeline.history``, 7
waves at ``--scale`` times their published size), as the demo builds it
(``pipeline.demo.build_demo_datatool``: each population's reference subset, every wave, filter). The
server is started as a user starts it, in its own process, on a free port.

Timed: ``--users`` threads, each with one keep-alive connection, request random views for
``--seconds`` (after a warm-up) from one mix per route: the page (``/``), the JSON (``/api/view``),
the CSV, the SVG chart, the xlsx workbook, and all of them mixed. A view is a random population,
indicator, breakdown (or none), filter (Flanders or one of the population's filters) and waves
(all, since a year, or the last). The load generator runs on the same 2 cores as the server, so the figures are
conservative.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GOAL_MS = 200.0
ROUTES = {
    "page": ("/",),
    "api": ("/api/view",),
    "csv": ("/download.csv",),
    "svg": ("/chart.svg",),
    "xlsx": ("/download.xlsx",),
    "mixed": ("/", "/api/view", "/download.csv", "/chart.svg", "/download.xlsx"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def views(release: Path, k: int, seed: int = 1) -> list[str]:
    """``k`` random view query strings from the release's choices."""
    from urllib.parse import urlencode

    from pipeline.datatool.space import ALL
    from pipeline.datatool.store import read_release

    store = read_release(release)
    rng = random.Random(seed)
    out = []
    choices = store.choices()
    for _ in range(k):
        c = choices[rng.choice(sorted(choices))]
        waves = c.waves
        pick = rng.random()
        if pick < 0.4 or len(waves) == 1:  # a survey of one wave (the enterprises)
            w = waves
        elif pick < 0.8:
            w = tuple(x for x in waves if x >= rng.choice(waves[:-1]))
        else:
            w = (waves[-1],)
        by = rng.choice(("", *c.breakdowns))
        out.append(
            urlencode(
                {
                    "population": c.population,
                    "indicator": rng.choice(c.indicators),
                    "breakdown": by,
                    # the filter's own breakdown is Flanders' (a sector is not broken down by sector)
                    "filter": ALL if by == c.filter_variable else rng.choice(c.filters),
                    "waves": ",".join(map(str, w)),
                    "lang": rng.choice(("nl", "en")),
                }
            )
        )
    return out


def start(release: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "datatool", "serve", "--release", str(release)]
            + ["--archive", str(release), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit(f"the server did not start: {log.read_text()}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load(
    port: int, paths: tuple[str, ...], queries: list[str], users: int, seconds: float
) -> tuple[int, int, list[float], float]:
    """(requests, errors, latencies in s, wall time) of ``users`` keep-alive clients."""
    stop_at = time.perf_counter() + seconds
    lat: list[list[float]] = [[] for _ in range(users)]
    errors = [0] * users

    def user(i: int) -> None:
        rng = random.Random(100 + i)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop_at:
            url = f"{rng.choice(paths)}?{rng.choice(queries)}"
            t0 = time.perf_counter()
            try:
                conn.request("GET", url)
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            lat[i].append(time.perf_counter() - t0)
            if not ok:
                errors[i] += 1
        conn.close()

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    flat = [x for xs in lat for x in xs]
    return len(flat), sum(errors), flat, wall


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def setup(args: argparse.Namespace, work: Path) -> Path:
    """The release to serve: ``--release``; else built (timed) over ``--archive`` or the synthetic
    history, as the demo builds it (:func:`pipeline.demo.build_demo_datatool`: every population of
    the archive with its reference subset, every wave, every filter, logged in a fresh
    publisher); prints the seconds per series and wave and the load average."""
    if args.release:
        return Path(args.release)
    from pipeline.demo import build_demo_datatool
    from pipeline.history import build_history
    from pipeline.sdc.publisher import init_publisher

    archive = Path(args.archive) if args.archive else None
    if archive is None:
        print(f"set-up: the synthetic history 2004-2023 at scale {args.scale} ...", flush=True)
        archive = build_history(work, scale=args.scale).archive
    policy = init_publisher(work / "publisher")
    print(f"set-up: the datatool release, load average {os.getloadavg()} ...", flush=True)
    dt = build_demo_datatool(work, archive, policy, None)
    print(
        f"set-up: {dt.tables} tables, {dt.cells:,} cells ({dt.suppressed:,} suppressed) built in "
        f"{dt.seconds:.1f} s; load average after: {os.getloadavg()}"
    )
    data = json.loads((dt.release / "datatool.json").read_text(encoding="utf-8"))
    for series, outs in data["outcomes"].items():
        waves = ", ".join(f"{o['wave']}: {o['tables']} tables {o['seconds']:.1f} s" for o in outs)
        print(f"  {series}: {waves}")
    return dt.release


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archive", help="an existing wave archive (default: the synthetic history)")
    ap.add_argument("--release", help="an existing datatool build (skips the set-up)")
    ap.add_argument("--scale", type=float, default=0.1, help="history size (1.0 = published)")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--out", help="work folder (default: a temporary one)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.out or tmp)
        work.mkdir(parents=True, exist_ok=True)
        release = setup(args, work)
        queries = views(release, 500)
        port = free_port()
        proc = start(release, port, work / "serve.log")
        try:
            before = rss_mb(proc.pid)
            load(port, ROUTES["mixed"], queries, 4, 3.0)  # warm-up
            warm = rss_mb(proc.pid)
            print(
                f"\n{args.users} concurrent users, {args.seconds:.0f} s per mix, one uvicorn "
                f"process; {os.cpu_count()} cores shared with the load generator"
            )
            print(
                f"{'mix':<7}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}"
                f"{'p99 ms':>8}{'max ms':>8}{'errors':>7}"
            )
            for name, paths in ROUTES.items():
                n, err, lat, wall = load(port, paths, queries, args.users, args.seconds)
                print(
                    f"{name:<7}{n:>9}{n / wall:>8.0f}{pct(lat, 0.5) * 1e3:>8.1f}"
                    f"{pct(lat, 0.95) * 1e3:>8.1f}{pct(lat, 0.99) * 1e3:>8.1f}"
                    f"{max(lat) * 1e3:>8.1f}{err:>7}"
                )
            after = rss_mb(proc.pid)
            # one request at a time (no queueing): what a single user waits
            n, err, lat, _ = load(port, ROUTES["mixed"], queries, 1, 5.0)
            print(
                f"single user, mixed: median {statistics.median(lat) * 1e3:.1f} ms, "
                f"p95 {pct(lat, 0.95) * 1e3:.1f} ms ({n} requests, {err} errors); "
                f"goal: well under {GOAL_MS:.0f} ms"
            )
            print(
                f"server memory (RSS): {before:.0f} MB at start, {warm:.0f} MB after the warm-up, "
                f"{after:.0f} MB after the load"
            )
        finally:
            stop(proc)


if __name__ == "__main__":
    main()
