"""The calibration model of a run's weights: what the weight stage actually did, as every estimate
needs it (``02_weight/calibration.json``).

The weight stage writes it; the estimate stage, ``wbm table``, the reports and the archive read it
(:func:`read_calibration_model`) instead of re-deriving a model from the questionnaire's
``weighting`` list, so the standard errors follow the weighting done:

- ``margins``: every margin group as calibrated: its variables (several for a joint margin such as
  ``sector_group*size_class``), its levels **as used** (after the declared collapse rules, e.g.
  ``3+4``; joint levels joined by ``*``), the population totals, and ``recode``: for each collapsed
  variable the original level -> used level;
- ``method`` (raking, linear, logit, poststratify), ``bounds`` on g, ``trim`` (cap asked, cap
  applied, units trimmed), ``converged``;
- the design: ``base_weight`` (column of the weighted data with the weights before calibration;
  ``None``: every respondent starts from 1), ``strata`` (column with the stratum of each row),
  ``strata_variables`` (the variables whose combination is the stratum), ``psu``, ``fpc`` (column
  with the population size of the row's stratum).

Plain data (no pandas, no numpy); :func:`model_to_dict` / :func:`model_from_dict` round-trip. The
file is a stage output: the manifest records its SHA-256 and readers verify it.
See ``docs/run-contract.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pipeline.errors import InputError, Problem

KIND: Final = "wbm-calibration-model"
SCHEMA_VERSION: Final = 1
METHODS: Final = ("raking", "linear", "logit", "poststratify")


@dataclass(frozen=True)
class MarginGroup:
    """One margin as calibrated: ``levels[i]`` (text, joint levels joined by ``*``) has the population
    total ``targets[i]``; ``recode`` maps a collapsed variable's original levels to the used ones."""

    variables: tuple[str, ...]
    levels: tuple[str, ...]
    targets: tuple[float, ...]
    recode: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()

    @property
    def name(self) -> str:
        return "*".join(self.variables)

    def recode_of(self, variable: str) -> dict[str, str]:
        for v, pairs in self.recode:
            if v == variable:
                return dict(pairs)
        return {}


@dataclass(frozen=True)
class Trim:
    cap: float | None = None  # the absolute cap asked
    median_k: float | None = None  # the cap as a multiple of the median asked
    applied_cap: float | None = None  # the cap used (min of both)
    n_trimmed: int = 0
    kept_untrimmed: bool = False  # the cap could not be met: the untrimmed weights were kept


@dataclass(frozen=True)
class CalibrationModel:
    method: str
    margins: tuple[MarginGroup, ...]
    base_weight: str | None = None
    bounds: tuple[float, float] | None = None
    trim: Trim | None = None
    converged: bool = True
    strata: str | None = None
    strata_variables: tuple[str, ...] = ()
    psu: str | None = None
    fpc: str | None = None

    def columns(self) -> tuple[str, ...]:
        """The data columns the model needs (besides the final weight)."""
        cols = [self.base_weight, self.strata, self.psu, self.fpc]
        cols += [v for m in self.margins for v in m.variables]
        return tuple(dict.fromkeys(c for c in cols if c))


def model_to_dict(m: CalibrationModel) -> dict[str, Any]:
    return {
        "kind": KIND,
        "schema_version": SCHEMA_VERSION,
        "method": m.method,
        "bounds": list(m.bounds) if m.bounds is not None else None,
        "trim": None
        if m.trim is None
        else {
            "cap": m.trim.cap,
            "median_k": m.trim.median_k,
            "applied_cap": m.trim.applied_cap,
            "n_trimmed": m.trim.n_trimmed,
            "kept_untrimmed": m.trim.kept_untrimmed,
        },
        "converged": m.converged,
        "base_weight": m.base_weight,
        "design": {
            "strata": m.strata,
            "strata_variables": list(m.strata_variables),
            "psu": m.psu,
            "fpc": m.fpc,
        },
        "margins": [
            {
                "variables": list(g.variables),
                "levels": list(g.levels),
                "targets": list(g.targets),
                "recode": {v: dict(pairs) for v, pairs in g.recode},
            }
            for g in m.margins
        ],
    }


