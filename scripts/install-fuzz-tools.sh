#!/usr/bin/env bash
# Installs the Python tools of `pnpm bench:fuzz` (schemathesis, pinned) into .tools/venv,
# from PyPI. Idempotent: does nothing when the pinned version is already there.
#
#   bash scripts/install-fuzz-tools.sh      # then .tools/venv/bin/schemathesis exists
set -euo pipefail

schemathesis_version=4.32.5
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.tools/venv"

if [ -x "$venv/bin/schemathesis" ] && "$venv/bin/python" -m pip show schemathesis 2>/dev/null | grep -qx "Version: $schemathesis_version"; then
  echo "install-fuzz-tools: schemathesis $schemathesis_version already in $venv" >&2
  exit 0
fi

python=""
for candidate in python3 python; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' 2>/dev/null; then
    python="$candidate"
    break
  fi
done
[ -n "$python" ] || { echo "install-fuzz-tools: Python 3.9+ is needed (for example Debian's python3 and python3-venv)" >&2; exit 1; }

[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
echo "install-fuzz-tools: $("$venv/bin/schemathesis" --version) in $venv" >&2
