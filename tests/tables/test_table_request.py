"""Table requests: structure pass, names checked against the questionnaires, wave mapping, hash."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.errors import SpecError
from pipeline.paths import REPO_ROOT
from pipeline.rundata import layout
from pipeline.sdc.tables.cells import Condition
from pipeline.tables.request import load_request, parse_request, resolve

EXAMPLE = REPO_ROOT / "examples" / "requests" / "pc126-werkstress.yaml"


def _base(**over):
    data = {
        "id": "t1",
        "requester": "woodwize",
        "population": "employees",
        "waves": [2023],
        "indicators": ["werkstress"],
        "rows": "age_band",
        "filters": [{"variable": "sector", "levels": [4]}],
    }
    data.update(over)
    return data


def _problems(data):
    with pytest.raises(SpecError) as err:
        resolve(parse_request(data, "req.yaml"), "req.yaml")
    return err.value.problems


def test_example_request_loads():
    r = load_request(EXAMPLE)
    assert r.request.requester == "woodwize"
    assert [d.name for d in r.dimensions()] == ["age_band"]
    assert r.dimensions(missing_level=False)[0].levels == ("1", "2", "3", "4", "5")
    assert r.dimensions()[0].levels == ("1", "2", "3", "4", "5", "missing")
    assert r.level_codes() == {"age_band": {"missing": (-1.0, -7.0, -8.0, -9.0)}}
    assert r.latest.questionnaire.study.id == "wbm-pc126-2025" and r.latest.wave == 2025
    assert r.conditions("werkstress") == (
        Condition("statute", (1.0,)),
        Condition("werkstress", None),
    )
    assert r.table_kind("werkbaar_werk").value == "percent"
    assert r.request.disclosure.asked() == {}  # the publisher's policy decides


def test_hash_ignores_formatting_and_order(tmp_path):
    data = yaml.safe_load(EXAMPLE.read_text())
    other = tmp_path / "r.yaml"
    other.write_text(
        "# a comment\n" + yaml.safe_dump(dict(reversed(list(data.items()))), sort_keys=False)
    )
    assert load_request(other).request.hash() == load_request(EXAMPLE).request.hash()
    data["indicators"] = ["werkstress"]
    assert parse_request(data).hash() != load_request(EXAMPLE).request.hash()


def test_unknown_names_are_all_reported_with_the_valid_names():
    probs = _problems(
        _base(
            indicators=["werkstres", "werkbaar_werk"],
            rows="leeftijd",
            columns="statute",
            filters=[
                {"variable": "sector", "levels": [4, 99]},
                {"variable": "pc", "levels": [126]},
            ],
            language="fr",
        )
    )
    by_path = {p.path: p for p in probs}
    assert set(by_path) == {
        "indicators[0]",
        "rows",
        "filters[0].levels",
        "filters[1].variable",
        "language",
    }
    assert (
        "werkstress" in by_path["indicators[0]"].expected
        and "werkbaar_werk" in by_path["indicators[0]"].expected
    )
    assert "age_band" in by_path["rows"].expected and "statute" in by_path["rows"].expected
    assert (
        by_path["filters[0].levels"].value == 99 and "16" in by_path["filters[0].levels"].expected
    )
    assert all(p.file == "req.yaml" for p in probs)


def test_structure_pass_rejects_unknown_keys_and_bad_shapes():
    with pytest.raises(SpecError) as err:
        parse_request(
            _base(colums="sex", filters=[{"variable": "sector"}], statistics=["median"], waves=[])
        )
    paths = {p.path for p in err.value.problems}
    assert (
        "colums" in paths
        and "waves" in paths
        and "filters[0]" in paths
        and "statistics[0]" in paths
    )
    with pytest.raises(SpecError):
        parse_request(_base(rows="sex", columns="sex"))
    with pytest.raises(SpecError):
        parse_request(["not", "a", "mapping"])


def test_wave_without_questionnaire_lists_valid_waves():
    probs = _problems(_base(waves=[2023, 2011]))
    assert (
        probs[0].path == "waves[1]" and "2019" in probs[0].expected and "2023" in probs[0].expected
    )


def test_two_waves_translate_names_through_the_mapping():
    r = resolve(parse_request(_base(waves=[2019, 2023], columns="statute")))
    assert [w.wave for w in r.waves] == [2023, 2019]
    old = r.waves[1]
    assert old.variables == {"age_band": "leeftijdsgroep", "statute": "statuut", "sector": "sector"}
    assert old.indicators == {"werkstress": "stress"}
    assert [d.name for d in r.dimensions(old)] == ["leeftijdsgroep", "statuut"]
    assert set(r.level_codes(old)) == {"leeftijdsgroep", "statuut"}
    assert r.conditions("werkstress", old)[-1] == Condition("stress", None)


def test_exclude_filter_and_filtered_breakdown_levels():
    r = resolve(
        parse_request(
            _base(
                columns="statute",
                filters=[
                    {"variable": "sector", "levels": [4]},
                    {"variable": "statute", "exclude": [3]},
                ],
            )
        )
    )
    assert r.conditions("werkstress")[1] == Condition("statute", (1.0, 2.0))
    assert r.dimensions(missing_level=False)[1].levels == ("1", "2")
    with pytest.raises(SpecError):
        parse_request(_base(filters=[{"variable": "sector", "levels": [4], "exclude": [5]}]))


def test_questionnaire_must_match_population_and_wave():
    probs = _problems(_base(questionnaire="pc126"))  # pc126 is wave 2025, the request asks 2023
    assert probs[0].path == "questionnaire" and "2023" in probs[0].expected


def test_missing_file_is_a_spec_error(tmp_path):
    with pytest.raises(SpecError):
        load_request(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n")
    with pytest.raises(SpecError) as err:
        load_request(bad)
    assert err.value.problems[0].line is not None


def test_acute_variants_are_indicators_and_follow_the_wave_mapping():
    from pipeline.tables.request import indicator_names

    r = resolve(
        parse_request(_base(waves=[2019, 2023], indicators=["werkstress_acuut", "werkbaar_werk"]))
    )
    assert r.waves[1].indicators == {
        "werkstress_acuut": "stress_acuut",
        "werkbaar_werk": "werkbaar_werk",
    }
    assert r.table_kind("werkstress_acuut").value == "percent"
    assert r.table_kind("werkbaar_werk").value == "percent"
    names = indicator_names(r.latest.questionnaire)
    assert names.index("werkstress_acuut") == names.index("werkstress") + 1
    assert "werkbaar_werk_acuut" not in names  # a composite has no acute variant
    assert (
        resolve(parse_request(_base(indicators=["aantal_problemen"])))
        .table_kind("aantal_problemen")
        .value
        == "mean"
    )


def test_missing_level_only_for_the_breakdowns_that_need_it():
    r = resolve(parse_request(_base(columns="statute")))
    dims = r.dimensions(missing_level=["statute"])
    assert dims[0].levels[-1] == "5" and dims[1].levels[-1] == "missing"
    assert [d.levels[-1] for d in r.dimensions()] == ["missing", "missing"]


@pytest.mark.parametrize(
    "name", ["demo-werkstress-industrie", "oe-werknemers-sectorgroep", "demo-werkstress-vlaanderen"]
)
def test_shipped_examples_resolve(name):
    r = load_request(REPO_ROOT / "examples" / "requests" / f"{name}.yaml")
    kinds = {r.table_kind(i).value for i in r.request.indicators}
    assert kinds == ({"magnitude"} if name.startswith("oe-") else {"percent", "mean"})


def test_standard_table_request_for_every_shipped_questionnaire():
    from pipeline.questionnaire.load import load_questionnaire, shipped
    from pipeline.tables.request import indicator_names
    from pipeline.tables.standard import standard_request

    for name in shipped():
        q = load_questionnaire(name)
        r = standard_request(q, name, indicator_names(q))
        assert (
            r.request.requester == "public"
            and r.request.rows == q.domains[0]  # sectors as rows
            and r.request.columns is None
            and r.request.indicators
        )
        assert r.latest.questionnaire.study.id == q.study.id


def test_make_table_checks_only_the_runs_questionnaires(run_copy, tmp_path, monkeypatch):
    """A request is resolved against the questionnaires of the runs given: no other shipped
    questionnaire or module is loaded and checked (that took most of a wbm table's time)."""
    import pipeline.questionnaire.load as L
    from pipeline.tables.api import make_table

    from .tables_helpers import request_file

    checked: list[str] = []
    check = L.check_questionnaire

    def spy(name_or_path, **kw):
        checked.append(Path(str(name_or_path)).stem)
        return check(name_or_path, **kw)

    monkeypatch.setattr(L, "_CACHE", {})
    monkeypatch.setattr(L, "check_questionnaire", spy)
    out = make_table(request_file(tmp_path), [run_copy], None)
    # only the run's own questionnaire (RUN/questionnaire.yaml, written when the run started)
    assert out.decision == "release" and checked == [Path(layout.QUESTIONNAIRE).stem]


def test_a_run_of_another_questionnaire_of_the_wave_is_resolved_against_it(small_run_dir, tmp_path):
    """The run's own questionnaire decides the names, not the shipped one of that wave."""
    import pandas as pd

    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.tables.api import make_table
    from pipeline.tables.source import wave_data

    from .tables_helpers import request_file

    q = load_questionnaire("wbm-werknemers-2023")
    own = q.model_copy(update={"study": q.study.model_copy(update={"id": "fonds-eigen-2023"})})
    df = pd.read_parquet(layout.stage_file(small_run_dir, "score", layout.SCORED))
    out = make_table(
        request_file(tmp_path, indicators=["werkstress"]),
        [wave_data(df, own, data_version="own")],
        None,
        ledger=tmp_path / "l",
    )
    assert out.release.request.latest.questionnaire.study.id == "fonds-eigen-2023"


def test_catalogue_is_read_from_the_study_headers():
    from pipeline.tables.request import _catalogue, available_waves

    cat = _catalogue()
    assert ("wbm-werknemers-2023", "werknemers", 2023) in cat and (
        "pc126",
        "werknemers",
        2025,
    ) in cat
    assert [c[0] for c in cat][-1] == "pc126"  # modules after the questionnaires
    assert available_waves("werknemers") == [
        2004,
        2007,
        2010,
        2013,
        2016,
        2019,
        2023,
        2025,
    ] and available_waves("ondernemingen") == [2025]


def _own_cutoffs():
    """The 2023 questionnaire where employees (population 'werknemers') have their own werkstress
    cut-offs, without an acute one."""
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.questionnaire.model import Cutoffs

    q = load_questionnaire("wbm-werknemers-2023")
    inds = tuple(
        i.model_copy(update={"cutoffs": {**i.cutoffs, "werknemers": Cutoffs(problematisch=60.0)}})
        if i.name == "werkstress"
        else i
        for i in q.indicators
    )
    return q.model_copy(update={"indicators": inds})


def test_indicator_names_and_kinds_come_from_the_scoring_catalogue_of_the_runs_cutoffs():
    """Which acute variants exist depends on the cut-off population the run was scored with
    (pipeline.scoring.api.output_columns), as do the kinds (a count is a mean) and the definitions."""
    from pipeline.scoring.api import output_columns
    from pipeline.tables.notes import definition
    from pipeline.tables.request import indicator_names

    q = _own_cutoffs()
    for pop in ("default", "werknemers"):
        scored = [
            c.name for c in output_columns(q, pop) if c.kind not in ("score", "traffic_light")
        ]
        assert indicator_names(q, pop) == scored
    assert "werkstress_acuut" in indicator_names(q) and "werkstress_acuut" not in indicator_names(
        q, "werknemers"
    )
    req = parse_request(_base(indicators=["werkstress_acuut", "aantal_problemen"]))
    ok = resolve(req, questionnaires={2023: q}, cutoff_populations={2023: "default"})
    assert [ok.table_kind(i).value for i in req.indicators] == ["percent", "mean"]
    with pytest.raises(SpecError) as err:
        resolve(req, questionnaires={2023: q}, cutoff_populations={2023: "werknemers"})
    (p,) = err.value.problems
    assert (
        p.path == "indicators[0]"
        and "werkstress_acuut" not in p.expected
        and "leerprobleem_acuut" in p.expected
    )
    assert "54,5" in definition(q, "werkstress", "nl") and "60" in definition(
        q, "werkstress", "nl", "werknemers"
    )


def test_indicator_labels_are_the_reports_labels():
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.reports.labels import indicator_label
    from pipeline.tables.notes import indicator_text
    from pipeline.tables.request import indicator_names

    q = load_questionnaire("wbm-werknemers-2023")
    for lang in ("nl", "en"):
        for name in indicator_names(q):
            assert indicator_text(q, name, lang) == indicator_label(q, name, lang)
    assert indicator_text(q, "werkstress_acuut", "en") == "work stress (acute)"
    oe = load_questionnaire("oe-2025")
    assert indicator_text(oe, "employees", "nl") == oe.item("employees").label.nl


def test_the_standard_rows_are_the_reports_indicator_groups():
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.reports.labels import indicator_groups
    from pipeline.tables.standard import default_rows

    q = load_questionnaire("wbm-werknemers-2023")
    g = indicator_groups(q)
    rows = default_rows(q)
    assert rows[0] == g.headline.name and rows[-len(g.risk) :] == [i.name for i in g.risk]
    assert [r for r in rows[1 : -len(g.risk)] if not r.endswith("_acuut")] == [
        i.name for i in g.workability
    ]
    assert default_rows(load_questionnaire("oe-2025")) == []


def test_a_variable_whose_codes_changed_between_waves_is_a_located_error():
    """Same name, other codes (sector renumbered in the earlier wave): the filter levels and rows
    would silently mean other sectors there."""
    from pipeline.questionnaire.load import load_questionnaire

    new, old = load_questionnaire("wbm-werknemers-2023"), load_questionnaire("wbm-werknemers-2019")
    lists = tuple(
        cl.model_copy(
            update={
                "choices": tuple(c.model_copy(update={"code": c.code + 100}) for c in cl.choices)
            }
        )
        if cl.name == "sector"
        else cl
        for cl in old.choice_lists
    )
    recoded = old.model_copy(update={"choice_lists": lists})
    assert {c.code for c in recoded.choice_list("sector").choices} == set(range(101, 117))
    req = parse_request(
        _base(
            waves=[2019, 2023],
            rows="sector",
            filters=[
                {"variable": "statute", "levels": [1]},
                {"variable": "sector", "exclude": [16]},
            ],
        )
    )
    assert (
        resolve(req, "req.yaml", questionnaires={2023: new, 2019: old})
        .wave(2019)
        .variables["sector"]
        == "sector"
    )
    with pytest.raises(SpecError) as err:
        resolve(req, "req.yaml", questionnaires={2023: new, 2019: recoded})
    (p,) = err.value.problems
    assert (p.file, p.path, p.value) == ("req.yaml", "rows", "sector")
    assert (
        "codes 1, 2," in p.message
        and "in wave 2023 but 101, 102," in p.message
        and "wave 2019" in p.message
    )
