"""The mapping layer: source columns and codes to questionnaire variables, case-insensitive with
"did you mean", every problem of a mapping at once, drafts from `wbm questionnaire map`, and the
mapping recorded in the run manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.errors import InputError
from pipeline.ingest import InputFile
from pipeline.ingest.mapping import load_mapping, plan_columns, variable_candidates
from pipeline.questionnaire.model import Questionnaire
from pipeline.validate.run import read_all, validate_tables

from ..validate.validate_wavegen import to_paper, write_csv
from .dialect_files import limesurvey_csv, wbm_frame


def _upper_csv(q: Questionnaire, tmp_path: Path, n: int = 12) -> Path:
    df = to_paper(wbm_frame(q, n=n), q)
    df.columns = [c.upper() if c not in ("batch", "keyer") else c for c in df.columns]
    return write_csv(df, tmp_path / "KEYED.csv")


def test_upper_case_names_are_matched_and_recorded(wbm: Questionnaire, tmp_path: Path):
    path = _upper_csv(wbm, tmp_path)
    raws, _ = read_all(wbm, [InputFile(path)])
    vf = validate_tables(wbm, raws)
    assert len(vf.accepted) + len(vf.set_aside) == 12
    assert raws[0].columns_read["sex"] == "SEX" and raws[0].columns_read["pv01"] == "PV01"
    msg = " ".join(vf.issues.loc[vf.issues["code"] == "column_mapped", "message"].astype(str))
    assert "SEX -> sex" in msg and "ignoring case" in msg


def test_unknown_column_says_did_you_mean(wbm: Questionnaire, tmp_path: Path):
    path = _upper_csv(wbm, tmp_path)
    text = path.read_text(encoding="utf-8").replace("TRAINING", "TRAINNG", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:  # training is now missing: the file is refused ...
        read_all(wbm, [InputFile(path)])
    assert [p.column for p in exc.value.problems] == ["training"]
    plan = plan_columns(["TRAINNG", "sex"], wbm, None, file="f.csv")
    assert dict(plan.unknown)["TRAINNG"] == "did you mean 'training'?"


def test_mapping_problems_are_all_reported_with_lines(wbm: Questionnaire, tmp_path: Path):
    m = tmp_path / "m.yaml"
    m.write_text(
        "kind: input-mapping\n"
        "schema_version: 1\n"
        "columns:\n"
        "  - {source: GESLACHT, variable: sexe}\n"  # line 4: unknown variable
        "  - {source: LEEFTIJD, variable: age}\n"  # line 5: column not in the file
        "  - source: PROVINCIE\n"
        "    variable: province\n"
        "    codes: [{source: ANT, code: 1}, {source: XX, code: 77}]\n",  # line 8: bad code
        encoding="utf-8",
    )
    mapping = load_mapping(m)
    with pytest.raises(InputError) as exc:
        plan_columns(["GESLACHT", "AGE_Y", "PROVINCIE"], wbm, mapping, file="data.csv")
    probs = exc.value.problems
    assert [p.line for p in probs] == [4, 5, 8]
    assert all(p.file == str(m) and p.code == "mapping_error" for p in probs)
    assert probs[0].hint == "did you mean 'sex'?"
    assert "77" in probs[2].message and probs[2].expected is not None


def test_mapping_structure_errors_are_located(tmp_path: Path):
    m = tmp_path / "m.yaml"
    m.write_text("kind: input-mapping\nschema_version: 1\ncolums: []\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_mapping(m)
    (p,) = exc.value.problems
    assert p.line == 3 and p.code == "mapping_error"


def test_two_columns_for_one_variable_are_refused(wbm: Questionnaire):
    with pytest.raises(InputError) as exc:
        plan_columns(["sex", "SEX"], wbm, None, file="f.csv")
    assert "'sex', 'SEX'" in exc.value.problems[0].message


def test_codes_and_missing_values_from_a_mapping(wbm: Questionnaire, tmp_path: Path):
    df = to_paper(wbm_frame(wbm, n=6), wbm)
    df["sex"] = ["M", "V", "M", "V", "?", "M"]
    df["age"] = ["40", "999", "35", "50", "41", "38"]
    path = write_csv(df, tmp_path / "p.csv")
    m = tmp_path / "m.yaml"
    m.write_text(
        "kind: input-mapping\nschema_version: 1\n"
        "missing: [{source: '999', code: -8}]\n"
        "columns:\n"
        "  - source: sex\n    variable: sex\n"
        "    codes: [{source: M, code: 1}, {source: V, code: 2}, {source: '?', code: -8}]\n",
        encoding="utf-8",
    )
    raws, _ = read_all(wbm, [InputFile(path, mapping=m)])
    vf = validate_tables(wbm, raws)
    rows = pd.concat([vf.accepted, vf.set_aside]).set_index("_record_id")
    assert rows.loc["p.csv:1", "sex"] == 1 and rows.loc["p.csv:2", "sex"] == 2
    assert rows.loc["p.csv:5", "sex"] == -8 and rows.loc["p.csv:2", "age"] == -8


def test_array_names():
    variables = ["pv01", "pv02", "reasons_1", "wb1"]
    assert variable_candidates("PV[SQ001]", variables) == ["pv01"]
    assert variable_candidates("PV_SQ002", variables) == ["pv02"]
    assert variable_candidates("reasons_1", variables) == ["reasons_1"]
    assert variable_candidates("WB[SQ001]", variables) == ["wb1"]
    assert variable_candidates("sex", variables) == []


def test_map_command_drafts_a_mapping_that_validates(wbm: Questionnaire, tmp_path: Path):
    df = wbm_frame(wbm, n=15)
    path, _ = limesurvey_csv(wbm, df, tmp_path / "lime.csv", breakoff=2, unanswered_sex=4)
    draft = tmp_path / "draft.yaml"
    r = CliRunner().invoke(
        cli,
        ["questionnaire", "map", "-q", "wbm-werknemers-2023", "-i", str(path), "--out", str(draft)],
    )
    assert r.exit_code == 0, r.output
    text = draft.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["kind"] == "input-mapping" and data["dialect"] == "limesurvey"
    by_source = {c["source"]: c for c in data["columns"]}
    assert by_source["PV[SQ001]"]["variable"] == "pv01"
    assert by_source["SEX"]["variable"] == "sex"
    assert "variable" not in by_source["submitdate"]  # metadata: ignored
    assert {"source": "Y", "code": 1} in by_source["TELEWORK"]["codes"]
    assert "TODO" in text and "sample_id" in text  # the id is not in the file: a decision
    # completed by hand (the token column holds the sample id), the draft validates the file
    data["columns"] = [
        {"source": "token", "variable": "sample_id"} if c["source"] == "token" else c
        for c in data["columns"]
    ]
    draft.write_text(yaml.safe_dump(data), encoding="utf-8")
    raws, _ = read_all(wbm, [InputFile(path, mode="web", mapping=draft)])
    vf = validate_tables(wbm, raws)
    assert len(vf.accepted) + len(vf.set_aside) == 15
    assert set(vf.set_aside["_reasons"]) >= {"breakoff"}


def test_mapping_is_recorded_in_the_run_manifest(wbm: Questionnaire, tmp_path: Path):
    from pipeline.runner import Run, RunConfig, run_stages

    wave = tmp_path / "wave"
    wave.mkdir()
    df = wbm_frame(wbm, n=10)
    limesurvey_csv(wbm, df, wave / "lime.csv", breakoff=1, unanswered_sex=0)
    (wave / "lime.yaml").write_text(
        "kind: input-mapping\nschema_version: 1\ndialect: limesurvey\n"
        "columns: [{source: token, variable: sample_id}]\n",
        encoding="utf-8",
    )
    (wave / "margins.yaml").write_text("", encoding="utf-8")
    (wave / "wave.json").write_text(
        json.dumps(
            {
                "questionnaire": "wbm-werknemers-2023",
                "inputs": [{"path": "lime.csv", "mode": "web", "mapping": "lime.yaml"}],
                "margins": "margins.yaml",
            }
        ),
        encoding="utf-8",
    )
    run = Run(tmp_path / "run", RunConfig.from_wave_dir(wave))
    run_stages(run, ["validate"])
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    roles = {e["role"]: e for e in manifest["inputs"]}
    assert roles["mapping"]["path"] == "lime.yaml" and len(roles["mapping"]["sha256"]) == 64
    assert roles["data"]["mapping"] == "lime.yaml"
    per_input = manifest["stages"]["validate"]["rows"]["per_input"][0]
    assert per_input["dialect"] == "limesurvey" and per_input["mapping"] == "lime.yaml"


def test_validate_cli_dialect_and_mapping_per_input(wbm: Questionnaire, tmp_path: Path):
    df = wbm_frame(wbm, n=8)
    path, _ = limesurvey_csv(wbm, df, tmp_path / "lime.csv", breakoff=1, unanswered_sex=0)
    m = tmp_path / "m.yaml"
    m.write_text(
        "kind: input-mapping\nschema_version: 1\ncolumns: [{source: token, variable: sample_id}]\n",
        encoding="utf-8",
    )
    args = ["validate", "-q", "wbm-werknemers-2023", "-i", f"web:{path}", "-o", str(tmp_path / "o")]
    r = CliRunner().invoke(
        cli, [*args, "--dialect", "lime.csv=limesurvey", "--mapping", f"lime.csv={m}"]
    )
    assert r.exit_code == 0, r.output
    assert "read as limesurvey (declared) with mapping m.yaml" in r.output
    r = CliRunner().invoke(cli, [*args, "--mapping", f"other.csv={m}"])
    assert r.exit_code != 0 and "'other.csv' is not one of" in str(r.exception or r.output)


def test_run_cli_dialect_and_mapping_are_recorded(wbm: Questionnaire, tmp_path: Path):
    df = wbm_frame(wbm, n=8)
    path, _ = limesurvey_csv(wbm, df, tmp_path / "lime.csv", breakoff=1, unanswered_sex=0)
    m = tmp_path / "m.yaml"
    m.write_text(
        "kind: input-mapping\nschema_version: 1\ncolumns: [{source: token, variable: sample_id}]\n",
        encoding="utf-8",
    )
    margins = tmp_path / "margins.yaml"
    margins.write_text("", encoding="utf-8")
    args = ["run", "--questionnaire", "wbm-werknemers-2023", "--input", f"web:{path}"]
    args += ["--margins", str(margins), "--out", str(tmp_path / "run"), "--stage", "validate"]
    r = CliRunner().invoke(cli, [*args, "--dialect", "limesurvey", "--mapping", str(m)])
    assert r.exit_code == 0, r.output
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    data = next(e for e in manifest["inputs"] if e["role"] == "data")
    assert data["dialect"] == "limesurvey" and data["mapping"] == "m.yaml"
