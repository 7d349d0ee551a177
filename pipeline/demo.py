"""The demo: a synthetic wave through every stage, and the headline figures it prints."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.fileio import read_parquet
from pipeline.rundata import layout


@dataclass(frozen=True)
class Headline:
    indicator: str
    weighted: float
    ci_low: float
    ci_high: float
    unweighted: float
    n: int
    truth: float | None


@dataclass(frozen=True)
class DemoResult:
    wave_dir: Path
    run_dir: Path
    rows: dict[str, int]
    headlines: tuple[Headline, ...]
    reports: tuple[Path, ...]
    table: Path
    microdata: Path

    def render(self, elapsed: float | None = None) -> str:
        lines = [
            f"SYNTHETIC wave: {self.wave_dir}",
            f"run directory:  {self.run_dir}",
            f"rows: read {self.rows['read']:,} = accepted {self.rows['accepted']:,} + set aside {self.rows['set_aside']:,}",
            "",
        ]
        for h in self.headlines:
            truth = f"; synthetic truth {h.truth:.1%}" if h.truth is not None else ""
            lines.append(
                f"{h.indicator}: weighted {h.weighted:.1%} (95% CI {h.ci_low:.1%} - {h.ci_high:.1%}, n = {h.n:,}); "
                f"unweighted {h.unweighted:.1%}{truth}"
            )
        lines += [
            "",
            f"sector reports ({len(self.reports)}): {self.reports[0].parent if self.reports else '-'}",
            f"custom table:       {self.table}",
            f"microdata:          {self.microdata}",
            f"manifest:           {layout.manifest_path(self.run_dir)}",
        ]
        if elapsed is not None:
            lines.append(f"finished in {elapsed:.1f} s")
        return "\n".join(lines)


HEADLINES = ("werkbaar_werk", "werkstress")


def run_demo(
    out_dir: Path, *, size: int, seed: int, progress: Callable[[str], None] | None = None
) -> DemoResult:
    from pipeline.rundata.layout import policy_reference
    from pipeline.runner import Run, RunConfig, run_stages
    from pipeline.sdc.publisher import init_publisher
    from pipeline.synth.wave import generate_wave

    wave_dir, run_dir = out_dir / "wave", out_dir / "run"
    if progress:
        progress("synth")
    generate_wave(wave_dir, size=size, seed=seed)
    policy = init_publisher(
        out_dir / "publisher"
    )  # the demo's publisher: reference policy, registry
    run = Run(run_dir, RunConfig.from_wave_dir(wave_dir, policy=policy_reference(policy, run_dir)))
    results = {
        r.stage: r
        for r in run_stages(run, progress=(lambda s: progress(f"stage {s}")) if progress else None)
    }
    est = read_parquet(layout.stage_file(run_dir, "estimate", layout.ESTIMATES))
    scored = read_parquet(layout.stage_file(run_dir, "score", layout.SCORED))
    truth = _truth(wave_dir)
    heads = []
    for ind in HEADLINES:
        row = est[(est["indicator"] == ind) & (est["by"].fillna("") == "")].iloc[0]
        col = scored[ind].to_numpy(dtype=float)
        heads.append(
            Headline(
                ind,
                float(row["estimate"]),
                float(row["ci_low"]),
                float(row["ci_high"]),
                float(np.nanmean(col)),
                int(row["n"]),
                truth.get(ind),
            )
        )
    out = results["outputs"].summary
    return DemoResult(
        wave_dir,
        run_dir,
        {k: int(v) for k, v in results["validate"].rows.items() if k != "per_input"},
        tuple(heads),
        tuple(layout.outputs_dir(run_dir, layout.REPORTS_DIR) / n for n in out["reports"]),
        layout.outputs_dir(run_dir, layout.TABLES_DIR) / str(out["table"]),
        layout.outputs_dir(run_dir, layout.MICRODATA_DIR) / str(out["microdata"]),
    )


def _truth(wave_dir: Path) -> dict[str, float]:
    p = wave_dir / "truth.json"
    if not p.exists():
        return {}
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # the truth is only printed beside the estimates
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("indicators", {}), dict):
        return {}
    return {
        name: float(v["overall"])
        for name, v in data.get("indicators", {}).items()
        if isinstance(v, dict) and isinstance(v.get("overall"), (int, float))
    }
