"""The demo's datatool over the three populations (employees, self-employed, enterprises): each
population's reference subset, logged once per data version, no suppressed value in any view, the
engine's numbers; the page's form moves between populations (a choice the new population does not
have is reset and said, never a 400), the API stays exact; the background start of ``wbm demo
--serve`` (busy port, stop)."""

from __future__ import annotations

import itertools
import socket
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from pipeline.demo import DATATOOL_SUBSETS


def _views(store: Any):
    for pop, c in store.choices().items():
        for ind, by, flt in itertools.product(c.indicators, ("", *c.breakdowns), c.filters):
            if by == c.filter_variable and flt != "all":
                continue
            yield {"population": pop, "indicator": ind, "breakdown": by, "filter": flt}


def test_the_release_covers_the_three_populations_with_their_subsets(demo_env) -> None:
    store, dt = demo_env["store"], demo_env["datatool"]
    choices = store.choices()
    assert set(choices) == {"werknemers", "zelfstandigen", "ondernemingen"}
    assert set(dt.populations) == set(choices)
    for pop, c in choices.items():
        indicators, breakdowns = DATATOOL_SUBSETS[pop]
        assert set(c.indicators) == set(indicators)
        assert set(c.breakdowns) == set(breakdowns) | {c.filter_variable}
    assert choices["werknemers"].waves == (2019, 2023)
    assert choices["zelfstandigen"].waves == (2023,)
    assert choices["ondernemingen"].waves == (2025,)
    # the risk indicators of organisations; each population's filter (its own prefix)
    assert "beperkt_competentiebeleid" in choices["ondernemingen"].indicators
    assert choices["zelfstandigen"].filter_variable == "occupation_group"
    assert "occupation_group:4" in choices["zelfstandigen"].filters
    assert choices["ondernemingen"].filters == ("all", *(f"sector_group:{c}" for c in (1, 2, 3, 4)))
    assert len(choices["werknemers"].filters) > 10
    # one logged release per data version: 2 employees' waves, 1 self-employed, 1 enterprise
    assert len(dt.releases) == 4 and dt.tables > 0


def test_no_view_of_any_population_carries_a_suppressed_value(demo_client, demo_env) -> None:
    store = demo_env["store"]
    seen: dict[str, int] = {}
    for v in _views(store):
        q = "&".join(f"{k}={x}" for k, x in v.items())
        r = demo_client.get(f"/api/view?{q}")
        assert r.status_code == 200, (q, r.text)
        for row in r.json()["rows"]:
            if row["flag"] in ("suppressed", "empty"):
                assert row["estimate"] is None and row["ci_low"] is None and row["n"] is None
        seen[v["population"]] = seen.get(v["population"], 0) + 1
        page = demo_client.get(f"/?{q}")
        assert page.status_code == 200 and 'id="adjusted"' not in page.text
    assert set(seen) == {"werknemers", "zelfstandigen", "ondernemingen"}


def test_the_enterprises_figures_are_the_archives(demo_client, demo_env) -> None:
    """Flanders' overall share of organisations per risk indicator is the archived wave's
    estimate (the run's estimate stage), as for the employees."""
    from pipeline.archive.api import open_archive

    a = open_archive(demo_env["archive"])
    for ind in DATATOOL_SUBSETS["ondernemingen"][0]:
        if ind.endswith(":werknemers"):  # shares of employees: test_datatool_employees.py
            continue
        js = demo_client.get(f"/api/view?population=ondernemingen&indicator={ind}").json()
        (row,) = js["rows"]
        ref = a.series("oe", ind).iloc[0]
        assert row["estimate"] == pytest.approx(100 * ref["estimate"], abs=1e-9)
        assert row["n"] == int(ref["n"])


def test_switching_population_in_the_form_resets_what_it_does_not_have(demo_client) -> None:
    """The form submits the employees' choices with the new population: the page shows the new
    population's default for each and says so; the API (a permalink names one exact view) and
    a value no population has stay 400."""
    q = "indicator=werkstress&filter=s:6&breakdown=sector&waves=2019,2023"
    r = demo_client.get(
        f"/?population=ondernemingen&{q.replace('breakdown=sector', 'breakdown=age_band')}"
    )
    assert r.status_code == 200
    assert 'id="adjusted"' in r.text and "ondernemingen" in r.text
    assert "indicator" in r.text.split('id="adjusted"')[1].split("</p>")[0]
    assert demo_client.get(f"/api/view?population=ondernemingen&{q}").status_code == 400
    # the self-employed have werkstress and age band, but not the employees' sector filter (their
    # filter is the occupational group) and no 2019 wave
    r = demo_client.get(
        "/?population=zelfstandigen&indicator=werkstress&filter=s:6"
        "&breakdown=age_band&waves=2019,2023"
    )
    assert r.status_code == 200
    note = r.text.split('id="adjusted"')[1].split("</p>")[0]
    assert "sector of sectorgroep" in note and "golven" in note and "indicator" not in note
    assert 'value="werkstress" selected' in r.text and 'value="age_band" selected' in r.text
    # unknown or hostile values are refused as before, whatever the population
    for bad in ("indicator=nope", "filter=s:999", "waves=1999", "breakdown=%3Cscript%3E"):
        r = demo_client.get(f"/?population=zelfstandigen&{bad}")
        assert r.status_code == 400 and "<script>" not in r.text


