"""Property tests: corrupt generated waves at random; every row is accounted for, no input ends in a traceback.

Invariant: for every input, rows read = rows accepted + rows set aside (each row in exactly one file),
or the run stops with a PipelineError (InputError for an unreadable file) and writes nothing.
"""

from __future__ import annotations

import dataclasses
import functools
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import PipelineError
from pipeline.ingest import InputFile
from pipeline.questionnaire.load import load_questionnaire
from pipeline.validate import run_validation

from .validate_wavegen import generate, to_paper, to_web, write_sav

CELL_KINDS = ("bad_code", "multi_tick", "blank", "garbage", "blank_id", "routing", "fuzz")
FILE_KINDS = (
    "none",
    "none",
    "shuffle_columns",
    "duplicate_rows",
    "truncate",
    "cp1252",
    "utf16",
    "undecodable",
    "drop_column",
    "semicolon",
    "bom",
    "random_bytes",
    "header_only",
)
GARBAGE = [
    "9",
    "33",
    "-3",
    "0",
    "5",
    "1/2",
    "2/3/4",
    "abc",
    "NaN",
    "inf",
    "1e999",
    "３",
    " 3 ",
    "-7",
    "-8",
    "3.5",
    "2,5",
    '"',
]
settings.register_profile(
    "validate",
    max_examples=35,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

text_values = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=6)


@dataclasses.dataclass(frozen=True)
class Wave:
    """One randomly corrupted wave: its size, the cells and the files to spoil."""

    seed: int
    n_paper: int
    n_web: int
    cells: list[tuple[str, int, int, str]]
    file: str
    fmt: str
    cut: float
    web_file: str


@st.composite
def waves(draw: st.DrawFn) -> Wave:
    return Wave(
        seed=draw(st.integers(0, 10_000)),
        n_paper=draw(st.integers(1, 20)),
        n_web=draw(st.integers(0, 15)),
        cells=draw(
            st.lists(
                st.tuples(
                    st.sampled_from(CELL_KINDS),
                    st.integers(0, 10_000),
                    st.integers(0, 10_000),
                    text_values,
                ),
                max_size=12,
            )
        ),
        file=draw(st.sampled_from(FILE_KINDS)),
        fmt=draw(st.sampled_from(["csv", "csv", "xlsx"])),
        cut=draw(st.floats(0.0, 1.0)),
        web_file=draw(st.sampled_from(["none", "none", "none", "truncate", "random_bytes"])),
    )


def _corrupt_cells(p: pd.DataFrame, cells: list[tuple[str, int, int, str]]) -> None:
    cols = [c for c in p.columns if c not in ("batch", "keyer")]
    for kind, i, j, text in cells:
        r, c = i % len(p), cols[j % len(cols)]
        if kind == "bad_code":
            p.loc[r, c] = GARBAGE[j % 7]
        elif kind == "multi_tick":
            p.loc[r, c] = "1/2"
        elif kind == "blank":
            p.loc[r, c] = ""
        elif kind == "garbage":
            p.loc[r, c] = GARBAGE[j % len(GARBAGE)]
        elif kind == "blank_id":
            p.loc[r, "sample_id"] = ""
        elif kind == "routing":
            p.loc[r, ["telework", "tw_days"]] = ["2", "4"]
        else:
            p.loc[r, c] = text


def _write_paper(p: pd.DataFrame, d: Path, w: Wave) -> tuple[InputFile, int]:
    kind, rng = w.file, np.random.default_rng(w.seed)
    n = len(p)
    if kind == "shuffle_columns":
        p = p[list(rng.permutation(p.columns))]
    elif kind == "duplicate_rows":
        p = pd.concat([p, p.iloc[rng.integers(0, n, size=3)]], ignore_index=True)
    elif kind == "drop_column":
        p = p.drop(columns=[p.columns[int(rng.integers(0, len(p.columns)))]])
    elif kind == "header_only":
        p = p.iloc[:0]
    if w.fmt == "xlsx" and kind not in (
        "truncate",
        "cp1252",
        "utf16",
        "undecodable",
        "semicolon",
        "bom",
    ):
        path = d / "paper_keyed.xlsx"
        p.to_excel(path, index=False)
        return InputFile(path, mode="paper"), len(p)
    path = d / "paper_keyed.csv"
    sep = ";" if kind == "semicolon" else ","
    text = p.to_csv(index=False, sep=sep)
    if kind == "cp1252":
        data = text.encode("cp1252", errors="replace")
    elif kind == "utf16":
        data = text.encode("utf-16")
    elif kind == "bom":
        data = text.encode("utf-8-sig")
    else:
        data = text.encode("utf-8")
    if kind == "undecodable":
        data = data.replace(b"\n", b"\x81\x8d\n", 1)
    if kind == "truncate":
        data = data[: int(len(data) * w.cut)]
    if kind == "random_bytes":
        data = bytes(rng.integers(0, 256, size=int(rng.integers(0, 200)), dtype=np.uint8))
    path.write_bytes(data)
    return InputFile(path, mode="paper"), len(p)


@functools.lru_cache(maxsize=1)
def _questionnaire():  # not a fixture argument: hypothesis would print its (large) repr
    return load_questionnaire("wbm-werknemers-2023")


@settings(settings.get_profile("validate"))
@given(w=waves())
def test_every_row_is_accounted_for(w: Wave) -> None:
    q = _questionnaire()
    seed = w.seed
    paper = to_paper(generate(q, w.n_paper, mode="paper", seed=seed, overrides={"working": 1}), q)
    _corrupt_cells(paper, w.cells)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        inputs = []
        paper_in, n_written = _write_paper(paper, d, w)
        inputs.append(paper_in)
        if w.n_web:
            web = to_web(
                generate(
                    q,
                    w.n_web,
                    mode="web",
                    seed=seed + 1,
                    start=w.n_paper - 1,
                    overrides={"working": 1},
                )
            )
            sav = write_sav(web, d / "web_export.sav", q)
            if w.web_file == "truncate":
                sav.write_bytes(sav.read_bytes()[: sav.stat().st_size // 3])
            elif w.web_file == "random_bytes":
                sav.write_bytes(b"$FL2" + bytes(range(50)))
            inputs.append(InputFile(sav))
        out = d / "out"
        try:
            s = run_validation(q, inputs, out)
        except PipelineError as exc:  # a clear message naming a file, nothing written
            assert exc.render()
            assert not out.exists()
            assert any(str(i.path.name) in exc.render() for i in inputs) or exc.code.startswith(
                "usage"
            )
            return
        assert s.balanced
        acc = pd.read_parquet(out / "accepted.parquet", columns=["_record_id", "_source_file"])
        sa = pd.read_parquet(
            out / "set_aside.parquet", columns=["_record_id", "_source_file", "_reasons"]
        )
        for i in s.inputs:
            assert (
                i.rows_read
                == (acc["_source_file"] == i.file).sum() + (sa["_source_file"] == i.file).sum()
            )
        assert not set(acc["_record_id"]) & set(sa["_record_id"])
        assert (sa["_reasons"] != "").all()
        if w.file not in ("truncate",):
            assert s.inputs[0].rows_read == n_written
