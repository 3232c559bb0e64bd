# Puts Node.js 24 and the pinned pnpm on PATH, installing them into .tools/ when the
# machine lacks them, then installs the workspace's dependencies.
#
#   source scripts/bootstrap.sh     # this shell keeps the PATH (what the README says)
#   bash scripts/bootstrap.sh       # installs only; prints the PATH line to use
#
# Only the npm registry is needed: the `node` package on npm carries real Node binaries.
# shellcheck shell=bash

nudj_bootstrap() {
  local root node_major pnpm_version tools
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" || return 1
  tools="$root/.tools"
  pnpm_version="$(sed -n 's/.*"packageManager": "pnpm@\([^"]*\)".*/\1/p' "$root/package.json")"
  mkdir -p "$tools/bin"

  node_major="$(node --version 2>/dev/null | sed 's/^v\([0-9]*\).*/\1/')"
  if [ "$node_major" = 24 ]; then
    ln -sf "$(command -v node)" "$tools/bin/node"
  else
    if [ ! -x "$tools/node/node_modules/node/bin/node" ]; then
      command -v npm >/dev/null || { echo "bootstrap: npm is needed to install Node.js 24 (found no npm on PATH)" >&2; return 1; }
      echo "bootstrap: found node ${node_major:-(none)}, need 24; installing Node.js 24 into .tools/node" >&2
      npm install --loglevel=error --no-audit --no-fund --prefix "$tools/node" node@24 >&2 || return 1
    fi
    ln -sf "$tools/node/node_modules/node/bin/node" "$tools/bin/node"
  fi

  if [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
    if [ ! -x "$tools/pnpm/node_modules/.bin/pnpm" ] || [ "$("$tools/pnpm/node_modules/.bin/pnpm" --version)" != "$pnpm_version" ]; then
      echo "bootstrap: installing pnpm $pnpm_version into .tools/pnpm" >&2
      npm install --loglevel=error --no-audit --no-fund --prefix "$tools/pnpm" "pnpm@$pnpm_version" >&2 || return 1
    fi
    ln -sf "$tools/pnpm/node_modules/.bin/pnpm" "$tools/bin/pnpm"
  fi

  export PATH="$tools/bin:$PATH"
  echo "bootstrap: node $(node --version), pnpm $(pnpm --version)" >&2
  if [ -n "${CI:-}" ]; then
    (cd "$root" && pnpm install --frozen-lockfile --reporter=append-only) >&2 || return 1
  else
    (cd "$root" && pnpm install) >&2 || return 1
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -eu
  nudj_bootstrap
  echo "export PATH=\"$(cd "$(dirname "$0")/.." && pwd)/.tools/bin:\$PATH\""
else
  nudj_bootstrap
fi
