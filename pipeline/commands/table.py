"""``wbm table``: a custom table for a sector fund, with disclosure control.

\b
    wbm table REQUEST.yaml --run RUNDIR [--run RUNDIR2 ...] --out DIR [--policy FILE]
              [--ledger DIR] [--dry-run]

REQUEST is a table request (kind: table-request; examples in examples/requests/): population,
waves, indicators, row and column breakdowns, filters, statistics, language, requester (an
organisation of the publisher's registry: anything else is refused). Each
requested wave needs the directory of a finished run of that wave (--run, repeatable): the numbers
are estimated from its 03_score/scored.parquet with calibration-aware standard errors.

The rules are the publisher's policy (--policy FILE, else $WBM_POLICY, else the policy the run's
outputs stage used); a request's own 'disclosure:' block may only make them stricter. Breakdowns
and filters are the questionnaire's domains, weighting and banded variables (raw items only where
the policy lists them), and origin (migration background, from the sample frame) only where the
policy's tables.sensitive_breakdowns lists it, under its stricter minimums. Every cell goes through primary suppression (minimum unweighted n),
secondary suppression (no suppressed cell can be recomputed from row or column totals) and a
differencing check against every earlier release on the same data version (a content hash of the
respondents' data), to whoever it went: reports, standard tables, other requesters' tables.
Every release (and refusal) is logged in the policy's ledger, one folder per data version, and with
--ledger DIR also in DIR; earlier releases are read from both, each release once. Cell definitions,
counts and statuses are logged, never answers. Output and ledger directories are checked before
anything is logged; the files are moved into place only once all are written and the release
is logged.

Writes DIR/<id>.xlsx (a sheet per wave and a notes sheet; printed A4 landscape, one page wide,
headers repeated), DIR/<id>.csv, DIR/<id>.json and DIR/<id>.excel.csv (the CSV's rows for a
Dutch-locale Excel: ';' separator, decimal comma, UTF-8 BOM). The CSV
columns (the JSON's "rows" have the same keys) are a contract:

\b
    wave, indicator, indicator_label, unit (percent | mean | total | count),
    row_variable, row_level, row_label, column_variable, column_level, column_label,
    estimate, ci_low, ci_high, n, weighted_n, flag ('' | unreliable | suppressed | empty),
    change_from, change, change_ci_low, change_ci_high, change_p_value, change_significant,
    change_flag ('' | suppressed | empty | not_comparable),
    benchmark, benchmark_estimate, benchmark_difference, benchmark_ci_low, benchmark_ci_high,
    benchmark_p_value, benchmark_significant,
    benchmark_flag ('' | suppressed | empty | reference | not_applicable),
    suppression_reason ('' | too_few_respondents | protects_another_cell | not_told)

weighted_n is rounded to a multiple of the policy's base (default 100), coarser where the data's
weights need it so that a difference of two cannot single out one weight (the notes and the JSON's
weighted_n_base say which), or left out. A request of several waves gets each wave's change against the previous requested wave (the request's "change: first": against
the oldest; "change: none": no change), in percentage points for percentages, with its 95% interval
and a test for two independent samples; only where both cells are published, never across a change
of the indicator's definition.

A request's "benchmark: flanders" (or "rest", or "{variable: age_band, level: 1}": a group of
one of the table's breakdowns) sets every cell beside Flanders (the wave's whole population,
without the filters), the rest of the population, or that group's cell in the same row or column:
its estimate, the difference with its 95% interval and, with the statistics "p_value" and/or
"significance", the two-sided test (the run's design and calibration). The reference cell of
Flanders and the rest is protected and logged like every cell; a suppressed cell, or one whose
reference is suppressed, has no benchmark numbers.

"indicators" may name a distribution: "verdeling:aantal_problemen" (the number of problems as
0, 1, 2, 3-4: aantal_problemen_0 ... aantal_problemen_3_4) or "verdeling:<indicator>" (problematic,
of which acute: werkstress, werkstress_acuut); its indicators then follow each other in the table.

A suppressed cell's reason (too few respondents, or hidden to protect another cell) is given only
where the published counts already imply it; elsewhere it is "not_told" (telling it would narrow
what can be derived: docs/custom-tables.md).

Levels are codes as text, "missing" for no substantive answer, '' for the total; percentages are
0-100; "total" rows (enterprise requests naming a numeric item, e.g. employees) are weighted totals,
also protected by the (n,k) dominance and p% rules; a request showing only n and weighted_n is a
count table (minimum 5 instead of 30). Suppressed cells and statistics not requested are empty. The same request on the same data
gives byte-identical files.

\b
Exit codes: 0 released (possibly with further suppression; reasons on stderr),
            2 bad request or options,
            3 refused (nothing written; the refusal and its reasons are logged and printed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from pipeline.errors import DisclosureError, Problem

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.tables.release import WaveRelease

REFUSED_EXIT = 3


@click.command("table", help=__doc__.split("\n\n", 1)[1] if __doc__ else None)
@click.argument("request", type=click.Path(dir_okay=False))
@click.option(
    "--run",
    "runs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="A finished run directory (wbm run / wbm demo); one per requested wave.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Directory for <id>.xlsx, <id>.csv, <id>.json and <id>.excel.csv (required unless "
    "--dry-run).",
)
@click.option(
    "--policy",
    "policy",
    type=click.Path(dir_okay=False),
    default=None,
    help="The publisher's disclosure policy file [default: $WBM_POLICY, else the run's].",
)
@click.option(
    "--ledger",
    "ledger",
    type=click.Path(file_okay=False),
    default=None,
    help="A ledger directory used as well as the policy's: releases are logged in both and "
    "checked against both.",
)
@click.option(
    "--dry-run", is_flag=True, help="Check and protect the request; write and log nothing."
)
def table(
    request: str,
    runs: tuple[str, ...],
    out_dir: str | None,
    policy: str | None,
    ledger: str | None,
    dry_run: bool,
) -> None:
    from datetime import UTC, datetime

    from pipeline.errors import UsageError
    from pipeline.tables.api import make_table

    if out_dir is None and not dry_run:
        raise UsageError(
            "give --out DIR (or --dry-run)",
            [Problem("no output directory", hint="e.g. --out out/tables")],
            code="bad_option",
        )
    stamp = datetime.now(UTC).replace(microsecond=0).isoformat()
    outcome = make_table(
        request,
        list(runs),
        None if dry_run else out_dir,
        policy=policy,
        ledger=ledger,
        logged_at=stamp,
    )
    rel = outcome.release
    for w in rel.waves:
        _summary(w)
    if rel.decision == "refuse":
        raise DisclosureError(
            f"request {rel.request.request.id!r} refused: it would disclose a protected figure"
            + ("" if dry_run else "; nothing written, the refusal is logged"),
            [
                Problem(
                    r,
                    hint="drop or widen the filter or breakdown",
                )
                for r in rel.reasons
            ],
            code="request_refused",
            exit_code=REFUSED_EXIT,
        )
    if rel.decision == "suppress":
        click.echo("further suppressed because of earlier releases:", err=True)
        for r in rel.reasons:
            click.echo(f"  - {r}", err=True)
    for path in outcome.files:
        click.echo(f"wrote {path}", err=True)
    if dry_run:
        click.echo(f"dry run: decision {rel.decision}; nothing written or logged", err=True)


def _summary(w: WaveRelease) -> None:
    from collections import Counter

    counts: Counter[str] = Counter()
    for pt in w.tables:
        for s in pt.protected.statuses:
            counts[s.split(":")[0] if s.startswith("primary") else s] += 1
    total = sum(counts.values())
    parts = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    click.echo(
        f"wave {w.wave}: {w.decision}; {total} cells ({parts}); data sha256:{w.data.data_version[:12]}"
        + (f"; ledger {w.release_id}" if w.release_id else ""),
        err=True,
    )
    for n in w.notices:
        click.echo(f"  note: {n}", err=True)
