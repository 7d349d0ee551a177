"""Property, end to end through ``wbm table``'s function: whatever sequence of requests one requester
makes, the released files (alone or together) never let a protected cell be recomputed exactly.

Random small survey data (a scored, weighted frame of the 2023 questionnaire), random sequences of
requests to one requester (filters on sector and age band, one or two breakdowns among sex and
statute; further suppression or refusal when earlier releases matter), each made with :func:`pipeline.tables.api.make_table` against the same ledger. Then, from
the published JSON rows only, with each published cell's respondents rebuilt with plain numpy from
the request (not the engine's cell definitions), and with exact rational arithmetic:

- a suppressed cell carries no number; a refused request wrote no file;
- no published difference A minus B (B a proper subset of A) is a group of 1 to min_n - 1 people;
- no unsafe cell (suppressed, 0 < n < min_n) is a published cell or a linear combination of the
  published cells of all releases;
- no group of respondents at all is such a combination and smaller than min_n (every union of the
  atoms, when there are at most ``MAX_ATOMS`` of them; the engine-level property test covers that
  case exhaustively with controlled sizes).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.questionnaire.load import load_questionnaire
from pipeline.sdc.publisher import publisher
from pipeline.tables.api import make_table
from pipeline.tables.request import parse_request, resolve
from pipeline.tables.source import wave_data

from ..publisher_helpers import make_publisher
from .disclosure_helpers import MAX_ATOMS, atom_count, in_span_exact, no_small_group

MIN_N = 8  # min_n_percent of the requests (small, so the samples have many small cells)
BREAKDOWNS = ("sex", "statute")
FILTERS = {"sector": (1, 2, 3), "age_band": (1, 2, 3, 4, 5)}
Q = load_questionnaire("wbm-werknemers-2023")


def _frame(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(60, 140))
    df = pd.DataFrame(
        {
            "sample_id": [f"r{seed}-{i}" for i in range(n)],
            "sex": rng.choice([1.0, 2.0], n),
            "age_band": rng.choice([1.0, 2.0, 3.0, 4.0, 5.0], n, p=rng.dirichlet(np.ones(5))),
            "sector": rng.choice([1.0, 2.0, 3.0], n, p=rng.dirichlet(np.ones(3))),
            "statute": rng.choice([1.0, 2.0, 3.0], n, p=rng.dirichlet(np.ones(3) * 0.8)),
            "province": rng.choice([1.0, 2.0, 3.0, 4.0, 5.0], n),
            "weight": rng.uniform(50, 300, n),
            "werkstress": rng.choice([0.0, 1.0], n),
        }
    )
    df.loc[rng.random(n) < 0.05, "werkstress"] = np.nan
    return df


requests = st.lists(
    st.tuples(
        st.dictionaries(
            st.sampled_from(sorted(FILTERS)), st.integers(1, 30), max_size=2
        ),  # var -> levels bitmask
        st.lists(st.sampled_from(BREAKDOWNS), min_size=1, max_size=2, unique=True),
    ),
    min_size=2,
    max_size=4,
)


def _request(
    k: int, filt: dict[str, int], dims: list[str], policy: str = "suppress"
) -> dict[str, object]:
    filters = []
    for var, mask in sorted(filt.items()):
        levels = [x for i, x in enumerate(FILTERS[var]) if (mask >> i) & 1] or [FILTERS[var][0]]
        filters.append({"variable": var, "levels": levels})
    return {
        "id": f"p{k}",
        "requester": "prop",
        "population": "employees",
        "waves": [2023],
        "questionnaire": Q.study.id,
        "indicators": ["werkstress"],
        "rows": dims[0],
        "columns": dims[1] if len(dims) > 1 else None,
        "filters": filters,
        "statistics": ["percent", "ci", "n", "weighted_n"],
        "disclosure": {"on_disclosure": policy},
    }


def _members(df: pd.DataFrame, req: dict[str, object], row: dict[str, object]) -> np.ndarray:
    m = df["werkstress"].notna().to_numpy()
    for f in req["filters"]:  # type: ignore[attr-defined]
        m = m & df[f["variable"]].isin(f["levels"]).to_numpy()
    for var_key, level_key in (("row_variable", "row_level"), ("column_variable", "column_level")):
        var, level = row[var_key], row[level_key]
        if var and level != "":
            m = m & (df[var] == float(level)).to_numpy()  # type: ignore[arg-type]
    return m


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), reqs=requests, policy=st.sampled_from(["suppress", "refuse"]))
def test_released_tables_never_reveal_a_protected_cell(seed, reqs, policy):
    df = _frame(seed)
    data = wave_data(df, Q, data_version=f"prop-{seed}", weighting=("sex", "statute"))
    published: list[np.ndarray] = []
    unsafe: list[np.ndarray] = []
    with tempfile.TemporaryDirectory() as tmp:
        pub = publisher(  # the publisher's thresholds, low for a small frame
            make_publisher(Path(tmp) / "pub", min_n_percent=MIN_N, unreliable_below=MIN_N + 4)
        )
        for k, (filt, dims) in enumerate(reqs):
            req = _request(k, filt, dims, policy)
            resolved = resolve(
                parse_request({key: v for key, v in req.items() if v is not None}), loaded=Q
            )
            out = make_table(resolved, [data], Path(tmp) / f"out{k}", policy=pub)
            if out.decision == "refuse":
                assert out.files == () and not (Path(tmp) / f"out{k}").exists()
                continue
            for row in json.loads(out.files[2].read_text(encoding="utf-8"))["rows"]:
                m = _members(df, req, row)
                if row["flag"] == "suppressed":
                    assert all(
                        row[c] is None for c in ("estimate", "ci_low", "ci_high", "n", "weighted_n")
                    )
                    if 0 < m.sum() < MIN_N:
                        unsafe.append(m)
                else:
                    assert row["n"] == int(m.sum())  # the rebuilt set is the published cell
                    published.append(m)
        ledger = pub.ledgers[0].releases(data.data_version)
        assert len(ledger) == len(reqs)
    _check(published, unsafe)


def _check(published: list[np.ndarray], unsafe: list[np.ndarray], threshold: int = MIN_N) -> None:
    for a in published:
        for b in published:
            if np.all(b <= a):
                d = int(a.sum() - b.sum())
                assert not 0 < d < threshold, f"a published difference of {d}"
    if not published:
        return
    pub = np.array(published)
    patterns, inverse = np.unique(pub.T, axis=0, return_inverse=True)  # atoms of all respondents
    inverse = inverse.ravel()
    rows = [list(map(int, r)) for r in patterns.T]

    def atoms(m: np.ndarray) -> list[int] | None:
        """A set as a 0/1 vector over the atoms, or None when it splits an atom (then it is no
        combination of published cells at all)."""
        v = np.zeros(len(patterns), dtype=int)
        for a in range(len(patterns)):
            inside = m[inverse == a]
            if inside.any() and not inside.all():
                return None
            v[a] = int(inside.all() and inside.size > 0)
        return list(map(int, v))

    for u in unsafe:
        assert not any(np.array_equal(u, p) for p in published)
        v = atoms(u)
        assert v is None or not in_span_exact(rows, v), (
            f"an unsafe cell of {int(u.sum())} can be recomputed"
        )
    if atom_count(pub) <= MAX_ATOMS:
        no_small_group(pub, threshold)
