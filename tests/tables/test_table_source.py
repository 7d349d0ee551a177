"""A table's data: a run's scored file read once (its data version is the hash of exactly the bytes
tabulated), the weighting method and synthetic flag as the reports read them."""

from __future__ import annotations

import pandas as pd

from pipeline.reports.rundir import context_from_run
from pipeline.rundata import layout
from pipeline.tables.source import load_run

SCORED = layout.relative("score", layout.SCORED)


def test_data_version_is_the_content_hash_of_the_data_tabulated(run_copy, monkeypatch):
    from pipeline.dataversion import data_version

    original = data_version(pd.read_parquet(run_copy / SCORED))
    other = pd.read_parquet(run_copy / SCORED).head(10)
    parse = pd.read_parquet

    def parse_then_rewrite(*args, **kwargs):  # the file changes right after it was parsed
        out = parse(*args, **kwargs)
        other.to_parquet(run_copy / SCORED)
        return out

    monkeypatch.setattr(pd, "read_parquet", parse_then_rewrite)
    data = load_run(run_copy)
    assert data.data_version == original == data_version(data.frame)
    assert len(data.frame) > len(other)


def test_method_and_synthetic_as_the_reports_read_them(small_run_dir):
    data = load_run(small_run_dir)
    ctx = context_from_run(small_run_dir, data.questionnaire)
    assert (
        (data.method, data.synthetic) == (ctx.weighting.method, ctx.synthetic) == ("raking", True)
    )
