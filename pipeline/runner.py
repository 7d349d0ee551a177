"""Orchestration: the stages of a run, each reading and writing files in a run directory.

    ingest+validate -> weight -> score -> estimate -> outputs

Each stage is a function ``stage_X(run: Run) -> StageResult`` that reads the previous stage's files,
calls an engine (``pipeline.validate``, ``pipeline.weighting``, ``pipeline.scoring``,
``pipeline.estimation``, ``pipeline.reports``) and writes its own directory, so any stage can be rerun
alone and its files inspected. Engines know nothing about run directories; this module knows nothing
about statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from pipeline.errors import InputError, Problem, UsageError, one_of
from pipeline.fileio import ensure_dir, read_json_object
from pipeline.manifest import Manifest, file_entry
from pipeline.rundata.layout import STAGES, manifest_path, questionnaire_path, stage_dir, stage_file
from pipeline.rundata.read import RUN_QUESTIONNAIRE
from pipeline.rundata.verify import verify_file


class InputSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    path: Path
    mode: str | None = None
    dialect: str | None = None  # declared import dialect (None: detected)
    mapping: Path | None = None  # mapping of columns and codes (pipeline.ingest.mapping)


class RunConfig(BaseModel):
    """Everything a run depends on besides the input files' contents (recorded in the manifest)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    questionnaire: str  # shipped id or path
    inputs: tuple[InputSpec, ...]
    margins: Path
    frame: Path | None = None  # the sample frame (every invited unit, register variables)
    population: str = "default"  # cut-off population
    method: str = "raking"
    bounds: tuple[float, float] | None = None  # limits of g = weight / base weight
    trim_cap: float | None = None  # largest allowed weight (trimmed and re-calibrated)
    trim_median_k: float | None = None  # or: at most k x the median weight
    min_n: int = 30  # below: suppressed
    min_n_reliable: int = 50  # below: to be read with care
    release_seed: int = 2023
    wave_label: str = "2023"
    policy: str | None = None  # the publisher's policy file, relative to the run (else $WBM_POLICY)
    archive: str | None = (
        None  # the wave archive whose earlier waves the reports show, relative to the run
    )
    language: Literal["nl", "en"] = "nl"  # of the validation and weighting reports

    @classmethod
    def from_wave_dir(cls, wave_dir: Path, **overrides: Any) -> RunConfig:
        meta_path = wave_dir / "wave.json"
        if not meta_path.exists():
            raise InputError(
                f"{wave_dir}: not a wave directory",
                [
                    Problem(
                        "wave.json is missing",
                        file=str(meta_path),
                        hint="create the wave with 'wbm synth --out DIR' or pass --questionnaire/--input/--margins",
                    )
                ],
            )
        meta = read_json_object(
            meta_path,
            expected="the wave's description: questionnaire, inputs, margins",
            hint="write the wave again with 'wbm synth --out DIR', or pass "
            "--questionnaire/--input/--margins",
        )
        wave = _wave_meta(meta, wave_dir, meta_path)
        frame = wave.pop("frame")
        frame = overrides.pop("frame", None) or frame
        return cls(**wave, frame=frame, **overrides)


def _wave_meta(meta: dict[str, Any], wave_dir: Path, meta_path: Path) -> dict[str, Any]:
    """The run configuration a ``wave.json`` describes; every problem at once (code ``bad_wave``):
    keys missing or of the wrong type, inputs outside the wave folder or not there."""
    problems: list[Problem] = []

    def bad(where: str, message: str, value: object = None, expected: str | None = None) -> None:
        problems.append(
            Problem(
                message,
                file=str(meta_path),
                path=where,
                value=value,
                expected=expected,
                hint="write the wave again with 'wbm synth --out DIR'",
                code="bad_wave",
            )
        )

    def inside(where: str, rel: object) -> Path | None:
        if not isinstance(rel, str) or not rel:
            bad(where, "not a file name", rel, "a path relative to the wave folder")
            return None
        p = wave_dir / rel
        if wave_dir.resolve() not in p.resolve().parents:
            bad(
                where, "names a file outside the wave folder", rel, "a file inside " + str(wave_dir)
            )
            return None
        if not p.is_file():
            bad(where, "names a file that is not there", rel, "an existing file")
            return None
        return p

    q = meta.get("questionnaire")
    if not isinstance(q, str) or not q:
        bad("questionnaire", "missing or not text", q, "a questionnaire id or file")
    margins = inside("margins", meta.get("margins"))
    frame = inside("frame", meta["frame"]) if meta.get("frame") is not None else None
    raw = meta.get("inputs")
    inputs: list[InputSpec] = []
    if not isinstance(raw, list) or not raw:
        bad("inputs", "missing or not a list", None, "a list of {path, mode}")
        raw = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            bad(f"inputs[{i}]", "not an object", entry, "{path, mode}")
            continue
        mode = entry.get("mode")
        if mode is not None and not isinstance(mode, str):
            bad(f"inputs[{i}].mode", "not text", mode, "paper, web or cati")
            continue
        dialect = entry.get("dialect")
        if dialect is not None and not isinstance(dialect, str):
            bad(f"inputs[{i}].dialect", "not text", dialect, "the name of an import dialect")
            continue
        mapping = inside(f"inputs[{i}].mapping", entry["mapping"]) if entry.get("mapping") else None
        p = inside(f"inputs[{i}].path", entry.get("path"))
        if p is not None:
            inputs.append(InputSpec(path=p, mode=mode, dialect=dialect, mapping=mapping))
    if problems:
        raise InputError(f"{meta_path}: the wave description is broken", problems, code="bad_wave")
    return {
        "questionnaire": q,
        "inputs": tuple(inputs),
        "margins": margins,
        "frame": frame,
        "wave_label": str(meta.get("wave", "2023")),
    }


