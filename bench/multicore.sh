#!/usr/bin/env bash
# bench/multicore.sh - the ring's figures on a many-core machine, in one unattended run.
#
# Runs from the repository root with `deno` on PATH and a populated DENO_DIR (no network
# needed: every module comes from the cache), and writes everything under "$OUT":
#
#   machine.txt             CPU model, topology (lscpu -p), the pairs chosen, deno and cc versions
#   bench-unpinned.json     `faultscope bench --c-reference --json`, the full suite, 2 rounds
#   bench-<pair>.json       the same, batched configurations only, pinned to a pair of CPUs
#                           with taskset (neighbouring cores, distant cores, SMT siblings)
#   *.err                   each run's stderr;  summary.txt  the headline ratios of every run
#
# The C baseline is the project's own C11 twin of the ring (bench/c/ring.c, built by
# `bench --c-reference` with cc when present); the minimal TypeScript ring is the suite's
# `minimal-ring` baseline. Nothing outside the repository is used.
#
# Budget: about 5 minutes on a quiet 16-core machine (3 min unpinned, 40 s per pair), and
# never past 7: each run is capped by `timeout` (190 s, then 70 s per pair; an interrupted
# bench still writes its partial JSON). For a quick local check of the script itself:
#   OUT=/tmp/mc MULTICORE_DURATION=0.05 bench/multicore.sh
set -u

OUT=${OUT:?set OUT to the folder the results go to}
DURATION=${MULTICORE_DURATION:-1}   # seconds of measurement per configuration
mkdir -p "$OUT"
start=$(date +%s)
FS=(deno run --cached-only --frozen -A main.ts)

log() { echo "[$(($(date +%s) - start))s] $*" | tee -a "$OUT/progress.log"; }

# npm packages live in node_modules (deno.json: nodeModulesDir manual); fill it from DENO_DIR's
# cache, offline, when the copy of the repository came without it.
[ -d node_modules ] || deno install --frozen --cached-only --quiet || echo "deno install failed" >&2

# ---------------------------------------------------------------- the machine
{
  echo "date: $(date -u +%FT%TZ)"
  echo "uname: $(uname -a)"
  grep -m1 'model name' /proc/cpuinfo || true
  echo "nproc: $(nproc)"
  echo "deno: $(deno --version | head -1)"
  if command -v cc >/dev/null; then echo "cc: $(cc --version | head -1)"; else echo "cc: none (no C reference)"; fi
  echo "loadavg: $(cat /proc/loadavg)"
  echo "--- lscpu"
  lscpu || true
  echo "--- lscpu -p=CPU,CORE,SOCKET,NODE,CACHE"
  lscpu -p=CPU,CORE,SOCKET,NODE,CACHE || true
} >"$OUT/machine.txt" 2>&1

# ---------------------------------------------------------------- the CPU pairs
# From /sys topology: cpu0's SMT sibling (same core), its nearest other core (same package,
# same last-level cache when the OS says), and its most distant core (another package, else
# another last-level cache, else the highest-numbered other core).
topo() { cat "/sys/devices/system/cpu/cpu$1/topology/$2" 2>/dev/null; }
llc() { # id of cpu $1's last-level cache
  local d best=""
  for d in /sys/devices/system/cpu/cpu"$1"/cache/index*; do
    [ -r "$d/level" ] && best=$(cat "$d/id" 2>/dev/null || cat "$d/shared_cpu_list")
  done
  echo "$best"
}
cpus=$(ls -d /sys/devices/system/cpu/cpu[0-9]* 2>/dev/null | sed 's/.*cpu//' | sort -n)
c0=$(echo "$cpus" | head -1)
core0=$(topo "$c0" core_id); pkg0=$(topo "$c0" physical_package_id); llc0=$(llc "$c0")
sibling="" near="" far="" far_llc="" far_any=""
for c in $cpus; do
  [ "$c" = "$c0" ] && continue
  [ "$(cat "/sys/devices/system/cpu/cpu$c/online" 2>/dev/null || echo 1)" = 1 ] || continue
  taskset -c "$c" true 2>/dev/null || continue # not in this process's cpuset
  core=$(topo "$c" core_id); pkg=$(topo "$c" physical_package_id)
  if [ "$pkg" = "$pkg0" ] && [ "$core" = "$core0" ]; then
    [ -z "$sibling" ] && sibling=$c
    continue
  fi
  if [ -z "$near" ] && [ "$pkg" = "$pkg0" ] && [ "$(llc "$c")" = "$llc0" ]; then near=$c; fi
  if [ -z "$far" ] && [ "$pkg" != "$pkg0" ]; then far=$c; fi
  if [ -z "$far_llc" ] && [ "$(llc "$c")" != "$llc0" ]; then far_llc=$c; fi
  far_any=$c
