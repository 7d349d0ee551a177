"""``wbm validate``: exit 0 when everything could be read, exit 1 naming the file otherwise, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli import main


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(["validate", *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_cli_success(
    tmp_path: Path, paper_csv: Path, web_sav: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        [
            "-q",
            "wbm-werknemers-2023",
            "--input",
            f"paper:{paper_csv}",
            "--input",
            str(web_sav),
            "--out",
            str(tmp_path / "o"),
        ],
        capsys,
    )
    assert code == 0, err
    assert "paper_keyed.csv (paper, csv): 40 read = 40 accepted + 0 set aside" in out
    assert (tmp_path / "o" / "accepted.parquet").exists()


def test_cli_second_keying_and_options(
    tmp_path: Path, paper_csv: Path, paper_frame: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    second = paper_frame.copy()
    second.loc[0, "sex"] = "2" if second.loc[0, "sex"] == "1" else "1"
    second.to_csv(tmp_path / "second.csv", index=False)
    code, out, err = _run(
        [
            "-q",
            "wbm-werknemers-2023",
            "-i",
            str(paper_csv),
            "--second-keying",
            str(tmp_path / "second.csv"),
            "--speeders",
            "set-aside",
            "--precedence",
            "paper,most_complete",
            "-o",
            str(tmp_path / "o"),
        ],
        capsys,
    )
    assert code == 0, err
    assert "double keying paper_keyed.csv / second.csv: 1 discrepancies" in out


@pytest.mark.parametrize("content", [b"", b"sample_id,working\nS1,1\nS2", b"a;b\n1;2\n"])
def test_cli_unreadable_input_exit_1(
    tmp_path: Path, paper_csv: Path, content: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad_input.csv"
    bad.write_bytes(content)
    code, out, err = _run(
        [
            "-q",
            "wbm-werknemers-2023",
            "-i",
            str(paper_csv),
            "-i",
            f"paper:{bad}",
            "-o",
            str(tmp_path / "o"),
        ],
        capsys,
    )
    assert code == 1
    assert "bad_input.csv" in err and "Traceback" not in err + out
    assert not (tmp_path / "o").exists()


def test_cli_usage_errors_exit_2(
    tmp_path: Path, paper_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(
        [
            "-q",
            "wbm-werknemers-2023",
            "-i",
            str(paper_csv),
            "--precedence",
            "fastest",
            "-o",
            str(tmp_path / "o"),
        ],
        capsys,
    )
    assert code == 2 and "fastest" in err and "Traceback" not in err
    code, _, err = _run(
        ["-q", "wbm-werknemers-2023", "-i", f"cati:{paper_csv}", "-o", str(tmp_path / "o")], capsys
    )
    assert code == 2 and "cati" in err


def test_cli_help_documents_modes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--help"], capsys)
    assert code == 0 and "MODE:FILE" in out and "--second-keying" in out
