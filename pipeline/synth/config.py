"""Loading the generator's model files and choosing one for a questionnaire.

Model files live in ``pipeline/synth/models/`` (one per instrument and wave). A file may
``extends: OTHER`` (another model's name): the other file is read first and this one is merged over it
(mappings merged key by key, lists and numbers replaced), so a past wave or a sector states only what
differs. ``rename`` maps the model's names to the questionnaire's (a wave whose questionnaire calls
``sex`` ``geslacht``), applied after merging.

:func:`select_model` picks the model for a questionnaire: the model that lists the questionnaire's id
in ``questionnaires``, else the one for its population (``study.population``) and wave, else the
latest earlier wave of that population.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline.errors import Problem, SpecError
from pipeline.questionnaire.model import Questionnaire
from pipeline.synth.spec import KIND, SCHEMA_VERSION, SynthModel

MODELS_DIR = Path(__file__).resolve().parent / "models"
#: The employees' 2023 model (the default wave).
DEFAULT_MODEL = "werknemers-2023"
MODEL_PATH = MODELS_DIR / f"{DEFAULT_MODEL}.yaml"
MAX_EXTENDS = 8


def shipped_models() -> dict[str, Path]:
    """Shipped model files by name (file stem); files starting with ``_`` are shared parts, read
    only through ``extends``."""
    return {p.stem: p for p in sorted(MODELS_DIR.glob("*.yaml")) if not p.stem.startswith("_")}


def _read(path: Path) -> dict[str, Any]:
    from pipeline.specfile import load_yaml

    data = load_yaml(path, what="synthetic model", code="unreadable_model").data
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise SpecError(
            f"{path}: not a synthetic model",
            [
                Problem(
                    "wrong kind",
                    file=str(path),
                    value=data.get("kind") if isinstance(data, dict) else type(data).__name__,
                    expected=f"kind: {KIND}",
                    code="wrong_kind",
                )
            ],
        )
    if data.get("schema_version") != SCHEMA_VERSION:
        raise SpecError(
            f"{path}: unsupported schema_version",
            [
                Problem(
                    "wrong schema_version",
                    file=str(path),
                    value=data.get("schema_version"),
                    expected=f"schema_version: {SCHEMA_VERSION}",
                    code="wrong_kind",
                )
            ],
        )
    return data


def merge(base: Any, over: Any) -> Any:
    """``over`` merged over ``base``: mappings key by key (a key set to null is removed), everything
    else replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            if v is None:
                out.pop(k, None)
            else:
                out[k] = merge(base[k], v) if k in base else v
        return out
    return over


def _resolve(path: Path, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    data = _read(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    models = shipped_models()
    target = models.get(str(parent))
    if target is None:
        sibling = path.parent / f"{parent}.yaml"
        target = sibling if sibling.is_file() else None
    if target is None or str(parent) in seen or len(seen) >= MAX_EXTENDS:
        why = "extends itself" if str(parent) in seen else "no such model"
        raise SpecError(
            f"{path}: cannot extend {parent!r} ({why})",
            [
                Problem(
                    why,
                    file=str(path),
                    path="extends",
                    value=parent,
                    expected="one of " + ", ".join(sorted(models)),
                    code="bad_extends",
                )
            ],
        )
    base = _resolve(target, (*seen, path.stem))
    for key in ("rename", "questionnaires", "sector"):  # the parent's own, not inherited
        base.pop(key, None)
    return merge(base, data)


# --------------------------------------------------------------------------------------- renaming
def _ren(names: dict[str, str], x: Any) -> Any:
    return names.get(x, x) if isinstance(x, str) else x


def _keys(names: dict[str, str], table: Any) -> Any:
    return {_ren(names, k): v for k, v in table.items()} if isinstance(table, dict) else table


def _expr(names: dict[str, str], text: Any) -> Any:
    if not isinstance(text, str) or not names:
        return text
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names, key=len)[::-1])) + r")\b")
    return pattern.sub(lambda m: names[m.group(1)], text)


