/**
 * The benchmark suite behind `faultscope bench`: which configurations to run, running them one
 * after the other (each in two fresh workers, or as the C reference's two threads), the ratios
 * of every ring configuration to the baselines and to its C twin measured in the same
 * invocation, the latency probes (unloaded delivery and wake-up after an idle period) and the
 * idle-CPU check of the wait strategies. No output and no CLI knowledge: the command formats
 * what this returns.
 *
 * @example
 * ```ts
 * import { planSuite, runSuite } from "./suite.ts";
 * // One ring configuration and the minimal ring, 10,000 records each: a plan that takes well
 * // under a second (`bench` runs 34 configurations for a second each).
 * const plan = planSuite({
 *   records: 10_000, durationMs: 0, batches: [64], layouts: ["dma-fault"], waits: ["spin"],
 *   split: false, baselines: true,
 * }).filter((r) => r.spec.transport === "ring" || r.spec.transport === "minimal-ring");
 * plan.map((r) => r.name); // => ["dma-fault b64 spin", "minimal-ring"]
 * const suite = await runSuite(plan, { idle: false }); // no latency probes, no idle check
 * suite.failures; // => []
 * const ring = suite.rows[0];
 * ring.ratio["minimal-ring"] === ring.result.recordsPerS / suite.rows[1].result.recordsPerS;
 * // => true: the ring's records/s over the minimal ring's, measured in the same run
 * ```
 * @module
 */
import process from "node:process";
import { DEFAULT_SPIN_US, WAIT_STRATEGIES, type WaitStrategy } from "../ring/doorbell.ts";
import { geometryName, RING_LAYOUTS, ringGeometry, type RingLayoutId } from "../ring/geometry.ts";
import { type CReference, runCReference } from "./c_reference.ts";
import { runConfig, type RunResult } from "./runner.ts";
import type { RunSpec, SideStats } from "./types.ts";

/** Baseline row names, as the JSON output names them. */
export const BASELINES = [
  "postMessage",
  "postMessage-batched",
  "ringbuf.js",
  "minimal-ring",
] as const;
/** A baseline's name. */
export type BaselineName = typeof BASELINES[number];
/** What a row's ratios are to: each baseline, and the C reference twin of a ring row. */
export type RatioKey = BaselineName | "c-reference";
/** Ratio keys in presentation order. */
export const RATIO_KEYS: readonly RatioKey[] = [...BASELINES, "c-reference"];

/** Batch sizes swept by default. */
export const DEFAULT_BATCHES: readonly number[] = [1, 16, 64, 256];
/** Warm-up per configuration by default, in ms. */
export const DEFAULT_WARMUP_MS = 200;

/** Latency probes: one record every `gapUs`, `records` of them. */
export const LATENCY_PROBES = {
  /** Unloaded one-way delivery: gaps shorter than the smallest spin budget, so nobody sleeps. */
  paced: { gapUs: 10, records: 20_000 },
  /** Wake-up after an idle period: gaps far beyond the largest spin budget (spin-wait sleeps). */
  "wake-up": { gapUs: 10_000, records: 40 },
} as const;
/** A latency probe's kind. */
export type ProbeKind = keyof typeof LATENCY_PROBES;

/** What to run. */
export interface SuiteOptions {
  /** Records per configuration (0: no limit, run for the duration). */
  readonly records: number;
  /** Measurement time per configuration in ms (0: no limit, run until `records`). */
  readonly durationMs: number;
  /** Producer batch sizes. */
  readonly batches?: readonly number[];
  /** Region layouts of the ring. */
  readonly layouts?: readonly RingLayoutId[];
  /** Wait strategies of the ring. */
  readonly waits?: readonly WaitStrategy[];
  /** Also run each layout with its indices on separate cache lines (default true). */
  readonly split?: boolean;
  /** Run the baselines (default true). */
  readonly baselines?: boolean;
  /** Run the C reference twin of every ring configuration (default false). */
  readonly cReference?: boolean;
  /** Warm-up before each measurement window, in ms. */
  readonly warmupMs?: number;
  /** spin-wait: the first and smallest spin budget, in µs. */
  readonly spinUs?: number;
  /** Runs of each configuration; rows show the median by records/s (default 1). */
  readonly repeat?: number;
  /** Self-test: every ring consumer publishes a bogus index after this many records. */
  readonly corruptConsAt?: number;
}

