"""Filters per population (:data:`pipeline.datatool.space.FILTERS`): the employees' sectors and
sector groups (permalinks ``s:<code>``, ``g:<group>`` unchanged), the self-employed's occupational
groups and the enterprise survey's sector groups. The spec's rules, the query checks, the page's
form between populations, and, on a build of the self-employed and the enterprises with their
filters, that a filtered view answers with protected figures and that no suppressed value (its
true estimate, known from the build) reaches the JSON, the CSV, the xlsx or the SVG."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from pipeline.datatool.space import (
    ALL,
    FILTERS,
    GROUP_PREFIX,
    SAFE,
    Choices,
    fit_to_population,
    parse_view,
)
from pipeline.errors import UsageError

# ---- the spec ------------------------------------------------------------------------------


def test_each_population_declares_its_filter_with_its_own_prefix() -> None:
    assert FILTERS["werknemers"].variable == "sector" and FILTERS["werknemers"].prefix == "s"
    assert FILTERS["zelfstandigen"].variable == "occupation_group"
    assert FILTERS["ondernemingen"].variable == "sector_group"
    prefixes = [f.prefix for f in FILTERS.values()]
    assert len(set(prefixes)) == len(prefixes)  # a filter never means two things
    assert GROUP_PREFIX not in prefixes and ALL not in prefixes
    groups = [g for f in FILTERS.values() for g, _, _ in f.groups]
    assert len(set(groups)) == len(groups)
    for f in FILTERS.values():
        assert set(f.label) == {"nl", "en"} and f.label["nl"] == f.label["nl"].lower()
        assert not SAFE.search(f.level(12)) and len(f.level(12)) < 40
        codes = [c for _, _, cs in f.groups for c in cs]
        assert len(set(codes)) == len(codes), f"{f.variable}: a code in two groups"


def test_the_filter_variables_are_breakdowns_of_the_current_questionnaires() -> None:
    """The spec names a variable of each population's questionnaire, with its labelled codes;
    every group's codes are codes of it (a group left out silently would be a surprise)."""
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.reports.labels import level_labels
    from pipeline.tables.request import documented_breakdowns

    studies = {
        "werknemers": "wbm-werknemers-2023",
        "zelfstandigen": "wbm-zelfstandigen-2023",
        "ondernemingen": "oe-2025",
    }
    for pop, study in studies.items():
        q = load_questionnaire(study)
        spec = FILTERS[pop]
        assert spec.variable in documented_breakdowns(q), pop
        codes = {c for c in level_labels(q, spec.variable) if c >= 0}
        assert len(codes) >= 3, pop
        for g, _, cs in spec.groups:
            assert set(cs) <= codes, (pop, g)


CHOICES = {
    "werknemers": Choices(
        "werknemers",
        ("werkstress",),
        ("sector", "age_band"),
        ("all", "g:industrie", "s:1", "s:6"),
        (2019, 2023),
        "sector",
        {"nl": "sector of sectorgroep", "en": "sector or sector group"},
    ),
    "zelfstandigen": Choices(
        "zelfstandigen",
        ("werkstress",),
        ("occupation_group", "age_band"),
        ("all", "occupation_group:1", "occupation_group:6"),
        (2023,),
        "occupation_group",
        {"nl": "beroepsgroep", "en": "occupational group"},
    ),
    "ondernemingen": Choices(
        "ondernemingen",
        ("geen_innovatie",),
        ("sector_group", "size_class"),
        ("all", "sector_group:1", "sector_group:4"),
        (2025,),
        "sector_group",
        {"nl": "sectorgroep", "en": "sector group"},
    ),
}


@pytest.mark.parametrize(
    ("query", "filter_"),
    [
        ({"filter": "s:6"}, "s:6"),  # the employees' permalinks as they were
        ({"filter": "g:industrie", "breakdown": "age_band"}, "g:industrie"),
        ({"population": "zelfstandigen", "filter": "occupation_group:6"}, "occupation_group:6"),
        ({"population": "ondernemingen", "filter": "sector_group:4"}, "sector_group:4"),
        ({"population": "ondernemingen", "breakdown": "size_class"}, "all"),
    ],
)
def test_parse_view_reads_each_populations_filter(query: dict[str, str], filter_: str) -> None:
    assert parse_view(query, CHOICES, "werknemers").filter == filter_


