"""Property (issue 13, "done when"): a determined requester, with any number of requests under any
registered name, on any indicator, with any filter, against any copy of the wave, never gets a set of
released cells from which a suppressed cell, or any group under the threshold, can be recovered
exactly.

Random small survey data (a scored, weighted frame of the 2023 questionnaire) with three indicators
whose respondent sets differ: ``werkstress``, its nested acute share ``werkstress_acuut`` (the same
respondents) and ``welbevinden_probleem`` (its own missing answers). A second copy of the wave holds
the same respondents in another row order and with another source name (a rerun into another
directory): its data version is the canonical content hash, so both copies share one history.
Random sequences of requests, each from a random registered requester (sector funds and research
institutes), on one or two random indicators, a random filter on sector and
age band and one or two breakdowns, made with :func:`pipeline.tables.api.make_table` under one
publisher. Then, from the published JSON rows only, each published cell's respondents rebuilt with
plain numpy from the request (not the engine's cell definitions), and exact rational arithmetic
(:mod:`.disclosure_helpers`):

- a suppressed cell carries no number; a refused request wrote no file;
- every request of every requester and copy is in the one ledger of the data version;
- per indicator (the percentage threshold ``min_n_percent``, as the engine checks one measure), and
  over the indicators answered by the same respondents (``werkstress`` and its acute share:
  finding 1's "X on P, acute X on P minus one"; the count threshold ``min_n_count``, as the engine
  checks cells of any indicator on one group), with cells taken as the respondents who answered
  their indicator: no published difference A minus B (B a proper subset of A, any requesters, any
  copy) is a group of 1 to threshold - 1 people, no unsafe cell (suppressed, 0 < n < threshold) is a
  published cell or a linear combination of published cells of all releases, and no group of
  respondents at all is such a combination and smaller than the threshold (every union of the
  atoms, when there are at most ``MAX_ATOMS`` of them).

Not claimed here (left open, issue 13): the same check on the groups the cells' filters and
breakdowns select *without* "answered the indicator", mixed over indicators with different
non-response. Hypothesis finds combinations there (frame seed 108: two indicators with different
item non-response give the count of one person's item non-response, never an answer, which the
engine's design accepts, see pipeline.sdc.tables.history; frame seed 690: one indicator, "by sex"
then "by statute, age band 2", a derived group of 1 at that level, not yet analysed).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.dataversion import data_version
from pipeline.sdc.publisher import publisher
from pipeline.tables.api import make_table
from pipeline.tables.request import parse_request, resolve
from pipeline.tables.source import wave_data

from ..publisher_helpers import TEST_ORGANISATIONS, TEST_RECIPIENTS, make_publisher
from .test_disclosure_property_table_command import FILTERS, MIN_N, Q, _check, _frame

MIN_COUNT = 5  # min_n_count of the publisher (the groups' threshold)

SAME_RESPONDENTS = {"werkstress_acuut": "werkstress"}  # answered by the same respondents
INDICATORS = ("werkstress", "werkstress_acuut", "welbevinden_probleem")
BREAKDOWNS = ("sex", "statute")
REQUESTERS = (*TEST_ORGANISATIONS, *TEST_RECIPIENTS)  # registered organisations of every kind


def _adversary_frame(seed: int) -> pd.DataFrame:
    df = _frame(seed)
    rng = np.random.default_rng(seed + 1)
    stress = df["werkstress"]
    acute = (stress == 1) & (rng.random(len(df)) < 0.4)
    df["werkstress_acuut"] = acute.astype(float).where(stress.notna())  # the same respondents
    own = rng.choice([0.0, 1.0], len(df))
    own[rng.random(len(df)) < 0.15] = np.nan  # its own missing answers: another respondent set
    df["welbevinden_probleem"] = own
    return df


requests = st.lists(
    st.tuples(
        st.sampled_from(REQUESTERS),
        st.lists(st.sampled_from(INDICATORS), min_size=1, max_size=2, unique=True),
        st.dictionaries(st.sampled_from(sorted(FILTERS)), st.integers(1, 30), max_size=2),
        st.lists(st.sampled_from(BREAKDOWNS), min_size=1, max_size=2, unique=True),
        st.integers(0, 1),  # which copy of the wave
    ),
    min_size=2,
    max_size=4,
)


def _request(k, requester, indicators, filt, dims) -> dict[str, object]:
    filters = []
    for var, mask in sorted(filt.items()):
        levels = [x for i, x in enumerate(FILTERS[var]) if (mask >> i) & 1] or [FILTERS[var][0]]
        filters.append({"variable": var, "levels": levels})
    return {
        "id": f"a{k}",
        "requester": requester,
        "population": "employees",
        "waves": [2023],
        "questionnaire": Q.study.id,
        "indicators": list(indicators),
        "rows": dims[0],
        "columns": dims[1] if len(dims) > 1 else None,
        "filters": filters,
        "statistics": ["percent", "ci", "n"],
    }


def _members(
    df: pd.DataFrame, req: dict[str, object], row: dict[str, object], *, answered: bool = True
) -> np.ndarray:
    """A published row's respondents: those its filters and breakdowns select, and (``answered``)
    who answered its indicator."""
    m = np.ones(len(df), dtype=bool)
    if answered:
        m = df[str(row["indicator"])].notna().to_numpy()
    for f in req["filters"]:  # type: ignore[attr-defined]
        m = m & df[f["variable"]].isin(f["levels"]).to_numpy()
    for var_key, level_key in (("row_variable", "row_level"), ("column_variable", "column_level")):
        var, level = row[var_key], row[level_key]
        if var and level != "":
            m = m & (df[var] == float(level)).to_numpy()  # type: ignore[arg-type]
    return m


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), reqs=requests)
def test_no_requester_indicator_filter_or_copy_recovers_a_protected_group(seed, reqs):
    df = _adversary_frame(seed)
    copy = df.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # another row order
    version = data_version(df)
    assert data_version(copy) == version  # one history for both copies
    copies = [
        wave_data(d, Q, data_version=data_version(d), source=name, weighting=("sex", "statute"))
        for d, name in ((df, "run-a"), (copy, "run-b"))
    ]
    order = df["sample_id"].to_numpy()
    levels: dict[
        tuple[str, int], tuple[list[np.ndarray], list[np.ndarray]]
    ] = {}  # (published, unsafe)
    with tempfile.TemporaryDirectory() as tmp:
        pub = publisher(
            make_publisher(
                Path(tmp) / "pub",
                min_n_count=MIN_COUNT,
                min_n_percent=MIN_N,
                unreliable_below=MIN_N + 4,
            )
        )
        for k, (requester, indicators, filt, dims, which) in enumerate(reqs):
            req = _request(k, requester, indicators, filt, dims)
            resolved = resolve(
                parse_request({key: v for key, v in req.items() if v is not None}), loaded=Q
            )
            data = copies[which]
            out = make_table(resolved, [data], Path(tmp) / f"out{k}", policy=pub)
            if out.decision == "refuse":
                assert out.files == () and not (Path(tmp) / f"out{k}").exists()
                continue
            frame = data.frame.set_index("sample_id").loc[order].reset_index()  # one row order
            for row in json.loads(out.files[2].read_text(encoding="utf-8"))["rows"]:
                m = _members(frame, req, row)
                ind = str(row["indicator"])
                answered = SAME_RESPONDENTS.get(ind, ind)
                for key in {(ind, MIN_N), (answered, MIN_COUNT)}:
                    published, unsafe = levels.setdefault(key, ([], []))
                    if row["flag"] == "suppressed":
                        assert all(row[c] is None for c in ("estimate", "ci_low", "ci_high", "n"))
                        if 0 < m.sum() < key[1]:
                            unsafe.append(m)
                    else:
                        assert row["n"] == int(m.sum())  # the rebuilt set is the published cell
                        published.append(m)
        assert len(pub.ledgers[0].releases(version)) == len(reqs)  # one history for all
    for (_, threshold), (published, unsafe) in levels.items():
        _check(published, unsafe, threshold)
