"""``wbm validate``: ingest and validate raw responses against a questionnaire."""

from __future__ import annotations

from pathlib import Path

import click

HELP = """Ingest raw responses (web .sav/.csv, keyed paper .csv/.xlsx, CATI .sav/.csv), harmonise them to
the questionnaire's canonical codes and check them; write accepted.parquet, set_aside.parquet,
edits.parquet, issues.parquet, diagnostics.json and validation_report.html into --out.

\b
Inputs: --input FILE or --input MODE:FILE (MODE = paper, web or cati), repeatable.
Without a MODE: .sav is web (cati for a CATI-only questionnaire); a .csv/.xlsx with
'keyer' or 'batch' columns is paper; a file with the speeder variable is web.
Double keying: --second-keying FILE (when there is one paper input) or
--second-keying PRIMARY=FILE (PRIMARY = file name of the paper input).

\b
Dialects (how a survey tool or agency shaped the file) are detected and shown
in the report; declare one with --dialect NAME (every input) or
--dialect FILE=NAME: plain, limesurvey, qualtrics, spss, keying.
Column names and codes: matched exactly, then case-insensitively, then by the
dialect's naming (PV[SQ001] -> pv01); anything else through a mapping file,
--mapping MAP.yaml (every input) or --mapping FILE=MAP.yaml. Draft one with
'wbm questionnaire map --questionnaire Q --input FILE'.

\b
Exit codes: 0 when every input could be read (even if rows were set aside);
1 when an input cannot be read (nothing is written); 2 for a usage or spec error.
"""


@click.command("validate", help=HELP)
@click.option(
    "--questionnaire",
    "-q",
    "questionnaire",
    required=True,
    help="Questionnaire YAML file or shipped id.",
)
@click.option(
    "--input",
    "-i",
    "inputs",
    multiple=True,
    required=True,
    metavar="[MODE:]FILE",
    help="A raw data file (repeatable).",
)
@click.option(
    "--out",
    "-o",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output directory (e.g. RUN/01_validate).",
)
@click.option(
    "--frame",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Sample frame: weighting variables blank or invalid on a form are taken from it (logged as edits, rule frame_value); its register-only variables (origin) are added to every row by sample id (rule frame_register).",
)
@click.option(
    "--second-keying",
    "second",
    multiple=True,
    metavar="[PRIMARY=]FILE",
    help="Second keying of a paper input.",
)
@click.option(
    "--encoding",
    default=None,
    help="Text encoding of .csv inputs (default: detect UTF-8, else cp1252).",
)
@click.option(
    "--delimiter",
    default=None,
    help="Delimiter of .csv inputs (default: detect , ; TAB |). Use 'tab' for TAB.",
)
@click.option(
    "--dialect",
    "dialects",
    multiple=True,
    metavar="[FILE=]NAME",
    help="Import dialect of the inputs (default: detected).",
)
@click.option(
    "--mapping",
    "mappings",
    multiple=True,
    metavar="[FILE=]MAP.yaml",
    help="Mapping of source columns and codes to questionnaire variables (repeatable).",
)
@click.option(
    "--speeders",
    type=click.Choice(["flag", "set-aside"]),
    default="flag",
    show_default=True,
    help="What to do with speeders.",
)
@click.option(
    "--hard-rules",
    type=click.Choice(["set-aside", "flag"]),
    default="set-aside",
    show_default=True,
    help="What to do with rows violating a hard consistency rule.",
)
@click.option(
    "--precedence",
    default=None,
    metavar="KEYS",
    help="Duplicate precedence, comma-separated from most_complete, web, paper, cati, latest (default: the questionnaire's).",
)
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Language of validation_report.html (diagnostics.json and the logs keep their codes).",
)
def validate(
    questionnaire: str,
    inputs: tuple[str, ...],
    out: Path,
    frame: Path | None,
    second: tuple[str, ...],
    encoding: str | None,
    delimiter: str | None,
    dialects: tuple[str, ...],
    mappings: tuple[str, ...],
    speeders: str,
    hard_rules: str,
    precedence: str | None,
    lang: str,
) -> None:
    from pipeline.errors import Problem, UsageError, one_of
    from pipeline.ingest import InputFile
    from pipeline.ingest.inputs import per_input_options
    from pipeline.outpath import require_dir
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.validate import ValidationOptions, run_validation
    from pipeline.validate.quality import PRECEDENCE_KEYS

    require_dir(out)
    if delimiter is not None and delimiter.lower() == "tab":
        delimiter = "\t"
    order = None
    if precedence:
        order = tuple(p.strip() for p in precedence.split(",") if p.strip())
        bad = [p for p in order if p not in PRECEDENCE_KEYS]
        if bad:
            raise UsageError(
                "--precedence: unknown key", [Problem(one_of(bad[0], PRECEDENCE_KEYS))]
            )
    q = load_questionnaire(questionnaire)
    files = [InputFile.from_arg(a, encoding=encoding, delimiter=delimiter) for a in inputs]
    files = per_input_options(files, dialects, mappings)
    pairs: list[tuple[str, InputFile]] = []
    for s in second:
        primary, sep, path = s.rpartition("=")
        pairs.append(
            (
                primary if sep else "",
                InputFile(Path(path), mode="paper", encoding=encoding, delimiter=delimiter),
            )
        )
    options = ValidationOptions(
        set_aside_speeders=speeders == "set-aside",
        set_aside_hard_rules=hard_rules == "set-aside",
        duplicate_precedence=order,
    )
    sample_frame = None
    if frame is not None:
        from pipeline.frame.read import read_frame

        sample_frame = read_frame(frame, q)
    summary = run_validation(
        q, files, out, second_keyings=pairs, options=options, frame=sample_frame, lang=lang
    )
    for i in summary.inputs:
        click.echo(
            f"{i.file} ({i.mode}, {i.format}): {i.rows_read} read = {i.accepted} accepted + {i.set_aside} set aside"
        )
        click.echo(
            f"  read as {i.dialect} ({i.dialect_evidence})"
            + (f" with mapping {i.mapping}" if i.mapping else "")
        )
    if summary.reason_counts:
        click.echo("set aside: " + ", ".join(f"{k} {n}" for k, n in summary.reason_counts))
    if summary.issue_counts:
        click.echo("issues: " + ", ".join(f"{k} {n}" for k, n in summary.issue_counts))
    for k in summary.keying:
        click.echo(
            f"double keying {k.first} / {k.second}: {k.discrepancies} discrepancies in {k.fields_compared} fields ({k.rate:.2%})"
        )
    click.echo(f"written to {out}")
