"""The publisher a report command works under, and a run's estimates as its reports may show them
(``wbm report``, ``wbm benchmark``): one place, so every report command finds the same policy the
same way and protects a run's figures with the same call (a rerun of the same figures is a re-issue
and logs nothing new)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.sdc.publisher import Publisher
    from pipeline.tables.figures import FiguresRelease


def run_publisher(run_dir: Path, policy: str | Path | None) -> Publisher:
    """The publisher whose policy applies: ``--policy``, else ``$WBM_POLICY``, else the run's."""
    from pipeline.rundata.read import run_manifest
    from pipeline.sdc.publisher import publisher
    from pipeline.tables.source import recorded_policy

    return publisher(policy, recorded=recorded_policy(run_manifest(run_dir, lenient=True), run_dir))


def protected_estimates(
    estimates: pd.DataFrame,
    run_dir: Path,
    pub: Publisher,
    min_n: int | None,
    min_n_reliable: int | None,
) -> pd.DataFrame:
    """The estimates as the reports may show them (:func:`protected_figures`)."""
    return protected_figures(estimates, run_dir, pub, min_n, min_n_reliable)[0]


def protected_figures(
    estimates: pd.DataFrame,
    run_dir: Path,
    pub: Publisher,
    min_n: int | None,
    min_n_reliable: int | None,
    numeric: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, FiguresRelease | None]:
    """The estimates as the reports may show them, and the release of the figures (None: not
    protected). Where the publisher's policy says ``protect_reports: true``: every figure through
    the disclosure engine and logged as a public release (:mod:`pipeline.tables.figures`, with the
    numeric indicators' means: ``numeric``, default the run's numeric estimates; a rerun logs
    nothing new); a run without scored data (estimates made elsewhere) cannot be checked, so it is
    refused (fail closed). Otherwise the estimates as they are (the estimate stage's primary
    suppression)."""
    from pipeline.rundata.layout import SCORED, stage_file
    from pipeline.tables.figures import protect_run_figures

    if not pub.policy.policy.protect_reports:
        return estimates, None
    if not stage_file(run_dir, "score", SCORED).exists():  # fail closed: nothing unchecked
        from pipeline.errors import Problem, UsageError

        raise UsageError(
            f"{run_dir} has no scored data ({SCORED}): the publisher's policy protects the "
            "reports' figures (protect_reports: true), and without the respondents' data the "
            "disclosure engine cannot check them",
            [
                Problem(
                    "every figure of a report must be checked by the disclosure engine and logged",
                    file=str(run_dir),
                    hint="render the reports of a full run (with its score stage), or under a "
                    "policy without protect_reports",
                )
            ],
            code="no_scored_data",
        )
    return protect_run_figures(
        estimates, run_dir, pub, min_n=min_n, min_n_reliable=min_n_reliable, numeric=numeric
    )
