/**
 * The one loop every shared-memory transport runs in its workers: the producer's (reserve,
 * write and publish a batch, or wait) and the consumer's (poll, verify and free what is ready,
 * or wait), with the start signal, the deadline, the stop flag, the wait strategy, the
 * measurement window and the reports written once. A transport supplies only its
 * {@link ProducerSide} and {@link ConsumerSide}: the fault ring and ringbuf.js run the same
 * skeleton, so their figures differ only by what the transports themselves do.
 *
 * Each run uses fresh workers, so a skeleton only ever sees one side class: its calls to the
 * side stay monomorphic and V8 inlines them (measured: the ring moved the same records/s
 * through this skeleton as through its former hand-written loops; see bench/RESULTS.md).
 *
 * @example
 * ```ts
 * import { Doorbell } from "../ring/doorbell.ts";
 * import { createControl, CTL } from "./control.ts";
 * import { ringGeometry } from "../ring/geometry.ts";
 * import { createRingBuffer } from "../ring/region.ts";
 * import { BenchRecordCodec } from "./record.ts";
 * import { RingConsumerSide, RingProducerSide } from "./ring_side.ts";
 * import { consume, produce } from "./skeleton.ts";
 * import { RecordVerifier } from "./verify.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "ring", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const order = { spec, sab: createRingBuffer(ringGeometry("dma-fault")), control, epoch };
 * // Both sides in one thread, one after the other (`bench` runs each in its own worker): the
 * // 100 records fit in the ring, so the producer never waits for the consumer.
 * const consumerBell = new Doorbell(ctl, CTL.CONSUMER_BELL);
 * const producerBell = new Doorbell(ctl, CTL.PRODUCER_BELL);
 * const producer = { ...order, role: "producer" as const };
 * produce(producer, new RingProducerSide(producer, consumerBell), consumerBell).stats.records;
 * // => 100
 * const consumer = { ...order, role: "consumer" as const };
 * const v = new RecordVerifier(new BenchRecordCodec("mainline")); // dma-fault: mainline records
 * consume(consumer, new RingConsumerSide(consumer, producerBell), v, producerBell).verify;
 * // => { ok: 100, lost: 0, duplicatedOrReordered: 0, torn: 0, clockSkew: 0 }
 * ```
 * @module
 */
import { DEFAULT_SPIN_US, Doorbell, Spinner } from "../ring/doorbell.ts";
import { LatencyClock } from "./clock.ts";
import { CpuTrace } from "./machine.ts";
import { CTL } from "./control.ts";
import type { ConsumerReport, ProducerReport, SideStats, WorkerOrder } from "./types.ts";
import { emptyStats } from "./types.ts";
import type { RecordVerifier } from "./verify.ts";
import { MeasureWindow, warmRecordsFor } from "./window.ts";

/** Longest single sleep by default: a sleeping side re-checks the stop flag this often. */
export const DEFAULT_SLEEP_MS = 50;

/** A transport's producer, as the producer loop drives it. */
export interface ProducerSide {
  /** Records (at most `max`) that may be written now: 0 when full, -1 once stopped for good. */
  reserve(max: number): number;
  /**
   * Writes records `seq` .. `seq + n - 1` stamped `ts` (u32 ns, see LatencyClock) into the
   * reserved space and publishes them. Returns false when the side must stop (a test hook).
   */
  write(seq: number, n: number, ts: number): boolean;
  /** Why the side stopped using the queue, if it did. */
  readonly fault: string | undefined;
  /** Loads of the other side's index so far. */
  readonly indexLoads: number;
}

/** A transport's consumer, as the consumer loop drives it. */
export interface ConsumerSide {
  /** Records ready to take: 0 when empty, -1 once stopped for good (a bad index). */
  poll(): number;
  /**
   * Verifies the `n` ready records with `v` (delivered at `nowNs`, latency recorded when
   * `measure`), then frees them. Returns false when the side must stop (a test hook).
   */
  take(n: number, v: RecordVerifier, nowNs: number, measure: boolean): boolean;
  /** Why the side stopped using the queue, if it did. */
  readonly fault: string | undefined;
  /** Loads of the other side's index so far. */
  readonly indexLoads: number;
}

