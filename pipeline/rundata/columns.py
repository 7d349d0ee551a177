"""Column names the stages of a run share (the data files' side of the run contract).

A stage adds columns to the rows it was given and never renames them, so these names hold from the
stage that writes them to every reader after it (later stages, reports, tables, releases):

- **validate** (``accepted.parquet``, ``set_aside.parquet``): the questionnaire's items under their
  own names, plus the meta columns :data:`META_COLUMNS` (a leading underscore: never an item name);
  ``set_aside.parquet`` also has :data:`REASONS` (reason codes joined by ``;``). With a sample
  frame, also the frame's register-only variables :data:`REGISTER_ONLY` (not asked on the form;
  linked by sample id, NaN where the frame has no value or the response is not in the frame).
- **weight** (``weighted.parquet``): :data:`WEIGHT` (expansion weight, sums to the population) and
  :data:`WEIGHT_NORMALISED` (sums to n); for a stratified design also :data:`DESIGN_COLUMNS`
  (named in ``calibration.json``, :mod:`pipeline.rundata.calibration`).
- **score** (``scored.parquet``): :func:`score_column`, :func:`tl_column`, the indicator's own name
  (0/1), :func:`acute_column`.
- **estimate** (``estimates.parquet``): one row per (:data:`INDICATOR`, :data:`BY`, :data:`LEVEL`);
  ``level`` in the text form of :mod:`pipeline.rundata.levels`.

See ``docs/run-contract.md``.
"""

from __future__ import annotations

from typing import Final

# ----------------------------------------------------------------------- validate: meta columns
MODE: Final = "_mode"
"""The mode a response came in (``paper``, ``web``, ``cati``)."""
SOURCE_FILE: Final = "_source_file"
"""The input file's name."""
SOURCE_ROW: Final = "_source_row"
"""1-based data record in the input file (the header is not counted)."""
RECORD_ID: Final = "_record_id"
"""Unique per input record across the run (``<file label>:<row>``)."""
COMPLETENESS: Final = "_completeness"
ITEM_NONRESPONSE: Final = "_item_nonresponse"
FLAGS: Final = "_flags"
META_COLUMNS: Final = (
    MODE,
    SOURCE_FILE,
    SOURCE_ROW,
    RECORD_ID,
    COMPLETENESS,
    ITEM_NONRESPONSE,
    FLAGS,
)
"""The meta columns validation adds to every accepted and set-aside row, in this order."""
REASONS: Final = "_reasons"
"""Why a row was set aside: reason codes joined by ``;`` (``set_aside.parquet`` only)."""

# ----------------------------------------------------------------------- validate: register-only
ORIGIN: Final = "origin"
"""Migration background from the sample frame (codes :data:`pipeline.frame.model.ORIGIN_CODES`);
special category data: a breakdown only where the publisher's policy allows it."""
REGISTER_ONLY: Final = (ORIGIN,)
"""Register variables the form does not ask: validation takes them from the sample frame by sample
id (edit rule ``frame_register``), and every later stage keeps them."""

# ----------------------------------------------------------------------- weight
WEIGHT: Final = "weight"
"""The calibrated expansion weight (sums to the population total)."""
WEIGHT_NORMALISED: Final = "weight_normalised"
"""The same weight scaled to sum to the number of respondents."""
WEIGHT_COLUMNS: Final = (WEIGHT, WEIGHT_NORMALISED)
BASE_WEIGHT: Final = "base_weight"
"""The weight before calibration (stratified designs: N_h / n_h); only written when it is not 1."""
DESIGN_STRATUM: Final = "design_stratum"
"""The stratum of the row (the strata variables' codes joined by ``*``), for a stratified design."""
DESIGN_FPC: Final = "design_fpc"
"""The population size N_h of the row's stratum (finite population correction)."""
DESIGN_COLUMNS: Final = (BASE_WEIGHT, DESIGN_STRATUM, DESIGN_FPC)

# ----------------------------------------------------------------------- score
ACUTE_SUFFIX: Final = "_acuut"


def score_column(scale: str) -> str:
    """Name of the score column of a scale: ``score_<scale>``."""
    return f"score_{scale}"


def tl_column(indicator: str) -> str:
    """Name of the traffic-light column of an indicator: ``tl_<indicator>`` (0 green, 1 orange,
    2 red)."""
    return f"tl_{indicator}"


def acute_column(indicator: str) -> str:
    """Name of the acute 0/1 column of a traffic-light indicator: ``<indicator>_acuut``."""
    return f"{indicator}{ACUTE_SUFFIX}"


def band_column(indicator: str, lo: int, hi: int) -> str:
    """Name of the 0/1 column of one band of a count indicator's distribution:
    ``<indicator>_<lo>`` (a single number) or ``<indicator>_<lo>_<hi>`` (``aantal_problemen_3_4``)."""
    return f"{indicator}_{lo}" if lo == hi else f"{indicator}_{lo}_{hi}"


# ----------------------------------------------------------------------- estimate
INDICATOR: Final = "indicator"
BY: Final = "by"
LEVEL: Final = "level"
ESTIMATE_KEYS: Final = (INDICATOR, BY, LEVEL)
"""The key of a row of the estimates table: ``by`` is ``""`` for the overall row, a domain variable,
or a crossed domain ``a:b``; ``level`` is the domain's code in text form."""


# ------------------------------------------------------- estimate (organisation surveys)
BASIS: Final = "basis"
"""``estimates_employment.parquet``'s extra column: what an estimate is a share or total of."""
BASIS_EMPLOYEES: Final = "werknemers"
"""A share of employees (organisations weighted by their number of employees)."""
BASIS_ORGANISATIONS: Final = "organisaties"
"""A total over organisations (magnitude items) with the organisation weights."""
