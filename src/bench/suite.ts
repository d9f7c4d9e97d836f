/**
 * The benchmark suite behind `faultscope bench`: which configurations to run, running them one
 * after the other (each in two fresh workers), the ratios of every ring configuration to the
 * baselines measured in the same invocation, and the idle-CPU check of the wait strategies.
 * No output and no CLI knowledge: the command formats what this returns.
 *
 * @example
 * ```ts ignore
 * import { planSuite, runSuite } from "./suite.ts";
 * const suite = await runSuite(planSuite({ durationMs: 500, records: 0 }));
 * suite.rows.find((r) => r.name === "ringbuf.js")?.recordsPerS;
 * ```
 * @module
 */
import process from "node:process";
import { runConfig, type RunResult } from "./runner.ts";
import type { RunSpec, SideStats } from "./types.ts";
import { WAIT_STRATEGIES, type WaitStrategy } from "../ring/doorbell.ts";
import { geometryName, RING_LAYOUTS, ringGeometry, type RingLayoutId } from "../ring/geometry.ts";

/** Warm-up before each configuration's measurement window, in ms, unless told otherwise. */
export const DEFAULT_WARMUP_MS = 200;

/** Baseline row names, as the JSON output names them. */
export const BASELINES = ["postMessage", "postMessage-batched", "ringbuf.js"] as const;
/** A baseline's name. */
export type BaselineName = typeof BASELINES[number];

/** Batch sizes swept by default. */
export const DEFAULT_BATCHES: readonly number[] = [1, 16, 256];

/** What to run. */
export interface SuiteOptions {
  /** Records per configuration (0: no limit, run for the duration). */
  readonly records: number;
  /** Measurement time per configuration in ms (0: no limit, run until `records`). */
  readonly durationMs: number;
  readonly batches?: readonly number[];
  readonly layouts?: readonly RingLayoutId[];
  readonly waits?: readonly WaitStrategy[];
  /** Also run each layout with its indices on separate cache lines (default true). */
  readonly split?: boolean;
  /** Run the baselines (default true). */
  readonly baselines?: boolean;
  readonly warmupMs?: number;
  readonly spinUs?: number;
  /** Runs of each configuration; rows show the median by records/s (default 1). */
  readonly repeat?: number;
  /** Self-test: every ring consumer publishes a bogus index after this many records. */
  readonly corruptConsAt?: number;
}

/** One configuration of the plan, with its row name. */
export interface PlannedRun {
  readonly name: string;
  readonly spec: RunSpec;
  /** Baseline this run measures, if it is one (ringbuf.js is run at every batch size). */
  readonly baseline?: BaselineName;
}

/** A result row: one ring configuration, or the best run of a baseline. */
export interface SuiteRow {
  readonly name: string;
  readonly baseline?: BaselineName;
  readonly result: RunResult;
  /** This row's records/s over each baseline's (undefined when the baseline was not run). */
  readonly ratio: Partial<Record<BaselineName, number>>;
  /** Records/s of every repeat of this configuration (the row is the median one). */
  readonly runs: readonly number[];
  /** For ringbuf.js: records/s at each batch size tried. */
  readonly sweep?: readonly { readonly batch: number; readonly recordsPerS: number }[];
}

/** Everything the suite measured. */
export interface SuiteResult {
  readonly rows: readonly SuiteRow[];
  /** Idle-CPU check of each wait strategy (empty if interrupted first). */
  readonly idle: readonly IdleResult[];
  /** Runs that did not verify, with their problems. */
  readonly failures: readonly { readonly name: string; readonly problems: readonly string[] }[];
  readonly interrupted: boolean;
}

/** CPU a consumer burns while no record arrives. */
export interface IdleResult {
  readonly wait: WaitStrategy;
  /** Wall time the consumer had nothing to read. */
  readonly idleMs: number;
  /** CPU time of the whole process meanwhile (both workers and the main thread). */
  readonly cpuMs: number;
  readonly consumer: SideStats | undefined;
}

/** Row name of a ring configuration, e.g. `dma-fault b16 spin` or `rfc3/split b1 spin-wait`. */
function ringName(spec: RunSpec): string {
  const g = ringGeometry(spec.layout, { placement: spec.placement });
  return `${geometryName(g)} b${spec.batch} ${spec.wait}`;
}

