"""The published cells the server holds, and the rows of one view.

The release file (``datatool.json`` in the build folder) holds, per series, the space (choices,
labels, data versions) and the cells; a suppressed cell has the flag ``suppressed`` and no number
at all, so no code path of the server can send a suppressed value. Lookups are dictionaries built
once at start-up: a view is a few dictionary reads.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from pipeline.datatool.precompute import Cell, PublicRelease, SeriesSpace
from pipeline.datatool.space import (
    ALL,
    FLANDERS_ONLY,
    NO_BREAKDOWN,
    POPULATION_LABELS,
    Choices,
    View,
)
from pipeline.errors import InputError, Problem

KIND = "wbm-datatool-release"
SCHEMA_VERSION = 1
FILE = "datatool.json"
NUMBERS = ("n", "estimate", "ci_low", "ci_high", "diff", "p_value")


def to_json(release: PublicRelease) -> dict[str, Any]:
    spaces = {}
    for name, s in release.spaces.items():
        d = asdict(s)
        d["data_versions"] = {str(k): v for k, v in s.data_versions.items()}
        spaces[name] = d
    cells = {}
    for name, cs in release.cells.items():
        rows = []
        for c in cs:
            row = asdict(c)
            if c.flag == "suppressed":  # belt and braces: no number of a suppressed cell
                row.update(dict.fromkeys(NUMBERS))
            rows.append(row)
        cells[name] = rows
    return {
        "kind": KIND,
        "schema_version": SCHEMA_VERSION,
        "policy": release.policy,
        "outcomes": {  # without the seconds each wave took: the same space, the same bytes
            n: [{k: v for k, v in asdict(o).items() if k != "seconds"} for o in os]
            for n, os in release.outcomes.items()
        },
        "spaces": spaces,
        "cells": cells,
    }


def write_release(release: PublicRelease, out_dir: str | Path) -> Path:
    from pipeline.fileio import ensure_dir, write_text

    d = ensure_dir(out_dir)
    text = json.dumps(to_json(release), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return write_text(d / FILE, text + "\n")


def read_release(path: str | Path) -> Store:
    p = Path(path)
    if p.is_dir():
        p = p / FILE
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{p}: not a datatool release ({exc.__class__.__name__})",
            [Problem("unreadable", file=str(p), hint="build it with: wbm datatool build")],
            code="datatool_no_release",
        ) from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise InputError(
            f"{p}: not a datatool release",
            [Problem("wrong kind", file=str(p), expected=KIND)],
            code="datatool_no_release",
        )
    return Store.from_json(data)


def _space(d: dict[str, Any]) -> SeriesSpace:
    return SeriesSpace(
        series=d["series"],
        population=d["population"],
        study=d["study"],
        waves=tuple(int(w) for w in d["waves"]),
        indicators=tuple(d["indicators"]),
        kinds=dict(d["kinds"]),
        breakdowns=tuple(d["breakdowns"]),
        sectors=tuple(int(s) for s in d["sectors"]),
        groups=tuple((g[0], dict(g[1]), tuple(g[2])) for g in d["groups"]),
        data_versions={int(k): v for k, v in d["data_versions"].items()},
        labels=d.get("labels", {}),
        # a release written before the filters per population: the employees' sectors
        filter_variable=d.get("filter_variable", "sector" if d["sectors"] else ""),
        filter_prefix=d.get("filter_prefix", "s" if d["sectors"] else ""),
    )


Key = tuple[int, str, str, str, str]  # wave, indicator, by, filter, level


@dataclass(frozen=True)
class Row:
    wave: int
    level: str
    level_label: str
    filter: str
    filter_label: str
    cell: Cell


class Store:
    """Cells by (series, wave, indicator, breakdown, filter, level); spaces by population."""

    def __init__(
        self,
        spaces: Mapping[str, SeriesSpace],
        cells: Mapping[str, tuple[Cell, ...]],
        policy: Mapping[str, Any] | None = None,
    ) -> None:
        self.spaces = dict(spaces)
        self.policy = dict(policy or {})
        self.by_population: dict[str, SeriesSpace] = {}
        for s in self.spaces.values():
            self.by_population.setdefault(s.population, s)
        self._cells: dict[str, dict[Key, Cell]] = {}
        self._levels: dict[str, dict[tuple[str, str], list[str]]] = {}
        for name, cs in cells.items():
            table: dict[Key, Cell] = {}
            levels: dict[tuple[str, str], list[str]] = {}
            for c in cs:
                table[(c.wave, c.indicator, c.by, c.filter, c.level)] = c
                seen = levels.setdefault((c.indicator, c.by), [])
                if c.level not in seen:
                    seen.append(c.level)
            self._cells[name] = table
            self._levels[name] = levels

    @classmethod
    def from_release(cls, release: PublicRelease) -> Store:
        return cls.from_json(json.loads(json.dumps(to_json(release))))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Store:
        names = {f.name for f in fields(Cell)}
        spaces = {n: _space(d) for n, d in data["spaces"].items()}
        cells = {
            n: tuple(Cell(**{k: v for k, v in row.items() if k in names}) for row in rows)
            for n, rows in data["cells"].items()
        }
        return cls(spaces, cells, data.get("policy"))

    def choices(self) -> dict[str, Choices]:
        return {
            pop: Choices(
                pop,
                s.indicators,
                s.breakdowns,
                s.filters,
                s.waves,
                s.filter_variable,
                s.labels.get("filter_name") or FLANDERS_ONLY,
            )
            for pop, s in self.by_population.items()
        }

    def default_population(self) -> str:
        return (
            "werknemers" if "werknemers" in self.by_population else next(iter(self.by_population))
        )

    def space(self, view: View) -> SeriesSpace:
        return self.by_population[view.population]

    def label(self, view: View, kind: str, name: str) -> str:
        labels = self.space(view).labels.get(kind, {})
        lab = labels.get(name)
        return str(lab.get(view.lang, name)) if isinstance(lab, dict) else name

    def level_label(self, view: View, level: str) -> str:
        if level == "":
            return "Totaal" if view.lang == "nl" else "Total"
        lab = self.space(view).labels.get("level", {}).get(view.breakdown, {}).get(level)
        return str(lab.get(view.lang, level)) if isinstance(lab, dict) else level

    def rows(self, view: View) -> list[Row]:
        """The view's rows: per wave, per level (total last), the filter's cell and, for a filter
        other than Flanders, the Flanders cell of the same level as reference. Cells the space does
        not have (an indicator not asked in that wave) are left out."""
        s = self.space(view)
        table = self._cells[s.series]
        levels = [lv for lv in self._levels[s.series].get((view.indicator, view.breakdown), [])]
        levels = [lv for lv in levels if lv != ""] + ([""] if "" in levels else [])
        if view.breakdown == NO_BREAKDOWN:
            levels = [""]
        filters = [view.filter] + ([ALL] if view.filter != ALL else [])
        out = []
        for w in view.waves:
            for lv in levels:
                for f in filters:
                    c = table.get((w, view.indicator, view.breakdown, f, lv))
                    if c is None:
                        continue
                    out.append(
                        Row(
                            w,
                            lv,
                            self.level_label(view, lv),
                            f,
                            self.label(view, "filter", f),
                            c,
                        )
                    )
        return out

    def population_label(self, pop: str, lang: str) -> str:
        return POPULATION_LABELS.get(pop, {}).get(lang, pop)