/** One configuration of the plan, with its row name. */
export interface PlannedRun {
  /** Row name. */
  readonly name: string;
  /** What to run. */
  readonly spec: RunSpec;
  /** Baseline this run measures, if it is one (swept ones are run at every batch size). */
  readonly baseline?: BaselineName;
  /** For a C reference run: the name of the ring row it mirrors. */
  readonly twinOf?: string;
}

/** A result row: one ring configuration, its C twin, or the best run of a baseline. */
export interface SuiteRow {
  /** Row name. */
  readonly name: string;
  /** Baseline this row is, if it is one. */
  readonly baseline?: BaselineName;
  /** For a C reference row: the ring row it mirrors. */
  readonly twinOf?: string;
  /** The run shown (the median of the repeats). */
  readonly result: RunResult;
  /** This row's records/s over each baseline's (and a ring row's over its C twin's). */
  readonly ratio: Partial<Record<RatioKey, number>>;
  /** Records/s of every repeat of this configuration (the row is the median one). */
  readonly runs: readonly number[];
  /** For a swept baseline: records/s at each batch size tried. */
  readonly sweep?: readonly { readonly batch: number; readonly recordsPerS: number }[];
}

/** One latency probe of one wait strategy, for the ring and (when built) the C reference. */
export interface LatencyProbe {
  /** Unloaded delivery (`paced`) or the first record after an idle period (`wake-up`). */
  readonly kind: ProbeKind;
  /** Wait strategy of the consumer. */
  readonly wait: WaitStrategy;
  /** Time between records, in µs. */
  readonly gapUs: number;
  /** The fault ring's run. */
  readonly ring: RunResult;
  /** The C reference's run (undefined without one). */
  readonly c: RunResult | undefined;
}

/** The figures the targets are stated in, from the rows of one run. */
export interface Headline {
  /** The batched (batch > 1) ring row with the most records/s. */
  readonly best: SuiteRow | undefined;
  /** Its records/s over the minimal ring's (best batch). */
  readonly vsMinimalRing: number | undefined;
  /** Its records/s over its C twin's. */
  readonly vsCReference: number | undefined;
  /** Best batched row per layout. */
  readonly bestPerLayout: Partial<Record<RingLayoutId, SuiteRow>>;
  /** Best batched dma-fault records/s over best batched rfc3 records/s. */
  readonly dmaFaultVsRfc3: number | undefined;
}

/** Everything the suite measured. */
export interface SuiteResult {
  /** One row per configuration and baseline. */
  readonly rows: readonly SuiteRow[];
  /** The figures the targets are stated in. */
  readonly headline: Headline;
  /** Latency probes (empty if skipped or interrupted first). */
  readonly latency: readonly LatencyProbe[];
  /** Idle-CPU check of each wait strategy (empty if skipped or interrupted first). */
  readonly idle: readonly IdleResult[];
  /** Runs that did not verify, with their problems. */
  readonly failures: readonly { readonly name: string; readonly problems: readonly string[] }[];
  /** The suite was stopped before it finished. */
  readonly interrupted: boolean;
}

/** CPU a consumer burns while no record arrives. */
export interface IdleResult {
  /** Wait strategy of the idle consumer. */
  readonly wait: WaitStrategy;
  /** Wall time the consumer had nothing to read. */
  readonly idleMs: number;
  /** CPU time of the whole process meanwhile (both workers and the main thread). */
  readonly cpuMs: number;
  /** The idle consumer's counters. */
  readonly consumer: SideStats | undefined;
}

/** Row name of a ring configuration, e.g. `dma-fault b16 spin` or `rfc3/split b1 spin-wait`. */
function ringName(spec: RunSpec): string {
  const g = ringGeometry(spec.layout, { placement: spec.placement });
  return `${geometryName(g)} b${spec.batch} ${spec.wait}`;
}

