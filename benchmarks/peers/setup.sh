#!/usr/bin/env bash
# Create (or update) benchmarks/.peers-venv with the peer libraries (svy, balance) pinned in
# requirements.txt. Idempotent: does nothing when the venv already has exactly these requirements.
#
#   bash benchmarks/peers/setup.sh            # prints the venv's python on the last line
#   PEERS_PYTHON=/path/to/python3.12 bash benchmarks/peers/setup.sh
#
# Needs Python >= 3.12 (see requirements.txt); looks for $PEERS_PYTHON, python3.13, python3.12 and
# pyenv's installs, in that order. Needs PyPI access on first run only.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$(cd "$here/.." && pwd)/.peers-venv"
req="$here/requirements.txt"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"

if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "peers venv up to date: $venv" >&2
  echo "$venv/bin/python"
  exit 0
fi

find_python() {
  local c
  for c in "${PEERS_PYTHON:-}" python3.13 python3.12 \
           "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python \
           "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python; do
    [[ -z "$c" ]] && continue
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$c"
      return 0
    fi
  done
  return 1
}

py="$(find_python)" || {
  echo "error: the peers need Python >= 3.12 (balance 0.23 pins numpy<2 on older Pythons, svy needs numpy>=2.3)." >&2
  echo "Install one (e.g. pyenv install 3.12) or set PEERS_PYTHON=/path/to/python3.12." >&2
  exit 3
}
echo "creating $venv with $py" >&2
[[ -x "$venv/bin/python" ]] || "$py" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
echo "$want" > "$stamp"
"$venv/bin/python" -c 'import svy, balance; print("svy", svy.__version__, "balance", balance.__version__)' >&2
echo "$venv/bin/python"
