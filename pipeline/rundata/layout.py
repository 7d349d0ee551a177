"""Where things are in a run directory: the stages, their directories and the files they write.

A run directory (``wbm run --out RUN``, ``wbm demo`` writes ``OUT/run``)::

    RUN/manifest.json           inputs + SHA-256, specs, parameters, rows and outputs per stage
    RUN/questionnaire.yaml      the run's own questionnaire (resolved; its SHA-256 in the manifest)
    RUN/01_validate/            accepted.parquet, set_aside.parquet, edits.parquet, issues.parquet,
                                diagnostics.json, validation_report.html
    RUN/02_weight/              weighted.parquet, calibration.json, diagnostics.json,
                                weighting_report.html
    RUN/03_score/               scored.parquet, diagnostics.json
    RUN/04_estimate/            estimates.parquet, estimates.csv, compare_domains.csv, diagnostics.json
    RUN/05_outputs/             reports/, tables/, microdata/ (shown_estimates.parquet: under the
                                policy protect_reports: true)
    RUN/06_fieldwork/           fieldwork.json, fieldwork.html (``wbm fieldwork``, not a stage)
    RUN/07_plan/                plan.json, plan.html (``wbm plan``, not a stage)

Every name is defined here once; code builds paths with :func:`stage_dir` and :func:`stage_file`
(never a literal ``"03_score"``). The contract is documented in ``docs/run-contract.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

STAGES: Final = ("validate", "weight", "score", "estimate", "outputs")
"""The stages of a run, in the order they run."""

STAGE_DIRS: Final[dict[str, str]] = {
    "validate": "01_validate",
    "weight": "02_weight",
    "score": "03_score",
    "estimate": "04_estimate",
    "outputs": "05_outputs",
}
"""The directory of each stage, relative to the run directory."""

MANIFEST: Final = "manifest.json"
"""The run manifest at the root of a run directory (:mod:`pipeline.manifest` writes it)."""

QUESTIONNAIRE: Final = "questionnaire.yaml"
"""The run's own questionnaire: the one the run used, resolved into one file (modules composed) and
written when the run starts; every command reading the run uses it, checked against the SHA-256 the
manifest records (``specs``, role ``run_questionnaire``)."""

DIAGNOSTICS: Final = "diagnostics.json"
"""Every stage up to ``estimate`` writes its diagnostics under this name in its directory."""

# 01_validate
ACCEPTED: Final = "accepted.parquet"
SET_ASIDE: Final = "set_aside.parquet"
EDITS: Final = "edits.parquet"
ISSUES: Final = "issues.parquet"
VALIDATION_REPORT: Final = "validation_report.html"
VALIDATE_FILES: Final = (ACCEPTED, SET_ASIDE, EDITS, ISSUES, DIAGNOSTICS, VALIDATION_REPORT)
"""What validation writes (``wbm validate --out DIR`` and ``01_validate/``), in this order."""
# 02_weight
WEIGHTED: Final = "weighted.parquet"
WEIGHTING_REPORT: Final = "weighting_report.html"
CALIBRATION_MODEL: Final = "calibration.json"
"""The calibration model of the weights (:mod:`pipeline.rundata.calibration`): margins as used,
method, bounds, trimming and the design (base weight, strata, PSU, fpc); every estimate reads it."""
# 03_score
SCORED: Final = "scored.parquet"
# 04_estimate
ESTIMATES: Final = "estimates.parquet"
ESTIMATES_CSV: Final = "estimates.csv"
COMPARE_DOMAINS: Final = "compare_domains.csv"
RISK_PROFILES: Final = "risk_profiles.csv"
"""Prevalence ratios and attributable fractions of the risk factors per workability problem."""
NUMERIC_ESTIMATES: Final = "numeric_estimates.csv"
"""Numeric indicators (``kind: numeric``, e.g. commuting minutes): mean and median per domain
(:mod:`pipeline.estimation.numeric`); only in runs whose questionnaire has one."""
ESTIMATES_EMPLOYMENT: Final = "estimates_employment.parquet"
"""Organisation surveys only: indicators as shares of employees and magnitude totals (the tidy
table plus ``basis``; :mod:`pipeline.estimation.employment`)."""
ESTIMATES_EMPLOYMENT_CSV: Final = "estimates_employment.csv"
# 05_outputs
REPORTS_DIR: Final = "reports"
TABLES_DIR: Final = "tables"
MICRODATA_DIR: Final = "microdata"
SHOWN_ESTIMATES: Final = "shown_estimates.parquet"
"""Under the publisher's policy ``protect_reports: true`` only: the estimates as the reports showed
them (every figure the disclosure engine did not release flagged ``suppressed``, its numbers
removed; :mod:`pipeline.tables.figures`). The wave archive keeps it with the wave: the record of
which of its figures were published travels with the archive."""

TOOL_DIRS: Final[dict[str, str]] = {"fieldwork": "06_fieldwork", "plan": "07_plan"}
"""Default output folders of the commands that read a finished run and are not stages."""
FIELDWORK_JSON: Final = "fieldwork.json"
PLAN_JSON: Final = "plan.json"


def stage_dir(run_dir: str | Path, stage: str) -> Path:
    """``RUN/<nn_stage>`` (not created); ``stage`` is one of :data:`STAGES`."""
    return Path(run_dir) / STAGE_DIRS[stage]


def stage_file(run_dir: str | Path, stage: str, name: str) -> Path:
    """``RUN/<nn_stage>/<name>``, e.g. ``stage_file(run, "score", SCORED)``."""
    return stage_dir(run_dir, stage) / name


def relative(stage: str, name: str) -> str:
    """The path of a stage's file relative to the run directory, as messages and the manifest show
    it (``03_score/scored.parquet``)."""
    return f"{STAGE_DIRS[stage]}/{name}"


def outputs_dir(run_dir: str | Path, kind: str) -> Path:
    """``RUN/05_outputs/<kind>`` for ``kind`` in :data:`REPORTS_DIR`, :data:`TABLES_DIR`,
    :data:`MICRODATA_DIR`."""
    return stage_dir(run_dir, "outputs") / kind


def tool_dir(run_dir: str | Path, tool: str) -> Path:
    """``RUN/06_fieldwork`` or ``RUN/07_plan`` (not created): the default ``--out`` of
    ``wbm fieldwork`` / ``wbm plan``; ``tool`` is a key of :data:`TOOL_DIRS`."""
    return Path(run_dir) / TOOL_DIRS[tool]


def manifest_path(run_dir: str | Path) -> Path:
    return Path(run_dir) / MANIFEST


def questionnaire_path(run_dir: str | Path) -> Path:
    return Path(run_dir) / QUESTIONNAIRE


def policy_reference(policy: str | Path, run_dir: str | Path) -> str:
    """How a run records the publisher's policy file: relative to the run directory (the manifest
    names no absolute path), so the demo's run finds ``../publisher/policy.yaml``."""
    import os

    return Path(os.path.relpath(Path(policy).resolve(), Path(run_dir).resolve())).as_posix()


def policy_file(reference: str, run_dir: str | Path) -> Path:
    """The policy file a run recorded (:func:`policy_reference`), as a path."""
    p = Path(reference)
    return p if p.is_absolute() else (Path(run_dir) / p).resolve()
