"""The agency's call records of a telephone survey (issue 16): AAPOR RR1-RR4 per stratum from the
calls' final dispositions, a summary per interviewer, and located errors for bad records."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.fieldwork.aapor import KEY_OF_CODE, rates
from pipeline.fieldwork.callrecords import check_calls


@pytest.fixture(scope="module")
def oe(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from pipeline.runner import Run, RunConfig, run_stages
    from pipeline.synth.wave import generate_wave

    base = tmp_path_factory.mktemp("oe")
    generate_wave(base / "wave", size=1200, seed=11, questionnaire="oe-2025")
    run_stages(
        Run(base / "run", RunConfig.from_wave_dir(base / "wave")),
        ("validate", "weight", "score", "estimate"),
    )
    return base / "wave", base / "run"


def test_rates_per_stratum_from_the_calls_equal_a_hand_count(oe, tmp_path) -> None:
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.reports.fieldwork import write_fieldwork

    wave, run = oe
    q = load_questionnaire("oe-2025")
    _res, paths = write_fieldwork(
        run, wave / "frame.parquet", tmp_path, q, calls=wave / "call_records.csv"
    )
    import json

    ap = json.loads(paths[0].read_text(encoding="utf-8"))["aapor"]
    assert ap["source"] == "calls" and ap["never_called"] == 0
    calls = pd.read_csv(wave / "call_records.csv", dtype=str)
    assert ap["calls"] == len(calls)
    # by hand: the disposition on each unit's final call, per sector group x size class
    last = calls.dropna(subset=["disposition"])
    assert last["org_id"].is_unique
    last = last.assign(key=last["disposition"].map(KEY_OF_CODE))
    for r in ap["rows"][1:]:
        sg, sc = r["level"].split("*")
        cell = last[(last["sector_group"] == sg) & (last["size_class"] == sc)]
        want = rates(cell["key"].value_counts().to_dict())
        assert r["counts"] == {k: want.count(k) for k in r["counts"]}
        assert r["rr1"] == pytest.approx(want.rr1) and r["rr4"] == pytest.approx(want.rr4)
    assert ap["rows"][0]["sampled"] == len(last)
    # the frame's disposition column tells the same story (the generator writes both)
    assert ap["disagree_with_frame"] == 0
    people = ap["interviewers"]
    assert len(people) == 14  # the model's interviewers
    assert sum(p["calls"] for p in people) == len(calls)
    assert sum(p["finalised"] for p in people) == len(last)
    by_hand = last.groupby("interviewer")["key"].apply(lambda k: (k == "I").mean())
    for p in people:
        assert p["interview_rate"] == pytest.approx(by_hand[p["interviewer"]])
    html = paths[1].read_text(encoding="utf-8")
    assert "oproepregistratie" in html and "<h3>Interviewers</h3>" in html
    assert f"{len(calls):,}".replace(",", ".") in html  # Dutch thousands separator


def _rows(*rows: str) -> list[dict[str, str]]:
    cols = ("org_id", "attempt", "interviewer", "outcome", "disposition")
    return [dict(zip(cols, r.split(","), strict=True)) for r in rows]


def test_bad_call_records_are_located_every_one_at_once() -> None:
    rows = _rows(
        "A,1,I1,busy,",
        "A,1,I2,complete,1.1",  # attempt repeated
        "B,x,I1,busy,",  # not an attempt number
        "C,1,,refusal,2.10",  # no interviewer
        "D,1,I3,complete,9.9",  # unknown disposition
        "E,1,I3,busy,",  # no final disposition
        "F,1,I3,complete,1.1",
        "F,2,I3,complete,1.1",  # two final dispositions
    )
    with pytest.raises(InputError) as err:
        check_calls(rows, id_column="org_id", source="calls.csv")
    assert err.value.code == "bad_call_record"
    found = {(p.row, p.column) for p in err.value.problems}
    assert {(3, "attempt"), (4, "attempt"), (5, "interviewer"), (6, "disposition")} <= found
    assert (9, "disposition") in found  # F's second final call
    assert any(p.value == "E" and p.column == "disposition" for p in err.value.problems)
    assert not any(p.value == "D" and p.row is None for p in err.value.problems)  # once, at row 6
    assert all(p.file == "calls.csv" for p in err.value.problems)


def test_a_file_without_the_columns_is_refused() -> None:
    with pytest.raises(InputError) as err:
        check_calls([{"id": "A", "attempt": "1"}], id_column="org_id", source="c.csv")
    assert err.value.code == "bad_call_record"
    assert "interviewer" in str(err.value.problems[0].column)


def test_good_records_give_the_final_disposition_of_every_unit() -> None:
    rec = check_calls(
        _rows("A,1,I1,busy,", "A,2,I2,complete,1.1", "B,1,I1,refusal,2.10"),
        id_column="org_id",
        source="c.csv",
    )
    assert rec.final() == {"A": "I", "B": "R"}
    people = {p["interviewer"]: p for p in rec.interviewers()}
    assert people["I1"]["calls"] == 2 and people["I1"]["R"] == 1
    assert people["I1"]["interview_rate"] == 0.0 and people["I2"]["interview_rate"] == 1.0
