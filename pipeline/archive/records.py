"""What the archive records about itself and each wave, as typed frozen data (no pandas).

``archive.json`` is an :class:`ArchiveInfo`; every ``waves/<id>/wave.json`` a :class:`WaveRecord`;
every ``waves/<id>/design.json`` a :class:`DesignModel`. JSON in, JSON out: codes and levels are
values in lists, never keys.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.archive.layout import LAYOUT_VERSION

WAVE_KIND = "wbm-archive-wave"
DESIGN_KIND = "wbm-design-model"
RECORD_VERSION = 1


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ArchiveInfo(Record):
    kind: Literal["wbm-archive"] = "wbm-archive"
    layout_version: int = LAYOUT_VERSION
    title: str = "Werkbaarheidsmonitor: golvenarchief"


class StoredFile(Record):
    """One file of a wave folder (path relative to it) with its checksum."""

    role: str
    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: int = Field(ge=0)


class Margin(Record):
    """One calibration margin: its variables (one, or several for a joint margin), the levels as
    they appear in the data (text, joint levels joined by ``:``) and the population totals."""

    variables: tuple[str, ...] = Field(min_length=1)
    levels: tuple[str, ...] = ()
    targets: tuple[float, ...] = ()
    # collapsed variables: (variable, ((original level, level as used), ...)); see levels_as_used
    recode: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()


class Calibration(Record):
    method: str  # raking, linear, logit, poststratification
    base_weight: str | None = None  # None: every respondent starts from weight 1
    margins: tuple[Margin, ...] = Field(min_length=1)
    bounds: tuple[float, float] | None = None
    # True: the model the weight stage recorded (02_weight/calibration.json): levels as used after
    # collapsing, with their recode, and estimates calibrate on exactly those levels. False (waves
    # archived before): levels are informative and the calibration cells come from the data.
    levels_as_used: bool = False


class DesignModel(Record):
    """How a wave's weights were made, as estimation needs it: the final weight column, the design
    columns (strata, PSU, finite population correction) and the calibration model. Every estimate
    the archive makes for a wave uses this model (calibration-aware linearization)."""

    kind: Literal["wbm-design-model"] = "wbm-design-model"
    version: int = RECORD_VERSION
    weight: str = "weight"
    strata: str | None = None
    psu: str | None = None
    fpc: str | None = None
    calibration: Calibration | None = None
    source: str = ""  # where the model was read from

    def columns(self) -> tuple[str, ...]:
        """The data columns the design needs."""
        cols = [self.weight, self.strata, self.psu, self.fpc]
        if self.calibration is not None:
            if self.calibration.base_weight:
                cols.append(self.calibration.base_weight)
            cols += [v for m in self.calibration.margins for v in m.variables]
        return tuple(dict.fromkeys(c for c in cols if c))


class QuestionnaireRef(Record):
    id: str
    version: str
    sha256: str  # of questionnaire.source.yaml (the file the run used)
    previous: str | None = None  # the questionnaire its trend mapping points to


class WaveRecord(Record):
    kind: Literal["wbm-archive-wave"] = "wbm-archive-wave"
    version: int = RECORD_VERSION
    id: str  # the study id, e.g. wbm-werknemers-2023
    population: str  # werknemers | zelfstandigen | ondernemingen
    year: int
    title: str
    questionnaire: QuestionnaireRef
    data_version: str  # canonical content hash of the scored data (pipeline.dataversion)
    cutoff_population: str = "default"  # the cut-offs the data were scored with
    synthetic: bool = False
    run_name: str  # the run folder's name when it was added (no absolute paths)
    respondents: int = Field(ge=0)
    files: tuple[StoredFile, ...]
    added_by: str  # software version

    def file(self, role: str) -> StoredFile | None:
        for f in self.files:
            if f.role == role:
                return f
        return None
