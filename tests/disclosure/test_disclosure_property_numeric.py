"""Property (issue 13, finding 1 with a numeric indicator): random request sequences that mix the
numeric indicator ``mod_woonwerk_minuten`` (the weighted mean of commuting minutes) with
``werkstress`` never release a set of cells from which a suppressed cell, or a group under the
threshold, can be recovered exactly.

Random small frames (as :mod:`.test_disclosure_property_table_command`) with ``commute_min``:
heaped minutes, missing (the questionnaire's missing code -9, or empty) exactly where
``werkstress`` is, so the two indicators have the same respondents and the cross-indicator attack
(the mean on P, werkstress on P minus one) is checked at the count threshold, as the adversary test
checks werkstress and its acute share. Each published row's respondents are rebuilt with plain
numpy (its filters, breakdowns and "answered the item": a missing code is no answer), checked
against the published n, and the exact checks of :func:`._check` run per indicator (percentage
threshold) and over both (count threshold)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.sdc.publisher import publisher
from pipeline.tables.api import make_table
from pipeline.tables.request import parse_request, resolve
from pipeline.tables.source import wave_data

from ..publisher_helpers import make_publisher
from .test_disclosure_property_table_command import FILTERS, MIN_N, Q, _check, _frame

MIN_COUNT = 5
NUMERIC = "mod_woonwerk_minuten"
ITEM = "commute_min"
INDICATORS = ("werkstress", NUMERIC)
BREAKDOWNS = ("sex", "statute")


def _numeric_frame(seed: int) -> pd.DataFrame:
    df = _frame(seed)
    rng = np.random.default_rng(seed + 7)
    minutes = rng.choice([5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 90.0], len(df))
    missing = df["werkstress"].isna().to_numpy()
    coded = rng.random(len(df)) < 0.5  # half the missing answers as the code, half empty
    minutes[missing & coded] = -9.0
    minutes[missing & ~coded] = np.nan
    df[ITEM] = minutes
    return df


requests = st.lists(
    st.tuples(
        st.lists(st.sampled_from(INDICATORS), min_size=1, max_size=2, unique=True),
        st.dictionaries(st.sampled_from(sorted(FILTERS)), st.integers(1, 30), max_size=2),
        st.lists(st.sampled_from(BREAKDOWNS), min_size=1, max_size=2, unique=True),
    ),
    min_size=2,
    max_size=4,
)


def _request(k, indicators, filt, dims) -> dict[str, object]:
    filters = []
    for var, mask in sorted(filt.items()):
        levels = [x for i, x in enumerate(FILTERS[var]) if (mask >> i) & 1] or [FILTERS[var][0]]
        filters.append({"variable": var, "levels": levels})
    return {
        "id": f"n{k}",
        "requester": "fonds-test" if k % 2 else "fonds-b",
        "population": "employees",
        "waves": [2023],
        "questionnaire": Q.study.id,
        "indicators": list(indicators),
        "rows": dims[0],
        "columns": dims[1] if len(dims) > 1 else None,
        "filters": filters,
        "statistics": ["estimate", "ci", "n"],
    }


def _members(df: pd.DataFrame, req: dict[str, object], row: dict[str, object]) -> np.ndarray:
    ind = str(row["indicator"])
    col = ITEM if ind == NUMERIC else ind
    v = df[col].to_numpy(dtype=float)
    m = ~np.isnan(v) & (v >= 0)  # answered: a number, not a missing code
    for f in req["filters"]:  # type: ignore[attr-defined]
        m = m & df[f["variable"]].isin(f["levels"]).to_numpy()
    for var_key, level_key in (("row_variable", "row_level"), ("column_variable", "column_level")):
        var, level = row[var_key], row[level_key]
        if var and level != "":
            m = m & (df[var] == float(level)).to_numpy()  # type: ignore[arg-type]
    return m


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), reqs=requests)
def test_numeric_means_beside_other_indicators_never_reveal_a_protected_group(seed, reqs):
    df = _numeric_frame(seed)
    data = wave_data(df, Q, data_version=f"numeric-{seed}", weighting=("sex", "statute"))
    levels: dict[tuple[str, int], tuple[list[np.ndarray], list[np.ndarray]]] = {}
    kinds = set()
    with tempfile.TemporaryDirectory() as tmp:
        pub = publisher(
            make_publisher(
                Path(tmp) / "pub",
                min_n_count=MIN_COUNT,
                min_n_percent=MIN_N,
                unreliable_below=MIN_N + 4,
            )
        )
        for k, (indicators, filt, dims) in enumerate(reqs):
            req = _request(k, indicators, filt, dims)
            resolved = resolve(
                parse_request({key: v for key, v in req.items() if v is not None}), loaded=Q
            )
            out = make_table(resolved, [data], Path(tmp) / f"out{k}", policy=pub)
            if out.decision == "refuse":
                assert out.files == ()
                continue
            for row in json.loads(out.files[2].read_text(encoding="utf-8"))["rows"]:
                m = _members(df, req, row)
                ind = str(row["indicator"])
                kinds.add(row["unit"])
                for key in {(ind, MIN_N), ("answered", MIN_COUNT)}:
                    published, unsafe = levels.setdefault(key, ([], []))
                    if row["flag"] == "suppressed":
                        assert all(row[c] is None for c in ("estimate", "ci_low", "ci_high", "n"))
                        if 0 < m.sum() < key[1]:
                            unsafe.append(m)
                    else:
                        assert row["n"] == int(m.sum())  # the rebuilt set is the published cell
                        if ind == NUMERIC and row["n"]:
                            assert row["unit"] == "mean"
                            assert 5.0 <= float(row["estimate"]) <= 90.0  # no missing code in it
                        published.append(m)
    for (_, threshold), (published, unsafe) in levels.items():
        _check(published, unsafe, threshold)
