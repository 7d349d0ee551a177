"""Load a questionnaire YAML file into a :class:`~pipeline.questionnaire.model.Questionnaire`."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from pipeline.errors import Problem, SpecError
from pipeline.paths import QUESTIONNAIRES_DIR
from pipeline.questionnaire.model import Questionnaire


def resolve(name_or_path: str | Path) -> Path:
    """A path, or the id of a shipped questionnaire (``wbm-werknemers-2023``)."""
    p = Path(name_or_path)
    if p.exists():
        return p
    shipped = QUESTIONNAIRES_DIR / f"{name_or_path}.yaml"
    if shipped.exists():
        return shipped
    known = sorted(f.stem for f in QUESTIONNAIRES_DIR.glob("*.yaml"))
    raise SpecError(
        f"questionnaire {str(name_or_path)!r} not found",
        [Problem("no such file, and not the id of a shipped questionnaire", expected="one of " + ", ".join(known),
                 hint="give a path to a YAML file or a shipped questionnaire id")],
    )


def load_questionnaire(name_or_path: str | Path) -> Questionnaire:
    path = resolve(name_or_path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SpecError(
            f"{path}: not valid YAML",
            [Problem(str(getattr(exc, "problem", exc)), file=str(path), line=(mark.line + 1) if mark else None)],
        ) from None
    if not isinstance(data, dict):
        raise SpecError(f"{path}: a questionnaire file must be a mapping", [Problem("top level is not a mapping", file=str(path))])
    try:
        return Questionnaire.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(e["msg"], file=str(path), path=".".join(str(x) for x in e["loc"]), value=e.get("input") if not isinstance(e.get("input"), (dict, list)) else None)
            for e in exc.errors()
        ]
        raise SpecError(f"{path}: the questionnaire has {len(problems)} problem(s)", problems) from None
