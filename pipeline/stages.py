"""The five stage functions: read the previous stage's files, call an engine, write this stage's files.

Each returns a :class:`pipeline.runner.StageResult` with row counts for the manifest.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pipeline.fileio import read_parquet, write_json, write_parquet
from pipeline.rundata import layout
from pipeline.rundata.columns import (
    BASE_WEIGHT,
    DESIGN_FPC,
    DESIGN_STRATUM,
    ESTIMATE_KEYS,
    WEIGHT,
    WEIGHT_NORMALISED,
)
from pipeline.runner import Run, StageResult

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.estimation.config import EstimationConfig
    from pipeline.estimation.design import Design
    from pipeline.questionnaire.model import Questionnaire
    from pipeline.reports.batch import ReportJob
    from pipeline.reports.context import ReportContext
    from pipeline.rundata.calibration import CalibrationModel
    from pipeline.sdc.publisher import Publisher


# --------------------------------------------------------------------------- validate
def stage_validate(run: Run) -> StageResult:
    from pipeline.ingest.inputs import InputFile
    from pipeline.validate import run_validation

    q = run.questionnaire()
    out = run.stage_dir("validate")
    inputs = [
        InputFile(path=s.path, mode=s.mode, dialect=s.dialect, mapping=s.mapping)  # type: ignore[arg-type]
        for s in run.config.inputs
    ]
    frame = None
    if run.config.frame is not None:
        from pipeline.frame.read import read_frame

        frame = read_frame(run.config.frame, q)
    summary = run_validation(q, inputs, out, frame=frame, lang=run.config.language)
    per_input = [
        {
            "file": i.file,
            "mode": i.mode,
            "dialect": i.dialect,
            "dialect_evidence": i.dialect_evidence,
            "mapping": i.mapping,
            "read": i.rows_read,
            "accepted": i.accepted,
            "set_aside": i.set_aside,
        }
        for i in summary.inputs
    ]
    rows = {
        "read": summary.rows_read,
        "accepted": summary.accepted,
        "set_aside": sum(i.set_aside for i in summary.inputs),
        "per_input": per_input,
    }
    outputs = tuple(sorted(out / f for f in summary.files))
    return StageResult(
        "validate",
        rows,
        outputs,
        summary={
            "issues_by_code": dict(summary.issue_counts),
            "set_aside_by_reason": dict(summary.reason_counts),
            "edits_by_rule": dict(summary.edit_counts),
        },
    )


# --------------------------------------------------------------------------- weight
def stage_weight(run: Run) -> StageResult:
    """Weights to the run's margins. A questionnaire declaring design strata (``study.strata``, the
    Enterprise Survey) gets base weights ``N_h / n_h`` from the margin crossing the strata variables
    and that margin's totals as finite population correction. The calibration model actually used
    is written to ``calibration.json`` (:mod:`pipeline.rundata.calibration`)."""
    from pipeline.rundata.calibration import model_to_dict
    from pipeline.weighting.api import weight_frame
    from pipeline.weighting.design import stratified_base
    from pipeline.weighting.diagnostics import render_report, to_json
    from pipeline.weighting.margins import load_margins
    from pipeline.weighting.model import calibration_model
    from pipeline.weighting.trimming import TrimSpec

    q = run.questionnaire()
    df = read_parquet(run.need("validate", layout.ACCEPTED))
    margins = load_margins(run.config.margins, require_meta=True)
    strata = tuple(q.study.strata)
    design_cols: dict[str, object] = {}
    base = None
    if strata:
        sb = stratified_base(df, strata, margins)
        design_cols[DESIGN_STRATUM] = list(sb.stratum)
        if sb.weights is not None and sb.population is not None:
            base = np.asarray(sb.weights)
            design_cols[BASE_WEIGHT] = base
            design_cols[DESIGN_FPC] = np.asarray(sb.population)
    cfg = run.config
    trim = (
        TrimSpec(cap=cfg.trim_cap, median_k=cfg.trim_median_k)
        if (cfg.trim_cap is not None or cfg.trim_median_k is not None)
        else None
    )
    res = weight_frame(
        df,
        margins,
        base_weight=base,
        method=cfg.method,
        bounds=cfg.bounds,
        trim=trim,
        file=layout.ACCEPTED,
    )
    model = calibration_model(
        res,
        base_weight=BASE_WEIGHT if base is not None else None,
        strata=DESIGN_STRATUM if strata else None,
        strata_variables=strata,
        fpc=DESIGN_FPC if DESIGN_FPC in design_cols else None,
    )
    out = run.stage_dir("weight")
    df = df.assign(
        **design_cols,
        **{WEIGHT: np.asarray(res.weight), WEIGHT_NORMALISED: np.asarray(res.weight_normalised)},
    )
    p_data = write_parquet(out / layout.WEIGHTED, df)
    p_model = write_json(out / layout.CALIBRATION_MODEL, model_to_dict(model))
    info = {"margins": Path(run.config.margins).name, "questionnaire": q.study.id}
    p_json = write_json(
        out / layout.DIAGNOSTICS, to_json(res, inputs=info, margins_meta=margins.meta)
    )
    p_html = render_report(
        res,
        out / layout.WEIGHTING_REPORT,
        subject=q.study.title.get(run.config.language),
        inputs=info,
        margins_meta=margins.meta,
        lang=run.config.language,
        # the margins' population in the report's language when the file describes the
        # questionnaire's target population (in either language)
        population=q.study.target_population.get(run.config.language)
        if margins.meta is not None
        and margins.meta.population in (q.study.target_population.nl, q.study.target_population.en)
        else None,
    )
    d = res.diagnostics
    summary = {
        "converged": res.converged,
        "iterations": res.iterations,
        "max_margin_error": res.max_error,
        "kish_deff": d.kish_deff,
        "effective_n": d.effective_n,
        "notices": [n.code for n in res.notices],
    }
    return StageResult(
        "weight",
        {"in": len(df), "out": len(df)},
        (p_data, p_model, p_json, p_html),
        summary=summary,
    )


# --------------------------------------------------------------------------- score
def stage_score(run: Run) -> StageResult:
    from pipeline.scoring.api import score_frame

    q = run.questionnaire()
    df = read_parquet(run.need("weight", layout.WEIGHTED))
    res = score_frame(q, df, population=run.config.population)
    out = run.stage_dir("score")
    p_data = write_parquet(out / layout.SCORED, res.frame)
    p_json = write_json(out / layout.DIAGNOSTICS, res.to_dict())
    return StageResult("score", {"in": len(df), "out": len(res.frame)}, (p_data, p_json))


# --------------------------------------------------------------------------- estimate
#: What the risk profiles are adjusted for (those of them the data has).
RISK_ADJUST = ("age_band", "sex")


def _risk_profiles(
    q: Questionnaire, data: pd.DataFrame, design: object, domains: list[str], run: Run
) -> pd.DataFrame:
    """Prevalence ratios (adjusted for age and sex) and PAFs of every risk factor for every
    workability problem, for Flanders and per group of the report domain."""
    from pipeline.estimation.design import Design
    from pipeline.estimation.riskprofile import risk_profile_table

    assert isinstance(design, Design)
    tl = [i for i in q.indicators if i.kind == "traffic_light"]
    outcomes = [i.name for i in tl if i.group == "workability" and i.name in data]
    exposures = [i.name for i in tl if i.group == "risk" and i.name in data]
    return risk_profile_table(
        data,
        design,
        outcomes,
        exposures,
        [a for a in RISK_ADJUST if a in data.columns],
        domains[0] if domains else None,
        min_n=run.config.min_n,
        min_n_reliable=run.config.min_n_reliable,
    )


def _compare_within_sector(
    data: pd.DataFrame,
    design: object,
    indicators: list[str],
    domains: list[str],
    by: list[str],
    cfg: EstimationConfig,
) -> pd.DataFrame:
    """The crossed rows' tests: each level of a breakdown inside a sector against the rest of that
    sector (``pipeline.estimation.within``), for the crossed domains the estimates table has."""
    from pipeline.estimation.design import Design
    from pipeline.estimation.domainframe import CROSSED_WITHIN_SECTOR
    from pipeline.estimation.within import compare_within
    from pipeline.rundata.levels import crossed_domain

    assert isinstance(design, Design)
    group = "sector"
    crossed = [
        b for b in CROSSED_WITHIN_SECTOR if crossed_domain((group, b)) in by and b in domains
    ]
    if group not in domains or not crossed:
        return pd.DataFrame()
    return compare_within(data, design, indicators, group, crossed, config=cfg)


def stage_estimate(run: Run) -> StageResult:
    from pipeline.estimation.api import compare_domains, estimate, to_csv_text
    from pipeline.estimation.config import EstimationConfig
    from pipeline.estimation.domainframe import domain_frame
    from pipeline.estimation.reliability import ReliabilityRules
    from pipeline.estimation.runmodel import describe, design_from_model
    from pipeline.fileio import write_text
    from pipeline.rundata.calibration import read_calibration_model, weighting_fallback
    from pipeline.scoring.api import indicator_columns

    q = run.questionnaire()
    scored = read_parquet(run.need("score", layout.SCORED))
    model = read_calibration_model(run.dir, run.manifest.data)
    fallback = model is None
    if model is None:  # a run weighted before calibration.json was recorded
        model = weighting_fallback(list(q.weighting))
    indicators = [c for c in indicator_columns(q, run.config.population) if c in scored.columns]
    domains = [d for d in q.domains if d in scored.columns]
    dom, by = domain_frame(scored, domains)
    design_cols = list(model.columns())
    data = pd.concat(
        [
            scored[list(dict.fromkeys(indicators + [WEIGHT] + design_cols))],
            dom.drop(
                columns=[c for c in dom.columns if c in scored.columns and c in design_cols],
                errors="ignore",
            ),
        ],
        axis=1,
    )
    data = data.loc[:, ~data.columns.duplicated()]
    design = design_from_model(data, model, weight=WEIGHT, file=layout.WEIGHTED)
    cfg = EstimationConfig(
        reliability=ReliabilityRules(
            suppress_below=run.config.min_n, careful_below=run.config.min_n_reliable
        )
    )
    est = estimate(data, design, indicators, by, config=cfg)
    cmp = compare_domains(data, design, indicators, [d for d in domains], config=cfg)
    within = _compare_within_sector(data, design, indicators, domains, by, cfg)
    if len(within):
        cmp = pd.concat([cmp, within], ignore_index=True)
    keys = list(ESTIMATE_KEYS)
    extra = cmp[keys + ["diff", "diff_se", "p_value", "significant"]]
    table = est.table.merge(extra, on=keys, how="left", validate="one_to_one")
    out = run.stage_dir("estimate")
    p_pq = write_parquet(out / layout.ESTIMATES, table)
    p_csv = write_text(out / layout.ESTIMATES_CSV, to_csv_text(table))
    p_cmp = write_text(out / layout.COMPARE_DOMAINS, to_csv_text(cmp))
    p_risk = write_text(
        out / layout.RISK_PROFILES, to_csv_text(_risk_profiles(q, data, design, domains, run))
    )
    p_numeric = _numeric_estimates(q, scored, data, design, by, cfg, out)
    notices = [{"code": n.code, "message": n.message} for n in est.notices]
    if fallback:
        notices.append(
            {
                "code": "calibration_model_missing",
                "message": f"{layout.relative('weight', layout.CALIBRATION_MODEL)} is missing "
                "(a run weighted by an earlier version): the variance assumes raking from weight 1 "
                "on the questionnaire's weighting variables; rerun the weight stage",
            }
        )
    p_json = write_json(
        out / layout.DIAGNOSTICS,
        {
            "indicators": indicators,
            "by": by,
            "rows": len(table),
            "variance": describe(model),
            "notices": notices,
        },
    )
    flags = table["flags"].fillna("").value_counts().to_dict()
    extra_files = _employment_estimates(q, scored, indicators, domains, cfg, out, model)
    return StageResult(
        "estimate",
        {"in": len(scored), "estimates": len(table)},
        (p_pq, p_csv, p_cmp, p_risk, *p_numeric, p_json, *extra_files),
        summary={"flags": {str(k): int(v) for k, v in flags.items()}, "notices": notices},
    )


def _numeric_estimates(
    q: Questionnaire,
    scored: pd.DataFrame,
    data: pd.DataFrame,
    design: Design,
    by: list[str],
    cfg: EstimationConfig,
    out: Path,
) -> tuple[Path, ...]:
    """The mean and median of the questionnaire's numeric indicators (e.g. commuting minutes) per
    domain (``numeric_estimates.csv``); nothing for a questionnaire without one."""
    from pipeline.estimation.api import to_csv_text
    from pipeline.estimation.numeric import numeric_estimates
    from pipeline.fileio import write_text

    specs = [
        (i.name, i.variable)
        for i in q.indicators
        if i.kind == "numeric" and i.variable is not None and i.variable in scored.columns
    ]
    if not specs:
        return ()
    cols = [v for _n, v in specs if v not in data.columns]
    frame = pd.concat([data, scored[cols]], axis=1) if cols else data
    table = numeric_estimates(frame, design, specs, by, missing=q.missing_code_values(), config=cfg)
    return (write_text(out / layout.NUMERIC_ESTIMATES, to_csv_text(table)),)


def _employment_estimates(
    q: Questionnaire,
    scored: pd.DataFrame,
    indicators: list[str],
    domains: list[str],
    cfg: EstimationConfig,
    out: Path,
    model: CalibrationModel,
) -> tuple[Path, ...]:
    """An organisation survey (``study.unit: organisation``, stratified) with size bands derived
    from a number of employees: every indicator as a share of employees and the magnitude items as population
    totals (``pipeline.estimation.employment``), written beside the estimates table."""
    from pipeline.estimation.api import to_csv_text
    from pipeline.estimation.employment import employment_estimates
    from pipeline.fileio import write_text

    # the design is the one the weight stage recorded (02_weight/calibration.json): its strata and
    # fpc columns, never the questionnaire's declaration re-read here
    if q.study.unit != "organisation" or model.strata is None or model.fpc is None:
        return ()
    if model.strata not in scored.columns or model.fpc not in scored.columns:
        return ()
    # its calibration must be on the strata themselves (post-stratification on sector group x size
    # class), where the stratified variance is the calibrated one; else no such table
    if any(tuple(m.variables) != tuple(model.strata_variables) for m in model.margins):
        return ()
    # the number of employees: the item the size bands are derived from (size_band <- employees)
    size = next(
        (
            d.source
            for d in q.derived
            if d.source in q.variables() and q.item(d.source).type.value == "integer"
        ),
        None,
    )
    if size is None or size not in scored.columns:
        return ()
    magnitudes = [
        it.name
        for it in q.items
        if it.type.value == "integer"
        and it.measure is not None
        and it.measure.value == "scale"
        and it.unit
        and it.modes is None
        and it.name in scored.columns
    ]
    table = employment_estimates(
        scored,
        weight=WEIGHT,
        size=size,
        strata=list(model.strata_variables),
        stratum_column=model.strata,
        fpc_column=model.fpc,
        indicators=[i for i in indicators if i in scored.columns],
        by=domains,
        magnitudes=magnitudes,
        config=cfg,
        missing=q.missing_code_values(),
    )
    return (
        write_parquet(out / layout.ESTIMATES_EMPLOYMENT, table),
        write_text(out / layout.ESTIMATES_EMPLOYMENT_CSV, to_csv_text(table)),
    )


# --------------------------------------------------------------------------- outputs
def _with_trend(
    run: Run,
    q: Questionnaire,
    ctx: ReportContext,
    publisher: Publisher | None = None,
    estimates: pd.DataFrame | None = None,
) -> tuple[ReportContext, dict[str, object]]:
    """The report context with the trend from the run's archive (its earlier waves' fieldwork
    counts too, for the reports' fieldwork table), and what the manifest records of it (the waves,
    their data versions and, for the earlier waves, the number invited and the responses; None
    for a wave archived without them). ``publisher``: the reports' figures are protected (this
    wave's are ``estimates``; an earlier wave's only where its ledger released them:
    :func:`pipeline.reports.trend.with_trend`)."""
    from pipeline.reports.trend import with_trend
    from pipeline.rundata.layout import policy_file

    assert run.config.archive is not None
    ctx = with_trend(
        ctx,
        policy_file(run.config.archive, run.dir),
        run.dir,
        q,
        publisher=publisher,
        estimates=estimates,
    )
    t = ctx.trend
    if t is None:
        return ctx, {"trend": None}
    counts = dict(t.fieldwork)
    waves = [
        {
            "wave": y,
            "study": s,
            "data_version": v,
            **(
                {}
                if y not in counts
                else {
                    "fieldwork": None
                    if (c := counts[y]) is None
                    else {"invited": c.invited, "responded": c.responded}
                }
            ),
        }
        for y, s, v in t.waves
    ]
    return ctx, {"trend": {"series": t.series, "waves": waves}}


#: The scientific-use release profile (``releases/``) the outputs stage writes per population; the
#: enterprise survey's organisations have their own (size bands, top-coded training days, k = 5).
MICRODATA_PROFILES: dict[str, str] = {
    "werknemers": "scientific-use",
    "zelfstandigen": "scientific-use-zelfstandigen",
    "ondernemingen": "scientific-use-ondernemingen",
}


def _with_respondents(jobs: tuple[ReportJob, ...], est: pd.DataFrame) -> tuple[ReportJob, ...]:
    """The jobs but the group reports of groups without a single respondent (a sector's own
    sample, e.g. PC 126, lies in one sector of the employees' list: no empty report for the others)."""
    from pipeline.rundata.levels import level_text

    by = est["by"].fillna("").astype(str)
    level = est["level"].fillna("").astype(str)
    n = est["n"].fillna(0)
    return tuple(
        j
        for j in jobs
        if j.kind != "group"
        or j.code is None
        or bool(((by == j.domain) & (level == level_text(j.code)) & (n > 0)).any())
    )


def stage_outputs(run: Run) -> StageResult:
    """One HTML report per group (sector; occupational group for the self-employed) plus the Flanders
    overview, one custom table (xlsx + csv) and the scientific-use microdata release (.sav, .dta, CSV,
    codebook; anonymised by pipeline.sdc.microdata). PDFs: ``wbm report``."""
    from pipeline.release.build import build_release, load_run_source
    from pipeline.reports.batch import jobs_with_figures, plan_reports, render_reports
    from pipeline.reports.rundir import context_from_run
    from pipeline.reports.withheld import protect_report_inputs
    from pipeline.rundata.layout import policy_file, policy_reference
    from pipeline.sdc.publisher import publisher
    from pipeline.tables.figures import protect_run_figures
    from pipeline.tables.standard import write_standard_table

    given = None if run.config.policy is None else policy_file(run.config.policy, run.dir)
    pub = publisher(given)  # --policy, else $WBM_POLICY; nothing is published without one
    q = run.questionnaire()
    est = read_parquet(run.need("estimate", layout.ESTIMATES))
    ctx = context_from_run(run.dir, q)
    trend_summary: dict[str, object] = {}
    protect = pub.policy.policy.protect_reports
    if run.config.archive is not None and not protect:
        ctx, trend_summary = _with_trend(run, q, ctx)
    out = run.stage_dir("outputs")
    # the standard table first (one request through the table engine), then the reports' figures
    # protected jointly against it and every other release of the data version
    table = write_standard_table(
        run.dir,
        out / layout.TABLES_DIR,
        pub,
        min_n=run.config.min_n,
        min_n_reliable=run.config.min_n_reliable,
    )
    # the publisher's choice (policy protect_reports): the reports show only what the disclosure
    # engine releases, logged as a public release (pipeline.tables.figures)
    shown, figures = est, None
    if protect:
        shown, figures = protect_run_figures(
            est,
            run.dir,
            pub,
            min_n=run.config.min_n,
            min_n_reliable=run.config.min_n_reliable,
            numeric=ctx.numeric,  # the numeric indicators' means: cells of the same release
            employment=ctx.employment,  # an organisation survey's shares of employees, totals
        )
        # and the figures that do not come from the estimates table are left out (fail closed)
        shown, ctx = protect_report_inputs(
            shown,
            ctx,
            figures.numeric,
            figures.median_min_equal,
            figures.employment,
            figures.risk,
            figures.risk_min_count,
        )
        if run.config.archive is not None:  # earlier waves: only what their ledgers released
            ctx, trend_summary = _with_trend(run, q, ctx, pub, shown)
    # protected: a group gets a report only where its figures are published (a group without
    # respondents and one under the minimum alike); otherwise every group with respondents
    jobs = (
        jobs_with_figures(plan_reports(q, all_groups=True), shown, q)
        if protect
        else _with_respondents(plan_reports(q, all_groups=True), est)
    )
    shown_file = out / layout.SHOWN_ESTIMATES
    if protect:
        # what the reports show (flags and numbers), kept with the run and, by `wbm archive add`,
        # with the wave: the record of which of its figures were published
        write_parquet(shown_file, shown)
    else:
        shown_file.unlink(missing_ok=True)  # an earlier protected run's: not what is shown now
    reports = render_reports(
        shown, q, out / layout.REPORTS_DIR, jobs, context=ctx, formats=("html",)
    )
    profile = MICRODATA_PROFILES.get(q.study.population)
    release = None
    if profile is not None:
        src = load_run_source(
            run.dir, questionnaire=q
        )  # this run's questionnaire, not one looked up by id
        release = build_release(
            src, profile, out / layout.MICRODATA_DIR, pdf=False, replace=True
        )  # anonymised (pipeline.sdc.microdata)
    outputs = sorted(p for p in out.rglob("*") if p.is_file())
    rows = {
        "reports": len(reports),
        "tables": 1,
        "microdata_rows": 0 if release is None else len(release.table.frame),
    }
    return StageResult(
        "outputs",
        rows,
        tuple(outputs),
        summary={
            "reports": sorted(p.name for p in reports),
            "table": table.name,
            **(
                {}
                if figures is None
                else {"report_figures": {**figures.summary(), "withheld": list(ctx.withheld)}}
            ),
            "microdata": None if release is None else release.sav.name,
            "policy": policy_reference(pub.policy.file, run.dir),
            **trend_summary,
        },
    )
