/**
 * `faultscope bench`: runs the lock-free fault ring (both region layouts, a sweep of batch
 * sizes, busy spin and spin-then-wait, indices on shared or separate cache lines) between a
 * producer worker and a consumer worker, then the baselines on 64-byte records (`postMessage`
 * per record, batched `postMessage`, `ringbuf.js` and the minimal SharedArrayBuffer ring at
 * their best batch size), with `--c-reference` the C11 twin of every ring configuration, the
 * latency probes and the idle check, and prints records/s, MB/s, delivery latency, batching,
 * waits, the CPUs the workers ran on and each configuration's ratios. Every record is
 * verified; a lost, duplicated, reordered or torn record makes the command fail with exit 1.
 * Ctrl-C stops the workers, prints what was measured, exit 130.
 *
 * The measuring lives in `src/bench/`; this module parses flags and formats.
 *
 * @example
 * ```sh
 * faultscope bench                           # the default suite, about 50 s
 * faultscope bench --duration 0.3 --batch 16 --json
 * faultscope bench --c-reference --layout dma-fault --batch 256   # against C, same run
 * ```
 * @module
 */
import { buildCReference, type CReference, removeCReference } from "../../bench/c_reference.ts";
import { machineInfo } from "../../bench/machine.ts";
import { DEFAULT_SLEEP_MS } from "../../bench/skeleton.ts";
import {
  DEFAULT_BATCHES,
  DEFAULT_WARMUP_MS,
  LATENCY_PROBES,
  planSuite,
  RATIO_KEYS,
  type RatioKey,
  runSuite,
  type SuiteOptions,
  type SuiteResult,
  type SuiteRow,
} from "../../bench/suite.ts";
import type { SideStats } from "../../bench/types.ts";
import type { RunResult } from "../../bench/runner.ts";
import {
  DEFAULT_SPIN_US,
  MAX_SPIN_US,
  WAIT_STRATEGIES,
  type WaitStrategy,
} from "../../ring/doorbell.ts";
import { RING_LAYOUTS, type RingLayoutId } from "../../ring/geometry.ts";
import type { BENCH } from "../commands.ts";
import { CheckFailed, EXIT, type ExitCode, Interrupted } from "../errors.ts";
import { type Io, paint } from "../io.ts";
import { progressBar } from "../progress.ts";
import { table } from "../render.ts";
import { interrupts } from "../signals.ts";
import type { Parsed } from "../spec.ts";

/** Parsed flags of `bench`. */
export interface BenchFlags {
  /** `--records`: records per configuration. */
  records?: number;
  /** `--duration`: seconds of measurement per configuration. */
  duration?: number;
  /** `--batch`: producer batch sizes. */
  batch?: number[];
  /** `--layout`: region layouts. */
  layout?: RingLayoutId[];
  /** `--wait`: wait strategies. */
  wait?: WaitStrategy[];
  /** `--no-split` sets it false. */
  split?: boolean;
  /** `--no-baselines` sets it false. */
  baselines?: boolean;
  /** `--no-idle` sets it false. */
  idle?: boolean;
  /** `--c-reference`. */
  cReference?: boolean;
  /** `--warmup`: ms. */
  warmup?: number;
  /** `--spin-us`. */
  spinUs?: number;
  /** Hidden self-test hook (`--corrupt-cons-at`). */
  corruptConsAt?: number;
  /** Hidden: a file created once the first run's workers are going. */
  readyFile?: string;
  /** `--repeat`. */
  repeat?: number;
  /** `--json`. */
  json?: boolean;
}

/** Runs the bench from the command table's parsed options. */
export async function run(o: Parsed<typeof BENCH>, io: Io): Promise<ExitCode> {
  await runBench(o, io);
  return EXIT.OK;
}

function suiteOptions(flags: BenchFlags): SuiteOptions {
  const durationMs = flags.duration !== undefined
    ? flags.duration * 1000
    : flags.records !== undefined
    ? 0
    : 1000;
  return {
    records: flags.records ?? 0,
    durationMs,
    batches: flags.batch ?? DEFAULT_BATCHES,
    layouts: flags.layout ?? RING_LAYOUTS,
    waits: flags.wait ?? WAIT_STRATEGIES,
    split: flags.split ?? true,
    baselines: flags.baselines ?? true,
    cReference: flags.cReference ?? false,
    warmupMs: flags.warmup ?? DEFAULT_WARMUP_MS,
    spinUs: flags.spinUs ?? DEFAULT_SPIN_US,
    repeat: flags.repeat ?? 1,
    corruptConsAt: flags.corruptConsAt,
  };
}

