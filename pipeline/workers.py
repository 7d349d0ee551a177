"""How many worker processes the pipeline may start (``WBM_WORKERS``), and their pool.

Three parts of the pipeline run independent work in processes: the exact check's steps
(:mod:`pipeline.sdc.tables.steps`), the past waves of a synthetic history (:mod:`pipeline.history`)
and the datatool's waves (:mod:`pipeline.datatool.precompute`). They take their number from
``WBM_WORKERS`` (1: everything in the calling process; default the CPUs the process may use, at most
:data:`MAX_WORKERS`) and start them from a fork server: a fresh interpreter that holds none of the
caller's threads (a fork of a process whose BLAS or HiGHS threads are running can hang).

A wave's work (the history's, the datatool's) runs with one BLAS thread wherever it runs
(:func:`one_blas_thread`, :func:`one_process`), so that its results are the same bytes in one
process or several and on any number of CPUs; :func:`in_order` hands the waves out to the processes
and gives their results in order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pipeline.errors import PipelineError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import ProcessPoolExecutor

MAX_WORKERS = 8
ENV = "WBM_WORKERS"

J = TypeVar("J")
R = TypeVar("R")


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


def in_order(
    jobs: Sequence[J],
    work: Callable[[J], R],
    n: int,
    *,
    preload: list[str],
    said: Callable[[J], None] | None,
    stopped: Callable[[str], PipelineError],
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
    first: Sequence[int] | None = None,
) -> Iterator[R]:
    """``work(job)`` for each job in ``n`` worker processes (:func:`pool`, each started with
    ``initializer(*initargs)``, default :func:`one_process`), the results in the jobs' order. A job
    is handed to a process as soon as one is free (and ``said`` then), so a long job holds up no
    process but its own; a result waits for the jobs before it. ``first``: the jobs' numbers in the
    order they are handed out (default their own order; the longest first keeps the processes
    busy to the end). A worker process that stops (out of memory, killed) raises ``stopped(what
    happened)``; an error in ``work`` is raised when its turn comes. Closing the iterator drops the
    jobs not handed out yet; the pool is shut down however the caller stops."""
    from collections import deque
    from concurrent.futures import FIRST_COMPLETED, Future, wait
    from concurrent.futures.process import BrokenProcessPool

    processes = pool(n, preload, initializer or one_process, initargs)
    try:
        order = range(len(jobs)) if first is None else first
        if sorted(order) != list(range(len(jobs))):
            raise ValueError(f"first={list(order)} is not an order of the {len(jobs)} jobs")
        waiting = deque((i, jobs[i]) for i in order)
        running: dict[Future[R], int] = {}
        finished: dict[int, Future[R]] = {}
        for k in range(len(jobs)):
            while k not in finished:
                while waiting and len(running) < n:  # a job is said when a process takes it
                    i, job = waiting.popleft()
                    if said:
                        said(job)
                    running[processes.submit(work, job)] = i
                ready, _ = wait(running, return_when=FIRST_COMPLETED)
                for f in ready:
                    finished[running.pop(f)] = f
            done = finished.pop(k).result()  # its error, if any, in its turn
            yield done
    except BrokenProcessPool as exc:
        raise stopped(str(exc)) from None
    finally:
        processes.shutdown(wait=True, cancel_futures=True)


def waves_in_order(
    jobs: Sequence[J],
    work: Callable[[J], R],
    *,
    memory: int,
    preload: list[str],
    said: Callable[[J], None] | None,
    stopped: Callable[[str], PipelineError],
    here: Callable[[J], R] | None = None,
    first: Sequence[int] | None = None,
    apart: bool = True,
) -> Iterator[R]:
    """A wave's work for each wave (the history's, the datatool's), the results in the waves' order:
    in worker processes (:func:`in_order`: ``WBM_WORKERS``, at most one per wave and one per
    ``memory`` bytes of available memory), or one after another in this process where that leaves
    one, or with ``apart=False`` (``here``: the work in this process, default ``work``); with one
    BLAS thread either way (:func:`one_blas_thread`), so the results are the same bytes wherever
    they are computed. A wave is ``said`` when it starts."""
    n = min(workers(), len(jobs))
    free = available_memory()
    if free is not None:
        n = min(n, max(1, free // memory))
    if n <= 1 or not apart:
        local = here or work
        for job in jobs:
            if said:
                said(job)
            with one_blas_thread():
                done = local(job)
            yield done
        return
    yield from in_order(jobs, work, n, preload=preload, said=said, stopped=stopped, first=first)


def one_process() -> None:
    """A wave's worker process: one BLAS thread (:func:`one_blas_thread`) and the exact check's
    steps in its own process (the waves already use the CPUs)."""
    one_blas_thread()
    os.environ[ENV] = "1"


def one_blas_thread() -> Any:
    """Limit BLAS to one thread (for good, or in a ``with`` block). A wave is computed with one
    wherever it runs: the sums of several BLAS threads are split by their number, so their last bits
    would depend on the CPUs and on ``WBM_WORKERS`` (with one, a wave's results are the same bytes on
    any machine and in any number of processes). A second thread gained nothing: 45.5 s with two,
    46.1 s with one, for a full-size employees wave run to its estimates on a 2-core VM."""
    import numpy  # noqa: F401  (loaded, so that the limit reaches its BLAS)
    import scipy.linalg  # noqa: F401
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")  # as the disclosure checks do
