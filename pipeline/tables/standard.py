"""The run's standard table (indicators by sector), published by the outputs stage through the same
protected path as every ``wbm table`` request: a request built in code, to the requester ``public``.

It is logged in the run's ledger (``RUNDIR/ledger/public.jsonl``, without a timestamp so a rerun gives
the same bytes), and because it is public, every later request on the run's data is checked against
it (:mod:`pipeline.tables.release`).
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import DisclosureError, Problem
from pipeline.questionnaire.model import Questionnaire
from pipeline.reports.labels import indicator_groups
from pipeline.tables.release import PUBLIC
from pipeline.tables.request import (
    DEFAULT_CUTOFFS,
    POPULATIONS,
    ResolvedRequest,
    indicator_names,
    parse_request,
    resolve,
)

STANDARD_STATISTICS = ("percent", "ci", "n")


def default_rows(q: Questionnaire) -> list[str]:
    """The standard table rows, the reports' indicator groups: werkbaar werk, the workability
    indicators (each with its acute variant; kept where the data have it), the risks."""
    from pipeline.rundata.columns import acute_column

    groups = indicator_groups(q)
    out = [] if groups.headline is None else [groups.headline.name]
    for ind in groups.workability:
        out += [ind.name, acute_column(ind.name)]
    return out + [ind.name for ind in groups.risk]


def standard_request(
    q: Questionnaire,
    questionnaire: str,
    columns: list[str],
    *,
    min_n: int = 30,
    min_n_reliable: int = 50,
    cutoff_population: str = DEFAULT_CUTOFFS,
) -> ResolvedRequest:
    """Indicators (those the data have) by the questionnaire's first domain, Dutch, as a request: the
    standard rows, or every indicator of a questionnaire without workability indicators (e.g. the OE).
    ``cutoff_population``: the cut-off population the data were scored with."""
    domain = q.domains[0]
    population = {v: k for k, v in POPULATIONS.items()}[q.study.population]
    data = {
        "id": f"{q.study.id}-{domain}".lower(),
        "requester": PUBLIC,
        "population": population,
        "title": {"nl": f"{q.study.title.nl}: indicatoren per {domain}"},
        "waves": [q.study.wave],
        "questionnaire": questionnaire,
        "indicators": [
            r for r in (default_rows(q) or indicator_names(q, cutoff_population)) if r in columns
        ],
        "columns": domain,
        "statistics": list(STANDARD_STATISTICS),
        "language": "nl",
        "disclosure": {"min_n_percent": min_n, "unreliable_below": max(min_n_reliable, min_n)},
    }
    return resolve(
        parse_request(data, "standard table"),
        "standard table",
        loaded=q,
        cutoff_populations={q.study.wave: cutoff_population},
    )


def write_standard_table(
    run_dir: str | Path, out_dir: str | Path, *, min_n: int = 30, min_n_reliable: int = 50
) -> Path:
    """Protect, log and write the run's standard table (xlsx, csv, json); returns the workbook."""
    from pipeline.tables.api import publish_request
    from pipeline.tables.release import ledgers_for
    from pipeline.tables.source import load_run

    data = load_run(run_dir)
    resolved = standard_request(
        data.questionnaire,
        data.reference,
        list(data.frame.columns),
        min_n=min_n,
        min_n_reliable=min_n_reliable,
        cutoff_population=data.cutoff_population,
    )
    outcome = publish_request(resolved, {data.wave: data}, out_dir, ledgers_for(None))
    if outcome.decision == "refuse":
        raise DisclosureError(
            "the standard table cannot be published safely",
            [Problem(r) for r in outcome.release.reasons],
            code="standard_table_refused",
        )
    return outcome.files[0]