/**
 * Runs the bench with parsed flags, writing through `io`. Throws {@link CheckFailed} (exit 1)
 * when a record failed verification and `Interrupted` (exit 130, or 143 for SIGTERM) when
 * interrupted, after printing.
 *
 * @example
 * ```ts
 * import { runBench } from "./bench.ts";
 * import { denoIo } from "../io.ts";
 * let stdout = ""; // captured; `denoIo()` alone writes to the terminal
 * const write = (t: string) => void (stdout += t);
 * const io = { ...denoIo(), out: { write, line: (t = "") => write(t + "\n"), flush() {} } };
 * // One ring configuration of 10,000 records: well under a second (the default suite: 50 s).
 * await runBench({
 *   records: 10_000, batch: [64], layout: ["dma-fault"], wait: ["spin"], split: false,
 *   baselines: false, idle: false, json: true,
 * }, io);
 * const json = JSON.parse(stdout);
 * json.results.map((r: { name: string }) => r.name); // => ["dma-fault b64 spin"]
 * json.verified; // => true
 * ```
 */
export async function runBench(
  flags: BenchFlags,
  io: Io,
  signal?: AbortSignal,
): Promise<SuiteResult> {
  const opts = suiteOptions(flags);
  const plan = planSuite(opts);
  let c: CReference | undefined;
  if (opts.cReference) {
    c = await buildCReference();
    if (!c.ok) io.err(`faultscope: bench: C reference skipped: ${c.reason}\n`);
  }
  const runs = plan.filter((r) => c?.ok || r.spec.transport !== "c-reference").length;
  using stop = interrupts();
  const ac = new AbortController();
  signal?.addEventListener("abort", () => ac.abort());
  stop.abort.addEventListener("abort", () => ac.abort());
  const bar = await progressBar(io.stderrIsTerminal, "bench [{bar}] {value}/{total} {run}");
  bar?.start(runs * opts.repeat!, 0, { run: plan[0]?.name ?? "" });
  let suite: SuiteResult;
  try {
    suite = await runSuite(plan, {
      signal: ac.signal,
      idle: flags.idle,
      repeat: opts.repeat,
      c,
      spinUs: opts.spinUs,
      waits: opts.waits,
      progress: (done, _total, run) => bar?.update(done, { run }),
      onFirstRun: flags.readyFile === undefined
        ? undefined
        : () => Deno.writeTextFileSync(flags.readyFile!, ""),
    });
  } finally {
    bar?.stop();
    if (c !== undefined) await removeCReference(c);
  }
  if (flags.json) io.out.line(JSON.stringify(benchJson(suite, opts, c), null, 2));
  else io.out.write(benchText(suite, io.color, c));
  if (suite.failures.length > 0) {
    const first = suite.failures[0];
    throw new CheckFailed(
      `bench: VERIFICATION FAILED in ${suite.failures.length} run(s); ${first.name}: ` +
        first.problems.join("; "),
    );
  }
  if (suite.interrupted) {
    const message = "bench: interrupted; partial results above";
    stop.throwIfInterrupted(message);
    // Stopped by the caller's signal, or a run that hung and was stopped by its timeout.
    if (signal?.aborted) throw new Interrupted(message);
    throw new CheckFailed("bench: a run did not finish in time; partial results above");
  }
  return suite;
}

const si = (n: number) =>
  !(n > 0)
    ? "-"
    : n >= 1e6
    ? `${(n / 1e6).toFixed(2)}M`
    : n >= 1e3
    ? `${(n / 1e3).toFixed(1)}k`
    : n.toFixed(0);
const ns = (v: number) =>
  Number.isNaN(v)
    ? "-"
    : v >= 1e6
    ? `${(v / 1e6).toFixed(1)}ms`
    : v >= 1e3
    ? `${(v / 1e3).toFixed(1)}us`
    : `${v}ns`;