@dataclass(frozen=True)
class StageResult:
    stage: str
    rows: dict[str, Any]
    outputs: tuple[Path, ...]
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass
class Run:
    """A run directory plus its configuration; stage functions take one of these."""

    dir: Path
    config: RunConfig
    manifest: Manifest = field(init=False)

    def __post_init__(self) -> None:
        ensure_dir(self.dir)
        self.manifest = Manifest.open(self.dir)

    def stage_dir(self, stage: str) -> Path:
        return ensure_dir(stage_dir(self.dir, stage))

    def need(self, stage: str, name: str) -> Path:
        p = stage_file(self.dir, stage, name)
        if not p.exists():
            raise UsageError(
                f"{p} is missing",
                [
                    Problem(
                        f"stage {stage!r} has not been run in this run directory",
                        hint=f"run 'wbm run --stage {stage}' first",
                    )
                ],
            )
        return verify_file(self.dir, self.manifest.data, stage, name)  # as the stage wrote it

    def questionnaire(self) -> Any:
        """The run's own questionnaire (written when the run started, checked against the manifest);
        the configured one for a run that has none yet."""
        from pipeline.questionnaire.load import load_questionnaire
        from pipeline.rundata.read import own_questionnaire, questionnaire_spec

        if questionnaire_spec(self.manifest.data, RUN_QUESTIONNAIRE):
            return own_questionnaire(self.dir, self.manifest.data)
        return load_questionnaire(self.config.questionnaire)


def record(run: Run, result: StageResult) -> StageResult:
    run.manifest.record_stage(
        result.stage, rows=result.rows, outputs=list(result.outputs), summary=result.summary
    )
    run.manifest.write()
    return result


def start(run: Run) -> None:
    """Record inputs (with checksums), specs and parameters before any stage runs."""
    from pipeline.questionnaire.dump import save_questionnaire
    from pipeline.questionnaire.load import load_questionnaire, resolve

    cfg = run.config
    for spec in cfg.inputs:
        if not spec.path.exists():
            raise InputError(
                f"input file {spec.path} does not exist",
                [Problem("no such file", file=str(spec.path))],
            )
    if cfg.frame is not None and not cfg.frame.exists():
        raise InputError(
            f"sample frame {cfg.frame} does not exist",
            [Problem("no such file", file=str(cfg.frame), hint="give --frame FILE or drop it")],
        )
    for spec in cfg.inputs:
        if spec.mapping is not None and not spec.mapping.exists():
            raise InputError(
                f"mapping file {spec.mapping} does not exist",
                [Problem("no such file", file=str(spec.mapping))],
            )
    entries = []
    for s in cfg.inputs:
        extra: dict[str, Any] = {"mode": s.mode}
        if s.dialect:
            extra["dialect"] = s.dialect
        if s.mapping:
            extra["mapping"] = s.mapping.name
        entries.append(file_entry(s.path, role="data", **extra))
    entries += [
        file_entry(s.mapping, role="mapping", input=s.path.name)
        for s in cfg.inputs
        if s.mapping is not None
    ]
    if cfg.frame is not None:
        entries.append(file_entry(cfg.frame, role="frame"))
    run.manifest.set_inputs(entries)
    q = load_questionnaire(cfg.questionnaire)
    own = save_questionnaire(
        q,
        questionnaire_path(run.dir),
        header=f"The questionnaire of this run (from {Path(str(cfg.questionnaire)).name}, "
        "resolved); 'wbm report', 'wbm table' and 'wbm release' read this file.",
    )
    specs = [
        file_entry(
            resolve(cfg.questionnaire),
            role="questionnaire",
            id=q.study.id,
            version=q.study.version,
            schema_version=q.schema_version,
        )
    ]
    specs.append(file_entry(own, role=RUN_QUESTIONNAIRE, base=run.dir, id=q.study.id))
    if cfg.margins.exists():
        specs.append(file_entry(cfg.margins, role="margins"))
    run.manifest.set_specs(specs)
    params = cfg.model_dump(mode="json", exclude={"inputs", "margins", "frame"})
    run.manifest.set_parameters(params)
    run.manifest.write()


def run_stages(
    run: Run, stages: Sequence[str] = STAGES, *, progress: Callable[[str], None] | None = None
) -> list[StageResult]:
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise UsageError(one_of(unknown[0], STAGES))
    from pipeline import stages as st

    funcs: dict[str, Callable[[Run], StageResult]] = {
        "validate": st.stage_validate,
        "weight": st.stage_weight,
        "score": st.stage_score,
        "estimate": st.stage_estimate,
        "outputs": st.stage_outputs,
    }
    if "validate" in stages or not manifest_path(run.dir).exists():
        start(run)
    results = []
    for s in STAGES:
        if s in stages:
            if progress:
                progress(s)
            results.append(record(run, funcs[s](run)))
    return results
