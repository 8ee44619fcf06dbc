# Sourced by scripts/serve and scripts/test: make sure .venv exists with a Python >= 3.11.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -x .venv/bin/python ]; then
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      "$candidate" -m venv .venv
      break
    fi
  done
  [ -x .venv/bin/python ] || { echo "ldp-graph needs Python 3.11 or newer" >&2; exit 1; }
fi
