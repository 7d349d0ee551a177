"""How many worker processes the pipeline may start (``WBM_WORKERS``), and their pool.

Two parts of the pipeline run independent work in processes: the exact check's steps
(:mod:`pipeline.sdc.tables.steps`) and the past waves of a synthetic history
(:mod:`pipeline.history`). Both take their number from ``WBM_WORKERS`` (1: everything in the
calling process; default the CPUs the process may use, at most :data:`MAX_WORKERS`) and start them
from a fork server: a fresh interpreter that holds none of the caller's threads (a fork of a process
whose BLAS or HiGHS threads are running can hang).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pipeline.errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import ProcessPoolExecutor

MAX_WORKERS = 8
ENV = "WBM_WORKERS"


def workers() -> int:
    """The number of worker processes: ``WBM_WORKERS`` if set (a whole number from 1), else the
    CPUs this process may run on, at most :data:`MAX_WORKERS`."""
    raw = os.environ.get(ENV, "").strip()
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise UsageError(
                f"{ENV}={raw!r} is not a number of processes: set a whole number from 1 "
                f"(1: no worker processes, everything in the calling process) or unset it",
                code="bad_option",
            )
        return int(raw)
    return max(1, min(len(os.sched_getaffinity(0)), MAX_WORKERS))


def available_memory() -> int | None:
    """The memory the system can give without swapping, in bytes (``MemAvailable`` of
    ``/proc/meminfo``); None where it cannot be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def pool(
    n: int, preload: list[str], initializer: Callable[..., None], initargs: tuple[Any, ...] = ()
) -> ProcessPoolExecutor:
    """A pool of ``n`` worker processes forked from a fork server that has imported ``preload``
    once; each process starts with the caller's environment as it is now (the fork server keeps
    the one it was started with, maybe by an earlier pool) and then runs ``initializer``."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(preload)
    return ProcessPoolExecutor(
        n, mp_context=ctx, initializer=_start, initargs=(dict(os.environ), initializer, initargs)
    )


def _start(env: dict[str, str], initializer: Callable[..., None], args: tuple[Any, ...]) -> None:
    os.environ.clear()
    os.environ.update(env)
    initializer(*args)
