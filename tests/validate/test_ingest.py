"""Readers: encodings, delimiters, decimal commas, Excel, SPSS, and clear errors for unreadable files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import InputError, UsageError
from pipeline.ingest import InputFile, read_input, read_table
from pipeline.validate.run import read_all

from .validate_wavegen import generate, to_paper, to_web, write_csv, write_sav


def _code(exc: pytest.ExceptionInfo[InputError]) -> str:
    return exc.value.problems[0].code or exc.value.code


def test_from_arg_mode_prefix() -> None:
    assert InputFile.from_arg("paper:forms.csv") == InputFile(Path("forms.csv"), mode="paper")
    assert InputFile.from_arg("C:/data/x.csv").mode is None  # a drive letter is not a mode
    assert InputFile.from_arg("web:a:b.sav").path == Path("a:b.sav")


def test_utf8_with_bom_and_cp1252_are_detected(
    q, tmp_path: Path, paper_frame: pd.DataFrame
) -> None:
    paper_frame.loc[0, "comment"] = "Één opmerking: café"
    for enc, expected in (("utf-8-sig", "utf-8"), ("cp1252", "cp1252")):
        path = write_csv(paper_frame, tmp_path / f"p_{enc}.csv", encoding=enc)
        raw = read_input(InputFile(path), q)
        assert raw.encoding == expected
        assert raw.columns[0] == "sample_id"  # BOM not glued to the first name
        assert raw.table.column("comment")[0].as_py() == "Één opmerking: café"


def test_declared_wrong_encoding_names_file_and_line(
    q, tmp_path: Path, paper_frame: pd.DataFrame
) -> None:
    paper_frame.loc[2, "comment"] = "café"
    path = write_csv(paper_frame, tmp_path / "p.csv", encoding="cp1252")
    with pytest.raises(InputError) as exc:
        read_input(InputFile(path, encoding="utf-8"), q)
    assert _code(exc) == "file_encoding"
    assert "p.csv" in exc.value.render() and exc.value.problems[0].line == 4


def test_semicolon_and_decimal_comma(q, tmp_path: Path, paper_frame: pd.DataFrame) -> None:
    paper_frame.loc[0, "hours"] = "37,5"
    path = write_csv(paper_frame, tmp_path / "p.csv", sep=";")
    raw = read_input(InputFile(path), q)
    assert raw.delimiter == ";" and raw.mode == "paper"
    assert raw.table.column("hours")[0].as_py() == "37,5"


def test_xlsx_reads_like_csv(q, tmp_path: Path, paper_frame: pd.DataFrame) -> None:
    x = tmp_path / "paper.xlsx"
    paper_frame.to_excel(x, index=False)
    csv = write_csv(paper_frame, tmp_path / "paper.csv")
    a, b = read_input(InputFile(x), q), read_input(InputFile(csv), q)
    assert a.format == "xlsx" and a.n_rows == b.n_rows == len(paper_frame)
    for col in ("sample_id", "wb01", "tw_days", "hours"):
        assert a.table.column(col).to_pylist() == b.table.column(col).to_pylist()


def test_sav_keeps_user_missing_codes(q, tmp_path: Path, web_frame: pd.DataFrame) -> None:
    raw = read_input(InputFile(write_sav(web_frame, tmp_path / "w.sav", q)), q)
    assert raw.mode == "web" and raw.format == "sav"
    tw = np.asarray(raw.table.column("tw_days").to_numpy(), dtype=float)
    assert (tw == -1).sum() == (web_frame["tw_days"] == -1).sum() > 0


@pytest.mark.parametrize(
    "content,code",
    [
        (b"", "file_empty"),
        (b"\n\n", "file_empty"),
        (b"sample_id,working\n", "file_no_rows"),
        (b"sample_id,working\nS1,1\nS2", "file_truncated"),
        (b'sample_id,comment\nS1,"unfinished', "file_truncated"),
        (b"sample_id,working,sample_id\nS1,1,S1\n", "columns_duplicate"),
        (b"sample_id,working\nS1,1,1,1\nS2,1\n", "file_format"),
        (b"\x00\x01binary", "file_format"),
    ],
)
def test_unreadable_text_files_raise_input_error(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as exc:
        read_table(InputFile(path, mode="paper"))
    assert _code(exc) == code
    assert "bad.csv" in exc.value.render()


def test_truncated_file_points_at_the_last_line(tmp_path: Path, paper_csv: Path) -> None:
    data = paper_csv.read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(data[: len(data) - 40])
    with pytest.raises(InputError) as exc:
        read_table(InputFile(cut, mode="paper"))
    assert _code(exc) == "file_truncated"
    assert exc.value.problems[0].line == data[: len(data) - 40].count(b"\n") + 1


@pytest.mark.parametrize("suffix", [".sav", ".xlsx"])
def test_damaged_binary_files(tmp_path: Path, suffix: str, q, web_frame: pd.DataFrame) -> None:
    good = tmp_path / f"good{suffix}"
    if suffix == ".sav":
        write_sav(web_frame, good, q)
    else:
        web_frame.to_excel(good, index=False)
    bad = tmp_path / f"bad{suffix}"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(InputError) as exc:
        read_table(InputFile(bad))
    assert _code(exc) in ("file_format", "file_truncated") and f"bad{suffix}" in exc.value.render()
    wrong = tmp_path / f"text{suffix}"
    wrong.write_text("sample_id,working\nS1,1\n")
    with pytest.raises(InputError):
        read_table(InputFile(wrong))


def test_missing_file_and_unsupported_type(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        read_table(InputFile(tmp_path / "nope.csv"))
    assert _code(exc) == "file_missing"
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(InputError) as exc:
        read_table(InputFile(tmp_path / "x.json"))
    assert _code(exc) == "file_format"
    assert zipfile  # imported for the damaged-xlsx case


def test_wrong_columns_listed_all_at_once(q, tmp_path: Path, paper_frame: pd.DataFrame) -> None:
    path = write_csv(paper_frame.drop(columns=["wb01", "age"]), tmp_path / "p.csv")
    with pytest.raises(InputError) as exc:
        read_all(q, [InputFile(path)])
    missing = sorted(p.column or "" for p in exc.value.problems)
    assert missing == ["age", "wb01"]
    assert all(p.code == "columns_missing" for p in exc.value.problems)


def test_every_unreadable_input_is_reported(q, tmp_path: Path, paper_csv: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError) as exc:
        read_all(
            q,
            [
                InputFile(paper_csv),
                InputFile(tmp_path / "empty.csv"),
                InputFile(tmp_path / "gone.sav"),
            ],
        )
    text = exc.value.render()
    assert "empty.csv" in text and "gone.sav" in text and "paper_keyed.csv" not in exc.value.message


def test_mode_inference(q, tmp_path: Path) -> None:
    web = to_web(generate(q, 5, mode="web", seed=3))
    # a web CSV export: no keyer/batch but the speeder variable -> web
    raw = read_input(InputFile(write_csv(web, tmp_path / "web.csv")), q)
    assert raw.mode == "web"
    paper = to_paper(generate(q, 5, mode="paper", seed=3), q).drop(columns=["batch", "keyer"])
    with pytest.raises(UsageError):
        read_input(InputFile(write_csv(paper, tmp_path / "anon.csv")), q)
    assert read_input(InputFile(tmp_path / "anon.csv", mode="paper"), q).mode == "paper"
    with pytest.raises(UsageError):
        read_input(InputFile(tmp_path / "anon.csv", mode="cati"), q)  # not a mode of the WBM
