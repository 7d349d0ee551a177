"""``wbm benchmark`` under the publisher's policy (review finding 5 of issue 13: every figure a report
publishes is a logged public release). Under ``protect_reports: true`` the sector's figures are its
run's report figures (protected and logged as ``wbm report`` does: a re-issue after the reports),
the benchmark's are cells of the main wave (the group and its crossed cells by the reweighting
variables, protected and logged in the main wave's ledger; :mod:`pipeline.tables.sectorfigures`);
what is not released is a dash and absent from the CSV; a later table that differs from the
benchmark group by a few respondents is suppressed. With ``protect_reports: false`` the report is
what it always was."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from pipeline.reports.estimates import DASH_PROTECTED
from pipeline.reports.sectoral import (
    BENCHMARK_SUPPRESSED,
    DASH,
    FILENAME,
    benchmark_report,
    compare_runs,
    render_benchmark_report,
)
from pipeline.tables.api import make_table

from ..publisher_helpers import make_publisher
from ..reports.dutch_spelling import html_text, unknown_words
from ..tables.tables_helpers import csv_rows, ledger_entries, request_file

MAIN_INVITED = 13_000  # about 2,900 respondents: some 170 in PC 126's benchmark group
SECTOR_INVITED = 6_000  # about 1,250 respondents
BENCH_LABEL = "wbm-werknemers-2023-benchmark-pc126"
SECTOR_LABEL = "wbm-pc126-2025-rapport"
NAME = f"{FILENAME}-pc126"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(sector run, main run), both up to the estimates."""
    from pipeline.runner import Run, RunConfig, run_stages
    from pipeline.synth.wave import generate_wave

    base = tmp_path_factory.mktemp("bench")
    stages = ("validate", "weight", "score", "estimate")
    generate_wave(base / "mwave", size=MAIN_INVITED, seed=2023)
    run_stages(Run(base / "main", RunConfig.from_wave_dir(base / "mwave")), stages)
    generate_wave(base / "swave", size=SECTOR_INVITED, seed=126, questionnaire="pc126")
    run_stages(Run(base / "sector", RunConfig.from_wave_dir(base / "swave")), stages)
    return base / "sector", base / "main"


@pytest.fixture(scope="module")
def plain(runs) -> pd.DataFrame:
    """The comparison as computed (no protection), by indicator."""
    sector, main = runs
    return compare_runs(sector, main, "pc126").table.set_index("indicator")


def _publisher(directory: Path, **tables: object) -> Path:
    return make_publisher(directory, protect_reports=True, **tables)


@dataclass(frozen=True)
class Published:
    """The reference thresholds as a publisher goes: the sector run's reports (``wbm report``'s
    protection, logged), then the benchmark. ``after_report`` and ``after_benchmark`` are the
    publisher's directory after each step (read only: a test that publishes more copies one,
    :func:`_copy`); ``out`` the benchmark's HTML and CSV."""

    after_report: Path
    after_benchmark: Path
    out: Path


@pytest.fixture(scope="module")
def published(runs, tmp_path_factory: pytest.TempPathFactory) -> Published:
    """The protection of the sector's figures and of the benchmark run once for the tests that use
    the reference thresholds (each run takes minutes)."""
    from pipeline.commands.report import _protected
    from pipeline.rundata import layout

    sector, main = runs
    base = tmp_path_factory.mktemp("published")
    policy = _publisher(base / "pub")
    est = pd.read_parquet(layout.stage_file(sector, "estimate", layout.ESTIMATES))
    _protected(est, sector, str(policy), 30, 50)
    shutil.copytree(base / "pub", base / "after-report")
    benchmark_report(sector, main, "pc126", out_dir=base / "out", policy=policy)
    return Published(base / "after-report", base / "pub", base / "out")


def _copy(publisher: Path, to: Path) -> Path:
    """A copy of a publisher's directory (policy, registry, ledger); returns its policy file."""
    shutil.copytree(publisher, to)
    return to / "policy.yaml"


def _outputs(out: Path) -> tuple[str, pd.DataFrame]:
    html = (out / f"{NAME}.html").read_text(encoding="utf-8")
    return html, pd.read_csv(out / f"{NAME}.csv").set_index("indicator")


def _row_cells(html: str, indicator: str) -> list[str]:
    row = html.split(f'<tr data-indicator="{indicator}">')[1].split("</tr>")[0]
    return [c.strip() for c in re.findall(r'<td class="num">([^<]*)', row)]


def _pct(x: float) -> str:
    return f"{x * 100:.1f}".replace(".", ",")


