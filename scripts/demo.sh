#!/usr/bin/env bash
# The README's demo command: set up (.venv), then run the whole pipeline on the embedded synthetic data
# of every instrument (employees with their history since 2004, self-employed, enterprise survey, PC 126).
# Extra arguments go to `wbm demo` (e.g. --survey zelfstandigen for one instrument, --out DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pipeline demo --survey all "$@"
