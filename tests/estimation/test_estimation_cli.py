"""``wbm estimate``: the command-line contract, its errors, determinism and the end-to-end raking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.estimation.api import TABLE_COLUMNS

from .estimation_golden import GOLDEN, num

DATA = str(GOLDEN / "wbm_synth.csv")
MARGINS = str(GOLDEN / "wbm_margins.csv")
CONTRACT = ["indicator", "by", "level", "n", "estimate", "se", "ci_low", "ci_high", "deff"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        main(["estimate", *argv])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    cap = capsys.readouterr()
    assert "Traceback" not in cap.err
    return code, cap.err


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, dtype={"by": str, "level": str})


def test_contract_columns_and_rows(tmp_path: Path, capsys) -> None:
    out = tmp_path / "est.csv"
    code, err = run(
        [
            "--data",
            DATA,
            "--weight",
            "base_weight",
            "--indicators",
            "stress,werkbaar",
            "--by",
            "sector",
            "--by",
            "sex,age_band",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    t = read(out)
    assert tuple(t.columns) == TABLE_COLUMNS
    assert set(CONTRACT) <= set(t.columns)
    for ind in ("stress", "werkbaar"):
        s = t[t["indicator"] == ind]
        assert ((s["by"] == "") & (s["level"] == "")).sum() == 1
        assert s.iloc[0]["by"] == ""  # overall row first
        assert list(s[s["by"] == "sector"]["level"]) == [str(i) for i in range(1, 9)]
        assert list(s[s["by"] == "age_band"]["level"]) == [str(i) for i in range(1, 6)]
    assert len(t) == 2 * (1 + 8 + 2 + 5)


def test_margins_rake_first_and_match_r(tmp_path: Path, capsys, golden: pd.DataFrame) -> None:
    out = tmp_path / "est.csv"
    code, err = run(
        [
            "--data",
            DATA,
            "--margins",
            MARGINS,
            "--base-weight",
            "base_weight",
            "--strata",
            "sector",
            "--fpc",
            "fpc",
            "--indicators",
            "stress,acute",
            "--by",
            "sector,occupation",
            "--ci-method",
            "logit",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    t = read(out)
    g = golden[
        (golden["case"] == "wbm_raked")
        & (golden["stat"] == "proportion")
        & (golden["ci_method"] == "wald_t")
    ]
    m = g.merge(t, on=["indicator", "by", "level"], suffixes=("_r", ""))
    assert len(m) == len(t)
    # our raking converges to 1e-10 (R's to 1e-13) and the CSV keeps 12 digits
    np.testing.assert_allclose(m["estimate"], num(m["estimate_r"]), rtol=1e-9)
    np.testing.assert_allclose(m["se"], num(m["se_r"]), rtol=1e-6)
    np.testing.assert_allclose(m["deff"], num(m["deff_r"]), rtol=1e-6)


def test_same_input_same_bytes_and_compare_out(tmp_path: Path, capsys) -> None:
    args = [
        "--data",
        DATA,
        "--margins",
        MARGINS,
        "--base-weight",
        "base_weight",
        "--strata",
        "sector",
        "--indicators",
        "stress",
        "--by",
        "sector",
        "--variance",
        "bootstrap",
        "--replicates",
        "20",
        "--seed",
        "5",
    ]
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert run([*args, "--out", str(a), "--compare-out", str(tmp_path / "c.csv")], capsys)[0] == 0
    assert run([*args, "--out", str(b)], capsys)[0] == 0
    assert a.read_bytes() == b.read_bytes()
    c = read(tmp_path / "c.csv")
    assert {"diff", "diff_se", "p_value", "significant"} <= set(c.columns)
    assert len(c) == 8


def test_weight_column_must_match_the_raking(tmp_path: Path, capsys) -> None:
    code, err = run(
        [
            "--data",
            DATA,
            "--margins",
            MARGINS,
            "--base-weight",
            "base_weight",
            "--weight",
            "base_weight",
            "--indicators",
            "stress",
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capsys,
    )
    assert code == 1
    assert "does not hold the weights obtained by raking" in err


def test_missing_column_lists_the_columns(tmp_path: Path, capsys) -> None:
    code, err = run(
        [
            "--data",
            DATA,
            "--weight",
            "base_weight",
            "--indicators",
            "stres",
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capsys,
    )
    assert code == 1
    assert "'stres' is not one of 'id', 'sector'" in err and "'stress'" in err
    assert not (tmp_path / "o.csv").exists()


def test_non_binary_indicator_names_row_and_value(tmp_path: Path, capsys) -> None:
    code, err = run(
        [
            "--data",
            DATA,
            "--weight",
            "base_weight",
            "--indicators",
            "score",
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capsys,
    )
    assert code == 1
    assert "row 1, column 'score': value is not 0 or 1 (found 36.85)" in err
    code, _ = run(
        [
            "--data",
            DATA,
            "--weight",
            "base_weight",
            "--indicators",
            "score",
            "--stat",
            "mean",
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capsys,
    )
    assert code == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--variance", "jackknife"], "'jackknife' is not one of 'linearization', 'bootstrap'"),
        (["--weight", None], "give --weight COLUMN"),
        (["--compare-out", "x.csv"], "--compare-out needs --by"),
    ],
)
def test_usage_errors(tmp_path: Path, capsys, argv, message) -> None:
    base = {
        "--data": DATA,
        "--weight": "base_weight",
        "--indicators": "stress",
        "--out": str(tmp_path / "o.csv"),
    }
    extra = dict(zip(argv[::2], argv[1::2], strict=True))
    base.update(extra)
    args = [x for k, v in base.items() if v is not None for x in (k, v)]
    code, err = run(args, capsys)
    assert code == 2
    assert message in err


def test_sav_user_missing_codes_are_missing(tmp_path: Path, capsys) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    df = pd.DataFrame(
        {
            "w": [1.0, 2.0, 1.0, 3.0, 1.0, 2.0],
            "y": [1.0, 0.0, -9.0, 1.0, 0.0, -9.0],
            "g": [1.0, 1.0, 2.0, 2.0, 2.0, -9.0],
        }
    )
    sav = tmp_path / "d.sav"
    pyreadstat.write_sav(df, str(sav), missing_ranges={"y": [-9.0], "g": [-9.0]})
    out = tmp_path / "o.csv"
    code, err = run(
        ["--data", str(sav), "--weight", "w", "--indicators", "y", "--by", "g", "--out", str(out)],
        capsys,
    )
    assert code == 0, err
    t = read(out)
    overall = t[t["by"] == ""].iloc[0]
    assert overall["n"] == 4
    assert overall["estimate"] == pytest.approx((1 * 1 + 2 * 0 + 3 * 1 + 1 * 0) / 7)
    assert list(t[t["by"] == "g"]["level"]) == ["1", "2"]
    assert "only in the overall rows" in err


def test_non_numeric_values_are_located_errors_and_numeric_text_is_read(
    tmp_path: Path, capsys
) -> None:
    """A typed-over cell in an indicator column is named by row and column; a column of numbers
    stored as text (as spreadsheets export them) is read as numbers."""
    df = pd.read_csv(DATA)
    text = df.assign(
        stress=df["stress"].map(lambda v: "" if pd.isna(v) else f"{v:g}").astype(object)
    )
    text.loc[text.index[3], "stress"] = "1"  # still numbers as text: must work
    path = tmp_path / "text.parquet"
    text.to_parquet(path)
    ok_out = tmp_path / "ok.csv"
    code, err = run(
        [
            "--data",
            str(path),
            "--weight",
            "base_weight",
            "--indicators",
            "stress",
            "--out",
            str(ok_out),
        ],
        capsys,
    )
    assert code == 0, err
    bad = text.copy()
    bad.loc[bad.index[6], "stress"] = "ja"
    bad.to_parquet(path)
    code, err = run(
        [
            "--data",
            str(path),
            "--weight",
            "base_weight",
            "--indicators",
            "stress",
            "--out",
            str(tmp_path / "bad.csv"),
        ],
        capsys,
    )
    assert code != 0
    assert "non-numeric" in err and "row 7" in err and "'stress'" in err and "'ja'" in err
