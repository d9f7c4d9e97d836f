/**
 * Runs one configuration: builds the shared buffers, starts a producer worker and a consumer
 * worker, lets them go at the same instant, and collects both reports into a {@link RunResult}
 * with the derived figures (records/s over the measurement window, latency percentiles, mean
 * batch sizes) and the verdict of the verifier.
 *
 * An abort (Ctrl-C) or a timeout sets the control block's STOP flag and wakes both sides; each
 * side then reports what it did so far. Workers are always terminated before this returns.
 *
 * @example
 * ```ts
 * import { runConfig } from "./runner.ts";
 * const r = await runConfig({
 *   transport: "ring", layout: "dma-fault", placement: "region", batch: 256, wait: "spin",
 *   records: 10_000, durationMs: 0,
 * });
 * r.verified; // => true
 * [r.lost, r.torn, r.recordSize]; // => [0, 0, 64]
 * r.recordsPerS > 0; // => true: the figure `bench` reports (this machine's, not shown here)
 * ```
 * @module
 */
import { MINIMAL_RECORD, minimalRegion } from "./minimal_ring.ts";
import { ringbufStorage } from "./ringbuf_side.ts";
import type { ConsumerReport, ProducerReport, RunSpec, WorkerOrder, WorkerReply } from "./types.ts";
import { createControl, CTL, wakeAll } from "./control.ts";
import { ringGeometry } from "../ring/geometry.ts";
import { LatencyHistogram } from "../stats/histogram.ts";
import { BenchRecordCodec } from "./record.ts";
import { createRingBuffer } from "../ring/region.ts";

/** Options of {@link runConfig}. */
export interface RunOptions {
  /** Aborting stops both sides and returns what they did (`interrupted: true`). */
  readonly signal?: AbortSignal;
  /**
   * Stops the run after this long (a hung side is then a failure, not a hang). By default a
   * timed run gets its duration plus warm-up plus 30 s, and a run of fixed record count none
   * (a long soak must not be cut short).
   */
  readonly timeoutMs?: number;
  /** The ring buffer to use instead of a fresh one (tests inspect it afterwards). */
  readonly sab?: SharedArrayBuffer;
  /** Called once both workers are set up and have been let go. */
  readonly onStart?: () => void;
}

/** A finished (or interrupted) run, with its derived figures. */
export interface RunResult {
  /** The configuration that ran. */
  readonly spec: RunSpec;
  /** The producer's report (undefined if it never reported). */
  readonly producer: ProducerReport | undefined;
  /** The consumer's report (undefined if it never reported). */
  readonly consumer: ConsumerReport | undefined;
  /** Bytes per record moved. */
  readonly recordSize: number;
  /** Records per second over the measurement window (0 without one). */
  readonly recordsPerS: number;
  /** Megabytes (10^6) per second over the measurement window. */
  readonly mbPerS: number;
  /** Delivery latency percentiles and maximum in ns (NaN without samples). */
  readonly latencyNs: {
    readonly p50: number;
    readonly p99: number;
    readonly p999: number;
    readonly max: number;
  };
  /** Records per publish, each side. */
  readonly meanBatch: { readonly producer: number; readonly consumer: number };
  /** Every record published arrived once, in order, intact, and no side stopped on a fault. */
  readonly verified: boolean;
  /** Records published but lost, duplicated/reordered, or torn (see Verification). */
  readonly lost: number;
  /** Records that arrived again or out of order. */
  readonly duplicatedOrReordered: number;
  /** Records that failed their check. */
  readonly torn: number;
  /** Why the run is not verified, or why a side stopped; empty when all is well. */
  readonly problems: readonly string[];
  /** The run was stopped by the signal or the timeout before it finished. */
  readonly interrupted: boolean;
  /** The ring buffer the run used (ring transport). */
  readonly sab: SharedArrayBuffer | undefined;
}

const WORKER_URL = new URL("./worker.ts", import.meta.url);
/** How long stopped workers get to report before they are terminated. */
const GRACE_MS = 1000;

function bufferFor(spec: RunSpec, given?: SharedArrayBuffer): SharedArrayBuffer | undefined {
  if (given !== undefined) return given;
  if (spec.transport === "ring") {
    return createRingBuffer(ringGeometry(spec.layout, { placement: spec.placement }));
  }
  if (spec.transport === "ringbuf.js") {
    // The same usable capacity as the dma-fault ring: nb_entries - 1 records.
    return ringbufStorage(ringGeometry("dma-fault").capacity - 1);
  }
  if (spec.transport === "minimal-ring") return minimalRegion();
  return undefined;
}

/**
 * Runs one configuration in two fresh workers.
 *
 * @example
 * ```ts
 * import { runConfig } from "./runner.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "minimal-ring", layout: "dma-fault", placement: "region", batch: 64,
 *   wait: "spin", records: 10_000, durationMs: 0,
 * };
 * const r = await runConfig(spec, { signal: AbortSignal.timeout(60_000) }); // a hung side: stopped
 * r.verified; // => true
 * [r.problems, r.interrupted]; // => [[], false]
 * ```
 */
