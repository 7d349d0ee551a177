"""The datatool's waves protected in worker processes (``WBM_WORKERS``): the same release and the
same ledgers as one wave after another in one process; waves that share a data version stay in one
process, one after another; a worker that dies is the located ``datatool_workers_failed``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.datatool import precompute
from pipeline.errors import PipelineError
from pipeline.workers import ENV
from tests.spies import DiesWhenLoaded, pools

LOGGED_AT = "2026-01-01T00:00:00Z"


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(".")  # the ledger's lock files
    }


def _built(
    dt_env: dict[str, object], root: Path, n: str, said: list[str], mp: pytest.MonkeyPatch
) -> bytes:
    """The release file of the datatool built under a publisher in ``root`` (made if new)."""
    from pipeline.archive.api import open_archive
    from pipeline.datatool.store import write_release
    from pipeline.sdc.publisher import init_publisher, publisher

    mp.setenv(ENV, n)
    pub = publisher(init_publisher(root / "publisher"))
    rel = precompute.build_release(
        open_archive(Path(str(dt_env["archive"]))),
        pub,
        indicators=("werkstress", "werkbaar_werk"),
        logged_at=LOGGED_AT,
        progress=said.append,
    )
    return write_release(rel, root / "release").read_bytes()


def test_the_release_and_its_ledger_are_the_same_in_one_process_and_in_two(
    dt_env: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = pools(monkeypatch)
    monkeypatch.setattr("pipeline.workers.available_memory", lambda: 64 * 1024**3)
    said: list[str] = []
    one = _built(dt_env, tmp_path / "one", "1", said, monkeypatch)
    assert started == []  # in this process
    two = _built(dt_env, tmp_path / "two", "2", said, monkeypatch)
    assert started == [2]  # two worker processes, one per wave
    assert said == ["wbm-werknemers 2019", "wbm-werknemers 2023"] * 2

    assert one == two  # the release file, byte for byte
    a, b = _files(tmp_path / "one" / "publisher"), _files(tmp_path / "two" / "publisher")
    logged = [k for k in a if k.endswith("tables.jsonl")]
    assert len(logged) == 2  # one release on each wave's data version
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []

    again = _built(dt_env, tmp_path / "two", "2", said, monkeypatch)  # a rebuild: a re-issue
    assert again == two  # the same bytes (no build time in the file)
    assert _files(tmp_path / "two" / "publisher") == b  # nothing new logged


def _jobs(dt_env: dict[str, object], **versions: str) -> list[precompute._WaveJob]:
    from pipeline.sdc.tables.rules import PrimaryRules

    release = dt_env["release"]
    space = release.spaces["wbm-werknemers"]  # type: ignore[attr-defined]
    if versions:
        space = replace(space, data_versions={int(w[1:]): v for w, v in versions.items()})
    archive = Path(str(dt_env["archive"]))
    return [
        precompute._WaveJob(archive, None, space, w, PrimaryRules(), False) for w in space.waves
    ]


def test_waves_that_share_a_data_version_run_one_after_another_here(
    dt_env: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same respondents twice: the later wave must be protected against the earlier's logged
    release, so the two are not protected side by side."""
    from pipeline.archive.api import open_archive

    started = pools(monkeypatch)
    monkeypatch.setenv(ENV, "2")
    monkeypatch.setattr("pipeline.workers.available_memory", lambda: 64 * 1024**3)
    ran: list[int] = []

    def fake(job: precompute._WaveJob, archive: object = None) -> tuple[int, float]:
        ran.append(job.wave)
        return job.wave, 0.0

    monkeypatch.setattr(precompute, "_protect_wave", fake)
    archive = open_archive(Path(str(dt_env["archive"])))
    same = _jobs(dt_env, w2019="a" * 16, w2023="a" * 16)
    assert list(precompute._waves(same, archive, None)) == [(2019, 0.0), (2023, 0.0)]
    assert ran == [2019, 2023] and started == []  # (their own versions: two processes, above)


def test_a_worker_that_dies_is_datatool_workers_failed(
    dt_env: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.archive.api import open_archive

    monkeypatch.setenv(ENV, "2")
    monkeypatch.setattr("pipeline.workers.available_memory", lambda: 64 * 1024**3)
    first, second = _jobs(dt_env)
    jobs = [replace(first, exact=DiesWhenLoaded()), second]  # type: ignore[arg-type]
    archive = open_archive(Path(str(dt_env["archive"])))
    with pytest.raises(PipelineError, match="WBM_WORKERS=1") as err:
        list(precompute._waves(jobs, archive, None))
    assert err.value.code == "datatool_workers_failed"


def test_too_little_memory_keeps_the_waves_in_one_process(
    dt_env: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.archive.api import open_archive

    started = pools(monkeypatch)
    monkeypatch.setenv(ENV, "4")
    monkeypatch.setattr("pipeline.workers.available_memory", lambda: 2 * precompute.WAVE_MEMORY - 1)
    monkeypatch.setattr(precompute, "_protect_wave", lambda job, archive=None: (job.wave, 0.0))
    said: list[str] = []
    archive = open_archive(Path(str(dt_env["archive"])))
    assert list(precompute._waves(_jobs(dt_env), archive, said.append)) == [
        (2019, 0.0),
        (2023, 0.0),
    ]
    assert started == [] and said == ["wbm-werknemers 2019", "wbm-werknemers 2023"]


def _fake_wave(job: precompute._WaveJob, archive: object = None) -> tuple[int, float]:
    """A wave's stand-in in a worker process."""
    return job.wave, 0.0


def test_the_wave_with_the_most_logged_on_its_version_is_handed_out_first(
    dt_env: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The latest wave (its reports, tables and benchmarks logged) is the longest to check: it
    goes to a process first, so that it does not run alone at the end; the results stay in the
    waves' order."""
    from pipeline.archive.api import open_archive
    from pipeline.sdc.publisher import init_publisher, publisher

    monkeypatch.setenv(ENV, "2")
    monkeypatch.setattr("pipeline.workers.available_memory", lambda: 64 * 1024**3)
    monkeypatch.setattr(precompute, "_protect_wave", _fake_wave)
    pub = publisher(init_publisher(tmp_path / "publisher"))
    jobs = [replace(j, publisher=pub) for j in _jobs(dt_env)]
    said: list[str] = []
    archive = open_archive(Path(str(dt_env["archive"])))
    assert list(precompute._waves(jobs, archive, said.append)) == [(2019, 0.0), (2023, 0.0)]
    assert said == ["wbm-werknemers 2019", "wbm-werknemers 2023"]  # nothing logged: wave order

    logged = pub.ledgers[0].path(jobs[1].space.data_versions[2023])
    logged.parent.mkdir(parents=True)
    logged.write_text("{}\n", encoding="utf-8")  # something logged on 2023's version
    said.clear()
    assert list(precompute._waves(jobs, archive, said.append)) == [(2019, 0.0), (2023, 0.0)]
    assert said == ["wbm-werknemers 2023", "wbm-werknemers 2019"]
