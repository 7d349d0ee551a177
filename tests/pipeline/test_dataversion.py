"""The canonical data version: the same respondent-level content gives the same version whatever
the column order, row order, dtypes or file; any changed value gives another."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.dataversion import data_version, row_keys

codes = st.one_of(st.none(), st.integers(-9, 9))
texts = st.one_of(st.none(), st.text(max_size=6))


@st.composite
def frames(draw) -> pd.DataFrame:
    n = draw(st.integers(1, 25))
    data = {
        "a": draw(st.lists(codes, min_size=n, max_size=n)),
        "b": draw(st.lists(texts, min_size=n, max_size=n)),
        "w": draw(st.lists(st.floats(0.1, 1e4), min_size=n, max_size=n)),
    }
    return pd.DataFrame(
        {
            "a": pd.array(data["a"], dtype="Int64"),
            "b": pd.array(data["b"], dtype="string"),
            "w": data["w"],
        }
    )


@settings(max_examples=60, deadline=None)
@given(df=frames(), seed=st.integers(0, 1000))
def test_row_order_column_order_and_dtypes_do_not_matter(df, seed):
    v = data_version(df)
    rng = np.random.default_rng(seed)
    other = df.iloc[rng.permutation(len(df))][["w", "b", "a"]].reset_index(drop=True)
    other["a"] = other["a"].astype("float64")  # NA becomes NaN: the same missing value
    other["b"] = other["b"].astype(object)
    assert data_version(other) == v
    cat = df.assign(b=df["b"].astype("category"))
    assert data_version(cat) == v


@settings(max_examples=60, deadline=None)
@given(df=frames(), row=st.integers(0, 24))
def test_a_changed_value_changes_the_version(df, row):
    i = row % len(df)
    other = df.copy()
    other.loc[i, "w"] = other.loc[i, "w"] + 1.0
    assert data_version(other) != data_version(df)
    keys = row_keys(df)
    assert keys.shape == (len(df), 2)
    assert not np.array_equal(row_keys(other)[i], keys[i])


def test_missing_is_not_a_value_and_minus_zero_is_zero():
    base = pd.DataFrame({"x": [0.0, 1.0], "t": ["", "a"]})
    assert data_version(base.assign(x=[-0.0, 1.0])) == data_version(base)
    assert data_version(base.assign(x=[np.nan, 1.0])) != data_version(base)
    assert data_version(base.assign(t=[None, "a"])) != data_version(base)  # '' is not missing
    assert data_version(base.assign(t=["None", "a"])) != data_version(base.assign(t=[None, "a"]))


def test_names_matter_and_duplicates_are_refused():
    df = pd.DataFrame({"x": [1, 2]})
    assert data_version(df.rename(columns={"x": "y"})) != data_version(df)
    with pytest.raises(ValueError, match="duplicate column names"):
        data_version(pd.DataFrame([[1, 2]], columns=["x", "x"]))


def test_a_parquet_round_trip_keeps_the_version(tmp_path):
    df = pd.DataFrame(
        {"id": ["S1", "S2", "S3"], "k": pd.array([1, None, 3], dtype="Int64"), "f": [0.5, 2.0, 1.0]}
    )
    for i, (comp, engine_kw) in enumerate((("snappy", {}), ("zstd", {"row_group_size": 1}))):
        path = tmp_path / f"d{i}.parquet"
        df.to_parquet(path, compression=comp, **engine_kw)
        assert data_version(pd.read_parquet(path)) == data_version(df)