export async function runConfig(spec: RunSpec, opts: RunOptions = {}): Promise<RunResult> {
  const control = createControl();
  const sab = bufferFor(spec, opts.sab);
  const epoch = performance.timeOrigin;
  const workers = [0, 1].map(() => new Worker(WORKER_URL, { type: "module" }));
  const replies = workers.map((w) =>
    new Promise<WorkerReply>((resolve) => {
      w.onmessage = (e: MessageEvent<WorkerReply>) => resolve(e.data);
      w.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        resolve({ type: "error", message: e.message });
      };
    })
  );
  let interrupted = false;
  const stop = () => {
    interrupted = true;
    Atomics.store(control, CTL.STOP, 1);
    wakeAll(control);
  };
  const onAbort = () => stop();
  opts.signal?.addEventListener("abort", onAbort);
  const limit = opts.timeoutMs ??
    (spec.durationMs > 0 ? spec.durationMs + (spec.warmupMs ?? 0) + 30_000 : undefined);
  const timer = limit === undefined ? undefined : setTimeout(stop, limit);
  try {
    const base = { spec, sab, control: control.buffer as SharedArrayBuffer, epoch };
    if (spec.transport === "postMessage" || spec.transport === "postMessage-batched") {
      const ch = new MessageChannel();
      workers[0].postMessage({ ...base, role: "producer", port: ch.port1 } satisfies WorkerOrder, [
        ch.port1,
      ]);
      workers[1].postMessage({ ...base, role: "consumer", port: ch.port2 } satisfies WorkerOrder, [
        ch.port2,
      ]);
    } else {
      workers[0].postMessage({ ...base, role: "producer" } satisfies WorkerOrder);
      workers[1].postMessage({ ...base, role: "consumer" } satisfies WorkerOrder);
    }
    // Start both sides together, once both are set up (module load, JIT-cold setup).
    while (Atomics.load(control, CTL.READY) < 2 && !interrupted) {
      await new Promise((r) => setTimeout(r, 1));
    }
    if (opts.signal?.aborted) stop();
    Atomics.store(control, CTL.GO, 1);
    Atomics.notify(control, CTL.GO);
    opts.onStart?.();
    const all = Promise.all(replies);
    let got: WorkerReply[] | undefined = await Promise.race([
      all,
      new Promise<undefined>((r) => {
        // After a stop, give the sides a grace period to report.
        const check = setInterval(() => {
          if (interrupted) {
            clearInterval(check);
            setTimeout(() => r(undefined), GRACE_MS);
          }
        }, 10);
        all.finally(() => clearInterval(check));
      }),
    ]);
    if (got === undefined) {
      got = await Promise.race([all, Promise.resolve(undefined)]) ?? [];
    }
    return summarise(spec, got, interrupted, sab);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
    for (const w of workers) w.terminate();
  }
}

function summarise(
  spec: RunSpec,
  replies: readonly WorkerReply[],
  interrupted: boolean,
  sab: SharedArrayBuffer | undefined,
): RunResult {
  const problems: string[] = [];
  let producer: ProducerReport | undefined;
  let consumer: ConsumerReport | undefined;
  for (const r of replies) {
    if (r.type === "producer") producer = r.report;
    else if (r.type === "consumer") consumer = r.report;
    else problems.push(`worker failed: ${r.message}`);
  }
  const abi = spec.transport === "ring" ? ringGeometry(spec.layout).abi : "mainline";
  const recordSize = spec.transport === "minimal-ring"
    ? MINIMAL_RECORD
    : new BenchRecordCodec(abi === "rfc3" ? "rfc3" : "mainline").size;
  const hist = consumer ? LatencyHistogram.from(consumer.latency) : new LatencyHistogram();
  const v = consumer?.verify;
  // Records published that the consumer never reached count as lost.
  const unread = producer && consumer ? Math.max(0, producer.stats.records - consumer.nextSeq) : 0;
  const lost = (v?.lost ?? 0) + unread;
  const dup = v?.duplicatedOrReordered ?? 0;
  const torn = v?.torn ?? 0;
  if (producer === undefined) problems.push("the producer did not report");
  if (consumer === undefined) problems.push("the consumer did not report");
  if (producer?.stats.fault) problems.push(`producer stopped: ${producer.stats.fault}`);
  if (consumer?.stats.fault) problems.push(`consumer stopped: ${consumer.stats.fault}`);
  if (lost > 0) problems.push(`${lost} records lost`);
  if (dup > 0) problems.push(`${dup} records duplicated or reordered`);
  if (torn > 0) problems.push(`${torn} records torn or corrupt`);
  const sums = [producer?.stats.checksum, consumer?.stats.checksum];
  if (sums[0] !== undefined && sums[1] !== undefined && sums[0] !== sums[1]) {
    problems.push(
      `checksums differ (producer ${sums[0].toString(16)}, consumer ${sums[1].toString(16)}): ` +
        "records were corrupted",
    );
  }
  if (
    !interrupted && spec.records > 0 && spec.durationMs === 0 && producer &&
    !producer.stats.fault &&
    producer.stats.records < spec.records
  ) {
    problems.push(`the producer wrote ${producer.stats.records} of ${spec.records} records`);
  }
  const secs = (consumer?.windowMs ?? 0) / 1000;
  const recordsPerS = secs > 0 ? (consumer?.windowRecords ?? 0) / secs : 0;
  const per = (s: { records: number; publishes: number } | undefined) =>
    s && s.publishes > 0 ? s.records / s.publishes : 0;
  return {
    spec,
    producer,
    consumer,
    recordSize,
    recordsPerS,
    mbPerS: recordsPerS * recordSize / 1e6,
    latencyNs: {
      p50: hist.percentile(0.5),
      p99: hist.percentile(0.99),
      p999: hist.percentile(0.999),
      max: hist.max,
    },
    meanBatch: { producer: per(producer?.stats), consumer: per(consumer?.stats) },
    verified: problems.length === 0 && !interrupted,
    lost,
    duplicatedOrReordered: dup,
    torn,
    problems,
    interrupted,
    sab,
  };
}
