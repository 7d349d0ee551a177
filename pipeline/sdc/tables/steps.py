"""The exact check's steps, in worker processes when there are many.

The exact check of a space (:func:`pipeline.sdc.tables.space._sequential`) checks the breakdowns'
tables one after another, each against the earlier releases and the breakdowns before it, as a
request is checked against the ledger. Each step depends only on the statuses the pass starts
with, so the steps are independent: :func:`findings_in_order` runs them in a pool of processes and
gives their findings in step order (the caller stops at the first step with a blocking finding;
the steps running beside it are dropped). A step goes to a process as soon as one is free
(:func:`pipeline.workers.in_order`): one long step (a search of many minutes) holds up its own
process only, while the others go on with the steps after it. The findings are the same as in one
process: every step is the same deterministic computation (one BLAS thread, HiGHS without
randomness), wherever it runs.

Processes, not threads: HiGHS instances solving at once in several threads of one process are not
safe in every release (segmentation faults were fixed as late as 2026), and the search spends its
time in HiGHS. The pool's processes are started by a fork server (a fresh interpreter that holds no
threads of the caller: a fork of a process whose BLAS and HiGHS threads are running can hang) with
the engine imported once (:func:`pipeline.workers.pool`); each process gets the pass's cells once
(its initializer), a step only its number.

Measured on the small demo wave's report figures with ``exact_reports`` (507 steps, 2-core VM):
the steps took half the wall-clock time with two processes (``benchmarks/README.md``).
``WBM_WORKERS`` sets the number of processes (1: every step in the calling process); default the
CPUs the process may use, at most :data:`MAX_WORKERS` (:func:`pipeline.workers.workers`). Fewer
than :data:`MIN_STEPS` steps run in the calling process (starting the pool costs about a second).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping, Sequence
from typing import Any

from pipeline.errors import DisclosureError
from pipeline.sdc.tables.history import Finding, ReleasedCell
from pipeline.sdc.tables.rules import PrimaryRules
from pipeline.workers import ENV, MAX_WORKERS, in_order, workers

__all__ = ["ENV", "MAX_WORKERS", "MIN_STEPS", "findings_in_order", "workers"]

MIN_STEPS = 8

_State = tuple[
    Sequence[Sequence[ReleasedCell]],
    Sequence[ReleasedCell],
    Sequence[int],
    Mapping[str, Any],
    PrimaryRules,
    Mapping[str, Any] | None,
]
_STATE: _State | None = None  # in a worker: the pass's cells (set once by _start)


def findings_in_order(
    steps: Sequence[tuple[str, Sequence[ReleasedCell]]],
    history: Sequence[ReleasedCell],
    columns: Mapping[str, Any],
    rules: PrimaryRules,
    contributions: Mapping[str, Any] | None = None,
) -> Generator[tuple[Finding, ...], None, None]:
    """Each step's findings, in step order: the cells of step ``k`` (``(release, cells)``, the
    cells as a new release) checked by
    :func:`pipeline.sdc.tables.history.check_against_history` (``exhaustive=False``) against
    ``history`` and the cells of the steps before ``k`` (as the releases they name). Stop
    iterating (close the iterator) to drop the steps not taken yet; an error of a step is raised
    when its turn comes."""
    from dataclasses import replace

    before = [*history, *(replace(c, release=name) for name, cells in steps for c in cells)]
    starts = [len(history)]
    for _, cells in steps[:-1]:
        starts.append(starts[-1] + len(cells))
    news = [cells for _, cells in steps]
    state: _State = (news, before, starts, columns, rules, contributions)
    n = workers()
    if n == 1 or len(steps) < MIN_STEPS:
        for k in range(len(steps)):
            yield _check(k, state)
        return
    yield from _in_pool(state, min(n, len(steps)))


def _in_pool(state: _State, n: int) -> Iterator[tuple[Finding, ...]]:
    from pipeline.sdc.tables.groups import quiet_highs

    quiet_highs()  # the banner of HiGHS off this process's standard output before any fork

    def stopped(what: str) -> DisclosureError:  # a process died (memory, a signal): fail closed
        return DisclosureError(
            f"a worker process of the exact check stopped ({what}): nothing of this release is "
            f"published; run again, or set {ENV}=1 to check in one process",
            code="check_workers_failed",
        )

    steps = range(len(state[0]))
    preload = ["pipeline.sdc.tables.steps"]
    yield from in_order(
        steps,
        _step,
        n,
        preload=preload,
        said=None,
        stopped=stopped,
        initializer=_start,
        initargs=(state,),
    )


def _start(state: _State) -> None:
    global _STATE
    from pipeline.sdc.tables.groups import quiet_highs

    quiet_highs()
    _STATE = state


def _step(k: int) -> tuple[Finding, ...]:
    assert _STATE is not None, "the pool's initializer sets the pass's cells"
    return _check(k, _STATE)


def _check(k: int, state: _State) -> tuple[Finding, ...]:
    from pipeline.sdc.tables.history import check_against_history

    steps, before, starts, columns, rules, contributions = state
    return check_against_history(
        steps[k],
        before[: starts[k]],
        columns,
        rules,
        contributions=contributions,
        exhaustive=False,
    )
