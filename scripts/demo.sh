#!/usr/bin/env bash
# The README's demo command: set up (.venv), then run the whole pipeline on the embedded synthetic data
# of every instrument (employees with their history since 2004, self-employed, enterprise survey, PC 126),
# and end with the datatool running in the background over the demo's release (employees,
# self-employed and enterprises): it prints the URL and how to stop it (log and pid file in the
# output folder, demo-output/ by default).
# Extra arguments go to `wbm demo` (e.g. --survey zelfstandigen for one instrument, --out DIR,
# --port N or WBM_DATATOOL_PORT=N for another port, --no-serve to leave the datatool stopped).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pipeline demo --survey all --serve "$@"
