"""Special uniques (:mod:`pipeline.sdc.microdata.suda`) against the definition itself.

sdcMicro's ``suda2`` is not installable here (no CRAN mirror), so the reference is a brute-force
search written from the definition: for every record and every non-empty subset S of at most
``max_size`` variables, count the records compatible with it on S (equal, or a wildcard on either
side); S is a minimal risky combination when the count is below k and every non-empty proper
subset's count is at least k. Every MSU the engine finds must be one, and none may be missed."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.sdc.microdata.risk import WILDCARD, frequencies_pairwise
from pipeline.sdc.microdata.suda import compatible_counts, msus, suda_weight


def _count(codes: np.ndarray, i: int, subset: tuple[int, ...]) -> int:
    a = codes[i, list(subset)]
    b = codes[:, list(subset)]
    ok = (b == a) | (b == WILDCARD) | (a == WILDCARD)
    return int(ok.all(axis=1).sum())


def brute_force(codes: np.ndarray, max_size: int, k: int) -> set[tuple[int, tuple[int, ...]]]:
    n, p = codes.shape
    out = set()
    for i in range(n):
        for size in range(1, min(max_size, p) + 1):
            for s in combinations(range(p), size):
                if _count(codes, i, s) >= k:
                    continue
                proper = [t for r in range(1, size) for t in combinations(s, r)]
                if all(_count(codes, i, t) >= k for t in proper):
                    out.add((i, s))
    return out


@st.composite
def frames(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(1, 25))
    p = draw(st.integers(1, 5))
    levels = [draw(st.integers(1, 4)) for _ in range(p)]
    cols = [
        draw(st.lists(st.integers(-1, lv - 1), min_size=n, max_size=n)) for lv in levels
    ]  # -1: a wildcard (missing or suppressed)
    return np.array(cols, dtype=np.int64).T.reshape(n, p)


@settings(max_examples=150, deadline=None)
@given(frames(), st.integers(1, 4), st.integers(2, 4))
def test_every_msu_found_is_unique_and_minimal_and_none_is_missed(
    codes: np.ndarray, max_size: int, k: int
) -> None:
    names = [f"v{j}" for j in range(codes.shape[1])]
    got = msus(codes, names, max_size=max_size, k=k)
    assert set(got.found) == brute_force(codes, max_size, k)
    assert len(got.found) == len(set(got.found))
    # per record: the smallest MSU size and the SUDA score follow from the MSUs found
    top = min(max_size, codes.shape[1])
    for i in range(codes.shape[0]):
        mine = [s for r, s in got.found if r == i]
        assert got.min_size[i] == (min(len(s) for s in mine) if mine else 0)
        assert got.score[i] == sum(suda_weight(len(s), codes.shape[1], top) for s in mine)


@settings(max_examples=150, deadline=None)
@given(frames())
def test_compatible_counts_agree_with_the_pairwise_engine(codes: np.ndarray) -> None:
    fk, _ = frequencies_pairwise(codes)
    assert np.array_equal(compatible_counts(codes), fk)


def test_a_small_example_by_hand() -> None:
    # record 0 is the only (1, 0) on (a, b) though a = 1 and b = 0 are each shared: an MSU of size 2
    codes = np.array([[1, 0], [1, 1], [0, 0], [1, 1], [0, 0]])
    got = msus(codes, ["a", "b"], max_size=2, k=2)
    assert got.found == ((0, (0, 1)),)
    assert got.by_size() == ((1, 0), (2, 1))
    assert got.top_combinations() == ((("a", "b"), 1),)
    # a suppressed value never makes a record unique: the wildcard matches (1, 1) and (0, 0)
    codes[0, 1] = WILDCARD
    assert msus(codes, ["a", "b"], max_size=2, k=2).found == ()


def test_suda_weights_follow_elliot_et_al() -> None:
    # 5 variables searched up to size 3: size 1 -> (5-1)(5-2) = 12, size 2 -> 3, size 3 -> 1
    assert [suda_weight(s, 5, 3) for s in (1, 2, 3)] == [12, 3, 1]
