"""What ``wbm archive add`` takes from a run folder: its files' bytes (checked against the run's
manifest), the questionnaire file it was run with (checked against the manifest's SHA-256), and the
design and calibration model of its weights.

Nothing here writes; :mod:`pipeline.archive.store` stages and moves the files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.archive.layout import REQUIRED_RUN_FILES, RUN_FILES, RUN_PATH
from pipeline.archive.records import Calibration, DesignModel, Margin
from pipeline.errors import InputError, Problem, SpecError, UsageError
from pipeline.questionnaire.model import Questionnaire

ADD_HINT = "run the pipeline into the run folder first ('wbm run --wave WAVE --out RUN')"


@dataclass(frozen=True, eq=False)
class RunBundle:
    """A finished run as the archive stores it."""

    run_dir: Path
    files: dict[str, bytes]  # role -> bytes (roles of layout.RUN_FILES that exist)
    questionnaire: Questionnaire
    questionnaire_bytes: bytes
    questionnaire_ref: str  # how the run names it (shipped id or path)
    manifest: dict[str, Any]
    design: DesignModel
    data_version: str
    respondents: int
    synthetic: bool
    cutoff_population: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _questionnaire(run: Path, manifest: dict[str, Any]) -> tuple[Questionnaire, bytes, str]:
    from pipeline.questionnaire.load import load_questionnaire, resolve
    from pipeline.rundata.layout import questionnaire_path
    from pipeline.rundata.read import RUN_QUESTIONNAIRE, own_questionnaire, questionnaire_spec

    own = questionnaire_spec(manifest, RUN_QUESTIONNAIRE)
    given = questionnaire_spec(manifest)
    has_own = bool(own) and questionnaire_path(run).is_file() and own.get("id") == given.get("id")

    def own_copy() -> tuple[Questionnaire, bytes, str]:
        """The run's own copy (hash-checked): when the file it was given has moved or changed."""
        q = own_questionnaire(run, manifest)
        ref = (manifest.get("parameters") or {}).get("questionnaire")
        return q, questionnaire_path(run).read_bytes(), str(ref or q.study.id)

    params = manifest.get("parameters") if isinstance(manifest.get("parameters"), dict) else {}
    ref = (params or {}).get("questionnaire")
    spec = next(
        (
            s
            for s in manifest.get("specs") or []
            if isinstance(s, dict) and s.get("role") == "questionnaire"
        ),
        None,
    )
    if not isinstance(ref, str) or spec is None:
        raise UsageError(
            f"{run}: not a finished run (its manifest names no questionnaire)",
            [
                Problem(
                    "no questionnaire in manifest.json",
                    file=str(run / "manifest.json"),
                    hint=ADD_HINT,
                )
            ],
            code="archive_not_a_run",
        )
    try:
        path = resolve(ref)  # the file the run was given, archived byte for byte when unchanged
    except SpecError:
        if has_own:
            return own_copy()
        raise
    data = path.read_bytes()
    if isinstance(spec.get("sha256"), str) and sha256(data) != spec["sha256"]:
        if has_own:
            return own_copy()
        raise InputError(
            f"{run}: the questionnaire changed since the run",
            [
                Problem(
                    "the file's SHA-256 differs from the one the run recorded",
                    file=str(path),
                    value=sha256(data)[:12],
                    expected=f"SHA-256 {str(spec['sha256'])[:12]}... (manifest.json, specs)",
                    hint="restore the questionnaire file the run used, or rerun the pipeline with "
                    "the current one before archiving",
                )
            ],
            code="archive_questionnaire_changed",
        )
    return load_questionnaire(path), data, ref


