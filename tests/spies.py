"""Spies for tests: calls of the engine recorded while it still runs."""

from __future__ import annotations

import pytest


def protect_space_calls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every later call of :func:`pipeline.sdc.tables.space.protect_space` (its ``exact``, in
    order), the engine still run: an empty list means nothing was protected again."""
    import pipeline.sdc.tables.space as space

    calls: list[bool] = []
    real = space.protect_space

    def spy(*args: object, exact: bool = False, **kwargs: object) -> list[str]:
        calls.append(exact)
        return real(*args, exact=exact, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(space, "protect_space", spy)
    return calls


def pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of processes of every later pool of worker processes (in order), the pools still
    started: an empty list means everything ran in the calling process."""
    import concurrent.futures

    started: list[int] = []
    real = concurrent.futures.ProcessPoolExecutor

    class Spy(real):  # type: ignore[misc,valid-type]
        def __init__(self, n: int, *args: object, **kwargs: object) -> None:
            started.append(n)
            super().__init__(n, *args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Spy)
    return started


class DiesWhenLoaded:
    """Unpickled in a worker process, it ends that process (as the kernel's OOM killer would)."""

    def __reduce__(self) -> tuple[object, tuple[int]]:
        import os

        return os._exit, (3,)