/**
 * Signals readiness and blocks until the main thread says go.
 *
 * @example
 * ```ts
 * import { createControl, CTL } from "./control.ts";
 * import { awaitGo } from "./skeleton.ts";
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread said go before this side was ready
 * awaitGo(ctl); // returns at once; otherwise it sleeps until GO
 * Atomics.load(ctl, CTL.READY); // => 1: this side counted itself ready
 * ```
 */
export function awaitGo(ctl: Int32Array): void {
  Atomics.add(ctl, CTL.READY, 1);
  while (Atomics.load(ctl, CTL.GO) === 0) Atomics.wait(ctl, CTL.GO, 0, DEFAULT_SLEEP_MS);
}

const napWord = new Int32Array(new SharedArrayBuffer(4));

/**
 * Pauses `us` microseconds (test hook: a slow side): busy below a millisecond, asleep above, so
 * that an idle producer costs no CPU when the idle consumer's CPU is being measured.
 *
 * @example
 * ```ts
 * import { pause } from "./skeleton.ts";
 * pause(100); // busy for 100 µs
 * pause(5000); // asleep for 5 ms
 * ```
 */
export function pause(us: number): void {
  if (us >= 1000) {
    Atomics.wait(napWord, 0, 0, us / 1000);
    return;
  }
  const end = performance.now() + us / 1000;
  while (performance.now() < end) { /* spin */ }
}

/** The wait strategy of one side: its own doorbell and spinner, and the other side's bell. */
interface Waiting {
  readonly mine: Doorbell;
  readonly spinner: Spinner;
}

function waiting(o: WorkerOrder, ctl: Int32Array, myWord: number): Waiting {
  const mine = new Doorbell(ctl, myWord);
  const spinner = new Spinner(
    mine,
    o.spec.wait,
    o.spec.spinUs ?? DEFAULT_SPIN_US,
    o.spec.sleepMs ?? DEFAULT_SLEEP_MS,
  );
  return { mine, spinner };
}

function finishStats(
  st: SideStats,
  w: Waiting,
  otherBell: Doorbell,
  side: ProducerSide | ConsumerSide,
) {
  st.indexLoads = side.indexLoads;
  // One clock read per batch (producer) or drain (consumer), plus the spin budget's.
  st.clockReads = st.publishes + w.spinner.clockReads;
  const fault = side.fault;
  st.arms = w.mine.arms;
  st.sleeps = w.mine.sleeps;
  st.timeouts = w.mine.timeouts;
  st.notifies = otherBell.notifies;
  if (fault !== undefined) st.fault = fault;
}

/**
 * The producer loop: writes `spec.records` records (or until `spec.durationMs`), in batches of
 * up to `spec.batch`, stamping each batch with one clock reading. When the transport is full
 * it counts the episode, polls, and with `spin-wait` sleeps on its doorbell after the spin
 * budget. `consumerBell` is the doorbell the side rings after publishing (it rings it itself,
 * in `write`, where it knows a publish happened).
 *
 * @example
 * ```ts
 * import { Doorbell } from "../ring/doorbell.ts";
 * import { createControl, CTL } from "./control.ts";
 * import { ringGeometry } from "../ring/geometry.ts";
 * import { createRingBuffer } from "../ring/region.ts";
 * import { RingProducerSide } from "./ring_side.ts";
 * import { produce } from "./skeleton.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "ring", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const order = { spec, sab: createRingBuffer(ringGeometry("dma-fault")), control, epoch };
 * const producer = { ...order, role: "producer" as const }; // in `bench`, the producer worker's
 * const consumerBell = new Doorbell(ctl, CTL.CONSUMER_BELL);
 * const report = produce(producer, new RingProducerSide(producer, consumerBell), consumerBell);
 * report.stats.publishes; // => 7: six batches of 16, then 4
 * Atomics.load(ctl, CTL.DONE); // => 1: the consumer may drain and stop
 * ```
 */
