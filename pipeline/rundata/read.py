"""Readers of a run directory: one function per thing read, each giving a located error (file,
what was expected, how to fix it) for a missing or damaged piece, never a traceback.

=========================  =================================================================
:func:`require_run_dir`    the run directory exists
:func:`run_manifest`       ``manifest.json`` (strict; ``lenient=True`` for what reports read)
:func:`run_parameters`     the manifest's ``parameters`` (the run configuration)
:func:`questionnaire_spec` the manifest's ``specs`` entry of the questionnaire (id, SHA-256)
:func:`run_questionnaire`  the questionnaire named by id (or the one given)
:func:`recorded_questionnaire`  the questionnaire file the run used, checked against its SHA-256
:func:`stage_diagnostics`  a stage's ``diagnostics.json`` (lenient: informative only)
:func:`read_scored`        ``03_score/scored.parquet`` and its data version
:func:`read_estimates`     ``04_estimate/estimates.parquet`` (or ``.csv``)
:func:`read_numeric_estimates`  ``04_estimate/numeric_estimates.csv`` (means and medians)
=========================  =================================================================

Every stage file is read through :func:`pipeline.rundata.verify.stage_bytes` (checked against the
SHA-256 the manifest records), and every command reads the run's own questionnaire, hash-checked
(:func:`recorded_questionnaire`). The calibration model of the weights has its reader beside its
spec (:func:`pipeline.rundata.calibration.read_calibration_model`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import InputError, Problem, UsageError
from pipeline.rundata.layout import (
    DIAGNOSTICS,
    ESTIMATES,
    ESTIMATES_CSV,
    ESTIMATES_EMPLOYMENT,
    MANIFEST,
    NUMERIC_ESTIMATES,
    QUESTIONNAIRE,
    RISK_PROFILES,
    SCORED,
    manifest_path,
    questionnaire_path,
    relative,
    stage_file,
)
from pipeline.rundata.verify import stage_bytes

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.questionnaire.model import Questionnaire


def require_run_dir(run: str | Path) -> Path:
    """``run`` as a Path; a located :class:`UsageError` (``no_run_dir``) if it is not a directory."""
    run = Path(run)
    if not run.is_dir():
        raise UsageError(
            f"{run} is not a directory",
            [
                Problem(
                    "no such run directory",
                    file=str(run),
                    expected="the directory 'wbm run' or 'wbm demo' wrote",
                    hint="pass the run directory, e.g. demo-output/run after 'wbm demo'",
                )
            ],
            code="no_run_dir",
        )
    return run


# ----------------------------------------------------------------------------------- manifest
def run_manifest(run_dir: str | Path, *, lenient: bool = False) -> dict[str, Any]:
    """The run's ``manifest.json`` ({} if there is none). A damaged one is a located
    :class:`~pipeline.errors.InputError` (``bad_json``): what a command reads from it (the release
    seed, the thresholds, the questionnaire) must not silently fall back to a default. With
    ``lenient=True`` a damaged manifest reads as {} (the reports' context, where every piece has a
    default)."""
    from pipeline.fileio import read_json_object

    path = manifest_path(run_dir)
    if lenient:
        return _json_or_empty(path)
    return read_json_object(
        path,
        expected="the run manifest 'wbm run' writes (a JSON object)",
        hint="the run directory is damaged: rerun the pipeline into a fresh directory "
        "('wbm run --out NEWDIR') or restore its manifest.json",
    )


def run_parameters(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest's ``parameters`` (the run configuration: questionnaire, population, min_n,
    min_n_reliable, release_seed, ...); {} if there are none."""
    raw = manifest.get("parameters")
    return raw if isinstance(raw, dict) else {}


#: the manifest's ``specs`` role of the run's own questionnaire (``RUN/questionnaire.yaml``)
RUN_QUESTIONNAIRE = "run_questionnaire"


def questionnaire_spec(manifest: dict[str, Any], role: str = "questionnaire") -> dict[str, Any]:
    """The manifest's ``specs`` entry with role ``questionnaire`` (path, sha256, id, version; the
    file the run was given) or :data:`RUN_QUESTIONNAIRE` (the run's own copy), or {}."""
    for spec in manifest.get("specs") or []:
        if isinstance(spec, dict) and spec.get("role") == role:
            return spec
    return {}


def questionnaire_id(manifest: dict[str, Any]) -> str | None:
    """The id of the run's questionnaire as the manifest records it, or None."""
    qid = questionnaire_spec(manifest).get("id")
    return str(qid) if qid else None


