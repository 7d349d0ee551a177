"""Review findings 2, 3 and 4 (issue 13), each attack as written, on the session's demo wave:

2. thresholds set by the request: a request's own ``disclosure:`` block with minimum n = 1;
3. requester identity as free text: an unregistered name, and a second name for the same attack;
4. history tied to a directory and to file bytes: the same wave rerun into a new run directory, and
   the same data written again with other dtypes, row order and parquet settings.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import openpyxl
import pandas as pd
import pytest

from pipeline.errors import DisclosureError, SpecError
from pipeline.fileio import sha256_file
from pipeline.rundata import layout
from pipeline.tables.api import make_table
from pipeline.tables.source import load_run

from .tables_helpers import (
    attack_requests,
    csv_rows,
    ledger_entries,
    request_file,
    small_group_sector,
    wbm,
)


@pytest.fixture(scope="module")
def scored(small_run_dir) -> pd.DataFrame:
    return pd.read_parquet(layout.stage_file(small_run_dir, "score", layout.SCORED))


# ------------------------------------------------------------------ finding 2: the policy's thresholds


def test_a_request_cannot_lower_the_thresholds(run_copy, tmp_path, capsys, policy_ledger):
    req = request_file(
        tmp_path, disclosure={"min_n_count": 1, "min_n_percent": 1, "unreliable_below": 1}
    )
    with pytest.raises(SpecError) as err:
        make_table(req, [run_copy], tmp_path / "o")
    assert err.value.code == "looser_than_policy"
    assert {p.path for p in err.value.problems} == {
        "disclosure.min_n_count",
        "disclosure.min_n_percent",
        "disclosure.unreliable_below",
    }
    assert "expected >= 30 (policy 'referentie'" in err.value.render()
    code, out = wbm("table", req, "--run", run_copy, "--out", tmp_path / "o", capsys=capsys)
    assert code == 2 and "looser than the publisher's policy" in out
    assert not (tmp_path / "o").exists() and ledger_entries(policy_ledger) == []


def test_a_request_can_make_the_rules_stricter_and_the_workbook_states_the_policy(
    run_copy, tmp_path
):
    plain = make_table(request_file(tmp_path, name="plain"), [run_copy], tmp_path / "a")
    strict = make_table(
        request_file(tmp_path, name="strict", disclosure={"min_n_percent": 100}),
        [run_copy],
        tmp_path / "b",
    )
    n_plain = [int(r["n"]) for r in csv_rows(plain.files[1]) if r["n"]]
    # published cells: empty ones (n = 0) describe nobody and meet every minimum
    n_strict = [int(r["n"]) for r in csv_rows(strict.files[1]) if r["n"] and int(r["n"]) > 0]
    assert min(n_plain) < 100 <= min(n_strict)
    notes = {
        r[0]: r[1]
        for r in openpyxl.load_workbook(strict.files[0])["Toelichting"].iter_rows(values_only=True)
        if r[0]
    }
    policy = notes["Geheimhoudingsbeleid"]
    assert "referentie (versie 2025-1)" in policy and "min_n_percent = 30" in policy
    assert "gewogen N afgerond op een veelvoud van 100" in policy
    assert "Deze aanvraag vroeg strengere regels: min_n_percent = 100" in policy


def test_the_policy_is_the_publishers_not_the_runs(run_copy, tmp_path, policy_file):
    """A stricter publisher's policy applies to every request, whatever the request says."""
    from ..publisher_helpers import make_publisher

    strict = make_publisher(tmp_path / "strict", min_n_percent=200, unreliable_below=250)
    out = make_table(request_file(tmp_path), [run_copy], tmp_path / "o", policy=strict)
    assert all(
        int(r["n"]) >= 200 for r in csv_rows(out.files[1]) if r["n"] and r["flag"] != "empty"
    )


# ------------------------------------------------------------------ finding 3: registered requesters


def test_an_unregistered_requester_is_refused(run_copy, tmp_path, capsys, policy_ledger):
    req = request_file(tmp_path, requester="wie-dan-ook")
    with pytest.raises(DisclosureError) as err:
        make_table(req, [run_copy], tmp_path / "o")
    assert err.value.code == "unregistered_requester"
    code, out = wbm("table", req, "--run", run_copy, "--out", tmp_path / "o", capsys=capsys)
    assert code != 0 and "'wie-dan-ook' is not a registered organisation" in out
    assert not (tmp_path / "o").exists() and ledger_entries(policy_ledger) == []


