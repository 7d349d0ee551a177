"""The archive's guarantees: idempotent add, byte-identical round trip, nothing lost, damage reported
with the file and the fix."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.archive import layout as L
from pipeline.archive.store import (
    ArchiveError,
    add_run,
    check_archive,
    export_wave,
    list_waves,
    repair_archive,
)
from pipeline.cli import cli
from pipeline.errors import PipelineError, UsageError

from .archive_helpers import ESTIMATES, RUN_FILES, SCORED, copy_run, earlier_run, sha, tree_hashes


def test_both_waves_are_archived_with_design_and_questionnaire(two_waves: Path) -> None:
    state = check_archive(two_waves)
    assert state.problems == ()
    assert [w.id for w in state.waves] == ["wbm-werknemers-2019", "wbm-werknemers-2023"]
    w23 = state.wave("wbm-werknemers-2023")
    assert w23 is not None and w23.questionnaire.previous == "wbm-werknemers-2019"
    design = json.loads((L.wave_dir(two_waves, w23.id) / L.DESIGN_FILE).read_text())
    margins = [m["variables"] for m in design["calibration"]["margins"]]
    assert margins == [["sex"], ["age_band"], ["sector"], ["statute"], ["province"]]
    assert design["calibration"]["method"] == "raking"
    # the 2019 wave's design is in its own names
    d19 = json.loads((L.wave_dir(two_waves, "wbm-werknemers-2019") / L.DESIGN_FILE).read_text())
    assert [m["variables"] for m in d19["calibration"]["margins"]][0] == ["geslacht"]


@pytest.mark.parametrize("study", ["wbm-werknemers-2019", "wbm-werknemers-2023"])
def test_round_trip_is_byte_identical(
    two_waves: Path, run_2019: Path, run_2023: Path, tmp_path: Path, study: str
) -> None:
    run = run_2019 if study.endswith("2019") else run_2023
    written = export_wave(two_waves, study, tmp_path / "out")
    for rel in RUN_FILES:
        if not (run / rel).is_file():  # an optional file the run does not have (shown: protected)
            assert not (tmp_path / "out" / rel).exists(), rel
            continue
        assert sha(tmp_path / "out" / rel) == sha(run / rel), rel
    from pipeline.questionnaire.load import resolve

    qfile = tmp_path / "out" / f"{study}.yaml"
    assert qfile in written and sha(qfile) == sha(resolve(study))


def test_adding_the_same_run_again_changes_nothing(archive_copy: Path, run_2023: Path) -> None:
    before = tree_hashes(archive_copy)
    res = add_run(archive_copy, run_2023)
    assert res.status == "unchanged"
    assert tree_hashes(archive_copy) == before


def test_other_data_for_an_archived_wave_needs_replace_and_keeps_the_old(
    archive_copy: Path, run_2023: Path, tmp_path: Path
) -> None:
    import pandas as pd

    from pipeline.fileio import write_parquet

    from .archive_helpers import SCORED, _record_outputs

    run = copy_run(run_2023, tmp_path / "rerun")
    scored = pd.read_parquet(run / SCORED)
    write_parquet(run / SCORED, scored.iloc[:-1])
    _record_outputs(run)
    before = tree_hashes(archive_copy)
    with pytest.raises(UsageError) as e:
        add_run(archive_copy, run)
    assert e.value.code == "archive_wave_exists"
    assert "--replace" in (e.value.problems[0].hint or "")
    assert tree_hashes(archive_copy) == before
    res = add_run(archive_copy, run, replace=True)
    assert res.status == "replaced"
    kept = list((archive_copy / L.SUPERSEDED_DIR).iterdir())
    assert len(kept) == 1 and kept[0].name.startswith("wbm-werknemers-2023@")
    assert sha(kept[0] / SCORED) == sha(run_2023 / SCORED)
    assert check_archive(archive_copy).problems == ()


def test_a_changed_wave_file_is_reported_and_blocks_changes(
    archive_copy: Path, run_2019: Path
) -> None:
    target = L.wave_dir(archive_copy, "wbm-werknemers-2019") / ESTIMATES
    data = bytearray(target.read_bytes())
    data[100] ^= 0xFF
    target.write_bytes(bytes(data))
    state = check_archive(archive_copy)
    assert len(state.problems) == 1
    p = state.problems[0]
    assert p.file == str(target) and "--replace" in (p.hint or "")
    assert [w.id for w in state.waves] == ["wbm-werknemers-2023"]  # the intact wave is still read
    before = tree_hashes(archive_copy)
    with pytest.raises(ArchiveError) as e:
        add_run(archive_copy, run_2019)
    assert "nothing was added" in e.value.message
    assert tree_hashes(archive_copy) == before
    # --replace from the run restores it, the damaged copy is kept
    with pytest.raises(ArchiveError):
        add_run(archive_copy, run_2019, replace=True)  # damage blocks every change, also a replace


def test_a_damaged_record_or_archive_file_is_located(archive_copy: Path) -> None:
    rec = L.wave_dir(archive_copy, "wbm-werknemers-2023") / L.WAVE_FILE
    rec.write_text('{"kind": "wbm-archive-wave", ', encoding="utf-8")
    state = list_waves(archive_copy)
    assert [p.file for p in state.problems] == [str(rec)]
    (archive_copy / L.ARCHIVE_FILE).write_text("not json", encoding="utf-8")
    with pytest.raises(ArchiveError) as e:
        list_waves(archive_copy)
    assert e.value.problems[0].file == str(archive_copy / L.ARCHIVE_FILE)
    assert "--repair" in (e.value.problems[0].hint or "")


def test_views_are_derived_and_repaired_without_touching_waves(archive_copy: Path) -> None:
    waves_before = tree_hashes(archive_copy / L.WAVES_DIR)
    views_before = tree_hashes(archive_copy / L.VIEWS_DIR)
    (archive_copy / L.VIEWS_DIR / "wbm-werknemers" / L.ESTIMATES_VIEW).unlink()
    (archive_copy / L.ARCHIVE_FILE).unlink()
    with pytest.raises(ArchiveError):
        check_archive(archive_copy)
    assert repair_archive(archive_copy) == ("wbm-werknemers",)
    assert check_archive(archive_copy).problems == ()
    assert tree_hashes(archive_copy / L.WAVES_DIR) == waves_before
    assert tree_hashes(archive_copy / L.VIEWS_DIR) == views_before  # rebuilt byte for byte


def test_not_a_run_and_a_changed_run_file_are_located(tmp_path: Path, run_2023: Path) -> None:
    with pytest.raises(PipelineError) as e:
        add_run(tmp_path / "a", tmp_path)
    assert e.value.code == "archive_bad_run"
    assert any("scored.parquet" in (p.file or "") for p in e.value.problems)
    run = copy_run(run_2023, tmp_path / "run")
    (run / ESTIMATES).write_bytes(b"PAR1")
    with pytest.raises(UsageError) as e2:
        add_run(tmp_path / "a", run)
    assert e2.value.problems[0].file == str(run / ESTIMATES)
    assert not (tmp_path / "a" / L.WAVES_DIR).exists()


def test_a_series_cannot_fork(archive_copy: Path, run_2023: Path, tmp_path: Path) -> None:
    """A second wave following the same previous wave is refused (its series would fork)."""
    from pipeline.questionnaire.dump import save_questionnaire
    from pipeline.questionnaire.load import load_questionnaire

    from .archive_helpers import rewrite_questionnaire

    q = load_questionnaire("wbm-werknemers-2023")
    other = q.model_copy(
        update={"study": q.study.model_copy(update={"id": "wbm-werknemers-2023b", "wave": 2024})}
    )
    path = save_questionnaire(other, tmp_path / "wbm-werknemers-2023b.yaml")
    run = copy_run(run_2023, tmp_path / "fork")
    rewrite_questionnaire(run, str(path))
    before = tree_hashes(archive_copy)
    with pytest.raises(UsageError) as e:
        add_run(archive_copy, run)
    assert e.value.code == "archive_series_fork"
    assert tree_hashes(archive_copy) == before


def test_cli_add_list_check_export(run_2023: Path, run_2019: Path, tmp_path: Path) -> None:
    root = tmp_path / "cli-archive"
    r = CliRunner().invoke(
        cli, ["archive", "add", str(run_2019), str(run_2023), "--archive", str(root)]
    )
    assert r.exit_code == 0, r.output
    assert "wbm-werknemers-2019: added" in r.output and "series wbm-werknemers" in r.output
    r = CliRunner().invoke(cli, ["archive", "add", str(run_2023), "--archive", str(root)])
    assert "already archived, unchanged" in r.output
    r = CliRunner().invoke(cli, ["archive", "list", "--archive", str(root)])
    assert r.exit_code == 0 and "2019  wbm-werknemers-2019" in r.output
    r = CliRunner().invoke(cli, ["archive", "list", "--archive", str(root), "--json"])
    data = json.loads(r.output)
    assert [w["year"] for w in data["series"]["wbm-werknemers"]] == [2019, 2023]
    r = CliRunner().invoke(cli, ["archive", "check", "--archive", str(root)])
    assert r.exit_code == 0 and "every file intact" in r.output
    r = CliRunner().invoke(
        cli,
        [
            "archive",
            "export",
            "wbm-werknemers-2023",
            "--archive",
            str(root),
            "--out",
            str(tmp_path / "x"),
        ],
    )
    assert r.exit_code == 0 and sha(tmp_path / "x" / SCORED) == sha(run_2023 / SCORED)


def test_cli_damage_exit_code_and_message(archive_copy: Path) -> None:
    from pipeline.cli import main

    f = L.wave_dir(archive_copy, "wbm-werknemers-2023") / SCORED
    shutil.copyfile(L.wave_dir(archive_copy, "wbm-werknemers-2019") / SCORED, f)
    with pytest.raises(SystemExit) as e:
        main(["archive", "check", "--archive", str(archive_copy)])
    assert e.value.code == 3


def test_earlier_run_helper_keeps_numbers(run_2019: Path, other_run: Path) -> None:
    """The helper's 2019 run holds the other run's numbers under the 2019 names (a premise of the
    tests)."""
    import pandas as pd

    a = pd.read_parquet(other_run / ESTIMATES)
    b = pd.read_parquet(run_2019 / ESTIMATES)
    x = a[(a["indicator"] == "werkstress") & (a["by"] == "sector")]["estimate"].to_numpy()
    y = b[(b["indicator"] == "stress") & (b["by"] == "sector")]["estimate"].to_numpy()
    assert len(x) == 16 and (x == y).all()
    assert earlier_run is not None


def test_a_wave_that_joins_two_series_refreshes_every_view(
    tmp_path: Path, run_2019: Path, run_2023: Path
) -> None:
    """2023 maps to 2019 and 2019 to 2016: with 2016 and 2023 archived they are two series (2019
    missing); adding 2019 joins them into one, and no stale view stays behind."""
    from .archive_helpers import rewrite_questionnaire

    run16 = copy_run(run_2019, tmp_path / "r16")
    rewrite_questionnaire(run16, "wbm-werknemers-2016")
    root = tmp_path / "archive"
    add_run(root, run16)
    add_run(root, run_2023)
    assert sorted(p.name for p in (root / L.VIEWS_DIR).iterdir()) == [
        "wbm-werknemers",
        "wbm-werknemers-2016",
    ]
    assert check_archive(root).problems == ()
    add_run(root, run_2019)
    assert [p.name for p in (root / L.VIEWS_DIR).iterdir()] == ["wbm-werknemers"]
    state = check_archive(root)
    assert state.problems == () and len(state.waves) == 3


def test_the_archived_design_is_the_runs_recorded_calibration_model(
    two_waves: Path, run_2023: Path
) -> None:
    """Issue 16: the archive estimates with the model the weight stage recorded, and its design gives
    the run's own standard errors."""
    import pandas as pd

    from pipeline.archive.api import make_design
    from pipeline.archive.records import DesignModel
    from pipeline.estimation.api import estimate_table

    w = L.wave_dir(two_waves, "wbm-werknemers-2023")
    design = DesignModel.model_validate_json((w / L.DESIGN_FILE).read_text())
    assert design.calibration is not None and design.calibration.levels_as_used
    model = L.RUN_PATH["calibration"]
    assert design.source == model
    assert (w / model).read_bytes() == (run_2023 / model).read_bytes()
    scored = pd.read_parquet(w / SCORED)
    est = pd.read_parquet(w / ESTIMATES)
    row = est[(est["by"] == "sector")].iloc[0]
    ours = estimate_table(scored, make_design(scored, design), [row["indicator"]], ["sector"])
    mine = ours[(ours["by"] == "sector") & (ours["level"] == row["level"])].iloc[0]
    assert mine["se"] == pytest.approx(row["se"], rel=1e-9)
