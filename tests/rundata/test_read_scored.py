"""The one reader of a run's scored data (tables; the microdata release): the frame and the canonical
data version of exactly that frame, and located errors instead of pyarrow tracebacks."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from pipeline.errors import InputError, UsageError
from pipeline.rundata import layout
from pipeline.rundata.read import read_scored

SCORED = layout.relative("score", layout.SCORED)


@pytest.fixture
def run(small_run_dir, tmp_path):
    out = tmp_path / "run"
    layout.stage_dir(out, "score").mkdir(parents=True)
    shutil.copy2(small_run_dir / SCORED, out / SCORED)
    return out


def test_frame_and_its_content_version(run):
    from pipeline.dataversion import data_version

    frame, version = read_scored(run)
    assert version == data_version(pd.read_parquet(run / SCORED))
    pd.testing.assert_frame_equal(frame, pd.read_parquet(run / SCORED))


def test_the_version_is_of_the_bytes_parsed_even_if_the_file_changes(run, monkeypatch):
    """The file is read once: rewritten while it is being parsed, the version is still the hash of
    the data returned (reading the file again to hash it would give the new file's hash)."""
    from pipeline.dataversion import data_version

    original = (run / SCORED).read_bytes()
    expected = data_version(pd.read_parquet(run / SCORED))
    other = pd.read_parquet(run / SCORED).head(10)
    parse = pd.read_parquet

    def parse_then_rewrite(*args, **kwargs):
        out = parse(*args, **kwargs)
        other.to_parquet(run / SCORED)
        return out

    monkeypatch.setattr(pd, "read_parquet", parse_then_rewrite)
    frame, version = read_scored(run)
    assert (run / SCORED).read_bytes() != original
    assert version == expected == data_version(frame) and len(frame) > len(other)


@pytest.mark.parametrize("content", [b"", b"PAR1 not really parquet", None])
def test_damaged_or_missing_data_are_located_errors(run, content):
    if content is None:
        (run / SCORED).unlink()
        with pytest.raises(UsageError) as err:
            read_scored(run)
        assert err.value.code == "no_scored_data" and "score stage" in err.value.message
    else:
        (run / SCORED).write_bytes(content)
        with pytest.raises(InputError) as err:
            read_scored(run)
        assert err.value.code == "bad_scored_data" and err.value.problems[0].file == str(
            run / SCORED
        )
        assert "score stage" in (err.value.problems[0].hint or "")


def test_no_run_directory(tmp_path):
    with pytest.raises(UsageError) as err:
        read_scored(tmp_path / "nope")
    assert err.value.code == "no_run_dir" and "run directory" in err.value.message
