"""Where a table's numbers come from: the scored, weighted data of a finished run, one run per wave.

``wbm table --run RUNDIR`` reads ``RUNDIR/03_score/scored.parquet`` (respondents with weights,
weighting variables, breakdown variables and indicators) and the run's questionnaire (from
``manifest.json``). The **data version** is the SHA-256 of exactly the bytes tabulated (the file is
read once: :func:`pipeline.rundata.read.read_scored`): the ledger compares releases made on the
same data version, and the workbook records it.

:func:`disclosure_columns` gives the disclosure engine the variables cells are defined on, with
every non-substantive breakdown value (empty, or a negative code the questionnaire does not list)
normalised to the questionnaire's first missing code, so the ``missing`` level of a breakdown
(:func:`pipeline.tables.request.missing_codes`) holds exactly the respondents no other level holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.errors import Problem, UsageError
from pipeline.rundata.columns import WEIGHT
from pipeline.tables.request import (
    DEFAULT_CUTOFFS,
    POPULATIONS,
    ResolvedRequest,
    TableRequest,
    missing_codes,
    numeric_indicators,
    tabulated_names,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.questionnaire.model import Questionnaire
    from pipeline.rundata.calibration import CalibrationModel


@dataclass(frozen=True, eq=False)
class WaveData:
    """One wave's scored data. ``weighting`` are the calibration margins of the weights (their
    variables are columns of ``frame``)."""

    frame: pd.DataFrame
    questionnaire: Questionnaire
    data_version: str
    source: str
    weighting: tuple[str, ...]
    run_dir: Path | None = None
    synthetic: bool = False
    method: str = ""  # weighting method, for the notes sheet
    reference: str = ""  # how the run names its questionnaire (a shipped id or a path)
    cutoff_population: str = DEFAULT_CUTOFFS  # the population whose cut-offs scored the data
    policy: str | None = None  # the disclosure policy the run recorded (its outputs stage used)
    calibration: CalibrationModel | None = None  # the run's recorded model (None: raking on
    # ``weighting`` from weight 1, for frames in memory and runs made before it was recorded)

    @property
    def wave(self) -> int:
        return self.questionnaire.study.wave


def wave_data(
    frame: pd.DataFrame,
    q: Questionnaire,
    *,
    data_version: str,
    source: str = "data",
    run_dir: Path | None = None,
    synthetic: bool = False,
    method: str = "",
    weighting: Sequence[str] | None = None,
    reference: str | None = None,
    cutoff_population: str = DEFAULT_CUTOFFS,
    policy: str | None = None,
    calibration: CalibrationModel | None = None,
) -> WaveData:
    """A :class:`WaveData` from a frame in memory (checks the weight and the columns the
    calibration model, or else the weighting variables, need)."""
    from pipeline.estimation.api import require_columns

    margins = tuple(weighting if weighting is not None else q.weighting)
    if calibration is not None:
        margins = tuple(dict.fromkeys(v for g in calibration.margins for v in g.variables))
    need = calibration.columns() if calibration is not None else margins
    require_columns(frame, [WEIGHT, *need], what=source, file=source)
    return WaveData(
        frame,
        q,
        data_version,
        source,
        margins,
        run_dir,
        synthetic,
        method,
        reference or q.study.id,
        cutoff_population,
        policy,
        calibration,
    )


def load_run(run_dir: str | Path) -> WaveData:
    """The scored data of a finished run (see the module docstring): the data and their version from
    :func:`pipeline.rundata.read.read_scored` (one read), the weighting method and whether the
    margins are synthetic as the reports read them (:func:`pipeline.reports.rundir.context_from_run`)."""
    from pipeline.reports.rundir import context_from_run
    from pipeline.rundata.calibration import read_calibration_model
    from pipeline.rundata.layout import MANIFEST, SCORED, manifest_path, stage_file
    from pipeline.rundata.read import (
        questionnaire_reference,
        read_scored,
        recorded_questionnaire,
        run_manifest,
        run_parameters,
    )

    run = Path(run_dir)
    frame, version = read_scored(run)
    manifest = run_manifest(run)
    params = run_parameters(manifest)
    qid = questionnaire_reference(manifest)
    if not qid:
        raise UsageError(
            f"{run}: not a finished run ({MANIFEST} names no questionnaire)",
            [
                Problem(
                    "no questionnaire in the manifest",
                    file=str(manifest_path(run)),
                    hint="run the pipeline into this directory first: wbm run --wave WAVE --out RUNDIR",
                )
            ],
            code="not_a_run",
        )
    q = recorded_questionnaire(run, manifest)  # the run's own, hash-checked
    ctx = context_from_run(run, q)
    model = read_calibration_model(run, manifest)  # what the weight stage did, hash-checked
    return wave_data(
        frame,
        q,
        data_version=version,
        source=str(stage_file(run, "score", SCORED)),
        run_dir=run,
        synthetic=ctx.synthetic,
        method=ctx.weighting.method,
        reference=str(qid),
        cutoff_population=str(params.get("population") or DEFAULT_CUTOFFS),
        policy=_recorded_policy(manifest, run),
        calibration=model,
    )


def _recorded_policy(manifest: dict[str, Any], run: Path) -> str | None:
    """The policy file the run's outputs stage published under (or its configuration named)."""
    stages = manifest.get("stages")
    outputs = stages.get("outputs") if isinstance(stages, dict) else None
    summary = outputs.get("summary") if isinstance(outputs, dict) else None
    for where in (summary, manifest.get("parameters")):
        if isinstance(where, dict) and isinstance(where.get("policy"), str) and where["policy"]:
            from pipeline.rundata.layout import policy_file

            return str(policy_file(where["policy"], run))
    return None


