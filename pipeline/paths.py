"""Where the project's declarative files live (the repository is installed editable)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
QUESTIONNAIRES_DIR = REPO_ROOT / "questionnaires"
WEIGHTS_DIR = REPO_ROOT / "weights"
REPORTS_DIR = REPO_ROOT / "reports"
PUBLISHER_DIR = REPO_ROOT / "publisher"  # the reference disclosure policy and requester registry
SECTORAL_DIR = (
    REPO_ROOT / "sectoral"
)  # sectoral measurements: each sector's benchmark in the main wave
