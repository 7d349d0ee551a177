"""Benchmark: validate 100,000 responses x about 150 items (mixed mode) and print the time.

Target: under 10 s on a 2-core machine for ``run_validation`` (read, harmonise, check, write).
The instrument is the reference WBM questionnaire widened with extra freq4 grid items to ~150 items.
Data: 60% web (.sav), 40% keyed paper (.csv) with corruptions (bad codes, several ticks, decimal
commas, routing violations, blanks) and 2% respondents on both modes.

    python benchmarks/bench_validate.py [--rows 100000] [--items 150] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "validate"))

from validate_wavegen import generate, to_paper, to_web, write_csv, write_sav  # noqa: E402

from pipeline.ingest import InputFile  # noqa: E402
from pipeline.paths import QUESTIONNAIRES_DIR  # noqa: E402
from pipeline.questionnaire.model import Questionnaire  # noqa: E402
from pipeline.rundata import layout  # noqa: E402
from pipeline.validate import run_validation  # noqa: E402


def wide_questionnaire(n_items: int) -> Questionnaire:
    data = yaml.safe_load(
        (QUESTIONNAIRES_DIR / "wbm-werknemers-2023.yaml").read_text(encoding="utf-8")
    )
    extra = max(0, n_items - len(data["items"]))
    for i in range(extra):
        data["items"].append(
            {
                "name": f"xg{i + 1:03d}",
                "type": "single",
                "choices": "freq4",
                "grid": f"xg{i // 8}",
                "label": {"nl": f"extra {i + 1}", "en": f"extra {i + 1}"},
            }
        )
    return Questionnaire.model_validate(data)


def corrupt_paper(df, rng: np.random.Generator, rate: float = 0.003):
    cols = [c for c in df.columns if c not in ("sample_id", "comment", "batch", "keyer")]
    arr = df[cols].to_numpy(dtype=object)
    hit = rng.random(arr.shape) < rate
    kinds = rng.integers(0, 4, size=arr.shape)
    arr[hit & (kinds == 0)] = "9"
    arr[hit & (kinds == 1)] = "2/3"
    arr[hit & (kinds == 2)] = ""
    arr[hit & (kinds == 3)] = "x"
    df[cols] = arr
    return df


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--items", type=int, default=150)
    ap.add_argument("--keep", type=Path, default=None)
    a = ap.parse_args()
    q = wide_questionnaire(a.items)
    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="bench_validate_"))
    work.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    n_web = int(a.rows * 0.6)
    n_paper = a.rows - n_web
    t0 = time.perf_counter()
    web = to_web(generate(q, n_web, mode="web", seed=1, overrides={"working": 1}))
    paper = generate(
        q,
        n_paper,
        mode="paper",
        seed=2,
        start=n_web - int(0.02 * a.rows) + 1,
        overrides={"working": 1},
    )
    paper = corrupt_paper(to_paper(paper, q), rng)
    paper["hours"] = paper["hours"].str.replace(".", ",", regex=False)
    write_sav(web, work / "web_export.sav", q)
    write_csv(paper, work / "paper_keyed.csv")
    print(
        f"data: {n_web} web + {n_paper} paper rows x {len(q.items)} items ({len(q.variables())} variables); "
        f"generated in {time.perf_counter() - t0:.1f} s"
    )
    t, cpu = time.perf_counter(), time.process_time()
    s = run_validation(
        q,
        [InputFile(work / "web_export.sav"), InputFile(work / "paper_keyed.csv")],
        layout.stage_dir(work, "validate"),
    )
    dt, dcpu = time.perf_counter() - t, time.process_time() - cpu
    print(
        f"run_validation: {dt:.2f} s for {s.rows_read} rows ({s.rows_read / dt:,.0f} rows/s); target < 10 s "
        f"-> ratio {dt / 10:.2f} of the budget; CPU time {dcpu:.2f} s (wall time is inflated when the machine is busy)"
    )
    print(
        f"accepted {s.accepted}, set aside {s.set_aside}, edits {sum(n for _, n in s.edit_counts)}, "
        f"issues {sum(n for _, n in s.issue_counts)}, balanced {s.balanced}"
    )
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