/**
 * The configurations to run: every layout x batch x wait strategy, each layout with split
 * indices (busy spin: the layout question is about cache lines, not about sleeping), each
 * followed by its C twin when asked, then the baselines on 64-byte records: postMessage per
 * record, postMessage of the largest batch, and ringbuf.js and the minimal ring at every batch
 * size (the best is kept).
 *
 * @example
 * ```ts
 * import { planSuite } from "./suite.ts";
 * planSuite({ records: 0, durationMs: 1000 }).length; // => 34: 24 ring + 10 baseline
 * ```
 */
export function planSuite(o: SuiteOptions): PlannedRun[] {
  const batches = o.batches ?? DEFAULT_BATCHES;
  const base = {
    records: o.records,
    durationMs: o.durationMs,
    warmupMs: o.warmupMs ?? DEFAULT_WARMUP_MS,
    spinUs: o.spinUs ?? DEFAULT_SPIN_US,
  };
  const plan: PlannedRun[] = [];
  const ring = (spec: RunSpec) => {
    const name = ringName(spec);
    plan.push({ name, spec: { ...spec, corruptConsAt: o.corruptConsAt } });
    if (o.cReference) {
      plan.push({ name: `C11 ${name}`, spec: { ...spec, transport: "c-reference" }, twinOf: name });
    }
  };
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
    for (const t of ["ringbuf.js", "minimal-ring"] as const) {
      for (const batch of batches) {
        plan.push({ name: t, baseline: t, spec: { ...b, transport: t, batch, wait: "spin" } });
      }
    }
  }
  return plan;
}

/** Progress callback: `done` of `total` runs finished, `name` is the one starting. */
export type Progress = (done: number, total: number, name: string) => void;

/** Options of {@link runSuite}. */
export interface RunSuiteOptions {
  /** Aborting stops the suite, keeping what it measured. */
  readonly signal?: AbortSignal;
  /** Told when each run starts. */
  readonly progress?: Progress;
  /** Run the latency probes and the idle-CPU check (default true). */
  readonly idle?: boolean;
  /** Rounds of the plan (default 1). */
  readonly repeat?: number;
  /** The built C reference, for `c-reference` runs and probes. */
  readonly c?: CReference;
  /** Spin budget of the probes (as the plan's). */
  readonly spinUs?: number;
  /** Wait strategies of the latency probes (default both). */
  readonly waits?: readonly WaitStrategy[];
  /** Called once the first run's workers are going (a readiness signal for tests). */
  readonly onFirstRun?: () => void;
}

async function runOne(
  spec: RunSpec,
  o: RunSuiteOptions,
  onStart?: () => void,
): Promise<RunResult> {
  if (spec.transport === "c-reference") {
    if (o.c === undefined || !o.c.ok) throw new Error("a C reference run without a C reference");
    onStart?.();
    return await runCReference(o.c, spec, o.signal);
  }
  return await runConfig(spec, { signal: o.signal, onStart });
}

/**
 * Runs the plan `repeat` times, round after round (so a burst of load from elsewhere hits one
 * repeat of many configurations rather than every repeat of one), and keeps each
 * configuration's median run. Every run is verified. Stops early, keeping what it has, when
 * `signal` aborts. C reference runs are skipped when `c` is missing or could not be built.
 *
 * @example
 * ```ts
 * import { planSuite, runSuite } from "./suite.ts";
 * // One ring configuration and the minimal ring, 10,000 records each: a plan that takes well
 * // under a second (`bench` runs 34 configurations for a second each).
 * const plan = planSuite({
 *   records: 10_000, durationMs: 0, batches: [64], layouts: ["dma-fault"], waits: ["spin"],
 *   split: false, baselines: true,
 * }).filter((r) => r.spec.transport === "ring" || r.spec.transport === "minimal-ring");
 * const s = await runSuite(plan, { repeat: 3, idle: false });
 * s.failures.length; // => 0: every run verified
 * s.rows.map((r) => r.runs.length); // => [3, 3]: each row is the median of its 3 runs
 * ```
 */
