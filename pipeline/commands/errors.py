"""``wbm errors``: what an error code means (every code a user can see, one catalogue)."""

from __future__ import annotations

from collections.abc import Iterator

import click

from pipeline.errorcodes import CODES, FamilyRow, render_markdown


def family_rows() -> Iterator[FamilyRow]:
    """(family, code, title, what) of the catalogues that live with their checks: the questionnaire
    check's problems and validation's issues."""
    from pipeline.questionnaire.problems import CATALOGUE as QUESTIONNAIRE
    from pipeline.validate.catalogue import CATALOGUE as VALIDATION

    for q in QUESTIONNAIRE.values():
        what = f"pass {q.pass_}" + (", warning" if q.warning else "")
        yield "questionnaire", q.code, q.title, f"{q.description} ({what})"
    for v in VALIDATION.values():
        what = f"{v.severity}, {v.level}" + (", set-aside reason" if v.set_aside else "")
        yield "validation", v.code, v.title, what


def known_codes() -> frozenset[str]:
    """Every catalogued code: the registry and the questionnaire and validation catalogues."""
    return frozenset(CODES) | {code for _, code, _, _ in family_rows()}


def explain(code: str) -> list[str]:
    """Lines explaining ``code`` (several when it is in more than one catalogue)."""
    out = []
    if code in CODES:
        c = CODES[code]
        out.append(f"{c.code} ({c.kind}, {c.area}): {c.title}. {c.meaning}")
    out += [
        f"{code} ({fam}): {title}. {what}" for fam, cd, title, what in family_rows() if cd == code
    ]
    return out


@click.command("errors")
@click.argument("codes", nargs=-1)
@click.option("--markdown", is_flag=True, help="Print the whole catalogue as docs/errors.md.")
def errors(codes: tuple[str, ...], markdown: bool) -> None:
    """Explain error CODES (as printed after an error), or list every code.

    Exit code 2 when a code is not in the catalogue.
    """
    from pipeline.errors import Problem, UsageError, did_you_mean

    if markdown:
        click.echo(render_markdown(family_rows()), nl=False)
        return
    if not codes:
        for entry in sorted(CODES.values(), key=lambda e: (e.area, e.code)):
            click.echo(f"{entry.code:32} {entry.kind:8} {entry.title}")
        click.echo("(plus the questionnaire and validation codes: wbm errors --markdown)")
        return
    known = known_codes()
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise UsageError(
            f"{len(unknown)} unknown error code(s)",
            [
                Problem("not a catalogued code", value=c, hint=did_you_mean(c, known))
                for c in unknown
            ],
            code="bad_option",
        )
    for c in codes:
        for line in explain(c):
            click.echo(line)
