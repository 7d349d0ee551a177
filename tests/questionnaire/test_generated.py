"""What is generated from a questionnaire: SPSS metadata, codebook, datapackage, paper proof."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from pipeline.questionnaire.codebook import (
    datapackage,
    render_markdown,
    variable_docs,
    write_codebook,
)
from pipeline.questionnaire.load import load_questionnaire, shipped
from pipeline.questionnaire.metadata import missing_spec, spss_metadata
from pipeline.questionnaire.model import ItemType
from pipeline.questionnaire.proof import build_proof, render_proof


@pytest.fixture(scope="module")
def q():
    return load_questionnaire("wbm-werknemers-2023")


def test_missing_spec_uses_discrete_values_up_to_three_then_a_range() -> None:
    assert missing_spec([-9, -8, -1]) == (-9, -8, -1)
    assert missing_spec([-1, -7, -8, -9]) == ({"lo": -9, "hi": -1},)
    assert missing_spec([]) == ()


def test_spss_metadata_covers_every_variable(q) -> None:
    m = spss_metadata(q, "en")
    for v in q.known_variables():
        assert v in m.column_labels and v in m.variable_measure
    assert m.variable_value_labels["telework"] == {
        1: "yes",
        2: "no",
        -1: "not applicable",
        -7: "invalid answer",
        -8: "don't know",
        -9: "no answer",
    }
    assert m.missing_ranges["duration_sec"] == (-9,)
    assert "comment" not in m.missing_ranges  # text: no numeric user-missing
    assert m.variable_measure["wb01"] == "ordinal" and m.variable_measure["hours"] == "scale"
    assert m.variable_value_labels["tl_werkstress"][2] == "acute"
    assert m.variable_value_labels["werkbaar_werk"] == {0: "not workable work", 1: "workable work"}
    with pytest.raises(TypeError):
        m.column_labels["age"] = "x"  # type: ignore[index]


def test_release_metadata_describes_coarsened_variables(q) -> None:
    m = spss_metadata(q, "nl", release=True)
    assert (
        m.variable_value_labels["age"][1] == "jonger dan 30"
        and m.variable_measure["age"] == "ordinal"
    )
    assert m.variable_value_labels["sector"][4] == "quartaire sector"
    assert "afgetopt op 50" in m.column_labels["hours"]


def test_multiple_choice_expands_to_ticked_variables() -> None:
    oe = load_questionnaire("oe-2025")
    m = spss_metadata(oe, "en")
    assert m.column_labels["technology_4"] == "technologies used: artificial intelligence"
    assert m.variable_value_labels["technology_4"][1] == "ticked"


def test_metadata_survives_a_sav_round_trip(q, tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "sample_id": ["S1", "S2", "S3"],
            "telework": [1.0, 2.0, -9.0],
            "tw_days": [3.0, -1.0, -1.0],
            "age_band": [2.0, 5.0, -8.0],
            "score_werkdruk": [50.0, np.nan, 75.0],
        }
    )
    meta = spss_metadata(q, "nl")
    path = tmp_path / "x.sav"
    pyreadstat.write_sav(df, path, **meta.write_kwargs(df.columns))
    back, info = pyreadstat.read_sav(path, user_missing=True)
    assert info.column_names_to_labels["tw_days"] == "telewerkdagen per week"
    assert info.variable_value_labels["telework"][2.0] == "nee"
    assert info.missing_ranges["telework"] == [{"lo": -9.0, "hi": -1.0}]
    assert info.variable_measure["age_band"] == "ordinal"
    assert back["telework"].tolist() == [1.0, 2.0, -9.0]
    plain, _ = pyreadstat.read_sav(path)  # without user_missing the codes become system missing
    assert np.isnan(plain["telework"].iloc[2])


@pytest.mark.parametrize("name", sorted(shipped()))
def test_codebook_for_every_shipped_questionnaire(name: str, tmp_path: Path) -> None:
    qq = load_questionnaire(name)
    files = write_codebook(qq, tmp_path, lang="en")
    assert sorted(p.name for p in files) == sorted(
        [f"{qq.study.id}.codebook.en.md", f"{qq.study.id}.codebook.en.html", "datapackage.json"]
    )
    pkg = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    names = [f["name"] for f in pkg["resources"][0]["schema"]["fields"]]
    assert names == list(qq.known_variables())
    html = (tmp_path / f"{qq.study.id}.codebook.en.html").read_text(encoding="utf-8")
    for v in qq.known_variables():
        assert f'id="var-{v}"' in html


def test_codebook_content(q) -> None:
    md = render_markdown(q, "nl")
    k = q.known_variables().index("tw_days") + 1
    assert f"| {k} | `tw_days` | telewerkdagen per week | integer |" in md
    assert "u bij vraag telework 'ja' antwoordde" in md
    assert "hard 0..7, soft ..5 dagen per week" in md
    assert "bands: 0-29 -> 1 jonger dan 30" in md
    assert re.search(r"`werkstress`.*problematisch 54.5, acuut 81.8 \| reference \|", md)
    docs = {d.name: d for d in variable_docs(q, "en")}
    assert docs["tw_days"].routing == "you answered 'yes' to question telework"
    assert docs["age_band"].type == "derived" and docs["age_band"].values[0] == (1, "under 30")


def test_datapackage_fields_carry_categories_and_missing_values(q) -> None:
    pkg = datapackage(q, "en")
    fields = {f["name"]: f for f in pkg["resources"][0]["schema"]["fields"]}
    tw = fields["telework"]
    assert tw["categories"] == [{"value": 1, "label": "yes"}, {"value": 2, "label": "no"}]
    assert tw["constraints"]["enum"] == [1, 2, -1, -7, -8, -9]
    assert tw["missingValues"] == ["-1", "-7", "-8", "-9"]
    assert fields["tw_days"]["x-wbm"]["relevant"] == "telework == 1"
    assert fields["hours"]["type"] == "number" and fields["sample_id"]["type"] == "string"
    assert pkg["resources"][0]["schema"]["primaryKey"] == ["sample_id"]


def test_paper_proof_numbers_questions_and_shows_routing(q) -> None:
    proof = build_proof(q, "nl", "paper")
    questions = [qq for b in proof.blocks for qq in b.questions]
    names = [x.name for x in questions]
    assert (
        "sample_id" not in names and "duration_sec" not in names
    )  # id pre-printed; web-only item left out
    numbers = {x.name: x.number for x in questions}
    assert [x.number for x in questions] == [str(k) for k in range(1, len(questions) + 1)]
    telework = next(x for x in questions if x.name == "telework")
    (nee,) = [a for a in telework.answers if a.code == 2]
    assert nee.goto == f"ga naar vraag {numbers['abs_spells']}"
    assert next(a for a in telework.answers if a.code == 1).goto is None
    tw_days = next(x for x in questions if x.name == "tw_days")
    assert (
        tw_days.only_if
        == f"Alleen beantwoorden als u bij vraag {numbers['telework']} 'ja' antwoordde."
    )
    grids = [b for b in proof.blocks if b.kind == "grid"]
    assert any(len(b.questions) == 11 and b.columns == ("ja", "nee") for b in grids)  # pv01-pv11
    assert any(b.columns == ("altijd", "vaak", "soms", "nooit") for b in grids)
    assert [b.heading for b in proof.blocks if b.kind == "section"][0] == "Over uzelf en uw job"


def test_web_proof_keeps_web_items_and_renders_html(q) -> None:
    html = render_proof(q, "en", "web")
    assert "completion time" in html.lower() or "invulduur" in html.lower()
    assert "Only answer if you answered &#39;yes&#39; to question" in html
    assert html.count('class="box"') > 200
    single = [it for it in q.items if it.type == ItemType.single]
    assert all(f'id="q-{it.name}"' in html for it in single)
