"""The synthetic population: deterministic cell counts sex x age band x sector x statute x province.

No randomness: the counts are the model's shares (``model.yaml``, ``population``) times the total,
rounded to whole persons by the largest-remainder method so they add up to the total exactly. The
one-way margins are what the weighting uses (``weights/werknemers-2023.synthetic.csv``); they are
written by :func:`write_population` and the shipped file is checked against it by a test.

    python -m pipeline.synth.population    # rewrite weights/werknemers-2023.synthetic.csv (+ .yaml)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from pipeline.paths import WEIGHTS_DIR
from pipeline.questionnaire.model import Questionnaire
from pipeline.synth.config import CELL_VARIABLES, SynthModel, check_model, variable_codes
from pipeline.weighting.margins import Margin, Margins, MarginsMeta, dump_margins


@dataclass(frozen=True, eq=False)
class Population:
    """Cell counts over :data:`CELL_VARIABLES` (C order: sex slowest, province fastest)."""

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


def _by_sector(
    default: tuple[float, ...] | None, table: dict[int, tuple[float, ...]], sectors: tuple[int, ...]
) -> np.ndarray:
    rows = [table.get(s, default) for s in sectors]
    return np.array(rows, dtype=np.float64)  # (sector, level)


def build_population(model: SynthModel, q: Questionnaire) -> Population:
    """The population cells of ``model`` with the codes of ``q`` (deterministic)."""
    check_model(model, q)
    pop = model.population
    codes = tuple(variable_codes(q, v) for v in CELL_VARIABLES)
    sectors = codes[CELL_VARIABLES.index("sector")]
    sector = np.array([pop.sector_share[s] for s in sectors])
    statute = _by_sector(None, pop.statute_share_by_sector, sectors)
    sex = _by_sector(None, pop.sex_share_by_sector, sectors)
    age = _by_sector(pop.age_share, pop.age_share_by_sector, sectors)
    province = _by_sector(pop.province_share, pop.province_share_by_sector, sectors)
    # p[sex, age, sector, statute, province] = P(sector) P(statute|sector) P(sex|sector) P(age|sector) P(prov|sector)
    p = np.einsum("k,kt,kx,ka,kp->xaktp", sector, statute, sex, age, province)
    counts = largest_remainder(int(round(pop.total.value)), p)
    return Population(variables=CELL_VARIABLES, codes=codes, counts=counts)


def _labels(q: Questionnaire, variable: str) -> dict[int, str]:
    for d in q.derived:
        if d.name == variable:
            return {b.code: b.label.nl for b in d.bands}
    return {c.code: c.label.nl for c in q.choices_of(q.item(variable))}


def population_margins(population: Population, model: SynthModel, q: Questionnaire) -> Margins:
    """The one-way margins of every population variable, labelled synthetic."""
    margins = []
    for var in population.variables:
        codes, totals = population.margin(var)
        labels = _labels(q, var)
        margins.append(
            Margin(
                (var,),
                tuple((str(c),) for c in codes),
                tuple(float(t) for t in totals),
                tuple(labels[c] for c in codes),
            )
        )
    meta = MarginsMeta(
        name=model.name,
        title="Werknemers, Vlaams Gewest (SYNTHETISCH)",
        synthetic=True,
        source="SYNTHETIC: written by the synthetic-wave generator (pipeline/synth, model.yaml); "
        "replace by RSZ/DIMONA register totals",
        reference_date=model.population.reference_date,
        population=q.study.target_population.en or q.study.target_population.nl,
        unit="persons",
        notes=f"SYNTHETIC: invented structure; the total ({population.total:,}) follows "
        f"'{model.population.total.source}'. Not real register figures.",
    )
    return Margins(margins=tuple(margins), meta=meta)


def shipped_population_path(model: SynthModel) -> Path:
    return WEIGHTS_DIR / f"{model.name}.synthetic.csv"


def write_population(margins: Margins, path: str | Path) -> Path:
    """Write the margins CSV and its YAML sidecar (atomic, deterministic)."""
    return dump_margins(margins, path)


def main() -> None:  # pragma: no cover - maintenance entry point
    from pipeline.questionnaire.load import load_questionnaire
    from pipeline.synth.config import load_model
    from pipeline.synth.wave import DEFAULT_QUESTIONNAIRE

    model = load_model()
    q = load_questionnaire(DEFAULT_QUESTIONNAIRE)
    path = write_population(
        population_margins(build_population(model, q), model, q), shipped_population_path(model)
    )
    print(f"wrote {path}")


if __name__ == "__main__":  # pragma: no cover
    main()