def questionnaire_reference(manifest: dict[str, Any]) -> str | None:
    """How the run was given its questionnaire (``parameters.questionnaire``: a shipped id or a
    YAML path), else the id the manifest records; None if neither."""
    given = run_parameters(manifest).get("questionnaire")
    return str(given) if given else questionnaire_id(manifest)


def int_or(v: Any, default: int) -> int:
    """``v`` if it is an integer (not a bool), else ``default`` (for values read from JSON)."""
    return int(v) if isinstance(v, int) and not isinstance(v, bool) else default


# ------------------------------------------------------------------------------ questionnaire
def run_questionnaire(
    run: Path, manifest: dict[str, Any], questionnaire: str | None = None
) -> Questionnaire:
    """The questionnaire ``questionnaire`` (id or YAML path), or the one the run's manifest names by
    id; ``no_questionnaire`` if there is neither."""
    from pipeline.questionnaire.load import load_questionnaire

    qid = questionnaire or questionnaire_id(manifest)
    if qid is None:
        raise UsageError(
            f"{run}: which questionnaire? manifest.json names none",
            [
                Problem(
                    "no specs entry with role 'questionnaire' and an id",
                    file=str(manifest_path(run)),
                    hint="pass --questionnaire ID (e.g. wbm-werknemers-2023)",
                )
            ],
            code="no_questionnaire",
        )
    return load_questionnaire(qid)


def own_questionnaire(run: Path, manifest: dict[str, Any]) -> Questionnaire:
    """The run's own questionnaire (``RUN/questionnaire.yaml``), checked against the SHA-256 the
    manifest records for it: an edited or replaced copy is ``questionnaire_mismatch``."""
    import hashlib

    from pipeline.questionnaire.load import load_questionnaire

    spec = questionnaire_spec(manifest, RUN_QUESTIONNAIRE)
    path = Path(run) / str(spec.get("path") or QUESTIONNAIRE)
    try:
        data = path.read_bytes()
    except OSError:
        raise UsageError(
            f"{run}: the run's own questionnaire is missing",
            [
                Problem(
                    f"{QUESTIONNAIRE} is recorded in the manifest but cannot be read",
                    file=str(path),
                    hint="restore it, or rerun the pipeline into a new run directory",
                    code="questionnaire_mismatch",
                )
            ],
            code="questionnaire_mismatch",
        ) from None
    if hashlib.sha256(data).hexdigest() != spec.get("sha256"):
        raise UsageError(
            f"{path}: changed since the run wrote it",
            [
                Problem(
                    "the run's own questionnaire differs from the one the run used",
                    file=str(path),
                    expected=f"SHA-256 {str(spec.get('sha256'))[:12]}... ({MANIFEST}, specs)",
                    hint="restore the file; to use another questionnaire, run the pipeline again",
                    code="questionnaire_mismatch",
                )
            ],
            code="questionnaire_mismatch",
        )
    return load_questionnaire(path)


def recorded_questionnaire(
    run: Path, manifest: dict[str, Any], given: str | Path | None = None
) -> Questionnaire:
    """The questionnaire the run used, for every command that reads a run.

    A run that wrote its own copy (``RUN/questionnaire.yaml``): that copy, hash-checked
    (:func:`own_questionnaire`); ``given`` (an id or a YAML path) is accepted only if it is the same
    questionnaire (otherwise ``questionnaire_mismatch``: another questionnaire's labels must never
    be put on this run's data). An older run without a copy: ``given`` if not None, else the file
    the run was given (``parameters.questionnaire``) if it still exists, else the one the manifest
    names by id; in the last two cases the file must be the one the run recorded (its SHA-256 in the
    manifest's ``specs``), never another questionnaire with the same id."""
    from pipeline.fileio import sha256_file
    from pipeline.questionnaire.load import resolve

    if questionnaire_spec(manifest, RUN_QUESTIONNAIRE):
        own = own_questionnaire(run, manifest)
        if given is not None and run_questionnaire(run, manifest, str(given)) != own:
            raise UsageError(
                f"{run}: {given} is not the questionnaire this run used",
                [
                    Problem(
                        "another questionnaire than the run's own (items, labels, codes or "
                        "cut-offs differ)",
                        file=str(given),
                        expected=f"the questionnaire of the run ({questionnaire_path(run)})",
                        hint="leave out --questionnaire: the run's own questionnaire is used",
                        code="questionnaire_mismatch",
                    )
                ],
                code="questionnaire_mismatch",
            )
        return own
    if given is not None:
        return run_questionnaire(run, manifest, str(given))
    used = run_parameters(manifest).get("questionnaire")
    name = used if isinstance(used, str) and Path(used).is_file() else None
    q = run_questionnaire(run, manifest, name)  # name None: the id the manifest names
    path = resolve(name or str(questionnaire_id(manifest)))
    spec = questionnaire_spec(manifest)
    recorded = spec.get("sha256")
    if isinstance(recorded, str) and sha256_file(path) != recorded:
        raise UsageError(
            f"{run}: the run used another questionnaire file than {path}",
            [
                Problem(
                    "not the questionnaire file the run recorded (another version with the same id?)",
                    file=str(path),
                    expected=f"the file {spec.get('path')} with SHA-256 {recorded[:12]}... ({MANIFEST}, specs)",
                    hint="pass --questionnaire PATH with the file the run used",
                    code="questionnaire_mismatch",
                )
            ],
            code="questionnaire_mismatch",
        )
    return q