def apply_rename(data: dict[str, Any]) -> dict[str, Any]:
    """The model with its variable and indicator names replaced by ``rename`` (dict in, dict out)."""
    rename = data.pop("rename", None) or {}
    v: dict[str, str] = dict(rename.get("variables", {}) or {})
    ind: dict[str, str] = dict(rename.get("indicators", {}) or {})
    if not v and not ind:
        return data
    pop = data.get("population", {})
    if pop.get("cells"):
        pop["cells"] = [_ren(v, c) for c in pop["cells"]]
    for var in pop.get("variables", []):
        var["name"], var["given"] = _ren(v, var.get("name")), _ren(v, var.get("given"))
    if pop.get("age"):
        for k in ("variable", "band"):
            pop["age"][k] = _ren(v, pop["age"].get(k, "age" if k == "variable" else "age_band"))
    for mag in pop.get("magnitudes", []):
        mag["variable"], mag["given"] = _ren(v, mag["variable"]), _ren(v, mag["given"])
    for mf in pop.get("margins", []):
        if mf.get("groups"):
            mf["groups"] = [[_ren(v, x) for x in g] for g in mf["groups"]]
        mf["size"] = _ren(v, mf.get("size"))
    sample = data.get("sample", {})
    if sample.get("strata"):
        sample["strata"] = [_ren(v, s) for s in sample["strata"]]
    if sample.get("allocation"):
        sample["allocation"]["by"] = _ren(v, sample["allocation"]["by"])
    traits = data.get("traits", {})
    traits["composite"] = _ren(ind, traits.get("composite"))
    if isinstance(traits.get("composite_by"), dict):
        traits["composite_by"]["variable"] = _ren(v, traits["composite_by"].get("variable"))
    traits["indicators"] = {
        _ren(ind, k): {**t, "effects": _keys(v, t.get("effects", {}))}
        for k, t in (traits.get("indicators") or {}).items()
    }
    resp = data.get("response", {})
    for k in ("effects", "web_effects"):
        if k in resp:
            resp[k] = _keys(v, resp[k])
    if isinstance(resp.get("web_measurement"), dict):
        wm = resp["web_measurement"]
        wm["shift"] = {_ren(ind, k): x for k, x in (wm.get("shift") or {}).items()}
    if resp.get("out_of_target"):
        resp["out_of_target"]["item"] = _ren(v, resp["out_of_target"].get("item", "working"))
    items = {}
    for name, spec in (data.get("items") or {}).items():
        spec = dict(spec)
        for k in ("given", "of"):
            spec[k] = _ren(v, spec.get(k))
        for k in ("split", "p"):
            if isinstance(spec.get(k), dict):
                spec[k] = {**spec[k], "given": _ren(v, spec[k].get("given"))}
        spec["effects"] = _keys(v, spec.get("effects", {}))
        spec["latents"] = _keys(ind, spec.get("latents", {}))
        spec["zero_unless"] = _expr(v, spec.get("zero_unless"))
        items[_ren(v, name)] = {k: x for k, x in spec.items() if x is not None}
    if items:
        data["items"] = items
    for mode in ("web", "cati"):
        if isinstance(data.get(mode), dict) and "dont_know" in data[mode]:
            data[mode]["dont_know"] = _keys(v, data[mode]["dont_know"])
    return data


def load_model(path: str | Path | None = None) -> SynthModel:
    """Read, resolve (``extends``, ``rename``) and structurally check a model file: a path or the name
    of a shipped model (default: the employees' 2023 model)."""
    p = _model_path(path)
    data = apply_rename(_resolve(p))
    try:
        model = SynthModel.model_validate(data)
    except ValidationError as exc:
        probs = [
            Problem(
                e["msg"],
                file=str(p),
                path=".".join(str(x) for x in e["loc"]),
                value=e.get("input") if not isinstance(e.get("input"), dict) else None,
                code="bad_model",
            )
            for e in exc.errors()
        ]
        raise SpecError(f"{p}: the synthetic model has {len(probs)} problem(s)", probs) from None
    if not model.synthetic:
        raise SpecError(
            f"{p}: a synthetic model must say 'synthetic: true'",
            [Problem("synthetic is false", file=str(p), path="synthetic", code="not_synthetic")],
        )
    return model


def _model_path(path: str | Path | None) -> Path:
    if path is None:
        return MODEL_PATH
    p = Path(path)
    if p.is_file():
        return p
    models = shipped_models()
    if str(path) in models:
        return models[str(path)]
    raise SpecError(
        f"synthetic model {str(path)!r} not found",
        [
            Problem(
                "no such file, and not the name of a shipped model",
                value=str(path),
                expected="one of " + ", ".join(sorted(models)),
                code="file_not_found",
            )
        ],
    )


def select_model(q: Questionnaire) -> Path:
    """The model file for questionnaire ``q`` (see the module docstring)."""
    headers = {name: _header(p) for name, p in shipped_models().items()}
    for name, (_inst, _wave, ids, _sector) in headers.items():
        if q.study.id in ids:
            return shipped_models()[name]
    same = [
        (w, n)
        for n, (inst, w, _ids, sector) in headers.items()
        if inst == q.study.population and not sector
    ]
    exact = sorted(n for w, n in same if w == q.study.wave)  # a sector's model is never a default
    earlier = sorted((w, n) for w, n in same if w < q.study.wave)
    pick = exact[0] if exact else earlier[-1][1] if earlier else None
    if pick is None:
        raise SpecError(
            f"no synthetic model for questionnaire {q.study.id!r}",
            [
                Problem(
                    f"no model in pipeline/synth/models/ for population {q.study.population!r} "
                    f"up to wave {q.study.wave}",
                    value=q.study.id,
                    hint="add a model file (see pipeline/synth/README.md) or pass --model",
                    code="no_model",
                )
            ],
        )
    return shipped_models()[pick]


def _header(path: Path) -> tuple[str, int, tuple[str, ...], str]:
    data = _resolve(path)
    return (
        str(data.get("instrument", "")),
        int(data.get("wave", 0)),
        tuple(str(x) for x in data.get("questionnaires", ()) or ()),
        str(data.get("sector") or ""),
    )
