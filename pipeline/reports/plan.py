"""``wbm plan``: the next wave's invitations per domain from the last wave's response.

From a run and its sample frame: per level of the targets file's domain variable the population
(the run's final weights), the response rate by mode (the frame linked to the responses), each
indicator's weighted proportion and the design effect of weighting (Kish). The allocation is
:func:`pipeline.fieldwork.allocation.allocate`; on a synthetic wave the plan is then simulated on
the generator's population (:func:`pipeline.fieldwork.simulate.simulate`). Writes ``plan.json``
(every figure), ``plan.csv`` (one row per domain) and ``plan.html`` (Dutch, or English).
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import Notice, Problem, UsageError
from pipeline.fieldwork.allocation import (
    Costs,
    Plan,
    StratumInput,
    Target,
    allocate,
)
from pipeline.fieldwork.simulate import SimPopulation, Simulation, simulate
from pipeline.fieldwork.targets import Names, PlanTargets, check_names, read_targets
from pipeline.questionnaire.model import Questionnaire

PLAN_CSV = "plan.csv"
PLAN_HTML = "plan.html"
CSV_COLUMNS = (
    "domain",
    "level",
    "label",
    "population",
    "response_rate",
    "target",
    "required_respondents",
    "invitations",
    "expected_respondents",
    "assured_respondents",
    "expected_half_width",
    "cost",
    "reached",
    "reason",
    "proportional_invitations",
    "proportional_cost",
    "simulated_met_share",
)


@dataclass(frozen=True, eq=False)
class PlanResult:
    targets: PlanTargets
    plan: Plan
    simulation: Simulation | None
    inputs: tuple[StratumInput, ...]
    synthetic: bool
    notices: tuple[Notice, ...]

    def to_dict(self) -> dict[str, object]:
        from dataclasses import asdict

        return {
            "kind": "wbm-plan",
            "synthetic": self.synthetic,
            "domain": self.targets.domain,
            "targets": self.targets.model_dump(mode="json"),
            "last_wave": [
                {
                    **asdict(s),
                    "rate_by_mode": dict(s.rate_by_mode),
                    "p": dict(s.p),
                    "p_se": dict(s.p_se),
                }
                for s in self.inputs
            ],
            "plan": self.plan.to_dict(),
            "simulation": None if self.simulation is None else self.simulation.to_dict(),
            "notices": [{"code": n.code, "message": n.message} for n in self.notices],
        }


def _level(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def stratum_inputs(
    run_dir: Path, frame_path: Path, q: Questionnaire, targets: PlanTargets, file: str
) -> tuple[list[StratumInput], bool]:
    """Per level of the domain variable, what the last wave says (see the module docstring)."""
    from pipeline.frame.read import register_labels
    from pipeline.reports.fieldwork import link_run
    from pipeline.rundata.columns import WEIGHT
    from pipeline.rundata.read import read_scored

    inp = link_run(run_dir, frame_path, q)
    linked = inp.linked
    scored, _ = read_scored(run_dir)
    binary = [
        c
        for c in inp.indicators
        if set(pd.to_numeric(scored[c], errors="coerce").dropna().unique()) <= {0.0, 1.0}
    ]
    variables = [
        v for v in ("sex", "age_band", "sector", "statute", "province", "origin") if v in linked
    ]
    dom = targets.domain
    levels = (
        sorted({_level(x) for x in linked[dom].to_numpy() if x == x}, key=_sort_key)
        if dom in linked
        else []
    )
    modes = sorted({m for m in linked["mode"].astype(str) if m})
    check_names(targets, Names(variables, binary, levels, modes), file)
    w = pd.Series(
        scored[WEIGHT].to_numpy(dtype=np.float64), index=scored[q.study.id_variable].astype(str)
    )
    linked = linked.assign(
        _w=linked["sample_id"].astype(str).map(w).to_numpy(dtype=np.float64),
        _level=[_level(x) if x == x else "" for x in linked[dom].to_numpy()],
    )
    d = linked["design_weight"].to_numpy() if "design_weight" in linked else np.ones(len(linked))
    labels = register_labels(q, dom)
    out = []
    for lev in levels:
        m = (linked["_level"] == lev).to_numpy()
        mode = linked["mode"].astype(str).to_numpy()[m]
        dm = d[m]
        n = int(m.sum())
        resp = mode != ""
        rate = float(dm[resp].sum() / dm.sum())
        by_mode = {md: float(dm[mode == md].sum() / dm.sum()) for md in modes}
        wr = linked["_w"].to_numpy()[m][resp]
        wr = wr[np.isfinite(wr)]
        deff = float(wr.size * np.sum(wr**2) / np.sum(wr) ** 2) if wr.size else 1.0
        p, p_se = {}, {}
        for k in targets.indicators:
            y = linked[k].to_numpy()[m][resp]
            ww = linked["_w"].to_numpy()[m][resp]
            ok = np.isfinite(y) & np.isfinite(ww)
            if ok.sum() == 0:
                p[k], p_se[k] = 0.5, 0.5
                continue
            pk = float(np.sum(ww[ok] * y[ok]) / np.sum(ww[ok]))
            p[k] = pk
            p_se[k] = math.sqrt(max(deff * pk * (1 - pk), 0.0025 / max(ok.sum(), 1)) / ok.sum())
        try:
            label = labels.get(int(float(lev)), lev)
        except ValueError:
            label = lev
        out.append(
            StratumInput(
                level=lev,
                label=label,
                population=float(wr.sum()) if wr.size else 0.0,
                invited=n,
                respondents=int(resp.sum()),
                rate=rate,
                rate_se=math.sqrt(rate * (1 - rate) / n) if n else 0.0,
                rate_by_mode=by_mode,
                p=p,
                p_se=p_se,
                deff=max(deff, 1.0),
            )
        )
    return out, inp.synthetic


def _sort_key(s: str) -> tuple[float, str]:
    try:
        return (float(s), s)
    except ValueError:
        return (math.inf, s)


def synthetic_population(
    wave_dir: Path, domain: str, levels: list[str], indicators: tuple[str, ...]
) -> SimPopulation | None:
    """The generator's population of a synthetic wave (``wave.json``): cells, counts, response and
    web propensities, indicator probabilities. None when the wave is not a synthetic one."""
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.synth.config import load_model, shipped_models
    from pipeline.synth.truth import cell_probabilities, response_probabilities
    from pipeline.synth.world import build_world

    try:
        meta = json.loads((wave_dir / "wave.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or not meta.get("synthetic"):
        return None
    gen = meta.get("generator") or {}
    model_path = shipped_models().get(str(gen.get("model", "")))
    if model_path is None:
        return None
    q = load_questionnaire(str(meta.get("questionnaire")))
    world = build_world(q, load_model(model_path))
    cells = world.population.cell_codes
    if domain not in cells:
        return None
    probs = cell_probabilities(world)
    if any(k not in probs for k in indicators):
        return None
    respond, web = response_probabilities(world)
    index = {lev: i for i, lev in enumerate(levels)}
    stratum = np.array([index.get(str(int(c)), -1) for c in cells[domain]])
    counts = world.population.cell_counts.astype(np.int64)
    keep = (stratum >= 0) & (counts > 0)
    margins: dict[str, np.ndarray] = {}
    for v in ("sex", "age_band", "sector", "statute", "province"):
        if v in cells:
            _, inv = np.unique(cells[v][keep], return_inverse=True)
            margins[v] = inv
    return SimPopulation(
        counts=counts[keep],
        stratum=stratum[keep],
        margins=margins,
        respond=respond[keep],
        web=None if web is None else web[keep],
        indicators={k: probs[k][keep] for k in indicators},
    )


def make_plan(
    run_dir: Path,
    frame_path: Path,
    targets_path: Path,
    q: Questionnaire,
    *,
    wave_dir: Path | None = None,
    replications: int = 200,
    seed: int = 20260,
) -> PlanResult:
    t = read_targets(targets_path)
    inputs, synthetic = stratum_inputs(run_dir, frame_path, q, t, str(targets_path))
    if t.response_change != 1.0:
        from dataclasses import replace

        f = t.response_change
        inputs = [
            replace(
                s,
                rate=min(s.rate * f, 1.0),
                rate_se=s.rate_se * f,
                rate_by_mode={m: min(r * f, 1.0) for m, r in s.rate_by_mode.items()},
            )
            for s in inputs
        ]
    tg: list[Target | None] = []
    for s in inputs:
        dt = t.target(s.level)
        tg.append(Target(dt.min_respondents, dt.max_half_width) if dt.report else None)
    costs = Costs(t.budget.per_invitation, dict(t.budget.per_response), t.budget.total)
    plan = allocate(
        inputs,
        tg,
        t.indicators,
        costs,
        assurance=t.assurance,
        max_sampling_fraction=t.max_sampling_fraction,
        overall_half_width=t.overall.max_half_width if t.overall else None,
    )
    notices = list(plan.notices)
    sim = None
    if replications > 0:
        pop = synthetic_population(
            wave_dir or frame_path.parent, t.domain, [s.level for s in inputs], t.indicators
        )
        if pop is None:
            notices.append(
                Notice(
                    "plan_no_simulation",
                    "not a synthetic wave with the generator's population: the plan is not "
                    "simulated",
                )
            )
        else:
            sim = simulate(
                pop,
                [s.level for s in inputs],
                [s.invitations for s in plan.strata],
                tg,
                [s.reached for s in plan.strata],
                costs,
                replications=replications,
                seed=seed,
                overall_half_width=t.overall.max_half_width
                if (t.overall and plan.overall_reached)
                else None,
            )
    return PlanResult(t, plan, sim, tuple(inputs), synthetic, tuple(notices))


# ------------------------------------------------------------------------------------ writing
def plan_csv(res: PlanResult) -> str:
    from pipeline.spreadsheet import frame_csv

    sim = {d.level: d for d in res.simulation.domains} if res.simulation else {}
    k0 = res.plan.indicators[0]
    rows = []
    for s in res.plan.strata:
        d = sim.get(s.level)
        rows.append(
            {
                "domain": res.targets.domain,
                "level": s.level,
                "label": s.label,
                "population": round(s.population, 1),
                "response_rate": round(s.rate, 6),
                "target": s.target,
                "required_respondents": round(s.required_respondents, 1),
                "invitations": s.invitations,
                "expected_respondents": round(s.expected_respondents, 1),
                "assured_respondents": round(s.assured_respondents, 1),
                "expected_half_width": round(s.expected_half_width[k0], 3),
                "cost": round(s.cost, 2),
                "reached": s.reached,
                "reason": s.reason,
                "proportional_invitations": s.proportional_invitations,
                "proportional_cost": round(s.proportional_cost, 2),
                "simulated_met_share": None
                if d is None or not d.reported
                else round(d.met_share, 4),
            }
        )
    return frame_csv(pd.DataFrame(rows, columns=list(CSV_COLUMNS)))


def write_plan(res: PlanResult, out_dir: Path, *, lang: str = "nl") -> list[Path]:
    from pipeline.fileio import ensure_dir, write_json, write_text
    from pipeline.reports.planhtml import render_plan
    from pipeline.rundata.layout import PLAN_JSON

    ensure_dir(out_dir)
    return [
        write_json(out_dir / PLAN_JSON, res.to_dict()),
        write_text(out_dir / PLAN_CSV, plan_csv(res)),
        write_text(
            out_dir / (PLAN_HTML if lang == "nl" else "plan.en.html"), render_plan(res, lang)
        ),
    ]


def need_frame(frame: Path | None, wave_dir: Path | None) -> Path:
    if frame is not None:
        return frame
    if wave_dir is None:
        raise UsageError(
            "no sample frame",
            [Problem("give --frame FILE or --wave DIR", hint="docs/frame.md")],
            code="bad_option",
        )
    return wave_dir / "frame.parquet"


__all__ = ["PlanResult", "make_plan", "plan_csv", "write_plan", "html"]