done
[ -z "$near" ] && near=$far_any
[ -z "$far" ] && far=${far_llc:-$far_any}
pairs=()
[ -n "$near" ] && pairs+=("near:$c0,$near")
[ -n "$far" ] && [ "$far" != "$near" ] && pairs+=("far:$c0,$far")
[ -n "$sibling" ] && pairs+=("smt:$c0,$sibling")
echo "--- pairs: ${pairs[*]:-none}" >>"$OUT/machine.txt"
log "machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs; pairs: ${pairs[*]:-none}"

# ---------------------------------------------------------------- the runs
run_bench() { # name, seconds cap, then taskset args (possibly none) and bench flags
  local name=$1 cap=$2
  shift 2
  log "$name: start"
  timeout -s INT -k 10 "$cap" "$@" >"$OUT/bench-$name.json" 2>"$OUT/bench-$name.err"
  local rc=$?
  log "$name: exit $rc"
  echo "$name $rc" >>"$OUT/exit-codes.txt"
}

COMMON=(--c-reference --json --duration "$DURATION")
# Unpinned: the whole suite (both layouts, both waits, batches 1/16/64/256, split indices, every
# baseline, latency probes, idle check), two rounds, rows are medians.
run_bench unpinned 190 "${FS[@]}" bench "${COMMON[@]}" --repeat 2
# Pinned pairs: the batched configurations, where the targets are stated.
for p in "${pairs[@]}"; do
  name=${p%%:*}
  run_bench "pin-$name-${p#*:}" 70 taskset -c "${p#*:}" "${FS[@]}" bench "${COMMON[@]}" \
    --batch 64,256 --no-idle
done

# ---------------------------------------------------------------- the summary
deno eval --quiet '
  const dir = Deno.args[0];
  const fmt = (v) => v === null || v === undefined ? "-" : Number(v).toFixed(2);
  const M = (v) => v === null || v === undefined ? "-" : (v / 1e6).toFixed(1) + "M";
  for (const f of [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".json")).sort()) {
    let j;
    try { j = JSON.parse(Deno.readTextFileSync(`${dir}/${f}`)); } catch { console.log(`${f}: no JSON`); continue; }
    const h = j.headline;
    const row = (n) => j.results.find((r) => r.name === n);
    const min = row("minimal-ring");
    console.log(`${f}: verified=${j.verified} best=${h.best} ${M(h.records_per_s)} ` +
      `x_minimal=${fmt(h.vs_minimal_ring)} x_C=${fmt(h.vs_c_reference)} ` +
      `dma/rfc3=${fmt(h.dma_fault_vs_rfc3)} minimal=${M(min?.records_per_s)} ` +
      `cpus=${JSON.stringify(row(h.best)?.producer?.cpus)}/${JSON.stringify(row(h.best)?.consumer?.cpus)}`);
    for (const r of j.results.filter((r) => r.transport === "ring" && r.batch > 1)) {
      const c = row(`C11 ${r.name}`);
      console.log(`  ${r.name.padEnd(28)} ${M(r.records_per_s).padStart(7)}  C11 ${M(c?.records_per_s).padStart(7)}` +
        `  x_C=${fmt(r.ratio["c-reference"])}  x_min=${fmt(r.ratio["minimal-ring"])}`);
    }
  }
' "$OUT" >"$OUT/summary.txt" 2>&1
cat "$OUT/summary.txt"
log "done in $(($(date +%s) - start)) s"
