"""Spec files round-trip (load -> save -> load), trends pair 2023 with 2019, diffs see renames."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.questionnaire.diff import diff_questionnaires
from pipeline.questionnaire.dump import dump_questionnaire, save_questionnaire
from pipeline.questionnaire.load import check_questionnaire, load_questionnaire, shipped
from pipeline.questionnaire.model import Questionnaire
from pipeline.questionnaire.trend import trend_map


@pytest.mark.parametrize("name", sorted(shipped()))
def test_load_save_load_is_lossless(name: str, tmp_path: Path) -> None:
    q = load_questionnaire(name)
    text = dump_questionnaire(q)
    assert text.startswith("kind: questionnaire\nschema_version: 1\n")
    back = Questionnaire.model_validate(yaml.safe_load(text))
    assert back == q
    assert dump_questionnaire(back) == text  # the canonical layout is a fixed point
    path = save_questionnaire(q, tmp_path / f"{name}.yaml", header="resolved")
    report = check_questionnaire(path, check_mapping=False)
    assert report.ok and report.questionnaire == q


def test_trend_map_2023_to_2019() -> None:
    new, old = load_questionnaire("wbm-werknemers-2023"), load_questionnaire("wbm-werknemers-2019")
    tm = trend_map(new, old)
    assert tm.explicit
    assert tm.old_variable("sex") == "geslacht" and tm.old_variable("age_band") == "leeftijdsgroep"
    assert tm.old_variable("pv01") == "pv01"  # same name, same codes: implicit
    assert tm.old_variable("telework") is None  # new in 2023
    assert tm.old_indicator("werkstress") == "stress"
    assert tm.old_indicator("werkbaar_werk") == "werkbaar_werk"
    for new_name in (
        "werkbaar_werk",
        "werkstress",
        "welbevinden_probleem",
        "leerprobleem",
        "werk_prive_probleem",
    ):
        assert tm.old_indicator(new_name) is not None
    for v in new.domains:  # every standard breakdown can be trended
        assert tm.old_variable(v) in old.domains


def test_trend_map_without_declared_mapping_pairs_same_names() -> None:
    old, new = load_questionnaire("wbm-werknemers-2023"), load_questionnaire("pc126")
    tm = trend_map(new, old)
    assert not tm.explicit
    assert tm.old_indicator("werkstress") == "werkstress"
    assert tm.old_variable("pc126_subsector") is None


def test_diff_sees_renames_additions_and_changes() -> None:
    d = diff_questionnaires(
        load_questionnaire("wbm-werknemers-2019"), load_questionnaire("wbm-werknemers-2023")
    )
    kinds = {(c.kind, c.section, c.name) for c in d.changes}
    assert ("renamed", "items", "sex") in kinds and ("renamed", "indicators", "werkstress") in kinds
    assert ("added", "items", "telework") in kinds and ("added", "items", "tw_days") in kinds
    assert not any(c.kind == "removed" for c in d.changes)
    assert any(c.section == "study" and c.field == "modes" for c in d.changes)
    text = d.render()
    assert "~ items geslacht -> sex (renamed, trend mapping)" in text
    assert d.as_json()["changes"]


def test_diff_of_a_questionnaire_with_itself_is_empty(tmp_path: Path) -> None:
    q = load_questionnaire("oe-2025")
    assert diff_questionnaires(q, q).same
    changed = tmp_path / "oe.yaml"
    src = (Path(shipped()["oe-2025"])).read_text(encoding="utf-8")
    changed.write_text(
        src.replace("problematisch: 40.0, acuut: 20.0", "problematisch: 60.0, acuut: 20.0").replace(
            "{code: 4, label: {nl: artificiële", "{code: 5, label: {nl: artificiële"
        ),
        encoding="utf-8",
    )
    d = diff_questionnaires(q, load_questionnaire(changed))
    fields = {(c.section, c.name, c.field) for c in d.changes}
    assert ("indicators", "beperkt_competentiebeleid", "cutoffs") in fields
    assert ("choice_lists", "technology", "choices") in fields
    assert ("items", "technology", "choices") in fields  # resolved choices of the item changed too
    assert ("removed", "items") not in {(c.kind, c.section) for c in d.changes}


def test_cli_diff_and_resolve(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["questionnaire", "diff", "wbm-werknemers-2019", "wbm-werknemers-2023"])
        raise SystemExit(0)
    assert exc.value.code == 0 and "renamed" in capsys.readouterr().out
    out = tmp_path / "pc126.resolved.yaml"
    with pytest.raises(SystemExit) as exc:
        main(["questionnaire", "resolve", "pc126", "--out", str(out)])
        raise SystemExit(0)
    assert exc.value.code == 0
    assert load_questionnaire(out) == load_questionnaire("pc126")
