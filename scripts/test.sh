#!/usr/bin/env bash
# The test command: typecheck, lint, then every test file under node's own runner.
# Ends with the line `N passed, N failed` that CI reads.
set -u
cd "$(dirname "$0")/.."
export npm_config_nodedir=${npm_config_nodedir:-/usr}
log=$(mktemp)
fail_stage=0
echo "== typecheck"; pnpm -s typecheck || fail_stage=1
echo "== lint"; pnpm -s lint || fail_stage=1
shopt -s globstar nullglob
files=(packages/*/src/**/*.test.ts packages/*/node/**/*.test.ts bench/**/*.test.ts tests/**/*.test.ts)
echo "== tests (${#files[@]} files)"
# Unit and end-to-end tests; e2e files start real peers (SIPp, baresip, sipvicious) on 127.0.0.1.
node --conditions=hotline-source --import tsx --test --test-concurrency=2 --test-timeout=300000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$log" "${files[@]}"
rc=$?
pass=$(grep -E '^# pass ' "$log" | awk '{print $3}'); fail=$(grep -E '^# fail ' "$log" | awk '{print $3}')
pass=${pass:-0}; fail=${fail:-0}
if [ "$fail_stage" -ne 0 ]; then fail=$((fail + 1)); echo "typecheck or lint failed (counted as one failure)"; fi
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; echo "test runner exited $rc"; fi
rm -f "$log"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