def test_without_protect_reports_the_report_is_what_it_was(runs, tmp_path):
    """The unprotected path: the CSV is the comparison as computed, the HTML the page rendered
    from it as before (composition included), and nothing is logged."""
    from pipeline.estimation.api import to_csv_text
    from pipeline.reports.rundir import context_from_run
    from pipeline.rundata.read import own_questionnaire, run_manifest

    sector, main = runs
    policy = make_publisher(tmp_path / "pub", protect_reports=False)
    benchmark_report(sector, main, "pc126", out_dir=tmp_path / "out", policy=policy)
    result = compare_runs(sector, main, "pc126")
    q = own_questionnaire(sector, run_manifest(sector))
    want = render_benchmark_report(
        result,
        q,
        context=context_from_run(sector, q),
        main_wave=own_questionnaire(main, run_manifest(main)).study.wave,
    )
    assert (tmp_path / "out" / f"{NAME}.html").read_text(encoding="utf-8") == want
    assert (tmp_path / "out" / f"{NAME}.csv").read_text(encoding="utf-8") == to_csv_text(
        result.table
    )
    assert "Benchmark vóór herweging" in want and "withheld-note" not in want
    assert ledger_entries(tmp_path / "pub" / "ledger") == []


def test_under_the_policy_the_benchmark_logs_its_releases(runs, plain, tmp_path):
    """Thresholds low enough for every crossed cell of the group: the reweighted benchmark is
    shown, the main wave's ledger holds the benchmark's tables (the group among them, with the n
    the CSV gives), the sector run's ledger the sector's report figures; a rerun logs nothing new
    and writes the same bytes."""
    sector, main = runs
    policy = _publisher(tmp_path / "pub", min_n_percent=5, unreliable_below=10)
    ledger = tmp_path / "pub" / "ledger"
    benchmark_report(sector, main, "pc126", out_dir=tmp_path / "a", policy=policy)
    entries = ledger_entries(ledger)
    assert sorted(e["label"] for e in entries) == sorted([BENCH_LABEL, SECTOR_LABEL])
    assert {e["requester"] for e in entries} == {"public"}
    html, csv = _outputs(tmp_path / "a")
    bench = next(e for e in entries if e["label"] == BENCH_LABEL)
    ww = [c for c in bench["cells"] if c["measure"] == "werkbaar_werk"]
    group = max(ww, key=lambda c: c["n"])  # the group: the table's grand total
    assert group["status"] in ("ok", "unreliable")
    assert int(csv.loc["werkbaar_werk", "n_benchmark"]) == group["n"]
    assert all(c["status"] in ("ok", "unreliable") for c in ww if c["n"] > 0)
    shown = csv["estimate_benchmark"].notna()
    assert shown.any()
    for ind in csv.index[shown]:
        assert csv.loc[ind, "estimate_benchmark"] == pytest.approx(
            plain.loc[ind, "estimate_benchmark"]
        )
        assert csv.loc[ind, "p_value"] == pytest.approx(plain.loc[ind, "p_value"])
    assert _pct(csv.loc["werkbaar_werk", "estimate_benchmark"]) in _row_cells(html, "werkbaar_werk")
    # the composition (weighted shares of groups no release holds) is left out, and said so
    assert "Benchmark vóór herweging" not in html and "withheld-note" in html
    before = {p.name: p.read_bytes() for p in sorted(ledger.glob("*/tables.jsonl"))}
    benchmark_report(sector, main, "pc126", out_dir=tmp_path / "b", policy=policy)
    assert {p.name: p.read_bytes() for p in sorted(ledger.glob("*/tables.jsonl"))} == before
    for suffix in (".html", ".csv"):
        assert (tmp_path / "a" / f"{NAME}{suffix}").read_bytes() == (
            tmp_path / "b" / f"{NAME}{suffix}"
        ).read_bytes()


def test_after_the_sector_report_the_sector_figures_are_a_re_issue(published):
    """``wbm report``'s protection of the sector run first (its figures logged), then the
    benchmark: the sector's ledger gets nothing new (same release), the main wave's one release."""
    first = ledger_entries(published.after_report / "ledger")
    assert [e["label"] for e in first] == [SECTOR_LABEL]
    after = ledger_entries(published.after_benchmark / "ledger")
    assert [e["label"] for e in after if e["label"] == SECTOR_LABEL] == [SECTOR_LABEL]
    assert [e for e in after if e["label"] == SECTOR_LABEL] == first
    assert [e["label"] for e in after if e["label"] != SECTOR_LABEL] == [BENCH_LABEL]
    assert (published.out / f"{NAME}.html").exists() and (published.out / f"{NAME}.csv").exists()