# -------------------------------------------------------------------------------- stage files
def stage_diagnostics(run_dir: str | Path, stage: str) -> dict[str, Any]:
    """A stage's ``diagnostics.json`` as an object; {} when it is missing, damaged or not an object
    (lenient by design: diagnostics only inform reports); one that differs from what the stage
    wrote is not used either (``stage_output_changed``)."""
    import json

    if not stage_file(run_dir, stage, DIAGNOSTICS).is_file():
        return {}
    data, _ = stage_bytes(run_dir, run_manifest(run_dir, lenient=True), stage, DIAGNOSTICS)
    try:
        out = json.loads(data.decode("utf-8"))
    except ValueError:
        return {}
    return out if isinstance(out, dict) else {}


def read_scored(run_dir: str | Path) -> tuple[pd.DataFrame, str]:
    """A run's scored data and its data version: ``03_score/scored.parquet`` read once and parsed in
    memory; the version is the canonical content hash of exactly the frame returned
    (:func:`pipeline.dataversion.data_version`: the same for the same respondents' data whatever the
    run directory, row order or pandas/pyarrow version that wrote the file); the file's bytes are
    first checked against the SHA-256 the manifest records (:mod:`pipeline.rundata.verify`: a changed
    file is ``stage_output_changed``). A missing run directory or scored file, or one that cannot be read or
    parsed, is a located error (:class:`UsageError` for a missing stage, :class:`InputError` for a
    damaged file), never a pyarrow traceback."""
    import io

    import pandas as pd

    from pipeline.dataversion import data_version

    run = Path(run_dir)
    if not run.is_dir():
        raise UsageError(
            f"run directory {str(run)!r} not found",
            [
                Problem(
                    "no such directory",
                    file=str(run),
                    expected="the directory 'wbm run' or 'wbm demo' wrote",
                    hint="pass the run directory, e.g. demo-output/run after 'wbm demo'",
                )
            ],
            code="no_run_dir",
        )
    path = stage_file(run, "score", SCORED)
    rel = relative("score", SCORED)
    if not path.is_file():
        raise UsageError(
            f"{run}: the score stage has not been run",
            [
                Problem(
                    f"{rel} is missing",
                    file=str(path),
                    hint=f"wbm run --wave WAVE --out {run} --stage score",
                )
            ],
            code="no_scored_data",
        )
    data, _ = stage_bytes(run, run_manifest(run), "score", SCORED)  # verified
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises many kinds (ArrowInvalid, OSError, ...): all mean "not readable parquet"
        raise InputError(
            f"{path}: cannot be read as the scored data ({exc.__class__.__name__})",
            [
                Problem(
                    str(exc)[:300],
                    file=str(path),
                    expected="a parquet file written by the score stage",
                    hint=f"rerun the score stage: wbm run --out {run} --stage score",
                )
            ],
            code="bad_scored_data",
        ) from exc
    return frame, data_version(frame)


def estimates_files() -> tuple[str, ...]:
    """Where the estimates table may be, relative to the run directory, in order of preference."""
    return (relative("estimate", ESTIMATES), relative("estimate", ESTIMATES_CSV))


