"""Every wave's fieldwork in the archive (the optional ``fieldwork`` role: the run's
``01_validate/diagnostics.json``) and in the reports' fieldwork table: each wave's number invited,
usable responses (per mode) and response rate equal to that wave's own validation diagnostics; a
wave archived before the role existed still opens and shows dashes, said in the report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.archive import layout as L
from pipeline.archive.api import open_archive
from pipeline.archive.store import add_run, check_archive, export_wave
from pipeline.fileio import dumps_json
from pipeline.rundata import layout

from .archive_helpers import sha

FIELDWORK = L.RUN_PATH["fieldwork"]
MODES_NL = {"paper": "papier", "web": "web (online)", "cati": "telefonisch (CATI)"}


def _diagnostics(run: Path) -> dict:
    return json.loads((run / FIELDWORK).read_text(encoding="utf-8"))


def _count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _pct(x: float) -> str:
    return f"{100 * x:.1f}".replace(".", ",")


def _drop_fieldwork(archive: Path, study: str) -> None:
    """Make a wave look archived before the fieldwork role existed (its record without it)."""
    base = L.wave_dir(archive, study)
    rec = json.loads((base / L.WAVE_FILE).read_text(encoding="utf-8"))
    rec["files"] = [f for f in rec["files"] if f["role"] != "fieldwork"]
    (base / FIELDWORK).unlink()
    (base / L.WAVE_FILE).write_text(dumps_json(rec), encoding="utf-8")


@pytest.mark.parametrize("study", ["wbm-werknemers-2019", "wbm-werknemers-2023"])
def test_fieldwork_is_archived_and_round_trips(
    two_waves: Path, run_2019: Path, run_2023: Path, tmp_path: Path, study: str
) -> None:
    run = run_2019 if study.endswith("2019") else run_2023
    a = open_archive(two_waves)
    rec = next(w for w in a.records if w.id == study)
    stored = rec.file("fieldwork")
    assert stored is not None and stored.path == layout.relative("validate", layout.DIAGNOSTICS)
    assert stored.sha256 == sha(run / FIELDWORK)
    export_wave(two_waves, study, tmp_path / "out")
    assert sha(tmp_path / "out" / FIELDWORK) == sha(run / FIELDWORK)
    counts = a.fieldwork(study)
    diag = _diagnostics(run)
    assert counts is not None
    assert counts.invited == diag["frame"]["invited"] > 0
    assert counts.responded == diag["totals"]["accepted"] > 0
    assert dict(counts.by_mode) == diag["frame"]["by_mode"]
    assert sum(n for _m, n in counts.by_mode) == counts.responded


def test_the_two_waves_have_their_own_fieldwork(two_waves: Path) -> None:
    a = open_archive(two_waves)
    c19, c23 = a.fieldwork("wbm-werknemers-2019"), a.fieldwork("wbm-werknemers-2023")
    assert c19 is not None and c23 is not None and c19 != c23


def test_a_wave_archived_without_fieldwork_opens_and_can_be_completed(
    archive_copy: Path, run_2019: Path
) -> None:
    study = "wbm-werknemers-2019"
    _drop_fieldwork(archive_copy, study)
    assert check_archive(archive_copy).problems == ()
    a = open_archive(archive_copy)
    assert a.fieldwork(study) is None
    assert a.fieldwork("wbm-werknemers-2023") is not None
    # the same run again is the same wave: the missing optional file does not make it another
    assert add_run(archive_copy, run_2019).status == "unchanged"
    assert open_archive(archive_copy).fieldwork(study) is None
    # --replace archives it with the file (the old copy kept in superseded/)
    assert add_run(archive_copy, run_2019, replace=True).status == "replaced"
    assert open_archive(archive_copy).fieldwork(study) is not None
    assert any((archive_copy / L.SUPERSEDED_DIR).iterdir())
    assert check_archive(archive_copy).problems == ()


def _fieldwork_cells(html: str) -> dict[tuple[str, str], dict[str, str]]:
    part = html[html.index("<h3>Veldwerk</h3>") : html.index("<h3>Weging</h3>")]
    rows = re.findall(
        r'<tr(?: class="total")? data-wave="(\d+)"><th scope="row">([^<]+)</th>'
        r"((?:<td[^>]*>[^<]*</td>)+)</tr>",
        part,
    )
    return {
        (wave, label): dict(re.findall(r'data-fieldwork="(\w+)">([^<]*)</td>', tds))
        for wave, label, tds in rows
    }


def _sector_report(archive: Path, run: Path, tmp_path: Path) -> str:
    from pipeline.reports.batch import plan_reports, render_reports
    from pipeline.reports.rundir import load_run
    from pipeline.reports.trend import with_trend

    inp = load_run(run)
    q = inp.questionnaire
    ctx = with_trend(inp.context, archive, run, q)
    jobs = [j for j in plan_reports(q, all_groups=True) if j.code == 3]
    (path,) = render_reports(inp.estimates, q, tmp_path, jobs, context=ctx, formats=("html",))
    return path.read_text(encoding="utf-8")


def test_report_shows_every_waves_fieldwork_equal_to_its_diagnostics(
    two_waves: Path, run_2019: Path, run_2023: Path, tmp_path: Path
) -> None:
    html = _sector_report(two_waves, run_2023, tmp_path)
    got = _fieldwork_cells(html)
    for wave, run in (("2019", run_2019), ("2023", run_2023)):
        diag = _diagnostics(run)
        invited, accepted = diag["frame"]["invited"], diag["totals"]["accepted"]
        assert got[(wave, f"meting {wave}, totaal")] == {
            "invited": _count(invited),
            "responded": _count(accepted),
            "rate": _pct(accepted / invited),
        }
        modes = diag["frame"]["by_mode"]
        assert len(modes) >= 2
        for mode, n in modes.items():
            assert got[(wave, MODES_NL[mode])] == {
                "invited": "",
                "responded": _count(n),
                "rate": _pct(n / invited),
            }
    assert len(got) == sum(
        len(_diagnostics(r)["frame"]["by_mode"]) + 1 for r in (run_2019, run_2023)
    )
    part = html[html.index("<h3>Veldwerk</h3>") : html.index("<h3>Weging</h3>")]
    assert "Veldwerk per meting" in part and "Meting 2019</th>" in part
    assert "geen veldwerkgegevens" not in part and "Alleen de meting" not in part


def test_report_says_a_wave_without_archived_fieldwork(
    archive_copy: Path, run_2023: Path, tmp_path: Path
) -> None:
    _drop_fieldwork(archive_copy, "wbm-werknemers-2019")
    html = _sector_report(archive_copy, run_2023, tmp_path)
    got = _fieldwork_cells(html)
    assert got[("2019", "meting 2019, totaal")] == {"invited": "–", "responded": "–", "rate": "–"}
    assert [k for k in got if k[0] == "2019"] == [("2019", "meting 2019, totaal")]
    diag = _diagnostics(run_2023)
    assert got[("2023", "meting 2023, totaal")]["invited"] == _count(diag["frame"]["invited"])
    part = html[html.index("<h3>Veldwerk</h3>") : html.index("<h3>Weging</h3>")]
    assert "Voor de meting 2019 bewaart het archief geen veldwerkgegevens" in part
