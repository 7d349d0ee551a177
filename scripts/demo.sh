#!/usr/bin/env bash
# The README's demo command: set up, then run the whole pipeline on the embedded synthetic wave.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
python3 -m pipeline demo --out "${1:-demo-output}"
