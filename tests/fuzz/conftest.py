"""The fuzz suite's shared sources: valid files of the session's small demo, broken per case."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from pipeline.paths import QUESTIONNAIRES_DIR, REPO_ROOT
from pipeline.rundata import layout

from .harness import Sources

PAPER_ROWS = 120


@pytest.fixture(scope="session")
def fuzz_sources(small_demo, tmp_path_factory: pytest.TempPathFactory) -> Sources:
    import openpyxl

    from pipeline.questionnaire.load import load_questionnaire

    from ..questionnaire.test_xlsform import workbook

    result, _ = small_demo
    wave, run = Path(result.wave_dir), Path(result.run_dir)
    lines = (wave / "paper_keyed.csv").read_bytes().splitlines(keepends=True)
    paper = b"".join(lines[: PAPER_ROWS + 1])
    book = openpyxl.Workbook()
    sheet = book.active
    for row in pd.read_csv(io.BytesIO(paper), dtype=str, keep_default_na=False).itertuples(
        index=False
    ):
        if sheet.max_row == 1 and sheet.cell(1, 1).value is None:
            sheet.append(list(pd.read_csv(io.BytesIO(paper), nrows=0).columns))
        sheet.append([v if v != "" else None for v in row])
    buf = io.BytesIO()
    book.save(buf)
    q = load_questionnaire("wbm-werknemers-2023")
    accepted = pd.read_parquet(layout.stage_file(run, "validate", layout.ACCEPTED))
    weight_csv = accepted[list(q.weighting) + ["working"]].to_csv(index=False).encode("utf-8")
    tmp = tmp_path_factory.mktemp("fuzz-sources")
    return Sources(
        questionnaire=(QUESTIONNAIRES_DIR / "wbm-werknemers-2023.yaml").read_text(encoding="utf-8"),
        request=(REPO_ROOT / "examples" / "requests" / "demo-werkstress-industrie.yaml").read_text(
            encoding="utf-8"
        ),
        profile=(REPO_ROOT / "releases" / "public-use.yaml").read_text(encoding="utf-8"),
        paper_csv=paper,
        web_sav=wave / "web_export.sav",
        xlsx_input=buf.getvalue(),
        weight_csv=weight_csv,
        margins_csv=(wave / "population.csv").read_bytes(),
        margins_yaml=(wave / "population.yaml").read_text(encoding="utf-8"),
        xlsform=workbook(tmp / "form.xlsx").read_bytes(),
        run_dir=run,
        wave_dir=wave,
    )
