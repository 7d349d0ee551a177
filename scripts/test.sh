#!/usr/bin/env bash
# The README's test command: set up (.venv, R survey, PSPP, Chromium, poppler), then run the tests.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
exec .venv/bin/python -m pytest "$@"
