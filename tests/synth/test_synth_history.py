"""``wbm synth --wave YEAR``: a past wave with its own questionnaire, size and published figures; group
targets of the composite (werkbaar werk per sector in 2019)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from pipeline.errors import SpecError, UsageError
from pipeline.synth.history import WAVES, wave_questionnaire, wave_size


def test_each_wave_has_its_questionnaire_and_model() -> None:
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.synth.config import load_model, select_model

    for pop, years in WAVES.items():
        for y in years:
            q = load_questionnaire(wave_questionnaire(pop, y))
            m = load_model(select_model(q))
            assert (q.study.population, q.study.wave, m.wave) == (pop, y, y)
    assert (
        wave_size("wbm-werknemers-2004") == 20_000
        and wave_size("wbm-werknemers-2013", 0.1) == 4_000
    )
    with pytest.raises(UsageError) as e:
        wave_questionnaire("werknemers", 2011)
    assert "2004, 2007, 2010, 2013, 2016, 2019, 2023" in (e.value.problems[0].hint or "")
    with pytest.raises(UsageError):
        wave_questionnaire("zelfstandigen", 2004)  # measured since 2007


def test_cli_synth_wave(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    main(
        [
            "synth",
            "--wave",
            "2007",
            "--population",
            "zelfstandigen",
            "--size",
            "600",
            "--out",
            str(tmp_path / "z"),
        ]
    )
    out = capsys.readouterr().out
    assert "questionnaire wbm-zelfstandigen-2007, model zelfstandigen-2007" in out
    truth = json.loads((tmp_path / "z" / "truth.json").read_text())
    assert truth["indicators"]["werkbaar_werk"]["overall"] == pytest.approx(0.477, abs=1e-6)
    with pytest.raises(SystemExit) as e:
        main(
            ["synth", "--wave", "2019", "--questionnaire", "oe-2025", "--out", str(tmp_path / "x")]
        )
    assert e.value.code == 2


def test_group_targets_are_checked_against_the_questionnaire(tmp_path: Path) -> None:
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.synth.check import check_model
    from pipeline.synth.config import MODELS_DIR, load_model

    data = yaml.safe_load((MODELS_DIR / "werknemers-2019.yaml").read_text(encoding="utf-8"))
    data["traits"]["composite_by"]["targets"][99] = {"value": 0.5, "source": "SYNTHETIC"}
    data["extends"] = "werknemers-2023"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(SpecError) as e:
        check_model(load_model(path), load_questionnaire("wbm-werknemers-2019"))
    assert any(
        p.path == "traits.composite_by.targets" and p.value == [99] for p in e.value.problems
    )