export function produce(
  o: WorkerOrder,
  side: ProducerSide,
  consumerBell: Doorbell,
): ProducerReport {
  const { spec } = o;
  const ctl = new Int32Array(o.control);
  const clock = new LatencyClock(o.epoch);
  const w = waiting(o, ctl, CTL.PRODUCER_BELL);
  const spinner = w.spinner;
  const st = emptyStats();
  const k = spec.batch;
  const limit = spec.records > 0 ? spec.records : Infinity;
  const pauseUs = spec.producerPauseUs ?? 0;
  const ready = () => side.reserve(1) !== 0 || Atomics.load(ctl, CTL.STOP) !== 0;
  const cpu = new CpuTrace();
  awaitGo(ctl);
  const start = performance.now();
  cpu.sample(start);
  const deadline = spec.durationMs > 0 ? start + (spec.warmupMs ?? 0) + spec.durationMs : Infinity;
  let seq = 0;
  let idle = false;
  while (seq < limit) {
    let n = side.reserve(k);
    if (n === 0) {
      // Full. Count the episode once, then poll; spin-wait sleeps after its budget.
      if (!idle) {
        st.waits++;
        idle = true;
      }
      if ((++st.spins & 1023) === 0 && Atomics.load(ctl, CTL.STOP) !== 0) break;
      spinner.idle(ready);
      continue;
    }
    if (n < 0) break;
    if (idle) {
      idle = false;
      spinner.progress();
    }
    if (n > limit - seq) n = limit - seq;
    const now = performance.now();
    const go = side.write(seq, n, clock.ns(now));
    seq += n;
    st.publishes++;
    cpu.maybe(now);
    if (!go || now >= deadline || Atomics.load(ctl, CTL.STOP) !== 0) break;
    if (pauseUs > 0) pause(pauseUs);
  }
  st.records = seq;
  cpu.sample(performance.now());
  st.cpus = cpu.cpus;
  finishStats(st, w, consumerBell, side);
  Atomics.store(ctl, CTL.DONE, 1);
  Atomics.notify(ctl, CTL.CONSUMER_BELL);
  return { stats: st };
}

/**
 * The consumer loop: takes everything ready, verifying every record, until the producer is
 * done and the transport is empty, or the run is stopped. Measures records and time inside
 * the window that opens after the warm-up. `producerBell` is the doorbell the side rings after
 * freeing space.
 *
 * @example
 * ```ts
 * import { Doorbell } from "../ring/doorbell.ts";
 * import { createControl, CTL } from "./control.ts";
 * import { ringGeometry } from "../ring/geometry.ts";
 * import { createRingBuffer } from "../ring/region.ts";
 * import { BenchRecordCodec } from "./record.ts";
 * import { runRingProducer, RingConsumerSide } from "./ring_side.ts";
 * import { consume } from "./skeleton.ts";
 * import { RecordVerifier } from "./verify.ts";
 * import type { RunSpec } from "./types.ts";
 * const spec: RunSpec = {
 *   transport: "ring", layout: "dma-fault", placement: "region", batch: 16, wait: "spin",
 *   records: 100, durationMs: 0,
 * };
 * const ctl = createControl();
 * Atomics.store(ctl, CTL.GO, 1); // the main thread's start signal, given up front
 * const control = ctl.buffer as SharedArrayBuffer, epoch = performance.timeOrigin;
 * const order = { spec, sab: createRingBuffer(ringGeometry("dma-fault")), control, epoch };
 * // Both sides in one thread, one after the other (`bench` runs each in its own worker): the
 * // 100 records fit in the ring, so the producer never waits for the consumer.
 * runRingProducer({ ...order, role: "producer" });
 * const consumer = { ...order, role: "consumer" as const }; // in `bench`, the consumer worker's
 * const producerBell = new Doorbell(ctl, CTL.PRODUCER_BELL);
 * const v = new RecordVerifier(new BenchRecordCodec("mainline"));
 * const report = consume(consumer, new RingConsumerSide(consumer, producerBell), v, producerBell);
 * report.verify.lost; // => 0
 * report.nextSeq; // => 100
 * ```
 */