export async function runSuite(
  plan0: readonly PlannedRun[],
  opts: RunSuiteOptions = {},
): Promise<SuiteResult> {
  const hasC = opts.c?.ok === true;
  const plan = hasC ? plan0 : plan0.filter((r) => r.spec.transport !== "c-reference");
  const repeat = Math.max(1, opts.repeat ?? 1);
  const results: RunResult[][] = plan.map(() => []);
  const all: { run: PlannedRun; result: RunResult }[] = [];
  const total = plan.length * repeat;
  let interrupted = false;
  let first = opts.onFirstRun;
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
      const result = await runOne(run.spec, opts, first);
      first = undefined;
      results[i].push(result);
      all.push({ run, result });
      if (result.interrupted) {
        interrupted = true;
        break rounds;
      }
    }
  }
  const latency: LatencyProbe[] = [];
  const idle: IdleResult[] = [];
  if (!interrupted && (opts.idle ?? true)) {
    probes: for (const wait of opts.waits ?? WAIT_STRATEGIES) {
      for (const kind of Object.keys(LATENCY_PROBES) as ProbeKind[]) {
        if (opts.signal?.aborted) break probes;
        opts.progress?.(total, total, `latency ${kind} ${wait}`);
        const p = await probe(kind, wait, opts);
        latency.push(p);
        all.push({ run: { name: `latency ${kind} ${wait}`, spec: p.ring.spec }, result: p.ring });
        if (p.c) {
          all.push({ run: { name: `C11 latency ${kind} ${wait}`, spec: p.c.spec }, result: p.c });
        }
        if (p.ring.interrupted || p.c?.interrupted) break probes;
      }
    }
    for (const wait of WAIT_STRATEGIES) {
      if (opts.signal?.aborted) break;
      opts.progress?.(total, total, `idle ${wait}`);
      idle.push(await measureIdle(wait, opts.signal));
    }
    if (opts.signal?.aborted) interrupted = true;
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
  const { rows, failures } = summarise(median, all);
  return { rows, headline: headline(rows), latency, idle, failures, interrupted };
}

/**
 * One latency probe: the producer publishes one record every `gapUs` on the dma-fault ring;
 * the consumer waits with `wait`. Run for the ring and, when built, the C reference.
 *
 * @example
 * ```ts
 * import { LATENCY_PROBES, probe } from "./suite.ts";
 * LATENCY_PROBES.paced; // => { gapUs: 10, records: 20000 }: 0.2 s
 * const p = await probe("paced", "spin", {});
 * p.ring.verified; // => true
 * p.ring.latencyNs.p50 > 0; // => true: ns from publish to read (this machine's)
 * p.c; // => undefined: no C reference was given
 * ```
 */
export async function probe(
  kind: ProbeKind,
  wait: WaitStrategy,
  opts: RunSuiteOptions,
): Promise<LatencyProbe> {
  const { gapUs, records } = LATENCY_PROBES[kind];
  const spec: RunSpec = {
    transport: "ring",
    layout: "dma-fault",
    placement: "region",
    batch: 1,
    wait,
    records,
    durationMs: 0,
    // The window opens after the first fifth of the records (cold caches, JIT), not by time.
    warmupMs: 600_000,
    spinUs: opts.spinUs ?? DEFAULT_SPIN_US,
    producerPauseUs: gapUs,
    // A sleeping side wakes by itself after this: longer than any gap, so it is the doorbell.
    sleepMs: 1000,
  };
  const ring = await runConfig(spec, { signal: opts.signal });
  const c = opts.c?.ok && !ring.interrupted
    ? await runCReference(opts.c, { ...spec, transport: "c-reference" }, opts.signal)
    : undefined;
  return { kind, wait, gapUs, ring, c };
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
  const twins = new Map<string, RunResult>();
  for (const { run, result } of done) if (run.twinOf) twins.set(run.twinOf, result);
  const ratio = (r: RunResult, name?: string) => {
    const out: Partial<Record<RatioKey, number>> = {};
    for (const [n, b] of best) {
      if (b.result.recordsPerS > 0) out[n] = r.recordsPerS / b.result.recordsPerS;
    }
    const twin = name === undefined ? undefined : twins.get(name);
    if (twin !== undefined && twin.recordsPerS > 0) {
      out["c-reference"] = r.recordsPerS / twin.recordsPerS;
    }
    return out;
  };
  const rows: SuiteRow[] = [];
  for (const { run, result, runs } of done) {
    if (run.baseline !== undefined) continue;
    rows.push({
      name: run.name,
      twinOf: run.twinOf,
      result,
      runs,
      ratio: ratio(result, run.twinOf === undefined ? run.name : undefined),
    });
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
      sweep: b.sweep.length > 1 ? b.sweep : undefined,
    });
  }
  // Every run is verified (each repeat, swept baselines at every batch size, the probes), not
  // only the rows.
  const failures = all.filter((d) => !d.result.verified && !d.result.interrupted).map((d) => ({
    name: d.run.baseline ? `${d.run.name} b${d.run.spec.batch}` : d.run.name,
    problems: d.result.problems,
  }));
  return { rows, failures };
}

