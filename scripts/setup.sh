#!/usr/bin/env bash
# Sets up everything the project needs on a fresh Debian 12 machine (as root, or with sudo).
#   bash scripts/setup.sh          -> the project virtualenv .venv with the package, PDF support and
#                                     the datatool (enough for the demo and every documented command)
#   bash scripts/setup.sh --test   -> plus test and developer tools (pytest, hypothesis, ruff, mypy)
#                                     and the reference tools the tests cross-check against:
#                                     R + survey, haven and foreign, GNU PSPP, poppler, Chromium
#
# Debian's system Python is "externally managed" (PEP 668): nothing is installed into it. The
# project lives in its own virtualenv, .venv/ at the top of the checkout; the other scripts run
# .venv/bin/python. PYTHON=/path/to/python3.11 picks the interpreter the venv is made from.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

BASE_PY=${PYTHON:-python3}
VENV=.venv
export PIP_DISABLE_PIP_VERSION_CHECK=1

if ! command -v "$BASE_PY" >/dev/null 2>&1; then
  echo "setup: error: '$BASE_PY' not found; install Python 3.11 (Debian: apt-get install python3) or set PYTHON=" >&2
  exit 2
fi
if ! "$BASE_PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "setup: error: $("$BASE_PY" --version 2>&1) is too old; the project needs Python >= 3.11 (set PYTHON=)" >&2
  exit 2
fi

# Debian packages: venv support and PDF rendering (Pango, fonts) always; reference tools for the tests.
apt_pkgs=(fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0)
"$BASE_PY" -c 'import ensurepip, venv' >/dev/null 2>&1 || apt_pkgs+=(python3-venv)
if [ "$want_test" = 1 ]; then
  apt_pkgs+=(r-base-core r-cran-survey r-cran-mass r-cran-haven r-cran-foreign pspp poppler-utils chromium)
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

# The project virtualenv (made again when it is broken, e.g. after the base Python was removed).
if ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
  rm -rf "$VENV"
  echo "setup: creating $VENV with $("$BASE_PY" --version 2>&1)"
  "$BASE_PY" -m venv "$VENV"
fi
PY="$VENV/bin/python"

extras="pdf,datatool"
[ "$want_test" = 1 ] && extras="pdf,datatool,test,dev"
"$PY" -m pip install -q -e ".[$extras]"
echo "setup: done ($("$PY" -c 'import pipeline; print("wbm-pipeline", pipeline.__version__)') in $VENV)"
