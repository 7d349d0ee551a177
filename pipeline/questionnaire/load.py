"""Load a questionnaire YAML file into a :class:`~pipeline.questionnaire.model.Questionnaire`.

Checking is done in two passes (frictionless habit): pass 1 is the structure of each file (YAML
syntax, duplicate keys, kind and schema version, unknown or missing keys, types); pass 2 the
cross-references (:mod:`pipeline.questionnaire.check`). Every problem of a pass is reported at once,
each with file, line and path. Modules (``kind: questionnaire_module``) are resolved into one
questionnaire here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from pipeline.errors import Problem, SpecError
from pipeline.paths import QUESTIONNAIRES_DIR
from pipeline.questionnaire.model import SCHEMA_KIND, SCHEMA_VERSION, Questionnaire
from pipeline.questionnaire.module import Located, QuestionnaireModule, compose
from pipeline.questionnaire.problems import is_warning
from pipeline.questionnaire.source import Source, read_source
from pipeline.questionnaire.structure import structure_problems

MODULE_KIND = "questionnaire_module"


def shipped() -> dict[str, Path]:
    """Shipped questionnaires and modules by file stem."""
    out = {f.stem: f for f in sorted(QUESTIONNAIRES_DIR.glob("modules/*.yaml"))}
    out.update({f.stem: f for f in sorted(QUESTIONNAIRES_DIR.glob("*.yaml"))})
    return out


def _find(name_or_path: str | Path, relative_to: Path | None = None) -> Path | None:
    p = Path(name_or_path)
    if p.is_file():
        return p
    if relative_to is not None:
        for cand in (
            relative_to.parent / p,
            relative_to.parent / f"{p}.yaml",
            relative_to.parent.parent / f"{p}.yaml",
        ):
            if cand.is_file():
                return cand
    files = shipped()
    if str(name_or_path) in files:
        return files[str(name_or_path)]
    return _by_study_id(str(name_or_path), tuple(files.values()))


def _by_study_id(study_id: str, files: tuple[Path, ...]) -> Path | None:
    """A shipped file whose ``study.id`` is ``study_id`` (modules are named by file, e.g. pc126)."""
    for f in files:
        src, _ = read_source(f)
        data = src.data if src is not None else None
        if (
            isinstance(data, dict)
            and isinstance(data.get("study"), dict)
            and data["study"].get("id") == study_id
        ):
            return f
    return None


def resolve(name_or_path: str | Path) -> Path:
    """A path, or the id of a shipped questionnaire (``wbm-werknemers-2023``) or module (``pc126``)."""
    found = _find(name_or_path)
    if found is not None:
        return found
    known = sorted(shipped())
    raise SpecError(
        f"questionnaire {str(name_or_path)!r} not found",
        [
            Problem(
                "no such file, and not the id of a shipped questionnaire",
                expected="one of " + ", ".join(known),
                hint="give a path to a YAML file or a shipped questionnaire id",
                code="file_not_found",
            )
        ],
    )


def _header_problems(src: Source) -> list[Problem]:
    data = src.data
    out = []
    kind = data.get("kind")
    if kind not in (SCHEMA_KIND, MODULE_KIND):
        out.append(
            src.problem(
                "wrong_kind",
                "the file does not say what it is" if kind is None else "unknown kind",
                ("kind",),
                value=kind,
                expected=f"'{SCHEMA_KIND}' or '{MODULE_KIND}'",
                hint=f"start the file with 'kind: {SCHEMA_KIND}'",
            )
        )
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        out.append(
            src.problem(
                "unsupported_schema_version",
                "schema_version is missing" if version is None else "unsupported schema_version",
                ("schema_version",),
                value=version,
                expected=str(SCHEMA_VERSION),
                hint=f"write 'schema_version: {SCHEMA_VERSION}' (see questionnaires/README.md for migrations)",
            )
        )
    return out


def locate(
    name_or_path: str | Path, _stack: tuple[Path, ...] = ()
) -> tuple[Located | None, list[Problem]]:
    """Pass 1 for a file and the files it extends; returns the composed questionnaire (if the
    structure is sound) and every structural problem found."""
    path = resolve(name_or_path) if not _stack else Path(name_or_path)
    src, problems = read_source(path)
    if src is None or problems:
        return None, problems
    problems = _header_problems(src)
    if problems:
        return None, problems
    data = src.data
    if data["kind"] == SCHEMA_KIND:
        try:
            q = Questionnaire.model_validate(data)
        except ValidationError as exc:
            return None, structure_problems(Questionnaire, exc, src)
        return Located.single(q, src), []
    try:
        mod = QuestionnaireModule.model_validate(data)
    except ValidationError as exc:
        return None, structure_problems(QuestionnaireModule, exc, src)
    base_path = _find(mod.extends, relative_to=path)
    if base_path is None:
        return None, [
            src.problem(
                "unknown_extends",
                f"extends {mod.extends!r}, which cannot be found",
                ("extends",),
                expected="the id of a shipped questionnaire or a path relative to this file",
                hint="one of " + ", ".join(sorted(shipped())),
            )
        ]
    resolved = base_path.resolve()
    if resolved in _stack or resolved == path.resolve():
        return None, [
            src.problem(
                "extends_cycle",
                "modules extend each other in a circle",
                ("extends",),
                value=mod.extends,
                hint="a module must extend a questionnaire, not itself",
            )
        ]
    base, base_problems = locate(base_path, (*_stack, path.resolve()))
    if base is None:
        return None, base_problems
    return compose(mod, src, base)


@dataclass(frozen=True)
class CheckReport:
    """Result of ``wbm questionnaire check``: the questionnaire (if loadable) and every problem."""

    questionnaire: Questionnaire | None
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    files: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def check_questionnaire(name_or_path: str | Path, *, check_mapping: bool = True) -> CheckReport:
    """Both passes; never raises for a broken file (only for a missing one)."""
    from pipeline.questionnaire.check import cross_reference_problems

    located, problems = locate(name_or_path)
    files: tuple[str, ...] = ()
    if located is not None:
        files = located.files
        problems = problems + cross_reference_problems(located, check_mapping=check_mapping)
    problems = sorted(
        problems, key=lambda p: (p.file or "", p.line or 0)
    )  # stable: check order within a line
    errors = tuple(p for p in problems if not is_warning(p.code))
    warnings = tuple(p for p in problems if is_warning(p.code))
    q = located.questionnaire if located is not None and not errors else None
    return CheckReport(q, errors, warnings, files or (str(resolve(name_or_path)),))


_CACHE: dict[str, tuple[tuple[tuple[str, int, int], ...], Questionnaire]] = {}


def _stamp(files: tuple[str, ...]) -> tuple[tuple[str, int, int], ...]:
    out = []
    for f in files:
        try:
            st = Path(f).stat()
        except OSError:
            return ()
        out.append((f, st.st_mtime_ns, st.st_size))
    return tuple(out)


def load_questionnaire(name_or_path: str | Path) -> Questionnaire:
    """Load, compose and check a questionnaire; raises :class:`SpecError` listing every problem.

    Results are cached per file and reused while neither the file nor any file it extends changed.
    """
    path = str(resolve(name_or_path).resolve())
    hit = _CACHE.get(path)
    if hit is not None and hit[0] and _stamp(tuple(f for f, _, _ in hit[0])) == hit[0]:
        return hit[1]
    report = check_questionnaire(path)
    if report.errors or report.questionnaire is None:
        n = len(report.errors)
        raise SpecError(
            f"{path}: the questionnaire has {n} problem{'s' if n != 1 else ''}", report.errors
        )
    _CACHE[path] = (_stamp(report.files), report.questionnaire)
    return report.questionnaire
