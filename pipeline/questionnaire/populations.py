"""The study populations: their names, once (a questionnaire's ``study.population``, a synthetic
model's ``instrument``, the ``--population`` options, a table request's English names)."""

from __future__ import annotations

from typing import Literal, get_args

Population = Literal["werknemers", "zelfstandigen", "ondernemingen"]

#: every population, in the order the monitors were started
POPULATIONS: tuple[Population, ...] = get_args(Population)

#: a table request's English population names (``population: employees``)
REQUEST_NAMES: dict[str, Population] = {
    "employees": "werknemers",
    "self-employed": "zelfstandigen",
    "enterprises": "ondernemingen",
}