const x = (v: number | undefined) => v === undefined ? "-" : `${v.toFixed(2)}x`;
const cpuList = (st: SideStats | undefined) =>
  st === undefined || st.cpus.length === 0 ? "-" : st.cpus.join(",");

/** Short column titles of the ratios. */
const RATIO_TITLES: Record<RatioKey, string> = {
  "postMessage": "vs pm",
  "postMessage-batched": "vs pm-b",
  "ringbuf.js": "vs rb.js",
  "minimal-ring": "vs min",
  "c-reference": "vs C",
};

function rowCells(r: SuiteRow, color: boolean): string[] {
  const res = r.result;
  const p = res.producer?.stats, c = res.consumer?.stats;
  const ok = res.verified
    ? paint("green", "ok", color)
    : res.interrupted
    ? paint("yellow", "partial", color)
    : paint("red", "FAILED", color);
  return [
    r.sweep ? `${r.name} (best: b${res.spec.batch})` : r.name,
    si(res.recordsPerS),
    res.mbPerS > 0 ? res.mbPerS.toFixed(0) : "-",
    ns(res.latencyNs.p50),
    ns(res.latencyNs.p99),
    ns(res.latencyNs.p999),
    `${res.meanBatch.producer.toFixed(1)}/${res.meanBatch.consumer.toFixed(1)}`,
    `${p?.waits ?? "-"}/${c?.waits ?? "-"}`,
    `${p?.sleeps ?? "-"}/${c?.sleeps ?? "-"}`,
    `${cpuList(p)}/${cpuList(c)}`,
    ...RATIO_KEYS.map((b) => x(r.ratio[b])),
    ok,
  ];
}

function latencyCells(r: RunResult | undefined): string[] {
  if (r === undefined) return ["-", "-", "-", "-"];
  const l = r.latencyNs;
  return [ns(l.p50), ns(l.p99), ns(l.p999), ns(l.max)];
}

/**
 * The human table, the headline, the latency probes, the idle check and the verdict.
 *
 * @example
 * ```ts
 * import { benchText } from "./bench.ts";
 * import { planSuite, runSuite } from "../../bench/suite.ts";
 * // One ring configuration of 10,000 records: well under a second (the default suite: 50 s).
 * const plan = planSuite({
 *   records: 10_000, durationMs: 0, batches: [64], layouts: ["dma-fault"], waits: ["spin"],
 *   split: false, baselines: false,
 * });
 * const suite = await runSuite(plan, { idle: false });
 * const text = benchText(suite, false); // the padded table, no colour
 * text.split("\n")[2].split(/ +/).slice(0, 4); // => ["configuration", "rec/s", "MB/s", "p50"]
 * text.split("\n")[3].startsWith("dma-fault b64 spin"); // => true
 * ```
 */