/**
 * The configurations to run: every layout x batch x wait strategy, each layout with split
 * indices (busy spin: the layout question is about cache lines, not about sleeping), then the
 * baselines on the dma-fault records: postMessage per record, postMessage of the largest
 * batch, and ringbuf.js at every batch size (the best is kept).
 *
 * @example
 * ```ts ignore
 * planSuite({ records: 0, durationMs: 1000 }).length; // 23 runs: 18 ring + 5 baseline
 * ```
 */
export function planSuite(o: SuiteOptions): PlannedRun[] {
  const batches = o.batches ?? DEFAULT_BATCHES;
  const base = {
    records: o.records,
    durationMs: o.durationMs,
    warmupMs: o.warmupMs ?? DEFAULT_WARMUP_MS,
    spinUs: o.spinUs,
  };
  const plan: PlannedRun[] = [];
  const ring = (spec: RunSpec) =>
    plan.push({ name: ringName(spec), spec: { ...spec, corruptConsAt: o.corruptConsAt } });
  for (const layout of o.layouts ?? RING_LAYOUTS) {
    for (const wait of o.waits ?? WAIT_STRATEGIES) {
      for (const batch of batches) {
        ring({ ...base, transport: "ring", layout, placement: "region", batch, wait });
      }
    }
    if (o.split ?? true) {
      for (const batch of batches) {
        ring({ ...base, transport: "ring", layout, placement: "split", batch, wait: "spin" });
      }
    }
  }
  if (o.baselines ?? true) {
    const b = { ...base, layout: "dma-fault" as const, placement: "region" as const };
    const big = Math.max(...batches);
    plan.push({
      name: "postMessage",
      baseline: "postMessage",
      spec: { ...b, transport: "postMessage", batch: 1, wait: "spin" },
    });
    plan.push({
      name: "postMessage-batched",
      baseline: "postMessage-batched",
      spec: { ...b, transport: "postMessage-batched", batch: big, wait: "spin" },
    });
    for (const batch of batches) {
      plan.push({
        name: "ringbuf.js",
        baseline: "ringbuf.js",
        spec: { ...b, transport: "ringbuf.js", batch, wait: "spin" },
      });
    }
  }
  return plan;
}

/** Progress callback: `done` of `total` runs finished, `name` is the one starting. */
export type Progress = (done: number, total: number, name: string) => void;

/**
 * Runs the plan `repeat` times, round after round (so a burst of load from elsewhere hits one
 * repeat of many configurations rather than every repeat of one), and keeps each
 * configuration's median run. Every run is verified. Stops early, keeping what it has, when
 * `signal` aborts.
 *
 * @example
 * ```ts ignore
 * const s = await runSuite(planSuite({ records: 100_000, durationMs: 0 }), { repeat: 3 });
 * s.failures.length; // 0 when every run verified
 * ```
 */
export async function runSuite(
  plan: readonly PlannedRun[],
  opts: { signal?: AbortSignal; progress?: Progress; idle?: boolean; repeat?: number } = {},
): Promise<SuiteResult> {
  const repeat = Math.max(1, opts.repeat ?? 1);
  const results: RunResult[][] = plan.map(() => []);
  const all: { run: PlannedRun; result: RunResult }[] = [];
  const total = plan.length * repeat;
  let interrupted = false;
  rounds: for (let round = 0; round < repeat; round++) {
    for (let i = 0; i < plan.length; i++) {
      const run = plan[i];
      if (opts.signal?.aborted) {
        interrupted = true;
        break rounds;
      }
      opts.progress?.(
        all.length,
        total,
        repeat > 1 ? `${run.name} (${round + 1}/${repeat})` : run.name,
      );
      const result = await runConfig(run.spec, { signal: opts.signal });
      results[i].push(result);
      all.push({ run, result });
      if (result.interrupted) {
        interrupted = true;
        break rounds;
      }
    }
  }
  const idle: IdleResult[] = [];
  if (!interrupted && (opts.idle ?? true)) {
    for (const wait of WAIT_STRATEGIES) {
      if (opts.signal?.aborted) break;
      opts.progress?.(total, total, `idle ${wait}`);
      idle.push(await measureIdle(wait, opts.signal));
    }
  }
  opts.progress?.(total, total, "");
  const median = plan.flatMap((run, i) => {
    const rs = results[i];
    if (rs.length === 0) return [];
    const sorted = [...rs].sort((a, b) => a.recordsPerS - b.recordsPerS);
    // An interrupted run is partial: show it rather than hide it among complete ones.
    const result = rs.find((r) => r.interrupted) ?? sorted[(sorted.length - 1) >> 1];
    return [{ run, result, runs: rs.map((r) => r.recordsPerS) }];
  });
  return { ...summarise(median, all), idle, interrupted };
}

