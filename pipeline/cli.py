"""The ``wbm`` command line (also ``python -m pipeline``).

Commands are loaded lazily from ``pipeline.commands.*`` so ``wbm --help`` is fast and importing the
CLI loads no heavy library. Every :class:`pipeline.errors.PipelineError` becomes a clear message on
stderr and the error's exit code; a traceback only ever means a bug in the pipeline.

Command names and options are contracts other tools rely on: extend, never rename.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

import click

from pipeline import __version__

# name -> (module, attribute, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "synth": ("pipeline.commands.synth", "synth", "Generate a synthetic mixed-mode wave."),
    "demo": ("pipeline.commands.demo", "demo", "Generate a wave and run the whole pipeline on it."),
    "run": ("pipeline.commands.run", "run", "Run pipeline stages on a run directory."),
    "questionnaire": (
        "pipeline.commands.questionnaire",
        "questionnaire",
        "Check, document and compare questionnaire schemas.",
    ),
    "validate": (
        "pipeline.commands.validate",
        "validate",
        "Ingest and validate raw responses against a questionnaire.",
    ),
    "weight": (
        "pipeline.commands.weight",
        "weight",
        "Weight any survey file to population margins.",
    ),
    "estimate": (
        "pipeline.commands.estimate",
        "estimate",
        "Weighted estimates with design-based CIs for any survey file.",
    ),
    "report": ("pipeline.commands.report", "report", "Render sector reports (HTML, PDF)."),
    "benchmark": (
        "pipeline.commands.benchmark",
        "benchmark",
        "A sectoral measurement beside its benchmark in the main wave (report).",
    ),
    "table": (
        "pipeline.commands.table",
        "table",
        "Produce a custom table with disclosure control.",
    ),
    "release": ("pipeline.commands.release", "release", "Build an anonymised microdata release."),
    "fieldwork": (
        "pipeline.commands.fieldwork",
        "fieldwork",
        "Response, representativeness (R-indicators) and mode effects of a run.",
    ),
    "plan": (
        "pipeline.commands.plan",
        "plan",
        "Invitations per domain for the next wave from the last wave's response.",
    ),
    "errors": ("pipeline.commands.errors", "errors", "Explain error codes (docs/errors.md)."),
    "archive": (
        "pipeline.commands.archive",
        "archive",
        "The wave archive: add finished runs, list, check, export, read series.",
    ),
    "datatool": (
        "pipeline.commands.datatool",
        "datatool",
        "The datatool: build its public release from the archive and serve it.",
    ),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        mod_name, attr, _ = COMMANDS[cmd_name]
        cmd: click.Command = getattr(importlib.import_module(mod_name), attr)
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(n, COMMANDS[n][2]) for n in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wbm")
def cli() -> None:
    """Survey pipeline for the Flemish Workability Monitor and Enterprise Survey."""


def report_error(exc: Exception) -> int:
    """Print a :class:`~pipeline.errors.PipelineError` (an ``OSError`` no command located itself
    becomes one) on stderr with its code; returns the exit code."""
    from pipeline.errors import PipelineError

    if not isinstance(exc, PipelineError):
        from pipeline.outpath import os_error

        assert isinstance(exc, OSError)
        exc = os_error(exc)
    click.echo(f"Error: {exc.render()}", err=True)
    click.echo(f"(error code {exc.code}; explained by 'wbm errors {exc.code}')", err=True)
    return exc.exit_code


def main(argv: list[str] | None = None) -> Any:
    from pipeline.errors import PipelineError

    try:
        return cli.main(args=argv, prog_name="wbm", standalone_mode=False)
    except (PipelineError, OSError) as exc:
        sys.exit(report_error(exc))
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main()