export function benchText(s: SuiteResult, color: boolean, c?: CReference): string {
  const m = machineInfo();
  const out = [
    `machine: ${m.cpuModel ?? "unknown CPU"}, ${m.logicalCpus} logical CPUs` +
    (m.physicalCores !== null ? ` (${m.physicalCores} cores)` : "") +
    (m.allowedCpus !== null ? `, this process may run on ${m.allowedCpus}` : ""),
    "",
  ];
  const head = [
    "configuration",
    "rec/s",
    "MB/s",
    "p50",
    "p99",
    "p99.9",
    "batch P/C",
    "waits P/C",
    "sleeps P/C",
    "cpus P/C",
    ...RATIO_KEYS.map((k) => RATIO_TITLES[k]),
    "verified",
  ];
  out.push(
    ...table(
      head,
      s.rows.map((r) => rowCells(r, color)),
      new Set([1, 2, 3, 4, 5, ...RATIO_KEYS.map((_, i) => 10 + i)]),
    ),
    "",
    "rec/s and latency over the measurement window; latency = producer timestamp to consumer " +
      "read, under saturation;",
    "batch = records per index publish (producer/consumer); waits = times a side found the " +
      "ring full/empty; cpus = CPUs the side ran on;",
    "vs = ratio to each baseline (best batch), and vs C to the C11 twin of the same configuration",
  );
  const h = s.headline;
  if (h.best !== undefined) {
    out.push(
      "",
      `best batched: ${h.best.name} ${si(h.best.result.recordsPerS)} rec/s = ` +
        `${x(h.vsMinimalRing)} the minimal ring, ${x(h.vsCReference)} its C11 twin; ` +
        `best dma-fault / best rfc3 = ${x(h.dmaFaultVsRfc3)}`,
    );
  }
  if (s.latency.length > 0) {
    out.push(
      "",
      ...table(
        [
          "latency, dma-fault, 1 record at a time",
          "p50",
          "p99",
          "p99.9",
          "max",
          "C11 p50",
          "C11 p99",
          "C11 p99.9",
          "C11 max",
        ],
        s.latency.map((p) => [
          p.kind === "paced"
            ? `every ${p.gapUs}us, ${p.wait}`
            : `wake-up after ${p.gapUs / 1000}ms idle, ${p.wait}`,
          ...latencyCells(p.ring),
          ...latencyCells(p.c),
        ]),
        new Set([1, 2, 3, 4, 5, 6, 7, 8]),
      ),
    );
  }
  if (s.idle.length > 0) out.push("");
  for (const i of s.idle) {
    out.push(
      `idle consumer, ${i.wait}: ${i.cpuMs.toFixed(0)} ms CPU in ${i.idleMs} ms with no record ` +
        `(${(100 * i.cpuMs / i.idleMs).toFixed(0)}% of a core), ${i.consumer?.sleeps ?? 0} sleeps`,
    );
  }
  if (c !== undefined) {
    out.push(
      c.ok
        ? `C reference: bench/c/ring.c built with ${c.compiler} (-O2, acquire/release indices)`
        : `C reference skipped: ${c.reason}`,
    );
  }
  for (const f of s.failures) {
    out.push(paint("red", `FAILED ${f.name}: ${f.problems.join("; ")}`, color));
  }
  if (s.interrupted) {
    out.push(paint("yellow", "interrupted: the table holds the runs finished so far", color));
  }
  return out.join("\n") + "\n";
}

function side(st: SideStats | undefined) {
  return st === undefined ? null : {
    records: st.records,
    publishes: st.publishes,
    waits: st.waits,
    spins: st.spins,
    arms: st.arms,
    sleeps: st.sleeps,
    timeouts: st.timeouts,
    notifies: st.notifies,
    index_loads: st.indexLoads,
    clock_reads: st.clockReads,
    cpus: st.cpus,
    fault: st.fault ?? null,
  };
}

const num = (v: number | undefined) =>
  v !== undefined && Number.isFinite(v) ? Math.round(v * 100) / 100 : null;

function latencyJson(r: RunResult | undefined) {
  if (r === undefined) return null;
  const l = r.latencyNs;
  return { p50: num(l.p50), p99: num(l.p99), p999: num(l.p999), max: num(l.max) };
}

function waitName(r: RunResult): string {
  const t = r.spec.transport;
  return t === "ring" || t === "c-reference"
    ? r.spec.wait
    : t === "ringbuf.js" || t === "minimal-ring"
    ? "spin"
    : "event-loop";
}

/**
 * The `--json` object, documented in the README ("bench --json"): every key is always present,
 * with `null` where a value does not apply.
 *
 * @example
 * ```ts
 * import { benchJson } from "./bench.ts";
 * import { planSuite, runSuite, type SuiteOptions } from "../../bench/suite.ts";
 * // One ring configuration of 10,000 records: well under a second (the default suite: 50 s).
 * const options: SuiteOptions = {
 *   records: 10_000, durationMs: 0, batches: [64], layouts: ["dma-fault"], waits: ["spin"],
 *   split: false, baselines: false,
 * };
 * const json = benchJson(await runSuite(planSuite(options), { idle: false }), options);
 * Object.keys(json);
 * // => ["machine", "options", "c_reference", "verified", "interrupted", "results", "headline",
 * //   "latency", "idle"]
 * [json.latency, json.idle]; // => [[], []]: not asked for
 * json.c_reference;
 * // => { available: false, compiler: null, reason: "not requested (--c-reference)" }
 * ```
 */