def test_another_name_does_not_escape_the_history(run_copy, scored, tmp_path):
    """The attack: the first table as one registered organisation, the second as another."""
    first, second = attack_requests(tmp_path, small_group_sector(scored))
    assert make_table(first, [run_copy], tmp_path / "a").decision == "release"
    other = request_file(
        tmp_path / "b",
        name="without-ambtenaren",
        requester="fonds-b",
        indicators=["werkstress"],
        columns=None,
        filters=[
            {"variable": "sector", "levels": [small_group_sector(scored)]},
            {"variable": "statute", "levels": [1, 2]},
        ],
    )
    b = make_table(other, [run_copy], tmp_path / "b")
    assert b.decision == "suppress" and csv_rows(b.files[1])[-1]["flag"] == "suppressed"
    assert any("fonds-test#1" in r for r in b.release.reasons)  # the analyst sees whose
    assert all("fonds-test" not in r for r in b.release.public_reasons())  # fonds-b does not


# ------------------------------------------------------------------ finding 4: the data version


def test_a_rerun_into_a_new_run_directory_keeps_the_history(small_demo, scored, tmp_path):
    """The same wave validated, weighted and scored again into another directory: the same data
    version, so the differencing attack across the two runs is caught."""
    from pipeline.runner import Run, RunConfig, run_stages

    wave_dir = small_demo[0].wave_dir
    again = tmp_path / "elsewhere" / "run"
    run_stages(Run(again, RunConfig.from_wave_dir(wave_dir)), ("validate", "weight", "score"))
    first, second = attack_requests(tmp_path, small_group_sector(scored))
    one = load_run(small_demo[0].run_dir)
    two = load_run(again)
    assert one.data_version == two.data_version
    assert make_table(first, [small_demo[0].run_dir], tmp_path / "a").decision == "release"
    b = make_table(second, [again], tmp_path / "b")
    assert b.decision == "suppress" and csv_rows(b.files[1])[-1]["flag"] == "suppressed"


def test_the_same_data_written_otherwise_has_the_same_version(small_run_dir, scored, tmp_path):
    """Other dtypes (nullable integers, categories, float32-safe values as float64), another row and
    column order, another parquet compression and row-group size: the same content, the same
    version; one changed answer: another version."""
    from pipeline.dataversion import data_version

    run = tmp_path / "run"
    shutil.copytree(
        small_run_dir,
        run,
        ignore=shutil.ignore_patterns(layout.STAGE_DIRS["outputs"], layout.STAGE_DIRS["estimate"]),
    )
    df = scored.sample(frac=1.0, random_state=3)[list(reversed(scored.columns))]
    for col in ("sector", "statute", "sex"):
        df[col] = df[col].astype("Int64")
    df["_mode"] = df["_mode"].astype("category")
    scored_file = layout.stage_file(run, "score", layout.SCORED)
    df.reset_index(drop=True).to_parquet(scored_file, compression="gzip", row_group_size=500)
    # as if the score stage had written it this way: the manifest records these bytes (a file
    # changed behind the manifest's back is refused, pipeline.rundata.verify)
    manifest = json.loads(layout.manifest_path(run).read_text(encoding="utf-8"))
    for out in manifest["stages"]["score"]["outputs"]:
        if out["path"] == layout.relative("score", layout.SCORED):
            out.update(sha256=sha256_file(scored_file), bytes=scored_file.stat().st_size)
    layout.manifest_path(run).write_text(json.dumps(manifest), encoding="utf-8")
    assert load_run(run).data_version == load_run(small_run_dir).data_version
    changed = scored.copy()
    i = int(np.flatnonzero(changed["pv01"].notna().to_numpy())[0])
    changed.loc[changed.index[i], "pv01"] = 3 - changed["pv01"].iloc[i]
    assert data_version(changed) != data_version(scored)


# ------------------------------------------------------------------ finding 1 (part): raw items


@pytest.mark.parametrize(
    "where", [{"rows": "pv01"}, {"filters": [{"variable": "pv03", "levels": [1]}]}]
)
def test_raw_items_are_no_breakdowns_unless_the_policy_lists_them(
    run_copy, tmp_path, where, policy_ledger
):
    req = request_file(tmp_path, columns=None, indicators=["werkstress"], **where)
    with pytest.raises(SpecError) as err:
        make_table(req, [run_copy], tmp_path / "o")
    assert [p.code for p in err.value.problems] == ["raw_item_not_allowed"]
    assert ledger_entries(policy_ledger) == []
    from ..publisher_helpers import make_publisher

    allowing = make_publisher(tmp_path / "pub", breakdowns_allowed=["pv01", "pv03"])
    assert make_table(req, [run_copy], tmp_path / "o", policy=allowing).decision != "refuse"
