"""A sectoral benchmark's figures as a logged public release on the main wave (``wbm benchmark``
under ``protect_reports: true``; review finding 5 of issue 13).

The benchmark (:mod:`pipeline.sectoral.benchmark`) is a subset of the main wave's respondents: the
matching group (``benchmark.where``) within the levels of the reweighting variables the sector has.
Its figures are computed from that subset alone, so they are protected on the **main wave's** data
version, as a request for the requester ``public`` would be: one table per indicator, filtered to the
group (the ``where`` codes and the sector's levels of each reweighting variable), broken down by the
reweighting variables (rows: the first, columns: the second). Every cell of those tables (the group,
its margins and the crossed cells) is protected with the engine the reports' figures use
(:func:`pipeline.sdc.tables.space.protect_space`: primary and secondary suppression, the
respondent-level checks, differencing against every release logged on the main wave before) and the
tables are logged as one public release (label ``<study>-benchmark-<config>``); a rerun on the same
data is a re-issue and logs nothing new.

Why the crossed cells: the reweighted benchmark is not a cell. With raking on the reweighting
margins every respondent of a crossed cell (e.g. women aged 25-34) gets the same factor, so the
reweighted share is ``sum_c g_c T_c / sum_c g_c W_c`` over the crossed cells ``c`` (``T_c``: the
weighted sum of the indicator, ``W_c``: the weighted N, ``g_c`` the raking factors, themselves a
function of the ``W_c`` and the sector's shares). Two weightings of one small set are two equations in
its members' values, so a benchmark published beside the unweighted group (or reweighted to another
composition: another wave of the sector, another configuration) could isolate a small crossed cell.
Its standard error is likewise a function of per-cell sums (of the weights squared, times the
indicator and its square: the calibration residuals are constant per crossed cell). So every number
of an indicator's benchmark is a function of sums over the respondent sets of the crossed cells and
the group, and the engine's guarantee for those sets covers it: the reweighted benchmark of an indicator
is published **only if every cell of its table with respondents is released** (and logged, so a
later request is checked against them); otherwise it is a dash. The benchmark before reweighting is
the table's grand total, a cell itself: shown where the engine released it. More than two reweighting variables cannot
be one table: fail closed (no benchmark figure is published).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.errors import PipelineError
from pipeline.sdc.publisher import Publisher
from pipeline.sdc.registry import PUBLIC
from pipeline.sdc.tables.rules import PUBLIC_SUPPRESSED, public_flag
from pipeline.sdc.tables.structure import TOTAL
from pipeline.tables.request import POPULATIONS, indicator_names, parse_request, resolve

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.sectoral.spec import BenchmarkSpec
    from pipeline.tables.source import WaveData

STATISTICS = ("percent", "ci", "n")


@dataclass(frozen=True)
class BenchmarkFigures:
    """What protecting a benchmark's figures did: the indicators whose reweighted benchmark may be
    shown (every cell of their table with respondents released), those whose group is released
    (the benchmark before reweighting: the table's grand total, a released cell itself), the ledger
    entry, and why anything was not published."""

    shown: frozenset[str]
    release_id: str | None
    notices: tuple[str, ...] = ()
    groups: frozenset[str] = frozenset()


def benchmark_request(
    data: WaveData,
    spec: BenchmarkSpec,
    levels: Mapping[str, Sequence[int]],
    indicators: Sequence[str],
) -> dict[str, object]:
    """The request (as a request file would say it) of a benchmark's figures on the main wave:
    the group as filters, broken down by the reweighting variables (``levels``: the sector's levels
    of each, the ones the benchmark is restricted to)."""
    q = data.questionnaire
    filters: list[dict[str, object]] = [
        {"variable": v, "levels": [int(c) for c in codes]} for v, codes in spec.where
    ]
    filters += [{"variable": v, "levels": sorted(int(c) for c in levels[v])} for v in spec.reweight]
    out: dict[str, object] = {
        "id": f"{q.study.id}-benchmark-{spec.name}".lower(),
        "requester": PUBLIC,
        "population": {v: k for k, v in POPULATIONS.items()}[q.study.population],
        "title": {"nl": f"{q.study.title.nl}: benchmark {spec.label}"},
        "waves": [q.study.wave],
        "questionnaire": data.reference,
        "indicators": list(indicators),
        "statistics": list(STATISTICS),
        "filters": filters,
        "language": "nl",
    }
    if spec.reweight:
        out["rows"] = spec.reweight[0]
    if len(spec.reweight) > 1:
        out["columns"] = spec.reweight[1]
    return out


def protect_benchmark(
    data: WaveData,
    spec: BenchmarkSpec,
    levels: Mapping[str, Sequence[int]],
    publisher: Publisher,
    indicators: Sequence[str],
) -> BenchmarkFigures:
    """Protect and log a benchmark's tables on the main wave ``data`` (see the module); fail closed:
    whatever cannot be requested, computed or protected is not shown."""
    from pipeline.sdc.policy import effective_rules
    from pipeline.tables.compute import calibrated_design, compute_wave
    from pipeline.tables.figures import _record, _space_table, figures_hash, protect_public
    from pipeline.tables.source import disclosure_columns

    q = data.questionnaire
    publisher.registry.organisation(PUBLIC)  # the public must be a registered recipient
    rules, _ = effective_rules(publisher.policy, {}, "benchmark figures")
    allowed = set(indicator_names(q, data.cutoff_population))
    inds = [i for i in dict.fromkeys(indicators) if i in allowed]
    notices = [f"{i}: no request can show this indicator" for i in indicators if i not in allowed]
    if len(spec.reweight) > 2:
        return BenchmarkFigures(
            frozenset(),
            None,
            (*notices, "more than two reweighting variables: the benchmark is not one table"),
        )
    if not inds:
        return BenchmarkFigures(frozenset(), None, tuple(notices))
    where = f"benchmark figures ({spec.name})"
    try:
        request = benchmark_request(data, spec, levels, inds)
        resolved = resolve(
            parse_request(request, where),
            where,
            loaded=q,
            cutoff_populations={q.study.wave: data.cutoff_population},
        )
        columns = disclosure_columns(data)
        numbers = compute_wave(
            resolved, resolved.wave(data.wave), data, columns, calibrated_design(data)
        )
    except (PipelineError, ValueError) as exc:  # fail closed: nothing of the benchmark is shown
        return BenchmarkFigures(frozenset(), None, (*notices, f"{where}: {exc}"))
    by = f"benchmark:{spec.name}"
    tables = [_space_table(t, by) for t in numbers]
    request_hash = figures_hash([request])
    digests = [d for t in numbers for d in t.digests]
    try:  # after an earlier wbm benchmark a re-issue: what it published, never more
        issue = protect_public(publisher, data, request_hash, tables, columns, rules, digests)
    except PipelineError as exc:  # fail closed
        return BenchmarkFigures(frozenset(), None, (*notices, f"{where}: {exc}"))
    label = f"{q.study.id}-benchmark-{spec.name}".lower()
    release_id = _record(publisher, data, issue, tables, digests, rules, label)
    shown, groups = set(), set()
    for t, st in zip(numbers, tables, strict=True):
        released = [public_flag(status) != PUBLIC_SUPPRESSED for status in st.statuses]
        if all(ok for ok, n in zip(released, t.n, strict=True) if n > 0):
            shown.add(t.indicator)
        total = [i for i, key in enumerate(t.structure.keys) if all(k == TOTAL for k in key)]
        if total and released[total[0]]:
            groups.add(t.indicator)
    return BenchmarkFigures(frozenset(shown), release_id, tuple(notices), frozenset(groups))
