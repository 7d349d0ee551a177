"""Property-based fuzzing (hypothesis, bounded for CI): random damage to valid spec files and data
files gives a result or a located PipelineError with a catalogued code, never another exception;
validate keeps every row it reads (accepted + set aside)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.commands.errors import known_codes
from pipeline.errors import PipelineError

from .harness import Env, invoke

_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@st.composite
def damaged(draw, data: bytes) -> bytes:
    """``data`` with a few random edits: bytes replaced, inserted or deleted, or the file cut."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["replace", "insert", "delete", "cut"]))
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        if kind == "replace" and out:
            out[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            out[at:at] = draw(
                st.sampled_from(
                    [
                        b"\x00",
                        b"\r",
                        b"\xff\xfe",
                        b"&a ",
                        b"*a",
                        b": ",
                        b"\n  -",
                        b'"',
                        b"\t",
                        b"<<: ",
                    ]
                )
            )
        elif kind == "delete" and out:
            del out[at : at + draw(st.integers(1, 20))]
        elif kind == "cut":
            del out[at:]
    return bytes(out)


def _located(exc: PipelineError) -> None:
    assert exc.code in known_codes(), exc.code
    assert str(exc)


@pytest.mark.parametrize("reader", ["request", "profile", "questionnaire"])
def test_damaged_specs_give_a_located_error_or_a_spec(reader, fuzz_sources, tmp_path):
    from pipeline.questionnaire.load import check_questionnaire
    from pipeline.sdc.microdata.profile import load_profile
    from pipeline.tables.request import read_request

    text = {
        "request": fuzz_sources.request,
        "profile": fuzz_sources.profile,
        "questionnaire": fuzz_sources.questionnaire,
    }[reader].encode("utf-8")
    path = tmp_path / "spec.yaml"

    @_SETTINGS
    @given(damaged(text))
    def run(data: bytes) -> None:
        path.write_bytes(data)
        try:
            if reader == "request":
                read_request(path)
            elif reader == "profile":
                load_profile(path)
            else:
                report = check_questionnaire(path)
                assert all(p.code in known_codes() for p in report.errors)
        except PipelineError as exc:
            _located(exc)

    run()


def test_damaged_csv_is_read_whole_or_refused(fuzz_sources, tmp_path, capsys):
    """validate on a randomly damaged keyed file: exit 0 with every row read accepted or set aside,
    or exit 1 (the file cannot be read) with a catalogued code; nothing else."""
    import re

    import pandas as pd

    lines = fuzz_sources.paper_csv.splitlines(keepends=True)
    small = b"".join(lines[:25])
    outcomes: list[int] = []

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        derandomize=True,
    )
    @given(damaged(small))
    @example(small)  # the undamaged file: it is read whole, whatever hypothesis draws
    @example(small[: len(small) // 3])  # cut in the header or first rows
    def run(data: bytes) -> None:
        env = Env(tmp_path / f"c{abs(hash(data))}", fuzz_sources)
        r = invoke(
            [
                "validate",
                "-q",
                "wbm-werknemers-2023",
                "-i",
                f"paper:{env.file('p.csv', data)}",
                "--out",
                str(env.out),
            ],
            capsys,
        )
        assert r.code in (0, 1), r.err
        outcomes.append(r.code)
        if r.code == 1:
            (code,) = re.findall(r"\(error code (\w+);", r.err)
            assert code in known_codes()
            assert not env.out.exists()  # nothing written
            return
        (m,) = re.findall(r"(\d+) read = (\d+) accepted \+ (\d+) set aside", r.out)
        read, acc, aside = map(int, m)
        assert read == acc + aside
        assert len(pd.read_parquet(env.out / "accepted.parquet")) == acc
        assert len(pd.read_parquet(env.out / "set_aside.parquet")) == aside

    run()
    assert 0 in outcomes and 1 in outcomes, outcomes  # both outcomes were exercised