def recorded_policy(manifest: dict[str, Any], run: Path) -> str | None:
    """The policy file a run recorded (its outputs stage's, or its configuration's); None: none."""
    return _recorded_policy(manifest, run)


def match_waves(
    req: TableRequest,
    data: Sequence[WaveData],
    file: str | None = None,
    *,
    expected: Mapping[int, str] | None = None,
) -> dict[int, WaveData]:
    """The data of every requested wave: one run each, of the request's population; ``expected``:
    the study id each wave's questionnaire must have (the request's named questionnaire, or the ones
    a request was already resolved to)."""
    from pipeline.tables.request import available_waves

    problems = []
    by_wave: dict[int, WaveData] = {}
    pop = POPULATIONS[req.population]
    for d in data:
        st = d.questionnaire.study
        if st.population != pop or st.wave not in req.waves:
            problems.append(
                Problem(
                    f"{d.source}: data of {st.population} {st.wave} ({st.id})",
                    file=file,
                    path="waves",
                    expected=f"{pop}, wave " + " or ".join(str(w) for w in sorted(req.waves)),
                    hint="pass one --run per requested wave",
                )
            )
        elif st.wave in by_wave:
            problems.append(
                Problem(
                    f"two runs for wave {st.wave}: {by_wave[st.wave].source} and {d.source}",
                    file=file,
                    path="waves",
                    hint="pass one --run per requested wave",
                )
            )
        elif expected is not None and st.id != expected[st.wave]:
            problems.append(
                Problem(
                    f"{d.source}: questionnaire {st.id}, but the request's wave {st.wave} resolves to "
                    f"{expected[st.wave]}",
                    file=file,
                    path="questionnaire",
                    value=st.id,
                    hint=f"set 'questionnaire: {st.id}' in the request",
                )
            )
        else:
            by_wave[st.wave] = d
    for w in sorted(set(req.waves) - set(by_wave)):
        shipped = available_waves(pop)
        problems.append(
            Problem(
                f"no data for wave {w}",
                file=file,
                path="waves",
                hint="pass a run of that wave with --run RUNDIR"
                + (
                    ""
                    if w in shipped
                    else f"; no shipped questionnaire of {req.population} has wave {w}"
                    f" (waves: {', '.join(map(str, shipped))})"
                ),
            )
        )
    if problems:
        raise UsageError(
            "the runs given do not match the request's waves", problems, code="runs_do_not_match"
        )
    return by_wave


def check_columns(
    resolved: ResolvedRequest, data: Mapping[int, WaveData], file: str | None
) -> None:
    """Every column the resolved request needs is in its wave's data."""
    problems = []
    for w in resolved.waves:
        d = data[w.wave]
        need = [*w.variables.values(), *w.indicators.values()]
        for name in dict.fromkeys(need):
            if name not in d.frame.columns:
                problems.append(
                    Problem(
                        f"the data have no column {name!r}",
                        file=d.source,
                        column=name,
                        hint="score the run with this questionnaire (wbm run --stage score)",
                    )
                )
    if problems:
        raise UsageError(
            f"{file or 'request'}: the data lack columns the request needs",
            problems,
            code="missing_column",
        )


def disclosure_columns(d: WaveData) -> dict[str, np.ndarray]:
    """Float columns of every breakdown variable, indicator, magnitude item and numeric indicator's
    item in the data (see the module docstring)."""
    import pandas as pd

    from pipeline.tables.request import _breakdown_names

    q = d.questionnaire
    miss = np.asarray(missing_codes(q))
    out: dict[str, np.ndarray] = {}
    for name in _breakdown_names(q):
        if name in d.frame.columns:
            v = pd.to_numeric(d.frame[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            out[name] = np.where(np.isnan(v) | ((v < 0) & ~np.isin(v, miss)), miss[0], v)
    for name in tabulated_names(q, d.cutoff_population):
        if name in d.frame.columns:
            out[name] = pd.to_numeric(d.frame[name], errors="coerce").to_numpy(
                dtype=float, na_value=np.nan
            )
    for item in numeric_indicators(q).values():
        if item in d.frame.columns:
            out[item] = numeric_values(d, item)
    return out


def numeric_values(d: WaveData, item: str) -> np.ndarray:
    """A numeric indicator's item as the numeric estimates read it (missing codes and non-numbers
    NaN: :func:`pipeline.estimation.numeric.item_values`), so the cells' ``answered`` is exactly
    who the mean is over."""
    from pipeline.estimation.numeric import item_values

    return item_values(d.frame[item], d.questionnaire.missing_code_values())