export function benchJson(
  s: SuiteResult,
  o: SuiteOptions,
  c?: CReference,
): Record<string, unknown> {
  let load: number[] | null = null;
  try {
    load = Deno.loadavg();
  } catch { /* no sys permission */ }
  const m = machineInfo();
  const h = s.headline;
  return {
    machine: {
      cpu_model: m.cpuModel,
      logical_cpus: m.logicalCpus,
      physical_cores: m.physicalCores,
      allowed_cpus: m.allowedCpus,
      os: m.os,
      deno: m.deno,
      v8: m.v8,
      loadavg: load,
    },
    options: {
      records: o.records > 0 ? o.records : null,
      duration_ms: o.durationMs > 0 ? o.durationMs : null,
      warmup_ms: o.warmupMs ?? DEFAULT_WARMUP_MS,
      batches: o.batches ?? DEFAULT_BATCHES,
      layouts: o.layouts ?? RING_LAYOUTS,
      waits: o.waits ?? WAIT_STRATEGIES,
      split: o.split ?? true,
      baselines: o.baselines ?? true,
      c_reference: o.cReference ?? false,
      spin_us: o.spinUs ?? DEFAULT_SPIN_US,
      spin_max_us: Math.max(o.spinUs ?? DEFAULT_SPIN_US, MAX_SPIN_US),
      sleep_ms: DEFAULT_SLEEP_MS,
      repeat: o.repeat ?? 1,
    },
    c_reference: c === undefined
      ? { available: false, compiler: null, reason: "not requested (--c-reference)" }
      : c.ok
      ? { available: true, compiler: c.compiler, reason: null }
      : { available: false, compiler: null, reason: c.reason },
    verified: s.failures.length === 0 && !s.interrupted,
    interrupted: s.interrupted,
    results: s.rows.map((r) => {
      const res = r.result;
      const ring = res.spec.transport === "ring" || res.spec.transport === "c-reference";
      return {
        name: r.name,
        transport: res.spec.transport,
        layout: ring ? res.spec.layout : null,
        indices: ring ? res.spec.placement : null,
        twin_of: r.twinOf ?? null,
        record_size: res.recordSize,
        batch: res.spec.batch,
        wait: waitName(res),
        records: res.consumer?.windowRecords ?? 0,
        seconds: Math.round((res.consumer?.windowMs ?? 0) * 1000) / 1e6,
        records_per_s: Math.round(res.recordsPerS),
        runs: r.runs.map((v) => Math.round(v)),
        mb_per_s: num(res.mbPerS),
        latency_ns: latencyJson(res),
        mean_batch: {
          producer: num(res.meanBatch.producer),
          consumer: num(res.meanBatch.consumer),
        },
        producer: side(res.producer?.stats),
        consumer: side(res.consumer?.stats),
        ratio: Object.fromEntries(RATIO_KEYS.map((k) => [k, num(r.ratio[k])])),
        sweep: r.sweep?.map((p) => ({
          batch: p.batch,
          records_per_s: Math.round(p.recordsPerS),
        })) ?? null,
        verified: res.verified,
        lost: res.lost,
        duplicated_or_reordered: res.duplicatedOrReordered,
        torn: res.torn,
        problems: res.problems,
      };
    }),
    headline: {
      best: h.best?.name ?? null,
      records_per_s: h.best ? Math.round(h.best.result.recordsPerS) : null,
      vs_minimal_ring: num(h.vsMinimalRing),
      vs_c_reference: num(h.vsCReference),
      best_per_layout: Object.fromEntries(
        RING_LAYOUTS.map((l) => [l, h.bestPerLayout[l]?.name ?? null]),
      ),
      dma_fault_vs_rfc3: num(h.dmaFaultVsRfc3),
    },
    latency: s.latency.map((p) => ({
      kind: p.kind,
      wait: p.wait,
      gap_us: p.gapUs,
      records: LATENCY_PROBES[p.kind].records,
      ring: latencyJson(p.ring),
      c_reference: latencyJson(p.c),
    })),
    idle: s.idle.map((i) => ({
      wait: i.wait,
      idle_ms: i.idleMs,
      cpu_ms: num(i.cpuMs),
      consumer_sleeps: i.consumer?.sleeps ?? null,
    })),
  };
}
