"""What the reports need from a run directory: the estimates table, the questionnaire and the
report context (fieldwork, response, weighting), read leniently: a missing piece gives a default,
never an error, except the estimates table and the questionnaire, without which there is no report.

- ``manifest.json``: the questionnaire (``specs`` entry with role "questionnaire" and ``id``), the
  reliability thresholds (``parameters.min_n``, ``min_n_reliable``), the estimates' checksum;
- ``01_validate/diagnostics.json``: respondents by mode (or the manifest's rows per input);
- ``02_weight/diagnostics.json``: method, Kish design effect, margins, synthetic margins;
- ``04_estimate/estimates.parquet`` (or ``estimates.csv``);
- ``03_score/scored.parquet`` (:func:`read_scored`, strict: tables and releases are made from it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import InputError, Problem, UsageError
from pipeline.reports.context import ReportContext, ResponseInfo, WeightingSummary

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.questionnaire.model import Questionnaire

ESTIMATES = ("04_estimate/estimates.parquet", "04_estimate/estimates.csv")
SCORED = "03_score/scored.parquet"


@dataclass(frozen=True, eq=False)
class RunInputs:
    estimates: pd.DataFrame
    estimates_path: Path
    questionnaire: Questionnaire
    context: ReportContext


def _json(path: Path) -> dict[str, Any]:
    """A JSON object, or {} when the file is missing or unreadable (lenient by design)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _dig(data: Any, *keys: str) -> Any:
    """``data[k1][k2]...``, or None as soon as a level is missing or not an object."""
    for k in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(k)
    return data


def run_manifest(run_dir: Path) -> dict[str, Any]:
    """The run's ``manifest.json`` ({} if there is none); a damaged one is a located
    :class:`~pipeline.errors.InputError` (what a release reads from it, e.g. the release seed, must
    not silently fall back to a default)."""
    from pipeline.fileio import read_json_object

    return read_json_object(
        run_dir / "manifest.json",
        expected="the run manifest 'wbm run' writes (a JSON object)",
        hint="the run directory is damaged: rerun the pipeline into a fresh directory "
        "('wbm run --out NEWDIR') or restore its manifest.json",
    )


def _obj(data: Any, *keys: str) -> dict[str, Any]:
    found = _dig(data, *keys)
    return found if isinstance(found, dict) else {}


def read_estimates_file(path: Path) -> pd.DataFrame:
    import pandas as pd

    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, keep_default_na=True)
    except Exception as exc:  # pyarrow/pandas raise many kinds; all mean "cannot read this file"
        raise InputError(
            f"{path}: cannot be read as an estimates table ({exc.__class__.__name__})",
            [Problem(str(exc)[:300], file=str(path), expected="a parquet or CSV estimates table")],
            code="bad_estimates",
        ) from exc


def find_estimates(run_dir: Path) -> Path:
    for rel in ESTIMATES:
        if (run_dir / rel).exists():
            return run_dir / rel
    raise UsageError(
        f"{run_dir}: no estimates table",
        [
            Problem(
                "neither " + " nor ".join(ESTIMATES) + " exists",
                file=str(run_dir),
                hint="run the estimate stage first: wbm run --stage estimate",
            )
        ],
        code="no_estimates",
    )


def questionnaire_id(manifest: dict[str, Any]) -> str | None:
    for spec in manifest.get("specs") or []:
        if isinstance(spec, dict) and spec.get("role") == "questionnaire" and spec.get("id"):
            return str(spec["id"])
    return None


def _modes(run_dir: Path, manifest: dict[str, Any]) -> tuple[tuple[str, int], ...]:
    diag = _json(run_dir / "01_validate" / "diagnostics.json")
    for key in ("counts_by_mode", "by_mode", "modes"):
        v = diag.get(key)
        if isinstance(v, dict) and all(isinstance(n, int) for n in v.values()):
            return tuple(sorted((str(k), int(n)) for k, n in v.items()))
    per_input = diag.get("inputs") or _dig(manifest, "stages", "validate", "rows", "per_input")
    if not isinstance(per_input, list):
        per_input = []
    counts: dict[str, int] = {}
    for rec in per_input:
        if isinstance(rec, dict) and rec.get("mode") and isinstance(rec.get("accepted"), int):
            counts[str(rec["mode"])] = counts.get(str(rec["mode"]), 0) + int(rec["accepted"])
    return tuple(sorted(counts.items()))


