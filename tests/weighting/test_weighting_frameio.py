"""Survey files as read (``pipeline.weighting.frameio``): SPSS user-missing values are kept as codes
in the data (so a ``.sav`` written back keeps them) and become missing for estimation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from pipeline.weighting.frameio import read_frame, write_frame


def test_user_missing_codes_and_ranges_become_missing(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "y": [1.0, -9.0, 0.0, -8.0, 1.0],
            "z": [5.0, 97.0, 98.0, 3.0, 99.0],
            "w": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    sav = tmp_path / "d.sav"
    pyreadstat.write_sav(
        df, str(sav), missing_ranges={"y": [-9.0, -8.0], "z": [{"lo": 97.0, "hi": 99.0}]}
    )
    frame = read_frame(sav)
    assert frame.df["y"].tolist() == df["y"].tolist()  # the codes are kept in the data
    got = frame.missing_as_nan(["y", "z", "not_a_column"])
    assert np.isnan(got["y"]).tolist() == [False, True, False, True, False]
    assert np.isnan(got["z"]).tolist() == [False, True, True, False, True]
    assert got["w"].tolist() == df["w"].tolist()
    assert frame.df["y"].tolist() == df["y"].tolist()  # the frame itself is not changed
    only_y = frame.missing_as_nan(["y"])
    assert only_y["z"].tolist() == df["z"].tolist()


def test_a_sav_written_back_keeps_its_user_missing_values(tmp_path: Path) -> None:
    df = pd.DataFrame({"y": [1.0, -9.0, 0.0], "w": [1.0, 2.0, 3.0]})
    sav = tmp_path / "d.sav"
    pyreadstat.write_sav(df, str(sav), missing_ranges={"y": [-9.0]})
    frame = read_frame(sav)
    out = write_frame(frame.df, tmp_path / "o.sav", sav_meta=frame.sav_meta)
    again = read_frame(out)
    assert np.isnan(again.missing_as_nan(["y"])["y"]).tolist() == [False, True, False]


def test_csv_has_no_user_missing(tmp_path: Path) -> None:
    p = tmp_path / "d.csv"
    p.write_text("y,w\n1,1\n-9,2\n", encoding="utf-8")
    frame = read_frame(p)
    assert frame.missing_as_nan(["y"])["y"].tolist() == [1, -9]
