"""Scoring speed: score_frame on N rows of the reference instrument, plus a wider synthetic instrument
with 80 scale items. Prints figures; no assertions (run: python benchmarks/bench_scoring.py [N])."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.paths import QUESTIONNAIRES_DIR  # noqa: E402
from pipeline.questionnaire.model import Questionnaire  # noqa: E402
from pipeline.scoring import compile_plan, score_arrays, score_frame  # noqa: E402


def _frame(q: Questionnaire, n: int, rng: np.random.Generator, extra: int = 30) -> pd.DataFrame:
    cols: dict[str, np.ndarray] = {}
    for s in compile_plan(q).scales:
        for it in s.items:
            c = rng.choice(it.codes, n)
            c[rng.random(n) < 0.03] = -9.0
            cols[it.name] = c
    for k in range(extra):  # other survey columns carried along
        cols[f"other{k}"] = rng.random(n)
    return pd.DataFrame(cols)


def _wide(q: Questionnaire) -> Questionnaire:
    """The reference instrument with 23 more freq4 items in an extra scale: 80 scale items."""
    data = q.model_dump(mode="json", exclude_none=True)
    extra = [f"xx{i:02d}" for i in range(1, 24)]
    data["items"] += [
        {"name": n, "type": "single", "choices": "freq4", "label": {"nl": n}} for n in extra
    ]
    data["scales"].append(
        {
            "name": "extra",
            "label": {"nl": "extra"},
            "items": extra,
            "reverse": extra[:5],
            "scoring": {"method": "mean_rescaled", "min_valid": 12},
        }
    )
    return Questionnaire.model_validate(data)


def _time(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(n: int = 100_000) -> None:
    rng = np.random.default_rng(2023)
    ref = Questionnaire.model_validate(
        yaml.safe_load((QUESTIONNAIRES_DIR / "wbm-werknemers-2023.yaml").read_text())
    )
    for label, q in (("reference", ref), ("wide (+23 items)", _wide(ref))):
        df = _frame(q, n, rng)
        plan = compile_plan(q)
        cols = {c: df[c].to_numpy() for c in plan.input_columns}
        t_compile = _time(lambda q=q: compile_plan(q))
        t_frame = _time(lambda q=q, df=df: score_frame(q, df))
        t_arrays = _time(lambda plan=plan, cols=cols: score_arrays(plan, cols))
        print(f"{label}: {n:,} rows x {len(plan.input_columns)} items, {df.shape[1]} input columns")
        print(f"  compile_plan  {t_compile * 1e3:8.2f} ms")
        print(
            f"  score_arrays  {t_arrays * 1e3:8.2f} ms  ({n * len(plan.input_columns) / t_arrays / 1e6:.0f} M item values/s)"
        )
        print(
            f"  score_frame   {t_frame * 1e3:8.2f} ms  (frame overhead x{t_frame / t_arrays:.2f})"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