def design_from_run(run: Path, q: Questionnaire, diagnostics: dict[str, Any]) -> DesignModel:
    """The design and calibration model of a run's weights: the model the weight stage recorded
    (``02_weight/calibration.json``: margins as used, base weight, strata, fpc); for a run made
    before it was recorded, raking from weight 1 to the margins its diagnostics list (variables
    ``a*b`` are joint margins), and without diagnostics to the questionnaire's weighting variables."""
    from pipeline.rundata.calibration import read_calibration_model
    from pipeline.rundata.layout import CALIBRATION_MODEL, relative

    recorded = read_calibration_model(run)
    if recorded is not None:
        return DesignModel(
            strata=recorded.strata,
            psu=recorded.psu,
            fpc=recorded.fpc,
            calibration=Calibration(
                method=recorded.method,
                base_weight=recorded.base_weight,
                bounds=recorded.bounds,
                levels_as_used=True,
                margins=tuple(
                    Margin(
                        variables=g.variables,
                        levels=tuple(lv.replace("*", ":") for lv in g.levels),
                        targets=g.targets,
                        recode=g.recode,
                    )
                    for g in recorded.margins
                ),
            ),
            source=relative("weight", CALIBRATION_MODEL),
        )
    groups: dict[str, list[tuple[str, float]]] = {}
    for m in diagnostics.get("margins") or []:
        if isinstance(m, dict) and isinstance(m.get("margin"), str):
            target = m.get("target")
            groups.setdefault(m["margin"], []).append(
                (
                    str(m.get("level", "")),
                    float(target) if isinstance(target, (int, float)) else 0.0,
                )
            )
    if groups:
        margins = tuple(
            Margin(
                variables=tuple(name.split("*")),
                levels=tuple(lv.replace("*", ":") for lv, _ in rows),
                targets=tuple(t for _, t in rows),
            )
            for name, rows in groups.items()
        )
        source = RUN_PATH["weighting"]
    else:
        margins = tuple(Margin(variables=(v,)) for v in q.weighting)
        source = "questionnaire weighting variables"
    method = str(diagnostics.get("method") or "raking")
    if not margins:
        return DesignModel(source=source)
    return DesignModel(calibration=Calibration(method=method, margins=margins), source=source)


def read_run(run_dir: str | Path) -> RunBundle:
    """Everything the archive stores from one run (see the module docstring)."""
    import io
    import json

    import pandas as pd

    from pipeline.dataversion import data_version
    from pipeline.rundata.read import require_run_dir, run_manifest
    from pipeline.rundata.verify import run_file_problems

    run = require_run_dir(Path(run_dir))
    manifest = run_manifest(run)
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    for role, rel in RUN_FILES:
        p = run / rel
        if not p.is_file():
            if role in REQUIRED_RUN_FILES:
                problems.append(
                    Problem(
                        f"{rel} is missing", file=str(p), expected="a finished run", hint=ADD_HINT
                    )
                )
            continue
        files[role] = p.read_bytes()
        problems += run_file_problems(run, manifest, rel, files[role])  # as the stage wrote it
    if problems:
        raise UsageError(
            f"{run}: cannot be archived ({len(problems)} problem(s))",
            problems,
            code="archive_bad_run",
        )
    q, qbytes, ref = _questionnaire(run, manifest)
    try:
        scored = pd.read_parquet(io.BytesIO(files["scored"]))
    except Exception as exc:  # pyarrow raises many kinds: all mean "not readable parquet"
        raise InputError(
            f"{run}: the scored data cannot be read ({exc.__class__.__name__})",
            [Problem(str(exc)[:300], file=str(run / RUN_PATH["scored"]), hint=ADD_HINT)],
            code="archive_bad_run",
        ) from exc
    diagnostics: dict[str, Any] = {}
    if "weighting" in files:
        try:
            loaded = json.loads(files["weighting"].decode("utf-8"))
            diagnostics = loaded if isinstance(loaded, dict) else {}
        except (ValueError, UnicodeDecodeError):
            diagnostics = {}
    params = manifest.get("parameters") if isinstance(manifest.get("parameters"), dict) else {}
    meta = diagnostics.get("margins_meta")
    return RunBundle(
        run_dir=run,
        files=files,
        questionnaire=q,
        questionnaire_bytes=qbytes,
        questionnaire_ref=ref,
        manifest=manifest,
        design=design_from_run(run, q, diagnostics),
        data_version=data_version(scored),
        respondents=len(scored),
        synthetic=bool(isinstance(meta, dict) and meta.get("synthetic")),
        cutoff_population=str((params or {}).get("population") or "default"),
    )
