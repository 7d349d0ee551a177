"""The synthetic population: total, margins, structure, and the shipped margins file."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pipeline.synth.population import (
    build_population,
    largest_remainder,
    population_margins,
    shipped_population_path,
    write_population,
)
from pipeline.weighting.margins import check_margins, load_margins


def test_total_is_the_2023_order_of_magnitude(world):
    assert world.population.total == 2_480_000


def test_every_margin_adds_up_to_the_total(world):
    pop = world.population
    for var in pop.variables:
        codes, totals = pop.margin(var)
        assert int(totals.sum()) == pop.total
        assert len(codes) == totals.shape[0]
    assert len(pop.codes[pop.variables.index("sector")]) >= 15
    assert pop.codes[pop.variables.index("age_band")] == (1, 2, 3, 4, 5)


def test_structure_is_plausible(world):
    pop, cells = world.population, world.population.cell_codes
    n = pop.cell_counts

    def share(mask, within):
        return n[mask & within].sum() / n[within].sum()

    construction = cells["sector"] == 5
    assert share(cells["sex"] == 1, construction) > 0.85  # construction: mostly men
    assert share(cells["statute"] == 1, construction) > 0.7  # ... and arbeiders
    for sector in (13, 14):  # education, health care: mostly women
        assert share(cells["sex"] == 2, cells["sector"] == sector) > 0.6
    civil = cells["statute"] == 3
    private = np.isin(cells["sector"], [1, 2, 3, 4, 5, 6, 8, 9, 10, 11])
    assert n[civil & private].sum() == 0  # no ambtenaren in private sectors
    assert share(np.isin(cells["sector"], [12, 13]), civil) > 0.6


def test_population_is_deterministic(model, q, world):
    again = build_population(model, q)
    assert np.array_equal(again.counts, world.population.counts)


def test_shipped_margins_file_is_what_the_generator_writes(model, q, world, tmp_path):
    """weights/werknemers-2023.synthetic.csv (+ .yaml) must equal the generator's output byte for
    byte; regenerate it with `python -m pipeline.synth.population`."""
    path = write_population(population_margins(world.population, model, q), tmp_path / "p.csv")
    shipped = shipped_population_path(model)
    assert shipped.read_bytes() == path.read_bytes()
    assert shipped.with_suffix(".yaml").read_bytes() == path.with_suffix(".yaml").read_bytes()


def test_margins_load_and_are_labelled_synthetic(model):
    margins = load_margins(shipped_population_path(model), require_meta=True)
    assert margins.meta is not None and margins.meta.synthetic
    assert "SYNTHETIC" in margins.meta.source
    assert margins.variables == ("sex", "age_band", "sector", "statute", "province")
    assert check_margins(margins) == []
    assert shipped_population_path(model).read_text(encoding="utf-8").startswith("# SYNTHETIC")


@given(
    total=st.integers(0, 10_000_000),
    shares=st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=40).filter(
        lambda s: sum(s) > 1e-6
    ),
)
def test_largest_remainder_is_exact_and_close(total, shares):
    arr = np.array(shares)
    out = largest_remainder(total, arr)
    assert int(out.sum()) == total
    raw = total * arr / arr.sum()
    assert np.all(np.abs(out - raw) < 1.0 + 1e-6)
    assert np.all(out >= 0)
