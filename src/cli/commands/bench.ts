/**
 * `faultscope bench`: runs the lock-free fault ring (both region layouts, a sweep of batch
 * sizes, busy spin and spin-then-wait, indices on shared or separate cache lines) between a
 * producer worker and a consumer worker, then the baselines on the same records
 * (`postMessage` per record, batched `postMessage`, `ringbuf.js` at its best batch size), and
 * prints records/s, MB/s, delivery latency, batching, waits and each configuration's ratio to
 * the baselines. Every record is verified; a lost, duplicated, reordered or torn record makes
 * the command fail with exit 1. Ctrl-C stops the workers, prints what was measured, exit 130.
 *
 * The measuring lives in `src/bench/suite.ts`; this module parses flags and formats.
 *
 * @example
 * ```sh
 * faultscope bench                           # the default suite, about 40 s
 * faultscope bench --duration 0.3 --batch 16 --json
 * faultscope bench --layout dma-fault --wait spin-wait --duration 60   # a one-minute soak
 * ```
 * @module
 */
import {
  BASELINES,
  DEFAULT_BATCHES,
  DEFAULT_WARMUP_MS,
  planSuite,
  runSuite,
  type SuiteOptions,
  type SuiteResult,
  type SuiteRow,
} from "../../bench/suite.ts";
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
import type { Parsed } from "../spec.ts";

/** Parsed flags of `bench`. */
export interface BenchFlags {
  records?: number;
  duration?: number;
  batch?: number[];
  layout?: RingLayoutId[];
  wait?: WaitStrategy[];
  split?: boolean;
  baselines?: boolean;
  idle?: boolean;
  warmup?: number;
  spinUs?: number;
  corruptConsAt?: number;
  repeat?: number;
  json?: boolean;
}

/** Runs the bench from the command table's parsed options. */
export async function run(o: Parsed<typeof BENCH>, io: Io): Promise<ExitCode> {
  await runBench(o, io);
  return EXIT.OK;
}

/**
 * Runs the bench with parsed flags, writing through `io`. Throws {@link CheckFailed} (exit 1)
 * when a record failed verification and {@link Interrupted} (exit 130) when interrupted, after
 * printing.
 *
 * @example
 * ```ts ignore
 * await runBench({ duration: 0.2, batch: [16], json: true }, denoIo());
 * ```
 */
export async function runBench(
  flags: BenchFlags,
  io: Io,
  signal?: AbortSignal,
): Promise<SuiteResult> {
  const durationMs = flags.duration !== undefined
    ? flags.duration * 1000
    : flags.records !== undefined
    ? 0
    : 1000;
  const opts: SuiteOptions = {
    records: flags.records ?? 0,
    durationMs,
    batches: flags.batch,
    layouts: flags.layout,
    waits: flags.wait,
    split: flags.split,
    baselines: flags.baselines,
    warmupMs: flags.warmup,
    spinUs: flags.spinUs,
    repeat: flags.repeat,
    corruptConsAt: flags.corruptConsAt,
  };
  const plan = planSuite(opts);
  const ac = new AbortController();
  signal?.addEventListener("abort", () => ac.abort());
  const onSignal = () => ac.abort();
  for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(sig, onSignal);
  const bar = await progressBar(io.stderrIsTerminal, "bench [{bar}] {value}/{total} {run}");
  bar?.start(plan.length * (flags.repeat ?? 1), 0, { run: plan[0]?.name ?? "" });
  let suite: SuiteResult;
  try {
    suite = await runSuite(plan, {
      signal: ac.signal,
      idle: flags.idle,
      repeat: flags.repeat,
      progress: (done, _total, run) => bar?.update(done, { run }),
    });
  } finally {
    bar?.stop();
    for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.removeSignalListener(sig, onSignal);
  }
  if (flags.json) io.out.line(JSON.stringify(benchJson(suite, opts), null, 2));
  else io.out.write(benchText(suite, io.color));
  if (suite.failures.length > 0) {
    const first = suite.failures[0];
    throw new CheckFailed(
      `bench: VERIFICATION FAILED in ${suite.failures.length} run(s); ${first.name}: ` +
        first.problems.join("; "),
    );
  }
  if (suite.interrupted) {
    throw new Interrupted("bench: interrupted; partial results above");
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
    ...BASELINES.map((b) => x(r.ratio[b])),
    ok,
  ];
}

/**
 * The human table, the idle check and the verdict.
 *
 * @example
 * ```ts ignore
 * io.stdout(benchText(suite, false)); // the padded table, no colour
 * ```
 */
