#!/usr/bin/env bash
# Runs the README's test command (`deno task test`) and ends with the line CI reads:
# "N passed, N failed" (deno's own closing line has another form), after a line with the number
# of tests skipped (ignored: those that need a tool this machine lacks, or the slow examples).
set -uo pipefail
cd "$(dirname "$0")/.."
log="$(mktemp)"
NO_COLOR=1 deno task test "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
summary="$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$log" | tail -n 1)"
passed="$(sed -nE 's/^[A-Za-z]+ \| ([0-9]+) passed.*/\1/p' <<<"$summary")"
failed="$(sed -nE 's/.*\| ([0-9]+) failed.*/\1/p' <<<"$summary")"
ignored="$(sed -nE 's/.*\| ([0-9]+) ignored.*/\1/p' <<<"$summary")"
rm -f "$log"
if [ -z "$summary" ]; then
  echo "0 passed, 1 failed"
  [ "$rc" -eq 0 ] && rc=1
  exit "$rc"
fi
if [ "$rc" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then failed=1; fi
echo "${ignored:-0} skipped"
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$rc"