def find_estimates(run_dir: str | Path) -> Path:
    """The run's estimates table (parquet preferred, else CSV); ``no_estimates`` if neither exists."""
    run = Path(run_dir)
    for rel in estimates_files():
        if (run / rel).exists():
            return run / rel
    raise UsageError(
        f"{run}: no estimates table",
        [
            Problem(
                "neither " + " nor ".join(estimates_files()) + " exists",
                file=str(run),
                hint="run the estimate stage first: wbm run --stage estimate",
            )
        ],
        code="no_estimates",
    )


def read_estimates_file(path: str | Path, data: bytes | None = None) -> pd.DataFrame:
    """An estimates table (``.parquet``, else CSV; parsed from ``data`` when given, the file's bytes
    already read); ``bad_estimates`` if it cannot be read."""
    import io

    import pandas as pd

    path = Path(path)
    try:
        source = io.BytesIO(data) if data is not None else path
        if path.suffix == ".parquet":
            return pd.read_parquet(source)
        return pd.read_csv(source, keep_default_na=True)
    except Exception as exc:  # pyarrow/pandas raise many kinds; all mean "cannot read this file"
        raise InputError(
            f"{path}: cannot be read as an estimates table ({exc.__class__.__name__})",
            [Problem(str(exc)[:300], file=str(path), expected="a parquet or CSV estimates table")],
            code="bad_estimates",
        ) from exc


def read_estimates(run_dir: str | Path) -> tuple[pd.DataFrame, Path]:
    """The run's estimates table and the file it was read from, checked against the manifest."""
    path = find_estimates(run_dir)
    data, _ = stage_bytes(run_dir, run_manifest(run_dir), "estimate", path.name)
    return read_estimates_file(path, data), path


def _json_or_empty(path: Path) -> dict[str, Any]:
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_risk_profiles(run_dir: str | Path) -> pd.DataFrame | None:
    """The run's risk-profile table (``04_estimate/risk_profiles.csv``) checked against the
    manifest, or None when the run has none (a run made before risk profiles existed)."""
    import io

    import pandas as pd

    path = stage_file(run_dir, "estimate", RISK_PROFILES)
    if not path.exists():
        return None
    data, _ = stage_bytes(run_dir, run_manifest(run_dir), "estimate", RISK_PROFILES)
    try:
        text = ("outcome", "exposure", "by", "level", "flags", "adjusted_for")
        table = pd.read_csv(io.BytesIO(data), keep_default_na=True, dtype=dict.fromkeys(text, str))
        return table.fillna(dict.fromkeys((c for c in text if c in table.columns), ""))
    except Exception as exc:  # pandas raises many kinds; all mean "cannot read this file"
        raise InputError(
            f"{path}: cannot be read as a risk-profile table ({exc.__class__.__name__})",
            [Problem(str(exc)[:300], file=str(path), expected="a CSV risk-profile table")],
            code="bad_estimates",
        ) from exc


def read_employment_estimates(run_dir: str | Path) -> pd.DataFrame | None:
    """An organisation survey's shares of employees and magnitude totals
    (``04_estimate/estimates_employment.parquet``) checked against the manifest, or None when the
    run has none (every survey of persons)."""
    path = stage_file(run_dir, "estimate", ESTIMATES_EMPLOYMENT)
    if not path.exists():
        return None
    manifest = run_manifest(run_dir)
    if not manifest:
        return None
    data, _ = stage_bytes(run_dir, manifest, "estimate", path.name)
    return read_estimates_file(path, data)


def read_numeric_estimates(run_dir: str | Path) -> pd.DataFrame | None:
    """The run's mean and median of its numeric indicators (``04_estimate/numeric_estimates.csv``)
    checked against the manifest, or None when the run has none."""
    import io

    import pandas as pd

    path = stage_file(run_dir, "estimate", NUMERIC_ESTIMATES)
    if not path.exists():
        return None
    data, _ = stage_bytes(run_dir, run_manifest(run_dir), "estimate", NUMERIC_ESTIMATES)
    try:
        text = ("indicator", "variable", "stat", "by", "level", "flags")
        table = pd.read_csv(io.BytesIO(data), keep_default_na=True, dtype=dict.fromkeys(text, str))
        return table.fillna(dict.fromkeys((c for c in text if c in table.columns), ""))
    except Exception as exc:  # pandas raises many kinds; all mean "cannot read this file"
        raise InputError(
            f"{path}: cannot be read as a table of numeric indicators ({exc.__class__.__name__})",
            [Problem(str(exc)[:300], file=str(path), expected="a CSV of means and medians")],
            code="bad_estimates",
        ) from exc
