"""The archive's folder layout: the one place that names its files (documented in ``docs/archive.md``).

::

    ARCHIVE/
      archive.json                     what the folder is (kind, layout version)
      .lock                            held while a command changes the archive
      waves/<study id>/                one finished run, never changed once added
        wave.json                      the record: study, year, data version, design, every file's SHA-256
        manifest.json                  \\
        01_validate/diagnostics.json    |  (fieldwork counts: waves archived since issue 19)
        02_weight/diagnostics.json      |  the run's own files, byte for byte
        02_weight/calibration.json      |  (calibration.json: runs since issue 16)
        03_score/scored.parquet         |  (``wbm archive export`` writes them back)
        04_estimate/estimates.parquet   |
        05_outputs/shown_estimates.parquet  /  (runs under protect_reports: true; since issue 13)
        questionnaire.source.yaml      the questionnaire file the run used, byte for byte
        questionnaire.yaml             the same questionnaire resolved (modules composed), loadable alone
        design.json                    the design and calibration model of the weights
      views/<series>/                  derived from waves/ (rebuilt by every add; never edit)
        series.json                    the waves, their name translations and comparability breaks
        estimates.parquet              every wave's estimates under the series' current names
        respondents/<year>.parquet     every wave's respondents under the current names
      superseded/<study id>@<version>/ a wave replaced by ``add --replace`` (kept, nothing is lost)

A wave folder is written under ``.staging/`` and renamed into place once complete, so a folder under
``waves/`` without ``wave.json`` can only come from outside the pipeline (it is reported as damage).
"""

from __future__ import annotations

from pathlib import Path

from pipeline.rundata import layout as run_layout

KIND = "wbm-archive"
LAYOUT_VERSION = 1

ARCHIVE_FILE = "archive.json"
LOCK_FILE = ".lock"
STAGING_DIR = ".staging"
WAVES_DIR = "waves"
VIEWS_DIR = "views"
SUPERSEDED_DIR = "superseded"

WAVE_FILE = "wave.json"
DESIGN_FILE = "design.json"
QUESTIONNAIRE_FILE = "questionnaire.yaml"
QUESTIONNAIRE_SOURCE = "questionnaire.source.yaml"

#: Files copied from the run, byte for byte: (role, path relative to the run and to the wave folder).
RUN_FILES: tuple[tuple[str, str], ...] = (
    ("manifest", run_layout.MANIFEST),
    ("fieldwork", run_layout.relative("validate", run_layout.DIAGNOSTICS)),
    ("weighting", run_layout.relative("weight", run_layout.DIAGNOSTICS)),
    ("calibration", run_layout.relative("weight", run_layout.CALIBRATION_MODEL)),
    ("scored", run_layout.relative("score", run_layout.SCORED)),
    ("estimates", run_layout.relative("estimate", run_layout.ESTIMATES)),
    # the estimates as the reports showed them under protect_reports: true (what was published)
    ("shown", run_layout.relative("outputs", run_layout.SHOWN_ESTIMATES)),
)
REQUIRED_RUN_FILES = ("manifest", "scored", "estimates")
# the other roles are optional: a run without the file is archived without it, and a wave archived
# before a role existed opens as before (its record lists the files it has)
RUN_PATH = dict(RUN_FILES)  # role -> path relative to the run and to the wave folder

SERIES_FILE = "series.json"
ESTIMATES_VIEW = "estimates.parquet"
RESPONDENTS_VIEW = "respondents"


def archive_file(root: Path) -> Path:
    return root / ARCHIVE_FILE


def waves_dir(root: Path) -> Path:
    return root / WAVES_DIR


def wave_dir(root: Path, study_id: str) -> Path:
    return root / WAVES_DIR / study_id


def views_dir(root: Path, series: str | None = None) -> Path:
    return root / VIEWS_DIR if series is None else root / VIEWS_DIR / series


def respondents_view(root: Path, series: str, year: int) -> Path:
    return root / VIEWS_DIR / series / RESPONDENTS_VIEW / f"{year}.parquet"
