#!/usr/bin/env bash
# Decode throughput and start-up of faultscope against their floors, in one unattended run, on
# any machine with `deno` on PATH and a populated DENO_DIR: no network, no hyperfine, no GNU
# time (bench/spawn_timer.ts times the processes and reads their peak RSS from /proc).
#
#   1. `decode --ndjson` of RECORDS mainline records (bench/make_capture.ts), to a file and to a
#      pipe (`| cat >/dev/null`), against `cat` of the same output bytes (the I/O floor);
#      targets: >= 2.5 M records/s whole-process, < 150 MB peak RSS.
#   2. `inspect` and `validate` of a 64 KiB region (testdata/rfc3-sample.bin) against an empty
#      script run the same way (bench/empty.ts, same flags, same directory); target: <= 2x.
#
# Results go under $OUT (default bench/out/core-perf): machine.txt, the spawn_timer tables and
# JSON, summary.txt. BEFORE=DIR also times another checkout (e.g. `git worktree add DIR REV`) in
# the same run, interleaved, in its own directory. Takes about a minute (under two).
#
#   bash bench/core_perf.sh
#   OUT=/tmp/perf BEFORE=/tmp/faultscope-old RECORDS=1000000 bash bench/core_perf.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=${OUT:-bench/out/core-perf}
RECORDS=${RECORDS:-1000000}
RUNS_DECODE=${RUNS_DECODE:-5}
RUNS_START=${RUNS_START:-20}
BEFORE=${BEFORE:-}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RUN="deno run --cached-only -A"
TIMER="$RUN $ROOT/bench/spawn_timer.ts"

loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(uname -srm)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //')"
  echo "cores: $(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"
  echo "memory: $(grep -m1 MemTotal /proc/meminfo 2>/dev/null | awk '{print $2 " kB"}')"
  deno --version | sed 's/^/deno: /'
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "before: ${BEFORE:-none}"
  echo "load average at start: $(loadavg)"
} >"$OUT/machine.txt"
cat "$OUT/machine.txt"

echo "== capture and reference output"
$RUN bench/make_capture.ts "$RECORDS" "$OUT/cap.bin"
$RUN main.ts decode "$OUT/cap.bin" --abi mainline --ndjson >"$OUT/ref.ndjson"
lines=$(wc -l <"$OUT/ref.ndjson")
[ "$lines" -eq "$RECORDS" ] || { echo "expected $RECORDS lines, got $lines" >&2; exit 1; }
echo "$RECORDS records, $(wc -c <"$OUT/ref.ndjson") bytes of NDJSON"

DECODE="main.ts decode $OUT/cap.bin --abi mainline --ndjson"
for sink in file pipe; do
  if [ $sink = file ]; then to=">$OUT/out.ndjson"; else to="| cat >/dev/null"; fi
  cmds=("sh:cat $OUT/ref.ndjson $to" "sh:$RUN $DECODE $to")
  [ -n "$BEFORE" ] && cmds+=("@$BEFORE sh:$RUN $DECODE $to")
  echo "== decode --ndjson to a $sink (first line: cat of the same bytes, the floor)"
  $TIMER --runs "$RUNS_DECODE" --warmup 1 --rss --json "$OUT/decode-$sink.json" "${cmds[@]}" |
    tee "$OUT/decode-$sink.txt"
done
cmp -s "$OUT/out.ndjson" "$OUT/ref.ndjson" || { echo "decode to a file: output differs" >&2; exit 1; }

REGION=testdata/rfc3-sample.bin
cmds=("$RUN bench/empty.ts" "$RUN main.ts inspect $REGION" "$RUN main.ts validate $REGION"
  "$RUN main.ts --version")
[ -n "$BEFORE" ] && cmds+=("@$BEFORE $RUN main.ts inspect $REGION"
  "@$BEFORE $RUN main.ts validate $REGION")
echo "== start-up (first line: an empty script, the floor)"
$TIMER --runs "$RUNS_START" --warmup 3 --json "$OUT/startup.json" "${cmds[@]}" |
  tee "$OUT/startup.txt"

echo "load average at end: $(loadavg)" | tee -a "$OUT/machine.txt"
$RUN - "$OUT" "$RECORDS" <<'EOF' | tee "$OUT/summary.txt"
const [out, records] = [Deno.args[0], Number(Deno.args[1])];
const read = (f: string) => JSON.parse(Deno.readTextFileSync(`${out}/${f}`)).results;
const verdict = (ok: boolean) => (ok ? "meets" : "MISSES");
for (const sink of ["file", "pipe"]) {
  const [floor, ...rest] = read(`decode-${sink}.json`);
  for (const r of rest) {
    const rate = records / (r.median / 1000) / 1e6;
    const mb = r.rssMax === null ? NaN : r.rssMax / 1e6;
    console.log(
      `decode to a ${sink}: ${r.median.toFixed(0)} ms median, ${rate.toFixed(2)} M records/s ` +
        `(${verdict(rate >= 2.5)} 2.5), peak ${mb.toFixed(0)} MB (${verdict(mb < 150)} 150), ` +
        `${r.ratio.median.toFixed(2)}x cat (${floor.median.toFixed(0)} ms)` +
        `${r.command.startsWith("@") ? " [before]" : ""}`,
    );
  }
}
const [empty, ...starts] = read("startup.json");
for (const r of starts) {
  const what = r.command.replace(/^@\S+ /, "[before] ").replace(/^.*main\.ts /, "");
  console.log(
    `${r.command.startsWith("@") ? "[before] " : ""}${what}: ${r.median.toFixed(1)} ms median, ` +
      `${r.ratio.median.toFixed(2)}x the empty script (${empty.median.toFixed(1)} ms)` +
      (/inspect|validate/.test(what) ? ` (${verdict(r.ratio.median <= 2)} 2x)` : ""),
  );
}
EOF
rm -f "$OUT/cap.bin" "$OUT/ref.ndjson" "$OUT/out.ndjson"
