"""The synthetic history's past waves in worker processes (``WBM_WORKERS``): the same bytes as one
wave after another in one process (waves, runs, the ledgers of their published figures, the
archive); a worker that dies is the located ``workers_failed``; too little memory keeps the waves in
one process."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import history
from pipeline.errors import PipelineError
from pipeline.workers import ENV
from tests.publisher_helpers import make_publisher
from tests.spies import DiesWhenLoaded, pools


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(".")  # the ledger's lock files
    }


def _built(root: Path, monkeypatch: pytest.MonkeyPatch, n: str, said: list[str]) -> history.History:
    monkeypatch.setenv(ENV, n)
    policy = make_publisher(root / "publisher", protect_reports=True)
    return history.build_history(
        root, years=(2016, 2019), scale=0.1, policy=policy, progress=said.append
    )


def test_the_history_is_the_same_bytes_in_one_process_and_in_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = pools(monkeypatch)
    monkeypatch.setattr("pipeline.workers.available_memory", lambda: 64 * 1024**3)
    said: list[str] = []
    one = _built(tmp_path / "one", monkeypatch, "1", said)
    assert started == []  # in this process
    two = _built(tmp_path / "two", monkeypatch, "2", said)
    assert started == [2]  # two worker processes, one per wave
    assert said == ["history 2016", "history 2019"] * 2

    assert [(w.year, w.invited, w.respondents, w.status) for w in one.waves] == [
        (w.year, w.invited, w.respondents, w.status) for w in two.waves
    ]
    a, b = _tree(tmp_path / "one"), _tree(tmp_path / "two")
    assert a.keys() == b.keys()
    assert any(k.startswith("publisher/") and k.endswith("tables.jsonl") for k in a)  # published
    assert any(k.startswith("archive/waves/") for k in a)
    assert [k for k in a if a[k] != b[k]] == []


def _slow_first(job: history._Job) -> tuple[int, int]:
    """A wave's stand-in in a worker process: the first ends only once the third has started (a
    mark in the folder), at most a minute; the others end at once."""
    import os
    import time

    if job.year == 2004:
        mark = job.base.parent / "2010.started"
        for _ in range(600):
            if mark.exists():
                break
            time.sleep(0.1)
    else:
        (job.base.parent / f"{job.year}.started").write_text("", encoding="utf-8")
    return job.year, os.getpid()


def test_the_waves_come_in_order_whichever_process_ends_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three waves in two processes, the first the slowest (it waits for the third): the third
    starts as soon as the second is done (said then, before the first ends), and the results come
    in the waves' order."""
    import os

    monkeypatch.setenv(ENV, "2")
    monkeypatch.setattr("pipeline.workers.available_memory", lambda: 64 * 1024**3)
    jobs = [
        history._Job("werknemers", y, 1, 0.1, tmp_path / str(y), None) for y in (2004, 2007, 2010)
    ]
    said: list[str] = []
    out = []
    for year, pid in history._waves(jobs, said.append, _slow_first):
        out.append(year)
        if year == 2004:
            assert said == ["history 2004", "history 2007", "history 2010"]  # 2010 began meanwhile
            assert (tmp_path / "2010.started").exists()
        assert pid != os.getpid()
    assert out == [2004, 2007, 2010]


def test_a_worker_that_dies_is_workers_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "2")
    monkeypatch.setattr("pipeline.workers.available_memory", lambda: 64 * 1024**3)
    jobs = [
        history._Job("werknemers", 2019, 1, DiesWhenLoaded(), tmp_path / "a", None),  # type: ignore[arg-type]
        history._Job("werknemers", 2016, 1, 0.1, tmp_path / "b", None),
    ]
    with pytest.raises(PipelineError, match="WBM_WORKERS=1") as err:
        list(history._waves(jobs, None))
    assert err.value.code == "workers_failed"


def test_too_little_memory_keeps_the_waves_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each worker may need :data:`history.WAVE_MEMORY`: with less than two of them free, the
    waves are built one after another in this process (in order, each said before it starts)."""
    monkeypatch.setenv(ENV, "4")
    monkeypatch.setattr("pipeline.workers.available_memory", lambda: 2 * history.WAVE_MEMORY - 1)
    ran: list[int] = []

    def fake(job: history._Job) -> tuple[int, int]:
        ran.append(job.year)
        return job.year, 1

    monkeypatch.setattr(history, "_past_wave", fake)
    said: list[str] = []
    jobs = [history._Job("werknemers", y, 1, 0.1, tmp_path / str(y), None) for y in (2016, 2019)]
    assert list(history._waves(jobs, said.append)) == [(2016, 1), (2019, 1)]
    assert ran == [2016, 2019]
    assert said == ["history 2016", "history 2019"]
