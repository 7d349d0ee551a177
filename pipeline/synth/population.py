"""The synthetic population: deterministic cell counts over the model's population variables.

No randomness: the joint shares are the product of every variable's shares given its parent
(``population.variables`` in the model), times the total, rounded to whole units by the
largest-remainder method so they add up to the total exactly. Cells are laid out in
``population.cells`` order (C order: the first variable slowest). The margins files a model declares
(``population.margins``) are written by :func:`write_margins` and the shipped copies in ``weights/``
are checked against it by a test.

    python -m pipeline.synth.population    # rewrite every shipped weights/*.synthetic.csv (+ .yaml)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from pipeline.paths import WEIGHTS_DIR
from pipeline.questionnaire.model import Questionnaire
from pipeline.synth.check import check_model, variable_codes
from pipeline.synth.spec import MagnitudeSpec, MarginsFile, PopulationVariable, SynthModel
from pipeline.weighting.margins import Margin, Margins, MarginsMeta, dump_margins


@dataclass(frozen=True, eq=False)
class Population:
    """Cell counts over ``variables`` (C order: the first variable slowest)."""

    variables: tuple[str, ...]
    codes: tuple[tuple[int, ...], ...]  # the codes of each variable, in questionnaire order
    counts: np.ndarray  # int64, shape = number of codes per variable

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    @cached_property
    def cell_codes(self) -> dict[str, np.ndarray]:
        """Per variable, the code of every cell (flattened, C order)."""
        grids = np.meshgrid(*[np.asarray(c, dtype=np.int64) for c in self.codes], indexing="ij")
        return {v: g.ravel() for v, g in zip(self.variables, grids, strict=True)}

    @cached_property
    def cell_counts(self) -> np.ndarray:
        return self.counts.ravel()

    def margin(self, variable: str) -> tuple[tuple[int, ...], np.ndarray]:
        """Codes and totals of one variable."""
        axis = self.variables.index(variable)
        others = tuple(i for i in range(self.counts.ndim) if i != axis)
        return self.codes[axis], self.counts.sum(axis=others)

    def joint(
        self, variables: tuple[str, ...], weights: np.ndarray | None = None
    ) -> tuple[list[tuple[int, ...]], np.ndarray]:
        """Levels (code tuples in C order) and totals of a joint margin; ``weights`` per cell
        (default: the counts) are summed instead of the counts."""
        w = self.cell_counts.astype(np.float64) if weights is None else weights
        axes = [self.variables.index(v) for v in variables]
        arr = w.reshape(self.counts.shape)
        others = tuple(i for i in range(arr.ndim) if i not in axes)
        summed = arr.sum(axis=others)
        order = sorted(range(len(axes)), key=lambda i: axes[i])  # summed keeps the cell order
        summed = np.transpose(summed, [order.index(i) for i in range(len(axes))])
        levels = [tuple(x) for x in np.ndindex(*summed.shape)]
        codes = [self.codes[a] for a in axes]
        return [tuple(codes[i][k] for i, k in enumerate(lv)) for lv in levels], summed.ravel()


def largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    """Whole numbers proportional to ``shares`` that add up to ``total`` exactly (ties: first cell)."""
    flat = np.ascontiguousarray(shares, dtype=np.float64).ravel()
    raw = total * flat / flat.sum()
    out = np.floor(raw).astype(np.int64)
    short = int(total - out.sum())
    if short:
        order = np.argsort(-(raw - out), kind="stable")[:short]
        out[order] += 1
    return out.reshape(np.shape(shares))


def _table(var: PopulationVariable, codes: tuple[int, ...], parent: tuple[int, ...]) -> np.ndarray:
    """Shares of ``var`` as an array: (codes,) without a parent, (parent codes, codes) with one."""
    if var.given is None:
        s = var.shares
        row = [s[c] for c in codes] if isinstance(s, dict) else list(s or ())
        return np.array(row, dtype=np.float64)
    default = tuple(var.shares) if isinstance(var.shares, tuple) else None
    return np.array([var.by.get(k, default) for k in parent], dtype=np.float64)


def build_population(model: SynthModel, q: Questionnaire) -> Population:
    """The population cells of ``model`` with the codes of ``q`` (deterministic)."""
    check_model(model, q)
    pop = model.population
    cells = pop.cell_order
    codes = {v.name: variable_codes(q, v.name) for v in pop.variables}
    letters = {v: chr(ord("a") + i) for i, v in enumerate(cells)}
    operands, subs = [], []
    for var in pop.variables:  # parents first: the product is taken in this order
        parent = codes[var.given] if var.given is not None else ()
        operands.append(_table(var, codes[var.name], parent))
        subs.append((letters[var.given] if var.given else "") + letters[var.name])
    p = np.einsum(",".join(subs) + "->" + "".join(letters[v] for v in cells), *operands)
    counts = largest_remainder(int(round(pop.total.value)), p)
    return Population(variables=cells, codes=tuple(codes[v] for v in cells), counts=counts)


# ------------------------------------------------------------------------------------- magnitudes
def magnitude_distribution(spec: MagnitudeSpec, code: int) -> tuple[np.ndarray, np.ndarray]:
    """Values and probabilities of a magnitude in the cells where ``spec.given`` is ``code``."""
    lo, hi = spec.ranges[code]
    k = np.arange(lo, hi + 1, dtype=np.float64)
    p = k ** (-spec.power)
    return k, p / p.sum()


def magnitude_means(population: Population, spec: MagnitudeSpec) -> np.ndarray:
    """Per cell, the expected magnitude (the exact mean of its distribution)."""
    given = population.cell_codes[spec.given]
    out = np.zeros(given.shape[0])
    for code in spec.ranges:
        k, p = magnitude_distribution(spec, code)
        out[given == code] = float(k @ p)
    return out


# ------------------------------------------------------------------------------------ margins files
def _labels(q: Questionnaire, variable: str) -> dict[int, str]:
    for d in q.derived:
        if d.name == variable:
            return {b.code: b.label.nl for b in d.bands}
    return {c.code: c.label.nl for c in q.choices_of(q.item(variable))}


def margins_of(
    population: Population, model: SynthModel, q: Questionnaire, spec: MarginsFile
) -> Margins:
    """The margins of one declared file: one-way margins of the questionnaire's weighting variables
    (or the declared groups); totals are units, or sums of a magnitude's expected value."""
    groups = spec.groups if spec.groups is not None else tuple((w,) for w in q.weighting)
    weights = None
    if spec.size is not None:
        mag = next(m for m in model.population.magnitudes if m.variable == spec.size)
        weights = np.round(population.cell_counts * magnitude_means(population, mag))
    margins = []
    for g in groups:
        levels, totals = population.joint(tuple(g), weights)
        labels = [_labels(q, v) for v in g]
        margins.append(
            Margin(
                tuple(g),
                tuple(tuple(str(c) for c in lv) for lv in levels),
                tuple(float(t) for t in totals),
                tuple(" / ".join(labels[i][c] for i, c in enumerate(lv)) for lv in levels),
            )
        )
    total = int(sum(margins[0].totals)) if margins else population.total
    meta = MarginsMeta(
        name=spec.name,
        title=spec.title,
        synthetic=True,
        source=spec.source,
        reference_date=model.population.reference_date,
        population=q.study.target_population.en or q.study.target_population.nl,
        unit=spec.unit,
        notes=f"SYNTHETIC: invented structure; the total ({total:,}) follows "
        f"'{model.population.total.source}'. Not real register figures."
        if spec.size is None
        else f"SYNTHETIC: units x their expected {spec.size} (model {model.name}); not real "
        "register figures.",
    )
    return Margins(margins=tuple(margins), meta=meta)


def population_margins(population: Population, model: SynthModel, q: Questionnaire) -> Margins:
    """The main weight's margins (the wave's ``population.csv``)."""
    return margins_of(population, model, q, model.population.margins[0])


def shipped_population_path(model: SynthModel, spec: MarginsFile | None = None) -> Path:
    s = spec if spec is not None else model.population.margins[0]
    return WEIGHTS_DIR / f"{s.name}.synthetic.csv"


def write_population(margins: Margins, path: str | Path) -> Path:
    """Write the margins CSV and its YAML sidecar (atomic, deterministic)."""
    return dump_margins(margins, path)


def main() -> None:  # pragma: no cover - maintenance entry point
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.synth.config import load_model, shipped_models

    for name in shipped_models():
        model = load_model(name)
        if not model.questionnaires:
            continue
        q = load_questionnaire(model.questionnaires[0])
        pop = build_population(model, q)
        for spec in model.population.margins:
            path = write_population(
                margins_of(pop, model, q, spec), shipped_population_path(model, spec)
            )
            print(f"wrote {path}")


if __name__ == "__main__":  # pragma: no cover
    main()