export function benchText(s: SuiteResult, color: boolean): string {
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
    "vs pm",
    "vs pm-b",
    "vs rb.js",
    "verified",
  ];
  const lines = table(
    head,
    s.rows.map((r) => rowCells(r, color)),
    new Set([1, 2, 3, 4, 5, 9, 10, 11]),
  );
  const out = [...lines, ""];
  out.push(
    "rec/s and latency over the measurement window; latency = producer timestamp to consumer " +
      "read, under saturation;",
    "batch = records per index publish (producer/consumer); waits = times a side found the " +
      "ring full/empty; vs = ratio to each baseline",
  );
  for (const i of s.idle) {
    out.push(
      `idle consumer, ${i.wait}: ${i.cpuMs.toFixed(0)} ms CPU in ${i.idleMs} ms with no record ` +
        `(${(100 * i.cpuMs / i.idleMs).toFixed(0)}% of a core), ${i.consumer?.sleeps ?? 0} sleeps`,
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

function side(st: import("../../bench/types.ts").SideStats | undefined) {
  return st === undefined ? null : {
    records: st.records,
    publishes: st.publishes,
    waits: st.waits,
    spins: st.spins,
    arms: st.arms,
    sleeps: st.sleeps,
    timeouts: st.timeouts,
    notifies: st.notifies,
    fault: st.fault ?? null,
  };
}

const num = (v: number) => Number.isFinite(v) ? Math.round(v * 100) / 100 : null;

/**
 * The `--json` object: `results` has one row per configuration and baseline.
 *
 * @example
 * ```ts ignore
 * JSON.stringify(benchJson(suite, options)); // {machine, options, results, idle, ...}
 * ```
 */
export function benchJson(s: SuiteResult, o: SuiteOptions): Record<string, unknown> {
  let load: number[] | null = null;
  try {
    load = Deno.loadavg();
  } catch { /* no sys permission */ }
  return {
    machine: {
      cpus: navigator.hardwareConcurrency,
      os: `${Deno.build.os} ${Deno.build.arch}`,
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      loadavg: load,
    },
    // What the run used, defaults included; a limit not set is null, never 0.
    options: {
      records: o.records > 0 ? o.records : null,
      duration_ms: o.durationMs > 0 ? o.durationMs : null,
      warmup_ms: o.warmupMs ?? DEFAULT_WARMUP_MS,
      batches: o.batches ?? DEFAULT_BATCHES,
      layouts: o.layouts ?? RING_LAYOUTS,
      waits: o.waits ?? WAIT_STRATEGIES,
      split: o.split ?? true,
      baselines: o.baselines ?? true,
      spin_us: o.spinUs ?? DEFAULT_SPIN_US,
      spin_max_us: Math.max(o.spinUs ?? DEFAULT_SPIN_US, MAX_SPIN_US),
      repeat: o.repeat ?? 1,
    },
    verified: s.failures.length === 0 && !s.interrupted,
    interrupted: s.interrupted,
    results: s.rows.map((r) => {
      const res = r.result;
      const ring = res.spec.transport === "ring";
      return {
        name: r.name,
        transport: res.spec.transport,
        layout: ring ? res.spec.layout : null,
        indices: ring ? res.spec.placement : null,
        record_size: res.recordSize,
        batch: res.spec.batch,
        wait: ring ? res.spec.wait : res.spec.transport === "ringbuf.js" ? "spin" : "event-loop",
        records: res.consumer?.windowRecords ?? 0,
        seconds: num((res.consumer?.windowMs ?? 0) / 1000),
        records_per_s: Math.round(res.recordsPerS),
        runs: r.runs.map((v) => Math.round(v)),
        mb_per_s: num(res.mbPerS),
        latency_ns: {
          p50: num(res.latencyNs.p50),
          p99: num(res.latencyNs.p99),
          p999: num(res.latencyNs.p999),
        },
        mean_batch: {
          producer: num(res.meanBatch.producer),
          consumer: num(res.meanBatch.consumer),
        },
        producer: side(res.producer?.stats),
        consumer: side(res.consumer?.stats),
        ratio: Object.fromEntries(
          BASELINES.map((b) => [b, r.ratio[b] === undefined ? null : num(r.ratio[b]!)]),
        ),
        // ringbuf.js's best of every batch size; null for a row that is one configuration.
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
    idle: s.idle.map((i) => ({
      wait: i.wait,
      idle_ms: i.idleMs,
      cpu_ms: num(i.cpuMs),
      consumer_sleeps: i.consumer?.sleeps ?? null,
    })),
  };
}
