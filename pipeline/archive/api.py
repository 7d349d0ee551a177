"""Reading the archive: series, per-wave views, respondents and designs (for reports, ``wbm table``
and the datatool).

::

    from pipeline.archive.api import open_archive
    a = open_archive("archive")
    a.series_names("werknemers")                 # ('wbm-werknemers',)
    a.series("wbm-werknemers", "werkbaar_werk", by="sector")   # one row per wave x sector
    a.view("wbm-werknemers", 2019, indicators=["werkstress"], by="age_band")
    a.fieldwork("wbm-werknemers-2019")         # invited, responses, per mode (None: not archived)
    frame, design = a.respondents("wbm-werknemers", 2019, columns=["werkstress", "sector"])

Everything is under the series' current names (:mod:`pipeline.archive.harmonise`). Reads go through
pyarrow on the Parquet views (ARCHITECTURE.md: measured against DuckDB, a DuckDB database file and
SQLite); the same files can be queried directly with DuckDB (``docs/archive.md``). Opening checks
that the views match the archived waves, so a number read here is always the archived wave's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.archive import layout as L
from pipeline.archive.records import Calibration, DesignModel, Margin, WaveRecord
from pipeline.errors import Problem, UsageError, one_of

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.estimation.design import Design
    from pipeline.questionnaire.model import Questionnaire
    from pipeline.rundata.fieldwork import FieldworkCounts

#: Columns of :meth:`Archive.series` (a documented contract, also for the datatool).
SERIES_COLUMNS: tuple[str, ...] = (
    "series",
    "wave",
    "study",
    "indicator",
    "by",
    "level",
    "n",
    "weighted_n",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "flags",
    "stat",
    "segment",
    "break_before",
)


@dataclass(frozen=True)
class BreakInfo:
    indicator: str
    wave: int  # the first wave after the break
    reasons: tuple[str, ...]  # reason codes (pipeline.questionnaire.breaks)
    text_nl: str


@dataclass(frozen=True)
class SeriesInfo:
    name: str
    population: str
    current: str  # study id of the latest wave (its names are the series' names)
    waves: tuple[tuple[int, str, str], ...]  # (year, study id, data version), oldest first
    breaks: tuple[BreakInfo, ...]
    variable_breaks: tuple[tuple[str, int, str], ...]  # (variable, first wave after, why)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(y for y, _, _ in self.waves)

    def study(self, year: int) -> str:
        for y, s, _ in self.waves:
            if y == year:
                return s
        raise KeyError(year)

    def breaks_of(self, indicator: str) -> tuple[BreakInfo, ...]:
        base = indicator.removesuffix("_acuut")
        return tuple(b for b in self.breaks if b.indicator in (indicator, base))


class Archive:
    """An opened, checked archive (see the module docstring). Cheap to open: records and series
    descriptions are read, file sizes checked; :func:`pipeline.archive.store.check_archive` with
    ``deep=True`` verifies every checksum."""

    def __init__(self, root: str | Path) -> None:
        from pipeline.archive.store import ArchiveError, check_archive, locked

        self.root = Path(root)
        with locked(self.root, exclusive=False):
            state = check_archive(self.root, deep=False)
        if state.problems:
            raise ArchiveError(
                f"{self.root}: the archive is damaged ({len(state.problems)} problem(s))",
                state.problems,
            )
        self.records: tuple[WaveRecord, ...] = state.waves
        from pipeline.archive.views import chains, read_series_info

        self._chains = chains(self.records)
        self._info = {
            name: _series_info(read_series_info(self.root, name)) for name in self._chains
        }

    # ------------------------------------------------------------------ what is there
    def waves(self, population: str | None = None) -> tuple[WaveRecord, ...]:
        return tuple(w for w in self.records if population is None or w.population == population)

    def series_names(self, population: str | None = None) -> tuple[str, ...]:
        return tuple(
            n for n, i in self._info.items() if population is None or i.population == population
        )

    def info(self, series: str) -> SeriesInfo:
        if series not in self._info:
            raise UsageError(
                f"the archive has no series {series!r}",
                [Problem(one_of(series, sorted(self._info)), hint="see 'wbm archive list'")],
                code="archive_no_series",
            )
        return self._info[series]

    def series_containing(self, study_id: str) -> str | None:
        for name, chain in self._chains.items():
            if any(w.id == study_id for w in chain):
                return name
        return None

    def questionnaire(self, study_id: str) -> Questionnaire:
        from pipeline.archive.views import stored_questionnaire

        return stored_questionnaire(self.root, study_id)

    def fieldwork(self, study_id: str) -> FieldworkCounts | None:
        """The wave's fieldwork counts (invited, usable responses, responses per mode) from its
        archived ``01_validate/diagnostics.json``; None for a wave archived without it (before
        issue 19, or a run without the file): what it does not know is never guessed."""
        import json

        rec = next((w for w in self.records if w.id == study_id), None)
        if rec is None:
            raise UsageError(
                f"the archive has no wave {study_id!r}",
                [Problem(one_of(study_id, [w.id for w in self.records]))],
                code="archive_no_wave",
            )
        stored = rec.file("fieldwork")
        if stored is None:
            return None
        from pipeline.rundata.fieldwork import fieldwork_counts

        base = L.wave_dir(self.root, study_id)

        def load(path: str) -> dict[str, Any]:
            try:
                data = json.loads((base / path).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return {}
            return data if isinstance(data, dict) else {}

        manifest = rec.file("manifest")
        return fieldwork_counts(load(stored.path), load(manifest.path) if manifest else None)

    # ------------------------------------------------------------------ estimates
    def estimates(
        self,
        series: str,
        *,
        waves: Sequence[int] | None = None,
        indicators: Sequence[str] | None = None,
        by: Sequence[str] | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """The harmonised estimates of a series (``views/<series>/estimates.parquet``), filtered."""
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        self.info(series)
        want = None if columns is None else list(columns)
        if want is not None:  # the filter columns are read too (dropped after filtering)
            want += [c for c in ("wave", "indicator", "by") if c not in want]
        # ParquetFile, not read_table(filters=...): the dataset machinery costs a quarter second to
        # import, more than reading a series takes
        table = pq.ParquetFile(L.views_dir(self.root, series) / L.ESTIMATES_VIEW).read(columns=want)
        mask = None
        for col, values in (("wave", waves), ("indicator", indicators), ("by", by)):
            if values is None:
                continue
            typed = [int(v) for v in values] if col == "wave" else [str(v) for v in values]
            m = pc.is_in(table[col], value_set=pa_array(typed))
            mask = m if mask is None else pc.and_(mask, m)
        if mask is not None:
            table = table.filter(mask)
        if columns is not None:
            table = table.select(list(columns))
        return table.to_pandas()

    def series(
        self,
        series: str,
        indicator: str | Sequence[str],
        *,
        by: str = "",
        levels: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """One row per wave (and level of ``by``; ``by=""``: the whole population) with the estimate,
        its CI, n, flags, the comparable ``segment`` and ``break_before`` (:data:`SERIES_COLUMNS`),
        ordered by indicator, level (as in the latest wave) and wave."""
        inds = [indicator] if isinstance(indicator, str) else list(indicator)
        est = self.estimates(series, indicators=inds, by=[by], columns=SERIES_COLUMNS)
        if levels is not None:
            est = est[est["level"].astype(str).isin([str(x) for x in levels])]
        order = {name: k for k, name in enumerate(inds)}
        est = est.assign(_i=est["indicator"].map(order), _l=_level_key(est["level"]))
        return (
            est.sort_values(["_i", "_l", "wave"], kind="stable")
            .drop(columns=["_i", "_l"])
            .reset_index(drop=True)
        )

    def view(
        self,
        series: str,
        wave: int,
        *,
        indicators: Sequence[str] | None = None,
        by: str | None = None,
    ) -> pd.DataFrame:
        """One wave's harmonised estimates (optionally some indicators, one breakdown)."""
        return self.estimates(
            series, waves=[wave], indicators=indicators, by=None if by is None else [by]
        )

    # ------------------------------------------------------------------ respondents
    def respondents(
        self, series: str, wave: int, columns: Sequence[str] | None = None
    ) -> tuple[pd.DataFrame, DesignModel]:
        """One wave's harmonised respondents (``columns`` plus what the design needs) and the
        wave's design and calibration model under the current names."""
        import pyarrow.parquet as pq

        info = self.info(series)
        if wave not in info.years:
            raise UsageError(
                f"series {series} has no wave {wave}",
                [Problem(one_of(wave, info.years))],
                code="archive_no_wave",
            )
        design = self.design(series, wave)
        path = L.respondents_view(self.root, series, wave)
        want = None
        if columns is not None:
            want = list(dict.fromkeys(["wave", *columns, *design.columns()]))
        return pq.read_table(path, columns=want).to_pandas(), design

    def design(self, series: str, wave: int) -> DesignModel:
        """The wave's design and calibration model with its variables under the current names."""
        from pipeline.archive.harmonise import translations
        from pipeline.archive.store import read_record, stored_design

        info = self.info(series)
        study = info.study(wave)
        model = stored_design(self.root, read_record(self.root, study))
        chain = self._chains[series]
        qs = [self.questionnaire(w.id) for w in chain]
        ts, _ = translations(qs, [w.cutoff_population for w in chain])
        t = next(t for t in ts if t.study == study)
        return rename_design(model, {v: t.column(v) or v for v in t.variables})


