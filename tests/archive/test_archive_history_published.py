"""The synthetic history under a publisher that protects the reports' figures (issue 13, finding 5):
each past wave's report figures are published (protected, logged on its data version), so a later
wave's trend, which shows an earlier wave's figure only where that wave's ledger released it, has
numbers for the past waves; without the policy nothing is logged (as before)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from pipeline.archive.api import open_archive
from pipeline.history import build_history
from pipeline.rundata import layout
from pipeline.sdc.publisher import publisher
from pipeline.tables.figures import published_cells, released_in_ledger


def _shown(policy: Path, run: Path, data_version: str) -> pd.DataFrame:
    est = pd.read_parquet(layout.stage_file(run, "estimate", layout.ESTIMATES))
    return released_in_ledger(est, publisher(str(policy)), data_version)


def _headline(shown: pd.DataFrame) -> float:
    row = shown[(shown["indicator"] == "werkbaar_werk") & (shown["by"].fillna("") == "")]
    return float(row["estimate"].iloc[0])


def test_past_waves_are_published_only_under_protected_reports(
    policy_file: Path, tmp_path: Path
) -> None:
    plain = build_history(tmp_path / "plain", years=(2019,), scale=0.1, policy=policy_file)
    (wave,) = plain.waves
    (rec,) = open_archive(plain.archive).records
    assert published_cells(publisher(str(policy_file)), rec.data_version) == {}  # nothing logged
    assert pd.isna(_headline(_shown(policy_file, wave.run_dir, rec.data_version)))  # a dash

    data = yaml.safe_load(policy_file.read_text(encoding="utf-8"))
    data["protect_reports"] = True
    policy_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    prot = build_history(tmp_path / "protected", years=(2019,), scale=0.1, policy=policy_file)
    (wave,) = prot.waves
    (rec2,) = open_archive(prot.archive).records
    assert rec2.data_version == rec.data_version  # the same synthetic wave
    assert published_cells(publisher(str(policy_file)), rec.data_version)
    shown = _shown(policy_file, wave.run_dir, rec.data_version)
    est = pd.read_parquet(layout.stage_file(wave.run_dir, "estimate", layout.ESTIMATES))
    assert _headline(shown) == _headline(est)  # Flanders' headline: released, its number


def test_the_datatool_checks_a_past_wave_against_its_report_figures(
    policy_file: Path, tmp_path: Path, small_run_dir: Path
) -> None:
    """The past waves' figures are logged under the wave's own names (2019's ``geslacht``,
    ``leeftijdsgroep``), the datatool computes on the series' current names (2023's ``sex``,
    ``age_band``): its check against them reads the wave's own data (before, the demo's datatool
    stopped with ``cell_unknown_variable``)."""
    from pipeline.archive.store import add_run
    from pipeline.datatool.precompute import build_release

    data = yaml.safe_load(policy_file.read_text(encoding="utf-8"))
    data["protect_reports"] = True
    policy_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    built = build_history(tmp_path / "h", years=(2019,), scale=0.1, policy=policy_file)
    add_run(built.archive, small_run_dir)  # the 2023 wave: the series' current names
    archive = open_archive(built.archive)
    rec = next(r for r in archive.records if r.year == 2019)
    logged = published_cells(publisher(str(policy_file)), rec.data_version)
    assert any("leeftijdsgroep" in str(k) for k in logged)  # the wave's own name
    series = archive.series_containing(rec.id)
    assert series is not None
    release = build_release(
        archive,
        publisher(str(policy_file)),
        series=[series],
        waves=[2019],
        indicators=["werkbaar_werk"],
        breakdowns=["sector", "age_band"],
    )
    assert release.cells
