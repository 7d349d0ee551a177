"""The run's standard table (indicators by sector), published by the outputs stage through the same
protected path as every ``wbm table`` request: a request built in code, to the requester ``public``.

It is logged in the publisher's ledger under the data's version (without a timestamp, so a rerun gives
the same bytes and a copy of the data finds it), and every later request on the same data is checked
against it (:mod:`pipeline.tables.release`). Its thresholds are the publisher's policy; a run's
``min_n`` may only make them stricter.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import DisclosureError, Problem
from pipeline.questionnaire.model import Questionnaire
from pipeline.reports.labels import indicator_groups
from pipeline.sdc.publisher import Publisher
from pipeline.sdc.registry import PUBLIC
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
    min_n: int | None = None,
    min_n_reliable: int | None = None,
    cutoff_population: str = DEFAULT_CUTOFFS,
) -> ResolvedRequest:
    """Indicators (those the data have) by the questionnaire's first domain (its levels as rows), Dutch, as a request: the
    standard rows, or every indicator of a questionnaire without workability indicators (e.g. the OE).
    ``min_n``, ``min_n_reliable``: stricter thresholds than the policy's (None: the policy's);
    ``cutoff_population``: the cut-off population the data were scored with."""
    disclosure: dict[str, int] = {}
    if min_n is not None:
        disclosure["min_n_percent"] = min_n
    if min_n_reliable is not None:
        disclosure["unreliable_below"] = max(min_n_reliable, min_n or 0)
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
        "rows": domain,  # sectors as rows (a column per sector made 87 columns): see the CHANGELOG
        "statistics": list(STANDARD_STATISTICS),
        "language": "nl",
        "disclosure": disclosure,
    }
    return resolve(
        parse_request(data, "standard table"),
        "standard table",
        loaded=q,
        cutoff_populations={q.study.wave: cutoff_population},
    )


def write_standard_table(
    run_dir: str | Path,
    out_dir: str | Path,
    publisher: Publisher,
    *,
    min_n: int | None = None,
    min_n_reliable: int | None = None,
) -> Path:
    """Protect, log and write the run's standard table (xlsx, csv, json); returns the workbook.
    ``min_n``/``min_n_reliable`` are used where stricter than the publisher's policy."""
    from pipeline.tables.api import publish_request
    from pipeline.tables.source import load_run

    rules = publisher.policy.rules
    data = load_run(run_dir)
    min_n = None if min_n is None or min_n <= rules.min_n_percent else min_n
    if min_n_reliable is not None and min_n_reliable <= max(rules.unreliable_below, min_n or 0):
        min_n_reliable = None
    resolved = standard_request(
        data.questionnaire,
        data.reference,
        list(data.frame.columns),
        min_n=min_n,
        min_n_reliable=min_n_reliable,
        cutoff_population=data.cutoff_population,
    )
    outcome = publish_request(resolved, {data.wave: data}, out_dir, publisher)
    if outcome.decision == "refuse":
        raise DisclosureError(
            "the standard table cannot be published safely",
            [Problem(r) for r in outcome.release.reasons],
            code="standard_table_refused",
        )
    return outcome.files[0]
