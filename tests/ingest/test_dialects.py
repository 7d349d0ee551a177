"""Import dialects: files shaped like LimeSurvey, Qualtrics, CATI agency and Excel keying exports are
read correctly (or refused with a located message), and the dialect is shown in the report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import InputError, UsageError
from pipeline.ingest import InputFile
from pipeline.questionnaire.model import Questionnaire
from pipeline.validate import run_validation
from pipeline.validate.run import ValidationFrames, read_all, validate_tables

from ..validate.validate_wavegen import generate
from .dialect_files import (
    cati_agency_sav,
    keying_sheet,
    limesurvey_csv,
    limesurvey_sav,
    qualtrics_csv,
    wbm_frame,
)


def _validate(q: Questionnaire, *inputs: InputFile) -> ValidationFrames:
    raws, seconds = read_all(q, list(inputs))
    return validate_tables(q, raws, seconds)


def _codes(vf: ValidationFrames) -> dict[str, int]:
    return vf.issues.groupby("code").size().to_dict()


def _all(vf: ValidationFrames, key: str = "sample_id") -> pd.DataFrame:
    return pd.concat([vf.accepted, vf.set_aside], ignore_index=True).set_index(key)


def _token_mapping(tmp_path: Path, source: str = "token") -> Path:
    m = tmp_path / "map.yaml"
    m.write_text(
        "kind: input-mapping\nschema_version: 1\n"
        f"columns:\n  - {{source: {source}, variable: sample_id}}\n",
        encoding="utf-8",
    )
    return m


# ------------------------------------------------------------------------------------ LimeSurvey
def test_limesurvey_csv_na_breakoff_and_required_missing(wbm: Questionnaire, tmp_path: Path):
    df = wbm_frame(wbm)
    path, _ = limesurvey_csv(wbm, df, tmp_path / "results-survey123.csv")
    vf = _validate(wbm, InputFile(path, mode="web", mapping=_token_mapping(tmp_path)))
    summary = vf.summary(tmp_path)
    (inp,) = summary.inputs
    assert inp.dialect == "limesurvey" and "lastpage" in inp.dialect_evidence
    assert inp.rows_read == 40 and inp.balanced
    codes = _codes(vf)
    # 'N/A' is "not shown": never an invalid answer
    assert "invalid_code" not in codes and "unparseable_value" not in codes
    assert (vf.edits["rule_id"] != "invalid_code").all()
    # the two break-offs and the unanswered sex question are found
    sa = vf.set_aside.set_index("_record_id")["_reasons"].to_dict()
    assert sa["results-survey123.csv:4"] == "breakoff"
    assert sa["results-survey123.csv:5"] == "breakoff"
    assert "weighting_variable_missing" in sa["results-survey123.csv:6"]
    assert codes["required_missing"] == 1
    data = _all(vf)
    expect = df.set_index("sample_id")
    # Y/N answers read as the yes/no codes, array columns PV[SQ001].. read as pv01..
    for sid in expect.index[:3]:
        for var in ("pv01", "pv11", "telework", "wb01", "age"):
            assert data.loc[sid, var] == expect.loc[sid, var], (sid, var)
    # routing-skipped 'N/A' -> -1, not answered on the break-off -> -9
    skipped = expect.index[expect["tw_days"].isna()][0]
    assert data.loc[skipped, "tw_days"] == -1
    # how it was read is in the issue table (the report's "how the file was read")
    msgs = " ".join(vf.issues.loc[vf.issues["record_id"].isna(), "message"].astype(str))
    assert "PV[SQ001] -> pv01" in msgs and "token -> sample_id" in msgs and "'N/A'" in msgs


def test_limesurvey_sav(wbm: Questionnaire, tmp_path: Path):
    df = wbm_frame(wbm, n=20, seed=8)
    path = limesurvey_sav(wbm, df, tmp_path / "survey_123_SPSS.sav")
    vf = _validate(wbm, InputFile(path, mapping=_token_mapping(tmp_path)))
    (inp,) = vf.summary(tmp_path).inputs
    assert inp.dialect == "limesurvey" and inp.rows_read == 20 and inp.accepted == 20
    data, expect = _all(vf), df.set_index("sample_id")
    assert (data.loc[expect.index, "pv03"] == expect["pv03"]).all()
    assert "invalid_code" not in _codes(vf)


# ------------------------------------------------------------------------------------- Qualtrics
@pytest.mark.parametrize("text", [True, False], ids=["choice-text", "numeric-values"])
def test_qualtrics_three_header_rows(wbm: Questionnaire, tmp_path: Path, text: bool):
    df = wbm_frame(wbm, n=25, seed=3)
    path = qualtrics_csv(wbm, df, tmp_path / "WBM 2023_May 2.csv", text=text)
    mapping = tmp_path / "qualtrics.yaml"
    mapping.write_text(
        "kind: input-mapping\nschema_version: 1\ncolumns:\n"
        "  - {source: ExternalReference, variable: sample_id}\n"
        "  - {source: Duration (in seconds), variable: duration_sec}\n",
        encoding="utf-8",
    )
    vf = _validate(wbm, InputFile(path, mapping=mapping))
    (inp,) = vf.summary(tmp_path).inputs
    assert inp.dialect == "qualtrics" and "ImportId" in inp.dialect_evidence
    # the 2nd and 3rd header rows are not respondents
    assert inp.rows_read == 25 and inp.balanced
    assert len(vf.accepted) + len(vf.set_aside) == 25
    assert "header" in " ".join(vf.issues["message"].astype(str))
    data, expect = _all(vf), df.set_index("sample_id")
    for var in ("sector", "wb01", "pv02", "retire"):
        assert (data.loc[expect.index, var] == expect[var]).all(), var
    # -99 "seen but unanswered" -> -9 on the required sex question
    assert data.loc[expect.index[2], "sex"] == -9
    assert _codes(vf)["required_missing"] == 1
    assert "invalid_code" not in _codes(vf) and "unparseable_value" not in _codes(vf)
    if text:
        assert "values_by_label" in _codes(vf)


def test_qualtrics_header_rows_only_is_refused(wbm: Questionnaire, tmp_path: Path):
    df = wbm_frame(wbm, n=3)
    path = qualtrics_csv(wbm, df, tmp_path / "q.csv", text=False)
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        _validate(wbm, InputFile(path, mode="web"))
    assert exc.value.problems[0].code == "file_no_rows"


# ------------------------------------------------------------------------------ CATI agency .sav
def test_cati_agency_sav_text_answers_and_own_missing_codes(oe: Questionnaire, tmp_path: Path):
    df = generate(oe, 30, mode="cati", seed=4, overrides={"employees": 25})
    path = cati_agency_sav(oe, df, tmp_path / "oe_veldwerk_bureau.sav")
    vf = _validate(oe, InputFile(path))
    (inp,) = vf.summary(tmp_path).inputs
    assert inp.mode == "cati" and inp.dialect == "spss"
    data = _all(vf, "_record_id")
    expect = df.reset_index(drop=True)
    # ja/nee text answers read as the yes/no codes: nothing set aside for text
    assert "unparseable_value" not in _codes(vf)
    for k in range(5):
        rid = f"oe_veldwerk_bureau.sav:{k + 1}"
        assert data.loc[rid, "multi_site"] == expect.loc[k, "multi_site"]
    # the agency's own codes: 99 'weet niet' -> -8, 98 'weigert' -> -9
    assert data.loc["oe_veldwerk_bureau.sav:2", "employees"] == -8
    assert data.loc["oe_veldwerk_bureau.sav:3", "flex_hours"] == -9
    recoded = " ".join(vf.issues.loc[vf.issues["code"] == "values_recoded", "message"].astype(str))
    assert "99 -> -8" in recoded and "98 -> -9" in recoded


def test_text_answers_matching_no_label_are_named(oe: Questionnaire, tmp_path: Path):
    df = generate(oe, 10, mode="cati", seed=4, overrides={"employees": 25})
    path = cati_agency_sav(oe, df, tmp_path / "a.sav")
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    frame["TELEWORK"] = ["jaa"] + frame["TELEWORK"].tolist()[1:]
    pyreadstat.write_sav(frame, str(path), variable_value_labels=meta.variable_value_labels)
    vf = _validate(oe, InputFile(path))
    msg = vf.issues.loc[vf.issues["code"] == "text_not_matched", "message"].tolist()
    assert len(msg) == 1 and "'jaa'" in msg[0] and "mapping" in msg[0]


# ---------------------------------------------------------------------------------- Excel keying
def test_excel_keying_sheet_title_rows_and_ticks(oe: Questionnaire, tmp_path: Path):
    df = generate(oe, 12, mode="cati", seed=6, overrides={"employees": 25})
    path = keying_sheet(oe, df, tmp_path / "invoer_batch7.xlsx")
    vf = _validate(oe, InputFile(path, mode="cati"))
    (inp,) = vf.summary(tmp_path).inputs
    assert inp.dialect == "keying" and inp.rows_read == 12 and inp.balanced
    data = _all(vf, "_record_id")
    expect = df.reset_index(drop=True)
    options = [f"technology_{c}" for c in (1, 2, 3, 4)]
    for k in range(12):
        rid = f"invoer_batch7.xlsx:{k + 1}"
        assert data.loc[rid, "sector_group"] == expect.loc[k, "sector_group"]
        ticked = expect.loc[k, options].sum() > 0
        for var in options:  # 'x' -> 1; an empty box is 0 when another is ticked, else no answer
            assert data.loc[rid, var] == (expect.loc[k, var] if ticked else -9), (k, var)
    notes = vf.tables[0].td.raw.notes
    assert notes == ("2 title row(s) above the header skipped",)


# ------------------------------------------------------------------------------- declared dialect
def test_declared_dialect_wins_and_unknown_dialect_is_refused(wbm: Questionnaire, tmp_path: Path):
    df = wbm_frame(wbm, n=5)
    path, _ = limesurvey_csv(wbm, df, tmp_path / "x.csv", breakoff=1, unanswered_sex=0)
    vf = _validate(
        wbm, InputFile(path, mode="web", dialect="limesurvey", mapping=_token_mapping(tmp_path))
    )
    (inp,) = vf.summary(tmp_path).inputs
    assert inp.dialect == "limesurvey" and inp.dialect_evidence == "declared"
    with pytest.raises(UsageError) as exc:
        InputFile(path, dialect="limesurvy")
    assert "limesurvey" in exc.value.problems[0].message


def test_report_shows_the_dialect(wbm: Questionnaire, tmp_path: Path):
    df = wbm_frame(wbm, n=10)
    path, _ = limesurvey_csv(wbm, df, tmp_path / "lime.csv", breakoff=1, unanswered_sex=0)
    out = tmp_path / "out"
    run_validation(wbm, [InputFile(path, mode="web", mapping=_token_mapping(tmp_path))], out)
    html = (out / "validation_report.html").read_text(encoding="utf-8")
    assert "limesurvey" in html and "map.yaml" in html
    import json

    diag = json.loads((out / "diagnostics.json").read_text(encoding="utf-8"))
    assert diag["inputs"][0]["dialect"] == "limesurvey"
    assert diag["inputs"][0]["mapping"] == "map.yaml"
    # how the dialect was recognised, in the report's language (issue 19): Dutch by default, the
    # English evidence kept in diagnostics.json beside its code and values
    ev = diag["inputs"][0]
    assert (
        ev["dialect_evidence"].startswith("columns ") and ev["dialect_evidence_code"] == "columns"
    )
    cols = ", ".join(f"<code>{c}</code>" for c in ev["dialect_evidence_values"])
    assert f"<small>(kolommen {cols})</small>" in html
    assert '<small lang="en">' not in html
    run_validation(
        wbm, [InputFile(path, mode="web", mapping=_token_mapping(tmp_path))], out, lang="en"
    )
    en = next(out.glob("validation_report*.html"))
    en_html = "".join(p.read_text(encoding="utf-8") for p in out.glob("validation_report*.html"))
    assert f"<small>(columns {cols})</small>" in en_html, en