def pa_array(values: list[int] | list[str]) -> Any:
    import pyarrow as pa

    return pa.array(
        values, type=pa.int64() if values and isinstance(values[0], int) else pa.string()
    )


def rename_design(model: DesignModel, names: Mapping[str, str]) -> DesignModel:
    def n(v: str | None) -> str | None:
        return None if v is None else names.get(v, v)

    cal = model.calibration
    if cal is not None:
        cal = Calibration(
            method=cal.method,
            base_weight=n(cal.base_weight),
            margins=tuple(
                Margin(
                    variables=tuple(names.get(v, v) for v in m.variables),
                    levels=m.levels,
                    targets=m.targets,
                    recode=tuple((names.get(v, v), pairs) for v, pairs in m.recode),
                )
                for m in cal.margins
            ),
            bounds=cal.bounds,
            levels_as_used=cal.levels_as_used,
        )
    return model.model_copy(
        update={
            "strata": n(model.strata),
            "psu": n(model.psu),
            "fpc": n(model.fpc),
            "calibration": cal,
        }
    )


def make_design(frame: pd.DataFrame, model: DesignModel, *, file: str | None = None) -> Design:
    """The estimation engine's design of a frame under a design model: its weights, design columns
    and calibration (calibration-aware linearization, as the estimate stage does)."""
    from pipeline.estimation.api import DesignSpec, calibration_from_columns, design_from_frame

    if model.calibration is not None and model.calibration.levels_as_used:
        from pipeline.estimation.runmodel import design_from_model
        from pipeline.rundata.calibration import CalibrationModel, MarginGroup

        c = model.calibration
        recorded = CalibrationModel(
            method=c.method,
            base_weight=c.base_weight,
            bounds=c.bounds,
            strata=model.strata,
            psu=model.psu,
            fpc=model.fpc,
            margins=tuple(
                MarginGroup(
                    m.variables, tuple(lv.replace(":", "*") for lv in m.levels), m.targets, m.recode
                )
                for m in c.margins
            ),
        )
        return design_from_model(frame, recorded, weight=model.weight, file=file)
    cal = None
    if model.calibration is not None:
        base = model.calibration.base_weight
        data = frame if base else frame.assign(_base_weight=1.0)
        cal = calibration_from_columns(
            data,
            [list(m.variables) for m in model.calibration.margins],
            base or "_base_weight",
            file=file,
        )
    spec = DesignSpec(weight=model.weight, strata=model.strata, psu=model.psu, fpc=model.fpc)
    return design_from_frame(frame, spec, calibration=cal, file=file)


def _level_key(levels: pd.Series) -> list[tuple[int, float, str]]:
    out = []
    for v in levels.astype(str):
        try:
            out.append((0, float(v), v))
        except ValueError:
            out.append((1, 0.0, v))
    return out


def _series_info(data: dict[str, Any]) -> SeriesInfo:
    return SeriesInfo(
        name=str(data["series"]),
        population=str(data.get("population", "")),
        current=str(data.get("current", "")),
        waves=tuple(
            (int(w["year"]), str(w["id"]), str(w["data_version"])) for w in data.get("waves", [])
        ),
        breaks=tuple(
            BreakInfo(
                str(b["indicator"]),
                int(b["wave"]),
                tuple(str(r["code"]) for r in b.get("reasons", [])),
                str(b.get("text_nl", "")),
            )
            for b in data.get("breaks", [])
        ),
        variable_breaks=tuple(
            (str(b["variable"]), int(b["wave"]), str(b.get("text_nl", "")))
            for b in data.get("variable_breaks", [])
        ),
    )


def open_archive(root: str | Path) -> Archive:
    return Archive(root)
