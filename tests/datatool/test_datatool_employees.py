"""The enterprise survey's indicators as shares of employees beside shares of organisations
(``<indicator>:werknemers``): the estimation engine's employment estimates
(:mod:`pipeline.estimation.employment`), the same cells protected the same way, plus the dominance
rule on each cell's weighted employees (a cell where a few large organisations hold most jobs is
suppressed), and no suppressed value in any answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

INDICATORS = ("geen_innovatie", "geen_innovatie:werknemers", "beperkte_participatie:werknemers")


@pytest.fixture(scope="module")
def oe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The enterprise survey's demo wave (2025) archived, its datatool built over two indicators
    as shares of organisations and of employees (reference policy, nothing logged)."""
    from starlette.testclient import TestClient

    from pipeline.archive.api import open_archive
    from pipeline.archive.store import add_run
    from pipeline.datatool.app import create_app
    from pipeline.datatool.precompute import build_release
    from pipeline.datatool.store import Store
    from pipeline.history import PAST_STAGES
    from pipeline.runner import Run, RunConfig, run_stages
    from pipeline.synth.wave import generate_wave

    root = tmp_path_factory.mktemp("datatool-oe")
    generate_wave(root / "wave", size=None, seed=2025, questionnaire="oe-2025")
    run_stages(Run(root / "run", RunConfig.from_wave_dir(root / "wave")), PAST_STAGES)
    add_run(root / "archive", root / "run")
    archive = open_archive(root / "archive")
    rel = build_release(archive, None, indicators=INDICATORS, breakdowns=("size_class",))
    store = Store.from_release(rel)
    with TestClient(create_app(store), raise_server_exceptions=False) as client:
        yield {"archive": archive, "release": rel, "store": store, "client": client, "root": root}


def test_the_space_offers_both_shares_with_their_labels(oe) -> None:
    (space,) = oe["release"].spaces.values()
    assert space.size_variable == "employees"
    assert space.indicators == INDICATORS and space.kinds["geen_innovatie:werknemers"] == "percent"
    labels = space.labels["indicator"]
    assert labels["geen_innovatie"]["nl"].endswith("(aandeel organisaties)")
    assert labels["geen_innovatie:werknemers"]["nl"].endswith("(aandeel werknemers)")
    assert labels["geen_innovatie:werknemers"]["en"].endswith("(share of employees)")
    # a survey of persons has no shares of employees
    from pipeline.datatool.precompute import size_variable
    from pipeline.questionnaire.load import load_questionnaire

    assert size_variable(load_questionnaire("wbm-werknemers-2023")) == ""
    assert size_variable(load_questionnaire("oe-2025")) == "employees"


def test_the_shares_of_employees_are_the_estimation_engines(oe) -> None:
    """Flanders' share of employees (and per size class) is
    :func:`pipeline.estimation.employment.employment_estimates` on the archived wave, with the
    archived design's strata and finite population correction; n is the organisations'."""
    from pipeline.estimation.employment import employment_estimates

    frame, model = oe["archive"].respondents("oe", 2025)
    ref = employment_estimates(
        frame,
        weight=model.weight,
        size="employees",
        strata=("sector_group", "size_class"),
        stratum_column=model.strata,
        fpc_column=model.fpc,
        indicators=["geen_innovatie"],
        by=["size_class"],
    )
    client = oe["client"]
    js = client.get("/api/view?population=ondernemingen&indicator=geen_innovatie:werknemers")
    (row,) = js.json()["rows"]
    overall = ref[ref["by"].fillna("") == ""].iloc[0]
    assert row["estimate"] == pytest.approx(100 * overall["estimate"], rel=1e-9)
    assert row["ci_low"] == pytest.approx(100 * overall["ci_low"], rel=1e-9)
    orgs = client.get("/api/view?population=ondernemingen&indicator=geen_innovatie").json()
    assert orgs["rows"][0]["n"] == row["n"]  # the same organisations
    assert orgs["rows"][0]["estimate"] != pytest.approx(row["estimate"])  # other weights
    by = client.get(
        "/api/view?population=ondernemingen&indicator=geen_innovatie:werknemers"
        "&breakdown=size_class"
    ).json()["rows"]
    per = ref[ref["by"] == "size_class"]
    for r in by:
        if r["filter"] != "all" or r["level"] in ("", "missing") or r["estimate"] is None:
            continue
        want = per[per["level"].astype(float) == float(r["level"])].iloc[0]
        assert r["estimate"] == pytest.approx(100 * want["estimate"], rel=1e-9)


def test_a_cell_dominated_by_a_few_organisations_is_suppressed() -> None:
    from pipeline.datatool.precompute import _dominated
    from pipeline.sdc.tables.rules import PrimaryRules

    jobs = np.array([9000.0, 10, 10, 10] + [10.0] * 40)  # one organisation: most of the jobs
    masks = np.zeros((44, 3), dtype=bool)
    masks[:, 0] = True  # with the large one
    masks[1:, 1] = True  # without it: 43 alike
    rules = PrimaryRules()
    assert _dominated(masks, jobs, [44, 43, 0], rules) == {0: "primary:dominance"}


def test_shares_of_employees_are_protected_and_never_leak(oe) -> None:
    """Every view of both shares: suppressed rows carry no number in the JSON, the CSV or the
    chart."""
    import csv
    import io

    client, store = oe["client"], oe["store"]
    c = store.choices()["ondernemingen"]
    for ind in INDICATORS:
        for by in ("", *c.breakdowns):
            for flt in c.filters:
                if by == c.filter_variable and flt != "all":
                    continue
                q = f"population=ondernemingen&indicator={ind}&breakdown={by}&filter={flt}"
                js = client.get(f"/api/view?{q}")
                assert js.status_code == 200, (q, js.text)
                for row in js.json()["rows"]:
                    if row["flag"] == "suppressed":
                        assert row["estimate"] is None and row["n"] is None
                text = client.get(f"/download.csv?{q}").text
                for rec in csv.DictReader(io.StringIO(text)):
                    if rec["flag"] == "suppressed":
                        assert rec["estimate"] == rec["ci_low"] == rec["n"] == ""
                svg = client.get(f"/chart.svg?{q}").text
                shown = [r for r in js.json()["rows"] if r["estimate"] is not None]
                assert svg.count("data-value=") <= len(shown), q


def test_the_page_offers_both_shares(oe) -> None:
    page = oe["client"].get("/?population=ondernemingen&indicator=geen_innovatie:werknemers")
    assert page.status_code == 200
    assert 'value="geen_innovatie:werknemers" selected' in page.text
    assert "(aandeel werknemers)" in page.text and "(aandeel organisaties)" in page.text
