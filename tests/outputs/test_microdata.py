"""The .sav writer writes a released table as it is: read back with pyreadstat it has the same
numbers, labels, user-missing declarations (up to three codes, else a range), measure levels,
formats, file label and note; its header has a fixed date, so the bytes are reproducible. What is
released (drops, recodes, suppression) is the SDC step's job, tested in tests/sdc and tests/release."""

from __future__ import annotations

import numpy as np
import pyreadstat
import pytest

from pipeline.fileio import sha256_file
from pipeline.release.sav import (
    FIXED_DATE,
    HEADER_DATE_OFFSET,
    fix_header_timestamp,
    write_sav,
)
from pipeline.release.table import release_table
from pipeline.sdc.microdata.api import anonymise
from pipeline.sdc.microdata.profile import load_profile

from .outputs_fixtures import make_frame

SEED = 20231


@pytest.fixture(scope="module")
def table(q):
    frame = make_frame(q, n=300)
    # English labels (wbm release --lang en): the assertions below read them; Dutch is the default
    return release_table(
        anonymise(frame, q, load_profile("scientific-use"), seed=SEED), q, lang="en"
    )


def test_labels_are_dutch_by_default(q):
    """Without a language the released labels are the questionnaire's Dutch ones (issue 19)."""
    frame = make_frame(q, n=300)
    nl = release_table(anonymise(frame, q, load_profile("scientific-use"), seed=SEED), q)
    labels = {v.name: v.label for v in nl.variables}
    assert labels["sex"] == q.item("sex").label.nl != q.item("sex").label.en


@pytest.fixture(scope="module")
def written(table, tmp_path_factory):
    path = write_sav(
        table,
        tmp_path_factory.mktemp("sav") / "release.sav",
        file_label="wbm test release",
        note="First line of the note.\nSecond paragraph.",
    )
    df, meta = pyreadstat.read_sav(str(path), user_missing=True)
    return path, df, meta


def test_numbers_are_written_as_given(table, written):
    _path, df, _meta = written
    assert list(df.columns) == [v.name for v in table.variables]
    for v in table.variables:
        np.testing.assert_array_equal(
            df[v.name].to_numpy(dtype=float), table.values(v.name), err_msg=v.name
        )
    assert df.select_dtypes(include="object").columns.tolist() == []  # numbers only


def test_labels_missing_declarations_measures_and_formats(table, written, q):
    _path, _df, meta = written
    assert meta.file_label == "wbm test release" and "First line of the note." in " ".join(
        meta.notes
    )
    labels = meta.column_names_to_labels
    assert all(labels[v.name] == v.label for v in table.variables)
    assert labels["sex"] == q.item("sex").label.en
    assert meta.missing_ranges["sex"] == [
        {"lo": -9.0, "hi": -1.0}
    ]  # -1, -7, -8, -9 and -5 (suppressed): a range
    assert meta.missing_ranges["duration_sec"] == [{"lo": -9.0, "hi": -9.0}]  # one code
    vl = meta.variable_value_labels
    assert (
        vl["sex"][-9] == "no answer"
        and vl["sex"][-5] == "suppressed for confidentiality"
        and vl["sex"][2] == "woman"
    )
    assert vl["mode"] == {1: "paper", 2: "web", 3: "telephone (CATI)"}
    assert vl["hours"][50] == "50 or more" and vl["age"][5] == "55 and over"
    assert meta.variable_measure["sex"] == "nominal" and meta.variable_measure["age"] == "ordinal"
    assert meta.variable_measure["weight"] == "scale"
    assert (
        meta.original_variable_types["weight"] == "F14.6"
        and meta.original_variable_types["sex"] == "F8.0"
    )


def test_bytes_are_reproducible(table, written, tmp_path):
    path = written[0]
    assert path.read_bytes()[HEADER_DATE_OFFSET : HEADER_DATE_OFFSET + 9] == FIXED_DATE
    again = write_sav(
        table,
        tmp_path / "again.sav",
        file_label="wbm test release",
        note="First line of the note.\nSecond paragraph.",
    )
    assert sha256_file(again) == sha256_file(path)


def test_header_fix_leaves_other_files_alone(tmp_path):
    other = tmp_path / "x.sav"
    other.write_bytes(b"not a sav file at all" * 10)
    assert (
        fix_header_timestamp(other) is False and other.read_bytes() == b"not a sav file at all" * 10
    )