def model_from_dict(d: object, *, file: str | None = None) -> CalibrationModel:
    """The model a ``calibration.json`` holds; every problem at once (``bad_calibration_model``)."""
    problems: list[Problem] = []

    def bad(path: str, msg: str, value: object = None, expected: str | None = None) -> None:
        problems.append(
            Problem(
                msg,
                file=file,
                path=path,
                value=value,
                expected=expected,
                hint="run the weight stage again: wbm run --stage weight",
                code="bad_calibration_model",
            )
        )

    if not isinstance(d, dict):
        bad("", "not an object", type(d).__name__, "the calibration model of the weights")
        _raise(problems, file)
    assert isinstance(d, dict)
    if d.get("kind") != KIND or d.get("schema_version") != SCHEMA_VERSION:
        bad("kind", "not a calibration model", d.get("kind"), f"{KIND}, schema {SCHEMA_VERSION}")
    method = d.get("method")
    if method not in METHODS:
        bad("method", "unknown method", method, ", ".join(METHODS))

    def opt_str(where: str, v: object) -> str | None:
        if v is None or (isinstance(v, str) and v):
            return v
        bad(where, "not a column name", v, "a column name or null")
        return None

    def num(where: str, v: object) -> float | None:
        if v is None:
            return None
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
        bad(where, "not a number", v)
        return None

    bounds = None
    b = d.get("bounds")
    if b is not None:
        if isinstance(b, list) and len(b) == 2 and all(isinstance(x, (int, float)) for x in b):
            bounds = (float(b[0]), float(b[1]))
        else:
            bad("bounds", "not a pair of numbers", b, "[lo, hi] or null")
    trim = None
    t = d.get("trim")
    if isinstance(t, dict):
        trim = Trim(
            cap=num("trim.cap", t.get("cap")),
            median_k=num("trim.median_k", t.get("median_k")),
            applied_cap=num("trim.applied_cap", t.get("applied_cap")),
            n_trimmed=int(t.get("n_trimmed") or 0),
            kept_untrimmed=bool(t.get("kept_untrimmed")),
        )
    elif t is not None:
        bad("trim", "not an object", t)
    raw_design = d.get("design")
    design: dict[str, Any] = raw_design if isinstance(raw_design, dict) else {}
    sv = design.get("strata_variables") or []
    if not isinstance(sv, list) or not all(isinstance(x, str) for x in sv):
        bad("design.strata_variables", "not a list of names", sv)
        sv = []
    groups: list[MarginGroup] = []
    raw = d.get("margins")
    if not isinstance(raw, list) or not raw:
        bad("margins", "missing or empty", raw, "one entry per margin group")
        raw = []
    for i, g in enumerate(raw):
        where = f"margins[{i}]"
        if not isinstance(g, dict):
            bad(where, "not an object", g)
            continue
        vs, lv, tg, rc = g.get("variables"), g.get("levels"), g.get("targets"), g.get("recode")
        if not (isinstance(vs, list) and vs and all(isinstance(x, str) for x in vs)):
            bad(where + ".variables", "not a list of names", vs)
            continue
        if not (isinstance(lv, list) and all(isinstance(x, str) for x in lv)):
            bad(where + ".levels", "not a list of level texts", lv)
            continue
        if not (
            isinstance(tg, list)
            and len(tg) == len(lv)
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in tg)
        ):
            bad(where + ".targets", "not one number per level", tg)
            continue
        rec: list[tuple[str, tuple[tuple[str, str], ...]]] = []
        if isinstance(rc, dict):
            for v, mp in rc.items():
                if isinstance(mp, dict):
                    rec.append((str(v), tuple((str(a), str(b)) for a, b in mp.items())))
        groups.append(MarginGroup(tuple(vs), tuple(lv), tuple(float(x) for x in tg), tuple(rec)))
    model = CalibrationModel(
        method=str(method),
        margins=tuple(groups),
        base_weight=opt_str("base_weight", d.get("base_weight")),
        bounds=bounds,
        trim=trim,
        converged=bool(d.get("converged", True)),
        strata=opt_str("design.strata", design.get("strata")),
        strata_variables=tuple(sv),
        psu=opt_str("design.psu", design.get("psu")),
        fpc=opt_str("design.fpc", design.get("fpc")),
    )
    if problems:
        _raise(problems, file)
    return model


def _raise(problems: list[Problem], file: str | None) -> None:
    raise InputError(
        f"{file or 'calibration model'}: not a valid calibration model",
        problems,
        code="bad_calibration_model",
    )


def has_calibration_model(run_dir: str | Path) -> bool:
    from pipeline.rundata.layout import CALIBRATION_MODEL, stage_file

    return stage_file(run_dir, "weight", CALIBRATION_MODEL).is_file()


def read_calibration_model(
    run_dir: str | Path, manifest: dict[str, Any] | None = None
) -> CalibrationModel | None:
    """The run's calibration model, checked against the SHA-256 the manifest records; ``None`` for a
    run made before the weight stage recorded it (readers then fall back to the questionnaire's
    weighting variables and say so)."""
    import json

    from pipeline.rundata.layout import CALIBRATION_MODEL, stage_file
    from pipeline.rundata.verify import stage_bytes

    if not has_calibration_model(run_dir):
        return None
    if manifest is None:
        from pipeline.rundata.read import run_manifest

        manifest = run_manifest(run_dir)
    data, _ = stage_bytes(run_dir, manifest, "weight", CALIBRATION_MODEL)
    path = str(stage_file(run_dir, "weight", CALIBRATION_MODEL))
    try:
        doc = json.loads(data.decode("utf-8"))
    except ValueError as exc:
        raise InputError(
            f"{path}: not JSON",
            [Problem(str(exc), file=path, code="bad_calibration_model")],
            code="bad_calibration_model",
        ) from None
    return model_from_dict(doc, file=path)


def weighting_fallback(variables: tuple[str, ...] | list[str]) -> CalibrationModel:
    """The model runs made before ``calibration.json`` were estimated with: raking from weight 1 on
    one-variable margins over the questionnaire's weighting variables (levels and totals taken from
    the data and its final weights)."""
    return CalibrationModel(
        method="raking",
        margins=tuple(MarginGroup((v,), (), ()) for v in variables),
    )
