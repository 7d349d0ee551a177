"""Orchestration: the stages of a run, each reading and writing files in a run directory.

    ingest+validate -> weight -> score -> estimate -> outputs

Each stage is a function ``stage_X(run: Run) -> StageResult`` that reads the previous stage's files,
calls an engine (``pipeline.validate``, ``pipeline.weighting``, ``pipeline.scoring``,
``pipeline.estimation``, ``pipeline.reports``) and writes its own directory, so any stage can be rerun
alone and its files inspected. Engines know nothing about run directories; this module knows nothing
about statistics.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from pipeline.errors import InputError, Problem, UsageError, one_of
from pipeline.manifest import Manifest, file_entry
from pipeline.rundata.layout import STAGES, manifest_path, stage_dir, stage_file


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
    min_n: int = 30  # below: suppressed
    min_n_reliable: int = 50  # below: to be read with care
    release_seed: int = 2023
    wave_label: str = "2023"
    policy: str | None = None  # the publisher's policy file, relative to the run (else $WBM_POLICY)
    archive: str | None = (
        None  # the wave archive whose earlier waves the reports show, relative to the run
    )

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
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        inputs = tuple(
            InputSpec(
                path=wave_dir / i["path"],
                mode=i.get("mode"),
                dialect=i.get("dialect"),
                mapping=wave_dir / i["mapping"] if i.get("mapping") else None,
            )
            for i in meta["inputs"]
        )
        return cls(
            questionnaire=meta["questionnaire"],
            inputs=inputs,
            margins=wave_dir / meta["margins"],
            frame=overrides.pop("frame", None)
            or (wave_dir / meta["frame"] if meta.get("frame") else None),
            wave_label=str(meta.get("wave", "2023")),
            **overrides,
        )


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
        self.dir.mkdir(parents=True, exist_ok=True)
        self.manifest = Manifest.open(self.dir)

    def stage_dir(self, stage: str) -> Path:
        d = stage_dir(self.dir, stage)
        d.mkdir(parents=True, exist_ok=True)
        return d

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
        return p

    def questionnaire(self) -> Any:
        from pipeline.questionnaire.load import load_questionnaire

        return load_questionnaire(self.config.questionnaire)


def record(run: Run, result: StageResult) -> StageResult:
    run.manifest.record_stage(
        result.stage, rows=result.rows, outputs=list(result.outputs), summary=result.summary
    )
    run.manifest.write()
    return result


def start(run: Run) -> None:
    """Record inputs (with checksums), specs and parameters before any stage runs."""
    from pipeline.questionnaire.load import resolve

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
    q = run.questionnaire()
    specs = [
        file_entry(
            resolve(cfg.questionnaire),
            role="questionnaire",
            id=q.study.id,
            version=q.study.version,
            schema_version=q.schema_version,
        )
    ]
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
