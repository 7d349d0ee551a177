"""What a sample frame is (plain data, no pandas): the column contract and :class:`SampleFrame`.

A frame lists **every invited unit**, responding or not, one row each:

* ``sample_id`` (text, unique): the pseudonymised id printed on the form / carried by the web link;
* register variables, coded as the questionnaire codes them: ``sex``, ``age`` (years) and/or
  ``age_band``, ``sector``, ``statute``, ``province``; and ``origin`` (migration background, from
  the labour-market data warehouse where the foundation obtains it; codes :data:`ORIGIN_CODES`);
* optional design columns: ``stratum`` and ``design_weight`` (a stratified draw; without them the
  frame is a simple random sample of the population);
* optional fieldwork columns: ``disposition``, the AAPOR final disposition code of each unit
  (``1.1`` complete ... ``4.10`` not eligible) from a telephone agency's call records, gives the
  response rates RR1-RR4 per stratum in the validation report; the synthetic generator also writes
  ``mode`` and ``responded`` (its own record of who answered), which the pipeline does not need:
  responses are always linked from the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.rundata.columns import ORIGIN

ID_COLUMN = "sample_id"
REGISTER_VARIABLES: tuple[str, ...] = (
    "sex",
    "age",
    "age_band",
    "sector",
    "statute",
    "province",
    "origin",
)
DESIGN_COLUMNS: tuple[str, ...] = ("stratum", "design_weight")
#: Register-only variable (not asked on the form): migration background. Reference coding after
#: the origin classification of the Flemish labour-market data warehouse, grouped in three.
ORIGIN_CODES: tuple[tuple[int, str, str], ...] = (
    (1, "Belgische herkomst", "Belgian origin"),
    (2, "EU-herkomst", "EU origin"),
    (3, "niet-EU-herkomst", "non-EU origin"),
)


@dataclass(frozen=True)
class RegisterOnly:
    """A register variable the form does not ask, carried from the frame into the run's data
    (:data:`pipeline.rundata.columns.REGISTER_ONLY`): its label and codes, in both languages.
    ``sensitive``: special category data (GDPR art. 9): a table breakdown or filter only where the
    publisher's policy allows it (``tables.sensitive_breakdowns``), never in a public-use file."""

    name: str
    label_nl: str
    label_en: str
    codes: tuple[tuple[int, str, str], ...]
    sensitive: bool = True

    def label(self, lang: str = "nl") -> str:
        return self.label_nl if lang == "nl" else self.label_en

    def code_values(self) -> tuple[int, ...]:
        return tuple(c for c, _, _ in self.codes)

    def level_labels(self, lang: str = "nl") -> dict[int, str]:
        return {c: (nl if lang == "nl" else en) for c, nl, en in self.codes}


REGISTER_ONLY: dict[str, RegisterOnly] = {
    ORIGIN: RegisterOnly(ORIGIN, "herkomst", "origin", ORIGIN_CODES, sensitive=True),
}


@dataclass(frozen=True, eq=False)
class SampleFrame:
    """A checked frame: ids in file order, register codes (float, NaN = unknown), design."""

    ids: np.ndarray  # object, unique
    values: dict[str, np.ndarray]  # register variable -> float codes
    stratum: np.ndarray | None
    design_weight: np.ndarray | None
    source: str  # file name (for messages and reports)
    # AAPOR final disposition key of every unit (I, P, R, NC, O, UH, NE; pipeline.fieldwork.aapor)
    # when the frame has a ``disposition`` column (a telephone survey's call outcomes)
    disposition: np.ndarray | None = None

    @property
    def n(self) -> int:
        return int(self.ids.shape[0])

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(self.values)

    def lookup(self, sample_ids: np.ndarray) -> np.ndarray:
        """Row of each id in the frame (-1 when it is not in the frame)."""
        order = np.argsort(self.ids, kind="stable")
        sorted_ids = self.ids[order]
        ids = np.asarray(sample_ids, dtype=object)
        pos = np.searchsorted(sorted_ids, ids)
        pos = np.clip(pos, 0, max(self.n - 1, 0))
        found = (self.n > 0) & (sorted_ids[pos] == ids) if self.n else np.zeros(ids.shape, bool)
        return np.where(found, order[pos], -1)