function summarise(
  done: readonly { run: PlannedRun; result: RunResult; runs: number[] }[],
  all: readonly { run: PlannedRun; result: RunResult }[],
) {
  const best = new Map<
    BaselineName,
    { result: RunResult; runs: number[]; sweep: { batch: number; recordsPerS: number }[] }
  >();
  for (const { run, result, runs } of done) {
    if (run.baseline === undefined) continue;
    const b = best.get(run.baseline);
    const point = { batch: run.spec.batch, recordsPerS: result.recordsPerS };
    if (b === undefined) best.set(run.baseline, { result, runs, sweep: [point] });
    else {
      b.sweep.push(point);
      if (result.recordsPerS > b.result.recordsPerS) {
        b.result = result;
        b.runs = runs;
      }
    }
  }
  const ratio = (r: RunResult) => {
    const out: Partial<Record<BaselineName, number>> = {};
    for (const [name, b] of best) {
      if (b.result.recordsPerS > 0) out[name] = r.recordsPerS / b.result.recordsPerS;
    }
    return out;
  };
  const rows: SuiteRow[] = [];
  for (const { run, result, runs } of done) {
    if (run.baseline === undefined) {
      rows.push({ name: run.name, result, runs, ratio: ratio(result) });
    }
  }
  for (const name of BASELINES) {
    const b = best.get(name);
    if (b === undefined) continue;
    rows.push({
      name,
      baseline: name,
      result: b.result,
      runs: b.runs,
      ratio: ratio(b.result),
      sweep: name === "ringbuf.js" ? b.sweep : undefined,
    });
  }
  // Every run is verified (each repeat, and baselines at every batch size), not only the rows.
  const failures = all.filter((d) => !d.result.verified && !d.result.interrupted).map((d) => ({
    name: d.run.baseline ? `${d.run.name} b${d.run.spec.batch}` : d.run.name,
    problems: d.result.problems,
  }));
  return { rows, failures };
}

/**
 * Idle check: a spin-wait or busy-spin consumer while the producer publishes one record every
 * 200 ms, sleeping in between. The process CPU time is sampled over a 500 ms window in the
 * middle of the run (after worker start-up, which costs CPU of its own): a busy-spin consumer
 * burns a whole core there, a spin-wait one should sleep.
 *
 * @example
 * ```ts ignore
 * (await measureIdle("spin-wait")).cpuMs; // a few ms in a 500 ms window
 * ```
 */
export async function measureIdle(wait: WaitStrategy, signal?: AbortSignal): Promise<IdleResult> {
  const spec: RunSpec = {
    transport: "ring",
    layout: "dma-fault",
    placement: "region",
    batch: 1,
    wait,
    records: 5,
    durationMs: 0,
    producerPauseUs: 200_000,
    sleepMs: 1000,
  };
  const from = 300, to = 800;
  let cpu0 = process.cpuUsage();
  let cpuMs = NaN;
  const t0 = setTimeout(() => (cpu0 = process.cpuUsage()), from);
  const t1 = setTimeout(() => {
    const d = process.cpuUsage(cpu0);
    cpuMs = (d.user + d.system) / 1000;
  }, to);
  const r = await runConfig(spec, { signal });
  clearTimeout(t0);
  clearTimeout(t1);
  return { wait, idleMs: to - from, cpuMs, consumer: r.consumer?.stats };
}
