"""The worker pools' scheduler (:func:`pipeline.workers.in_order`): the results in the jobs' order
whatever order the jobs are handed out in, an error in its turn, a wrong hand-out order refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import PipelineError
from pipeline.workers import in_order


def _stopped(what: str) -> PipelineError:
    return PipelineError(f"stopped: {what}", code="workers_failed")


def _square_or_fail(x: int) -> int:
    if x < 0:
        raise ArithmeticError(f"job {x}")
    return x * x


@settings(max_examples=5, deadline=None)
@given(st.permutations(list(range(5))))
def test_results_come_in_the_jobs_order_whatever_the_hand_out_order(first: list[int]) -> None:
    said: list[int] = []
    jobs = [3, 1, 4, 1, 5]
    out = list(
        in_order(
            jobs, _square_or_fail, 2, preload=[], said=said.append, stopped=_stopped, first=first
        )
    )
    assert out == [9, 1, 16, 1, 25]
    assert said == [jobs[i] for i in first]  # said as handed out


def test_an_error_comes_in_its_turn_after_the_results_before_it() -> None:
    it = in_order(
        [2, 3, -1, 4],
        _square_or_fail,
        2,
        preload=[],
        said=None,
        stopped=_stopped,
        first=[2, 3, 0, 1],
    )
    assert next(it) == 4 and next(it) == 9  # the failing job ran first, its error waits its turn
    with pytest.raises(ArithmeticError, match="job -1"):
        next(it)


def test_a_hand_out_order_that_is_not_one_of_the_jobs_is_refused() -> None:
    with pytest.raises(ValueError, match="not an order"):
        list(
            in_order(
                [1, 2], _square_or_fail, 2, preload=[], said=None, stopped=_stopped, first=[0, 0]
            )
        )
