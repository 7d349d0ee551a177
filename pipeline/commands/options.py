"""Click options that several commands share (``wbm report``, ``wbm benchmark``): one definition
each, so their names, types and defaults cannot drift apart. Option names and help texts are
contracts: a command passes its own help where its wording differs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

#: ``--out``: where a report command writes (its run's reports directory by default).
REPORTS_OUT = click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Output directory [default: RUNDIR/05_outputs/reports].",
)


def policy_option(help: str) -> Callable[[F], F]:
    """``--policy FILE``: the publisher's disclosure policy a report command publishes under
    (``None``: ``$WBM_POLICY``, else the run's; :func:`pipeline.reports.publishing.run_publisher`).
    ``help`` says what the policy decides for that command's report."""
    return click.option(
        "--policy",
        "policy",
        type=click.Path(dir_okay=False),
        default=None,
        help=help,
    )
