"""Microdata .sav: read back with pyreadstat it has labels, user-missing codes, measure levels, the
release recodes, a random release id, and no identifier, free text or internal column."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from outputs_fixtures import make_frame

from pipeline.errors import InputError
from pipeline.fileio import sha256_file
from pipeline.outputs.microdata import FIXED_DATE, HEADER_DATE_OFFSET, write_microdata_sav

SEED = 20231


@pytest.fixture(scope="module")
def frame(q):
    return make_frame(q, n=80)


@pytest.fixture(scope="module")
def released(q, frame, tmp_path_factory):
    path = write_microdata_sav(frame, q, tmp_path_factory.mktemp("sav") / "wbm-2023.sav", seed=SEED)
    df, meta = pyreadstat.read_sav(str(path), user_missing=True)
    return path, df, meta


def test_no_identifier_free_text_or_internal_column(frame, released):
    _path, df, _meta = released
    for col in ("sample_id", "comment", "_source_file", "_source_row", "_record_id", "_mode", "_completeness"):
        assert col not in df.columns
    assert df.select_dtypes(include="object").columns.tolist() == []  # no strings at all
    assert "mode" in df.columns and df.columns[0] == "release_id"
    assert sorted(df["release_id"]) == list(range(1, len(frame) + 1))
    assert df["release_id"].tolist() == sorted(df["release_id"])  # rows in release-id order
    for sid in frame["sample_id"].head(5):
        assert sid.encode() not in released[0].read_bytes()


def test_labels_missing_codes_and_measures(q, released):
    _path, _df, meta = released
    assert meta.file_label == "wbm-werknemers-2023 microdata"
    labels = meta.column_names_to_labels
    assert all(labels[c] for c in meta.column_names), [c for c in meta.column_names if not labels[c]]
    assert labels["sex"] == q.item("sex").label.en and labels["werkstress"].startswith(q.indicator("werkstress").label.en)
    assert meta.missing_ranges["sex"] == [{"lo": -9.0, "hi": -1.0}]
    assert meta.missing_ranges["duration_sec"] == [{"lo": -9.0, "hi": -9.0}]
    vl = meta.variable_value_labels
    assert vl["sex"][-9] == "no answer" and vl["sex"][2] == "woman" and vl["pv01"][-7] == "invalid answer"
    assert vl["mode"] == {1: "paper", 2: "web", 3: "telephone (CATI)"}
    assert set(vl["tl_werkstress"]) == {0, 1, 2} and vl["tl_werkstress"][2] == "acute"
    assert vl["hours"][50] == "50 or more"  # the top-coded value says so
    assert meta.variable_measure["sex"] == "nominal" and meta.variable_measure["wb01"] == "ordinal"
    assert meta.variable_measure["score_werkdruk"] == "scale" and meta.variable_measure["weight"] == "scale"
    for col in ("weight", "weight_normalised", "score_welbevinden", "werkbaar_werk", "aantal_problemen",
                "werkstress_acuut", "age_band"):
        assert labels[col]


def test_release_recodes(q, frame, released):
    _path, df, meta = released
    age = frame["age"].to_numpy()
    bands = np.where(age < 0, age, np.select([age <= 29, age <= 39, age <= 49, age <= 54], [1, 2, 3, 4], 5))
    assert sorted(df["age"]) == sorted(bands)
    assert meta.variable_value_labels["age"][5] == "55 and over"
    assert df["hours"].max() <= 50 and (df["hours"] == 50).sum() == (frame["hours"] >= 50).sum()
    assert sorted(df["hours"][df["hours"] < 50]) == sorted(frame["hours"][frame["hours"] < 50])
    mapping = dict(q.item("sector").release.map)
    expect = [mapping.get(int(v), v) if v > 0 else v for v in frame["sector"]]
    assert sorted(df["sector"]) == sorted(expect)
    assert set(meta.variable_value_labels["sector"]) >= {1, 2, 3, 4}
    assert (df["sex"] == -9).sum() == (frame["sex"] == -9).sum()  # user-missing codes survive
    assert sorted(df["weight"]) == pytest.approx(sorted(frame["weight"]))
    assert np.isnan(df["score_werkdruk"]).sum() == np.isnan(frame["score_werkdruk"]).sum()


def test_sidecar_lists_what_was_dropped(released):
    path = released[0]
    info = json.loads(path.with_name("wbm-2023.variables.json").read_text())
    dropped = {d["column"]: d["reason"] for d in info["dropped"]}
    assert dropped == {"sample_id": "direct identifier", "comment": "free text", "_source_file": "internal processing column",
                       "_source_row": "internal processing column", "_record_id": "internal processing column"}
    assert info["rows"] == 80 and info["variables"][0]["name"] == "release_id"


def test_bytes_are_deterministic_and_seed_matters(q, frame, released, tmp_path):
    path = released[0]
    again = write_microdata_sav(frame, q, tmp_path / "again.sav", seed=SEED)
    assert sha256_file(again) == sha256_file(path)
    head = path.read_bytes()[HEADER_DATE_OFFSET:HEADER_DATE_OFFSET + 9]
    assert head == FIXED_DATE  # ReadStat's creation timestamp replaced
    other = write_microdata_sav(frame, q, tmp_path / "other.sav", seed=SEED + 1)
    a, _ = pyreadstat.read_sav(str(path), user_missing=True)
    b, _ = pyreadstat.read_sav(str(other), user_missing=True)
    assert not a.equals(b)  # another permutation of the rows
    assert a.sort_values(list(a.columns[1:])).drop(columns="release_id").reset_index(drop=True).equals(
        b.sort_values(list(b.columns[1:])).drop(columns="release_id").reset_index(drop=True))


def test_unknown_column_is_refused(q, frame, tmp_path):
    with pytest.raises(InputError) as err:
        write_microdata_sav(frame.assign(national_number="85.01.01-123.45"), q, tmp_path / "x.sav", seed=1)
    assert err.value.code == "unknown_release_column" and err.value.problems[0].column == "national_number"
    assert not (tmp_path / "x.sav").exists()


def test_value_outside_the_release_bands_is_an_error(q, frame, tmp_path):
    bad = frame.copy()
    bad.loc[3, "age"] = 29.5
    with pytest.raises(InputError) as err:
        write_microdata_sav(bad, q, tmp_path / "x.sav", seed=1)
    assert err.value.code == "release_recode_gap" and err.value.problems[0].row == 4


def test_bad_mode_value_is_an_error(q, frame, tmp_path):
    with pytest.raises(InputError) as err:
        write_microdata_sav(frame.assign(_mode="fax"), q, tmp_path / "x.sav", seed=1)
    assert err.value.code == "bad_release_value"


@pytest.mark.needs_pspp
@pytest.mark.skipif(shutil.which("pspp") is None, reason="GNU PSPP not installed")
def test_pspp_reads_labels_and_missing_values(released, tmp_path):
    path = released[0]
    syntax = tmp_path / "check.sps"
    syntax.write_text(f"GET FILE='{path}'.\nDISPLAY DICTIONARY /VARIABLES=sex hours.\n", encoding="utf-8")
    out = subprocess.run(["pspp", "-O", "format=txt", str(syntax)], capture_output=True, text=True, check=True).stdout
    assert "-9 THRU" in out and "no answer" in out and "50 or more" in out


def test_empty_frame_gives_an_empty_release(q, frame, tmp_path):
    path = write_microdata_sav(frame.iloc[:0], q, tmp_path / "empty.sav", seed=1)
    df, meta = pyreadstat.read_sav(str(path))
    assert len(df) == 0 and "release_id" in meta.column_names
    assert isinstance(df, pd.DataFrame)
