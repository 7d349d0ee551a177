#!/usr/bin/env bash
# The README's test command: set up (incl. R survey, PSPP, Chromium, poppler), then run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
python3 -m pytest "$@"