def test_a_benchmark_group_under_the_threshold_is_a_dash(runs, plain, tmp_path):
    """A policy whose minimum for a percentage is above the group's size (some 170): every
    benchmark figure, difference and p-value is a dash in the HTML and empty in the CSV; the
    sector's own figures (some 1,250 respondents) are shown."""
    sector, main = runs
    n_group = int(plain["n_benchmark"].max())
    policy = _publisher(tmp_path / "pub", min_n_percent=n_group + 1, unreliable_below=n_group + 2)
    benchmark_report(sector, main, "pc126", out_dir=tmp_path / "out", policy=policy)
    html, csv = _outputs(tmp_path / "out")
    hidden = [
        "n_benchmark",
        "estimate_benchmark",
        "ci_low_benchmark",
        "ci_high_benchmark",
        "se_benchmark",
        "estimate_benchmark_unadjusted",
        "diff",
        "diff_se",
        "p_value",
    ]
    assert csv[hidden].isna().all().all()
    assert not csv["significant"].any()
    assert csv["estimate"].notna().all()
    assert all(BENCHMARK_SUPPRESSED in str(f).split(";") for f in csv["flags"])
    for ind in plain.index:
        cells = _row_cells(html, ind)
        # sector, its CI, benchmark, its CI, difference, p-value, benchmark not reweighted
        assert cells[0] == _pct(plain.loc[ind, "estimate"])
        assert cells[2:] == [DASH] * 5, (ind, cells)
    text = html_text(html)
    for ind in ("werkbaar_werk", "werkstress"):
        for col in ("estimate_benchmark", "estimate_benchmark_unadjusted"):
            assert _pct(plain.loc[ind, col]) not in _row_cells(html, ind)
    n_ww = int(plain.loc["werkbaar_werk", "n_benchmark"])
    assert f"benchmark {n_ww}" not in text and "benchmark –" in text  # nor the group's n
    # the legend gives a dash's true reason: the engine may hide a figure to protect another one
    assert f"Een streepje: {DASH_PROTECTED}." in text
    assert "te weinig antwoorden om te publiceren" not in text


def test_a_table_isolating_part_of_the_benchmark_group_is_suppressed(
    runs, plain, published, tmp_path
):
    """The differencing attack: the benchmark published (its group released), then a table on the
    main wave of the same group without its youngest age band (fewer respondents than the
    threshold): that table's figure would give the youngest's share by subtraction, so it is
    suppressed. The controls: on a history without the benchmark (empty, or the sector's report
    figures only) the same table is released."""
    _sector, main = runs
    from pipeline.rundata import layout

    scored = pd.read_parquet(layout.stage_file(main, "score", layout.SCORED))
    group = (scored["statute"] == 1) & scored["sector"].isin([1, 2, 3, 4])
    group &= scored["sex"].isin([1, 2]) & scored["age_band"].isin([1, 2, 3, 4, 5])
    young = int((group & (scored["age_band"] == 1) & scored["werkbaar_werk"].notna()).sum())
    assert 0 < young < 30  # the part the attack isolates is under the percentage threshold
    filters = [
        {"variable": "statute", "levels": [1]},
        {"variable": "sector", "levels": [1, 2, 3, 4]},
        {"variable": "sex", "levels": [1, 2]},
        {"variable": "age_band", "levels": [2, 3, 4, 5]},
    ]
    req = request_file(
        tmp_path / "req",
        indicators=["werkbaar_werk"],
        rows=None,
        columns=None,
        filters=filters,
        statistics=["percent", "ci", "n"],
    )
    control = _publisher(tmp_path / "control")
    out = make_table(req, [main], tmp_path / "control-out", policy=control)
    assert out.decision == "release", out.release.reasons
    # nor do the sector's report figures stop it: the same history up to the benchmark
    control = _copy(published.after_report, tmp_path / "control-report")
    out = make_table(req, [main], tmp_path / "control-report-out", policy=control)
    assert out.decision == "release", out.release.reasons
    _html, csv = _outputs(published.out)
    assert csv.loc["werkbaar_werk", "n_benchmark"] == plain.loc["werkbaar_werk", "n_benchmark"]
    policy = _copy(published.after_benchmark, tmp_path / "pub")
    out = make_table(req, [main], tmp_path / "attack-out", policy=policy)
    assert out.decision == "suppress", out.release.reasons
    assert [r["flag"] for r in csv_rows(out.files[1])] == ["suppressed"]


def test_the_protected_reports_notes_are_dutch(published):
    html, _ = _outputs(published.out)
    notes = " ".join(re.findall(r'<p class="withheld-note">(.*?)</p>', html))
    assert "openbaarmakingsbeleid" in notes
    assert unknown_words(html_text(f'<html lang="nl"><body><p>{notes}</p></body></html>')) == {}
