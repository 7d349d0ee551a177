"""Workability by origin (a register variable of the frame) under the disclosure policy."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from pipeline.reports.origin import protect


def test_small_group_is_hidden_with_a_second_one_so_the_total_cannot_reveal_it() -> None:
    rows = [
        ("ww", "1", 2000, 0.5, 0.48, 0.52),
        ("ww", "2", 120, 0.4, 0.3, 0.5),
        ("ww", "3", 20, 0.6, 0.4, 0.8),
        ("ww", "unknown", 45, 0.5, 0.35, 0.65),
    ]
    cells = {c.level: c for c in protect(rows, 30, 50)}
    assert cells["3"].status == "primary" and cells["3"].estimate is None
    # the smallest other group is hidden too
    assert cells["unknown"].status == "secondary" and cells["unknown"].estimate is None
    assert cells["2"].status == "shown" and cells["2"].estimate == 0.4
    assert cells["1"].status == "shown"


def test_unreliable_groups_are_shown_and_flagged() -> None:
    rows = [("ww", "1", 400, 0.5, 0.45, 0.55), ("ww", "2", 35, 0.4, 0.25, 0.55)]
    cells = {c.level: c for c in protect(rows, 30, 50)}
    assert cells["2"].status == "unreliable" and cells["2"].estimate == 0.4


@given(st.lists(st.integers(0, 200), min_size=1, max_size=5))
def test_never_exactly_one_hidden_group(ns: list[int]) -> None:
    rows = [("ww", str(i), n, 0.5, 0.4, 0.6) for i, n in enumerate(ns)]
    cells = protect(rows, 30, 50)
    hidden = [c for c in cells if c.estimate is None]
    assert len(hidden) != 1 or len(cells) == 1
    for c in cells:
        assert (c.estimate is None) == (c.status in ("primary", "secondary"))
        if c.n < 30:
            assert c.estimate is None


def test_synthetic_frame_has_origin(small_demo) -> None:
    _result, out = small_demo
    frame = pd.read_parquet(out / "wave" / "frame.parquet")
    assert set(frame["origin"].unique()) <= {1, 2, 3}
    shares = frame["origin"].value_counts(normalize=True)
    assert 0.6 < shares[1] < 0.85 and shares[3] > 0.08
    # the model's higher non-EU share in cleaning / service vouchers (sector 11)
    assert (frame.loc[frame["sector"] == 11, "origin"] == 3).mean() > (frame["origin"] == 3).mean()


def test_fieldwork_report_breaks_workability_down_by_origin(small_demo, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pipeline.cli import cli as main

    result, out = small_demo
    r = CliRunner().invoke(
        main,
        [
            "fieldwork",
            "--run",
            str(result.run_dir),
            "--wave",
            str(out / "wave"),
            "--out",
            str(tmp_path),
        ],
    )
    assert r.exit_code == 0, r.output
    d = json.loads((tmp_path / "fieldwork.json").read_text(encoding="utf-8"))
    o = d["origin"]
    assert o["levels"] == ["1", "2", "3"] and o["min_n_percent"] >= 1
    ww = [c for c in o["cells"] if c["indicator"] == "werkbaar_werk"]
    assert sum(c["n"] for c in ww) > 0
    for c in ww:
        assert (c["estimate"] is None) == (c["status"] in ("primary", "secondary"))
        if c["estimate"] is not None:
            assert c["ci_low"] <= c["estimate"] <= c["ci_high"]
    assert "origin" in d["variables"]  # the response model uses it too
    html = (tmp_path / "fieldwork.html").read_text(encoding="utf-8")
    assert "Werkbaarheid naar herkomst" in html and "niet-EU-herkomst" in html
    assert np.isfinite([c["n"] for c in ww]).all()


def test_under_protected_reports_the_origin_section_is_left_out(
    small_run_dir: Path, policy_file: Path
) -> None:
    """Review finding 5: the origin estimates are computed in the fieldwork report itself, not by
    the disclosure engine nor logged; under a policy that protects the reports' figures they are
    not shown (fail closed), whatever origin rules the policy has."""
    import yaml

    from pipeline.reports.origin import origin_table
    from pipeline.tables.source import load_run

    ids = load_run(small_run_dir).frame.iloc[:, 0].astype(str)
    linked = pd.DataFrame({"sample_id": ids, "origin": 1.0})
    data = yaml.safe_load(policy_file.read_text(encoding="utf-8"))
    data["protect_reports"] = True
    policy_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    table, notices = origin_table(small_run_dir, linked, ("werkbaar_werk",), policy=policy_file)
    assert table is None and [n.code for n in notices] == ["origin_not_published"]
    data["protect_reports"] = False  # the control: the same call without it gets past the check
    policy_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    _, notices = origin_table(small_run_dir, linked, ("werkbaar_werk",), policy=policy_file)
    assert "origin_not_published" not in [n.code for n in notices]