@pytest.mark.parametrize(
    "query",
    [
        {"population": "zelfstandigen", "filter": "s:6"},  # the employees' sector 6
        {"population": "ondernemingen", "filter": "occupation_group:1"},
        {"filter": "sector_group:1"},
        {"population": "ondernemingen", "filter": "sector_group:4", "breakdown": "sector_group"},
        {
            "population": "zelfstandigen",
            "filter": "occupation_group:1",
            "breakdown": "occupation_group",
        },
    ],
)
def test_a_filter_of_another_population_or_by_itself_is_refused(query: dict[str, str]) -> None:
    with pytest.raises(UsageError) as e:
        parse_view(query, CHOICES, "werknemers")
    assert e.value.code == "datatool_bad_query"


def test_the_form_resets_a_filter_of_the_population_shown_before() -> None:
    params = [("population", "zelfstandigen"), ("filter", "s:6"), ("breakdown", "age_band")]
    kept, dropped = fit_to_population(params, CHOICES)
    assert dropped == (("filter", "s:6"),) and ("breakdown", "age_band") in kept
    # the enterprises' sector group is not the self-employed's occupational group of that code
    kept, dropped = fit_to_population(
        [("population", "zelfstandigen"), ("filter", "sector_group:1")], CHOICES
    )
    assert dropped == (("filter", "sector_group:1"),)
    # its own filter is kept; a filter of no population is left for parse_view to refuse
    kept, dropped = fit_to_population(
        [("population", "zelfstandigen"), ("filter", "occupation_group:6")], CHOICES
    )
    assert dropped == () and ("filter", "occupation_group:6") in kept
    kept, dropped = fit_to_population([("population", "werknemers"), ("filter", "s:99")], CHOICES)
    assert dropped == ()


# ---- a build of the self-employed and the enterprises with their filters --------------------

SUBSETS = {
    "zelfstandigen": (("werkstress",), ("age_band",)),
    "ondernemingen": (("geen_innovatie", "beperkte_participatie"), ("size_class",)),
}


@pytest.fixture(scope="module")
def filtered(demo_env) -> Iterator[dict[str, Any]]:
    """The demo archive's self-employed and enterprises built with their filters, the
    reference policy (no ledger); beside each published or suppressed cell its unprotected
    value, recorded from inside the build (every status made ``ok``)."""
    from starlette.testclient import TestClient

    import pipeline.datatool.precompute as P
    from pipeline.archive.api import open_archive
    from pipeline.datatool.app import create_app
    from pipeline.datatool.store import Store

    truth: dict[tuple[int, str, str, str, str], Any] = {}
    original = P._cells

    def spy(*args: Any, **kwargs: Any) -> list[Any]:
        wave, ind, by, structure, statuses, *rest = args
        for c in original(wave, ind, by, structure, ["ok"] * len(statuses), *rest, **kwargs):
            truth[(c.wave, c.indicator, c.by, c.filter, c.level)] = c
        return original(*args, **kwargs)

    archive = open_archive(demo_env["archive"])
    parts = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(P, "_cells", spy)
        for name in archive.series_names():
            pop = archive.info(name).population
            if pop in SUBSETS:
                inds, bys = SUBSETS[pop]
                parts.append(
                    P.build_release(archive, None, series=(name,), indicators=inds, breakdowns=bys)
                )
    rel = P.PublicRelease(
        {k: v for p in parts for k, v in p.spaces.items()},
        {k: v for p in parts for k, v in p.cells.items()},
        {k: v for p in parts for k, v in p.outcomes.items()},
        {},
    )
    store = Store.from_release(rel)
    with TestClient(create_app(store), raise_server_exceptions=False) as client:
        yield {"release": rel, "store": store, "truth": truth, "client": client}


def test_the_self_employed_and_the_enterprises_have_their_filters(filtered) -> None:
    choices = filtered["store"].choices()
    assert set(choices) == set(SUBSETS)
    for pop, c in choices.items():
        spec = FILTERS[pop]
        assert c.filter_variable == spec.variable and spec.variable in c.breakdowns
        assert len(c.filters) > 3 and all(
            f == ALL or f.startswith(f"{spec.prefix}:") for f in c.filters
        )
    rel = filtered["release"]
    for s in rel.spaces.values():
        assert s.labels["filter"][ALL] == {"nl": "Vlaanderen", "en": "Flanders"}
    oe = next(s for s in rel.spaces.values() if s.population == "ondernemingen")
    assert oe.labels["filter"]["sector_group:1"]["nl"].startswith("industrie")
    assert oe.labels["filter_name"] == {"nl": "sectorgroep", "en": "sector group"}


