"""The datatool's server through Starlette's TestClient: views, downloads, hostile queries,
security headers, and that no answer ever carries a suppressed value."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Sequence

import numpy as np
import pytest

from pipeline.datatool.app import SECURITY_HEADERS
from pipeline.datatool.store import read_release


def _views(store):
    for pop, c in store.choices().items():
        for ind, by, flt in itertools.product(c.indicators, ("", *c.breakdowns), c.filters):
            if by == c.filter_variable and flt != "all":
                continue
            yield {"population": pop, "indicator": ind, "breakdown": by, "filter": flt}


def test_page_and_headers(client) -> None:
    r = client.get("/?indicator=werkstress&filter=g:industrie&breakdown=age_band")
    assert r.status_code == 200
    assert '<html lang="nl">' in r.text
    assert '<label for="indicator">' in r.text and 'id="view-table"' in r.text
    assert "http://" not in r.text.replace("http://www.w3.org", "")  # nothing from elsewhere
    for name, value in SECURITY_HEADERS:
        assert r.headers[name.decode()] == value.decode()
    en = client.get("/?indicator=werkstress&lang=en")
    assert en.status_code == 200 and '<html lang="en">' in en.text and "Flanders" in en.text
    css = client.get("/static/datatool.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


@pytest.mark.parametrize(
    "query",
    [
        "indicator=nope",
        "indicator=%3Cscript%3Ealert(1)%3C/script%3E",
        "filter=s:99",
        "filter=s:1%27%20OR%201=1--",
        "breakdown=../../etc/passwd",
        "waves=1900",
        "waves=2019,2019",
        "waves=" + ",".join(["2019"] * 50),
        "waves=99999999999999999999999",
        "lang=fr",
        "population=ondernemingen",
        "unknown=1",
        "indicator=werkstress&indicator=werkbaar_werk",
        "indicator=" + "x" * 5000,
        "breakdown=sector&filter=s:3",
        "indicator=werkstress%00",
    ],
)
def test_hostile_queries_are_400(client, query: str) -> None:
    for path in ("/", "/api/view", "/download.csv", "/download.xlsx", "/chart.svg"):
        r = client.get(f"{path}?{query}")
        assert r.status_code == 400, (path, query, r.status_code)
        assert "Traceback" not in r.text and "<script>" not in r.text
        assert r.headers["content-security-policy"].startswith("default-src 'none'")
    body = client.get(f"/api/view?{query}").json()
    assert body["code"] == "datatool_bad_query" and body["error"]


def test_other_paths_and_methods(client) -> None:
    assert client.get("/nope").status_code == 404
    assert client.get("/static/../pipeline/cli.py").status_code == 404
    assert client.post("/api/view").status_code == 405
    assert client.get("/healthz").text == "ok"


def test_no_suppressed_value_anywhere(client, dt_env) -> None:
    """Every view of the space: a suppressed row has no number in the JSON, the CSV or the chart;
    the release file itself holds none."""
    store = dt_env["store"]
    data = json.loads(dt_env["file"].read_text(encoding="utf-8"))
    for rows in data["cells"].values():
        for c in rows:
            if c["flag"] == "suppressed":
                assert [
                    c[k] for k in ("n", "estimate", "ci_low", "ci_high", "diff", "p_value")
                ] == [None] * 6
    checked = suppressed = 0
    for v in _views(store):
        q = "&".join(f"{k}={x}" for k, x in v.items())
        js = client.get(f"/api/view?{q}").json()
        for row in js["rows"]:
            if row["flag"] == "suppressed":
                suppressed += 1
                assert row["estimate"] is None and row["ci_low"] is None and row["n"] is None
                assert row["vs_flanders"] == "" and row["text"] == ""
        if checked % 7 == 0:  # downloads of a sample of views
            text = client.get(f"/download.csv?{q}").text
            for rec in csv.DictReader(io.StringIO(text)):
                if rec["flag"] == "suppressed":
                    assert rec["estimate"] == rec["ci_low"] == rec["n"] == rec["vs_flanders"] == ""
            svg = client.get(f"/chart.svg?{q}").text
            shown = [
                r for r in js["rows"] if r["filter"] == v["filter"] and r["estimate"] is not None
            ]
            assert svg.count("data-value=") <= len(shown) + len(
                [r for r in js["rows"] if r["filter"] != v["filter"]]
            )
        checked += 1
    assert checked > 100 and suppressed > 0


def test_permalink_reproduces_the_view(client) -> None:
    js = client.get("/api/view?indicator=werkstress&filter=s:6&breakdown=sex&waves=2023").json()
    again = client.get("/api/view" + js["permalink"][1:]).json()
    assert again == js
    page = client.get(js["permalink"])
    assert page.status_code == 200 and js["title"] in page.text


def test_numbers_are_the_engines(client, dt_env) -> None:
    """Flanders' overall figure equals the archived wave's estimate (the run's estimate stage)."""
    from pipeline.archive.api import open_archive

    a = open_archive(dt_env["archive"])
    series = a.series("wbm-werknemers", "werkstress")
    for wave in (2019, 2023):
        js = client.get(f"/api/view?indicator=werkstress&waves={wave}").json()
        (row,) = js["rows"]
        ref = series[series["wave"] == wave].iloc[0]
        assert row["estimate"] == pytest.approx(100 * ref["estimate"], abs=1e-9)
        assert row["ci_low"] == pytest.approx(100 * ref["ci_low"], abs=1e-9)
        assert row["n"] == int(ref["n"])


def test_downloads(client) -> None:
    from openpyxl import load_workbook

    q = "indicator=werkbaar_werk&breakdown=age_band&waves=2019,2023"
    js = client.get(f"/api/view?{q}").json()
    text = client.get(f"/download.csv?{q}").text
    recs = list(csv.DictReader(io.StringIO(text)))
    assert len(recs) == len(js["rows"])
    for rec, row in zip(recs, js["rows"], strict=True):
        assert rec["row_level"] == row["level"] and rec["flag"] == row["flag"]
        if row["estimate"] is not None:
            assert float(rec["estimate"]) == pytest.approx(row["estimate"], rel=1e-12)
    x = client.get(f"/download.xlsx?{q}")
    wb = load_workbook(io.BytesIO(x.content))
    assert wb.sheetnames == ["tabel", "toelichting"]
    assert wb["tabel"].max_row == len(recs) + 1
    ps = wb["tabel"].page_setup  # printed A4 landscape, one page wide, the header on every page
    assert ps.orientation == "landscape" and int(ps.fitToWidth or 1) == 1
    assert wb["tabel"].print_title_rows == "$1:$1"
    svg = client.get(f"/chart.svg?{q}")
    assert svg.headers["content-type"].startswith("image/svg+xml") and 'role="img"' in svg.text
    png = client.get(f"/chart.png?{q}")
    assert png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = (
        int.from_bytes(png.content[16:20], "big"),
        int.from_bytes(png.content[20:24], "big"),
    )
    assert (width, height) == (1440, 720)  # the SVG's 720 x 360 at twice the size


def test_release_file_round_trip(dt_env) -> None:
    a = read_release(dt_env["file"])
    b = dt_env["store"]
    assert a.choices() == b.choices()


def test_rebuild_logs_nothing_new(dt_env) -> None:
    """The space is one public release per data version: building it again adds no ledger entry
    and gives the same cells."""
    from pipeline.archive.api import open_archive
    from pipeline.datatool.precompute import build_release

    from .conftest import INDICATORS

    pub = dt_env["publisher"]
    rel0 = dt_env["release"]
    space = rel0.spaces["wbm-werknemers"]
    before = {w: len(pub.ledgers[0].releases(v)) for w, v in space.data_versions.items()}
    assert set(before.values()) == {1}
    rel = build_release(open_archive(dt_env["archive"]), pub, indicators=INDICATORS, waves=[2023])
    after = {w: len(pub.ledgers[0].releases(v)) for w, v in space.data_versions.items()}
    assert after == before
    first = {o.wave: o.decision for o in rel0.outcomes["wbm-werknemers"]}
    assert [o.decision for o in rel.outcomes["wbm-werknemers"]] == [first[2023]]
    old = [c for c in rel0.cells["wbm-werknemers"] if c.wave == 2023]
    assert list(rel.cells["wbm-werknemers"]) == old
    assert np.isfinite([c.estimate for c in old if c.estimate is not None]).all()


def test_the_dutch_page_is_spelled_right(client):
    """The Dutch spell check of issue 19 (word list in tests/reports/dutch_words.txt) on the page
    of a few views: every choice, label and note a Dutch reader sees."""
    from tests.reports.dutch_spelling import forbidden, html_text, unknown_words

    found: dict[str, object] = {}
    for query in (
        "indicator=werkstress",
        "indicator=werkbaar_werk&filter=g:industrie&breakdown=age_band",
        "indicator=aantal_problemen&breakdown=sex",
        "indicator=werkstress&breakdown=nope",  # the error page
    ):
        text = html_text(client.get(f"/?{query}").text)
        bad = {**unknown_words(text), **forbidden(text)}
        if bad:
            found[query] = bad
    assert not found, " ".join(sorted({w for bad in found.values() for w in bad}))


@pytest.mark.parametrize("exact", [False, True])
def test_the_publisher_decides_the_exact_check_of_the_space(dt_env, tmp_path, monkeypatch, exact):
    """``exact_datatool`` (policy; off in the reference policy) runs the exact check of each wave's
    space, search included (``protect_space(exact=True)``), and the release logs that it did; a
    rebuild is a re-issue that takes the logged statuses and protects nothing again."""
    import yaml

    from pipeline.archive.api import open_archive
    from pipeline.datatool.precompute import build_release
    from pipeline.sdc.publisher import publisher

    from ..publisher_helpers import make_publisher
    from ..spies import protect_space_calls

    policy = make_publisher(tmp_path / "pub")
    data = yaml.safe_load(policy.read_text(encoding="utf-8"))
    data["exact_datatool"] = exact
    policy.write_text(yaml.safe_dump(data), encoding="utf-8")
    seen = protect_space_calls(monkeypatch)
    pub = publisher(str(policy))
    archive = open_archive(dt_env["archive"])
    kw = {"indicators": ["werkstress"], "waves": [2023], "breakdowns": ["age_band"]}
    first = build_release(archive, pub, **kw)
    assert seen == [exact]
    (entry,) = pub.ledgers[0].releases(first.spaces["wbm-werknemers"].data_versions[2023])
    assert entry.rules.get("exact_check", False) is exact
    again = build_release(archive, pub, **kw)
    assert seen == [exact]
    assert again.cells == first.cells


def test_the_exact_check_switched_on_after_a_first_build_is_paid_once(
    dt_env, tmp_path, monkeypatch
):
    """A wave's space first built without the exact check, then with ``exact_datatool`` switched
    on: the second build checks it again (``protect_space(exact=True)``) and logs that re-check as
    a release of its own beside the first (the request hash and the rules:
    ``space.recheck_hash``); a third build takes the re-check's statuses and protects nothing, and
    no cell the first build hid is shown."""
    import yaml

    from pipeline.archive.api import open_archive
    from pipeline.datatool.precompute import Cell, build_release
    from pipeline.sdc.publisher import publisher
    from pipeline.sdc.tables.space import recheck_hash, space_rules

    from ..publisher_helpers import make_publisher
    from ..spies import protect_space_calls

    policy = make_publisher(tmp_path / "pub")
    seen = protect_space_calls(monkeypatch)
    archive = open_archive(dt_env["archive"])
    kw = {"indicators": ["werkstress"], "waves": [2023], "breakdowns": ["age_band"]}
    first = build_release(archive, publisher(str(policy)), **kw)
    data = yaml.safe_load(policy.read_text(encoding="utf-8"))
    data["exact_datatool"] = True
    policy.write_text(yaml.safe_dump(data), encoding="utf-8")
    pub = publisher(str(policy))
    second = build_release(archive, pub, **kw)
    assert seen == [False, True]
    space = second.spaces["wbm-werknemers"]
    entries = pub.ledgers[0].releases(space.data_versions[2023])
    assert [e.rules.get("exact_check", False) for e in entries] == [False, True]
    rules = space_rules(pub.policy.policy.tables.rules())  # the datatool's rules
    assert entries[1].request_hash == recheck_hash(entries[0].request_hash, rules, exact=True)

    def hidden(cells: Sequence[Cell]) -> set[tuple[str, str, str, str]]:
        return {(c.indicator, c.by, c.filter, c.level) for c in cells if c.flag == "suppressed"}

    assert hidden(first.cells["wbm-werknemers"])
    assert hidden(first.cells["wbm-werknemers"]) <= hidden(second.cells["wbm-werknemers"])
    third = build_release(archive, pub, **kw)
    assert seen == [False, True]  # nothing protected again
    assert len(pub.ledgers[0].releases(space.data_versions[2023])) == 2
    assert third.cells == second.cells
