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