def test_the_filters_hierarchy_is_protected_with_each_table(filtered) -> None:
    """Each filter's margin (the filter without breakdown) is the sum of the filter's row in
    every breakdown's table: the cells of a filter and of Flanders are the engine's, with n
    adding up, and a filter whose row has one suppressed cell has a second (no recomputation of a
    suppressed cell from its row and margin)."""
    rel = filtered["release"]
    for name, cells in rel.cells.items():
        space = rel.spaces[name]
        by_key = {(c.wave, c.indicator, c.by, c.filter, c.level): c for c in cells}
        for (wave, ind, by, flt, level), c in by_key.items():
            if by in ("", space.filter_variable) or level != "":
                continue
            row = [
                x
                for (w, i, b, f, lv), x in by_key.items()
                if (w, i, b, f) == (wave, ind, by, flt) and lv != ""
            ]
            hidden = [x for x in row + [c] if x.flag == "suppressed"]
            assert len(hidden) != 1, (name, ind, by, flt)  # never a lone suppressed cell
            if not hidden and c.n is not None:
                assert sum(x.n or 0 for x in row) == c.n
        assert any(c.flag == "suppressed" for c in cells), name


def _views(store: Any):
    for pop, c in store.choices().items():
        for ind in c.indicators:
            for by in ("", *c.breakdowns):
                for flt in c.filters:
                    if by == c.filter_variable and flt != ALL:
                        continue
                    yield pop, f"population={pop}&indicator={ind}&breakdown={by}&filter={flt}"


def test_no_suppressed_value_leaks_from_a_filtered_view(filtered) -> None:
    """Every view of both populations, every format: the true value of a suppressed cell (its
    estimate, interval and n as the build computed them before protection) appears nowhere."""
    client, truth = filtered["client"], filtered["truth"]
    published = hidden = 0
    for _pop, q in _views(filtered["store"]):
        js = client.get(f"/api/view?{q}")
        assert js.status_code == 200, (q, js.text)
        rows = js.json()["rows"]
        csv = client.get(f"/download.csv?{q}").text
        xlsx = client.get(f"/download.xlsx?{q}").content
        with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
            sheets = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
        svg = client.get(f"/chart.svg?{q}").text
        view = js.json()["view"]
        for row in rows:
            key = (row["wave"], view["indicator"], view["breakdown"], row["filter"], row["level"])
            true = truth[key]
            if row["flag"] != "suppressed":
                if row["estimate"] is not None:
                    published += 1
                    assert row["estimate"] == pytest.approx(100 * true.estimate)
                continue
            hidden += 1
            assert row["estimate"] is None and row["n"] is None and row["ci_low"] is None
            if true.estimate is None:
                continue
            desc = svg.split('<desc id="chart-desc">')[1].split("</desc>")[0]
            for x in (true.estimate, true.ci_low, true.ci_high):
                if x is None:  # no interval (a share of 0 or 1)
                    continue
                text = repr(x * 100)
                if len(text) >= 8:  # a full-precision number (0.0 or 50.0 could be any cell's)
                    assert text not in js.text and text not in csv and text not in sheets, (q, key)
                    assert f'data-value="{text}"' not in svg, (q, key)
                dutch = f"{x * 100:.1f}".replace(".", ",")  # the chart's description
                alone = re.search(rf"(?<![\d.,]){re.escape(dutch)}(?!\d)", desc)
                assert not alone or _shown_elsewhere(rows, x * 100), (q, key, desc)
    assert published > 20 and hidden > 0


def _shown_elsewhere(rows: list[dict[str, Any]], value: float) -> bool:
    """A published row of the view rounds to the same one-decimal text (a coincidence, not a
    leak)."""
    text = f"{value:.1f}"
    return any(
        r[k] is not None and f"{r[k]:.1f}" == text
        for r in rows
        for k in ("estimate", "ci_low", "ci_high")
    )


def test_the_page_names_each_populations_filter(filtered) -> None:
    client = filtered["client"]
    zs = client.get("/?population=zelfstandigen&filter=occupation_group:3&breakdown=age_band")
    assert zs.status_code == 200 and '<label for="filter">Beroepsgroep</label>' in zs.text
    assert "handel" in zs.text.split('id="view-title"')[1].split("</h2>")[0]
    oe = client.get("/?population=ondernemingen&filter=sector_group:4&lang=en")
    assert oe.status_code == 200 and '<label for="filter">Sector group</label>' in oe.text
    # the enterprises' filter carried to the self-employed by the form: reset and named
    r = client.get("/?population=zelfstandigen&filter=sector_group:4&indicator=werkstress")
    note = r.text.split('id="adjusted"')[1].split("</p>")[0]
    assert "sectorgroep" in note and "beroepsgroep" not in note