def test_the_dutch_pages_of_every_population_are_spelled_right(demo_client) -> None:
    from tests.reports.dutch_spelling import forbidden, html_text, unknown_words

    found: dict[str, object] = {}
    for query in (
        "population=zelfstandigen&indicator=werkbaar_werk&breakdown=occupation_group",
        "population=ondernemingen&indicator=geen_innovatie&breakdown=size_class",
        "population=ondernemingen&indicator=beperkte_participatie&breakdown=sector_group",
        "population=zelfstandigen&indicator=werkstress&filter=s:6&waves=2019",  # the notice
        "population=zelfstandigen&indicator=werkstress&filter=occupation_group:4&breakdown=age_band",
        "population=ondernemingen&indicator=geen_innovatie&filter=sector_group:2&breakdown=size_class",
    ):
        text = html_text(demo_client.get(f"/?{query}").text)
        bad = {**unknown_words(text), **forbidden(text)}
        if bad:
            found[query] = bad
    assert not found, found


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as r:
        return int(r.status)


def test_the_background_server_answers_takes_the_next_port_and_stops(demo_env) -> None:
    """``wbm demo --serve``'s start: a busy port is skipped and said, the pid file names the
    server, stopping it ends the process and removes the pid file; no free port is a clear
    error (``datatool_port_busy``)."""
    from pipeline.datatool.launch import PID_FILE, start, stop
    from pipeline.errors import UsageError
    from tests.datatool.conftest import free_port

    root, archive = Path(str(demo_env["root"])), Path(str(demo_env["archive"]))
    release = demo_env["datatool"].release
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    try:
        folder = root / "launch"
        folder.mkdir(exist_ok=True)
        running = start(archive, release, folder, port=port)
        try:
            assert running.port != port and running.asked_port == port
            assert f"port {port} was busy" in "\n".join(running.render())
            assert _get(running.url + "?population=zelfstandigen") == 200
            assert int((folder / PID_FILE).read_text()) == running.pid
        finally:
            assert stop(running.pid_file, Path(release).resolve())
        assert not (folder / PID_FILE).exists()
        assert (
            not Path(f"/proc/{running.pid}/cmdline").exists()
            or not Path(f"/proc/{running.pid}/cmdline").read_bytes()
        )
        with pytest.raises(UsageError) as e:
            start(archive, release, folder, port=port, tries=1)
        assert e.value.code == "datatool_port_busy"
    finally:
        busy.close()
    assert free_port() > 0


def test_wbm_demo_serve_prints_the_url_of_a_running_datatool(tmp_path: Path) -> None:
    """``wbm demo --serve`` (what scripts/demo.sh runs), here on the enterprise survey alone (its
    one wave goes into the archive): the last lines are the URL of a server that answers, and
    how to stop it; stopped here with the printed command."""
    import re
    import subprocess

    from click.testing import CliRunner

    from pipeline.cli import cli
    from tests.datatool.conftest import free_port

    out = tmp_path / "d"
    port = free_port()
    r = CliRunner().invoke(
        cli, ["demo", "--survey", "oe", "--out", str(out), "--serve", "--port", str(port)]
    )
    pid_file = out / "datatool-server.pid"
    try:
        assert r.exit_code == 0, r.output
        m = re.search(r"datatool running:\s+(http://127\.0\.0\.1:(\d+)/)", r.output)
        assert m is not None, r.output
        assert _get(m.group(1) + "?population=ondernemingen") == 200
        assert r.output.rstrip().splitlines()[-1] == f"stop it:            kill $(cat {pid_file})"
    finally:
        if pid_file.exists():
            pid = int(pid_file.read_text())
            subprocess.run(["bash", "-c", f"kill $(cat {pid_file})"], check=True)
            import time

            for _ in range(100):
                alive = Path(f"/proc/{pid}/cmdline")
                if not alive.exists() or not alive.read_bytes():
                    break
                time.sleep(0.1)
            else:
                raise AssertionError(f"the demo's server {pid} did not stop")
            from pipeline.datatool.launch import _STARTED, reap

            reap()  # the stopped server is reaped: no zombie, no "still running" at exit
            assert pid not in _STARTED
