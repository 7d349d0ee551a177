"""``wbm questionnaire``: check, document, proof, compare and import questionnaire schemas."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pipeline.errors import Problem, SpecError
from pipeline.questionnaire.populations import POPULATIONS


def _problem_json(p: Problem) -> dict[str, object]:
    return {
        k: v
        for k, v in {
            "code": p.code,
            "file": p.file,
            "line": p.line,
            "path": p.path,
            "message": p.message,
            "value": p.value,
            "expected": p.expected,
            "hint": p.hint,
        }.items()
        if v is not None
    }


@click.group("questionnaire")
def questionnaire() -> None:
    """Check, document and compare questionnaire schemas (questionnaires/*.yaml)."""


@questionnaire.command("check")
@click.argument("files", nargs=-1)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the problems as JSON (codes, files, lines, paths).",
)
@click.option(
    "--strict", is_flag=True, help="Treat warnings (e.g. missing translations) as errors."
)
def check(files: tuple[str, ...], as_json: bool, strict: bool) -> None:
    """Check FILES (paths or shipped ids; default: every shipped questionnaire and module).

    Pass 1 checks the structure, pass 2 the cross-references; every problem is listed at once with
    file, line and path. Exit code 2 when a file has errors.
    """
    from pipeline.questionnaire.load import check_questionnaire, shipped

    targets = list(files) or list(shipped())
    all_errors: list[Problem] = []
    results = []
    for f in targets:
        r = check_questionnaire(f)
        errors = list(r.errors) + (list(r.warnings) if strict else [])
        warnings = [] if strict else list(r.warnings)
        all_errors += errors
        results.append(
            {
                "file": r.files[0],
                "ok": not errors,
                "errors": [_problem_json(p) for p in errors],
                "warnings": [_problem_json(p) for p in warnings],
            }
        )
        if not as_json:
            q = r.questionnaire
            if not errors and q is not None:
                click.echo(
                    f"OK {r.files[0]}: {q.study.id}, {len(q.items)} items, {len(q.variables())} variables, "
                    f"{len(q.scales)} scales, {len(q.indicators)} indicators"
                )
            for w in warnings:
                click.echo(f"  warning [{w.code}] {w.render()}")
    if as_json:
        click.echo(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    if all_errors:
        n = len(all_errors)
        if as_json:
            raise SystemExit(2)
        raise SpecError(
            f"{n} problem{'s' if n != 1 else ''} in {sum(not r['ok'] for r in results)} file(s)",
            [_with_code(p) for p in all_errors],
        )


def _with_code(p: Problem) -> Problem:
    from dataclasses import replace

    return replace(p, message=f"[{p.code}] {p.message}") if p.code else p


@questionnaire.command("codebook")
@click.argument("file")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory to write to (default: codebook/<id>/ in the current directory).",
)
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@click.option(
    "--format",
    "formats",
    type=click.Choice(["md", "html", "json"]),
    multiple=True,
    help="Formats to write (repeatable; default: all three).",
)
def codebook(file: str, out_dir: Path | None, lang: str, formats: tuple[str, ...]) -> None:
    """Write the codebook of FILE: Markdown, HTML and a Frictionless datapackage.json."""
    from pipeline.outpath import inside, require_dir
    from pipeline.questionnaire.codebook import write_codebook
    from pipeline.questionnaire.load import load_questionnaire

    if out_dir is not None:
        require_dir(out_dir)
    q = load_questionnaire(file)
    out = out_dir or inside(Path("codebook"), q.study.id)
    for p in write_codebook(q, out, lang=lang, formats=formats or ("md", "html", "json")):
        click.echo(str(p))


@questionnaire.command("proof")
@click.argument("file")
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="HTML file to write (default: <id>.proof.<lang>.html).",
)
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@click.option(
    "--mode", type=click.Choice(["paper", "web", "cati"]), default="paper", show_default=True
)
def proof(file: str, out_file: Path | None, lang: str, mode: str) -> None:
    """Write a printable proof of the questionnaire with routing instructions as a respondent sees them."""
    from pipeline import fileio
    from pipeline.outpath import inside, require_file_target
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.questionnaire.proof import render_proof

    if out_file is not None:
        require_file_target(out_file)
    q = load_questionnaire(file)
    out = out_file or inside(Path("."), f"{q.study.id}.proof.{lang}.html")
    fileio.write_text(out, render_proof(q, lang=lang, mode=mode))
    click.echo(str(out))


@questionnaire.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
def diff(old: str, new: str, as_json: bool) -> None:
    """Compare two questionnaires (items, choices, routing, limits, scales, cut-offs, rules).

    When NEW declares a mapping to OLD, renamed items and indicators are paired through it. The
    "trend" section says what the changes mean for the series: which indicators (and breakdown
    variables) break between the two waves and why, and which start in NEW; the wave archive and the
    reports mark the same breaks.
    """
    from pipeline.questionnaire.breaks import comparability, render_comparability
    from pipeline.questionnaire.diff import diff_questionnaires
    from pipeline.questionnaire.load import load_questionnaire

    a, b = load_questionnaire(old), load_questionnaire(new)
    d = diff_questionnaires(a, b)
    comp = comparability(a, b)
    if as_json:
        click.echo(
            json.dumps({**d.as_json(), "trend": comp.as_json()}, indent=2, ensure_ascii=False)
        )
    else:
        click.echo(d.render() + "\n\n" + render_comparability(comp))


@questionnaire.command("import-xlsform")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="YAML file to write.",
)
@click.option(
    "--wave", type=int, default=None, help="Wave (year) when the settings sheet has none."
)
@click.option(
    "--population",
    type=click.Choice(POPULATIONS),
    default=None,
    help="Population when the settings sheet has none.",
)
@click.option(
    "--modes", default=None, help="Modes (e.g. 'web paper') when the settings sheet has none."
)
def import_xlsform(
    workbook: Path, out_file: Path, wave: int | None, population: str | None, modes: str | None
) -> None:
    """Import an XLSForm (.xlsx or .xls: survey, choices and optional settings sheets) into a
    questionnaire YAML.

    Nothing is lost silently: every feature is imported, listed as not imported (notes, ODK
    metadata, presentation columns, languages other than Dutch and English, settings defaults), or
    refused with its sheet, row and column and what to change; every problem is reported at once.
    Text choice names (yes, no) get codes, recorded as the choices' names in the YAML.
    """
    from pipeline.outpath import require_file_target
    from pipeline.questionnaire.dump import save_questionnaire
    from pipeline.questionnaire.xlsform import read_xlsform

    require_file_target(out_file)
    result = read_xlsform(
        workbook, wave=wave, population=population, modes=tuple(modes.split()) if modes else None
    )
    q = result.questionnaire
    header = f"Imported from {workbook.name} by 'wbm questionnaire import-xlsform'."
    if result.choice_codes:
        header += "\nCodes given to text choice names (list: name = code): " + "; ".join(
            f"{ln}: {name} = {code}" for ln, name, code in result.choice_codes
        )
    if result.notices:
        header += "\nNot imported (see the import's output):\n" + "\n".join(
            "  " + n.render() for n in result.notices
        )
    save_questionnaire(q, out_file, header=header)
    for n in result.notices:
        click.echo(f"  not imported: {n.render()}", err=True)
    click.echo(
        f"{out_file}: {len(q.items)} items, {len(q.choice_lists)} choice lists, "
        f"{len(result.choice_codes)} text choice names coded, {len(result.notices)} notices"
    )


@questionnaire.command("export-xlsform")
@click.argument("file")
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="XLSForm .xlsx to write.",
)
def export_xlsform(file: str, out_file: Path) -> None:
    """Write questionnaire FILE (path or shipped id) as an XLSForm workbook (.xlsx).

    Everything 'import-xlsform' reads is written, so a form survives XLSForm -> YAML -> XLSForm;
    what an XLSForm has no place for (scales, indicators, rules, ...) is named and stays in the YAML.
    """
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.questionnaire.xlsform.writer import write_xlsform

    left = write_xlsform(load_questionnaire(file), out_file)
    click.echo(str(out_file))
    if left:
        click.echo("not in the XLSForm (kept in the YAML): " + ", ".join(left), err=True)


@questionnaire.command("resolve")
@click.argument("file")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), required=True)
def resolve_cmd(file: str, out_file: Path) -> None:
    """Write FILE (e.g. a module) as one standalone questionnaire YAML, modules resolved."""
    from pipeline.outpath import require_file_target
    from pipeline.questionnaire.dump import save_questionnaire
    from pipeline.questionnaire.load import load_questionnaire

    require_file_target(out_file)
    save_questionnaire(
        load_questionnaire(file),
        out_file,
        header=f"Resolved from {file}; edit the source, not this file.",
    )
    click.echo(str(out_file))


@questionnaire.command("map")
@click.option(
    "--questionnaire",
    "-q",
    "questionnaire_id",
    required=True,
    help="Questionnaire YAML or shipped id.",
)
@click.option("--input", "-i", "input_file", required=True, metavar="FILE", help="A raw data file.")
@click.option("--dialect", default=None, help="Import dialect (default: detected).")
@click.option("--encoding", default=None, help="Text encoding of a .csv input (default: detected).")
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the draft here (default: print it).",
)
def map_input(
    questionnaire_id: str,
    input_file: str,
    dialect: str | None,
    encoding: str | None,
    out_file: Path | None,
) -> None:
    """Draft a mapping of FILE's columns and codes to the questionnaire's variables (YAML).

    Every source column is listed with the variable it is read as and how it was matched (exact,
    case, the dialect's naming such as PV[SQ001] -> pv01); unmatched columns are ignored with a
    "did you mean"; text answers and the file's own codes get the codes their labels match. Lines
    marked TODO need a decision. Use the result with 'wbm validate --mapping FILE'.
    """
    from pipeline.fileio import write_text
    from pipeline.ingest import InputFile
    from pipeline.ingest.propose import propose_mapping
    from pipeline.questionnaire.load import load_questionnaire

    q = load_questionnaire(questionnaire_id)
    inp = InputFile.from_arg(input_file, encoding=encoding, dialect=dialect)
    text = propose_mapping(inp, q)
    if out_file is None:
        click.echo(text, nl=False)
    else:
        write_text(out_file, text)
        click.echo(f"mapping draft written to {out_file}")