/**
 * The headline figures of a suite's rows: the best batched ring configuration and its ratios to
 * the minimal ring and its C twin, and the best dma-fault row over the best rfc3 row.
 *
 * @example
 * ```ts
 * import { headline, planSuite, runSuite } from "./suite.ts";
 * // One ring configuration and the minimal ring, 10,000 records each: a plan that takes well
 * // under a second (`bench` runs 34 configurations for a second each).
 * const plan = planSuite({
 *   records: 10_000, durationMs: 0, batches: [64], layouts: ["dma-fault"], waits: ["spin"],
 *   split: false, baselines: true,
 * }).filter((r) => r.spec.transport === "ring" || r.spec.transport === "minimal-ring");
 * const { rows } = await runSuite(plan, { idle: false });
 * const h = headline(rows);
 * h.best?.name; // => "dma-fault b64 spin": the only batched ring row here
 * h.vsMinimalRing === rows[0].ratio["minimal-ring"]; // => true (about 1 on most machines)
 * [h.vsCReference, h.dmaFaultVsRfc3]; // => [undefined, undefined]: no C twin, no rfc3 row
 * ```
 */
export function headline(rows: readonly SuiteRow[]): Headline {
  const ringRows = rows.filter((r) =>
    r.result.spec.transport === "ring" && r.result.spec.batch > 1 && r.result.verified
  );
  const bestOf = (rs: readonly SuiteRow[]) =>
    rs.reduce<SuiteRow | undefined>(
      (a, r) => a === undefined || r.result.recordsPerS > a.result.recordsPerS ? r : a,
      undefined,
    );
  const best = bestOf(ringRows);
  const bestPerLayout: Partial<Record<RingLayoutId, SuiteRow>> = {};
  for (const layout of RING_LAYOUTS) {
    const b = bestOf(ringRows.filter((r) => r.result.spec.layout === layout));
    if (b !== undefined) bestPerLayout[layout] = b;
  }
  const d = bestPerLayout["dma-fault"]?.result.recordsPerS;
  const r3 = bestPerLayout.rfc3?.result.recordsPerS;
  return {
    best,
    vsMinimalRing: best?.ratio["minimal-ring"],
    vsCReference: best?.ratio["c-reference"],
    bestPerLayout,
    dmaFaultVsRfc3: d !== undefined && r3 !== undefined && r3 > 0 ? d / r3 : undefined,
  };
}

/**
 * Idle check: a spin-wait or busy-spin consumer while the producer publishes one record every
 * 200 ms, sleeping in between. The process CPU time is sampled over a 500 ms window in the
 * middle of the run (after worker start-up, which costs CPU of its own): a busy-spin consumer
 * burns a whole core there, a spin-wait one should sleep.
 *
 * @example
 * ```ts
 * import { measureIdle } from "./suite.ts";
 * const idle = await measureIdle("spin-wait"); // about 1 s: 5 records, 200 ms apart
 * idle.idleMs > 0; // => true
 * idle.consumer?.sleeps !== 0; // => true: a spin-wait consumer sleeps; cpuMs is a few ms
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
