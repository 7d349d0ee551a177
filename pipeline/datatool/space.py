"""The space of views the datatool allows (a spec: no pandas here).

A *view* is a population (an archive series), an indicator, a breakdown (none, one variable, or one
variable over the waves), a filter (none = Flanders, a sector group or a sector) and one or more
waves. The whole space is computed and protected once (:mod:`pipeline.datatool.precompute`); a
query only selects published cells of it.

Per wave and indicator the space is one table per breakdown variable ``v``: the filter hierarchy
(sectors, grouped into sector groups, summing to Flanders) crossed with the levels of ``v`` (plus
their total). Every view is a slice of one of those tables, so primary and secondary suppression
run over every view at once, and the differencing checks between the tables of one data version
(all indicators, all breakdowns) make the whole space one release.

The sector groups are the datatool's own grouping of the questionnaire's sector codes (documented in
``docs/datatool.md``); a group whose codes the questionnaire does not have is left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.errors import Problem, UsageError

NO_BREAKDOWN = ""
ALL = "all"  # the filter "no filter": Flanders (the whole population)
GROUP_PREFIX = "g"  # a filter on a group of levels: "g:<group>"


@dataclass(frozen=True)
class FilterSpec:
    """The filter of one population: a variable of its questionnaire (each code a filter
    ``<prefix>:<code>``), its codes grouped into named groups (each a filter ``g:<group>``), the
    levels and the groups summing to Flanders. The prefix differs between populations, so that a
    filter of one population is never read as another population's (the page's form resets it)."""

    variable: str
    prefix: str
    label: dict[str, str]  # the form's label of the filter's select
    groups: tuple[tuple[str, dict[str, str], tuple[int, ...]], ...] = ()

    def level(self, code: object) -> str:
        return f"{self.prefix}:{code}"


#: The employees' sector groups: the datatool's own grouping of the questionnaire's sector codes.
SECTOR_GROUPS: tuple[tuple[str, dict[str, str], tuple[int, ...]], ...] = (
    ("industrie", {"nl": "industrie", "en": "manufacturing"}, (1, 2, 3, 4)),
    ("bouw", {"nl": "bouw", "en": "construction"}, (5,)),
    (
        "diensten",
        {"nl": "handel en diensten", "en": "trade and services"},
        (6, 7, 8, 9, 10, 11, 16),
    ),
    (
        "social-profit",
        {"nl": "zorg, onderwijs en overheid", "en": "care, education and public sector"},
        (12, 13, 14, 15),
    ),
)

#: The filter of each population (a population without one, or whose questionnaire lacks the
#: variable, is Flanders only). The employees' ``s:<sector>`` and ``g:<group>`` are permalinks
#: in use: keep them.
FILTERS: dict[str, FilterSpec] = {
    "werknemers": FilterSpec(
        "sector",
        "s",
        {"nl": "sector of sectorgroep", "en": "sector or sector group"},
        SECTOR_GROUPS,
    ),
    "zelfstandigen": FilterSpec(
        "occupation_group", "occupation_group", {"nl": "beroepsgroep", "en": "occupational group"}
    ),
    "ondernemingen": FilterSpec(
        "sector_group", "sector_group", {"nl": "sectorgroep", "en": "sector group"}
    ),
}
FLANDERS_ONLY = {"nl": "deelgroep", "en": "subgroup"}  # the label without a filter variable

POPULATION_LABELS: dict[str, dict[str, str]] = {
    "werknemers": {"nl": "werknemers", "en": "employees"},
    "zelfstandigen": {"nl": "zelfstandig ondernemers", "en": "self-employed"},
    "ondernemingen": {"nl": "ondernemingen", "en": "enterprises"},
}

#: An organisation survey's indicator as a share of employees (each organisation weighted by its
#: number of employees, :mod:`pipeline.estimation.employment`): ``<indicator>:werknemers``, beside
#: the share of organisations (the indicator's own name).
EMPLOYEE_SHARE = ":werknemers"
SHARE_LABELS = {
    "organisations": {"nl": "aandeel organisaties", "en": "share of organisations"},
    "employees": {"nl": "aandeel werknemers", "en": "share of employees"},
}

LANGUAGES = ("nl", "en")
MAX_PARAM = 64  # longest value a query parameter may have
SAFE = re.compile(r"[^A-Za-z0-9:_,. -]")


@dataclass(frozen=True)
class View:
    """One checked query: what the page, the JSON and the downloads show."""

    population: str
    indicator: str
    breakdown: str  # "" = none
    filter: str  # "all", "g:<group>" or "s:<sector code>"
    waves: tuple[int, ...]
    lang: str = "nl"

    def query(self) -> str:
        """The permalink's query string (canonical order)."""
        from urllib.parse import urlencode

        items = [
            ("population", self.population),
            ("indicator", self.indicator),
            ("breakdown", self.breakdown),
            ("filter", self.filter),
            ("waves", ",".join(str(w) for w in self.waves)),
            ("lang", self.lang),
        ]
        return urlencode(items)


@dataclass(frozen=True)
class Choices:
    """What may be chosen for one population (from the published release)."""

    population: str
    indicators: tuple[str, ...]
    breakdowns: tuple[str, ...]
    filters: tuple[str, ...]
    waves: tuple[int, ...]
    filter_variable: str = ""  # the breakdown the filters are levels of ("": Flanders only)
    filter_label: Mapping[str, str] = field(default_factory=lambda: dict(FLANDERS_ONLY))


ALLOWED_PARAMS = frozenset({"population", "indicator", "breakdown", "filter", "waves", "lang"})


