/**
 * What the main thread sends the workers of a run and what they send back. Plain data only:
 * it crosses `postMessage`.
 *
 * @example
 * ```ts
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "ring", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100_000, durationMs: 0,
 * };
 * ```
 * @module
 */
import type { HistogramSnapshot } from "../stats/histogram.ts";
import type { IndexPlacement, RingLayoutId } from "../ring/geometry.ts";
import type { WaitStrategy } from "../ring/doorbell.ts";

/** How records travel from the producer worker to the consumer worker. */
export type Transport =
  | "ring"
  | "postMessage"
  | "postMessage-batched"
  | "ringbuf.js"
  | "minimal-ring"
  | "c-reference";

/** One configuration to run. */
export interface RunSpec {
  /** How records travel. */
  readonly transport: Transport;
  /** Record layout: the ring's region layout; baselines carry the same `dma-fault` records. */
  readonly layout: RingLayoutId;
  /** Where the ring's indices sit. */
  readonly placement: IndexPlacement;
  /** Records the producer writes before it publishes (postMessage: records per message). */
  readonly batch: number;
  /** How a side waits when it cannot make progress. */
  readonly wait: WaitStrategy;
  /** Stop after this many records (0: no limit). */
  readonly records: number;
  /** Stop producing after this many ms of measurement (0: no limit). */
  readonly durationMs: number;
  /** spin-wait: the smallest (and first) spin budget before sleeping, in µs (DEFAULT_SPIN_US). */
  readonly spinUs?: number;
  /** Longest single sleep in ms (spin-wait); a side re-checks the stop flag this often. */
  readonly sleepMs?: number;
  /** Warm-up before the measurement window opens, in ms (records still verified). */
  readonly warmupMs?: number;
  /** Test hooks: the consumer publishes a bogus `cons` after this many records. */
  readonly corruptConsAt?: number;
  /** Test hooks: the value it publishes. */
  readonly corruptConsValue?: number;
  /** Test hooks: the producer publishes a bogus `prod` after this many records. */
  readonly corruptProdAt?: number;
  /** Test hooks: the consumer pauses this long after each release (keeps the ring full). */
  readonly consumerPauseUs?: number;
  /** Test hooks: the producer pauses this long after each publish (keeps the ring empty). */
  readonly producerPauseUs?: number;
  /** Test hooks: the consumer copies every record it reads, in order, into this buffer. */
  readonly capture?: SharedArrayBuffer;
}

/** Counters of one side. */
export interface SideStats {
  /** Records written (producer) or read (consumer). */
  records: number;
  /** Index publications (`Atomics.store` of prod/cons, or messages). */
  publishes: number;
  /** Times the side found no work (ring full / empty) after making progress. */
  waits: number;
  /** Poll iterations while waiting. */
  spins: number;
  /** Times the side armed its doorbell before sleeping (a notify needs one). */
  arms: number;
  /** `Atomics.wait` calls. */
  sleeps: number;
  /** Sleeps that ended by timeout, not by the other side's doorbell. */
  timeouts: number;
  /** Doorbell rings that issued `Atomics.notify`. */
  notifies: number;
  /** Loads of the other side's index (each may pull a cache line from the other core). */
  indexLoads: number;
  /** Clock reads (`performance.now()`), for timestamps, the deadline and the spin budget. */
  clockReads: number;
  /** Why the side stopped using the queue, if it did. */
  fault?: string;
  /** CPUs the side's thread was seen on (empty where the OS does not tell). */
  cpus: number[];
  /** Transports without per-record checksums: the fold of every record, to compare sides. */
  checksum?: number;
}

/** What the consumer found while verifying every record. */
export interface Verification {
  /** Records with the expected sequence number and a good checksum. */
  ok: number;
  /** Sequence numbers skipped. */
  lost: number;
  /** Records whose sequence number was not above the last one seen. */
  duplicatedOrReordered: number;
  /** Records that failed the checksum or the seq-derived fields. */
  torn: number;
  /** Latency samples below zero (clock offset between workers), counted as 0 ns. */
  clockSkew: number;
}

/** The consumer's report. */
export interface ConsumerReport {
  /** The consumer's counters. */
  stats: SideStats;
  /** What the verifier found. */
  verify: Verification;
  /** Sequence number the consumer expected next: records after it never arrived. */
  nextSeq: number;
  /** Records in the measurement window and its length. */
  windowRecords: number;
  /** Milliseconds in the measurement window. */
  windowMs: number;
  /** Delivery latencies (ns) of the measurement window. */
  latency: HistogramSnapshot;
}

/** The producer's report. */
export interface ProducerReport {
  /** The producer's counters. */
  stats: SideStats;
}

/** Messages a worker posts to the main thread. */
export type WorkerReply =
  | { readonly type: "producer"; readonly report: ProducerReport }
  | { readonly type: "consumer"; readonly report: ConsumerReport }
  | { readonly type: "error"; readonly message: string };

/** Messages the main thread posts to a worker. */
export interface WorkerOrder {
  /** Which side the worker plays. */
  readonly role: "producer" | "consumer";
  /** The configuration to run. */
  readonly spec: RunSpec;
  /** Ring buffer (ring and ringbuf.js transports). */
  readonly sab?: SharedArrayBuffer;
  /** The control block (see control.ts). */
  readonly control: SharedArrayBuffer;
  /** The main thread's `performance.timeOrigin`. */
  readonly epoch: number;
  /** The channel end (postMessage transports). */
  readonly port?: MessagePort;
}

/**
 * A fresh, zeroed set of side counters.
 *
 * @example
 * ```ts
 * import { emptyStats } from "./types.ts";
 * const st = emptyStats();
 * st.records += 16; // a producer wrote a batch
 * st.publishes++;
 * [st.records, st.publishes, st.waits, st.cpus]; // => [16, 1, 0, []]
 * ```
 */
export function emptyStats(): SideStats {
  return {
    records: 0,
    publishes: 0,
    waits: 0,
    spins: 0,
    arms: 0,
    sleeps: 0,
    timeouts: 0,
    notifies: 0,
    indexLoads: 0,
    clockReads: 0,
    cpus: [],
  };
}
