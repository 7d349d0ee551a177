"""Helpers of the table tests: request files, the published rows read back, independent estimates."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from pipeline.rundata import layout

COPIED = (
    "manifest.json",
    layout.QUESTIONNAIRE,
    layout.relative("weight", layout.DIAGNOSTICS),
    layout.relative("score", layout.SCORED),
)


def copy_run(src: Path, out: Path) -> Path:
    """What ``wbm table`` reads from a run, copied."""
    for rel in COPIED:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / rel, out / rel)
    return out


def request_file(directory: Path, name: str = "req", **fields: object) -> Path:
    """A request YAML file: a small default request (werkstress by age band x statute in sectors 4-6)
    with ``fields`` replacing its keys (``None`` removes a key)."""
    data: dict[str, object] = {
        "kind": "table-request",
        "schema_version": 1,
        "id": name,
        "requester": "fonds-test",
        "population": "employees",
        "waves": [2023],
        "indicators": ["werkstress", "werkbaar_werk"],
        "rows": "age_band",
        "columns": "statute",
        "filters": [{"variable": "sector", "levels": [4, 5, 6]}],
        "statistics": ["percent", "ci", "n", "weighted_n"],
        "language": "nl",
    }
    for k, v in fields.items():
        if v is None:
            data.pop(k, None)
        else:
            data[k] = v
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


def json_rows(path: Path) -> list[dict[str, object]]:
    return list(json.loads(path.read_text(encoding="utf-8"))["rows"])


def cell_mask(
    df: pd.DataFrame,
    filters: dict[str, tuple[float, ...]],
    row: tuple[str, str],
    column: tuple[str, str],
) -> np.ndarray:
    """The respondents of a published cell, from plain pandas (not the disclosure engine's cells):
    filters, then each breakdown's level ('' total, 'missing' no substantive value)."""
    m = np.ones(len(df), dtype=bool)
    for var, levels in filters.items():
        m &= df[var].isin(levels).to_numpy()
    for var, level in (row, column):
        if not var or level == "":
            continue
        v = pd.to_numeric(df[var], errors="coerce").to_numpy(dtype=float)
        m &= (np.isnan(v) | (v < 0)) if level == "missing" else (v == float(level))
    return m


def small_group_sector(df: pd.DataFrame) -> int:
    """A sector with a few ambtenaren (1-29 answering werkstress) and enough others to publish."""
    ok = df[df["werkstress"].notna()]
    counts = pd.crosstab(ok["sector"], ok["statute"])
    for sector, row in counts.iterrows():
        if 0 < row.get(3.0, 0) < 30 and row.get(1.0, 0) + row.get(2.0, 0) >= 60:
            return int(sector)
    raise AssertionError("the demo has no sector with a few ambtenaren")


def attack_requests(tmp_path: Path, sector: int, **disclosure: object) -> tuple[Path, Path]:
    """Two requests whose difference is the sector's few ambtenaren (a differencing attack)."""
    first = request_file(
        tmp_path,
        name="by-statute",
        indicators=["werkstress"],
        rows="statute",
        columns=None,
        filters=[{"variable": "sector", "levels": [sector]}],
    )
    second = request_file(
        tmp_path,
        name="without-ambtenaren",
        indicators=["werkstress"],
        columns=None,
        filters=[
            {"variable": "sector", "levels": [sector]},
            {"variable": "statute", "levels": [1, 2]},
        ],
        **({"disclosure": disclosure} if disclosure else {}),
    )
    return first, second


def wbm(*args: object, capsys) -> tuple[int, str]:
    """Run the CLI in-process: (exit code, stderr); never a traceback."""
    from pipeline.cli import main

    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def ledger_entries(ledger: Path, requester: str | None = None) -> list[dict]:
    """Every entry of a ledger directory (all data versions), optionally one requester's."""
    out = []
    for path in sorted(ledger.glob("*/tables.jsonl")):
        out += [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [e for e in out if requester is None or e["requester"] == requester]
