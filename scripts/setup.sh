#!/usr/bin/env bash
# Installs everything hotline needs from the npm registry: pnpm (pinned), then the
# workspace's dependencies exactly as locked. better-sqlite3 compiles from source with
# node-gyp; where Node's headers are installed locally (Debian: /usr/include/node) they are
# used instead of a download, which also works on machines without internet access.
set -euo pipefail
cd "$(dirname "$0")/.."
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  echo "hotline needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
want=10.34.9
if ! command -v pnpm >/dev/null || [ "$(pnpm --version)" != "$want" ]; then
  npm install -g "pnpm@$want" >/dev/null
fi
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi
pnpm install --frozen-lockfile
