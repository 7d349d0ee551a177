"""``wbm report`` on a run directory: which files come out, what the context says, the same bytes
with one or two worker processes, and clear errors (never a traceback) for user mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.rundata import layout

from .reports_fixtures import SUPPRESSED_GROUP, oe_table, wbm_table


def make_run(root: Path, table: pd.DataFrame, qid: str | None, *, csv: bool = False) -> Path:
    run = root / "run"
    (layout.stage_dir(run, "estimate")).mkdir(parents=True)
    if csv:
        table.to_csv(layout.stage_file(run, "estimate", layout.ESTIMATES_CSV), index=False)
    else:
        table.to_parquet(layout.stage_file(run, "estimate", layout.ESTIMATES))
    if qid is not None:
        manifest = {
            "kind": "wbm-run-manifest",
            "specs": [{"path": f"{qid}.yaml", "role": "questionnaire", "id": qid}],
            "parameters": {"min_n": 30, "min_n_reliable": 50},
            "stages": {
                "validate": {
                    "rows": {
                        "accepted": 2400,
                        "per_input": [
                            {"file": "paper_keyed.csv", "mode": "paper", "accepted": 812},
                            {"file": "web_export.sav", "mode": "web", "accepted": 1588},
                        ],
                    }
                }
            },
        }
        (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (layout.stage_dir(run, "weight")).mkdir()
    (layout.stage_file(run, "weight", layout.DIAGNOSTICS)).write_text(
        json.dumps(
            {
                "kind": "wbm-weighting-diagnostics",
                "method": "raking",
                "weights": {"n": 2400, "kish_deff": 1.4321},
                "margins": [{"margin": "sex"}, {"margin": "sector"}],
                "margins_meta": {"synthetic": True},
            }
        ),
        encoding="utf-8",
    )
    return run


def wbm(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def employees_table(q) -> pd.DataFrame:
    return wbm_table(q)


def test_selected_sectors(tmp_path, capsys, employees_table):
    run = make_run(tmp_path, employees_table, "wbm-werknemers-2023")
    code, out, err = wbm(
        capsys, "report", "--run", str(run), "--sector", "3", "--sector", str(SUPPRESSED_GROUP)
    )
    assert code == 0, err
    paths = [Path(p) for p in out.split()]
    assert [p.name for p in paths] == ["sector-03-metaal.html", "sector-08-horeca.html"]
    assert all(p.parent == layout.outputs_dir(run, layout.REPORTS_DIR) for p in paths)
    html = paths[0].read_text(encoding="utf-8")
    assert "papier" in html and "812" in html and "1,43" in html  # context from the run directory
    assert "Synthetische gegevens" in html  # the margins were synthetic
    assert "Geen cijfers voor deze sector" in paths[1].read_text(encoding="utf-8")
    assert "2 report(s)" in err


def test_all_reports_same_bytes_with_two_workers(tmp_path, capsys, employees_table):
    run = make_run(tmp_path, employees_table, "wbm-werknemers-2023")
    code, out1, err = wbm(
        capsys, "report", "--run", str(run), "--all", "--out", str(tmp_path / "a"), "--workers", "1"
    )
    assert code == 0, err
    code, out2, err = wbm(
        capsys, "report", "--run", str(run), "--all", "--out", str(tmp_path / "b"), "--workers", "2"
    )
    assert code == 0, err
    a, b = [Path(p) for p in out1.split()], [Path(p) for p in out2.split()]
    assert len(a) == 17 and [p.name for p in a] == [
        p.name for p in b
    ]  # 16 sectors + overview, same order
    assert a[-1].name == "vlaanderen-overzicht.html"
    for x, y in zip(a, b, strict=True):
        assert x.read_bytes() == y.read_bytes(), x.name


def test_pdf_and_csv_estimates(tmp_path, capsys, employees_table):
    run = make_run(tmp_path, employees_table, "wbm-werknemers-2023", csv=True)
    code, out, err = wbm(
        capsys, "report", "--run", str(run), "--sector", str(SUPPRESSED_GROUP), "--format", "both"
    )
    assert code == 0, err
    names = [Path(p).name for p in out.split()]
    assert names == ["sector-08-horeca.html", "sector-08-horeca.pdf"]
    assert (
        (layout.outputs_dir(run, layout.REPORTS_DIR) / names[1]).read_bytes().startswith(b"%PDF-")
    )


def test_previous_wave_from_the_command_line(tmp_path, capsys, q, employees_table):
    from .reports_fixtures import previous_table

    run = make_run(tmp_path, employees_table, "wbm-werknemers-2023")
    prev = tmp_path / "estimates-2019.parquet"
    previous_table(q, employees_table).to_parquet(prev)
    code, out, err = wbm(
        capsys, "report", "--run", str(run), "--sector", "1", "--previous", str(prev)
    )
    assert code == 0, err
    html = Path(out.split()[0]).read_text(encoding="utf-8")
    assert 'data-source="previous"' in html and "2019" in html


def test_self_employed_and_enterprise_runs(tmp_path, capsys, q_self, q_oe):
    run = make_run(
        tmp_path / "zo", wbm_table(q_self, suppressed=5, unreliable=6), "wbm-zelfstandigen-2023"
    )
    code, out, err = wbm(capsys, "report", "--run", str(run), "--all")
    assert code == 0, err
    names = [Path(p).name for p in out.split()]
    assert len(names) == 8 and names[1] == "occupation-group-02-bouw.html"
    run = make_run(tmp_path / "oe", oe_table(q_oe), "oe-2025")
    code, out, err = wbm(capsys, "report", "--run", str(run), "--all")
    assert code == 0, err
    assert [Path(p).name for p in out.split()] == ["ondernemingen-overzicht.html"]
    code, _out, err = wbm(capsys, "report", "--run", str(run), "--sector", "1")
    assert code == 2 and "one report" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "qid", "needle"),
    [
        ((), "wbm-werknemers-2023", "which reports?"),
        (("--sector", "99"), "wbm-werknemers-2023", "99"),
        (("--all", "--sector", "3"), "wbm-werknemers-2023", "not both"),
        (("--all",), None, "--questionnaire"),
    ],
)
def test_user_mistakes_are_clear_errors(tmp_path, capsys, employees_table, args, qid, needle):
    run = make_run(tmp_path, employees_table, qid)
    code, _out, err = wbm(capsys, "report", "--run", str(run), *args)
    assert code == 2 and needle in err and "Traceback" not in err


def test_run_without_estimates(tmp_path, capsys):
    (tmp_path / "run").mkdir()
    code, _out, err = wbm(
        capsys,
        "report",
        "--run",
        str(tmp_path / "run"),
        "--all",
        "--questionnaire",
        "wbm-werknemers-2023",
    )
    assert code == 2 and "no estimates table" in err and "wbm run --stage estimate" in err


def test_bad_estimates_file(tmp_path, capsys, employees_table):
    run = make_run(tmp_path, employees_table.drop(columns=["ci_low"]), "wbm-werknemers-2023")
    code, _out, err = wbm(capsys, "report", "--run", str(run), "--sector", "1")
    assert code == 1 and "ci_low" in err and "Traceback" not in err