export function consume(
  o: WorkerOrder,
  side: ConsumerSide,
  v: RecordVerifier,
  producerBell: Doorbell,
): ConsumerReport {
  const { spec } = o;
  const ctl = new Int32Array(o.control);
  const clock = new LatencyClock(o.epoch);
  const w = waiting(o, ctl, CTL.CONSUMER_BELL);
  const spinner = w.spinner;
  const st = emptyStats();
  const pauseUs = spec.consumerPauseUs ?? 0;
  const ready = () =>
    side.poll() !== 0 || Atomics.load(ctl, CTL.DONE) !== 0 || Atomics.load(ctl, CTL.STOP) !== 0;
  const cpu = new CpuTrace();
  awaitGo(ctl);
  const t0 = performance.now();
  cpu.sample(t0);
  const win = new MeasureWindow(t0, spec.warmupMs ?? 0, warmRecordsFor(spec.records));
  let idle = false;
  for (;;) {
    let n = side.poll();
    if (n === 0) {
      if (Atomics.load(ctl, CTL.DONE) !== 0) {
        n = side.poll(); // DONE is stored after the last publish: this poll sees it all.
        if (n === 0) break;
      } else {
        if (!idle) {
          st.waits++;
          idle = true;
        }
        if ((++st.spins & 1023) === 0 && Atomics.load(ctl, CTL.STOP) !== 0) break;
        spinner.idle(ready);
        continue;
      }
    }
    if (n < 0) {
      // A bad index: stop, and tell the producer nobody will free its slots again.
      Atomics.store(ctl, CTL.STOP, 1);
      Atomics.notify(ctl, CTL.PRODUCER_BELL);
      break;
    }
    if (idle) {
      idle = false;
      spinner.progress();
    }
    const now = performance.now();
    const measure = win.open(now, v.seen);
    const go = side.take(n, v, clock.ns(now), measure);
    st.publishes++;
    cpu.maybe(now);
    if (!go) break;
    if (pauseUs > 0) pause(pauseUs);
  }
  const end = performance.now();
  st.records = v.seen;
  cpu.sample(end);
  st.cpus = cpu.cpus;
  finishStats(st, w, producerBell, side);
  return consumerReport(st, v, win, end);
}

/**
 * The consumer's report from its counters, verifier and window.
 *
 * @example
 * ```ts
 * import { BenchRecordCodec } from "./record.ts";
 * import { consumerReport } from "./skeleton.ts";
 * import { emptyStats } from "./types.ts";
 * import { RecordVerifier } from "./verify.ts";
 * import { MeasureWindow } from "./window.ts";
 * const codec = new BenchRecordCodec("mainline");
 * const w = new Int32Array(codec.words * 2);
 * codec.write(w, 0, 0, 100); // records 0 and 1, stamped 100 ns
 * codec.write(w, codec.words, 1, 100);
 * const v = new RecordVerifier(codec);
 * const win = new MeasureWindow(0, 0, Infinity); // no warm-up: measuring from 0 ms
 * v.takeRun(w, 0, w.length, 150, win.open(0, 0)); // read at 150 ns
 * const r = consumerReport(emptyStats(), v, win, 1000); // the run ended at 1000 ms
 * [r.verify.ok, r.nextSeq, r.windowRecords, r.windowMs]; // => [2, 2, 2, 1000]
 * ```
 */
export function consumerReport(
  st: SideStats,
  v: RecordVerifier,
  win: MeasureWindow,
  end: number,
): ConsumerReport {
  return {
    stats: st,
    verify: v.result,
    nextSeq: v.next,
    ...win.result(end, v.seen),
    latency: v.latency.snapshot(),
  };
}
