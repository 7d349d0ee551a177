#!/usr/bin/env bash
# The README's demo command: set up (.venv), then run the whole pipeline on the embedded synthetic data.
# Extra arguments go to `wbm demo` (e.g. --survey zelfstandigen, --out DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pipeline demo "$@"