def bad(param: str, value: object, allowed: Sequence[object], what: str) -> UsageError:
    shown = ", ".join(str(a) for a in list(allowed)[:8])
    more = f" (and {len(allowed) - 8} more)" if len(allowed) > 8 else ""
    text = SAFE.sub("?", str(value))  # never echo markup or control characters
    if len(text) > 40:
        text = text[:40] + "..."
    return UsageError(
        f"{param}: {what} {text!r} is not available",
        [Problem(f"{param}={text!r}", expected=f"one of {shown}{more}")],
        code="datatool_bad_query",
    )


def parse_view(
    params: Mapping[str, str] | Sequence[tuple[str, str]],
    choices: Mapping[str, Choices],
    default_population: str,
) -> View:
    """A checked :class:`View` from query parameters; anything unknown, repeated, too long or not
    in the published space is a :class:`UsageError` (``datatool_bad_query``), answered with 400."""
    items = list(params.items()) if isinstance(params, Mapping) else list(params)
    seen: dict[str, str] = {}
    for k, v in items:
        if k not in ALLOWED_PARAMS:
            raise bad("query", k, sorted(ALLOWED_PARAMS), "parameter")
        if k in seen:
            raise UsageError(
                f"{k}: given twice", [Problem(f"parameter {k} repeated")], code="datatool_bad_query"
            )
        if len(v) > MAX_PARAM * 4:
            raise UsageError(
                f"{k}: value too long ({len(v)} characters)",
                [Problem(f"{k} has {len(v)} characters", expected=f"at most {MAX_PARAM * 4}")],
                code="datatool_bad_query",
            )
        seen[k] = v
    lang = seen.get("lang", "nl") or "nl"
    if lang not in LANGUAGES:
        raise bad("lang", lang, LANGUAGES, "language")
    pop = seen.get("population") or default_population
    if pop not in choices:
        raise bad("population", pop, sorted(choices), "population")
    c = choices[pop]
    ind = seen.get("indicator") or c.indicators[0]
    if ind not in c.indicators:
        raise bad("indicator", ind, c.indicators, "indicator")
    by = seen.get("breakdown", NO_BREAKDOWN)
    if by not in (NO_BREAKDOWN, *c.breakdowns):
        raise bad("breakdown", by, c.breakdowns, "breakdown")
    flt = seen.get("filter") or ALL
    if flt not in c.filters:
        raise bad("filter", flt, c.filters, "filter")
    if by and by == c.filter_variable and flt != ALL:
        raise UsageError(
            f"breakdown {by} with filter {flt}: a filter cannot be broken down by its own variable",
            [Problem(f"filter={flt!r}", expected=f"filter=all with breakdown={by}")],
            code="datatool_bad_query",
        )
    waves_text = seen.get("waves", "")
    if waves_text in ("", "all"):
        waves = c.waves
    elif waves_text == "latest":
        waves = c.waves[-1:]
    else:
        parts = waves_text.split(",")
        if len(parts) > len(c.waves):
            raise bad("waves", waves_text, c.waves, "waves")
        out = []
        for p in parts:
            p = p.strip()
            if not p.isdigit() or len(p) != 4 or int(p) not in c.waves:
                raise bad("waves", p, c.waves, "wave")
            out.append(int(p))
        if len(set(out)) != len(out):
            raise bad("waves", waves_text, c.waves, "waves (repeated)")
        waves = tuple(sorted(out))
    return View(pop, ind, by, flt, tuple(waves), lang)


#: The page's form parameters that belong to one population's space (the population aside).
POPULATION_PARAMS = ("indicator", "breakdown", "filter", "waves")


def fit_to_population(
    params: Sequence[tuple[str, str]], choices: Mapping[str, Choices]
) -> tuple[list[tuple[str, str]], tuple[tuple[str, str], ...]]:
    """For the page's form (plain HTML, no script): a user who picks another population submits the
    other choices of the population shown before, which the new one may not have (the
    employees' sector filter: each population's filters are its own, :class:`FilterSpec`). Such a value, one that another population's space has
    but the chosen one's does not, is dropped (the chosen population's default is shown) and
    returned (parameter, value). Everything else is left for :func:`parse_view` to judge, so a value in no
    population's space (an unknown or hostile one) is still refused. Not used by the API or the
    downloads: a permalink names one view exactly."""
    items = list(params)
    pops = [v for k, v in items if k == "population"]
    if len(pops) != 1 or pops[0] not in choices:
        return items, ()
    mine = choices[pops[0]]
    others = [c for p, c in choices.items() if p != pops[0]]

    def allowed(c: Choices, key: str, value: str) -> bool:
        if key == "indicator":
            return value in c.indicators
        if key == "breakdown":
            return value in (NO_BREAKDOWN, *c.breakdowns)
        if key == "filter":
            return value in c.filters
        parts = [p.strip() for p in value.split(",")]  # waves
        return value in ("", "all", "latest") or all(
            p.isdigit() and int(p) in c.waves for p in parts
        )

    kept, dropped = [], []
    for k, v in items:
        if (
            k in POPULATION_PARAMS
            and not allowed(mine, k, v)
            and any(allowed(c, k, v) for c in others)
        ):
            dropped.append((k, v))
            continue
        kept.append((k, v))
    if {k for k, _ in dropped} & {"filter", "breakdown"}:  # a kept pair must still fit together
        by = next((v for k, v in kept if k == "breakdown"), NO_BREAKDOWN)
        if by and by == mine.filter_variable:
            kept = [(k, v) for k, v in kept if k != "filter"]
    return kept, tuple(dropped)
