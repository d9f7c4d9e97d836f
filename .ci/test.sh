#!/usr/bin/env bash
# Runs the README's test command (`deno task test`) and ends with the line CI reads:
# "N passed, N failed, N skipped" (deno's own closing line has another form).
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
echo "${passed:-0} passed, ${failed:-0} failed, ${ignored:-0} skipped"
exit "$rc"
