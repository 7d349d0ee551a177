#!/usr/bin/env bash
# Sets up everything the project needs on a fresh Debian machine with Python 3.11 and pip (as root).
#   bash scripts/setup.sh          -> Python package and its dependencies (enough for the demo)
#   bash scripts/setup.sh --test   -> plus test dependencies and the reference tools the tests
#                                     cross-check against: R + survey, GNU PSPP, poppler, Chromium
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

PY=${PYTHON:-python3}
export PIP_DISABLE_PIP_VERSION_CHECK=1

# Debian packages: fonts for PDF reports always; reference tools for the tests.
apt_pkgs=(fonts-dejavu-core)
if [ "$want_test" = 1 ]; then
  apt_pkgs+=(r-base-core r-cran-survey r-cran-mass pspp poppler-utils chromium)
fi
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
    echo "setup: installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: warning: apt-get not available; missing Debian packages: ${missing[*]}" >&2
  fi
fi

if [ "$want_test" = 1 ]; then
  $PY -m pip install -q -e ".[test]"
else
  $PY -m pip install -q -e .
fi
echo "setup: done ($($PY -c 'import pipeline; print("wbm-pipeline", pipeline.__version__)'))"
