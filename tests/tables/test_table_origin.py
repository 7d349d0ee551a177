"""Origin (migration background, a register-only variable of the sample frame) as a breakdown of
``wbm table``: allowed only where the publisher's policy lists it (``tables.sensitive_breakdowns``),
with its stricter minimums, protected and logged like every table, and differencing between a
table by origin and one without is caught by the same engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline.errors import SpecError
from pipeline.rundata import layout
from pipeline.tables.api import make_table

from ..publisher_helpers import make_publisher
from .tables_helpers import csv_rows, ledger_entries, request_file, wbm


@pytest.fixture(scope="module")
def scored(small_run_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(layout.stage_file(small_run_dir, "score", layout.SCORED))


def test_the_run_carries_origin_from_the_frame(small_demo, scored: pd.DataFrame) -> None:
    """Every respondent's origin is the frame's, linked by sample id (not asked on the form)."""
    frame = pd.read_parquet(small_demo[1] / "wave" / "frame.parquet")
    merged = scored[["sample_id", "origin"]].merge(
        frame[["sample_id", "origin"]], on="sample_id", how="left", suffixes=("", "_frame")
    )
    assert len(merged) == len(scored) and merged["origin"].notna().all()
    assert (merged["origin"] == merged["origin_frame"]).all()
    edits = pd.read_parquet(layout.stage_file(small_demo[0].run_dir, "validate", layout.EDITS))
    taken = edits[edits["rule_id"] == "frame_register"]
    assert set(taken["item"]) == {"origin"} and taken["old_value"].isna().all()
    assert set(scored["sample_id"]) <= set(taken["sample_id"])


def test_a_table_by_origin_is_released_with_suppression_and_logged(
    run_copy: Path, scored: pd.DataFrame, tmp_path: Path, policy_ledger: Path
) -> None:
    req = request_file(
        tmp_path,
        name="by-origin",
        indicators=["werkstress"],
        rows="sector",
        columns="origin",
        filters=None,
    )
    out = make_table(req, [run_copy], tmp_path / "o")
    assert out.decision in ("release", "suppress")
    rows = csv_rows(out.files[1])
    labels = {r["column_label"] for r in rows if r["column_variable"] == "origin"}
    assert {"Belgische herkomst", "EU-herkomst", "niet-EU-herkomst", "Totaal"} <= labels
    ok = scored[scored["werkstress"].notna()]
    n = pd.crosstab(ok["sector"], ok["origin"])
    for r in rows:
        if r["row_level"] and r["column_level"] in ("1", "2", "3"):
            cell_n = int(n.loc[float(r["row_level"]), float(r["column_level"])])
            if cell_n < 50:  # the reference policy's minimum for origin, not the general 30
                assert r["flag"] == "suppressed" and r["estimate"] == "" and r["n"] == ""
            elif r["flag"] != "suppressed":
                assert int(r["n"]) == cell_n
                assert cell_n >= 100 or r["flag"] == "unreliable"
    assert any(
        r["flag"] == "suppressed"
        and r["column_level"] in ("1", "2", "3")
        and int(n.loc[float(r["row_level"]), float(r["column_level"])]) >= 50
        for r in rows
        if r["row_level"]
    ), "no secondary suppression: a single hidden cell would follow from its margins"
    (entry,) = ledger_entries(policy_ledger, "fonds-test")
    assert entry["label"] == "by-origin"
    assert entry["rules"]["min_n_percent"] == 50 and entry["rules"]["min_n_count"] == 10
    statuses = {c["status"] for c in entry["cells"]}
    assert {"primary:min_n", "secondary"} <= statuses


@pytest.mark.parametrize(
    "where",
    [{"rows": "origin"}, {"filters": [{"variable": "origin", "levels": [1, 2]}]}],
)
def test_origin_is_refused_under_a_policy_that_does_not_allow_it(
    run_copy: Path, tmp_path: Path, where: dict[str, Any], capsys
) -> None:
    strict = make_publisher(tmp_path / "pub", sensitive_breakdowns={})
    req = request_file(tmp_path, columns=None, indicators=["werkstress"], **where)
    with pytest.raises(SpecError) as err:
        make_table(req, [run_copy], tmp_path / "o", policy=strict)
    (problem,) = err.value.problems
    assert problem.code == "sensitive_breakdown_not_allowed"
    assert problem.path == ("rows" if "rows" in where else "filters[0].variable")
    assert not (tmp_path / "o").exists()
    assert ledger_entries(strict.parent / "ledger") == []
    code, text = wbm(
        "table", req, "--run", run_copy, "--out", tmp_path / "o", "--policy", strict, capsys=capsys
    )
    assert code == 2 and "sensitive_breakdowns" in text and "Traceback" not in text


def test_a_request_resolved_without_the_policy_is_still_refused(
    run_copy: Path, tmp_path: Path
) -> None:
    """The publication path checks again: a request resolved elsewhere cannot slip origin through."""
    from pipeline.sdc.publisher import publisher
    from pipeline.tables.api import publish_request
    from pipeline.tables.request import read_request, resolve
    from pipeline.tables.source import load_run

    strict = make_publisher(tmp_path / "pub", sensitive_breakdowns={})
    req = request_file(tmp_path, columns=None, indicators=["werkstress"], rows="origin")
    data = load_run(run_copy)
    resolved = resolve(read_request(req), str(req), questionnaires={2023: data.questionnaire})
    with pytest.raises(SpecError) as err:
        publish_request(resolved, {2023: data}, tmp_path / "o", publisher(strict))
    assert err.value.code == "sensitive_breakdown_not_allowed"
    assert ledger_entries(strict.parent / "ledger") == []


def _small_origin_sector(scored: pd.DataFrame) -> int:
    """A sector with a few respondents of EU origin and enough others to publish at 50."""
    ok = scored[scored["werkstress"].notna()]
    counts = pd.crosstab(ok["sector"], ok["origin"])
    for sector, row in counts.iterrows():
        if 0 < row.get(2.0, 0) < 10 and row.get(1.0, 0) + row.get(3.0, 0) >= 60:
            return int(sector)
    raise AssertionError("the demo has no sector with a few respondents of EU origin")


@pytest.mark.parametrize("origin_first", [False, True])
def test_differencing_between_a_table_by_origin_and_one_without_is_caught(
    run_copy: Path, scored: pd.DataFrame, tmp_path: Path, origin_first: bool
) -> None:
    """Werkstress in one sector, and the same without its few respondents of EU origin: the
    difference is those few. Whichever comes second is suppressed further (or refused)."""
    sector = _small_origin_sector(scored)
    plain = request_file(
        tmp_path,
        name="sector",
        indicators=["werkstress"],
        rows=None,
        columns=None,
        filters=[{"variable": "sector", "levels": [sector]}],
    )
    by_origin = request_file(
        tmp_path,
        name="sector-not-eu",
        indicators=["werkstress"],
        rows=None,
        columns=None,
        filters=[
            {"variable": "sector", "levels": [sector]},
            {"variable": "origin", "levels": [1, 3]},
        ],
    )
    first, second = (by_origin, plain) if origin_first else (plain, by_origin)
    a = make_table(first, [run_copy], tmp_path / "a", ledger=tmp_path / "l")
    assert a.decision == "release"
    b = make_table(second, [run_copy], tmp_path / "b", ledger=tmp_path / "l")
    assert b.decision in ("suppress", "refuse")
    assert any("small_difference" in r for r in b.release.reasons)
    entries = ledger_entries(tmp_path / "l", "fonds-test")
    assert [e["decision"] for e in entries] == ["release", b.decision]
    if b.decision == "suppress":
        assert "secondary:history" in {c["status"] for c in entries[1]["cells"]}


def test_the_shipped_origin_example_runs_on_the_demo(
    run_copy: Path, tmp_path: Path, policy_ledger: Path, capsys
) -> None:
    from pipeline.paths import REPO_ROOT

    example = REPO_ROOT / "examples" / "requests" / "demo-werkbaar-herkomst.yaml"
    code, err = wbm("table", example, "--run", run_copy, "--out", tmp_path / "o", capsys=capsys)
    assert code == 0, err
    rows = csv_rows(tmp_path / "o" / "demo-werkbaar-herkomst.csv")
    assert {r["row_label"] for r in rows} >= {"Belgische herkomst", "niet-EU-herkomst", "Totaal"}
    (entry,) = ledger_entries(policy_ledger, "demo-fonds")
    assert entry["label"] == "demo-werkbaar-herkomst"
