#!/usr/bin/env bash
# `pnpm bench <name> [-- options]` runs bench/<name>.ts with tsx from the repository root.
# pnpm passes a literal `--` through; it is dropped here.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name="${1:-}"
benches="$(cd "$here" && ls -1 ./*.ts 2>/dev/null | sed 's|^\./||; s|\.ts$||' | tr '\n' ' ')"
if [[ -z "$name" || ! "$name" =~ ^[a-z0-9-]+$ || ! -f "$here/$name.ts" ]]; then
  echo "usage: pnpm bench <name> [-- options]   (benches: ${benches:-none})" >&2
  exit 2
fi
shift
if [[ "${1:-}" == "--" ]]; then shift; fi
cd "$here/.."
case "$name" in
  media)
    # Four UDP sockets per call in the relay under test and four in the generator: 4,000 calls
    # need 16,000 descriptors on each side, so take the hard open-file limit.
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    ;;
esac
exec node --import tsx "bench/$name.ts" "$@"
