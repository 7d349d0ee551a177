"""`wbm weight` end to end: formats, options, user mistakes give messages and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.cli import main

GOLDEN = Path(__file__).parent / "golden"


def run(args: list[str], capsys) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("ext", [".csv", ".parquet", ".sav"])
def test_weight_all_formats(tmp_path, capsys, ext):
    data = pd.read_csv(GOLDEN / "data.csv")
    src = tmp_path / f"in{ext}"
    if ext == ".csv":
        data.to_csv(src, index=False)
    elif ext == ".parquet":
        data.to_parquet(src)
    else:
        import pyreadstat

        pyreadstat.write_sav(
            data.astype({"sex": float, "age_band": float, "sector": float}), str(src)
        )
    out = tmp_path / f"out{ext}"
    code, stdout, err = run(
        [
            "weight",
            "--data",
            str(src),
            "--margins",
            str(GOLDEN / "margins.csv"),
            "--base-weight",
            "w",
            "--out",
            str(out),
            "--diagnostics",
            str(tmp_path / "d.json"),
            "--report",
            str(tmp_path / "r.html"),
        ],
        capsys,
    )
    assert code == 0, err
    assert "Weighted 300 rows" in stdout
    if ext == ".csv":
        res = pd.read_csv(out)
    elif ext == ".parquet":
        res = pd.read_parquet(out)
    else:
        import pyreadstat

        res, meta = pyreadstat.read_sav(str(out))
        assert "Expansion weight" in meta.column_names_to_labels["weight"]
    assert list(res.columns) == list(data.columns) + ["weight", "weight_normalised"]
    assert len(res) == len(data)
    assert res["weight"].sum() == pytest.approx(400_000, rel=1e-9)
    assert res["weight_normalised"].sum() == pytest.approx(300, rel=1e-9)
    expected = pd.read_csv(GOLDEN / "expected.csv", skipinitialspace=True)["rake"]
    np.testing.assert_allclose(res["weight"], expected, rtol=1e-8)
    assert json.loads((tmp_path / "d.json").read_text())["converged"] is True


def test_default_base_weight_and_options(tmp_path, capsys):
    out = tmp_path / "o.csv"
    code, _, err = run(
        [
            "weight",
            "--data",
            str(GOLDEN / "data.csv"),
            "--margins",
            str(GOLDEN / "margins.csv"),
            "--out",
            str(out),
            "--method",
            "logit",
            "--bounds",
            "0.2,5",
            "--trim-median-k",
            "6",
            "--max-iter",
            "200",
            "--tol",
            "1e-9",
        ],
        capsys,
    )
    assert code == 0, err
    assert pd.read_csv(out)["weight"].sum() == pytest.approx(400_000, rel=1e-8)


@pytest.mark.parametrize(
    "args,code,text",
    [
        (["--base-weight", "ww"], 1, "'ww' is not one of"),
        (["--bounds", "x"], 2, "--bounds must be LO,HI"),
        (["--method", "logit"], 1, "needs bounds"),
        (["--method", "logit", "--bounds", "0.5,3"], 1, "did not converge"),
        (["--trim-median-k", "0.5"], 1, "median multiple > 1"),
    ],
)
def test_user_mistakes_give_messages(tmp_path, capsys, args, code, text):
    got, _, err = run(
        [
            "weight",
            "--data",
            str(GOLDEN / "data.csv"),
            "--margins",
            str(GOLDEN / "margins.csv"),
            "--out",
            str(tmp_path / "o.csv"),
            *args,
        ],
        capsys,
    )
    assert got == code
    assert text in err
    assert "Traceback" not in err
    assert not (tmp_path / "o.csv").exists()


def test_bad_files(tmp_path, capsys):
    (tmp_path / "m.csv").write_text("variable,level,total\nsex,1,-5\n")
    got, _, err = run(
        [
            "weight",
            "--data",
            str(GOLDEN / "data.csv"),
            "--margins",
            str(tmp_path / "m.csv"),
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capsys,
    )
    assert got == 2 and "negative" in err and "line 2" in err
    got, _, err = run(
        [
            "weight",
            "--data",
            str(tmp_path / "nope.csv"),
            "--margins",
            str(GOLDEN / "margins.csv"),
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capsys,
    )
    assert got == 1 and "not found" in err
    got, _, err = run(
        [
            "weight",
            "--data",
            str(GOLDEN / "data.csv"),
            "--margins",
            str(GOLDEN / "margins.csv"),
            "--out",
            str(tmp_path / "o.xlsx"),
        ],
        capsys,
    )
    assert got == 1 and "'.xlsx' is not one of" in err
    d = pd.read_csv(GOLDEN / "data.csv")
    d.loc[5, "sex"] = 7
    d.to_csv(tmp_path / "d.csv", index=False)
    got, _, err = run(
        [
            "weight",
            "--data",
            str(tmp_path / "d.csv"),
            "--margins",
            str(GOLDEN / "margins.csv"),
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capsys,
    )
    assert got == 1 and "not a level of the margins" in err and "'7'" in err


def test_python_dash_m(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "weight",
            "--data",
            str(GOLDEN / "data.csv"),
            "--margins",
            str(GOLDEN / "margins.csv"),
            "--base-weight",
            "nope",
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "base weight column 'nope'" in proc.stderr