def _weighting(run_dir: Path, q: Questionnaire) -> tuple[WeightingSummary, bool]:
    diag = _json(run_dir / "02_weight" / "diagnostics.json")
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


def int_or(v: Any, default: int) -> int:
    """``v`` if it is an integer (not a bool), else ``default`` (for values read from JSON)."""
    return int(v) if isinstance(v, int) and not isinstance(v, bool) else default


def context_from_run(
    run_dir: str | Path, q: Questionnaire, base: ReportContext | None = None
) -> ReportContext:
    """The report context of a run (see the module docstring); ``base`` supplies anything else."""
    run = Path(run_dir)
    manifest = _json(run / "manifest.json")
    params = _obj(manifest, "parameters")
    accepted = _dig(manifest, "stages", "validate", "rows", "accepted")
    weighting, synthetic = _weighting(run, q)
    outputs = _dig(manifest, "stages", "estimate", "outputs")
    est_entry = next(
        (
            o
            for o in (outputs if isinstance(outputs, list) else [])
            if isinstance(o, dict) and str(o.get("path", "")).endswith("estimates.parquet")
        ),
        {},
    )
    ctx = base or ReportContext()
    return replace(
        ctx,
        wave=ctx.wave or q.study.wave,
        run_id=ctx.run_id or run.resolve().name,
        counts_by_mode=ctx.counts_by_mode or _modes(run, manifest),
        response=ctx.response
        if ctx.response.responded is not None
        else ResponseInfo(
            invited=ctx.response.invited, responded=accepted if isinstance(accepted, int) else None
        ),
        weighting=weighting
        if not ctx.weighting.method and ctx.weighting.kish_deff is None
        else ctx.weighting,
        data_version=ctx.data_version or str(est_entry.get("sha256", ""))[:12],
        min_n_publish=int_or(params.get("min_n"), ctx.min_n_publish),
        min_n_reliable=int_or(params.get("min_n_reliable"), ctx.min_n_reliable),
        synthetic=ctx.synthetic or synthetic,
    )


def require_run_dir(run: Path) -> Path:
    if not run.is_dir():
        raise UsageError(
            f"{run} is not a directory",
            [
                Problem(
                    "no such run directory",
                    file=str(run),
                    hint="pass the directory 'wbm run' wrote",
                )
            ],
            code="no_run_dir",
        )
    return run


def run_questionnaire(
    run: Path, manifest: dict[str, Any], questionnaire: str | None = None
) -> Questionnaire:
    """The questionnaire ``questionnaire`` (id or YAML path), or the one the run's manifest names."""
    from pipeline.questionnaire.load import load_questionnaire

    qid = questionnaire or questionnaire_id(manifest)
    if qid is None:
        raise UsageError(
            f"{run}: which questionnaire? manifest.json names none",
            [
                Problem(
                    "no specs entry with role 'questionnaire' and an id",
                    file=str(run / "manifest.json"),
                    hint="pass --questionnaire ID (e.g. wbm-werknemers-2023)",
                )
            ],
            code="no_questionnaire",
        )
    return load_questionnaire(qid)


def load_run(
    run_dir: str | Path, *, questionnaire: str | None = None, base: ReportContext | None = None
) -> RunInputs:
    """Everything :func:`pipeline.reports.batch.render_reports` needs from a run directory."""
    run = require_run_dir(Path(run_dir))
    q = run_questionnaire(run, _json(run / "manifest.json"), questionnaire)
    path = find_estimates(run)
    return RunInputs(read_estimates_file(path), path, q, context_from_run(run, q, base))


def read_scored(run_dir: str | Path) -> tuple[pd.DataFrame, str]:
    """A run's scored data and its data version: ``03_score/scored.parquet`` read once and parsed in
    memory; the version is the canonical content hash of exactly the frame returned
    (:func:`pipeline.dataversion.data_version`: the same for the same respondents' data whatever the
    run directory, row order or pandas/pyarrow version that wrote the file). A missing run directory or scored file, or one that cannot be read or
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
    path = run / SCORED
    if not path.is_file():
        raise UsageError(
            f"{run}: the score stage has not been run",
            [
                Problem(
                    f"{SCORED} is missing",
                    file=str(path),
                    hint=f"wbm run --wave WAVE --out {run} --stage score",
                )
            ],
            code="no_scored_data",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"{path}: cannot be read ({exc.strerror or exc.__class__.__name__})",
            [Problem(str(exc), file=str(path), hint="check the file's permissions")],
            code="bad_scored_data",
        ) from exc
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
