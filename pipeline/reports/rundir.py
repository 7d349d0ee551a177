"""What the reports need from a run directory: the estimates table, the questionnaire and the
report context (fieldwork, response, weighting), read leniently: a missing piece gives a default,
never an error, except the estimates table and the questionnaire, without which there is no report.

Everything is read with the run-directory readers of :mod:`pipeline.rundata.read`:

- ``manifest.json`` (read strictly: a damaged one is an error): the run's own questionnaire
  (``questionnaire.yaml``, hash-checked; :func:`pipeline.rundata.read.recorded_questionnaire`), the
  reliability thresholds (``parameters.min_n``, ``min_n_reliable``), the estimates' checksum;
- ``01_validate/diagnostics.json``: respondents by mode (or the manifest's rows per input) and the
  number invited (the linked sample frame's ``frame.invited``);
- ``02_weight/diagnostics.json``: method, Kish design effect, margins, synthetic margins;
- ``04_estimate/estimates.parquet`` (or ``estimates.csv``); ``numeric_estimates.csv`` (means and
  medians of numeric indicators), verified; an organisation survey's
  ``estimates_employment.parquet`` (shares of employees, magnitude totals), verified.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.reports.context import ReportContext, ResponseInfo, WeightingSummary
from pipeline.rundata.fieldwork import dig
from pipeline.rundata.layout import ESTIMATES
from pipeline.rundata.read import (
    int_or,
    read_employment_estimates,
    read_estimates,
    read_numeric_estimates,
    read_risk_profiles,
    recorded_questionnaire,
    require_run_dir,
    run_manifest,
    run_parameters,
    stage_diagnostics,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.questionnaire.model import Questionnaire


@dataclass(frozen=True, eq=False)
class RunInputs:
    estimates: pd.DataFrame
    estimates_path: Path
    questionnaire: Questionnaire
    context: ReportContext


def _obj(data: Any, *keys: str) -> dict[str, Any]:
    found = dig(data, *keys)
    return found if isinstance(found, dict) else {}


def _modes(run_dir: Path, manifest: dict[str, Any]) -> tuple[tuple[str, int], ...]:
    from pipeline.rundata.fieldwork import responses_by_mode

    return responses_by_mode(stage_diagnostics(run_dir, "validate"), manifest)


def _invited(run_dir: Path) -> int | None:
    """The number invited: the sample frame's units as the validate stage linked them
    (``01_validate/diagnostics.json`` ``frame.invited``); None for a run without a frame."""
    from pipeline.rundata.fieldwork import invited

    return invited(stage_diagnostics(run_dir, "validate"))


def _weighting(run_dir: Path, q: Questionnaire) -> tuple[WeightingSummary, bool]:
    diag = stage_diagnostics(run_dir, "weight")
    if not diag:
        return WeightingSummary(margins=tuple(q.weighting)), False
    weights = _obj(diag, "weights")
    raw = diag.get("margins")
    listed: list[Any] = raw if isinstance(raw, list) else []
    margins = tuple(
        dict.fromkeys(str(m["margin"]) for m in listed if isinstance(m, dict) and m.get("margin"))
    )
    kish = weights.get("kish_deff")
    n = weights.get("n")
    meta = _obj(diag, "margins_meta")
    return WeightingSummary(
        method=str(diag.get("method") or ""),
        n=int(n) if isinstance(n, int) else None,
        kish_deff=float(kish) if isinstance(kish, (int, float)) else None,
        margins=margins or tuple(q.weighting),
    ), bool(meta.get("synthetic", False))


def context_from_run(
    run_dir: str | Path, q: Questionnaire, base: ReportContext | None = None
) -> ReportContext:
    """The report context of a run (see the module docstring); ``base`` supplies anything else."""
    run = Path(run_dir)
    manifest = run_manifest(run, lenient=True)
    params = run_parameters(manifest)
    accepted = dig(manifest, "stages", "validate", "rows", "accepted")
    weighting, synthetic = _weighting(run, q)
    outputs = dig(manifest, "stages", "estimate", "outputs")
    est_entry = next(
        (
            o
            for o in (outputs if isinstance(outputs, list) else [])
            if isinstance(o, dict) and str(o.get("path", "")).endswith(ESTIMATES)
        ),
        {},
    )
    ctx = base or ReportContext()
    return replace(
        ctx,
        wave=ctx.wave or q.study.wave,
        run_id=ctx.run_id or run.resolve().name,
        counts_by_mode=ctx.counts_by_mode or _modes(run, manifest),
        response=ResponseInfo(
            invited=ctx.response.invited if ctx.response.invited is not None else _invited(run),
            responded=ctx.response.responded
            if ctx.response.responded is not None
            else (accepted if isinstance(accepted, int) else None),
        ),
        weighting=weighting
        if not ctx.weighting.method and ctx.weighting.kish_deff is None
        else ctx.weighting,
        data_version=ctx.data_version or str(est_entry.get("sha256", ""))[:12],
        min_n_publish=int_or(params.get("min_n"), ctx.min_n_publish),
        min_n_reliable=int_or(params.get("min_n_reliable"), ctx.min_n_reliable),
        synthetic=ctx.synthetic or synthetic,
        risk_profiles=ctx.risk_profiles
        if ctx.risk_profiles is not None
        else read_risk_profiles(run),
        employment=ctx.employment if ctx.employment is not None else read_employment_estimates(run),
        numeric=ctx.numeric if ctx.numeric is not None else read_numeric_estimates(run),
    )


def load_run(
    run_dir: str | Path, *, questionnaire: str | None = None, base: ReportContext | None = None
) -> RunInputs:
    """Everything :func:`pipeline.reports.batch.render_reports` needs from a run directory."""
    run = require_run_dir(run_dir)
    q = recorded_questionnaire(run, run_manifest(run), questionnaire)  # the run's own
    estimates, path = read_estimates(run)
    return RunInputs(estimates, path, q, context_from_run(run, q, base))
